import { describe, expect, it } from 'vitest';
import {
  CITIES,
  findRegion,
  isCityCode,
  isProvinceCode,
  isRegionPair,
  PROVINCES,
  provinceOfCity,
  REGION_SNAPSHOT,
  regionName,
  zCityCode,
  zProvinceCode,
} from './regions.js';

describe('region data', () => {
  it('has 34 provinces and the prefecture-level cities', () => {
    expect(PROVINCES).toHaveLength(34);
    expect(PROVINCES.map((p) => p.code)).toContain('710000');
    expect(PROVINCES.map((p) => p.code)).toContain('810000');
    expect(PROVINCES.map((p) => p.code)).toContain('820000');
    expect(CITIES.length).toBeGreaterThan(330);
    expect(REGION_SNAPSHOT.date).toBe('2023-06-30');
    for (const p of PROVINCES) expect(p.code).toMatch(/^\d{2}0000$/);
    for (const c of CITIES) {
      expect(c.code).toMatch(/^\d{6}$/);
      expect(isProvinceCode(c.provinceCode)).toBe(true);
    }
  });

  it('names municipalities after themselves and keeps no pseudo-cities', () => {
    expect(regionName('310100')).toBe('上海市');
    expect(regionName('110100')).toBe('北京市');
    expect(regionName('500100')).toBe('重庆市');
    expect(CITIES.some((c) => c.name === '市辖区' || c.name.includes('直辖'))).toBe(false);
    expect(regionName('419001')).toBe('济源市');
  });

  it('derives short names', () => {
    const short = (name: string) => [...PROVINCES, ...CITIES].find((r) => r.name === name)?.shortName;
    expect(short('浙江省')).toBe('浙江');
    expect(short('内蒙古自治区')).toBe('内蒙古');
    expect(short('广西壮族自治区')).toBe('广西');
    expect(short('新疆维吾尔自治区')).toBe('新疆');
    expect(short('香港特别行政区')).toBe('香港');
    expect(short('杭州市')).toBe('杭州');
    expect(short('恩施土家族苗族自治州')).toBe('恩施');
    expect(short('博尔塔拉蒙古自治州')).toBe('博尔塔拉');
    expect(short('大兴安岭地区')).toBe('大兴安岭');
    expect(short('锡林郭勒盟')).toBe('锡林郭勒');
    expect(short('重庆市（县）')).toBe('重庆市（县）');
  });
});

describe('findRegion', () => {
  it.each([
    ['上海', '310000', '310100'],
    ['上海市', '310000', '310100'],
    ['上海市浦东新区', '310000', '310100'],
    ['浙江', '330000', null],
    ['浙江省', '330000', null],
    ['浙江省杭州市', '330000', '330100'],
    ['浙江省 杭州市', '330000', '330100'],
    ['浙江/杭州', '330000', '330100'],
    ['浙江-杭州-西湖区', '330000', '330100'],
    ['浙江省杭州市西湖区', '330000', '330100'],
    ['杭州', '330000', '330100'],
    ['杭州市', '330000', '330100'],
    ['杭州市西湖区', '330000', '330100'],
    ['330000', '330000', null],
    ['330100', '330000', '330100'],
    ['330106', '330000', '330100'],
    ['110105', '110000', '110100'],
    ['吉林', '220000', null],
    ['吉林市', '220000', '220200'],
    ['吉林省吉林市', '220000', '220200'],
    ['海南', '460000', null],
    ['海南藏族自治州', '630000', '632500'],
    ['恩施', '420000', '422800'],
    ['湖北恩施', '420000', '422800'],
    ['内蒙古呼和浩特', '150000', '150100'],
    ['香港', '810000', null],
    ['台湾省', '710000', null],
    ['济源', '410000', '419001'],
    ['ｓｈａｎｇｈａｉ', null, null],
  ] as const)('%j → %s / %s', (text, provinceCode, cityCode) => {
    expect(findRegion(text)).toEqual(provinceCode === null ? null : { provinceCode, cityCode });
  });

  it.each(['', '火星', '999999', '339900', '浙江省南京市', '12345'])('rejects %j', (text) => {
    expect(findRegion(text)).toBeNull();
  });

  it('answers a repeated text alike (from memory)', () => {
    expect(findRegion('浙江省杭州市')).toEqual({ provinceCode: '330000', cityCode: '330100' });
    expect(findRegion('浙江省杭州市')).toEqual({ provinceCode: '330000', cityCode: '330100' });
    expect(findRegion('火星')).toBeNull();
    expect(findRegion('火星')).toBeNull();
  });
});

describe('codes', () => {
  it('checks and relates codes', () => {
    expect(isProvinceCode('330000')).toBe(true);
    expect(isProvinceCode('330100')).toBe(false);
    expect(isCityCode('330100')).toBe(true);
    expect(isCityCode('330106')).toBe(false);
    expect(provinceOfCity('330100')).toBe('330000');
    expect(provinceOfCity('999900')).toBeNull();
    expect(isRegionPair('330000', '330100')).toBe(true);
    expect(isRegionPair('330000', null)).toBe(true);
    expect(isRegionPair('320000', '330100')).toBe(false);
    expect(regionName('330000', 'en')).toBe('浙江省');
    expect(regionName('000000')).toBeNull();
    expect(zProvinceCode.parse('330000')).toBe('330000');
    expect(zProvinceCode.safeParse('330100').error?.issues[0]?.message).toBe('REGION_INVALID');
    expect(zCityCode.parse('330100')).toBe('330100');
    expect(zCityCode.safeParse('330000').error?.issues[0]?.message).toBe('REGION_INVALID');
  });
});
