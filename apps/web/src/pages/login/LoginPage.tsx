import { LockOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, isApiError } from '../../api/api';
import { useAuth } from '../../auth/AuthContext';
import { LanguageSwitch } from '../../layout/LanguageSwitch';
import { Logo } from '../../layout/Logo';

interface LoginForm {
  login: string;
  password: string;
  organization?: string;
}

/** Only same-origin relative paths are accepted as a post-login target. */
export function safeNext(raw: string | null): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/login')) return '/';
  return raw;
}

function errorTitleKey(error: ApiError) {
  switch (error.code) {
    case 'AUTH_LOCKED':
      return 'login.lockedTitle' as const;
    case 'AUTH_DISABLED':
      return 'login.disabledTitle' as const;
    case 'RATE_LIMITED':
      return 'login.rateLimitedTitle' as const;
    default:
      return 'login.failedTitle' as const;
  }
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { status, me, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form] = Form.useForm<LoginForm>();
  const [showMore, setShowMore] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const next = safeNext(params.get('next'));

  if (status === 'authenticated' && me && !submitting) {
    return <Navigate to={me.mustChangePassword || me.passwordExpired ? '/change-password' : next} replace />;
  }

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      const user = await login(values);
      navigate(user.mustChangePassword || user.passwordExpired ? '/change-password' : next, {
        replace: true,
      });
    } catch (err) {
      setError(isApiError(err) ? err : new ApiError(0, 'UNKNOWN', String(err)));
      form.setFieldValue('password', '');
      setSubmitting(false);
    }
  };

  const needsAdmin = error && (error.code === 'AUTH_LOCKED' || error.code === 'AUTH_DISABLED');

  return (
    <div className="kam-login">
      <div className="kam-login-top">
        <LanguageSwitch />
      </div>
      <div className="kam-login-center">
        <Card className="kam-login-card" variant="borderless">
          <div className="kam-login-brand">
            <Logo />
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('login.title')}
          </Typography.Title>
          {error ? (
            <Alert
              type={error.code === 'AUTH_INVALID_CREDENTIALS' ? 'warning' : 'error'}
              showIcon
              title={t(errorTitleKey(error))}
              description={
                <>
                  <div data-testid="login-error" data-code={error.code}>
                    {error.message}
                  </div>
                  {needsAdmin ? <div>{t('login.contactAdmin')}</div> : null}
                </>
              }
              style={{ marginBottom: 16 }}
            />
          ) : null}
          <Form<LoginForm>
            form={form}
            layout="vertical"
            onFinish={onFinish}
            requiredMark={false}
            size="large"
          >
            <Form.Item
              name="login"
              label={t('login.username')}
              rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
            >
              <Input
                prefix={<UserOutlined />}
                placeholder={t('login.usernamePlaceholder')}
                autoComplete="username"
                autoFocus
                data-testid="login-username"
              />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('login.password')}
              rules={[{ required: true, message: t('login.passwordRequired') }]}
            >
              <Input.Password
                prefix={<LockOutlined />}
                placeholder={t('login.passwordPlaceholder')}
                autoComplete="current-password"
                data-testid="login-password"
              />
            </Form.Item>
            {showMore ? (
              <Form.Item name="organization" label={t('login.organization')}>
                <Input
                  prefix={<TeamOutlined />}
                  placeholder={t('login.organizationPlaceholder')}
                  autoComplete="organization"
                  data-testid="login-organization"
                />
              </Form.Item>
            ) : null}
            <div className="kam-login-more">
              <Button
                type="link"
                size="small"
                onClick={() => setShowMore((v) => !v)}
                data-testid="login-more"
              >
                {showMore ? t('login.less') : t('login.more')}
              </Button>
            </div>
            <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
              {t('login.submit')}
            </Button>
          </Form>
        </Card>
        <Typography.Text type="secondary" className="kam-login-footer">
          {t('login.footer')}
        </Typography.Text>
      </div>
    </div>
  );
}
