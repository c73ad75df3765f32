import { z } from 'zod';
import type { LocalizedText } from '../i18n.js';

/** The 20 sections (门类) of GB/T 4754-2017 《国民经济行业分类》. */
export const INDUSTRY_CODES = [
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
  'G',
  'H',
  'I',
  'J',
  'K',
  'L',
  'M',
  'N',
  'O',
  'P',
  'Q',
  'R',
  'S',
  'T',
] as const;
export type IndustryCode = (typeof INDUSTRY_CODES)[number];

export interface Industry extends LocalizedText {
  readonly code: IndustryCode;
}

/** Official section names (zh) with their English names, in code order. */
export const INDUSTRIES: readonly Industry[] = [
  { code: 'A', zh: '农、林、牧、渔业', en: 'Agriculture, forestry, animal husbandry and fishery' },
  { code: 'B', zh: '采矿业', en: 'Mining' },
  { code: 'C', zh: '制造业', en: 'Manufacturing' },
  {
    code: 'D',
    zh: '电力、热力、燃气及水生产和供应业',
    en: 'Production and supply of electricity, heat, gas and water',
  },
  { code: 'E', zh: '建筑业', en: 'Construction' },
  { code: 'F', zh: '批发和零售业', en: 'Wholesale and retail trade' },
  { code: 'G', zh: '交通运输、仓储和邮政业', en: 'Transport, storage and postal services' },
  { code: 'H', zh: '住宿和餐饮业', en: 'Accommodation and catering' },
  {
    code: 'I',
    zh: '信息传输、软件和信息技术服务业',
    en: 'Information transmission, software and information technology services',
  },
  { code: 'J', zh: '金融业', en: 'Finance' },
  { code: 'K', zh: '房地产业', en: 'Real estate' },
  { code: 'L', zh: '租赁和商务服务业', en: 'Leasing and business services' },
  { code: 'M', zh: '科学研究和技术服务业', en: 'Scientific research and technical services' },
  {
    code: 'N',
    zh: '水利、环境和公共设施管理业',
    en: 'Management of water conservancy, environment and public facilities',
  },
  { code: 'O', zh: '居民服务、修理和其他服务业', en: 'Resident services, repair and other services' },
  { code: 'P', zh: '教育', en: 'Education' },
  { code: 'Q', zh: '卫生和社会工作', en: 'Health and social work' },
  { code: 'R', zh: '文化、体育和娱乐业', en: 'Culture, sports and entertainment' },
  {
    code: 'S',
    zh: '公共管理、社会保障和社会组织',
    en: 'Public administration, social security and social organizations',
  },
  { code: 'T', zh: '国际组织', en: 'International organizations' },
];

/** Everyday words people put in an industry column, mapped to their section. */
const INDUSTRY_SYNONYMS: Readonly<Record<string, IndustryCode>> = {
  农业: 'A',
  林业: 'A',
  畜牧业: 'A',
  渔业: 'A',
  agriculture: 'A',
  矿业: 'B',
  煤炭: 'B',
  石油开采: 'B',
  制造: 'C',
  工业: 'C',
  生产制造: 'C',
  能源: 'D',
  电力: 'D',
  燃气: 'D',
  utilities: 'D',
  建筑: 'E',
  工程: 'E',
  零售: 'F',
  批发: 'F',
  贸易: 'F',
  商贸: 'F',
  电商: 'F',
  retail: 'F',
  trade: 'F',
  物流: 'G',
  运输: 'G',
  交通运输: 'G',
  快递: 'G',
  logistics: 'G',
  transport: 'G',
  酒店: 'H',
  餐饮: 'H',
  住宿: 'H',
  hospitality: 'H',
  it: 'I',
  互联网: 'I',
  软件: 'I',
  信息技术: 'I',
  通信: 'I',
  电信: 'I',
  software: 'I',
  internet: 'I',
  金融: 'J',
  银行: 'J',
  保险: 'J',
  证券: 'J',
  banking: 'J',
  insurance: 'J',
  房地产: 'K',
  地产: 'K',
  物业: 'K',
  租赁: 'L',
  商务服务: 'L',
  咨询: 'L',
  广告: 'L',
  consulting: 'L',
  科研: 'M',
  研发: 'M',
  技术服务: 'M',
  环保: 'N',
  水利: 'N',
  公共设施: 'N',
  居民服务: 'O',
  维修: 'O',
  修理: 'O',
  教育: 'P',
  培训: 'P',
  学校: 'P',
  医疗: 'Q',
  医院: 'Q',
  卫生: 'Q',
  医药: 'Q',
  healthcare: 'Q',
  文化: 'R',
  体育: 'R',
  娱乐: 'R',
  传媒: 'R',
  媒体: 'R',
  media: 'R',
  政府: 'S',
  公共管理: 'S',
  事业单位: 'S',
  社会组织: 'S',
  government: 'S',
  国际组织: 'T',
};

export function isIndustryCode(value: string): value is IndustryCode {
  return (INDUSTRY_CODES as readonly string[]).includes(value);
}

/** Comparison form: NFKC, lower-case, without whitespace and punctuation. */
function industryKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

const BY_NAME = new Map<string, IndustryCode>();
for (const industry of INDUSTRIES) {
  BY_NAME.set(industryKey(industry.zh), industry.code);
  BY_NAME.set(industryKey(industry.en), industry.code);
}
for (const [word, code] of Object.entries(INDUSTRY_SYNONYMS)) {
  if (!BY_NAME.has(industryKey(word))) BY_NAME.set(industryKey(word), code);
}

function byName(key: string): IndustryCode | null {
  const exact = BY_NAME.get(key);
  if (exact) return exact;
  if (key.length < 2) return null;
  // A word that begins or occurs in exactly one section's name: '制造' → C, '软件' → I, 'real' → K.
  const matches = new Set<IndustryCode>();
  for (const industry of INDUSTRIES) {
    if (industryKey(industry.zh).includes(key) || industryKey(industry.en).startsWith(key)) {
      matches.add(industry.code);
    }
  }
  const [only] = matches;
  return matches.size === 1 && only !== undefined ? only : null;
}

/**
 * The section a text names: the code (`C`, `c`, `Ｃ`), the official Chinese or English name, a code with
 * its name (`C 制造业`, `C-制造业`), an everyday word (`互联网` → I, `银行` → J) or a part of one name
 * that no other section shares (`制造` → C). `null` when nothing or more than one section matches.
 */
export function findIndustry(text: string): IndustryCode | null {
  const trimmed = text.normalize('NFKC').trim();
  const key = industryKey(trimmed);
  if (key === '') return null;
  const upper = key.toUpperCase();
  if (upper.length === 1) return isIndustryCode(upper) ? upper : null;
  const withCode = /^([A-Ta-t])(?![A-Za-z])[\s\p{P}\p{S}]*(.+)$/u.exec(trimmed);
  if (withCode) {
    const code = (withCode[1] ?? '').toUpperCase();
    return isIndustryCode(code) && byName(industryKey(withCode[2] ?? '')) === code ? code : null;
  }
  return byName(key);
}

/** The name of a section in a locale (`zh-CN` → `制造业`, `en` → `Manufacturing`). */
export function industryName(code: IndustryCode, locale: 'zh-CN' | 'en'): string {
  const industry = INDUSTRIES.find((i) => i.code === code);
  if (industry === undefined) return code;
  return locale === 'zh-CN' ? industry.zh : industry.en;
}

/** A section code `A`–`T`; issue message `INDUSTRY_INVALID` (`REQUIRED` when missing). */
export const zIndustry = z.enum(INDUSTRY_CODES, {
  error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'INDUSTRY_INVALID'),
});
