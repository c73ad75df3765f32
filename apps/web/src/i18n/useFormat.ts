import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale, LocalizedLabel } from '../api/types';
import { formatDate, formatDateTime } from './format';

export interface Formatters {
  locale: Locale;
  dateTime: (value: string | null | undefined) => string;
  date: (value: string | null | undefined) => string;
  label: (label: LocalizedLabel | null | undefined, fallback?: string) => string;
}

/** Locale-aware formatters that re-render with the language. */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const locale: Locale = i18n.language === 'en' ? 'en' : 'zh-CN';
  return useMemo(
    () => ({
      locale,
      dateTime: (value) => formatDateTime(value, locale),
      date: (value) => formatDate(value, locale),
      label: (label, fallback = '') =>
        label ? (locale === 'en' ? label.en : label.zh) || fallback : fallback,
    }),
    [locale],
  );
}
