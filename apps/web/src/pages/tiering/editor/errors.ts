import type { FormItemProps } from 'antd';
import { type ApiFieldError, isApiError } from '../../../api/api';

/** Server field errors by path inside the definition (`dimensions.0.weight`), or `name` for the model name. */
export type FieldErrors = Record<string, string[]>;

/** `body.definition.dimensions.0.weight` → `dimensions.0.weight`; `draft.tiers.1.minScore` → `tiers.1.minScore`. */
export function definitionPath(path: string): string {
  return path
    .replace(/^body\.definition\.?/, '')
    .replace(/^(draft|published)\.?/, '')
    .replace(/^body\./, '');
}

export function fieldErrorsOf(error: unknown): FieldErrors | null {
  if (!isApiError(error) || error.fields.length === 0) return null;
  const out: FieldErrors = {};
  for (const f of error.fields as ApiFieldError[]) {
    const key = definitionPath(f.path);
    out[key] = [...(out[key] ?? []), f.message];
  }
  return out;
}

/** Props for an antd Form.Item showing the server's message(s) at `path`. */
export function errorProps(
  errors: FieldErrors,
  path: string,
): Pick<FormItemProps, 'validateStatus' | 'help'> {
  const messages = errors[path];
  return messages?.length ? { validateStatus: 'error', help: messages.join('；') } : {};
}

/** Errors whose path lies below `prefix` (for a badge on a collapsed section). */
export function countBelow(errors: FieldErrors, prefix: string): number {
  return Object.keys(errors).filter((k) => k === prefix || k.startsWith(`${prefix}.`)).length;
}
