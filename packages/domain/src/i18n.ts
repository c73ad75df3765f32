/** Locales the product ships with. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A UI text in both shipped languages. */
export interface LocalizedText {
  readonly zh: string;
  readonly en: string;
}

export function localize(text: LocalizedText, locale: Locale): string {
  return locale === 'zh-CN' ? text.zh : text.en;
}
