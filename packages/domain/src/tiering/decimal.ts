/**
 * Exact decimal arithmetic for tiering (scaled BigInt). A `Dec` is `units / 10^scale`; money
 * (`"12345678.90"`), weights (`"33.33"`), thresholds and scores never pass through binary floats.
 *
 * Rounding rule used everywhere in tiering: **half-up, i.e. half away from zero**, to the stated number
 * of decimals (`12.345 → 12.35`, `-12.345 → -12.35`). Scores are kept with 2 decimals.
 */

export interface Dec {
  readonly units: bigint;
  readonly scale: number;
}

/** Plain decimal text: optional minus, digits, optional fraction (no exponent, no grouping). */
const DECIMAL_TEXT = /^(-)?(\d{1,40})(?:\.(\d{1,30}))?$/;

export const ZERO: Dec = { units: 0n, scale: 0 };
export const HUNDRED: Dec = { units: 100n, scale: 0 };

/**
 * A decimal from a string (`"1234.50"`, `"-5"`, `"0.125"`) or a finite JS number (read from its shortest
 * decimal representation, exponent form expanded: `0.1` is exactly one tenth, `1e21` is 10^21).
 * Anything else (NaN, Infinity, `"1e3"`, `"1,000"`, booleans) → `null`.
 */
export function toDec(value: unknown): Dec | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = expandExponent(String(value));
  } else if (typeof value === 'string') {
    text = value.trim();
  } else if (typeof value === 'bigint') {
    return { units: value, scale: 0 };
  } else return null;
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return null;
  const frac = m[3] ?? '';
  const units = BigInt((m[2] ?? '0') + frac);
  return { units: m[1] && units !== 0n ? -units : units, scale: frac.length };
}

/** `toDec` that throws a `RangeError` for invalid input (schemas validate before this is reached). */
export function dec(value: unknown): Dec {
  const d = toDec(value);
  if (d === null) throw new RangeError(`not a decimal: ${String(value)}`);
  return d;
}

function expandExponent(text: string): string {
  const m = /^(-)?(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = (m[2] ?? '').length + Number(m[4]);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits.padEnd(point, '0');
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (m[1] ?? '') + out;
}

const POW10: bigint[] = [];
export function pow10(n: number): bigint {
  let p = POW10[n];
  if (p === undefined) {
    p = 10n ** BigInt(n);
    POW10[n] = p;
  }
  return p;
}

/** `a` rescaled to `scale` (≥ `a.scale`). */
function rescale(a: Dec, scale: number): bigint {
  return a.units * pow10(scale - a.scale);
}

export function add(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function sub(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) - rescale(b, scale), scale };
}

export function mul(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** -1, 0 or 1. */
export function cmp(a: Dec, b: Dec): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(a: Dec): boolean {
  return a.units === 0n;
}

/** Integer division of non-negative or signed bigints, rounded half away from zero. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  const negative = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  const q = (2n * n + d) / (2n * d);
  return negative ? -q : q;
}

/** `a / b` rounded half-up to `scale` decimals, as a `Dec`. */
export function div(a: Dec, b: Dec, scale: number): Dec {
  // a/b = (a.u / 10^as) / (b.u / 10^bs); result units at `scale` = a.u · 10^(scale + bs) / (b.u · 10^as)
  const num = a.units * pow10(scale + b.scale);
  const den = b.units * pow10(a.scale);
  return { units: divRoundHalfUp(num, den), scale };
}

/** `a` rounded half-up to `scale` decimals (never adds precision it does not have: scale may grow). */
export function round(a: Dec, scale: number): Dec {
  if (a.scale <= scale) return { units: rescale(a, scale), scale };
  return { units: divRoundHalfUp(a.units, pow10(a.scale - scale)), scale };
}

/** Canonical text with exactly `a.scale` decimals: `{ units: 12345n, scale: 2 }` → `"123.45"`. */
export function formatDec(a: Dec): string {
  const negative = a.units < 0n;
  const digits = (negative ? -a.units : a.units).toString().padStart(a.scale + 1, '0');
  const int = digits.slice(0, digits.length - a.scale);
  const frac = digits.slice(digits.length - a.scale);
  return `${negative ? '-' : ''}${int}${a.scale > 0 ? `.${frac}` : ''}`;
}

/** Text with trailing fraction zeros removed: `"29.163700"` → `"29.1637"`, `"80.00"` → `"80"`. */
export function formatDecTrimmed(a: Dec): string {
  const text = formatDec(a);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Nearest double (for the float-only parts: logarithms, likelihoods, charts). */
export function decToNumber(a: Dec): number {
  return Number(formatDec(a));
}

/** Round a double half-up to `scale` decimals through its shortest decimal text (so 1.005 → 1.01). */
export function roundNumber(value: number, scale: number): Dec {
  return round(dec(value), scale);
}
