import { IMPORT_FIELDS } from '@kam/domain';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportType } from '../../api/imports';

/** A target field of the mapping dropdown, labelled in the UI language. */
export interface ImportFieldOption {
  key: string;
  label: string;
  required: boolean;
}

/** The fields a record type takes (the one catalogue in @kam/domain), in template order. */
export function useImportFields(type: ImportType): ImportFieldOption[] {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return useMemo(
    () =>
      IMPORT_FIELDS[type].map((field) => ({
        key: field.key,
        label: en ? field.label.en : field.label.zh,
        required: field.required,
      })),
    [type, en],
  );
}
