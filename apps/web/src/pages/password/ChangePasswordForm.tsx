import { App, Button, Col, Form, Input, Row } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/api';
import { authApi } from '../../api/endpoints';
import { useAuth } from '../../auth/AuthContext';
import { useApiError } from '../../hooks/useApiError';
import { PasswordChecklist } from './PasswordChecklist';
import { allPassed, checkPassword, rulesFor } from './passwordRules';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const;

/** Current + new + confirm with a live policy checklist. Calls `onDone` after success. */
export function ChangePasswordForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { me, passwordChanged } = useAuth();
  const { message } = App.useApp();
  const { showFormError } = useApiError();
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const newPassword = Form.useWatch('newPassword', form) ?? '';
  const currentPassword = Form.useWatch('currentPassword', form) ?? '';
  const rules = rulesFor(me);
  const login = me?.login ?? '';
  const check = checkPassword(newPassword, login, currentPassword, rules);

  const onFinish = async (values: Values) => {
    setSubmitting(true);
    try {
      const { csrfToken } = await authApi.changePassword({
        currentPassword: values.currentPassword,
        newPassword: values.newPassword,
      });
      await passwordChanged(csrfToken);
      form.resetFields();
      void message.success(t('pwd.success'));
      onDone();
    } catch (error) {
      if (isApiError(error) && error.fields.length === 0) {
        if (error.code.startsWith('PASSWORD_') && error.code !== 'PASSWORD_CHANGE_REQUIRED') {
          form.setFields([{ name: 'newPassword', errors: [error.message] }]);
          return;
        }
        if (error.code === 'AUTH_INVALID_CREDENTIALS' || error.code.includes('CURRENT')) {
          form.setFields([{ name: 'currentPassword', errors: [error.message] }]);
          return;
        }
      }
      showFormError(form, error, FIELDS);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Row gutter={[32, 16]}>
      <Col xs={24} md={14}>
        <Form<Values> form={form} layout="vertical" onFinish={onFinish} requiredMark={false}>
          {/* Hidden username helps password managers pair the new password with the account. */}
          <input type="text" name="username" autoComplete="username" value={login} readOnly hidden />
          <Form.Item
            name="currentPassword"
            label={t('pwd.current')}
            rules={[{ required: true, message: t('pwd.currentRequired') }]}
          >
            <Input.Password autoComplete="current-password" data-testid="pwd-current" />
          </Form.Item>
          <Form.Item
            name="newPassword"
            label={t('pwd.new')}
            dependencies={['currentPassword']}
            rules={[
              { required: true, message: t('pwd.newRequired') },
              {
                validator: async (_, value: string | undefined) => {
                  if (!value) return;
                  const result = checkPassword(
                    value,
                    login,
                    form.getFieldValue('currentPassword') ?? '',
                    rules,
                  );
                  if (!allPassed(result)) throw new Error(t('pwd.notMet'));
                },
              },
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="pwd-new" />
          </Form.Item>
          <Form.Item
            name="confirmPassword"
            label={t('pwd.confirm')}
            dependencies={['newPassword']}
            rules={[
              { required: true, message: t('pwd.confirmRequired') },
              ({ getFieldValue }) => ({
                validator: async (_, value: string | undefined) => {
                  if (value && value !== getFieldValue('newPassword')) throw new Error(t('pwd.mismatch'));
                },
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="pwd-confirm" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={submitting} data-testid="pwd-submit" block>
            {t('pwd.submit')}
          </Button>
        </Form>
      </Col>
      <Col xs={24} md={10}>
        <PasswordChecklist rules={rules} check={check} pristine={!newPassword} />
      </Col>
    </Row>
  );
}
