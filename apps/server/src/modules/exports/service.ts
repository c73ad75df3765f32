import { PassThrough, type Readable } from 'node:stream';
import { can, effectiveFieldRules, enumLabel, type Locale, type PermissionKey } from '@kam/domain';
import { customerScopeSql } from '../../access/customer-scope.js';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import type { CustomerFilter } from '../customers/schemas.js';
import { type Customer, listCustomers } from '../customers/service.js';
import { type ColumnSpec, XlsxStreamWriter } from '../imports/sheet.js';

/** At most this many customers per export (decision 0011): more → 413 EXPORT_TOO_LARGE. */
export const EXPORT_MAX_ROWS = 100_000;
/** The cap in force (tests lower it to check the refusal without 100,000 customers). */
export const exportLimits = { maxRows: EXPORT_MAX_ROWS };
/** Rows fetched per page from the customer list service while streaming. */
const EXPORT_PAGE = 1000;

const AMOUNT_FORMAT = '"¥"#,##0.00';
const DATE_FORMAT = 'yyyy-mm-dd';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';

type Cell = string | number | Date | null;

interface ExportColumn {
  key: string;
  zh: string;
  en: string;
  numFmt?: string;
  width?: number;
  /** the catalogue field a field rule may hide (column absent then) */
  guardedBy?: string;
  /** a permission the column needs (absent without it) */
  requires?: PermissionKey;
  value(c: Customer, locale: Locale): Cell;
}

/** A moment as Excel shows it: Excel dates have no time zone, so Beijing wall-clock time. */
const shanghai = (iso: string | null | undefined): Date | null =>
  iso ? new Date(new Date(iso).getTime() + 8 * 3600_000) : null;
/** A 'YYYY-MM-DD' date as an Excel date. */
const day = (d: string | null | undefined): Date | null => (d ? new Date(`${d}T00:00:00Z`) : null);
const label = (kind: Parameters<typeof enumLabel>[0], v: string | null, locale: Locale) =>
  v === null ? null : enumLabel(kind, v, locale);

const COLUMNS: ExportColumn[] = [
  { key: 'name', zh: '客户名称', en: 'Customer name', width: 36, value: (c) => c.name },
  {
    key: 'creditCode',
    zh: '统一社会信用代码',
    en: 'Credit code',
    numFmt: '@',
    width: 22,
    guardedBy: 'creditCode',
    value: (c) => c.creditCode ?? null,
  },
  { key: 'industry', zh: '行业', en: 'Industry', value: (c) => c.industry },
  { key: 'provinceCode', zh: '省份代码', en: 'Province code', numFmt: '@', value: (c) => c.provinceCode },
  { key: 'cityCode', zh: '城市代码', en: 'City code', numFmt: '@', value: (c) => c.cityCode },
  { key: 'sizeBand', zh: '规模', en: 'Size', value: (c, l) => label('sizeBand', c.sizeBand, l) },
  { key: 'source', zh: '来源', en: 'Source', value: (c, l) => label('customerSource', c.source, l) },
  { key: 'status', zh: '状态', en: 'Status', value: (c, l) => label('customerStatus', c.status, l) },
  // the tier of record as the model names it (an approved manual change shows its tier)
  { key: 'tier', zh: '客户级别', en: 'Tier', requires: 'tiering.view', value: (c) => c.tier?.name ?? null },
  { key: 'tags', zh: '标签', en: 'Tags', value: (c) => (c.tags.length ? c.tags.join(', ') : null) },
  { key: 'ownerName', zh: '负责人', en: 'Owner', value: (c) => c.ownerName },
  { key: 'departmentName', zh: '所属部门', en: 'Department', value: (c) => c.departmentName },
  { key: 'website', zh: '网址', en: 'Website', guardedBy: 'website', value: (c) => c.website ?? null },
  {
    key: 'address',
    zh: '地址',
    en: 'Address',
    width: 36,
    guardedBy: 'address',
    value: (c) => c.address ?? null,
  },
  {
    key: 'revenue12m',
    zh: '近 12 个月收入',
    en: 'Revenue (12 months)',
    numFmt: AMOUNT_FORMAT,
    width: 18,
    guardedBy: 'revenue12m',
    // numeric(18,2) as a decimal string: exact in a double up to 2^53 fen, far above any revenue
    value: (c) => (c.revenue12m === undefined ? null : Number(c.revenue12m)),
  },
  { key: 'orders12m', zh: '近 12 个月订单数', en: 'Orders (12 months)', value: (c) => c.orders12m },
  {
    key: 'lastOrderAt',
    zh: '最近下单日期',
    en: 'Last order',
    numFmt: DATE_FORMAT,
    value: (c) => day(c.lastOrderAt),
  },
  {
    key: 'lastFollowUpAt',
    zh: '最近跟进时间',
    en: 'Last follow-up',
    numFmt: DATETIME_FORMAT,
    width: 18,
    value: (c) => shanghai(c.lastFollowUpAt),
  },
  { key: 'notes', zh: '备注', en: 'Notes', width: 40, guardedBy: 'notes', value: (c) => c.notes ?? null },
  {
    key: 'createdAt',
    zh: '创建时间',
    en: 'Created',
    numFmt: DATETIME_FORMAT,
    width: 18,
    value: (c) => shanghai(c.createdAt),
  },
  {
    key: 'updatedAt',
    zh: '更新时间',
    en: 'Updated',
    numFmt: DATETIME_FORMAT,
    width: 18,
    value: (c) => shanghai(c.updatedAt),
  },
];

export interface CustomerExport {
  filename: string;
  rows: number;
  stream: Readable;
}

/** Filter keys that only order the list or choose the bin: they narrow nothing. */
const NOT_NARROWING = new Set(['sort', 'order', 'deleted']);

/**
 * How many customers the filter matches, up to `cap + 1`. Without a narrowing condition that is the
 * scope's count (one index count); otherwise — or when the scope holds more than the cap — the
 * filtered pages are counted, through the list service itself so the filter means exactly what the
 * list means.
 */
async function countUpTo(ctx: ServiceContext, filter: CustomerFilter, cap: number): Promise<number> {
  const narrowing = Object.entries(filter).some(([k, v]) => v !== undefined && !NOT_NARROWING.has(k));
  if (!narrowing) {
    const inScope = await scopeCount(ctx, filter, cap);
    if (inScope <= cap) return inScope;
  }
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await listCustomers(ctx, { ...filter, limit: EXPORT_PAGE, cursor });
    n += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && n <= cap);
  return n;
}

/** The customers in the actor's scope (live, or the deleted bin), up to `cap + 1`. */
async function scopeCount(ctx: ServiceContext, filter: CustomerFilter, cap: number): Promise<number> {
  const p = new Params();
  const scope = customerScopeSql(ctx.actor, 'customer', filter.deleted ? 'delete' : 'view', p) ?? 'FALSE';
  return inTenant(ctx, async (tx) => {
    const { rows } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM customers c
       WHERE c.tenant_id = kam_tenant() AND c.deleted_at IS ${filter.deleted ? 'NOT ' : ''}NULL AND ${scope}
       LIMIT ${p.add(cap + 1)}) x`,
      p.values,
    );
    return rows[0]!.n;
  });
}

/**
 * The customers of the list filter as a streamed .xlsx: only those the actor may see (the list
 * service's scope), field rules applied (masked values stay masked, hidden fields are no column),
 * headers in the request language. Audited as `customer.export` with the row count and filter.
 */
export async function exportCustomers(
  ctx: ServiceContext,
  filter: CustomerFilter,
  locale: Locale,
): Promise<CustomerExport> {
  const max = exportLimits.maxRows;
  const rows = await countUpTo(ctx, filter, max);
  if (rows > max) throw new AppError('EXPORT_TOO_LARGE', { max }, { max });
  const rules = effectiveFieldRules(ctx.actor, 'customer');
  const columns = COLUMNS.filter(
    (c) => (!c.guardedBy || rules[c.guardedBy] !== 'hidden') && (!c.requires || can(ctx.actor, c.requires)),
  );
  await inTenant(ctx, (tx) =>
    writeAudit(tx, auditWho(ctx), {
      action: 'customer.export',
      entityType: 'customer',
      details: {
        rows,
        filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
        columns: columns.map((c) => c.key),
        format: 'xlsx',
      },
    }),
  );

  const out = new PassThrough();
  const write = async () => {
    const book = new XlsxStreamWriter(out);
    const specs: ColumnSpec[] = columns.map((c) => ({
      header: locale === 'en' ? c.en : c.zh,
      ...(c.numFmt ? { numFmt: c.numFmt } : {}),
      ...(c.width ? { width: c.width } : {}),
    }));
    const sheet = book.sheet(locale === 'en' ? 'Customers' : '客户', specs);
    let cursor: string | undefined;
    let written = 0;
    do {
      const page = await listCustomers(ctx, { ...filter, limit: EXPORT_PAGE, cursor });
      for (const c of page.items) {
        if (written >= rows) break;
        sheet.add(columns.map((col) => col.value(c, locale)));
        written++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor && written < rows);
    sheet.done();
    await book.finish();
  };
  write().catch((err) => out.destroy(err as Error));
  const stamp = ctx.now.toISOString().slice(0, 10).replaceAll('-', '');
  return { filename: `customers-${stamp}.xlsx`, rows, stream: out };
}
