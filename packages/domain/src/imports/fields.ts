import { validateCompanyName } from '../customers/company-name.js';
import { normalizePhone, normalizeWebsite, validateTags } from '../customers/contact-fields.js';
import { normalizeCreditCode } from '../customers/credit-code.js';
import { parseDate, parseDateTime } from '../customers/dates.js';
import { ENUM_LABELS, ENUM_VALUES, type EnumKind, parseEnum } from '../customers/enums.js';
import { findIndustry } from '../customers/industries.js';
import { parseMoney } from '../customers/money.js';
import { findRegion } from '../customers/regions.js';
import type { ErrorCode } from '../errors.js';
import type { LocalizedText } from '../i18n.js';
import { normalizeEmail } from '../validation/email.js';
import { normalizeMobile } from '../validation/mobile.js';
import { charLength, type Validated } from '../validation/result.js';

/** The record types a spreadsheet can be imported into. */
export const IMPORT_TYPES = ['customers', 'contacts', 'orders', 'follow_ups', 'service_records'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];

export type ImportFieldKind =
  | 'text'
  | 'companyName'
  | 'creditCode'
  | 'industry'
  | 'region'
  | 'enum'
  | 'tags'
  | 'mobile'
  | 'phone'
  | 'email'
  | 'website'
  | 'money'
  | 'signedMoney'
  | 'date'
  | 'dateTime'
  | 'integer'
  | 'boolean'
  | 'user'
  | 'customerRef'
  | 'contactRef';

export interface ImportField {
  /** The property name in the validated row (and the API's camelCase name). */
  readonly key: string;
  readonly label: LocalizedText;
  readonly required: boolean;
  readonly kind: ImportFieldKind;
  /** For `enum` fields. */
  readonly enumKind?: EnumKind;
  /** Header spellings users write (Chinese and English); the key and both labels count too. */
  readonly synonyms: readonly string[];
  /**
   * Long digit strings (credit code, mobile, phone, customer reference): a numeric Excel cell is
   * `NUMERIC_CELL_TEXT_EXPECTED` unless it is a whole number that still reads as a valid value
   * (`13812345678`); 18-digit codes and landlines (whose leading 0 is gone) never do.
   */
  readonly textOnly?: boolean;
  /** For `text`, `user`, `customerRef`: the longest allowed value (`TOO_LONG`). */
  readonly maxLength?: number;
  /** For `integer`: the allowed range (`OUT_OF_RANGE`). */
  readonly min?: number;
  readonly max?: number;
  /** Value used when the cell is empty (an optional field only). */
  readonly defaultValue?: string;
}

const t = (zh: string, en: string): LocalizedText => ({ zh, en });

const CUSTOMER_REF_SYNONYMS = [
  '客户',
  '客户名称',
  '客户全称',
  '所属客户',
  '公司',
  '公司名称',
  '企业名称',
  '单位名称',
  '客户编号',
  '客户信用代码',
  'customer',
  'customer name',
  'company',
  'company name',
  'account',
  'account name',
];

const customerRef: ImportField = {
  key: 'customer',
  label: t('客户（信用代码或名称）', 'Customer (credit code or name)'),
  required: true,
  kind: 'customerRef',
  textOnly: true,
  maxLength: 100,
  synonyms: CUSTOMER_REF_SYNONYMS,
};

const notes = (synonyms: string[] = []): ImportField => ({
  key: 'notes',
  label: t('备注', 'Notes'),
  required: false,
  kind: 'text',
  maxLength: 2000,
  synonyms: [
    '备注',
    '备注信息',
    '说明',
    '其他说明',
    'notes',
    'note',
    'remarks',
    'remark',
    'comments',
    ...synonyms,
  ],
});

/** The columns each record type takes, in template order. */
export const IMPORT_FIELDS: Record<ImportType, ImportField[]> = {
  customers: [
    {
      key: 'name',
      label: t('客户名称', 'Company name'),
      required: true,
      kind: 'companyName',
      synonyms: [
        '客户名称',
        '公司名称',
        '企业名称',
        '客户',
        '单位名称',
        '客户全称',
        '公司全称',
        '名称',
        'company',
        'company name',
        'customer',
        'customer name',
        'account',
        'account name',
        'name',
      ],
    },
    {
      key: 'creditCode',
      label: t('统一社会信用代码', 'Unified social credit code'),
      required: false,
      kind: 'creditCode',
      textOnly: true,
      synonyms: [
        '统一社会信用代码',
        '信用代码',
        '社会信用代码',
        '统一信用代码',
        '税号',
        '纳税人识别号',
        'uscc',
        'credit code',
        'unified social credit code',
        'tax id',
      ],
    },
    {
      key: 'industry',
      label: t('行业', 'Industry'),
      required: false,
      kind: 'industry',
      synonyms: ['行业', '所属行业', '行业分类', '行业类别', 'industry', 'sector'],
    },
    {
      key: 'region',
      label: t('地区（省/市）', 'Region (province/city)'),
      required: false,
      kind: 'region',
      synonyms: [
        '地区',
        '所在地区',
        '省市',
        '省份',
        '城市',
        '所在城市',
        '所在省份',
        '区域',
        '省/市',
        'region',
        'province',
        'city',
        'location',
      ],
    },
    {
      key: 'sizeBand',
      label: t('规模', 'Size'),
      required: false,
      kind: 'enum',
      enumKind: 'sizeBand',
      synonyms: [
        '规模',
        '企业规模',
        '公司规模',
        '人员规模',
        '员工人数',
        '人数',
        'size',
        'company size',
        'employees',
      ],
    },
    {
      key: 'source',
      label: t('客户来源', 'Source'),
      required: false,
      kind: 'enum',
      enumKind: 'customerSource',
      synonyms: ['客户来源', '来源', '获客渠道', '线索来源', 'source', 'lead source', 'customer source'],
    },
    {
      key: 'website',
      label: t('网址', 'Website'),
      required: false,
      kind: 'website',
      synonyms: ['网址', '官网', '网站', '公司网址', '公司网站', 'website', 'web site', 'url', 'homepage'],
    },
    {
      key: 'address',
      label: t('地址', 'Address'),
      required: false,
      kind: 'text',
      maxLength: 200,
      synonyms: ['地址', '详细地址', '公司地址', '办公地址', '注册地址', 'address', 'street address'],
    },
    {
      key: 'tags',
      label: t('标签', 'Tags'),
      required: false,
      kind: 'tags',
      synonyms: ['标签', '客户标签', 'tags', 'tag', 'labels'],
    },
    {
      key: 'status',
      label: t('客户状态', 'Status'),
      required: false,
      kind: 'enum',
      enumKind: 'customerStatus',
      defaultValue: 'prospect',
      synonyms: ['客户状态', '状态', 'status', 'customer status'],
    },
    {
      key: 'owner',
      label: t('负责人', 'Owner'),
      required: false,
      kind: 'user',
      maxLength: 64,
      synonyms: [
        '负责人',
        '客户经理',
        '销售',
        '业务员',
        '销售负责人',
        '客户负责人',
        '跟进人',
        '归属人',
        'owner',
        'account manager',
        'account owner',
        'sales rep',
        'sales',
      ],
    },
    notes(['客户备注']),
  ],
  contacts: [
    customerRef,
    {
      key: 'name',
      label: t('联系人姓名', 'Contact name'),
      required: true,
      kind: 'text',
      maxLength: 100,
      synonyms: [
        '联系人',
        '联系人姓名',
        '姓名',
        '名字',
        '联系人名称',
        'name',
        'contact',
        'contact name',
        'full name',
      ],
    },
    {
      key: 'title',
      label: t('职务', 'Title'),
      required: false,
      kind: 'text',
      maxLength: 100,
      synonyms: ['职务', '职位', '头衔', '岗位', 'title', 'job title', 'position'],
    },
    {
      key: 'department',
      label: t('部门', 'Department'),
      required: false,
      kind: 'text',
      maxLength: 100,
      synonyms: ['部门', '所在部门', '所属部门', 'department', 'dept'],
    },
    {
      key: 'mobile',
      label: t('手机', 'Mobile'),
      required: false,
      kind: 'mobile',
      textOnly: true,
      synonyms: [
        '手机',
        '手机号',
        '手机号码',
        '移动电话',
        '联系人手机',
        'mobile',
        'mobile phone',
        'cell',
        'cellphone',
      ],
    },
    {
      key: 'phone',
      label: t('电话', 'Phone'),
      required: false,
      kind: 'phone',
      textOnly: true,
      synonyms: [
        '电话',
        '座机',
        '固话',
        '固定电话',
        '办公电话',
        '联系电话',
        '电话号码',
        '联系人电话',
        'phone',
        'telephone',
        'tel',
        'office phone',
        'landline',
      ],
    },
    {
      key: 'email',
      label: t('邮箱', 'Email'),
      required: false,
      kind: 'email',
      synonyms: [
        '邮箱',
        '电子邮箱',
        '电子邮件',
        '邮件',
        '邮箱地址',
        'email',
        'e-mail',
        'email address',
        'mail',
      ],
    },
    {
      key: 'wechat',
      label: t('微信', 'WeChat'),
      required: false,
      kind: 'text',
      maxLength: 64,
      synonyms: ['微信', '微信号', '微信id', 'wechat', 'wechat id', 'weixin'],
    },
    {
      key: 'decisionRole',
      label: t('决策角色', 'Decision role'),
      required: false,
      kind: 'enum',
      enumKind: 'decisionRole',
      synonyms: ['决策角色', '角色', '决策链角色', '决策关系', 'decision role', 'role', 'buying role'],
    },
    {
      key: 'attitude',
      label: t('态度', 'Attitude'),
      required: false,
      kind: 'enum',
      enumKind: 'attitude',
      synonyms: ['态度', '立场', '支持度', 'attitude', 'stance'],
    },
    {
      key: 'birthday',
      label: t('生日', 'Birthday'),
      required: false,
      kind: 'date',
      synonyms: ['生日', '出生日期', '生日日期', 'birthday', 'date of birth', 'dob'],
    },
    {
      key: 'isPrimary',
      label: t('首要联系人', 'Primary contact'),
      required: false,
      kind: 'boolean',
      synonyms: [
        '首要联系人',
        '主要联系人',
        '主联系人',
        '是否主要联系人',
        '是否首要联系人',
        'primary',
        'is primary',
        'primary contact',
      ],
    },
    notes(['联系人备注']),
  ],
  orders: [
    {
      key: 'orderNo',
      label: t('订单编号', 'Order number'),
      required: true,
      kind: 'text',
      maxLength: 64,
      synonyms: [
        '订单编号',
        '订单号',
        '单号',
        '合同编号',
        '合同号',
        '订单',
        'order no',
        'order number',
        'order id',
        'order',
      ],
    },
    customerRef,
    {
      key: 'orderedAt',
      label: t('下单日期', 'Order date'),
      required: true,
      kind: 'date',
      synonyms: [
        '下单日期',
        '订单日期',
        '签约日期',
        '成交日期',
        '日期',
        '下单时间',
        'order date',
        'date',
        'ordered at',
      ],
    },
    {
      key: 'amount',
      label: t('订单金额', 'Amount'),
      required: true,
      kind: 'money',
      synonyms: [
        '订单金额',
        '金额',
        '合同金额',
        '成交金额',
        '订单总额',
        '总金额',
        'amount',
        'order amount',
        'total',
      ],
    },
    {
      key: 'grossMargin',
      label: t('毛利', 'Gross margin'),
      required: false,
      kind: 'signedMoney',
      synonyms: ['毛利', '毛利额', '毛利润', 'gross margin', 'margin', 'gross profit'],
    },
    {
      key: 'productLine',
      label: t('产品线', 'Product line'),
      required: false,
      kind: 'text',
      maxLength: 64,
      synonyms: ['产品线', '产品', '产品类别', '产品名称', 'product line', 'product'],
    },
    {
      key: 'status',
      label: t('订单状态', 'Status'),
      required: false,
      kind: 'enum',
      enumKind: 'orderStatus',
      defaultValue: 'confirmed',
      synonyms: ['订单状态', '状态', 'status', 'order status'],
    },
    {
      key: 'paidAmount',
      label: t('回款金额', 'Paid amount'),
      required: false,
      kind: 'money',
      synonyms: [
        '回款金额',
        '回款',
        '已回款',
        '收款金额',
        '付款金额',
        '已付金额',
        'paid amount',
        'payment',
        'payment amount',
      ],
    },
    {
      key: 'paidAt',
      label: t('回款日期', 'Paid on'),
      required: false,
      kind: 'date',
      synonyms: ['回款日期', '收款日期', '付款日期', '回款时间', 'paid at', 'paid on', 'payment date'],
    },
    {
      key: 'dueDate',
      label: t('应回款日期', 'Due date'),
      required: false,
      kind: 'date',
      synonyms: ['应回款日期', '到期日', '到期日期', '应收日期', '约定回款日期', '账期', 'due date', 'due'],
    },
  ],
  follow_ups: [
    customerRef,
    {
      key: 'type',
      label: t('跟进方式', 'Type'),
      required: true,
      kind: 'enum',
      enumKind: 'followUpType',
      synonyms: ['跟进方式', '跟进类型', '方式', '类型', '沟通方式', 'type', 'follow-up type', 'channel'],
    },
    {
      key: 'at',
      label: t('跟进时间', 'Time'),
      required: true,
      kind: 'dateTime',
      synonyms: [
        '跟进时间',
        '跟进日期',
        '时间',
        '日期',
        '拜访时间',
        '沟通时间',
        'time',
        'date',
        'at',
        'follow-up time',
      ],
    },
    {
      key: 'author',
      label: t('跟进人', 'Author'),
      required: false,
      kind: 'user',
      maxLength: 64,
      synonyms: ['跟进人', '记录人', '填写人', '销售', '负责人', 'author', 'owner', 'sales rep', 'by'],
    },
    {
      key: 'summary',
      label: t('跟进内容', 'Summary'),
      required: true,
      kind: 'text',
      maxLength: 2000,
      synonyms: [
        '跟进内容',
        '内容',
        '跟进记录',
        '沟通内容',
        '摘要',
        '记录',
        'summary',
        'content',
        'notes',
        'details',
      ],
    },
    {
      key: 'outcome',
      label: t('跟进结果', 'Outcome'),
      required: false,
      kind: 'text',
      maxLength: 2000,
      synonyms: ['跟进结果', '结果', '成果', 'outcome', 'result'],
    },
    {
      key: 'nextStep',
      label: t('下一步', 'Next step'),
      required: false,
      kind: 'text',
      maxLength: 500,
      synonyms: ['下一步', '下一步计划', '后续计划', '下步计划', 'next step', 'next steps', 'next action'],
    },
    {
      key: 'nextStepDate',
      label: t('下一步日期', 'Next-step date'),
      required: false,
      kind: 'date',
      synonyms: [
        '下一步日期',
        '下次跟进日期',
        '下次跟进时间',
        '计划日期',
        'next step date',
        'next follow-up date',
      ],
    },
  ],
  service_records: [
    customerRef,
    {
      key: 'type',
      label: t('服务类型', 'Type'),
      required: true,
      kind: 'enum',
      enumKind: 'serviceType',
      synonyms: ['服务类型', '类型', '工单类型', '问题类型', 'type', 'ticket type'],
    },
    {
      key: 'severity',
      label: t('严重程度', 'Severity'),
      required: false,
      kind: 'enum',
      enumKind: 'serviceSeverity',
      defaultValue: 'medium',
      synonyms: ['严重程度', '级别', '优先级', '紧急程度', '等级', 'severity', 'priority', 'level'],
    },
    {
      key: 'title',
      label: t('标题', 'Title'),
      required: true,
      kind: 'text',
      maxLength: 200,
      synonyms: ['标题', '主题', '问题', '工单标题', '问题标题', 'title', 'subject', 'issue'],
    },
    {
      key: 'description',
      label: t('描述', 'Description'),
      required: false,
      kind: 'text',
      maxLength: 5000,
      synonyms: ['描述', '问题描述', '详情', '详细描述', '内容', 'description', 'details'],
    },
    {
      key: 'openedAt',
      label: t('创建时间', 'Opened at'),
      required: true,
      kind: 'dateTime',
      synonyms: [
        '创建时间',
        '受理时间',
        '开始时间',
        '提交时间',
        '报告时间',
        '开单时间',
        'opened at',
        'created at',
        'opened',
        'created',
      ],
    },
    {
      key: 'closedAt',
      label: t('关闭时间', 'Closed at'),
      required: false,
      kind: 'dateTime',
      synonyms: [
        '关闭时间',
        '解决时间',
        '完成时间',
        '结束时间',
        '结案时间',
        'closed at',
        'resolved at',
        'closed',
      ],
    },
    {
      key: 'satisfaction',
      label: t('满意度（1–5）', 'Satisfaction (1–5)'),
      required: false,
      kind: 'integer',
      min: 1,
      max: 5,
      synonyms: ['满意度', '满意度评分', '评分', '客户满意度', 'satisfaction', 'rating', 'csat', 'score'],
    },
  ],
};

// ——— column mapping ————————————————————————————————————————————————————————————————————————————

/** Header comparison form: NFKC, lower-case, without bracketed hints, `*` markers, spaces and punctuation. */
export function headerKey(header: string): string {
  const text = header.normalize('NFKC').toLowerCase();
  const strip = (s: string) => s.replace(/[\s\p{P}\p{S}]+/gu, '');
  const withoutHints = strip(text.replace(/\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|<[^>]*>/g, ''));
  return withoutHints === '' ? strip(text) : withoutHints;
}

const SYNONYM_KEYS = new Map<ImportType, { field: ImportField; keys: string[] }[]>(
  IMPORT_TYPES.map((type) => [
    type,
    IMPORT_FIELDS[type].map((field) => ({
      field,
      keys: [
        ...new Set(
          [field.key, field.label.zh, field.label.en, ...field.synonyms]
            .map(headerKey)
            .filter((k) => k !== ''),
        ),
      ],
    })),
  ]),
);

/** How well a header names a field when it only contains a synonym: the head noun comes last. */
function containsScore(header: string, key: string): number {
  if (key.length < 2 || (/^[a-z0-9]+$/.test(key) && key.length < 3)) return 0;
  if (header.endsWith(key)) return 1000 + key.length;
  if (header.includes(key)) return key.length;
  return 0;
}

/**
 * The suggested field key for each column (or `null`): first exact matches of the header against a
 * field's key, labels and synonyms (compared by `headerKey`, so `*客户名称（必填）` is `客户名称`), then
 * headers that contain a synonym (a synonym at the end counts most: `客户来源` is the source, not the
 * customer). Each field is used once; the first column that matches best wins.
 */
export function suggestMapping(type: ImportType, headers: string[]): (string | null)[] {
  const fields = SYNONYM_KEYS.get(type) ?? [];
  const keys = headers.map(headerKey);
  const result: (string | null)[] = headers.map(() => null);
  const used = new Set<string>();

  keys.forEach((key, column) => {
    if (key === '') return;
    const match = fields.find((f) => !used.has(f.field.key) && f.keys.includes(key));
    if (match) {
      result[column] = match.field.key;
      used.add(match.field.key);
    }
  });

  keys.forEach((key, column) => {
    if (key === '' || result[column] !== null) return;
    let best: { field: string; score: number } | null = null;
    for (const f of fields) {
      if (used.has(f.field.key)) continue;
      const score = Math.max(0, ...f.keys.map((k) => containsScore(key, k)));
      if (score > 0 && (best === null || score > best.score)) best = { field: f.field.key, score };
    }
    if (best) {
      result[column] = best.field;
      used.add(best.field);
    }
  });
  return result;
}

// ——— row validation ————————————————————————————————————————————————————————————————————————————

/** A cell as the reader delivers it (exceljs values; CSV gives strings). */
export type CellValue =
  | string
  | number
  | boolean
  | Date
  | null
  | { formula: string; result?: string | number | boolean | Date | null };

export interface ImportRowError {
  readonly field: string;
  readonly code: ErrorCode;
  readonly params?: Record<string, string | number>;
}

export type ImportRowResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; errors: ImportRowError[] };

type Plain = string | number | boolean | Date;

function isBlankPlain(value: Plain | null | undefined): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** True when the cell holds nothing (empty strings and whitespace count as nothing). */
export function isBlankCell(cell: CellValue | undefined): boolean {
  if (cell !== null && typeof cell === 'object' && !(cell instanceof Date)) {
    return cell.result !== undefined && isBlankPlain(cell.result);
  }
  return isBlankPlain(cell);
}

/** True when no cell of the row holds anything (empty strings and whitespace count as nothing). */
export function isBlankRow(cells: Record<string, CellValue> | readonly CellValue[]): boolean {
  return Object.values(cells).every(isBlankCell);
}

const YES = new Set(['是', '有', 'y', 'yes', 'true', '1', '√', '✓', '✔', '主要', '首要']);
const NO = new Set(['否', '无', '不是', 'n', 'no', 'false', '0', '×', '✗', '✘']);

type FieldResult = { ok: true; value: unknown } | { ok: false; error: Omit<ImportRowError, 'field'> };

const fail = (code: ErrorCode, params?: Record<string, string | number>): FieldResult => ({
  ok: false,
  error: params ? { code, params } : { code },
});

function fromValidated<V>(result: Validated<ErrorCode, V>): FieldResult {
  return result.ok ? { ok: true, value: result.value } : fail(result.code);
}

/** Text of a cell for text-like fields; `null` when a number cannot stand for the text it was. */
function cellText(value: Plain, textOnly: boolean): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    return textOnly || !Number.isFinite(value) || Math.abs(value) >= 1e15 ? null : String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const date = parseDate(value);
  return date.ok ? date.value : null;
}

function validateField(field: ImportField, value: Plain): FieldResult {
  const textOnly = field.textOnly === true;
  switch (field.kind) {
    case 'money':
    case 'signedMoney': {
      if (typeof value !== 'string' && typeof value !== 'number') return fail('AMOUNT_INVALID');
      return fromValidated(parseMoney(value, { allowNegative: field.kind === 'signedMoney' }));
    }
    case 'date':
      return typeof value === 'boolean' ? fail('DATE_INVALID') : fromValidated(parseDate(value));
    case 'dateTime':
      return typeof value === 'boolean' ? fail('DATE_INVALID') : fromValidated(parseDateTime(value));
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const text = String(value instanceof Date ? '' : value)
        .normalize('NFKC')
        .trim()
        .toLowerCase();
      if (YES.has(text)) return { ok: true, value: true };
      if (NO.has(text)) return { ok: true, value: false };
      return fail('INVALID_VALUE');
    }
    case 'integer': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string'
            ? Number(value.normalize('NFKC').trim())
            : NaN;
      if (!Number.isInteger(n)) return fail('INVALID_VALUE');
      if ((field.min !== undefined && n < field.min) || (field.max !== undefined && n > field.max)) {
        return fail('OUT_OF_RANGE');
      }
      return { ok: true, value: n };
    }
    default:
      break;
  }

  const raw = cellText(value, textOnly);
  if (raw === null) return fail(typeof value === 'number' ? 'NUMERIC_CELL_TEXT_EXPECTED' : 'INVALID_VALUE');
  // A numeric cell in a text-only column is accepted only when its digits are a valid value.
  const numericCell = typeof value === 'number';
  const orNumeric = (result: FieldResult): FieldResult =>
    !result.ok && numericCell && textOnly ? fail('NUMERIC_CELL_TEXT_EXPECTED') : result;

  switch (field.kind) {
    case 'companyName': {
      const result = validateCompanyName(raw);
      if (!result.ok && result.code === 'TOO_LONG') return fail('TOO_LONG', { max: 100 });
      return fromValidated(result);
    }
    case 'creditCode':
      return orNumeric(fromValidated(normalizeCreditCode(raw)));
    case 'mobile':
      return orNumeric(fromValidated(normalizeMobile(raw)));
    case 'phone':
      return orNumeric(fromValidated(normalizePhone(raw)));
    case 'email':
      return fromValidated(normalizeEmail(raw));
    case 'website':
      return fromValidated(normalizeWebsite(raw));
    case 'tags':
      return fromValidated(validateTags(raw));
    case 'industry': {
      const code = findIndustry(raw);
      return code === null ? fail('INDUSTRY_INVALID') : { ok: true, value: code };
    }
    case 'region': {
      const region = findRegion(raw);
      return region === null ? fail('REGION_INVALID') : { ok: true, value: region };
    }
    case 'enum': {
      const kind = field.enumKind;
      if (kind === undefined) return fail('ENUM_INVALID');
      const parsed = parseEnum(kind, raw);
      if (parsed !== null) return { ok: true, value: parsed };
      const allowed = (ENUM_VALUES[kind] as readonly string[]).map((v) => ENUM_LABELS[kind][v]?.zh ?? v);
      return fail('ENUM_INVALID', { allowed: allowed.join('、') });
    }
    default: {
      // text, user, customerRef, contactRef: trimmed (references also NFKC and single-spaced)
      const isRef = field.kind !== 'text';
      const text = isRef ? raw.normalize('NFKC').trim().replace(/\s+/g, ' ') : raw.trim();
      if (field.maxLength !== undefined && charLength(text) > field.maxLength) {
        return fail('TOO_LONG', { max: field.maxLength });
      }
      if (isRef && /\p{Cc}/u.test(text)) return fail('INVALID_VALUE');
      return { ok: true, value: text };
    }
  }
}

/** Cross-field rules; a rule is skipped when one of its fields already has an error. */
function crossFieldErrors(
  type: ImportType,
  value: Record<string, unknown>,
  failed: ReadonlySet<string>,
): ImportRowError[] {
  const all: (ImportRowError & { involves: string[] })[] = [];
  const errors = {
    push: (error: ImportRowError, ...involves: string[]) => all.push({ ...error, involves }),
  };
  if (type === 'orders') {
    if (value.paidAmount === undefined && (value.paidAt !== undefined || value.dueDate !== undefined)) {
      errors.push({ field: 'paidAmount', code: 'REQUIRED' }, 'paidAmount', 'paidAt', 'dueDate');
    }
    if (value.paidAmount === '0.00') errors.push({ field: 'paidAmount', code: 'OUT_OF_RANGE' }, 'paidAmount');
  }
  if (type === 'follow_ups') {
    if (value.nextStep !== undefined && value.nextStepDate === undefined) {
      errors.push({ field: 'nextStepDate', code: 'REQUIRED' }, 'nextStep', 'nextStepDate');
    }
    if (value.nextStep === undefined && value.nextStepDate !== undefined) {
      errors.push({ field: 'nextStep', code: 'REQUIRED' }, 'nextStep', 'nextStepDate');
    }
  }
  if (type === 'service_records') {
    if (value.satisfaction !== undefined && value.closedAt === undefined) {
      errors.push({ field: 'closedAt', code: 'REQUIRED' }, 'satisfaction', 'closedAt');
    }
    if (
      typeof value.closedAt === 'string' &&
      typeof value.openedAt === 'string' &&
      value.closedAt < value.openedAt
    ) {
      errors.push({ field: 'closedAt', code: 'OUT_OF_RANGE' }, 'openedAt', 'closedAt');
    }
  }
  return all.filter((e) => !e.involves.some((f) => failed.has(f))).map(({ involves: _, ...error }) => error);
}

/**
 * The pure checks of one data row, cells keyed by field key (unmapped fields absent). Empty cells
 * (also whitespace-only) are missing: a required one is `REQUIRED`, an optional one is left out of the
 * value (or takes the field's `defaultValue`). A formula cell counts by its cached result; without one
 * it is `FORMULA_NOT_ALLOWED`. Values come out normalised: credit codes upper-case, money as canonical
 * strings, dates `YYYY-MM-DD`, date-times ISO (UTC), region `{ provinceCode, cityCode }`, industry
 * `A`–`T`, enums as values, tags `string[]`, `isPrimary` boolean, satisfaction a number; owners,
 * authors and customer references as trimmed text for the server to resolve. Cross-field rules: a
 * payment date or due date needs a paid amount (> 0); next step and its date go together; satisfaction
 * needs a closing time, which is not before the opening time. Unknown keys in `cells` are ignored.
 */
export function validateImportRow(type: ImportType, cells: Record<string, CellValue>): ImportRowResult {
  const value: Record<string, unknown> = {};
  const errors: ImportRowError[] = [];
  for (const field of IMPORT_FIELDS[type]) {
    let cell: CellValue | undefined = Object.hasOwn(cells, field.key) ? cells[field.key] : undefined;
    if (cell !== null && cell !== undefined && typeof cell === 'object' && !(cell instanceof Date)) {
      if (cell.result === undefined) {
        errors.push({ field: field.key, code: 'FORMULA_NOT_ALLOWED' });
        continue;
      }
      cell = cell.result;
    }
    if (cell === undefined || isBlankPlain(cell)) {
      if (field.required) errors.push({ field: field.key, code: 'REQUIRED' });
      else if (field.defaultValue !== undefined) value[field.key] = field.defaultValue;
      continue;
    }
    const result = validateField(field, cell as Plain);
    if (result.ok) value[field.key] = result.value;
    else errors.push({ field: field.key, ...result.error });
  }
  errors.push(...crossFieldErrors(type, value, new Set(errors.map((e) => e.field))));
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}
