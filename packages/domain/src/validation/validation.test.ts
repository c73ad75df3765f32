import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.js';
import { formatMobile, normalizeMobile } from './mobile.js';
import {
  normalizeLogin,
  validateDepartmentCode,
  validateDepartmentName,
  validateDisplayName,
  validateLogin,
} from './names.js';
import { zDepartmentName, zDisplayName, zEmail, zLogin, zMobile } from './schemas.js';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('normalizeMobile', () => {
  it.each([
    '13812345678',
    '+8613812345678',
    '008613812345678',
    '8613812345678',
    '+86 138 1234 5678',
    '138-1234-5678',
    '(+86) 138 1234 5678',
    '１３８１２３４５６７８',
    ' +86－138－1234－5678 ',
  ])('accepts %s as +8613812345678', (input) => {
    expect(normalizeMobile(input)).toEqual({ ok: true, value: '+8613812345678' });
  });

  it.each([
    ['010-12345678', 'landline'],
    ['02112345678', 'landline with area code'],
    ['12812345678', 'second digit 2'],
    ['1381234567', 'too short'],
    ['138123456789', 'too long'],
    ['+4413812345678', 'foreign prefix'],
    ['+852 6123 4567', 'Hong Kong'],
    ['138.1234.5678', 'dots'],
    ['', 'empty'],
    ['abc', 'letters'],
  ])('rejects %s (%s)', (input) => {
    expect(normalizeMobile(input)).toEqual({ ok: false, code: 'MOBILE_INVALID' });
  });

  it('formats E.164 for display', () => {
    expect(formatMobile('+8613812345678')).toBe('138 1234 5678');
    expect(formatMobile('+4420123456')).toBe('+4420123456');
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases the domain only', () => {
    expect(normalizeEmail('  Zhang.San@Example.COM ')).toEqual({ ok: true, value: 'Zhang.San@example.com' });
    expect(normalizeEmail('zhang＠example.com')).toEqual({ ok: true, value: 'zhang@example.com' });
    expect(normalizeEmail('a+tag@mail.example.com.cn')).toEqual({
      ok: true,
      value: 'a+tag@mail.example.com.cn',
    });
  });

  it.each([
    'zhang',
    'zhang@',
    '@example.com',
    'zhang@example',
    'zhang@@example.com',
    'zhang san@example.com',
    '.zhang@example.com',
    'zh..ang@example.com',
    'zhang@-example.com',
    'zhang@example.123',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
  ])('rejects %s', (input) => {
    expect(normalizeEmail(input)).toEqual({ ok: false, code: 'EMAIL_INVALID' });
  });
});

describe('login names', () => {
  it('accepts 3–32 allowed characters and lower-cases them', () => {
    expect(validateLogin(' Zhang.San_01 ')).toEqual({ ok: true, value: 'zhang.san_01' });
    expect(validateLogin('abc')).toEqual({ ok: true, value: 'abc' });
    expect(validateLogin('9-a')).toEqual({ ok: true, value: '9-a' });
    expect(validateLogin('a'.repeat(32)).ok).toBe(true);
    expect(normalizeLogin('ＡＤＭＩＮ')).toBe('admin');
  });

  it.each(['ab', 'a'.repeat(33), '_admin', '.admin', 'zhang san', '张三', 'a@b'])('rejects %s', (input) => {
    expect(validateLogin(input)).toEqual({ ok: false, code: 'LOGIN_INVALID' });
  });
});

describe('display and department names', () => {
  it('normalises width and whitespace', () => {
    expect(validateDisplayName('  张三　丰 ')).toEqual({ ok: true, value: '张三 丰' });
    expect(validateDisplayName('ＡＢＣ')).toEqual({ ok: true, value: 'ABC' });
    expect(validateDepartmentName('华东\t销售部')).toEqual({ ok: true, value: '华东 销售部' });
  });

  it('counts characters, not bytes, up to 64', () => {
    expect(validateDisplayName('张'.repeat(64)).ok).toBe(true);
    expect(validateDisplayName('张'.repeat(65))).toEqual({ ok: false, code: 'TOO_LONG' });
  });

  it('rejects empty names and control characters', () => {
    expect(validateDisplayName('   ')).toEqual({ ok: false, code: 'REQUIRED' });
    expect(validateDepartmentName('')).toEqual({ ok: false, code: 'REQUIRED' });
    expect(validateDisplayName('a\u0000b')).toEqual({ ok: false, code: 'NAME_INVALID' });
  });

  it('validates department codes', () => {
    expect(validateDepartmentCode(' EAST-01 ')).toEqual({ ok: true, value: 'EAST-01' });
    expect(validateDepartmentCode('-x')).toEqual({ ok: false, code: 'CODE_INVALID' });
    expect(validateDepartmentCode('a'.repeat(33))).toEqual({ ok: false, code: 'CODE_INVALID' });
  });
});

describe('zod schemas', () => {
  it('output the normalised value', () => {
    expect(zMobile.parse('138 1234 5678')).toBe('+8613812345678');
    expect(zEmail.parse('A@B.CN')).toBe('A@b.cn');
    expect(zLogin.parse('Admin')).toBe('admin');
    expect(zDisplayName.parse(' 李四 ')).toBe('李四');
  });

  it('use stable error codes as issue messages', () => {
    expect(messages(zMobile.safeParse('010-12345678'))).toEqual(['MOBILE_INVALID']);
    expect(messages(zEmail.safeParse('nope'))).toEqual(['EMAIL_INVALID']);
    expect(messages(zLogin.safeParse('x'))).toEqual(['LOGIN_INVALID']);
    expect(messages(zDisplayName.safeParse('x'.repeat(65)))).toEqual(['TOO_LONG']);
    expect(messages(zDepartmentName.safeParse(' '))).toEqual(['REQUIRED']);
    expect(messages(zMobile.safeParse(13812345678))).toEqual(['MOBILE_INVALID']);
    expect(messages(zMobile.safeParse(undefined))).toEqual(['REQUIRED']);
  });

  it('compose with optional and nullable', () => {
    expect(zMobile.nullable().parse(null)).toBeNull();
    expect(zEmail.optional().parse(undefined)).toBeUndefined();
  });
});
