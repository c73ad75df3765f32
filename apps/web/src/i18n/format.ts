import type { Locale } from '../api/types';

const zhParts = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const enFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const enDateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function zhPieces(date: Date): Record<string, string> {
  const pieces: Record<string, string> = {};
  for (const part of zhParts.formatToParts(date)) pieces[part.type] = part.value;
  return pieces;
}

/** zh: `YYYY-MM-DD HH:mm` in Asia/Shanghai; en: the browser's locale format in local time. */
export function formatDateTime(value: string | number | Date | null | undefined, locale: Locale): string {
  const date = toDate(value);
  if (!date) return '—';
  if (locale === 'en') return enFormat.format(date);
  const p = zhPieces(date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export function formatDate(value: string | number | Date | null | undefined, locale: Locale): string {
  const date = toDate(value);
  if (!date) return '—';
  if (locale === 'en') return enDateFormat.format(date);
  const p = zhPieces(date);
  return `${p.year}-${p.month}-${p.day}`;
}
