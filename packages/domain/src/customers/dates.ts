import { normalizeInput, type Validated, zValidated } from '../validation/result.js';

const DAY_MS = 86_400_000;
/** Asia/Shanghai has been UTC+8 without daylight saving since 1992 (and for every date this product stores). */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const EXCEL_MAX_SERIAL = 2_958_465; // 9999-12-31
const INVALID = { ok: false, code: 'DATE_INVALID' } as const;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isValidYmd(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function ymd(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** UTC calendar date of an instant (or of a wall-clock time stored in UTC fields). */
function utcDate(ms: number): string {
  const date = new Date(ms);
  return ymd(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/**
 * Excel serial day → milliseconds of that wall-clock date/time expressed in UTC fields. Serial 1 is
 * 1900-01-01; Excel counts the non-existent 1900-02-29 as serial 60 (the Lotus leap-year bug), so serials
 * from 61 on are one day later than a plain count and 60 itself is no date. `null` outside 1..9999-12-31.
 */
function excelSerialToWallMs(serial: number): number | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= EXCEL_MAX_SERIAL + 1) return null;
  const day = Math.floor(serial);
  if (day === 60) return null;
  const base = day < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const seconds = Math.round((serial - day) * 86_400);
  return base + day * DAY_MS + seconds * 1000;
}

/** Year, month, day of the date part; the separator of `2026-01-05`, `2026/1/5`, `2026.1.5`, `2026年1月5日`. */
const DATE_PART = String.raw`(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日?|(\d{2})(\d{2}))`;
const DATE_ONLY = new RegExp(`^${DATE_PART}$`);
const DATE_TIME = new RegExp(
  `^${DATE_PART}(?:(?:\\s*|T)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)?$`,
  'i',
);

function dateGroups(m: RegExpExecArray): [number, number, number] {
  const y = Number(m[1]);
  const mo = Number(m[3] ?? m[5] ?? m[7]);
  const d = Number(m[4] ?? m[6] ?? m[8]);
  return [y, mo, d];
}

/**
 * A calendar date → `'YYYY-MM-DD'`. Accepts `2026-01-05`, `2026/1/5`, `2026.1.5`, `2026年1月5日`,
 * `20260105`, a date with a time (`2026/1/5 14:30`; with an offset it is the Asia/Shanghai date), Excel
 * serial numbers 1..2958465 (the 1900 leap-year bug handled; a time fraction is ignored) and a JS `Date`
 * taken as its UTC calendar date (exceljs delivers cell dates with the shown wall-clock time in UTC).
 * Impossible dates (`2026-02-30`) and years outside 1000–9999 are `DATE_INVALID`.
 */
export function parseDate(input: string | number | Date): Validated<'DATE_INVALID'> {
  if (input instanceof Date) {
    const ms = input.getTime();
    if (Number.isNaN(ms)) return INVALID;
    const value = utcDate(ms);
    return /^\d{4}-/.test(value) && Number(value.slice(0, 4)) >= 1000 ? { ok: true, value } : INVALID;
  }
  if (typeof input === 'number') {
    const ms = excelSerialToWallMs(Math.floor(input));
    return ms === null ? INVALID : { ok: true, value: utcDate(ms) };
  }
  const text = normalizeInput(input);
  const match = DATE_ONLY.exec(text);
  if (match) {
    const [y, m, d] = dateGroups(match);
    return isValidYmd(y, m, d) ? { ok: true, value: ymd(y, m, d) } : INVALID;
  }
  const dateTime = parseDateTime(text);
  if (!dateTime.ok) return INVALID;
  return { ok: true, value: utcDate(Date.parse(dateTime.value) + SHANGHAI_OFFSET_MS) };
}

/**
 * A point in time → ISO 8601 in UTC (`'2026-01-05T06:30:00.000Z'`, what `Date#toISOString` gives).
 * Accepts everything `parseDate` accepts for the date, followed by an optional time `H:MM[:SS[.fff]]` and
 * an optional offset (`Z`, `+08:00`, `+0800`, `+08`). Without an offset — and for a bare date, which is
 * midnight — the time is Asia/Shanghai local time (UTC+8). Excel serial numbers with a fraction and JS
 * `Date`s (as exceljs delivers them: the wall-clock time in the UTC fields) are Shanghai local too.
 */
export function parseDateTime(input: string | number | Date): Validated<'DATE_INVALID'> {
  let wallMs: number;
  if (input instanceof Date) {
    wallMs = input.getTime();
    if (Number.isNaN(wallMs)) return INVALID;
  } else if (typeof input === 'number') {
    const ms = excelSerialToWallMs(input);
    if (ms === null) return INVALID;
    wallMs = ms;
  } else {
    const match = DATE_TIME.exec(normalizeInput(input));
    if (!match) return INVALID;
    const [y, mo, d] = dateGroups(match);
    const hour = Number(match[9] ?? 0);
    const minute = Number(match[10] ?? 0);
    const second = Number(match[11] ?? 0);
    const millis = Math.floor(Number(`0.${match[12] ?? '0'}`) * 1000);
    if (!isValidYmd(y, mo, d) || hour > 23 || minute > 59 || second > 59) return INVALID;
    const fields = Date.UTC(y, mo - 1, d, hour, minute, second, millis);
    const offset = match[13];
    if (offset !== undefined) {
      const instant = fields - offsetMs(offset);
      return Number.isNaN(instant) ? INVALID : { ok: true, value: new Date(instant).toISOString() };
    }
    wallMs = fields;
  }
  const instant = wallMs - SHANGHAI_OFFSET_MS;
  const year = new Date(wallMs).getUTCFullYear();
  if (year < 1000 || year > 9999) return INVALID;
  return { ok: true, value: new Date(instant).toISOString() };
}

function offsetMs(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  if (!m) return Number.NaN;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59) return Number.NaN;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/** Today's calendar date in Asia/Shanghai, `'YYYY-MM-DD'` (for "overdue" and default dates). */
export function todayInShanghai(now: Date): string {
  return utcDate(now.getTime() + SHANGHAI_OFFSET_MS);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** A `'YYYY-MM-DD'` string naming a real date; issue message `DATE_INVALID`. */
export const zDate = zValidated(
  (input: string): Validated<'DATE_INVALID'> => (ISO_DATE.test(input.trim()) ? parseDate(input) : INVALID),
  'DATE_INVALID',
);

/** An ISO 8601 date-time with `Z` or an offset → normalised UTC ISO string; issue message `DATE_INVALID`. */
export const zDateTime = zValidated(
  (input: string): Validated<'DATE_INVALID'> =>
    ISO_DATE_TIME.test(input.trim()) ? parseDateTime(input) : INVALID,
  'DATE_INVALID',
);
