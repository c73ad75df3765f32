import { MenuFoldOutlined, MenuOutlined, MenuUnfoldOutlined } from '@ant-design/icons';
import { Button, Drawer, Layout, Tooltip, Typography } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { useMe } from '../auth/AuthContext';
import { NotificationBell } from '../components/approvals/NotificationBell';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { PageLoading } from '../components/Results';
import { useIsMobile } from '../hooks/useIsMobile';
import { LanguageSwitch } from './LanguageSwitch';
import { Logo } from './Logo';
import { NavMenu } from './NavMenu';
import { UserMenu } from './UserMenu';

const COLLAPSE_KEY = 'kam.siderCollapsed';

function readCollapsed(): boolean {
  try {
    return window.localStorage.getItem(COLLAPSE_KEY) === '1';
  } catch {
    return false;
  }
}

/** Signed-in shell: sider (drawer on phones), header with organization, language and user menu. */
export function AppLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const isMobile = useIsMobile();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(readCollapsed);
  const [drawerOpen, setDrawerOpen] = useState(false);

  const toggleCollapsed = () => {
    setCollapsed((prev) => {
      try {
        window.localStorage.setItem(COLLAPSE_KEY, prev ? '0' : '1');
      } catch {
        // ignore
      }
      return !prev;
    });
  };

  return (
    <Layout className="kam-shell">
      {isMobile ? (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={260}
          title={<Logo />}
          styles={{ body: { padding: '8px 0' } }}
        >
          <NavMenu onNavigate={() => setDrawerOpen(false)} />
        </Drawer>
      ) : (
        <Layout.Sider
          theme="light"
          width={220}
          collapsedWidth={64}
          collapsed={collapsed}
          trigger={null}
          className="kam-sider"
          style={{ position: 'sticky' }}
        >
          <Link to="/" className="kam-sider-logo">
            <Logo compact={collapsed} />
          </Link>
          <NavMenu collapsed={collapsed} />
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header className="kam-header">
          <div className="kam-header-left">
            {isMobile ? (
              <Button
                type="text"
                icon={<MenuOutlined />}
                onClick={() => setDrawerOpen(true)}
                aria-label={t('nav.menu')}
                data-testid="nav-drawer-toggle"
              />
            ) : (
              <Tooltip title={collapsed ? t('header.expand') : t('header.collapse')}>
                <Button
                  type="text"
                  icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                  onClick={toggleCollapsed}
                  aria-label={collapsed ? t('header.expand') : t('header.collapse')}
                />
              </Tooltip>
            )}
            <Typography.Text strong ellipsis className="kam-org-name" data-testid="org-name">
              {me.organization.name}
            </Typography.Text>
          </div>
          <div className="kam-header-right">
            <NotificationBell />
            <LanguageSwitch compact={isMobile} />
            <UserMenu compact={isMobile} />
          </div>
        </Layout.Header>
        <Layout.Content className="kam-content">
          <ErrorBoundary resetKey={location.pathname}>
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
