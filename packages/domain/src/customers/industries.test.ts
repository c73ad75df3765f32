import { describe, expect, it } from 'vitest';
import {
  findIndustry,
  INDUSTRIES,
  INDUSTRY_CODES,
  industryName,
  isIndustryCode,
  zIndustry,
} from './industries.js';

describe('industries', () => {
  it('has the 20 GB/T 4754-2017 sections A–T in order', () => {
    expect(INDUSTRIES.map((i) => i.code)).toEqual([...INDUSTRY_CODES]);
    expect(INDUSTRY_CODES).toHaveLength(20);
    expect(INDUSTRIES[0]?.zh).toBe('农、林、牧、渔业');
    expect(INDUSTRIES[2]?.zh).toBe('制造业');
    expect(INDUSTRIES[8]?.zh).toBe('信息传输、软件和信息技术服务业');
    expect(INDUSTRIES[19]?.zh).toBe('国际组织');
  });

  it('finds every section by code, Chinese and English name', () => {
    for (const industry of INDUSTRIES) {
      expect(findIndustry(industry.code)).toBe(industry.code);
      expect(findIndustry(industry.code.toLowerCase())).toBe(industry.code);
      expect(findIndustry(industry.zh)).toBe(industry.code);
      expect(findIndustry(industry.en.toUpperCase())).toBe(industry.code);
      expect(findIndustry(`${industry.code} ${industry.zh}`)).toBe(industry.code);
    }
  });

  it.each([
    ['制造', 'C'],
    ['Ｃ', 'C'],
    ['C-制造业', 'C'],
    ['C、制造业', 'C'],
    ['软件', 'I'],
    ['互联网', 'I'],
    ['IT', 'I'],
    ['银行', 'J'],
    ['房地产', 'K'],
    ['批发零售', null],
    ['零售', 'F'],
    ['real estate', 'K'],
    ['manufact', 'C'],
    ['服务', null],
    ['业', null],
    ['U', null],
    ['C 金融业', null],
    ['', null],
    ['Cat food', null],
  ] as const)('%j → %s', (text, code) => {
    expect(findIndustry(text)).toBe(code);
  });

  it('checks codes and names them', () => {
    expect(isIndustryCode('T')).toBe(true);
    expect(isIndustryCode('U')).toBe(false);
    expect(isIndustryCode('c')).toBe(false);
    expect(industryName('C', 'zh-CN')).toBe('制造业');
    expect(industryName('C', 'en')).toBe('Manufacturing');
    expect(zIndustry.parse('C')).toBe('C');
    expect(zIndustry.safeParse('U').error?.issues[0]?.message).toBe('INDUSTRY_INVALID');
    expect(zIndustry.safeParse(undefined).error?.issues[0]?.message).toBe('REQUIRED');
  });
});
