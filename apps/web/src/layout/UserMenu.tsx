import {
  ApiOutlined,
  BookOutlined,
  DesktopOutlined,
  DownOutlined,
  LockOutlined,
  LogoutOutlined,
  PoweroffOutlined,
} from '@ant-design/icons';
import { App, Avatar, Button, Dropdown, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useAuth, useMe } from '../auth/AuthContext';
import { useApiError } from '../hooks/useApiError';

/** Header dropdown: password, sessions, tokens, API docs, sign out (here / everywhere). */
export function UserMenu({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const { can, canAny, logout, logoutAll } = useAuth();
  const navigate = useNavigate();
  const { modal, message } = App.useApp();
  const { showError } = useApiError();

  const items: MenuProps['items'] = [
    {
      key: 'password',
      icon: <LockOutlined />,
      label: <span data-testid="menu-change-password">{t('header.changePassword')}</span>,
    },
    {
      key: 'sessions',
      icon: <DesktopOutlined />,
      label: <span data-testid="menu-sessions">{t('header.sessions')}</span>,
    },
    ...(can('api_token.create')
      ? [
          {
            key: 'tokens',
            icon: <ApiOutlined />,
            label: <span data-testid="menu-tokens">{t('header.tokens')}</span>,
          },
        ]
      : []),
    ...(canAny('tenant.configure', 'role.configure', 'api_token.create')
      ? [
          {
            key: 'docs',
            icon: <BookOutlined />,
            label: (
              <a href="/api/docs" target="_blank" rel="noopener noreferrer" data-testid="menu-api-docs">
                {t('header.apiDocs')}
              </a>
            ),
          },
        ]
      : []),
    { type: 'divider' },
    {
      key: 'logout',
      icon: <LogoutOutlined />,
      label: <span data-testid="logout">{t('header.logout')}</span>,
    },
    {
      key: 'logoutAll',
      icon: <PoweroffOutlined />,
      danger: true,
      label: <span data-testid="logout-all">{t('header.logoutAll')}</span>,
    },
  ];

  const onClick: MenuProps['onClick'] = ({ key }) => {
    switch (key) {
      case 'password':
        navigate('/account/password');
        break;
      case 'sessions':
        navigate('/account/sessions');
        break;
      case 'tokens':
        navigate('/tokens');
        break;
      case 'logout':
        void logout().then(() => {
          void message.success(t('header.loggedOut'));
          navigate('/login', { replace: true });
        });
        break;
      case 'logoutAll':
        modal.confirm({
          title: t('header.logoutAll'),
          content: t('header.logoutAllConfirm'),
          okButtonProps: { danger: true },
          onOk: async () => {
            try {
              await logoutAll();
              navigate('/login', { replace: true });
            } catch (error) {
              showError(error);
            }
          },
        });
        break;
      default:
        break;
    }
  };

  const initial = (me.displayName || me.login).slice(0, 1).toUpperCase();
  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']} placement="bottomRight">
      <Button type="text" data-testid="user-menu" className="kam-user-trigger">
        <Avatar size="small" style={{ backgroundColor: '#3370ff' }}>
          {initial}
        </Avatar>
        {compact ? null : <span className="kam-user-name">{me.displayName}</span>}
        <DownOutlined style={{ fontSize: 10 }} />
      </Button>
    </Dropdown>
  );
}
