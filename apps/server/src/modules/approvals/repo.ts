/** All SQL of the approvals capability (flows, requests, inbox, effects, delegations). */
import type { ApprovalFlow, ApprovalRequestState } from '@kam/domain';
import type { Tx } from '../../db/database.js';

// ——— flows ——————————————————————————————————————————————————————————————————————————————————

export interface FlowRow {
  id: string;
  request_type: string;
  current_version: number;
  updated_by: string | null;
  updated_at: Date;
}

export async function flowByType(tx: Tx, type: string, lock = false): Promise<FlowRow | null> {
  const { rows } = await tx.query<FlowRow>(
    `SELECT id, request_type, current_version, updated_by, updated_at FROM approval_flows
     WHERE tenant_id = kam_tenant() AND request_type = $1${lock ? ' FOR UPDATE' : ''}`,
    [type],
  );
  return rows[0] ?? null;
}

export async function allFlows(tx: Tx): Promise<(FlowRow & { definition: ApprovalFlow })[]> {
  const { rows } = await tx.query<FlowRow & { definition: ApprovalFlow }>(
    `SELECT f.id, f.request_type, f.current_version, f.updated_by, f.updated_at, v.definition
     FROM approval_flows f
     JOIN approval_flow_versions v
       ON v.tenant_id = f.tenant_id AND v.flow_id = f.id AND v.version = f.current_version
     WHERE f.tenant_id = kam_tenant()`,
  );
  return rows;
}

/** Creates the flow row of a type at version 1; false when another transaction created it first. */
export async function insertFlow(tx: Tx, id: string, type: string, by: string, now: Date): Promise<boolean> {
  const res = await tx.query(
    `INSERT INTO approval_flows (tenant_id, id, request_type, current_version, updated_by, updated_at)
     VALUES (kam_tenant(), $1, $2, 1, $3, $4)
     ON CONFLICT (tenant_id, request_type) DO NOTHING`,
    [id, type, by, now],
  );
  return (res.rowCount ?? 0) === 1;
}

export async function bumpFlow(tx: Tx, id: string, version: number, by: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE approval_flows SET current_version = $2, updated_by = $3, updated_at = $4
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, version, by, now],
  );
}

export async function insertFlowVersion(
  tx: Tx,
  flowId: string,
  version: number,
  definition: ApprovalFlow,
  by: string,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO approval_flow_versions (tenant_id, flow_id, version, definition, created_by, created_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5)`,
    [flowId, version, JSON.stringify(definition), by, now],
  );
}

export async function flowVersion(
  tx: Tx,
  flowId: string,
  version: number,
): Promise<{ definition: ApprovalFlow; created_by: string | null; created_at: Date } | null> {
  const { rows } = await tx.query<{ definition: ApprovalFlow; created_by: string | null; created_at: Date }>(
    `SELECT definition, created_by, created_at FROM approval_flow_versions
     WHERE tenant_id = kam_tenant() AND flow_id = $1 AND version = $2`,
    [flowId, version],
  );
  return rows[0] ?? null;
}

export async function flowVersions(
  tx: Tx,
  flowId: string,
): Promise<{ version: number; created_by: string | null; created_at: Date; open_requests: number }[]> {
  const { rows } = await tx.query<{
    version: number;
    created_by: string | null;
    created_at: Date;
    open_requests: number;
  }>(
    `SELECT v.version, v.created_by, v.created_at,
            (SELECT count(*)::int FROM approval_requests r
             WHERE r.tenant_id = kam_tenant() AND r.flow_id = v.flow_id AND r.flow_version = v.version
               AND r.status IN ('pending', 'returned')) AS open_requests
     FROM approval_flow_versions v
     WHERE v.tenant_id = kam_tenant() AND v.flow_id = $1
     ORDER BY v.version DESC`,
    [flowId],
  );
  return rows;
}

// ——— names ——————————————————————————————————————————————————————————————————————————————————

export interface UserNameRow {
  id: string;
  display_name: string;
  department_name: string | null;
}

/** Names and departments of users (approvals show them regardless of the reader's user scope). */
export async function userNames(tx: Tx, ids: readonly string[]): Promise<Map<string, UserNameRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<UserNameRow>(
    `SELECT u.id, u.display_name, d.name AS department_name
     FROM users u LEFT JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id
     WHERE u.tenant_id = kam_tenant() AND u.id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

export async function roleNames(tx: Tx, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<{ id: string; name: string }>(
    `SELECT id, name FROM roles WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[]) ORDER BY name`,
    [[...new Set(ids)]],
  );
  return rows;
}

/** Which of these ids are users / roles of the tenant (flow validation). */
export async function existing(
  tx: Tx,
  table: 'users' | 'roles',
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Set(rows.map((r) => r.id));
}

export async function activeUser(
  tx: Tx,
  id: string,
): Promise<{ id: string; department_id: string | null; status: string } | null> {
  const { rows } = await tx.query<{ id: string; department_id: string | null; status: string }>(
    `SELECT id, department_id, status FROM users WHERE tenant_id = kam_tenant() AND id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

// ——— requests ———————————————————————————————————————————————————————————————————————————————

export interface RequestRow {
  id: string;
  request_type: string;
  flow_id: string;
  flow_version: number;
  requester_id: string;
  customer_id: string | null;
  status: string;
  round: number;
  payload: Record<string, unknown>;
  state: ApprovalRequestState;
  current_step_id: string | null;
  current_step_name: string | null;
  next_due_at: Date | null;
  effect_applied_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const REQUEST_COLUMNS = `r.id, r.request_type, r.flow_id, r.flow_version, r.requester_id, r.customer_id, r.status,
  r.round, r.payload, r.state, r.current_step_id, r.current_step_name, r.next_due_at, r.effect_applied_at,
  r.version, r.created_at, r.updated_at, r.finished_at`;

/** The projections of a state kept in columns (lists, filters, the timer sweep). */
export interface Projection {
  status: string;
  round: number;
  payload: unknown;
  currentStepId: string | null;
  currentStepName: string | null;
  nextDueAt: string | null;
  finishedAt: string | null;
}

export async function insertRequest(
  tx: Tx,
  r: {
    id: string;
    type: string;
    flowId: string;
    flowVersion: number;
    requesterId: string;
    customerId: string | null;
    state: ApprovalRequestState;
    now: Date;
  } & { projection: Projection },
): Promise<void> {
  const p = r.projection;
  await tx.query(
    `INSERT INTO approval_requests (tenant_id, id, request_type, flow_id, flow_version, requester_id, customer_id,
       status, round, payload, state, current_step_id, current_step_name, next_due_at, finished_at,
       created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
    [
      r.id,
      r.type,
      r.flowId,
      r.flowVersion,
      r.requesterId,
      r.customerId,
      p.status,
      p.round,
      JSON.stringify(p.payload ?? {}),
      JSON.stringify(r.state),
      p.currentStepId,
      p.currentStepName,
      p.nextDueAt,
      p.finishedAt,
      r.now,
    ],
  );
}

/** The request, row-locked for the rest of the transaction (`FOR UPDATE`): decisions serialise here. */
export async function requestForUpdate(tx: Tx, id: string): Promise<RequestRow | null> {
  const { rows } = await tx.query<RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM approval_requests r
     WHERE r.tenant_id = kam_tenant() AND r.id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

export async function request(tx: Tx, id: string): Promise<RequestRow | null> {
  const { rows } = await tx.query<RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM approval_requests r WHERE r.tenant_id = kam_tenant() AND r.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function updateRequest(
  tx: Tx,
  id: string,
  state: ApprovalRequestState,
  p: Projection,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE approval_requests
     SET state = $2, status = $3, round = $4, payload = $5, current_step_id = $6, current_step_name = $7,
         next_due_at = $8, finished_at = $9, updated_at = $10, version = version + 1
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [
      id,
      JSON.stringify(state),
      p.status,
      p.round,
      JSON.stringify(p.payload ?? {}),
      p.currentStepId,
      p.currentStepName,
      p.nextDueAt,
      p.finishedAt,
      now,
    ],
  );
}

/**
 * Records the applied effect. The primary key of `approval_effects` and the guard trigger on
 * `approval_requests` make a second application fail, whatever the code above did.
 */
export async function recordEffect(
  tx: Tx,
  r: {
    requestId: string;
    type: string;
    by: string | null;
    now: Date;
    outcome: Record<string, unknown> | null;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO approval_effects (tenant_id, request_id, request_type, applied_by, applied_at, outcome)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5)`,
    [r.requestId, r.type, r.by, r.now, r.outcome === null ? null : JSON.stringify(r.outcome)],
  );
  const res = await tx.query(
    `UPDATE approval_requests SET effect_applied_at = $2
     WHERE tenant_id = kam_tenant() AND id = $1 AND effect_applied_at IS NULL AND status = 'approved'`,
    [r.requestId, r.now],
  );
  if ((res.rowCount ?? 0) !== 1) throw new Error(`approval request ${r.requestId}: effect already applied`);
}

/** Makes the `todo` rows of a request exactly `userIds` (existing rows keep their time). */
export async function syncTodo(
  tx: Tx,
  requestId: string,
  userIds: readonly string[],
  now: Date,
): Promise<void> {
  await tx.query(
    `DELETE FROM approval_inbox
     WHERE tenant_id = kam_tenant() AND request_id = $1 AND box = 'todo' AND NOT (user_id = ANY($2::uuid[]))`,
    [requestId, userIds],
  );
  if (userIds.length === 0) return;
  await tx.query(
    `INSERT INTO approval_inbox (tenant_id, user_id, box, request_id, at)
     SELECT kam_tenant(), u, 'todo', $1, $3 FROM unnest($2::uuid[]) AS u
     ON CONFLICT (tenant_id, user_id, box, request_id) DO NOTHING`,
    [requestId, userIds, now],
  );
}

export async function markProcessed(tx: Tx, requestId: string, userId: string, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO approval_inbox (tenant_id, user_id, box, request_id, at)
     VALUES (kam_tenant(), $1, 'processed', $2, $3)
     ON CONFLICT (tenant_id, user_id, box, request_id) DO UPDATE SET at = EXCLUDED.at`,
    [userId, requestId, now],
  );
}

/** Whether the user has or had the request in an inbox (may read it). */
export async function inInbox(tx: Tx, requestId: string, userId: string): Promise<boolean> {
  const { rows } = await tx.query(
    `SELECT 1 FROM approval_inbox WHERE tenant_id = kam_tenant() AND request_id = $1 AND user_id = $2 LIMIT 1`,
    [requestId, userId],
  );
  return rows.length > 0;
}

export interface ListRow extends RequestRow {
  box_at: Date;
  /** `box_at` as exact text (microseconds) for the keyset cursor */
  box_key: string;
  customer_name: string | null;
  customer_owner_id: string | null;
  customer_owner_name: string | null;
}

export async function selectPage(
  tx: Tx,
  q: {
    box: 'todo' | 'submitted' | 'processed';
    userId: string;
    status?: string | undefined;
    type?: string | undefined;
    after: [string, string] | null;
    limit: number;
  },
): Promise<ListRow[]> {
  const values: unknown[] = [q.userId, q.limit];
  const where: string[] = [];
  if (q.status) {
    values.push(q.status);
    where.push(`r.status = $${values.length}`);
  }
  if (q.type) {
    values.push(q.type);
    where.push(`r.request_type = $${values.length}`);
  }
  // keyset on the box's own index: (requester, created_at, id) or (user, box, at, request_id)
  let source: string;
  let at: string;
  let key: string;
  if (q.box === 'submitted') {
    source = `approval_requests r`;
    where.push(`r.requester_id = $1`);
    at = 'r.created_at';
    key = 'r.id';
  } else {
    source = `approval_inbox i JOIN approval_requests r ON r.tenant_id = i.tenant_id AND r.id = i.request_id`;
    where.push(
      `i.tenant_id = kam_tenant() AND i.user_id = $1 AND i.box = '${q.box === 'todo' ? 'todo' : 'processed'}'`,
    );
    at = 'i.at';
    key = 'i.request_id';
  }
  if (q.after) {
    values.push(q.after[0], q.after[1]);
    where.push(`(${at}, ${key}) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  const { rows } = await tx.query<ListRow>(
    `SELECT ${REQUEST_COLUMNS}, ${at} AS box_at, ${at}::text AS box_key,
            c.name AS customer_name, c.owner_id AS customer_owner_id, o.display_name AS customer_owner_name
     FROM ${source}
     LEFT JOIN customers c ON c.tenant_id = r.tenant_id AND c.id = r.customer_id
     LEFT JOIN users o ON o.tenant_id = c.tenant_id AND o.id = c.owner_id
     WHERE r.tenant_id = kam_tenant() AND ${where.join(' AND ')}
     ORDER BY ${at} DESC, ${key} DESC
     LIMIT $2`,
    values,
  );
  return rows;
}

export async function counts(
  tx: Tx,
  userId: string,
): Promise<{ todo: number; submitted_pending: number; submitted_returned: number }> {
  const { rows } = await tx.query<{ todo: number; submitted_pending: number; submitted_returned: number }>(
    `SELECT (SELECT count(*)::int FROM approval_inbox
             WHERE tenant_id = kam_tenant() AND user_id = $1 AND box = 'todo') AS todo,
            (SELECT count(*)::int FROM approval_requests
             WHERE tenant_id = kam_tenant() AND requester_id = $1 AND status = 'pending') AS submitted_pending,
            (SELECT count(*)::int FROM approval_requests
             WHERE tenant_id = kam_tenant() AND requester_id = $1 AND status = 'returned') AS submitted_returned`,
    [userId],
  );
  return rows[0] ?? { todo: 0, submitted_pending: 0, submitted_returned: 0 };
}

export async function customerRef(
  tx: Tx,
  id: string,
): Promise<{ id: string; name: string; owner_id: string | null; owner_name: string | null } | null> {
  const { rows } = await tx.query<{
    id: string;
    name: string;
    owner_id: string | null;
    owner_name: string | null;
  }>(
    `SELECT c.id, c.name, c.owner_id, o.display_name AS owner_name
     FROM customers c LEFT JOIN users o ON o.tenant_id = c.tenant_id AND o.id = c.owner_id
     WHERE c.tenant_id = kam_tenant() AND c.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Pending requests whose time limit has run out (oldest first). */
export async function dueRequestIds(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM approval_requests
     WHERE tenant_id = kam_tenant() AND status = 'pending' AND next_due_at IS NOT NULL AND next_due_at <= $1
     ORDER BY next_due_at, id LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.id);
}

// ——— delegations —————————————————————————————————————————————————————————————————————————————

export interface DelegationRow {
  id: string;
  from_user_id: string;
  to_user_id: string;
  start_date: string;
  end_date: string;
  note: string | null;
  created_at: Date;
  active: boolean;
}

const DELEGATION_COLUMNS = `d.id, d.from_user_id, d.to_user_id, d.start_date::text AS start_date,
  d.end_date::text AS end_date, d.note, d.created_at,
  (d.start_date <= $2::date AND d.end_date >= $2::date) AS active`;

export async function delegationsOf(
  tx: Tx,
  userId: string,
  today: string,
  includePast: boolean,
): Promise<DelegationRow[]> {
  const { rows } = await tx.query<DelegationRow>(
    `SELECT ${DELEGATION_COLUMNS} FROM approval_delegations d
     WHERE d.tenant_id = kam_tenant() AND d.from_user_id = $1 ${includePast ? '' : 'AND d.end_date >= $2::date'}
     ORDER BY d.start_date DESC, d.id DESC
     LIMIT 200`,
    [userId, today],
  );
  return rows;
}

export async function insertDelegation(
  tx: Tx,
  d: {
    id: string;
    from: string;
    to: string;
    startDate: string;
    endDate: string;
    note: string | null;
    now: Date;
  },
  today: string,
): Promise<DelegationRow> {
  const { rows } = await tx.query<DelegationRow>(
    `INSERT INTO approval_delegations AS d (tenant_id, id, from_user_id, to_user_id, start_date, end_date, note,
                                           created_at)
     VALUES (kam_tenant(), $1, $3, $4, $5, $6, $7, $8)
     RETURNING ${DELEGATION_COLUMNS}`,
    [d.id, today, d.from, d.to, d.startDate, d.endDate, d.note, d.now],
  );
  return rows[0]!;
}

export async function delegationExists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query(
    `SELECT 1 FROM approval_delegations WHERE tenant_id = kam_tenant() AND id = $1`,
    [id],
  );
  return rows.length > 0;
}

export async function deleteDelegation(
  tx: Tx,
  id: string,
  userId: string,
  today: string,
): Promise<DelegationRow | null> {
  const { rows } = await tx.query<DelegationRow>(
    `DELETE FROM approval_delegations AS d
     WHERE d.tenant_id = kam_tenant() AND d.id = $1 AND d.from_user_id = $3
     RETURNING ${DELEGATION_COLUMNS}`,
    [id, today, userId],
  );
  return rows[0] ?? null;
}
