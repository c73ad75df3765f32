import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../errors.js';
import {
  type CellValue,
  headerKey,
  IMPORT_FIELDS,
  IMPORT_TYPES,
  isBlankCell,
  isBlankRow,
  suggestMapping,
  validateImportRow,
} from './fields.js';

const errorsOf = (type: (typeof IMPORT_TYPES)[number], cells: Record<string, CellValue>) => {
  const result = validateImportRow(type, cells);
  return result.ok ? [] : result.errors;
};

describe('field catalogue', () => {
  it('has unique keys, labels in both languages and valid enum kinds', () => {
    for (const type of IMPORT_TYPES) {
      const keys = IMPORT_FIELDS[type].map((f) => f.key);
      expect(new Set(keys).size, type).toBe(keys.length);
      for (const field of IMPORT_FIELDS[type]) {
        expect(field.label.zh).not.toBe('');
        expect(field.label.en).not.toBe('');
        expect(field.kind === 'enum', `${type}.${field.key}`).toBe(field.enumKind !== undefined);
      }
    }
  });

  it('marks the required fields', () => {
    const required = (type: (typeof IMPORT_TYPES)[number]) =>
      IMPORT_FIELDS[type].filter((f) => f.required).map((f) => f.key);
    expect(required('customers')).toEqual(['name']);
    expect(required('contacts')).toEqual(['customer', 'name']);
    expect(required('orders')).toEqual(['orderNo', 'customer', 'orderedAt', 'amount']);
    expect(required('follow_ups')).toEqual(['customer', 'type', 'at', 'summary']);
    expect(required('service_records')).toEqual(['customer', 'type', 'title', 'openedAt']);
  });

  it('maps every synonym of a type to its own field (no synonym shared by two fields)', () => {
    for (const type of IMPORT_TYPES) {
      for (const field of IMPORT_FIELDS[type]) {
        for (const synonym of [field.label.zh, field.label.en, ...field.synonyms]) {
          expect(suggestMapping(type, [synonym]), `${type}: ${synonym}`).toEqual([field.key]);
        }
      }
    }
  });
});

describe('suggestMapping', () => {
  it('maps Chinese headers with required markers and hints', () => {
    expect(
      suggestMapping('customers', [
        '*客户名称（必填）',
        '统一社会信用代码',
        '所属行业',
        '省/市',
        '企业规模',
        '客户来源',
        '官网',
        '详细地址',
        '标签',
        '状态',
        '客户经理',
        '备注',
        '无关列',
      ]),
    ).toEqual([
      'name',
      'creditCode',
      'industry',
      'region',
      'sizeBand',
      'source',
      'website',
      'address',
      'tags',
      'status',
      'owner',
      'notes',
      null,
    ]);
  });

  it('maps English headers', () => {
    expect(
      suggestMapping('contacts', [
        'Company Name',
        'Contact Name',
        'Job Title',
        'Dept',
        'Mobile Phone',
        'Office Phone',
        'E-mail',
        'WeChat ID',
        'Buying Role',
        'Attitude',
        'Date of Birth',
        'Primary Contact',
        'Notes',
      ]),
    ).toEqual([
      'customer',
      'name',
      'title',
      'department',
      'mobile',
      'phone',
      'email',
      'wechat',
      'decisionRole',
      'attitude',
      'birthday',
      'isPrimary',
      'notes',
    ]);
  });

  it('maps mixed and decorated headers by containment, head noun last', () => {
    expect(
      suggestMapping('orders', [
        '订单号 Order No.',
        'Customer',
        '签约日期',
        '合同金额(元)',
        '毛利',
        '回款金额',
        '回款日期',
        '应回款日期',
      ]),
    ).toEqual([
      'orderNo',
      'customer',
      'orderedAt',
      'amount',
      'grossMargin',
      'paidAmount',
      'paidAt',
      'dueDate',
    ]);
    expect(suggestMapping('contacts', ['客户', '联系人', '联系人手机号', '负责人电话'])).toEqual([
      'customer',
      'name',
      'mobile',
      'phone',
    ]);
    expect(suggestMapping('customers', ['公司名称', '客户来源渠道'])).toEqual(['name', 'source']);
  });

  it('uses each field once: the first best column wins', () => {
    expect(suggestMapping('customers', ['客户名称', '公司名称', '状态', '状态'])).toEqual([
      'name',
      null,
      'status',
      null,
    ]);
    // an exact match later in the row beats a contains-match earlier
    expect(suggestMapping('customers', ['客户名称（简称）备注', '客户名称'])).toEqual(['notes', 'name']);
  });

  it('leaves unknown and empty headers unmapped', () => {
    expect(suggestMapping('follow_ups', ['', '  ', '???', 'xyz'])).toEqual([null, null, null, null]);
    expect(suggestMapping('service_records', [])).toEqual([]);
  });

  it('compares headers without width, case, spaces, punctuation and hints', () => {
    expect(headerKey(' *客户 名称（必填） ')).toBe('客户名称');
    expect(headerKey('Ｅ－ｍａｉｌ [optional]')).toBe('email');
    expect(headerKey('（备注）')).toBe('备注');
  });
});

describe('validateImportRow — customers', () => {
  it('normalises a good row', () => {
    expect(
      validateImportRow('customers', {
        name: ' 星海科技 有限公司 ',
        creditCode: '91330100716105852f',
        industry: '制造业',
        region: '浙江省杭州市',
        sizeBand: '100-499',
        source: '转介绍',
        website: 'www.xinghai.com',
        address: ' 杭州市西湖区文三路 1 号 ',
        tags: '重点，华东',
        status: '合作中',
        owner: ' zhangsan ',
        notes: '老客户，注意回款。',
        unknownColumn: 'ignored',
      }),
    ).toEqual({
      ok: true,
      value: {
        name: '星海科技 有限公司',
        creditCode: '91330100716105852F',
        industry: 'C',
        region: { provinceCode: '330000', cityCode: '330100' },
        sizeBand: 'medium',
        source: 'referral',
        website: 'https://www.xinghai.com',
        address: '杭州市西湖区文三路 1 号',
        tags: ['重点', '华东'],
        status: 'active',
        owner: 'zhangsan',
        notes: '老客户，注意回款。',
      },
    });
  });

  it('leaves out empty optional cells and applies defaults', () => {
    expect(
      validateImportRow('customers', { name: 'ACME', creditCode: '  ', industry: null, tags: '' }),
    ).toEqual({
      ok: true,
      value: { name: 'ACME', status: 'prospect' },
    });
  });

  it.each<[string, Record<string, CellValue>, { field: string; code: string }[]]>([
    ['missing name', { name: '' }, [{ field: 'name', code: 'REQUIRED' }]],
    [
      'missing name (whitespace)',
      { name: '   ', creditCode: '91330100716105852F' },
      [{ field: 'name', code: 'REQUIRED' }],
    ],
    [
      'bad credit code',
      { name: 'ACME', creditCode: '91330100716105852E' },
      [{ field: 'creditCode', code: 'CREDIT_CODE_INVALID' }],
    ],
    [
      'credit code as an Excel number',
      { name: 'ACME', creditCode: 914403001922038100 },
      [{ field: 'creditCode', code: 'NUMERIC_CELL_TEXT_EXPECTED' }],
    ],
    [
      'unknown industry',
      { name: 'ACME', industry: '宇宙' },
      [{ field: 'industry', code: 'INDUSTRY_INVALID' }],
    ],
    ['unknown region', { name: 'ACME', region: '火星' }, [{ field: 'region', code: 'REGION_INVALID' }]],
    ['bad website', { name: 'ACME', website: 'ftp://x.com' }, [{ field: 'website', code: 'URL_INVALID' }]],
    [
      'formula without result',
      { name: { formula: 'A1&B1' } },
      [{ field: 'name', code: 'FORMULA_NOT_ALLOWED' }],
    ],
    [
      'too many tags',
      { name: 'ACME', tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(',') },
      [{ field: 'tags', code: 'TAGS_INVALID' }],
    ],
  ])('%s', (_, cells, expected) => {
    expect(errorsOf('customers', cells).map(({ field, code }) => ({ field, code }))).toEqual(expected);
  });

  it('reports enum, length and name errors with params', () => {
    expect(errorsOf('customers', { name: 'ACME', status: 'VIP' })).toEqual([
      { field: 'status', code: 'ENUM_INVALID', params: { allowed: '潜在、活跃、休眠、流失' } },
    ]);
    expect(errorsOf('customers', { name: 'A'.repeat(101) })).toEqual([
      { field: 'name', code: 'TOO_LONG', params: { max: 100 } },
    ]);
    expect(errorsOf('customers', { name: 'ACME', address: '路'.repeat(201) })).toEqual([
      { field: 'address', code: 'TOO_LONG', params: { max: 200 } },
    ]);
  });

  it('uses the cached result of a formula', () => {
    const result = validateImportRow('customers', { name: { formula: 'A1', result: '星海科技' } });
    expect(result).toEqual({ ok: true, value: { name: '星海科技', status: 'prospect' } });
  });

  it('collects every error of a row', () => {
    expect(errorsOf('customers', { name: '', creditCode: 'X', website: 'nope' }).map((e) => e.field)).toEqual(
      ['name', 'creditCode', 'website'],
    );
  });

  it('uses only codes from the catalogue', () => {
    for (const e of errorsOf('customers', {
      name: '',
      creditCode: 1,
      status: 'x',
      region: 'y',
      tags: 'z'.repeat(30),
    })) {
      expect(isErrorCode(e.code)).toBe(true);
    }
  });
});

describe('validateImportRow — contacts', () => {
  it('normalises a good row', () => {
    expect(
      validateImportRow('contacts', {
        customer: ' 91330100716105852F ',
        name: '张三',
        title: '采购经理',
        mobile: 13812345678,
        phone: '0571 8888 6666 转 8',
        email: 'Zhang@Example.COM',
        wechat: 'zs_wx',
        decisionRole: '决策人',
        attitude: '支持',
        birthday: new Date(Date.UTC(1985, 4, 20)),
        isPrimary: '是',
      }),
    ).toEqual({
      ok: true,
      value: {
        customer: '91330100716105852F',
        name: '张三',
        title: '采购经理',
        mobile: '+8613812345678',
        phone: '0571-88886666-8',
        email: 'Zhang@example.com',
        wechat: 'zs_wx',
        decisionRole: 'decision_maker',
        attitude: 'supportive',
        birthday: '1985-05-20',
        isPrimary: true,
      },
    });
  });

  it.each<[CellValue, boolean | null]>([
    ['是', true],
    ['否', false],
    ['Y', true],
    ['n', false],
    ['TRUE', true],
    ['false', false],
    [1, true],
    [0, false],
    [true, true],
    [false, false],
    ['也许', null],
  ])('isPrimary %j → %s', (cell, expected) => {
    const result = validateImportRow('contacts', { customer: 'ACME', name: '李四', isPrimary: cell });
    if (expected === null)
      expect(result).toEqual({ ok: false, errors: [{ field: 'isPrimary', code: 'INVALID_VALUE' }] });
    else expect(result.ok && result.value.isPrimary).toBe(expected);
  });

  it.each<[string, Record<string, CellValue>, { field: string; code: string }[]]>([
    [
      'missing customer and name',
      {},
      [
        { field: 'customer', code: 'REQUIRED' },
        { field: 'name', code: 'REQUIRED' },
      ],
    ],
    [
      'bad mobile',
      { customer: 'ACME', name: '王五', mobile: '1381234' },
      [{ field: 'mobile', code: 'MOBILE_INVALID' }],
    ],
    [
      'landline as a number (leading 0 lost)',
      { customer: 'ACME', name: '王五', phone: 57188886666 },
      [{ field: 'phone', code: 'NUMERIC_CELL_TEXT_EXPECTED' }],
    ],
    [
      'mobile as a number that is not a mobile',
      { customer: 'ACME', name: '王五', mobile: 12345 },
      [{ field: 'mobile', code: 'NUMERIC_CELL_TEXT_EXPECTED' }],
    ],
    [
      'bad email',
      { customer: 'ACME', name: '王五', email: 'wang@' },
      [{ field: 'email', code: 'EMAIL_INVALID' }],
    ],
    [
      'bad birthday',
      { customer: 'ACME', name: '王五', birthday: '1990-02-30' },
      [{ field: 'birthday', code: 'DATE_INVALID' }],
    ],
    [
      'bad decision role',
      { customer: 'ACME', name: '王五', decisionRole: '老板娘' },
      [{ field: 'decisionRole', code: 'ENUM_INVALID' }],
    ],
  ])('%s', (_, cells, expected) => {
    expect(errorsOf('contacts', cells).map(({ field, code }) => ({ field, code }))).toEqual(expected);
  });
});

describe('validateImportRow — orders', () => {
  it('normalises a good row with a payment', () => {
    expect(
      validateImportRow('orders', {
        orderNo: 20260105001,
        customer: '星海科技有限公司',
        orderedAt: 46027,
        amount: '¥12,345.6',
        grossMargin: -200,
        productLine: 'ERP',
        paidAmount: '1万',
        paidAt: '2026/1/20',
        dueDate: '2026年2月1日',
      }),
    ).toEqual({
      ok: true,
      value: {
        orderNo: '20260105001',
        customer: '星海科技有限公司',
        orderedAt: '2026-01-05',
        amount: '12345.60',
        grossMargin: '-200.00',
        productLine: 'ERP',
        status: 'confirmed',
        paidAmount: '10000.00',
        paidAt: '2026-01-20',
        dueDate: '2026-02-01',
      },
    });
  });

  it.each<[string, Record<string, CellValue>, { field: string; code: string }[]]>([
    [
      'negative amount',
      { orderNo: 'A1', customer: 'ACME', orderedAt: '2026-01-05', amount: '-100' },
      [{ field: 'amount', code: 'AMOUNT_NEGATIVE' }],
    ],
    [
      'three decimals',
      { orderNo: 'A1', customer: 'ACME', orderedAt: '2026-01-05', amount: '1.234' },
      [{ field: 'amount', code: 'AMOUNT_INVALID' }],
    ],
    [
      'wrong date',
      { orderNo: 'A1', customer: 'ACME', orderedAt: '2026-13-01', amount: '1' },
      [{ field: 'orderedAt', code: 'DATE_INVALID' }],
    ],
    [
      'status 退货',
      { orderNo: 'A1', customer: 'ACME', orderedAt: '2026-01-05', amount: '1', status: '作废单' },
      [{ field: 'status', code: 'ENUM_INVALID' }],
    ],
    [
      'payment date without amount',
      { orderNo: 'A1', customer: 'ACME', orderedAt: '2026-01-05', amount: '1', paidAt: '2026-01-06' },
      [{ field: 'paidAmount', code: 'REQUIRED' }],
    ],
    [
      'zero payment',
      { orderNo: 'A1', customer: 'ACME', orderedAt: '2026-01-05', amount: '1', paidAmount: 0 },
      [{ field: 'paidAmount', code: 'OUT_OF_RANGE' }],
    ],
    [
      'huge order number as a number',
      { orderNo: 1.2345678901234567e19, customer: 'ACME', orderedAt: '2026-01-05', amount: '1' },
      [{ field: 'orderNo', code: 'NUMERIC_CELL_TEXT_EXPECTED' }],
    ],
    [
      'all missing',
      {},
      [
        { field: 'orderNo', code: 'REQUIRED' },
        { field: 'customer', code: 'REQUIRED' },
        { field: 'orderedAt', code: 'REQUIRED' },
        { field: 'amount', code: 'REQUIRED' },
      ],
    ],
  ])('%s', (_, cells, expected) => {
    expect(errorsOf('orders', cells).map(({ field, code }) => ({ field, code }))).toEqual(expected);
  });

  it('reads returned orders', () => {
    const result = validateImportRow('orders', {
      orderNo: 'R1',
      customer: 'ACME',
      orderedAt: '2026-01-05',
      amount: 50,
      status: '退货',
    });
    expect(result.ok && result.value.status).toBe('returned');
  });
});

describe('validateImportRow — follow-ups', () => {
  it('normalises a good row', () => {
    expect(
      validateImportRow('follow_ups', {
        customer: 'ACME',
        type: '拜访',
        at: '2026-01-05 14:30',
        author: '张三',
        summary: '介绍新品',
        nextStep: '发报价',
        nextStepDate: '2026-01-10',
      }),
    ).toEqual({
      ok: true,
      value: {
        customer: 'ACME',
        type: 'visit',
        at: '2026-01-05T06:30:00.000Z',
        author: '张三',
        summary: '介绍新品',
        nextStep: '发报价',
        nextStepDate: '2026-01-10',
      },
    });
  });

  it.each<[string, Record<string, CellValue>, { field: string; code: string }[]]>([
    [
      'bad time',
      { customer: 'A', type: 'call', at: '明天', summary: 'x' },
      [{ field: 'at', code: 'DATE_INVALID' }],
    ],
    [
      'bad type',
      { customer: 'A', type: '飞鸽传书', at: '2026-01-05', summary: 'x' },
      [{ field: 'type', code: 'ENUM_INVALID' }],
    ],
    [
      'next step without date',
      { customer: 'A', type: 'call', at: '2026-01-05', summary: 'x', nextStep: '再约' },
      [{ field: 'nextStepDate', code: 'REQUIRED' }],
    ],
    [
      'next-step date without step',
      { customer: 'A', type: 'call', at: '2026-01-05', summary: 'x', nextStepDate: '2026-01-09' },
      [{ field: 'nextStep', code: 'REQUIRED' }],
    ],
    [
      'invalid next-step date is reported once',
      { customer: 'A', type: 'call', at: '2026-01-05', summary: 'x', nextStep: '再约', nextStepDate: '下周' },
      [{ field: 'nextStepDate', code: 'DATE_INVALID' }],
    ],
  ])('%s', (_, cells, expected) => {
    expect(errorsOf('follow_ups', cells).map(({ field, code }) => ({ field, code }))).toEqual(expected);
  });
});

describe('validateImportRow — service records', () => {
  const base = { customer: 'ACME', type: '投诉', title: '发货延迟', openedAt: '2026-01-05 09:00' };

  it('normalises a good row', () => {
    expect(
      validateImportRow('service_records', { ...base, closedAt: '2026-01-06 18:00', satisfaction: '４' }),
    ).toEqual({
      ok: true,
      value: {
        customer: 'ACME',
        type: 'complaint',
        severity: 'medium',
        title: '发货延迟',
        openedAt: '2026-01-05T01:00:00.000Z',
        closedAt: '2026-01-06T10:00:00.000Z',
        satisfaction: 4,
      },
    });
  });

  it.each<[string, Record<string, CellValue>, { field: string; code: string }[]]>([
    [
      'satisfaction without closedAt',
      { ...base, satisfaction: 5 },
      [{ field: 'closedAt', code: 'REQUIRED' }],
    ],
    [
      'satisfaction out of range',
      { ...base, closedAt: '2026-01-06', satisfaction: 6 },
      [{ field: 'satisfaction', code: 'OUT_OF_RANGE' }],
    ],
    [
      'satisfaction not a whole number',
      { ...base, closedAt: '2026-01-06', satisfaction: 3.5 },
      [{ field: 'satisfaction', code: 'INVALID_VALUE' }],
    ],
    [
      'closed before opened',
      { ...base, closedAt: '2026-01-04' },
      [{ field: 'closedAt', code: 'OUT_OF_RANGE' }],
    ],
    ['bad severity', { ...base, severity: '天塌了' }, [{ field: 'severity', code: 'ENUM_INVALID' }]],
  ])('%s', (_, cells, expected) => {
    expect(errorsOf('service_records', cells).map(({ field, code }) => ({ field, code }))).toEqual(expected);
  });
});

describe('isBlankRow', () => {
  it('treats empty, whitespace and empty formula results as blank', () => {
    expect(isBlankRow({})).toBe(true);
    expect(isBlankRow({ a: null, b: '', c: '  ', d: { formula: 'A1', result: '' } })).toBe(true);
    expect(isBlankRow([null, '', ' '])).toBe(true);
  });

  it('sees any value, including zero, false and formulas without a result', () => {
    expect(isBlankRow({ a: null, b: 0 })).toBe(false);
    expect(isBlankRow({ a: false })).toBe(false);
    expect(isBlankRow([null, 'x'])).toBe(false);
    expect(isBlankRow({ a: { formula: 'A1' } })).toBe(false);
    expect(isBlankRow({ a: new Date(0) })).toBe(false);
  });

  it('judges a single cell alike (isBlankCell)', () => {
    for (const blank of [null, undefined, '', ' \t', { formula: 'A1', result: '' }])
      expect(isBlankCell(blank)).toBe(true);
    for (const value of [0, false, 'x', { formula: 'A1' }, new Date(0)])
      expect(isBlankCell(value)).toBe(false);
  });
});
