import { describe, expect, it } from 'vitest';
import {
  normalizePhone,
  normalizeTags,
  normalizeWebsite,
  validateTags,
  zPhone,
  zTags,
  zWebsite,
} from './contact-fields.js';

describe('normalizePhone', () => {
  it.each([
    ['0571-88886666', '0571-88886666'],
    ['057188886666', '0571-88886666'],
    ['(0571) 8888 6666', '0571-88886666'],
    ['0571-8888-6666', '0571-88886666'],
    ['０５７１－８８８８６６６６', '0571-88886666'],
    ['010-12345678', '010-12345678'],
    ['02112345678', '021-12345678'],
    ['0755-8765432', '0755-8765432'],
    ['0571-88886666-123', '0571-88886666-123'],
    ['0571-88886666转123', '0571-88886666-123'],
    ['0571 88886666 转 123', '0571-88886666-123'],
    ['0571-88886666 ext. 8', '0571-88886666-8'],
    ['0571-88886666 x8', '0571-88886666-8'],
    ['057188886666-123', '0571-88886666-123'],
    ['+86 571 8888 6666', '0571-88886666'],
    ['+86-10-12345678', '010-12345678'],
    ['4001234567', '400-123-4567'],
    ['400-123-4567', '400-123-4567'],
    ['800 123 4567', '800-123-4567'],
    ['400-123-4567转8', '400-123-4567-8'],
    ['13812345678', '+8613812345678'],
    ['+86 138 1234 5678', '+8613812345678'],
  ])('%j → %s', (input, value) => {
    expect(normalizePhone(input)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty'],
    ['88886666', 'no area code'],
    ['0571-888866', 'subscriber too short'],
    ['0571-888866667', 'subscriber too long (and no separator for an extension)'],
    ['0571-08886666', 'subscriber starting with 0'],
    ['12345', 'too short'],
    ['4001234', 'short hotline'],
    ['+1 415 555 0100', 'foreign'],
    ['+86 0571 88886666', '+86 with the trunk 0'],
    ['0571.8888.6666', 'dots'],
    ['电话0571-88886666', 'text'],
    ['0571-88886666-1234567', 'extension too long'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizePhone(input)).toEqual({ ok: false, code: 'PHONE_INVALID' });
  });

  it('zPhone reports PHONE_INVALID', () => {
    expect(zPhone.parse('0571 88886666')).toBe('0571-88886666');
    expect(zPhone.safeParse('123').error?.issues[0]?.message).toBe('PHONE_INVALID');
  });
});

describe('normalizeWebsite', () => {
  it.each([
    ['www.example.com', 'https://www.example.com'],
    ['example.com.cn', 'https://example.com.cn'],
    ['http://example.com', 'http://example.com'],
    ['HTTPS://WWW.Example.COM/About?Q=1#X', 'https://www.example.com/About?Q=1#X'],
    ['  ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ ', 'https://www.example.com'],
    ['example.com:8080/path', 'https://example.com:8080/path'],
    ['https://星海科技.中国', 'https://星海科技.中国'],
    ['example.com.', 'https://example.com'],
  ])('%j → %s', (input, value) => {
    expect(normalizeWebsite(input)).toEqual({ ok: true, value });
  });

  it.each([
    '',
    'example',
    'localhost',
    'ftp://example.com',
    'javascript:alert(1)',
    'mailto:a@example.com',
    'https://user:pw@example.com',
    'https://192.168.1.1',
    'https://exa mple.com',
    'https://-example.com',
    'https://example..com',
    'https://example.com:99999',
    'https://',
  ])('rejects %j', (input) => {
    expect(normalizeWebsite(input)).toEqual({ ok: false, code: 'URL_INVALID' });
  });

  it('zWebsite reports URL_INVALID', () => {
    expect(zWebsite.parse('example.com')).toBe('https://example.com');
    expect(zWebsite.safeParse('ftp://example.com').error?.issues[0]?.message).toBe('URL_INVALID');
  });
});

describe('tags', () => {
  it('splits on Chinese and English punctuation, not on spaces', () => {
    expect(normalizeTags('大客户，华东; VIP；重点、 制造业 ,,')).toEqual([
      '大客户',
      '华东',
      'VIP',
      '重点',
      '制造业',
    ]);
    expect(normalizeTags('大客户 华东')).toEqual(['大客户 华东']);
    expect(normalizeTags('a\nb\r\nc')).toEqual(['a', 'b', 'c']);
  });

  it('normalises width and removes duplicates case-insensitively', () => {
    expect(normalizeTags(['ＶＩＰ', 'vip', ' Vip ', '重点  客户', '重点 客户'])).toEqual([
      'VIP',
      '重点 客户',
    ]);
    expect(normalizeTags([])).toEqual([]);
    expect(normalizeTags('')).toEqual([]);
  });

  it('normalizeTags always fits the limits; validateTags reports instead', () => {
    const many = Array.from({ length: 25 }, (_, i) => `t${i}`);
    expect(normalizeTags(many)).toHaveLength(20);
    expect(normalizeTags(['一'.repeat(25)])).toEqual(['一'.repeat(20)]);
    expect(validateTags(many)).toEqual({ ok: false, code: 'TAGS_INVALID' });
    expect(validateTags(['一'.repeat(21)])).toEqual({ ok: false, code: 'TAGS_INVALID' });
    expect(validateTags(['一'.repeat(20)])).toEqual({ ok: true, value: ['一'.repeat(20)] });
    expect(validateTags(many.slice(0, 20)).ok).toBe(true);
  });

  it('zTags accepts arrays and strings', () => {
    expect(zTags.parse(['a', 'A', 'b'])).toEqual(['a', 'b']);
    expect(zTags.parse('a，b')).toEqual(['a', 'b']);
    expect(zTags.safeParse(['x'.repeat(21)]).error?.issues[0]?.message).toBe('TAGS_INVALID');
    expect(zTags.safeParse(5).error?.issues[0]?.message).toBe('TAGS_INVALID');
  });
});
