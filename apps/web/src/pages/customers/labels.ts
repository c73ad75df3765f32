import { ENUM_LABELS, type EnumKind } from '@kam/domain';
import { useMemo } from 'react';
import { useFormat } from '../../i18n/useFormat';

export type { EnumKind };

export interface Option {
  value: string;
  label: string;
}

export interface CustomerLabels {
  /** Label of an enum value (status, team role, decision role, …); the value itself when unknown. */
  enumLabel: (kind: EnumKind, value: string | null | undefined) => string;
  enumOptions: (kind: EnumKind) => Option[];
}

/** Enum labels from @kam/domain (one source for server messages, import mapping and the UI). */
export function useCustomerLabels(): CustomerLabels {
  const { locale } = useFormat();
  return useMemo(() => {
    const pick = (text: { zh: string; en: string }) => (locale === 'en' ? text.en : text.zh);
    return {
      enumLabel: (kind, value) => {
        if (!value) return '—';
        const text = ENUM_LABELS[kind][value];
        return text ? pick(text) : value;
      },
      enumOptions: (kind) =>
        Object.entries(ENUM_LABELS[kind]).map(([value, text]) => ({ value, label: pick(text) })),
    };
  }, [locale]);
}
