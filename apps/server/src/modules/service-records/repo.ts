import type { ServiceSeverity, ServiceType } from '@kam/domain';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

/** A service record as read, with its customer's and handler's names. */
export interface ServiceRecordRow {
  id: string;
  customer_id: string;
  customer_name: string;
  type: ServiceType;
  severity: ServiceSeverity;
  title: string;
  description: string | null;
  opened_at: Date;
  /** `opened_at` with microseconds, for the keyset cursor */
  opened_key: string;
  closed_at: Date | null;
  satisfaction: number | null;
  handler_id: string | null;
  handler_name: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The writable columns by API name (closing and reopening set `closedAt`/`satisfaction`). */
export type ServiceRecordFields = {
  type: ServiceType;
  severity: ServiceSeverity;
  title: string;
  description: string | null;
  openedAt: string;
  handlerId: string | null;
  closedAt: string | null;
  satisfaction: number | null;
};

/** Keyset: `opened_at` (ISO, microseconds), id — newest first. */
export type ServiceRecordKey = [string, string];

const COLUMNS: Record<keyof ServiceRecordFields, [string, string]> = {
  type: ['type', ''],
  severity: ['severity', ''],
  title: ['title', ''],
  description: ['description', ''],
  openedAt: ['opened_at', '::timestamptz'],
  handlerId: ['handler_id', '::uuid'],
  closedAt: ['closed_at', '::timestamptz'],
  satisfaction: ['satisfaction', '::smallint'],
};

async function select(
  tx: Tx,
  p: Params,
  join: string,
  where: string[],
  limit: number,
): Promise<ServiceRecordRow[]> {
  const { rows } = await tx.query<ServiceRecordRow>(
    `SELECT s.id, s.customer_id, c.name AS customer_name, s.type, s.severity, s.title, s.description,
            s.opened_at, to_char(s.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS opened_key,
            s.closed_at, s.satisfaction, s.handler_id, h.display_name AS handler_name,
            s.version, s.created_at, s.updated_at
     FROM service_records s
     ${join}
     LEFT JOIN users h ON h.tenant_id = kam_tenant() AND h.id = s.handler_id
     WHERE s.tenant_id = kam_tenant() AND ${where.join(' AND ')}
     ORDER BY s.opened_at DESC, s.id DESC
     LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows;
}

/** Service records of the customers visible through `visibleJoin` (built on `p`), newest first. */
export async function listServiceRecords(
  tx: Tx,
  p: Params,
  visibleJoin: string,
  f: {
    customerId?: string | undefined;
    type?: string | undefined;
    severity?: string | undefined;
    open?: boolean | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    after: ServiceRecordKey | null;
  },
): Promise<ServiceRecordRow[]> {
  const where = ['TRUE'];
  if (f.customerId) where.push(`s.customer_id = ${p.add(f.customerId)}::uuid`);
  if (f.type) where.push(`s.type = ${p.add(f.type)}`);
  if (f.severity) where.push(`s.severity = ${p.add(f.severity)}`);
  if (f.open !== undefined) where.push(f.open ? 's.closed_at IS NULL' : 's.closed_at IS NOT NULL');
  if (f.from) where.push(`s.opened_at >= ${p.add(f.from)}::timestamptz`);
  if (f.to) where.push(`s.opened_at < ${p.add(f.to)}::timestamptz`);
  if (f.after) {
    where.push(`(s.opened_at, s.id) < (${p.add(f.after[0])}::timestamptz, ${p.add(f.after[1])}::uuid)`);
  }
  return select(tx, p, visibleJoin, where, f.limit);
}

/** One service record (access already checked on its customer). */
export async function getServiceRecord(tx: Tx, id: string): Promise<ServiceRecordRow | null> {
  const p = new Params();
  const rows = await select(
    tx,
    p,
    'JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = s.customer_id',
    [`s.id = ${p.add(id)}::uuid`],
    1,
  );
  return rows[0] ?? null;
}

/** An active user of the tenant (a handler must be one). */
export async function activeUserExists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query(
    `SELECT 1 FROM users WHERE tenant_id = kam_tenant() AND id = $1 AND status = 'active'`,
    [id],
  );
  return rows.length > 0;
}

export async function insertServiceRecord(
  tx: Tx,
  s: Omit<ServiceRecordFields, 'closedAt' | 'satisfaction'> & {
    id: string;
    customerId: string;
    createdBy: string;
    now: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO service_records (tenant_id, id, customer_id, type, severity, title, description, opened_at,
       handler_id, created_by, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9, $10, $10)`,
    [
      s.id,
      s.customerId,
      s.type,
      s.severity,
      s.title,
      s.description,
      s.openedAt,
      s.handlerId,
      s.createdBy,
      s.now,
    ],
  );
}

/** Sets the given fields when the version still matches; `false` otherwise. */
export async function updateServiceRecord(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
  patch: Partial<ServiceRecordFields>,
  now: Date,
): Promise<boolean> {
  const p = new Params();
  const sets = Object.entries(patch).map(([field, value]) => {
    const [column, cast] = COLUMNS[field as keyof ServiceRecordFields];
    return `${column} = ${p.add(value)}${cast}`;
  });
  const { rowCount } = await tx.query(
    `UPDATE service_records SET ${sets.join(', ')}, version = version + 1, updated_at = ${p.add(now)}
     WHERE tenant_id = kam_tenant() AND id = ${p.add(id)} AND customer_id = ${p.add(customerId)}
       AND version = ${p.add(version)}`,
    p.values,
  );
  return (rowCount ?? 0) > 0;
}

export async function deleteServiceRecord(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'DELETE FROM service_records WHERE tenant_id = kam_tenant() AND id = $1 AND customer_id = $2 AND version = $3',
    [id, customerId, version],
  );
  return (rowCount ?? 0) > 0;
}
