import { describe, expect, it } from 'vitest';
import { TEAM_ACCESS_LEVELS } from '../permissions/customer-access.js';
import {
  ENUM_KINDS,
  ENUM_LABELS,
  ENUM_SYNONYMS,
  ENUM_VALUES,
  enumLabel,
  isEnumValue,
  parseEnum,
  zCustomerStatus,
  zOrderStatus,
} from './enums.js';

describe('enum catalogue', () => {
  it('has the values the database CHECK constraints allow', () => {
    expect(ENUM_VALUES.customerStatus).toEqual(['prospect', 'active', 'dormant', 'lost']);
    expect(ENUM_VALUES.teamRole).toEqual([
      'owner',
      'co_follower',
      'customer_service',
      'technical_support',
      'delivery',
      'executive_sponsor',
    ]);
    expect(ENUM_VALUES.teamAccess).toBe(TEAM_ACCESS_LEVELS);
    expect(ENUM_VALUES.decisionRole).toEqual([
      'decision_maker',
      'influencer',
      'user',
      'gatekeeper',
      'champion',
    ]);
    expect(ENUM_VALUES.followUpType).toEqual(['visit', 'call', 'meeting', 'email', 'wechat', 'other']);
    expect(ENUM_VALUES.orderStatus).toEqual(['confirmed', 'cancelled', 'returned']);
    expect(ENUM_VALUES.serviceType).toEqual(['question', 'incident', 'complaint', 'request']);
    expect(ENUM_VALUES.serviceSeverity).toEqual(['low', 'medium', 'high', 'critical']);
  });

  it('labels every value in both languages and nothing else', () => {
    for (const kind of ENUM_KINDS) {
      expect(Object.keys(ENUM_LABELS[kind]).sort()).toEqual([...ENUM_VALUES[kind]].sort());
      for (const label of Object.values(ENUM_LABELS[kind])) {
        expect(label.zh).not.toBe('');
        expect(label.en).not.toBe('');
      }
    }
  });

  it('parses every value, label and synonym back to its own value (no ambiguity within a kind)', () => {
    for (const kind of ENUM_KINDS) {
      const synonyms: Partial<Record<string, readonly string[]>> = ENUM_SYNONYMS[kind];
      for (const value of ENUM_VALUES[kind]) {
        const label = ENUM_LABELS[kind][value]!;
        for (const text of [value, label.zh, label.en, ...(synonyms[value] ?? [])]) {
          expect(parseEnum(kind, text), `${kind}: ${text}`).toBe(value);
        }
      }
    }
  });
});

describe('parseEnum', () => {
  it.each([
    ['customerStatus', '合作中', 'active'],
    ['customerStatus', '沉睡', 'dormant'],
    ['customerStatus', ' ACTIVE ', 'active'],
    ['customerStatus', 'Ｐｒｏｓｐｅｃｔ', 'prospect'],
    ['sizeBand', '20–99', 'small'],
    ['sizeBand', 'Enterprise (1000+)', 'enterprise'],
    ['sizeBand', '中型（100–499 人）', 'medium'],
    ['customerSource', 'cold call', 'cold_call'],
    ['customerSource', 'Cold-Call', 'cold_call'],
    ['customerSource', '合作伙伴', 'partner'],
    ['customerSource', '渠道', 'partner'],
    ['teamRole', '协作人', 'co_follower'],
    ['teamAccess', '读写', 'read_write'],
    ['decisionRole', '内线', 'champion'],
    ['decisionRole', 'Decision Maker', 'decision_maker'],
    ['attitude', '反对', 'opposed'],
    ['followUpType', '微信', 'wechat'],
    ['followUpType', 'WeChat', 'wechat'],
    ['orderStatus', '退货', 'returned'],
    ['orderStatus', '已取消', 'cancelled'],
    ['serviceType', '投诉', 'complaint'],
    ['serviceSeverity', '紧急', 'critical'],
  ] as const)('%s %j → %s', (kind, text, value) => {
    expect(parseEnum(kind, text)).toBe(value);
  });

  it.each([
    ['customerStatus', ''],
    ['customerStatus', 'vip'],
    ['orderStatus', '拜访'],
    ['serviceSeverity', 'super'],
  ] as const)('%s %j → null', (kind, text) => {
    expect(parseEnum(kind, text)).toBeNull();
  });

  it('keeps kinds apart: the same word may mean different values in different kinds', () => {
    expect(parseEnum('followUpType', '电话')).toBe('call');
    expect(parseEnum('customerSource', '电话')).toBe('cold_call');
    expect(parseEnum('followUpType', '其他')).toBe('other');
  });
});

describe('helpers and zod enums', () => {
  it('isEnumValue and enumLabel', () => {
    expect(isEnumValue('orderStatus', 'returned')).toBe(true);
    expect(isEnumValue('orderStatus', '退货')).toBe(false);
    expect(enumLabel('customerStatus', 'active', 'zh-CN')).toBe('活跃');
    expect(enumLabel('customerStatus', 'active', 'en')).toBe('Active');
    expect(enumLabel('customerStatus', 'gone', 'en')).toBe('gone');
  });

  it('zod enums accept values only, with stable codes', () => {
    expect(zCustomerStatus.parse('active')).toBe('active');
    expect(zCustomerStatus.safeParse('活跃').error?.issues[0]?.message).toBe('ENUM_INVALID');
    expect(zOrderStatus.safeParse(undefined).error?.issues[0]?.message).toBe('REQUIRED');
  });
});
