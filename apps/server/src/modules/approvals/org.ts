/**
 * Loads what approver resolution reads (`OrgSnapshot`, the customer's owner and executive sponsors)
 * in three statements, for one request at one moment.
 */
import {
  type ApprovalDelegation,
  type ApprovalEnvironment,
  type ApprovalFlow,
  type CustomerContacts,
  departmentPathOf,
  type OrgSnapshot,
  orgSnapshot,
} from '@kam/domain';
import type { Tx } from '../../db/database.js';

/** Delegations as the domain sees them: from the first day 00:00 to the day after the last (Asia/Shanghai). */
async function activeDelegations(tx: Tx, at: Date): Promise<ApprovalDelegation[]> {
  const { rows } = await tx.query<{ from_user_id: string; to_user_id: string; from_at: Date; to_at: Date }>(
    `SELECT from_user_id, to_user_id,
            (start_date::timestamp AT TIME ZONE 'Asia/Shanghai') AS from_at,
            ((end_date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS to_at
     FROM approval_delegations
     WHERE tenant_id = kam_tenant()
       AND end_date >= ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date
       AND start_date <= ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date`,
    [at],
  );
  return rows.map((r) => ({
    fromUserId: r.from_user_id,
    toUserId: r.to_user_id,
    from: r.from_at.toISOString(),
    to: r.to_at.toISOString(),
  }));
}

export async function customerContacts(tx: Tx, customerId: string | null): Promise<CustomerContacts | null> {
  if (customerId === null) return null;
  const { rows } = await tx.query<{ owner_id: string | null; sponsors: string[] }>(
    `SELECT c.owner_id,
            coalesce(array(SELECT t.user_id FROM customer_team t
                           WHERE t.tenant_id = kam_tenant() AND t.customer_id = c.id
                             AND t.team_role = 'executive_sponsor' ORDER BY t.user_id), '{}') AS sponsors
     FROM customers c WHERE c.tenant_id = kam_tenant() AND c.id = $1`,
    [customerId],
  );
  const row = rows[0];
  return row ? { ownerId: row.owner_id, executiveSponsorIds: row.sponsors } : null;
}

/**
 * The organisation slice a flow can reach: every department (id, parent, head), and the users that
 * resolution may name — department heads, holders of the roles the flow names, named users, the
 * requester, the customer's owner and sponsors, and delegates of active delegations.
 */
export async function loadOrg(
  tx: Tx,
  flow: ApprovalFlow,
  at: Date,
  extraUserIds: readonly string[],
): Promise<OrgSnapshot> {
  const delegations = await activeDelegations(tx, at);
  const roleIds: string[] = [];
  const userIds = new Set<string>(extraUserIds);
  for (const step of flow.steps)
    for (const spec of step.approvers) {
      if (spec.kind === 'role') roleIds.push(spec.roleId);
      if (spec.kind === 'user') userIds.add(spec.userId);
    }
  for (const d of delegations) {
    userIds.add(d.fromUserId);
    userIds.add(d.toUserId);
  }
  const { rows: departments } = await tx.query<{
    id: string;
    parent_id: string | null;
    head_user_id: string | null;
  }>(`SELECT id, parent_id, head_user_id FROM departments WHERE tenant_id = kam_tenant()`);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const { rows: users } = await tx.query<{
    id: string;
    department_id: string | null;
    status: string;
    role_ids: string[];
  }>(
    `SELECT u.id, u.department_id, u.status,
            coalesce(array(SELECT ur.role_id::text FROM user_roles ur
                           WHERE ur.tenant_id = kam_tenant() AND ur.user_id = u.id), '{}') AS role_ids
     FROM users u
     WHERE u.tenant_id = kam_tenant()
       AND (u.id = ANY($1::uuid[])
            OR EXISTS (SELECT 1 FROM departments d WHERE d.tenant_id = kam_tenant() AND d.head_user_id = u.id)
            OR EXISTS (SELECT 1 FROM user_roles ur WHERE ur.tenant_id = kam_tenant() AND ur.user_id = u.id
                         AND ur.role_id = ANY($2::uuid[])))`,
    [[...userIds].filter((id) => uuid.test(id)), roleIds.filter((id) => uuid.test(id))],
  );
  return orgSnapshot({
    departments: departments.map((d) => ({ id: d.id, parentId: d.parent_id, headUserId: d.head_user_id })),
    users: users.map((u) => ({
      id: u.id,
      departmentId: u.department_id,
      active: u.status !== 'disabled',
      roleIds: u.role_ids,
    })),
    delegations,
  });
}

/** The reducer's environment for one event on a request. */
export async function loadEnvironment(
  tx: Tx,
  input: { flow: ApprovalFlow; at: Date; requesterId: string; customerId: string | null; userIds?: string[] },
): Promise<ApprovalEnvironment & { departmentPathOf(id: string | null): string[] }> {
  const customer = await customerContacts(tx, input.customerId);
  const extra = [input.requesterId, ...(input.userIds ?? [])];
  if (customer?.ownerId) extra.push(customer.ownerId);
  if (customer) extra.push(...customer.executiveSponsorIds);
  const org = await loadOrg(tx, input.flow, input.at, extra);
  return { org, customer, departmentPathOf: (id) => departmentPathOf(org, id) };
}
