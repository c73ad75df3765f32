import { App as AntApp, Button, ConfigProvider, Result, Spin, type ThemeConfig } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router';
import { AuthProvider, useAuth } from './auth/AuthContext';
import { useReducedMotion } from './hooks/useMediaQuery';
import { AppRoutes } from './routes';

/** Feishu-like look: blue primary, compact radii, system CJK font stack (no web fonts). */
const theme: ThemeConfig = {
  token: {
    colorPrimary: '#3370ff',
    colorInfo: '#3370ff',
    colorSuccess: '#34c724',
    colorWarning: '#ff8800',
    colorError: '#f54a45',
    colorTextBase: '#1f2329',
    colorBgLayout: '#f5f6f7',
    borderRadius: 6,
    fontSize: 14,
    fontFamily:
      '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  },
  components: {
    Layout: { headerBg: '#ffffff', siderBg: '#ffffff', headerHeight: 56, headerPadding: '0 16px' },
    Menu: { itemBorderRadius: 6, itemMarginInline: 8, itemHeight: 40, activeBarBorderWidth: 0 },
    Table: { headerBg: '#f5f6f7', cellPaddingBlockMD: 10 },
    Card: { headerFontSize: 15 },
  },
};

function Boot() {
  const { status, bootError, refresh } = useAuth();
  const { t } = useTranslation();
  if (status === 'loading') {
    return (
      <div className="kam-boot">
        <Spin size="large" />
      </div>
    );
  }
  if (status === 'error') {
    return (
      <Result
        status="warning"
        title={t('errors.loadFailed')}
        subTitle={bootError ?? t('errors.network')}
        extra={
          <Button type="primary" onClick={() => void refresh().catch(() => undefined)}>
            {t('errors.retry')}
          </Button>
        }
      />
    );
  }
  return <AppRoutes />;
}

export function App() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en' ? enUS : zhCN;
  const reducedMotion = useReducedMotion();
  const themed = useMemo<ThemeConfig>(
    () => (reducedMotion ? { ...theme, token: { ...theme.token, motion: false } } : theme),
    [reducedMotion],
  );
  return (
    <ConfigProvider locale={locale} theme={themed} componentSize="middle">
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <Boot />
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
