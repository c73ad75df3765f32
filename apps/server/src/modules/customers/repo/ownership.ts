import type { Params } from '../../../access/sql.js';
import type { Tx } from '../../../db/database.js';

export type OwnershipKind = 'create' | 'assign' | 'transfer' | 'handover' | 'merge' | 'import';

export async function insertOwnership(
  tx: Tx,
  h: {
    customerId: string;
    kind: OwnershipKind;
    fromOwnerId: string | null;
    toOwnerId: string | null;
    fromDepartmentId: string | null;
    toDepartmentId: string | null;
    reason: string | null;
    actorId: string;
    now: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO customer_ownership_history (tenant_id, id, customer_id, kind, from_owner_id, to_owner_id,
       from_department_id, to_department_id, reason, changed_by, changed_at)
     VALUES (kam_tenant(), kam_time_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      h.customerId,
      h.kind,
      h.fromOwnerId,
      h.toOwnerId,
      h.fromDepartmentId,
      h.toDepartmentId,
      h.reason,
      h.actorId,
      h.now,
    ],
  );
}

/** Hands the open next steps of `fromId` on these customers to `toId`; the number moved. */
export async function moveOpenFollowUps(
  tx: Tx,
  customerIds: string[],
  fromId: string,
  toId: string,
  now: Date,
): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE follow_ups SET next_step_owner_id = $3, version = version + 1, updated_at = $4
     WHERE tenant_id = kam_tenant() AND customer_id = ANY($1::uuid[]) AND next_step_owner_id = $2
       AND next_step_done_at IS NULL`,
    [customerIds, fromId, toId, now],
  );
  return rowCount ?? 0;
}

/** Sets owner and department; `false` when the version no longer matches. */
export async function setOwner(
  tx: Tx,
  id: string,
  version: number,
  owner: { id: string; departmentId: string | null },
  actorId: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE customers SET owner_id = $3, department_id = $4, updated_by = $5, updated_at = $6, version = version + 1
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [id, version, owner.id, owner.departmentId, actorId, now],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Moves the live customers of `fromOwnerId` matching `scope` (the actor's assign scope, built on `p`)
 * and, when given, `customerIds` to the new owner, with one history row each — one statement, the
 * rows locked first. The moved ids, sorted.
 */
export async function transferOwned(
  tx: Tx,
  p: Params,
  args: {
    scope: string;
    fromOwnerId: string;
    customerIds: string[] | undefined;
    to: { id: string; departmentId: string | null };
    kind: OwnershipKind;
    reason: string;
    actorId: string;
    now: Date;
  },
): Promise<string[]> {
  const fromP = p.add(args.fromOwnerId);
  const idsFilter = args.customerIds ? ` AND c.id = ANY(${p.add(args.customerIds)}::uuid[])` : '';
  const toP = p.add(args.to.id);
  const toDept = p.add(args.to.departmentId);
  const actor = p.add(args.actorId);
  const now = p.add(args.now);
  const { rows } = await tx.query<{ id: string }>(
    `WITH target AS (
       SELECT c.id, c.department_id FROM customers c
       WHERE c.tenant_id = kam_tenant() AND c.owner_id = ${fromP}::uuid AND c.deleted_at IS NULL
         AND ${args.scope}${idsFilter}
       FOR NO KEY UPDATE OF c
     ), moved AS (
       UPDATE customers c SET owner_id = ${toP}::uuid, department_id = ${toDept}::uuid,
         updated_by = ${actor}::uuid, updated_at = ${now}::timestamptz, version = c.version + 1
       FROM target t WHERE c.tenant_id = kam_tenant() AND c.id = t.id
       RETURNING c.id
     ), history AS (
       INSERT INTO customer_ownership_history (tenant_id, id, customer_id, kind, from_owner_id, to_owner_id,
         from_department_id, to_department_id, reason, changed_by, changed_at)
       SELECT kam_tenant(), kam_time_uuid(), t.id, ${p.add(args.kind)}, ${fromP}::uuid, ${toP}::uuid, t.department_id,
              ${toDept}::uuid, ${p.add(args.reason)}, ${actor}::uuid, ${now}::timestamptz
       FROM target t
     )
     SELECT id FROM moved ORDER BY id`,
    p.values,
  );
  return rows.map((r) => r.id);
}

export interface HistoryRow {
  id: string;
  kind: string;
  from_owner_id: string | null;
  from_owner_name: string | null;
  to_owner_id: string | null;
  to_owner_name: string | null;
  from_department_id: string | null;
  to_department_id: string | null;
  reason: string | null;
  changed_by: string | null;
  changed_by_name: string | null;
  changed_at: Date;
  at_key: string;
}

/** One page of a customer's ownership history, newest first (keyset: changed_at, id). */
export async function selectHistoryPage(
  tx: Tx,
  customerId: string,
  after: [string, string] | null,
  limit: number,
): Promise<HistoryRow[]> {
  const params: unknown[] = [customerId, limit];
  let cond = '';
  if (after) {
    params.push(...after);
    cond = ' AND (h.changed_at, h.id) < ($3::timestamptz, $4::uuid)';
  }
  const { rows } = await tx.query<HistoryRow>(
    `SELECT h.id, h.kind, h.from_owner_id, fu.display_name AS from_owner_name, h.to_owner_id,
            tu.display_name AS to_owner_name, h.from_department_id, h.to_department_id, h.reason, h.changed_by,
            cu.display_name AS changed_by_name, h.changed_at, h.changed_at::text AS at_key
     FROM customer_ownership_history h
     LEFT JOIN users fu ON fu.tenant_id = kam_tenant() AND fu.id = h.from_owner_id
     LEFT JOIN users tu ON tu.tenant_id = kam_tenant() AND tu.id = h.to_owner_id
     LEFT JOIN users cu ON cu.tenant_id = kam_tenant() AND cu.id = h.changed_by
     WHERE h.tenant_id = kam_tenant() AND h.customer_id = $1${cond}
     ORDER BY h.changed_at DESC, h.id DESC LIMIT $2`,
    params,
  );
  return rows;
}

// ——— merge ——————————————————————————————————————————————————————————————————————————————————

export interface MovedCounts {
  contacts: number;
  followUps: number;
  orders: number;
  payments: number;
  serviceRecords: number;
  teamMembers: number;
  ownershipHistory: number;
  /** approval requests about the merged customer (any status), now about the kept one */
  approvalRequests: number;
  /** manual metrics (strategic value, …) the kept customer did not have */
  manualMetrics: number;
}

/**
 * Moves everything attached to `sourceId` to `keptId` (set-based, one statement per table): the kept
 * customer's primary contact stays primary; team members join unless already there (the old owner as
 * co-follower); the source's team is emptied; approval requests move; manual metrics move where the kept
 * customer has none (the source's are removed). The rows moved per kind. (A trigger queues the kept
 * customer for a tier re-score: migration 0023.)
 */
export async function moveAttachments(
  tx: Tx,
  sourceId: string,
  keptId: string,
  actorId: string,
  now: Date,
): Promise<MovedCounts> {
  const moveArgs = [sourceId, keptId, now];
  const count = async (sql: string, args: unknown[] = moveArgs) => (await tx.query(sql, args)).rowCount ?? 0;
  await tx.query(
    `UPDATE contacts SET is_primary = false, version = version + 1, updated_at = $3
     WHERE tenant_id = kam_tenant() AND customer_id = $1 AND is_primary
       AND EXISTS (SELECT 1 FROM contacts k WHERE k.tenant_id = kam_tenant() AND k.customer_id = $2 AND k.is_primary)`,
    moveArgs,
  );
  const moved: MovedCounts = {
    contacts: await count(
      `UPDATE contacts SET customer_id = $2, version = version + 1, updated_at = $3
       WHERE tenant_id = kam_tenant() AND customer_id = $1`,
    ),
    followUps: await count(
      `UPDATE follow_ups SET customer_id = $2, version = version + 1, updated_at = $3
       WHERE tenant_id = kam_tenant() AND customer_id = $1`,
    ),
    orders: await count(
      `UPDATE orders SET customer_id = $2, version = version + 1, updated_at = $3
       WHERE tenant_id = kam_tenant() AND customer_id = $1`,
    ),
    payments: await count(
      `UPDATE payments SET customer_id = $2, version = version + 1, updated_at = $3
       WHERE tenant_id = kam_tenant() AND customer_id = $1`,
    ),
    serviceRecords: await count(
      `UPDATE service_records SET customer_id = $2, version = version + 1, updated_at = $3
       WHERE tenant_id = kam_tenant() AND customer_id = $1`,
    ),
    teamMembers: await count(
      `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access, added_by, added_at)
       SELECT kam_tenant(), $2, s.user_id, CASE WHEN s.team_role = 'owner' THEN 'co_follower' ELSE s.team_role END,
              s.access, $4, $3
       FROM customer_team s WHERE s.tenant_id = kam_tenant() AND s.customer_id = $1
       ON CONFLICT (tenant_id, customer_id, user_id) DO NOTHING`,
      [...moveArgs, actorId],
    ),
    ownershipHistory: await count(
      `UPDATE customer_ownership_history SET customer_id = $2 WHERE tenant_id = kam_tenant() AND customer_id = $1`,
      [sourceId, keptId],
    ),
    // the requests concern the company, which the kept customer now is: pending ones are decided there
    // (the row changed, so its version moves on)
    approvalRequests: await count(
      `UPDATE approval_requests SET customer_id = $2, version = version + 1, updated_at = $3
       WHERE tenant_id = kam_tenant() AND customer_id = $1`,
    ),
    // manual metrics the kept customer has not set; where both have one, the kept customer's stays
    manualMetrics: await count(
      `INSERT INTO customer_manual_metrics (tenant_id, customer_id, metric, value, set_by, set_at)
       SELECT kam_tenant(), $2, m.metric, m.value, m.set_by, m.set_at
       FROM customer_manual_metrics m WHERE m.tenant_id = kam_tenant() AND m.customer_id = $1
       ON CONFLICT (tenant_id, customer_id, metric) DO NOTHING`,
      [sourceId, keptId],
    ),
  };
  await tx.query(`DELETE FROM customer_team WHERE tenant_id = kam_tenant() AND customer_id = $1`, [sourceId]);
  await tx.query(`DELETE FROM customer_manual_metrics WHERE tenant_id = kam_tenant() AND customer_id = $1`, [
    sourceId,
  ]);
  return moved;
}

/** Soft-deletes the merged customer, pointing at the kept one; its credit code. */
export async function markMerged(
  tx: Tx,
  sourceId: string,
  keptId: string,
  actorId: string,
  now: Date,
): Promise<{ creditCode: string | null }> {
  const { rows } = await tx.query<{ credit_code: string | null }>(
    `UPDATE customers SET deleted_at = $2, deleted_by = $3, merged_into_id = $4, updated_by = $3, updated_at = $2,
       version = version + 1
     WHERE tenant_id = kam_tenant() AND id = $1 RETURNING credit_code`,
    [sourceId, now, actorId, keptId],
  );
  return { creditCode: rows[0]?.credit_code ?? null };
}

/** Columns the kept customer takes from the merged one when its own are empty. */
const FILLABLE: [column: string, field: string][] = [
  ['industry', 'industry'],
  ['province_code', 'provinceCode'],
  ['city_code', 'cityCode'],
  ['size_band', 'sizeBand'],
  ['source', 'source'],
  ['website', 'website'],
  ['address', 'address'],
  ['notes', 'notes'],
];

/** Fills the kept customer's empty fields (and credit code) from the merged one, unites the tags; the fields filled. */
export async function fillFromMerged(
  tx: Tx,
  sourceId: string,
  keptId: string,
  actorId: string,
  now: Date,
): Promise<string[]> {
  const { rows } = await tx.query<{ filled: string[] }>(
    `WITH s AS (SELECT * FROM customers WHERE tenant_id = kam_tenant() AND id = $1),
     k AS (SELECT * FROM customers WHERE tenant_id = kam_tenant() AND id = $2)
     UPDATE customers c SET
       credit_code = coalesce(c.credit_code, s.credit_code),
       ${FILLABLE.map(([f]) => `${f} = coalesce(c.${f}, s.${f})`).join(', ')},
       tags = ARRAY(SELECT DISTINCT unnest(c.tags || s.tags) ORDER BY 1),
       updated_by = $3, updated_at = $4, version = c.version + 1
     FROM s, k
     WHERE c.tenant_id = kam_tenant() AND c.id = $2
     RETURNING ARRAY(SELECT f FROM unnest(ARRAY[
       CASE WHEN k.credit_code IS NULL AND s.credit_code IS NOT NULL THEN 'creditCode' END,
       ${FILLABLE.map(([f, name]) => `CASE WHEN k.${f} IS NULL AND s.${f} IS NOT NULL THEN '${name}' END`).join(', ')}
     ]) AS f WHERE f IS NOT NULL) AS filled`,
    [sourceId, keptId, actorId, now],
  );
  return rows[0]?.filled ?? [];
}
