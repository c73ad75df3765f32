import { describe, expect, it } from 'vitest';
import { parseDate, parseDateTime, todayInShanghai, zDate, zDateTime } from './dates.js';

describe('parseDate', () => {
  it.each([
    ['2026-01-05', '2026-01-05'],
    ['2026/1/5', '2026-01-05'],
    ['2026.1.5', '2026-01-05'],
    ['2026年1月5日', '2026-01-05'],
    ['2026年01月05', '2026-01-05'],
    ['20260105', '2026-01-05'],
    [' ２０２６－０１－０５ ', '2026-01-05'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['2026/1/5 14:30', '2026-01-05'],
    ['2026-01-05T20:00:00Z', '2026-01-06'],
    ['2026-01-05T23:59:00+08:00', '2026-01-05'],
  ])('%j → %s', (input, value) => {
    expect(parseDate(input)).toEqual({ ok: true, value });
  });

  it.each([
    '2026-02-30',
    '2026-02-29',
    '1900-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-01-32',
    '2026-1-5-',
    '2026/01-05',
    '26-01-05',
    '0999-01-01',
    '2026010',
    '',
    'yesterday',
    '2026-01-05 25:00',
  ])('rejects %j', (input) => {
    expect(parseDate(input)).toEqual({ ok: false, code: 'DATE_INVALID' });
  });

  it('reads Excel serial numbers with the 1900 leap-year bug', () => {
    expect(parseDate(1)).toEqual({ ok: true, value: '1900-01-01' });
    expect(parseDate(59)).toEqual({ ok: true, value: '1900-02-28' });
    expect(parseDate(60)).toEqual({ ok: false, code: 'DATE_INVALID' });
    expect(parseDate(61)).toEqual({ ok: true, value: '1900-03-01' });
    expect(parseDate(45000)).toEqual({ ok: true, value: '2023-03-15' });
    expect(parseDate(46027)).toEqual({ ok: true, value: '2026-01-05' });
    expect(parseDate(46027.75)).toEqual({ ok: true, value: '2026-01-05' });
    expect(parseDate(2958465)).toEqual({ ok: true, value: '9999-12-31' });
    expect(parseDate(2958466)).toEqual({ ok: false, code: 'DATE_INVALID' });
    expect(parseDate(0)).toEqual({ ok: false, code: 'DATE_INVALID' });
    expect(parseDate(-5)).toEqual({ ok: false, code: 'DATE_INVALID' });
    expect(parseDate(Number.NaN)).toEqual({ ok: false, code: 'DATE_INVALID' });
  });

  it('takes a JS Date as its UTC calendar date (exceljs)', () => {
    expect(parseDate(new Date(Date.UTC(2026, 0, 5)))).toEqual({ ok: true, value: '2026-01-05' });
    expect(parseDate(new Date(Date.UTC(2026, 0, 5, 23, 59)))).toEqual({ ok: true, value: '2026-01-05' });
    expect(parseDate(new Date(Number.NaN))).toEqual({ ok: false, code: 'DATE_INVALID' });
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2026-01-05 14:30', '2026-01-05T06:30:00.000Z'],
    ['2026/1/5 14:30:00', '2026-01-05T06:30:00.000Z'],
    ['2026/1/5 8:05', '2026-01-05T00:05:00.000Z'],
    ['2026年1月5日 14:30', '2026-01-05T06:30:00.000Z'],
    ['2026-01-05T14:30:15.250', '2026-01-05T06:30:15.250Z'],
    ['2026-01-05', '2026-01-04T16:00:00.000Z'],
    ['2026-01-05T06:30:00Z', '2026-01-05T06:30:00.000Z'],
    ['2026-01-05T06:30:00z', '2026-01-05T06:30:00.000Z'],
    ['2026-01-05T14:30:00+08:00', '2026-01-05T06:30:00.000Z'],
    ['2026-01-05T01:30:00-05:00', '2026-01-05T06:30:00.000Z'],
    ['2026-01-05 14:30+0800', '2026-01-05T06:30:00.000Z'],
    ['2026-01-05 14:30 +08', '2026-01-05T06:30:00.000Z'],
  ])('%j → %s', (input, value) => {
    expect(parseDateTime(input)).toEqual({ ok: true, value });
  });

  it.each([
    '2026-01-05 24:00',
    '2026-01-05 12:60',
    '2026-01-05 12:30:60',
    '2026-02-30 10:00',
    '2026-01-05T10:00:00+15:00',
    '2026-01-05 10',
    'now',
    '',
  ])('rejects %j', (input) => {
    expect(parseDateTime(input)).toEqual({ ok: false, code: 'DATE_INVALID' });
  });

  it('reads Excel serials with fractions as Shanghai local time', () => {
    expect(parseDateTime(46027.5)).toEqual({ ok: true, value: '2026-01-05T04:00:00.000Z' });
    // 14:30 as Excel stores it (float noise rounds to the second)
    expect(parseDateTime(46027 + 14.5 / 24)).toEqual({ ok: true, value: '2026-01-05T06:30:00.000Z' });
    expect(parseDateTime(46027)).toEqual({ ok: true, value: '2026-01-04T16:00:00.000Z' });
    expect(parseDateTime(60.5)).toEqual({ ok: false, code: 'DATE_INVALID' });
    expect(parseDateTime(0.5)).toEqual({ ok: false, code: 'DATE_INVALID' });
  });

  it('reads an exceljs Date (wall clock in UTC fields) as Shanghai local time', () => {
    expect(parseDateTime(new Date(Date.UTC(2026, 0, 5, 14, 30)))).toEqual({
      ok: true,
      value: '2026-01-05T06:30:00.000Z',
    });
  });
});

describe('todayInShanghai', () => {
  it('switches the day at 16:00 UTC', () => {
    expect(todayInShanghai(new Date('2026-01-05T15:59:59Z'))).toBe('2026-01-05');
    expect(todayInShanghai(new Date('2026-01-05T16:00:00Z'))).toBe('2026-01-06');
    expect(todayInShanghai(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
  });
});

describe('zDate / zDateTime', () => {
  it('accept the API formats only', () => {
    expect(zDate.parse('2026-01-05')).toBe('2026-01-05');
    expect(zDate.safeParse('2026/1/5').error?.issues[0]?.message).toBe('DATE_INVALID');
    expect(zDate.safeParse('2026-02-30').error?.issues[0]?.message).toBe('DATE_INVALID');
    expect(zDate.safeParse(undefined).error?.issues[0]?.message).toBe('REQUIRED');
    expect(zDateTime.parse('2026-01-05T14:30:00+08:00')).toBe('2026-01-05T06:30:00.000Z');
    expect(zDateTime.parse('2026-01-05T06:30:00.123Z')).toBe('2026-01-05T06:30:00.123Z');
    expect(zDateTime.safeParse('2026-01-05T14:30:00').error?.issues[0]?.message).toBe('DATE_INVALID');
    expect(zDateTime.safeParse('2026-01-05 14:30+08:00').error?.issues[0]?.message).toBe('DATE_INVALID');
  });
});
