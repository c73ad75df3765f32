import { useTranslation } from 'react-i18next';

/** Inline SVG mark + product name (no remote images). */
export function Logo({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <span className="kam-logo">
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#3370ff" />
        <path d="M9 8h3.2v6.6L18.4 8h4l-6.6 7 7 9h-4.1l-5-6.6-1.5 1.6V24H9z" fill="#fff" />
      </svg>
      {compact ? null : <span className="kam-logo-text">{t('app.name')}</span>}
    </span>
  );
}
