import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

export interface AuditFilter {
  actorId?: string | undefined;
  /** exact action, or a prefix ending in `.*` (e.g. `auth.*`) */
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  /** inclusive lower bound of `at` (ISO) */
  from?: string | undefined;
  /** exclusive upper bound of `at` (ISO) */
  to?: string | undefined;
  /** free text, matched as a substring of actor name, entity id or action */
  q?: string | undefined;
  result?: 'success' | 'failure' | undefined;
}

export interface AuditRow {
  id: string;
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  changes: unknown;
  details: unknown;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  result: 'success' | 'failure';
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The WHERE clause of a filter plus seq bounds. Every condition is on an indexed column
 * (actor, action, entity, at — see 0001_foundation.sql) except the free text `q`, whose scan the
 * service bounds with `minSeq`.
 */
function where(
  f: AuditFilter,
  bounds: { belowSeq?: string | null; minSeq?: string | null },
  p: Params,
): string {
  const parts = ['a.tenant_id = kam_tenant()'];
  if (f.actorId) parts.push(`a.actor_id = ${p.add(f.actorId)}::uuid`);
  if (f.action?.endsWith('.*')) {
    parts.push(`a.action LIKE ${p.add(`${likeLiteral(f.action.slice(0, -1))}%`)}`);
  } else if (f.action) {
    parts.push(`a.action = ${p.add(f.action)}`);
  }
  if (f.entityType) parts.push(`a.entity_type = ${p.add(f.entityType)}`);
  if (f.entityId) parts.push(`a.entity_id = ${p.add(f.entityId)}`);
  if (f.from) parts.push(`a.at >= ${p.add(f.from)}::timestamptz`);
  if (f.to) parts.push(`a.at < ${p.add(f.to)}::timestamptz`);
  if (f.result) parts.push(`a.result = ${p.add(f.result)}`);
  if (f.q) {
    const q = p.add(`%${likeLiteral(f.q)}%`);
    parts.push(`(a.actor_name ILIKE ${q} OR a.entity_id ILIKE ${q} OR a.action ILIKE ${q})`);
  }
  if (bounds.belowSeq) parts.push(`a.seq < ${p.add(bounds.belowSeq)}::bigint`);
  if (bounds.minSeq) parts.push(`a.seq >= ${p.add(bounds.minSeq)}::bigint`);
  return parts.join(' AND ');
}

/** Entries matching the filter, newest first (keyset on seq). */
export async function listEntries(
  tx: Tx,
  f: AuditFilter,
  args: { belowSeq: string | null; minSeq: string | null; limit: number },
): Promise<AuditRow[]> {
  const p = new Params();
  const w = where(f, args, p);
  const { rows } = await tx.query<AuditRow>(
    `SELECT a.id, a.seq, a.at, a.actor_id, a.actor_name, a.action, a.entity_type, a.entity_id, a.changes,
            a.details, a.ip, a.user_agent, a.request_id, a.result
     FROM audit_log a WHERE ${w} ORDER BY a.seq DESC LIMIT ${p.add(args.limit)}`,
    p.values,
  );
  return rows;
}

/** How many entries at or below `maxSeq` match, counting at most `cap`. */
export async function countEntries(tx: Tx, f: AuditFilter, maxSeq: string, cap: number): Promise<number> {
  const p = new Params();
  const w = where(f, { belowSeq: (BigInt(maxSeq) + 1n).toString() }, p);
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM audit_log a WHERE ${w} LIMIT ${p.add(cap)}) s`,
    p.values,
  );
  return rows[0]?.n ?? 0;
}

/** The newest sequence number of the tenant ('0' when empty). */
export async function maxSeq(tx: Tx): Promise<string> {
  const { rows } = await tx.query<{ seq: string | null }>(
    'SELECT max(seq) AS seq FROM audit_log WHERE tenant_id = kam_tenant()',
  );
  return rows[0]?.seq ?? '0';
}
