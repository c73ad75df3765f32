import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';

export interface AuditChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  /** dotted verb, e.g. `user.create`, `auth.login_failed`, `authz.denied` */
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  changes?: AuditChange[] | null;
  details?: Record<string, unknown> | null;
  result?: 'success' | 'failure';
}

export interface AuditWho {
  tenantId: string;
  actorId: string | null;
  actorName: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/**
 * Appends to the tenant's audit trail inside the caller's transaction, so the entry commits or rolls
 * back with the change it records. Sequence number and hash chain are assigned by the database.
 */
export async function writeAudit(tx: Tx, who: AuditWho, entry: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, entity_type, entity_id,
       changes, details, result, ip, user_agent, request_id, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '', '')`,
    [
      who.tenantId,
      timeUuid(),
      who.actorId,
      who.actorName,
      entry.action,
      entry.entityType ?? null,
      entry.entityId ?? null,
      entry.changes ? JSON.stringify(entry.changes) : null,
      entry.details ? JSON.stringify(entry.details) : null,
      entry.result ?? 'success',
      who.ip,
      who.userAgent?.slice(0, 500) ?? null,
      who.requestId,
    ],
  );
}

export type Masker = (value: unknown) => unknown;

/**
 * The changed fields between two versions of a record, for the audit trail. Fields listed in
 * `sensitive` are recorded masked; fields not listed in `fields` are ignored.
 */
const isNothing = (v: unknown) => v === null || (Array.isArray(v) && v.length === 0);

export function diffChanges<T extends Record<string, unknown>>(
  before: T | null,
  after: T | null,
  fields: readonly (keyof T & string)[],
  sensitive: Partial<Record<keyof T & string, Masker>> = {},
): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const field of fields) {
    const b = before?.[field] ?? null;
    const a = after?.[field] ?? null;
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    // Nothing before and an empty list after (or the reverse, on delete) is no change worth a line.
    if (isNothing(b) && isNothing(a)) continue;
    const mask = sensitive[field];
    changes.push({ field, before: mask ? mask(b) : b, after: mask ? mask(a) : a });
  }
  return changes;
}
