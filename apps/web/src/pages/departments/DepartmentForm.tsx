import { Button, Form, Input, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Department } from '../../api/types';
import { UserSelect } from '../../components/UserSelect';
import { useApiError } from '../../hooks/useApiError';

export interface DepartmentFormValues {
  name: string;
  code?: string | null;
  headUserId?: string | null;
}

export interface DepartmentFormProps {
  /** The department being edited; absent when creating. */
  department?: Department;
  onSubmit: (values: DepartmentFormValues) => Promise<void>;
  onCancel?: () => void;
}

const FIELDS = ['name', 'code', 'headUserId'] as const;

/** Name / code / head. Used for editing the selected department and for creating a child. */
export function DepartmentForm({ department, onSubmit, onCancel }: DepartmentFormProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<DepartmentFormValues>();
  const [saving, setSaving] = useState(false);
  const { showFormError } = useApiError();

  // Re-seed the form whenever another department (or a newer version of it) is shown.
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue({
      name: department?.name ?? '',
      code: department?.code ?? '',
      headUserId: department?.headUserId ?? null,
    });
  }, [form, department]);

  const finish = async (values: DepartmentFormValues) => {
    setSaving(true);
    try {
      await onSubmit({
        name: values.name.trim(),
        code: values.code?.trim() ? values.code.trim() : null,
        headUserId: values.headUserId ?? null,
      });
    } catch (error) {
      showFormError(form, error, FIELDS);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<DepartmentFormValues> form={form} layout="vertical" onFinish={finish} style={{ maxWidth: 560 }}>
      <Form.Item
        name="name"
        label={t('dept.name')}
        rules={[{ required: true, whitespace: true, message: t('dept.nameRequired') }, { max: 100 }]}
      >
        <Input data-testid="dept-name-input" maxLength={100} autoFocus={!department} />
      </Form.Item>
      <Form.Item name="code" label={t('dept.code')} rules={[{ max: 64 }]}>
        <Input placeholder={t('dept.codePlaceholder')} maxLength={64} data-testid="dept-code-input" />
      </Form.Item>
      <Form.Item name="headUserId" label={t('dept.head')}>
        <UserSelect
          activeOnly
          placeholder={t('dept.headPlaceholder')}
          initialOption={
            department?.headUserId
              ? { value: department.headUserId, label: department.headName ?? department.headUserId }
              : null
          }
          data-testid="dept-head-select"
        />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="dept-save">
          {department ? t('common.save') : t('common.create')}
        </Button>
        {onCancel ? <Button onClick={onCancel}>{t('common.cancel')}</Button> : null}
      </Space>
    </Form>
  );
}
