import { describe, expect, it } from 'vitest';
import { normalizeCompanyName, validateCompanyName, zCompanyName } from './company-name.js';

describe('validateCompanyName', () => {
  it('normalises width and whitespace', () => {
    expect(validateCompanyName('  星海科技　 有限公司 ')).toEqual({ ok: true, value: '星海科技 有限公司' });
    expect(validateCompanyName('ＡＣＭＥ Co., Ltd.')).toEqual({ ok: true, value: 'ACME Co., Ltd.' });
  });

  it.each([
    ['', 'REQUIRED'],
    ['   ', 'REQUIRED'],
    ['星', 'COMPANY_NAME_INVALID'],
    ['星海\u0007科技', 'COMPANY_NAME_INVALID'],
    ['--', 'COMPANY_NAME_INVALID'],
    ['星'.repeat(101), 'TOO_LONG'],
  ])('rejects %j with %s', (input, code) => {
    expect(validateCompanyName(input)).toEqual({ ok: false, code });
  });

  it('accepts exactly 2 and 100 characters', () => {
    expect(validateCompanyName('星海').ok).toBe(true);
    expect(validateCompanyName('星'.repeat(100)).ok).toBe(true);
  });

  it('zod schema reports stable codes', () => {
    expect(zCompanyName.parse(' 星海科技 ')).toBe('星海科技');
    expect(zCompanyName.safeParse('').error?.issues[0]?.message).toBe('REQUIRED');
    expect(zCompanyName.safeParse('星').error?.issues[0]?.message).toBe('COMPANY_NAME_INVALID');
  });
});

describe('normalizeCompanyName', () => {
  it('treats the Chinese legal forms as the same company', () => {
    const key = normalizeCompanyName('星海科技有限公司');
    expect(key).toBe('星海科技');
    for (const variant of [
      '星海科技股份有限公司',
      '星海科技有限责任公司',
      '星海科技股份公司',
      '星海科技公司',
      ' 星海 科技 有限公司 ',
      '星海科技',
    ]) {
      expect(normalizeCompanyName(variant)).toBe(key);
    }
  });

  it('does not treat a bracketed legal form as a suffix (documented decision)', () => {
    expect(normalizeCompanyName(' 星海科技（有限公司）')).toBe('星海科技(有限公司)');
    expect(normalizeCompanyName(' 星海科技（有限公司）')).not.toBe(normalizeCompanyName('星海科技有限公司'));
  });

  it('keeps 集团 and strips only one suffix', () => {
    expect(normalizeCompanyName('星海集团有限公司')).toBe('星海集团');
    expect(normalizeCompanyName('星海集团股份有限公司')).toBe('星海集团');
    expect(normalizeCompanyName('星海公司有限公司')).toBe('星海公司');
  });

  it('treats English legal forms as the same company', () => {
    const key = normalizeCompanyName('ACME');
    expect(key).toBe('acme');
    for (const variant of [
      'ACME Co., Ltd.',
      'acme company limited',
      'ACME Co.,Ltd',
      'Acme Co Ltd',
      'ACME Limited',
      'ACME Ltd.',
      'ACME, Inc.',
      'ACME Incorporated',
      'ACME Corp.',
      'ACME Corporation',
      'ACME LLC',
      'ACME GmbH',
      'ACME Company',
      'ACME Co.',
      'ＡＣＭＥ　Ｃｏ．，Ｌｔｄ．',
    ]) {
      expect(normalizeCompanyName(variant)).toBe(key);
    }
  });

  it('strips English forms as whole words only', () => {
    expect(normalizeCompanyName('Zinc')).toBe('zinc');
    expect(normalizeCompanyName('Costco')).toBe('costco');
    expect(normalizeCompanyName('Unlimited Power Ltd')).toBe('unlimitedpower');
    expect(normalizeCompanyName('星海科技 Co., Ltd.')).toBe('星海科技');
  });

  it('normalises full-width letters, brackets, spaces and punctuation', () => {
    expect(normalizeCompanyName('ＡＢＣ科技有限公司')).toBe('abc科技');
    expect(normalizeCompanyName('华为技术（上海）有限公司')).toBe('华为技术(上海)');
    expect(normalizeCompanyName('华为技术【上海】有限公司')).toBe('华为技术(上海)');
    expect(normalizeCompanyName('华为技术[上海]有限公司')).toBe('华为技术(上海)');
    expect(normalizeCompanyName('华为技术{上海}有限公司')).toBe('华为技术(上海)');
    expect(normalizeCompanyName('A&B·星海-科技_有限公司')).toBe('ab星海科技');
    expect(normalizeCompanyName('O\'Neil / Partners "Group"')).toBe('oneilpartnersgroup');
    expect(normalizeCompanyName('星海科技（ ）有限公司')).toBe('星海科技');
  });

  it('keeps differing bracket content different', () => {
    expect(normalizeCompanyName('华为技术(上海)有限公司')).not.toBe(normalizeCompanyName('华为技术有限公司'));
    expect(normalizeCompanyName('华为技术(上海)有限公司')).not.toBe(
      normalizeCompanyName('华为技术(北京)有限公司'),
    );
  });

  it('never returns an empty key', () => {
    expect(normalizeCompanyName('有限公司')).toBe('有限公司');
    expect(normalizeCompanyName('公司')).toBe('公司');
    expect(normalizeCompanyName('Co., Ltd.')).toBe('coltd');
    expect(normalizeCompanyName('Limited')).toBe('limited');
    expect(normalizeCompanyName('（有限公司）')).toBe('(有限公司)');
    expect(normalizeCompanyName('---')).toBe('---');
  });
});
