import { z } from 'zod';
import { DomainError } from '../errors.js';
import type { Validated } from '../validation/result.js';

/** numeric(18, 2): at most 16 digits before the decimal point. */
export const MONEY_MAX_INTEGER_DIGITS = 16;

export interface ParseMoneyOptions {
  /** Accept amounts below zero (gross margin, adjustments); otherwise they are `AMOUNT_NEGATIVE`. */
  readonly allowNegative?: boolean;
}

type MoneyResult = Validated<'AMOUNT_INVALID' | 'AMOUNT_NEGATIVE'>;

const INVALID = { ok: false, code: 'AMOUNT_INVALID' } as const;
const NEGATIVE = { ok: false, code: 'AMOUNT_NEGATIVE' } as const;

/**
 * `¥1,234.5`, `-5`, `1.2万`, `1.2万元`, `100元`. Group separators must be in groups of three (`1,5` is not
 * fifteen); the sign may stand before or after the currency sign.
 */
const MONEY_TEXT =
  /^(?<s1>[+-])?(?:¥|rmb|cny)?(?<s2>[+-])?(?<int>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?<frac>\d*))?(?<unit>万元|万|元)?$/;

/** Canonical 2-decimal string from a sign and decimal digits; `null` when the value does not fit. */
function canonical(negative: boolean, intDigits: string, fracDigits: string): string | null {
  const int = intDigits.replace(/^0+(?=\d)/, '') || '0';
  if (int.length > MONEY_MAX_INTEGER_DIGITS) return null;
  const frac = fracDigits.padEnd(2, '0');
  const isZero = /^0+$/.test(int + frac);
  return `${negative && !isZero ? '-' : ''}${int}.${frac}`;
}

/** Drops trailing zeros of a fraction: `1.500` has two significant decimals, not three. */
function trimFraction(frac: string): string {
  return frac.replace(/0+$/, '');
}

/** Plain decimal digits of a finite JS number (its shortest representation, exponent form expanded). */
function numberDigits(n: number): { negative: boolean; int: string; frac: string } {
  const text = String(Math.abs(n));
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
  if (!match) return { negative: n < 0, int: 'x', frac: '' };
  const mantissa = (match[1] ?? '') + (match[2] ?? '');
  const point = (match[1] ?? '').length + Number(match[3] ?? 0);
  const digits = point <= 0 ? '0'.repeat(1 - point) + mantissa : mantissa.padEnd(point, '0');
  const at = Math.max(point, 1);
  return { negative: n < 0, int: digits.slice(0, at), frac: digits.slice(at) };
}

/**
 * An amount in CNY → canonical 2-decimal string (`'1234.50'`, `'-5.00'`). Text accepts full-width digits,
 * `¥`, group separators, a `元` suffix and `万`/`万元` (× 10,000, exactly: `1.23456万` is `12345.60`);
 * more than two significant decimals are `AMOUNT_INVALID` (never rounded). A JS number (a numeric Excel
 * cell) is read from its shortest decimal form; float noise such as `0.1 + 0.2` is rounded half-up to
 * cents only when the number is within 1e-9 of the 2-decimal value. Negative amounts are
 * `AMOUNT_NEGATIVE` unless `allowNegative`; NaN, Infinity and more than 16 integer digits are invalid.
 */
export function parseMoney(input: string | number, opts: ParseMoneyOptions = {}): MoneyResult {
  let negative: boolean;
  let int: string;
  let frac: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return INVALID;
    ({ negative, int, frac } = numberDigits(input));
    if (!/^\d+$/.test(int)) return INVALID;
    frac = trimFraction(frac);
    if (frac.length > 2) {
      // Float noise: round half-up to cents, accepted only within 1e-9 of the exact value.
      const scale = 10n ** BigInt(frac.length);
      const exact = BigInt(int) * scale + BigInt(frac);
      const unit = 10n ** BigInt(frac.length - 2);
      const cents = (exact + unit / 2n) / unit;
      const diff = exact - cents * unit;
      const absDiff = diff < 0n ? -diff : diff;
      // |diff| / 10^len < 1e-9  ⇔  |diff| · 10^9 < 10^len
      if (absDiff * 10n ** 9n >= scale) return INVALID;
      const text = cents.toString().padStart(3, '0');
      int = text.slice(0, -2);
      frac = text.slice(-2);
    }
  } else {
    const text = input.normalize('NFKC').replace(/\s+/g, '').toLowerCase().replace(/[−－]/g, '-');
    const match = MONEY_TEXT.exec(text);
    const groups = match?.groups;
    if (!groups) return INVALID;
    if (groups.s1 !== undefined && groups.s2 !== undefined) return INVALID;
    int = (groups.int ?? '').replace(/,/g, '');
    frac = groups.frac ?? '';
    if (int === '' && frac === '') return INVALID;
    if (int === '' && groups.frac === undefined) return INVALID;
    negative = (groups.s1 ?? groups.s2) === '-';
    if (groups.unit === '万' || groups.unit === '万元') {
      const digits = (int || '0') + frac.padEnd(4, '0');
      const point = (int || '0').length + 4;
      int = digits.slice(0, point);
      frac = digits.slice(point);
    }
    frac = trimFraction(frac);
    if (frac.length > 2) return INVALID;
  }
  const value = canonical(negative, int, frac);
  if (value === null) return INVALID;
  if (value.startsWith('-') && !opts.allowNegative) return NEGATIVE;
  return { ok: true, value };
}

const CANONICAL = /^(-)?(\d{1,16})(?:\.(\d{1,2}))?$/;

/** `'1234.50'` → `123450n` (integer fen). Throws `DomainError('AMOUNT_INVALID')` for anything else. */
export function moneyToFen(s: string): bigint {
  const match = CANONICAL.exec(s);
  if (!match) throw new DomainError('AMOUNT_INVALID');
  const fen = BigInt(match[2] ?? '0') * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -fen : fen;
}

/** `123450n` → `'1234.50'`. */
export function fenToMoney(f: bigint): string {
  const abs = f < 0n ? -f : f;
  return `${f < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+$)/g, ',');
}

/** `'1234567.89'` → `'¥1,234,567.89'`; `'-5'` → `'-¥5.00'`. */
export function formatCny(s: string): string {
  const fen = moneyToFen(s);
  const text = fenToMoney(fen < 0n ? -fen : fen);
  const [int = '0', frac = '00'] = text.split('.');
  return `${fen < 0n ? '-' : ''}¥${groupThousands(int)}.${frac}`;
}

/** Amount in units of 万 (10,000) with two decimals, half-up (away from zero): `'1234567.89'` → `'123.46万'`. */
export function formatWan(s: string): string {
  const fen = moneyToFen(s);
  const abs = fen < 0n ? -fen : fen;
  // 1 万 = 1,000,000 fen; two decimals of 万 = units of 10,000 fen.
  const hundredths = (abs + 5_000n) / 10_000n;
  const int = (hundredths / 100n).toString();
  const frac = (hundredths % 100n).toString().padStart(2, '0');
  return `${fen < 0n && hundredths !== 0n ? '-' : ''}${groupThousands(int)}.${frac}万`;
}

function zMoneyOf(allowNegative: boolean) {
  return z
    .union([z.string(), z.number()], {
      error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'AMOUNT_INVALID'),
    })
    .transform((input, ctx) => {
      const result = parseMoney(input, { allowNegative });
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.code, input });
      return z.NEVER;
    });
}

/** A non-negative amount as a JSON string or number → canonical string; `AMOUNT_INVALID`, `AMOUNT_NEGATIVE`. */
export const zMoney = zMoneyOf(false);
/** An amount that may be negative (gross margin) → canonical string; `AMOUNT_INVALID`. */
export const zSignedMoney = zMoneyOf(true);
