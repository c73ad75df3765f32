import { Button, Modal, TreeSelect } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import type { DepartmentNode } from '../../utils/departmentTree';

export interface CustomDepartmentsPickerProps {
  value: string[];
  onChange: (ids: string[]) => void;
  roots: DepartmentNode[];
  disabled?: boolean;
  testId?: string;
}

/** Compact "n departments" link that opens a checkable department tree. */
export function CustomDepartmentsPicker({
  value,
  onChange,
  roots,
  disabled,
  testId,
}: CustomDepartmentsPickerProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<string[]>(value);
  const empty = value.length === 0;

  return (
    <>
      <Button
        type="link"
        size="small"
        danger={empty && !disabled}
        onClick={() => {
          setDraft(value);
          setOpen(true);
        }}
        data-testid={testId}
        style={{ padding: 0, height: 'auto' }}
      >
        {empty ? t('role.customDepartments') : t('role.customDepartmentsCount', { count: value.length })}
      </Button>
      <Modal
        open={open}
        title={t('role.customDepartmentsTitle')}
        onCancel={() => setOpen(false)}
        onOk={() => {
          onChange(draft);
          setOpen(false);
        }}
        okButtonProps={{ disabled: disabled }}
        destroyOnHidden
      >
        <DepartmentTreeSelect
          roots={roots}
          multiple
          treeCheckable
          showCheckedStrategy={TreeSelect.SHOW_ALL}
          value={draft}
          onChange={(ids: string[]) => setDraft(ids)}
          disabled={disabled}
          style={{ width: '100%' }}
          placeholder={t('role.customDepartmentsRequired')}
          maxTagCount={20}
        />
      </Modal>
    </>
  );
}
