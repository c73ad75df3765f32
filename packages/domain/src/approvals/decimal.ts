/**
 * Exact decimal comparison for approval conditions: amounts (`"25000.00"`) and percentages (`"25"`)
 * are compared as scaled BigInts, never as floats, so `25.00 > 25` is false and `0.1 + 0.2` never
 * enters the picture.
 */

/** A canonical decimal: optional minus, no leading zeros (except a lone `0`), optional fraction. */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d{0,29})(\.\d{1,20})?$/;

interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

function scaled(text: string): Scaled | null {
  if (!DECIMAL_PATTERN.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const units = BigInt(whole + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

/**
 * The canonical decimal text of a value, or `null` when it is not a decimal: strings must match
 * `DECIMAL_PATTERN` (so codes with leading zeros like `"0012"` stay strings); numbers must be finite
 * and print without an exponent.
 */
export function asDecimal(value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const text = String(value);
    return DECIMAL_PATTERN.test(text) ? text : null;
  }
  if (typeof value === 'string') return DECIMAL_PATTERN.test(value) ? value : null;
  return null;
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`; `null` when either is not a decimal. */
export function compareDecimals(a: unknown, b: unknown): -1 | 0 | 1 | null {
  const ta = asDecimal(a);
  const tb = asDecimal(b);
  const x = ta === null ? null : scaled(ta);
  const y = tb === null ? null : scaled(tb);
  if (x === null || y === null) return null;
  const scale = Math.max(x.scale, y.scale);
  const left = x.units * 10n ** BigInt(scale - x.scale);
  const right = y.units * 10n ** BigInt(scale - y.scale);
  return left < right ? -1 : left > right ? 1 : 0;
}
