import { normalizeInput, type Validated } from './result.js';

const MOBILE = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;

/**
 * Mainland-China mobile numbers. Accepts full-width digits, spaces, hyphens, parentheses and a leading
 * `+86`/`0086`/`86`; returns E.164 (`+8613812345678`). Landlines and foreign numbers are rejected.
 */
export function normalizeMobile(input: string): Validated<'MOBILE_INVALID'> {
  const compact = normalizeInput(input).replace(/[\s()-]/g, '');
  const match = MOBILE.exec(compact);
  return match ? { ok: true, value: `+86${match[1]}` } : { ok: false, code: 'MOBILE_INVALID' };
}

/** `+8613812345678` → `138 1234 5678`; anything else is returned unchanged. */
export function formatMobile(e164: string): string {
  const match = /^\+86(1\d{2})(\d{4})(\d{4})$/.exec(e164);
  return match ? `${match[1]} ${match[2]} ${match[3]}` : e164;
}
