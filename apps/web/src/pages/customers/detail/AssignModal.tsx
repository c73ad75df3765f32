import { App, Checkbox, Form, Input, Modal } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../../../api/endpoints';
import type { Customer } from '../../../api/types';
import { UserSelect } from '../../../components/UserSelect';
import { useApiError } from '../../../hooks/useApiError';

interface Values {
  ownerId: string;
  reason: string;
  includeOpenFollowUps: boolean;
}

/** Assign / transfer the customer to another owner (kept in the ownership history with the reason). */
export function AssignModal({
  open,
  customer,
  onClose,
  onDone,
}: {
  open: boolean;
  customer: Customer;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { showFormError, handleConflict } = useApiError();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue({ includeOpenFollowUps: true });
    }
  }, [open, form]);

  const submit = async (v: Values) => {
    setSaving(true);
    try {
      await customersApi.assign(customer.id, {
        ownerId: v.ownerId,
        reason: v.reason.trim(),
        version: customer.version,
        includeOpenFollowUps: v.includeOpenFollowUps,
      });
      void message.success(t('customer.assigned'));
      onDone();
    } catch (error) {
      if (handleConflict(error)) onDone();
      else showFormError(form, error, ['ownerId', 'reason']);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('customer.assignTitle', { name: customer.name })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: saving, id: 'assign-submit' }}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="ownerId"
          label={t('customer.newOwner')}
          rules={[{ required: true, message: t('customer.newOwnerRequired') }]}
        >
          <UserSelect activeOnly data-testid="assign-owner" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('customer.reason')}
          rules={[{ required: true, whitespace: true, min: 2, message: t('customer.reasonRequired') }]}
        >
          <Input.TextArea maxLength={500} autoSize={{ minRows: 2, maxRows: 4 }} data-testid="assign-reason" />
        </Form.Item>
        <Form.Item name="includeOpenFollowUps" valuePropName="checked">
          <Checkbox>{t('customer.includeOpenFollowUps')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
