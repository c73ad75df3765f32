import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthContext';

/** Toggles 中文 ⇄ English. Shows the language it switches to. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const { changeLocale } = useAuth();
  const next = i18n.language === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      type="text"
      icon={<GlobalOutlined />}
      onClick={() => void changeLocale(next)}
      data-testid="lang-switch"
      aria-label={t('lang.switchTo')}
      lang={next}
    >
      {compact ? null : t('lang.switchTo')}
    </Button>
  );
}
