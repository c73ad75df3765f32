import { Alert, Button, Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { loginPath } from '../../auth/guards';
import { LanguageSwitch } from '../../layout/LanguageSwitch';
import { Logo } from '../../layout/Logo';
import { ChangePasswordForm } from './ChangePasswordForm';

/** Standalone page for first login / expired / admin-reset passwords. Only this and sign-out are allowed. */
export default function ForcedPasswordPage() {
  const { t } = useTranslation();
  const { me, logout } = useAuth();
  const navigate = useNavigate();

  if (!me) return <Navigate to={loginPath()} replace />;
  if (!me.mustChangePassword && !me.passwordExpired) return <Navigate to="/" replace />;

  return (
    <div className="kam-login">
      <div className="kam-login-top">
        <LanguageSwitch />
        <Button
          type="text"
          onClick={() => void logout().then(() => navigate('/login', { replace: true }))}
          data-testid="logout"
        >
          {t('pwd.logoutInstead')}
        </Button>
      </div>
      <div className="kam-login-center">
        <Card className="kam-login-card kam-login-card-wide" variant="borderless">
          <div className="kam-login-brand">
            <Logo />
          </div>
          <Typography.Title level={4} style={{ marginTop: 0 }}>
            {t('pwd.forcedTitle')}
          </Typography.Title>
          <Alert
            type="info"
            showIcon
            title={
              me.passwordExpired && !me.mustChangePassword
                ? t('pwd.forcedExpired')
                : t('pwd.forcedFirstLogin')
            }
            style={{ marginBottom: 20 }}
          />
          <ChangePasswordForm onDone={() => navigate('/', { replace: true })} />
        </Card>
      </div>
    </div>
  );
}
