import { Form, Modal, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Department } from '../../api/types';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import type { DepartmentNode } from '../../utils/departmentTree';
import { subtreeIds } from '../../utils/departmentTree';

export const ROOT_VALUE = '__root__';

export interface MoveDepartmentModalProps {
  department: Department;
  departments: Department[];
  roots: DepartmentNode[];
  allowRoot: boolean;
  disableNode?: (department: Department) => boolean;
  onMove: (parentId: string | null) => Promise<void>;
  onClose: () => void;
}

/** Pick a new parent; the department's own subtree is not offered (that would be a cycle). */
export function MoveDepartmentModal(props: MoveDepartmentModalProps) {
  const { department, departments, roots, allowRoot, disableNode, onMove, onClose } = props;
  const { t } = useTranslation();
  const [target, setTarget] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const exclude = useMemo(() => subtreeIds(departments, department.id), [departments, department.id]);
  const extra = useMemo(
    () =>
      allowRoot && department.parentId
        ? [{ value: ROOT_VALUE, key: ROOT_VALUE, title: t('dept.moveRoot') }]
        : [],
    [allowRoot, department.parentId, t],
  );
  const disable = useMemo(
    () => (d: Department) => d.id === department.parentId || (disableNode?.(d) ?? false),
    [department.parentId, disableNode],
  );

  const submit = async () => {
    if (!target) return;
    setSaving(true);
    try {
      await onMove(target === ROOT_VALUE ? null : target);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={t('dept.moveTitle', { name: department.name })}
      onCancel={onClose}
      onOk={submit}
      okButtonProps={{ disabled: !target, loading: saving }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('dept.moveHint')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('dept.moveTarget')} required>
          <DepartmentTreeSelect
            roots={roots}
            exclude={exclude}
            extraOptions={extra}
            disableNode={disable}
            value={target}
            onChange={(value: string) => setTarget(value)}
            placeholder={t('dept.moveTargetRequired')}
            style={{ width: '100%' }}
            data-testid="dept-move-target"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
