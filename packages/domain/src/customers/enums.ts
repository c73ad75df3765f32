import { z } from 'zod';
import type { LocalizedText } from '../i18n.js';
import { TEAM_ACCESS_LEVELS } from '../permissions/customer-access.js';

export const CUSTOMER_STATUSES = ['prospect', 'active', 'dormant', 'lost'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const SIZE_BANDS = ['micro', 'small', 'medium', 'large', 'enterprise'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];

export const CUSTOMER_SOURCES = [
  'referral',
  'exhibition',
  'website',
  'cold_call',
  'partner',
  'event',
  'other',
] as const;
export type CustomerSource = (typeof CUSTOMER_SOURCES)[number];

export const TEAM_ROLES = [
  'owner',
  'co_follower',
  'customer_service',
  'technical_support',
  'delivery',
  'executive_sponsor',
] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export const DECISION_ROLES = ['decision_maker', 'influencer', 'user', 'gatekeeper', 'champion'] as const;
export type DecisionRole = (typeof DECISION_ROLES)[number];

export const CONTACT_ATTITUDES = ['supportive', 'neutral', 'opposed'] as const;
export type ContactAttitude = (typeof CONTACT_ATTITUDES)[number];

export const FOLLOW_UP_TYPES = ['visit', 'call', 'meeting', 'email', 'wechat', 'other'] as const;
export type FollowUpType = (typeof FOLLOW_UP_TYPES)[number];

export const ORDER_STATUSES = ['confirmed', 'cancelled', 'returned'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const SERVICE_TYPES = ['question', 'incident', 'complaint', 'request'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const SERVICE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ServiceSeverity = (typeof SERVICE_SEVERITIES)[number];

/** Every enumerated field of Customer 360, by kind (the import catalogue refers to these kinds). */
export const ENUM_VALUES = {
  customerStatus: CUSTOMER_STATUSES,
  sizeBand: SIZE_BANDS,
  customerSource: CUSTOMER_SOURCES,
  teamRole: TEAM_ROLES,
  teamAccess: TEAM_ACCESS_LEVELS,
  decisionRole: DECISION_ROLES,
  attitude: CONTACT_ATTITUDES,
  followUpType: FOLLOW_UP_TYPES,
  orderStatus: ORDER_STATUSES,
  serviceType: SERVICE_TYPES,
  serviceSeverity: SERVICE_SEVERITIES,
} as const;
export type EnumKind = keyof typeof ENUM_VALUES;
export type EnumValue<K extends EnumKind> = (typeof ENUM_VALUES)[K][number];
export const ENUM_KINDS = Object.keys(ENUM_VALUES) as EnumKind[];

type LabelTable = { readonly [K in EnumKind]: Readonly<Record<EnumValue<K>, LocalizedText>> };
type SynonymTable = { readonly [K in EnumKind]: Readonly<Partial<Record<EnumValue<K>, readonly string[]>>> };

const LABELS = {
  customerStatus: {
    prospect: { zh: '潜在', en: 'Prospect' },
    active: { zh: '活跃', en: 'Active' },
    dormant: { zh: '休眠', en: 'Dormant' },
    lost: { zh: '流失', en: 'Lost' },
  },
  sizeBand: {
    micro: { zh: '微型（20 人以下）', en: 'Micro (<20)' },
    small: { zh: '小型（20–99 人）', en: 'Small (20–99)' },
    medium: { zh: '中型（100–499 人）', en: 'Medium (100–499)' },
    large: { zh: '大型（500–999 人）', en: 'Large (500–999)' },
    enterprise: { zh: '特大型（1000 人以上）', en: 'Enterprise (1000+)' },
  },
  customerSource: {
    referral: { zh: '转介绍', en: 'Referral' },
    exhibition: { zh: '展会', en: 'Exhibition' },
    website: { zh: '官网', en: 'Website' },
    cold_call: { zh: '电话开拓', en: 'Cold call' },
    partner: { zh: '渠道', en: 'Partner' },
    event: { zh: '市场活动', en: 'Event' },
    other: { zh: '其他', en: 'Other' },
  },
  teamRole: {
    owner: { zh: '负责人', en: 'Owner' },
    co_follower: { zh: '协作人', en: 'Co-follower' },
    customer_service: { zh: '客服', en: 'Customer service' },
    technical_support: { zh: '技术支持', en: 'Technical support' },
    delivery: { zh: '交付', en: 'Delivery' },
    executive_sponsor: { zh: '高管联系人', en: 'Executive sponsor' },
  },
  teamAccess: {
    read: { zh: '只读', en: 'Read' },
    read_write: { zh: '读写', en: 'Read and write' },
  },
  decisionRole: {
    decision_maker: { zh: '决策人', en: 'Decision maker' },
    influencer: { zh: '影响者', en: 'Influencer' },
    user: { zh: '使用者', en: 'User' },
    gatekeeper: { zh: '把关人', en: 'Gatekeeper' },
    champion: { zh: '支持者', en: 'Champion' },
  },
  attitude: {
    supportive: { zh: '支持', en: 'Supportive' },
    neutral: { zh: '中立', en: 'Neutral' },
    opposed: { zh: '反对', en: 'Opposed' },
  },
  followUpType: {
    visit: { zh: '拜访', en: 'Visit' },
    call: { zh: '电话', en: 'Call' },
    meeting: { zh: '会议', en: 'Meeting' },
    email: { zh: '邮件', en: 'Email' },
    wechat: { zh: '微信', en: 'WeChat' },
    other: { zh: '其他', en: 'Other' },
  },
  orderStatus: {
    confirmed: { zh: '已确认', en: 'Confirmed' },
    cancelled: { zh: '已取消', en: 'Cancelled' },
    returned: { zh: '已退货', en: 'Returned' },
  },
  serviceType: {
    question: { zh: '咨询', en: 'Question' },
    incident: { zh: '故障', en: 'Incident' },
    complaint: { zh: '投诉', en: 'Complaint' },
    request: { zh: '需求', en: 'Request' },
  },
  serviceSeverity: {
    low: { zh: '低', en: 'Low' },
    medium: { zh: '中', en: 'Medium' },
    high: { zh: '高', en: 'High' },
    critical: { zh: '紧急', en: 'Critical' },
  },
} as const satisfies LabelTable;

/** Display labels of every enum value in both languages. */
export const ENUM_LABELS: Record<EnumKind, Record<string, LocalizedText>> = LABELS;

/** Further spellings users write in spreadsheets, besides the value and its two labels. */
export const ENUM_SYNONYMS: SynonymTable = {
  customerStatus: {
    prospect: ['潜在客户', '意向', '意向客户', 'lead'],
    active: ['合作中', '活跃客户', '成交客户', '正常'],
    dormant: ['沉睡', '休眠客户', 'inactive'],
    lost: ['流失客户', '已流失', 'churned'],
  },
  sizeBand: {
    micro: ['微型', '小微', '<20', '20人以下', '1-19', '1-19人'],
    small: ['小型', '20-99', '20-99人'],
    medium: ['中型', '100-499', '100-499人'],
    large: ['大型', '500-999', '500-999人'],
    enterprise: ['特大型', '超大型', '1000+', '1000人以上', '>=1000', '≥1000'],
  },
  customerSource: {
    referral: ['介绍', '老客户介绍', '客户介绍'],
    exhibition: ['展会', '会展', 'trade show'],
    website: ['网站', '官方网站', '网络', 'web'],
    cold_call: ['电话', '陌拜', '陌生拜访', '电销'],
    partner: ['合作伙伴', '渠道商', '代理商', 'channel'],
    event: ['活动', '会议', '研讨会', 'seminar'],
    other: ['其它'],
  },
  teamRole: {
    owner: ['主负责人', '客户经理'],
    co_follower: ['协同人', '协作', '跟进人', 'co-owner'],
    customer_service: ['客户服务', 'cs'],
    technical_support: ['技术', '技术人员', 'support'],
    delivery: ['交付人员', '实施'],
    executive_sponsor: ['高管', '高层', 'sponsor'],
  },
  teamAccess: {
    read: ['只读', '查看', 'read only', 'read-only'],
    read_write: ['读写', '编辑', '可编辑', 'edit', 'write'],
  },
  decisionRole: {
    decision_maker: ['决策者', '拍板人', 'dm'],
    influencer: ['影响人'],
    user: ['用户', '使用人', 'end user'],
    gatekeeper: ['守门人', '把关者'],
    champion: ['内线', '支持者', '教练', 'coach'],
  },
  attitude: {
    supportive: ['支持者', '积极', '友好', 'positive'],
    neutral: ['一般', '中性'],
    opposed: ['反对者', '抵触', '消极', 'negative'],
  },
  followUpType: {
    visit: ['上门拜访', '拜访客户', '面谈', '上门'],
    call: ['电话沟通', '打电话', 'phone', 'phone call'],
    meeting: ['开会', '会面', '线上会议'],
    email: ['电子邮件', '邮箱', 'e-mail', 'mail'],
    wechat: ['微信沟通', 'weixin', 'wx'],
    other: ['其它'],
  },
  orderStatus: {
    confirmed: ['确认', '已成交', '成交', '正常'],
    cancelled: ['取消', '作废', '已作废', 'canceled'],
    returned: ['退货', '退单', '已退单', 'return'],
  },
  serviceType: {
    question: ['问题', '咨询类', 'inquiry', 'enquiry'],
    incident: ['故障报修', '报修', '事故', 'bug'],
    complaint: ['客诉', '投诉类'],
    request: ['需求类', '服务请求', '请求'],
  },
  serviceSeverity: {
    low: ['低级', '轻微', 'minor', 'p4'],
    medium: ['中等', '一般', 'normal', 'p3'],
    high: ['高级', '严重', 'major', 'p2'],
    critical: ['紧急', '非常紧急', '致命', 'urgent', 'blocker', 'p1'],
  },
};

/** Comparison form: NFKC, lower-case, no whitespace, underscores or dashes. */
function enumKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-‐‑‒–—―]+/g, '');
}

const LOOKUP = new Map<EnumKind, Map<string, string>>();
for (const kind of ENUM_KINDS) {
  const map = new Map<string, string>();
  const labels = ENUM_LABELS[kind];
  const synonyms: Readonly<Partial<Record<string, readonly string[]>>> = ENUM_SYNONYMS[kind];
  const values: readonly string[] = ENUM_VALUES[kind];
  // The canonical value and the labels win over synonyms (a synonym never shadows another value's label).
  for (const value of values) {
    for (const text of [value, labels[value]?.zh ?? '', labels[value]?.en ?? '']) {
      if (!map.has(enumKey(text))) map.set(enumKey(text), value);
    }
  }
  for (const value of values) {
    for (const text of synonyms[value] ?? []) {
      if (!map.has(enumKey(text))) map.set(enumKey(text), value);
    }
  }
  map.delete('');
  LOOKUP.set(kind, map);
}

export function isEnumValue<K extends EnumKind>(kind: K, value: string): value is EnumValue<K> {
  return (ENUM_VALUES[kind] as readonly string[]).includes(value);
}

/**
 * The enum value that `text` names: the value itself, its Chinese or English label, or a synonym,
 * compared case-, width-, whitespace- and dash-insensitively. `null` when nothing matches.
 */
export function parseEnum<K extends EnumKind>(kind: K, text: string): EnumValue<K> | null {
  const value = LOOKUP.get(kind)?.get(enumKey(text));
  return value === undefined ? null : (value as EnumValue<K>);
}

/** The label of an enum value in a locale; the value itself when it is unknown. */
export function enumLabel(kind: EnumKind, value: string, locale: 'zh-CN' | 'en'): string {
  const label = ENUM_LABELS[kind][value];
  if (label === undefined) return value;
  return locale === 'zh-CN' ? label.zh : label.en;
}

function zEnumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'ENUM_INVALID') });
}

/** zod enums (issue message `ENUM_INVALID`, or `REQUIRED` when missing). */
export const zCustomerStatus = zEnumOf(CUSTOMER_STATUSES);
export const zSizeBand = zEnumOf(SIZE_BANDS);
export const zCustomerSource = zEnumOf(CUSTOMER_SOURCES);
export const zTeamRole = zEnumOf(TEAM_ROLES);
export const zTeamAccess = zEnumOf(TEAM_ACCESS_LEVELS);
export const zDecisionRole = zEnumOf(DECISION_ROLES);
export const zContactAttitude = zEnumOf(CONTACT_ATTITUDES);
export const zFollowUpType = zEnumOf(FOLLOW_UP_TYPES);
export const zOrderStatus = zEnumOf(ORDER_STATUSES);
export const zServiceType = zEnumOf(SERVICE_TYPES);
export const zServiceSeverity = zEnumOf(SERVICE_SEVERITIES);
