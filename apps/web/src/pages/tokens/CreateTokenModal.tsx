import { Checkbox, DatePicker, Form, Input, Modal, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tokensApi } from '../../api/endpoints';
import type { ApiToken } from '../../api/types';
import { useMe } from '../../auth/AuthContext';
import { useApiError } from '../../hooks/useApiError';
import { translateDynamic } from '../../i18n';

interface Values {
  name: string;
  permissions: string[];
  expiresAt?: Dayjs | null;
}

export interface CreateTokenModalProps {
  open: boolean;
  onClose: () => void;
  onCreated: (token: ApiToken, secret: string) => void;
}

/** Name, permissions (only those I hold) and optional expiry. */
export function CreateTokenModal({ open, onClose, onCreated }: CreateTokenModalProps) {
  const { t } = useTranslation();
  const me = useMe();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const { showFormError } = useApiError();
  // The server lists my permissions in catalogue order.
  const mine = me.permissions;

  const submit = async (values: Values) => {
    setSaving(true);
    try {
      const result = await tokensApi.create({
        name: values.name.trim(),
        permissions: values.permissions,
        expiresAt: values.expiresAt ? values.expiresAt.endOf('day').toISOString() : undefined,
      });
      form.resetFields();
      onCreated(result.token, result.secret);
    } catch (error) {
      showFormError(form, error, ['name', 'permissions', 'expiresAt']);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('token.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: saving, disabled: mine.length === 0 }}
      okText={t('common.create')}
      destroyOnHidden
      width={600}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={{ permissions: [] }}>
        <Form.Item
          name="name"
          label={t('token.name')}
          rules={[{ required: true, whitespace: true, message: t('token.nameRequired') }, { max: 100 }]}
        >
          <Input placeholder={t('token.namePlaceholder')} maxLength={100} data-testid="token-name" />
        </Form.Item>
        <Form.Item
          name="permissions"
          label={t('token.permissions')}
          extra={t('token.permissionsHelp')}
          rules={[{ required: true, type: 'array', min: 1, message: t('token.permissionsRequired') }]}
        >
          {mine.length === 0 ? (
            <Typography.Text type="secondary">{t('token.noPermissions')}</Typography.Text>
          ) : (
            <Checkbox.Group className="kam-perm-grid" data-testid="token-permissions">
              {mine.map((permission) => (
                <Checkbox key={permission} value={permission} data-testid={`token-perm-${permission}`}>
                  {translateDynamic(`perm.${permission}`, permission)}
                </Checkbox>
              ))}
            </Checkbox.Group>
          )}
        </Form.Item>
        <Form.Item name="expiresAt" label={t('token.expiresAt')} extra={t('token.expiresHelp')}>
          <DatePicker
            style={{ width: '100%' }}
            disabledDate={(date) => date.isBefore(new Date(), 'day')}
            data-testid="token-expires"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
