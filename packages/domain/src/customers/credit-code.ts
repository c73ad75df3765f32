import { normalizeInput, type Validated, zValidated } from '../validation/result.js';

/** The 31 characters a GB 32100-2015 code uses (no I, O, S, V, Z); a character's value is its index. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weights of positions 1–17: 3^(i−1) mod 31. */
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * The check character (position 18) for the first 17 characters of a unified social credit code, or
 * `null` when `first17` is not 17 characters of the alphabet. Expects upper-case input.
 */
export function creditCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) return null;
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_ALPHABET.charAt(check);
}

/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): NFKC, trimmed, inner spaces and hyphens
 * removed, upper-cased; 18 characters of the alphabet with a matching check character. Returns the code
 * upper-case (`91330100716105852F`).
 */
export function normalizeCreditCode(input: string): Validated<'CREDIT_CODE_INVALID'> {
  const value = normalizeInput(input).replace(/[\s-]/g, '').toUpperCase();
  const valid = value.length === 18 && creditCodeCheckChar(value.slice(0, 17)) === value.charAt(17);
  return valid ? { ok: true, value } : { ok: false, code: 'CREDIT_CODE_INVALID' };
}

/** Credit code → canonical upper-case form; issue message `CREDIT_CODE_INVALID`. */
export const zCreditCode = zValidated(normalizeCreditCode, 'CREDIT_CODE_INVALID');
