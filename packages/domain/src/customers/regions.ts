import { type Validated, zValidated } from '../validation/result.js';
import { CITY_ROWS, PROVINCE_ROWS, REGION_SNAPSHOT } from './regions-data.js';

export { REGION_SNAPSHOT };

export interface Province {
  /** GB/T 2260 code, `330000`. */
  readonly code: string;
  /** Official name, `浙江省`. */
  readonly name: string;
  /** Everyday short form, `浙江` (`内蒙古`, `广西`, `香港`). */
  readonly shortName: string;
}

export interface City {
  /** GB/T 2260 code, `330100` (county-level units directly under a province keep their own code). */
  readonly code: string;
  readonly name: string;
  /** `杭州`, `恩施` (for 恩施土家族苗族自治州), `大兴安岭` (for 大兴安岭地区). */
  readonly shortName: string;
  readonly provinceCode: string;
}

export interface RegionMatch {
  readonly provinceCode: string;
  readonly cityCode: string | null;
}

const ETHNIC =
  '(?:蒙古族|蒙古|回族|藏族|维吾尔|苗族|彝族|壮族|布依族|朝鲜族|侗族|瑶族|白族|土家族|哈尼族|哈萨克|傣族|黎族|傈僳族|景颇族|羌族|柯尔克孜)';
const AUTONOMOUS = new RegExp(`^(.{2,}?)${ETHNIC}*自治(?:州|县)$`);

function provinceShortName(name: string): string {
  return name.replace(/特别行政区$|(?:壮族|回族|维吾尔)?自治区$|[省市]$/, '');
}

function cityShortName(name: string): string {
  const autonomous = AUTONOMOUS.exec(name);
  if (autonomous) return autonomous[1] ?? name;
  const short = name.replace(/(?:地区|林区|盟|市|县)$/, '');
  return Array.from(short).length >= 2 && !/[（(]/.test(name) ? short : name;
}

/** The 34 province-level divisions (incl. 台湾省, 香港特别行政区, 澳门特别行政区), by code. */
export const PROVINCES: readonly Province[] = PROVINCE_ROWS.map(([code, name]) => ({
  code,
  name,
  shortName: provinceShortName(name),
}));

/**
 * Prefecture-level cities, by code. A municipality (北京, 天津, 上海, 重庆) has one city named after it
 * (`310100` 上海市; 重庆 also `500200` 重庆市（县）); 香港, 澳门 and 台湾 have none.
 */
export const CITIES: readonly City[] = CITY_ROWS.map(([code, name]) => ({
  code,
  name,
  shortName: cityShortName(name),
  provinceCode: `${code.slice(0, 2)}0000`,
}));

const PROVINCE_BY_CODE = new Map(PROVINCES.map((p) => [p.code, p]));
const CITY_BY_CODE = new Map(CITIES.map((c) => [c.code, c]));
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** Exact-name lookups: full names first, then short names. */
const EXACT = (['name', 'shortName'] as const).map((field) => ({
  provinces: new Map(PROVINCES.map((p) => [p[field], p])),
  cities: groupBy(CITIES, (c) => c[field]),
}));
const MUNICIPALITY_CITY: Readonly<Record<string, string>> = {
  '110000': '110100',
  '120000': '120100',
  '310000': '310100',
  '500000': '500100',
};

export function isProvinceCode(code: string): boolean {
  return PROVINCE_BY_CODE.has(code);
}

export function isCityCode(code: string): boolean {
  return CITY_BY_CODE.has(code);
}

/** The province code of a city code, or `null` for an unknown city. */
export function provinceOfCity(code: string): string | null {
  return CITY_BY_CODE.get(code)?.provinceCode ?? null;
}

/**
 * The official name of a province or city code (`330100` → `杭州市`), `null` when unknown. Names are
 * Chinese in both locales: GB/T 2260 has no official English names and pinyin would be worse than the
 * characters for users; the `locale` parameter is accepted so callers need not change when names are added.
 */
export function regionName(code: string, _locale?: 'zh-CN' | 'en'): string | null {
  return PROVINCE_BY_CODE.get(code)?.name ?? CITY_BY_CODE.get(code)?.name ?? null;
}

/** True when `cityCode` (if given) lies in `provinceCode`. */
export function isRegionPair(provinceCode: string, cityCode: string | null): boolean {
  if (!isProvinceCode(provinceCode)) return false;
  return cityCode === null || provinceOfCity(cityCode) === provinceCode;
}

function cityMatch(city: City): RegionMatch {
  return { provinceCode: city.provinceCode, cityCode: city.code };
}

function provinceMatch(province: Province): RegionMatch {
  return { provinceCode: province.code, cityCode: MUNICIPALITY_CITY[province.code] ?? null };
}

/** The entries whose name or short name is the longest prefix of `text`; several when ambiguous. */
function longestPrefix<T extends { name: string; shortName: string }>(text: string, entries: readonly T[]) {
  let best: T[] = [];
  let bestLength = 0;
  for (const entry of entries) {
    for (const candidate of [entry.name, entry.shortName]) {
      if (!text.startsWith(candidate) || candidate.length < bestLength) continue;
      if (candidate.length > bestLength) {
        best = [];
        bestLength = candidate.length;
      }
      if (!best.includes(entry)) best.push(entry);
    }
  }
  return { entries: best, length: bestLength };
}

function byCode(code: string): RegionMatch | null {
  const province = PROVINCE_BY_CODE.get(code);
  if (province) return { provinceCode: province.code, cityCode: null };
  const city = CITY_BY_CODE.get(code) ?? CITY_BY_CODE.get(`${code.slice(0, 4)}00`);
  return city ? cityMatch(city) : null;
}

/**
 * The province and city a text names. Accepts codes (`330000`, `330100`; a county code such as
 * `330106` gives its city), names and short names (`上海`, `上海市`, `杭州`, `杭州市`, `浙江`,
 * `内蒙古`), a province followed by a city with or without separators (`浙江省杭州市`, `浙江 杭州`,
 * `浙江/杭州`) and a trailing district (`浙江省杭州市西湖区`, `上海市浦东新区`), which is ignored.
 * A municipality always resolves to its city (`上海` → 310000 / 310100); a province alone has
 * `cityCode: null`. `null` when nothing or more than one region matches.
 */
export function findRegion(text: string): RegionMatch | null {
  // An imported column repeats a few hundred texts over many rows: each is matched once.
  let hit = FOUND.get(text);
  if (hit === undefined) {
    hit = matchRegion(text);
    if (FOUND.size >= FOUND_MAX) FOUND.clear();
    FOUND.set(text, hit);
  }
  return hit; // shared between callers: RegionMatch is read-only
}

const FOUND = new Map<string, RegionMatch | null>();
const FOUND_MAX = 10_000;

function matchRegion(text: string): RegionMatch | null {
  const key = text.normalize('NFKC').replace(/[\s/\\,;、|>·._-]+/g, '');
  if (key === '') return null;
  if (/^\d{6}$/.test(key)) return byCode(key);

  // Exact names first, provinces before cities (吉林 is the province, 吉林市 the city).
  for (const index of EXACT) {
    const province = index.provinces.get(key);
    if (province) return provinceMatch(province);
    const cities = index.cities.get(key);
    if (cities?.length === 1 && cities[0]) return cityMatch(cities[0]);
    if (cities && cities.length > 1) return null;
  }

  // A province, then a city of it (or, in a municipality, a district).
  const provinces = longestPrefix(key, PROVINCES);
  const province = provinces.entries.length === 1 ? provinces.entries[0] : undefined;
  if (province) {
    const rest = key.slice(provinces.length);
    if (rest === '') return provinceMatch(province);
    const cities = longestPrefix(
      rest,
      CITIES.filter((c) => c.provinceCode === province.code),
    );
    if (cities.entries.length === 1 && cities.entries[0]) return cityMatch(cities.entries[0]);
    if (MUNICIPALITY_CITY[province.code]) return provinceMatch(province);
  }

  // A city followed by a district (杭州市西湖区).
  const cities = longestPrefix(key, CITIES);
  return cities.entries.length === 1 && cities.entries[0] ? cityMatch(cities.entries[0]) : null;
}

/** A GB/T 2260 province code; issue message `REGION_INVALID`. */
export const zProvinceCode = zValidated(
  (input: string): Validated<'REGION_INVALID'> =>
    isProvinceCode(input.trim()) ? { ok: true, value: input.trim() } : { ok: false, code: 'REGION_INVALID' },
  'REGION_INVALID',
);

/** A GB/T 2260 prefecture-level city code; issue message `REGION_INVALID`. */
export const zCityCode = zValidated(
  (input: string): Validated<'REGION_INVALID'> =>
    isCityCode(input.trim()) ? { ok: true, value: input.trim() } : { ok: false, code: 'REGION_INVALID' },
  'REGION_INVALID',
);
