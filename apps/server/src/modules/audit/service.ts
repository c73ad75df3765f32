import { Readable } from 'node:stream';
import type { Locale } from '@kam/domain';
import { inTenant, type ServiceContext } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../http/schemas.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo.js';
import { type ChainVerification, verifyTenantChain } from './verify.js';
import { writeAudit } from './writer.js';

export type { AuditFilter } from './repo.js';

/** With free text `q`, one list request examines at most this many entries (newest first). */
export const Q_SCAN_WINDOW = 20_000n;
/** Most rows one CSV export contains (stated in the `x-export-row-limit` header). */
export const EXPORT_ROW_CAP = 100_000;
/** Rows per database round trip while streaming an export. */
const EXPORT_PAGE = 1_000;

export interface AuditItem {
  id: string;
  seq: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  changes: unknown;
  details: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  result: 'success' | 'failure';
}

function present(r: repo.AuditRow): AuditItem {
  return {
    id: r.id,
    seq: r.seq,
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    changes: r.changes,
    details: r.details,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    result: r.result,
  };
}

function cursorSeq(cursor: string | undefined): string | null {
  const v = decodeCursor(cursor, 1)?.[0];
  return typeof v === 'string' && /^[1-9]\d{0,18}$/.test(v) ? v : null;
}

/**
 * Audit entries, newest first, keyset-paged on seq. Filters use the indexes; the free-text `q` is
 * bounded: each request examines at most Q_SCAN_WINDOW entries, so a page can hold fewer items than
 * `limit` (even none) while `nextCursor` continues the search further back.
 */
export async function listAuditLogs(
  ctx: ServiceContext,
  q: repo.AuditFilter & { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditItem[]; nextCursor: string | null }> {
  const belowSeq = cursorSeq(q.cursor);
  return inTenant(ctx, async (tx) => {
    let minSeq: bigint | null = null;
    if (q.q) {
      const upper = belowSeq ? BigInt(belowSeq) : BigInt(await repo.maxSeq(tx)) + 1n;
      minSeq = upper - Q_SCAN_WINDOW > 1n ? upper - Q_SCAN_WINDOW : null;
    }
    const rows = await repo.listEntries(tx, q, {
      belowSeq,
      minSeq: minSeq === null ? null : minSeq.toString(),
      limit: q.limit + 1,
    });
    const items = rows.slice(0, q.limit).map(present);
    let nextCursor: string | null = null;
    if (rows.length > q.limit) nextCursor = encodeCursor([items.at(-1)!.seq]);
    else if (minSeq !== null) nextCursor = encodeCursor([minSeq.toString()]);
    return { items, nextCursor };
  });
}

/** Recomputes the organisation's hash chain; the check itself is recorded in the chain. */
export async function verifyAuditChain(ctx: ServiceContext): Promise<ChainVerification> {
  return inTenant(ctx, async (tx) => {
    const result = await verifyTenantChain(tx);
    await writeAudit(tx, auditWho(ctx), {
      action: 'audit.verify',
      result: result.ok ? 'success' : 'failure',
      details: { checked: result.checked, firstBroken: result.firstBroken },
    });
    return result;
  });
}

// ---------------------------------------------------------------------------------------------
// CSV export

const HEADERS: Record<Locale, string[]> = {
  'zh-CN': [
    '序号',
    '时间',
    '操作人',
    '操作人ID',
    '操作',
    '对象类型',
    '对象ID',
    '结果',
    'IP',
    '客户端',
    '请求ID',
    '变更',
    '详情',
  ],
  en: [
    'Seq',
    'Time',
    'Actor',
    'Actor ID',
    'Action',
    'Entity type',
    'Entity ID',
    'Result',
    'IP',
    'User agent',
    'Request ID',
    'Changes',
    'Details',
  ],
};

/**
 * One CSV field: quoted when needed; text that a spreadsheet would run as a formula (leading = + - @,
 * tab, CR) is prefixed with an apostrophe — audit entries contain user-typed names.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLine(r: repo.AuditRow): string {
  return `${[
    r.seq,
    r.at.toISOString(),
    r.actor_name,
    r.actor_id,
    r.action,
    r.entity_type,
    r.entity_id,
    r.result,
    r.ip,
    r.user_agent,
    r.request_id,
    r.changes,
    r.details,
  ]
    .map(csvField)
    .join(',')}\r\n`;
}

export interface AuditExport {
  filename: string;
  rows: number;
  truncated: boolean;
  cap: number;
  stream: Readable;
}

/**
 * Exports the matching entries as CSV (UTF-8 with BOM, so Excel reads Chinese correctly), newest
 * first, at most EXPORT_ROW_CAP rows. The export is recorded (`audit.export`, with the filter and the
 * row count) before any data leaves: the entries up to the current newest seq are counted, the record
 * is committed, then exactly those entries are streamed in keyset pages, one short transaction each.
 */
export async function exportAuditLogs(
  ctx: ServiceContext,
  filter: repo.AuditFilter,
  locale: Locale,
): Promise<AuditExport> {
  const { upper, rows, truncated } = await inTenant(ctx, async (tx) => {
    const upper = await repo.maxSeq(tx);
    const count = await repo.countEntries(tx, filter, upper, EXPORT_ROW_CAP + 1);
    const rows = Math.min(count, EXPORT_ROW_CAP);
    const truncated = count > EXPORT_ROW_CAP;
    await writeAudit(tx, auditWho(ctx), {
      action: 'audit.export',
      details: { filter: definedOnly(filter), rows, truncated, cap: EXPORT_ROW_CAP, format: 'csv' },
    });
    return { upper, rows, truncated };
  });

  async function* generate(): AsyncGenerator<Buffer> {
    yield Buffer.from(`\uFEFF${HEADERS[locale].map(csvField).join(',')}\r\n`, 'utf8');
    let remaining = rows;
    let belowSeq = (BigInt(upper) + 1n).toString();
    while (remaining > 0) {
      const page = await inTenant(ctx, (tx) =>
        repo.listEntries(tx, filter, { belowSeq, minSeq: null, limit: Math.min(EXPORT_PAGE, remaining) }),
      );
      if (page.length === 0) break;
      yield Buffer.from(page.map(csvLine).join(''), 'utf8');
      remaining -= page.length;
      belowSeq = page.at(-1)!.seq;
    }
  }

  const day = ctx.now.toISOString().slice(0, 10).replaceAll('-', '');
  return {
    filename: `audit-${day}.csv`,
    rows,
    truncated,
    cap: EXPORT_ROW_CAP,
    stream: Readable.from(generate(), { objectMode: false }),
  };
}

function definedOnly(f: repo.AuditFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;
}
