/**
 * Money arrives as decimal strings ("1234567.89", CNY). Everything here works on integer fen
 * (bigint) parsed from the string: no floating point between the server and the screen.
 */

/** "1234.5" → 123450n fen; null for anything that is not a plain decimal. */
export function parseFen(value: string | null | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  const m = /^\s*(-)?(\d+)(?:\.(\d{0,2})\d*)?\s*$/.exec(value);
  if (!m) return null;
  const fen = BigInt(m[2] ?? '0') * 100n + BigInt((m[3] ?? '').padEnd(2, '0') || '0');
  return m[1] ? -fen : fen;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Integer fen → "1234567.89" (the API's decimal form). */
export function fenToDecimal(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${yuan}.${cents}`;
}

/** Tables: `¥1,234,567.89` (Chinese convention, full amount). `—` when missing. */
export function formatMoney(value: string | null | undefined): string {
  const fen = parseFen(value);
  if (fen === null) return value ? value : '—';
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}¥${groupThousands((abs / 100n).toString())}.${cents}`;
}

/** Rounds fen to a multiple of `unit` fen, half away from zero. */
function roundTo(fen: bigint, unit: bigint): bigint {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const q = (abs + unit / 2n) / unit;
  return negative ? -q : q;
}

/**
 * Reports and key figures: large amounts in 万元 with two decimals (`¥123.46万` / `¥1.23M` in
 * English); amounts below ¥10,000 in full.
 */
export function formatMoneyShort(value: string | null | undefined, locale: 'zh-CN' | 'en'): string {
  const fen = parseFen(value);
  if (fen === null) return '—';
  const abs = fen < 0n ? -fen : fen;
  const sign = fen < 0n ? '-' : '';
  if (abs < 1_000_000n) return formatMoney(fenToDecimal(fen));
  if (locale === 'en') {
    if (abs >= 100_000_000n) {
      const m = roundTo(abs, 1_000_000n); // hundredths of a million yuan
      return `${sign}¥${groupThousands((m / 100n).toString())}.${(m % 100n).toString().padStart(2, '0')}M`;
    }
    const k = roundTo(abs, 1_000n); // tenths of a thousand yuan
    return `${sign}¥${groupThousands((k / 10n).toString())}.${(k % 10n).toString()}k`;
  }
  const wan = roundTo(abs, 10_000n); // hundredths of 万 (= ¥100)
  return `${sign}¥${groupThousands((wan / 100n).toString())}.${(wan % 100n).toString().padStart(2, '0')}万`;
}

/** A 万元 amount typed by the user ("12.5") → the API's yuan decimal ("125000.00"); null if invalid. */
export function wanToYuan(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const m = /^\s*(-)?(\d+)(?:\.(\d{0,6})\d*)?\s*$/.exec(value);
  if (!m) return null;
  // 1 万 = 1,000,000 fen; six decimals of 万 are exact fen.
  const fen = BigInt(m[2] ?? '0') * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0') || '0');
  return fenToDecimal(m[1] ? -fen : fen);
}

/** The inverse of `wanToYuan` for showing a stored filter ("125000.00" → "12.5"). */
export function yuanToWan(value: string | null | undefined): string | null {
  const fen = parseFen(value);
  if (fen === null) return null;
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / 1_000_000n}${frac ? `.${frac}` : ''}`;
}
