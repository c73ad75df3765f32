import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../api/types';
import { approvalsEn, approvalsZhCN } from './approvals';
import { en } from './en';
import { importsEn, importsZhCN } from './imports';
import { tieringEn, tieringZhCN } from './tiering';
import { zhCN } from './zh-CN';

export const LANGUAGE_STORAGE_KEY = 'kam.locale';
export const SUPPORTED_LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export function normalizeLocale(value: string | null | undefined): Locale | null {
  if (!value) return null;
  if (value === 'en' || value.toLowerCase().startsWith('en')) return 'en';
  if (value.toLowerCase().startsWith('zh')) return 'zh-CN';
  return null;
}

function readStoredLocale(): Locale | null {
  try {
    return normalizeLocale(window.localStorage.getItem(LANGUAGE_STORAGE_KEY));
  } catch {
    return null;
  }
}

/** Simplified Chinese by default; the last explicit choice on this browser wins before sign-in. */
const initialLocale: Locale = readStoredLocale() ?? 'zh-CN';

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: { ...zhCN, ...importsZhCN, ...approvalsZhCN, ...tieringZhCN } },
    en: { translation: { ...en, ...importsEn, ...approvalsEn, ...tieringEn } },
  },
  lng: initialLocale,
  fallbackLng: 'zh-CN',
  supportedLngs: ['zh-CN', 'en'],
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
});

function applyDocumentLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  document.title = i18n.getFixedT(locale)('app.name');
  dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
}

applyDocumentLocale(initialLocale);

export function currentLocale(): Locale {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

/** Switch the UI language and remember it on this browser. */
export async function setLocale(locale: Locale): Promise<void> {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, locale);
  } catch {
    // Storage may be unavailable (private mode); the switch still applies for this tab.
  }
  applyDocumentLocale(locale);
  if (i18n.language !== locale) await i18n.changeLanguage(locale);
}

/** Translate a key that is only known at run time (e.g. an audit action); falls back to `fallback`. */
export function translateDynamic(key: string, fallback: string): string {
  return i18n.exists(key) ? (i18n.t(key as 'common.ok') as string) : fallback;
}
