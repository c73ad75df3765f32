import { normalizeInput, type Validated } from './result.js';

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * Pragmatic email check: `local@domain.tld`, ASCII local part (kept as typed), domain lower-cased with at
 * least two labels and a non-numeric TLD, at most 254 characters. Full-width input (`＠`) is normalised.
 */
export function normalizeEmail(input: string): Validated<'EMAIL_INVALID'> {
  const value = normalizeInput(input);
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  const labels = domain.split('.');
  const valid =
    at > 0 &&
    value.length <= 254 &&
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    !/^\d+$/.test(labels.at(-1) ?? '');
  return valid ? { ok: true, value: `${local}@${domain}` } : { ok: false, code: 'EMAIL_INVALID' };
}
