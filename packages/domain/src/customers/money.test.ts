import { describe, expect, it } from 'vitest';
import { fenToMoney, formatCny, formatWan, moneyToFen, parseMoney, zMoney, zSignedMoney } from './money.js';

describe('parseMoney (text)', () => {
  it.each([
    ['1234.5', '1234.50'],
    ['¥1,234.5', '1234.50'],
    ['￥1,234,567.89', '1234567.89'],
    ['１２３４', '1234.00'],
    ['１，２３４．５６', '1234.56'],
    [' 100 元 ', '100.00'],
    ['1.2万', '12000.00'],
    ['1.2万元', '12000.00'],
    ['1.23456万', '12345.60'],
    ['.5万', '5000.00'],
    ['0.5', '0.50'],
    ['.5', '0.50'],
    ['5.', '5.00'],
    ['007', '7.00'],
    ['1.500', '1.50'],
    ['0', '0.00'],
    ['-0', '0.00'],
    ['+12', '12.00'],
    ['RMB 12', '12.00'],
    ['9999999999999999.99', '9999999999999999.99'],
  ])('%j → %s', (input, value) => {
    expect(parseMoney(input)).toEqual({ ok: true, value });
  });

  it('accepts negatives only with allowNegative', () => {
    expect(parseMoney('-5')).toEqual({ ok: false, code: 'AMOUNT_NEGATIVE' });
    expect(parseMoney('-5', { allowNegative: true })).toEqual({ ok: true, value: '-5.00' });
    expect(parseMoney('-¥1,234.5', { allowNegative: true })).toEqual({ ok: true, value: '-1234.50' });
    expect(parseMoney('¥-3', { allowNegative: true })).toEqual({ ok: true, value: '-3.00' });
    expect(parseMoney('－0.5万', { allowNegative: true })).toEqual({ ok: true, value: '-5000.00' });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'letters'],
    ['1.234', 'three decimals'],
    ['1.2345678万', 'three decimals after × 万'],
    ['1,5', 'bad grouping'],
    ['12,34,567', 'bad grouping'],
    ['1.2.3', 'two points'],
    ['10000000000000000', '17 integer digits'],
    ['1000000000000万', '17 integer digits after × 万'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['1e5', 'exponent text'],
    ['--5', 'double sign'],
    ['-¥-5', 'double sign'],
    ['.', 'point only'],
    ['¥', 'currency only'],
    ['5万万', 'double unit'],
  ])('rejects %j (%s)', (input) => {
    expect(parseMoney(input, { allowNegative: true })).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
  });
});

describe('parseMoney (numbers from Excel)', () => {
  it.each([
    [1234.5, '1234.50'],
    [0, '0.00'],
    [-0, '0.00'],
    [0.1 + 0.2, '0.30'],
    [1.1 * 3, '3.30'],
    [19.99 * 3, '59.97'],
    [1e15, '1000000000000000.00'],
    [1.5e-10, '0.00'],
  ])('%d → %s', (input, value) => {
    expect(parseMoney(input)).toEqual({ ok: true, value });
  });

  it('rejects real extra decimals, non-finite and too-large numbers', () => {
    expect(parseMoney(1.234)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
    expect(parseMoney(1.005)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
    expect(parseMoney(0.001)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
    expect(parseMoney(Number.NaN)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
    expect(parseMoney(Number.POSITIVE_INFINITY)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
    expect(parseMoney(1e17)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
    expect(parseMoney(1e21)).toEqual({ ok: false, code: 'AMOUNT_INVALID' });
  });

  it('handles negative numbers by the option', () => {
    expect(parseMoney(-12.5)).toEqual({ ok: false, code: 'AMOUNT_NEGATIVE' });
    expect(parseMoney(-12.5, { allowNegative: true })).toEqual({ ok: true, value: '-12.50' });
    expect(parseMoney(-(0.1 + 0.2), { allowNegative: true })).toEqual({ ok: true, value: '-0.30' });
  });
});

describe('fen conversion and formatting', () => {
  it('converts to and from integer fen exactly', () => {
    expect(moneyToFen('1234.50')).toBe(123450n);
    expect(moneyToFen('-5.00')).toBe(-500n);
    expect(moneyToFen('7')).toBe(700n);
    expect(moneyToFen('0.5')).toBe(50n);
    expect(moneyToFen('9999999999999999.99')).toBe(999999999999999999n);
    expect(fenToMoney(123450n)).toBe('1234.50');
    expect(fenToMoney(-5n)).toBe('-0.05');
    expect(fenToMoney(0n)).toBe('0.00');
    expect(fenToMoney(moneyToFen('0.10') + moneyToFen('0.20'))).toBe('0.30');
    expect(() => moneyToFen('1.234')).toThrow('Invalid amount');
    expect(() => moneyToFen('¥5')).toThrow();
  });

  it('formats CNY', () => {
    expect(formatCny('1234567.89')).toBe('¥1,234,567.89');
    expect(formatCny('-5')).toBe('-¥5.00');
    expect(formatCny('0.00')).toBe('¥0.00');
    expect(formatCny('999.9')).toBe('¥999.90');
  });

  it('formats 万 with two decimals, half-up', () => {
    expect(formatWan('1234567.89')).toBe('123.46万');
    expect(formatWan('1234500.00')).toBe('123.45万');
    expect(formatWan('1234550.00')).toBe('123.46万');
    expect(formatWan('1234549.99')).toBe('123.45万');
    expect(formatWan('-1234550.00')).toBe('-123.46万');
    expect(formatWan('49.99')).toBe('0.00万');
    expect(formatWan('-49.99')).toBe('0.00万');
    expect(formatWan('123456789012.00')).toBe('12,345,678.90万');
  });
});

describe('zMoney / zSignedMoney', () => {
  it('accepts JSON strings and numbers and outputs canonical strings', () => {
    expect(zMoney.parse('1234.5')).toBe('1234.50');
    expect(zMoney.parse(12)).toBe('12.00');
    expect(zSignedMoney.parse('-3.2')).toBe('-3.20');
  });

  it('reports stable codes', () => {
    const codes = (r: { error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message);
    expect(codes(zMoney.safeParse('-1'))).toEqual(['AMOUNT_NEGATIVE']);
    expect(codes(zMoney.safeParse('1.234'))).toEqual(['AMOUNT_INVALID']);
    expect(codes(zMoney.safeParse(true))).toEqual(['AMOUNT_INVALID']);
    expect(codes(zMoney.safeParse(undefined))).toEqual(['REQUIRED']);
    expect(codes(zSignedMoney.safeParse('x'))).toEqual(['AMOUNT_INVALID']);
  });
});
