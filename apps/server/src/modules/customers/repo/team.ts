import type { TeamAccess, TeamRole } from '@kam/domain';
import type { Tx } from '../../../db/database.js';

export interface MemberRow {
  user_id: string;
  display_name: string;
  name_pinyin: string;
  team_role: TeamRole;
  access: TeamAccess;
  added_at: Date;
  added_by: string | null;
  rank: number;
}

/** One page of the account team: the owner first, then by name (keyset: rank, name pinyin, user id). */
export async function selectTeamPage(
  tx: Tx,
  customerId: string,
  after: [number, string, string] | null,
  limit: number,
): Promise<MemberRow[]> {
  const params: unknown[] = [customerId, limit];
  let cond = '';
  if (after) {
    params.push(...after);
    cond = `WHERE (t.rank, t.name_pinyin, t.user_id) > ($3::int, $4::text, $5::uuid)`;
  }
  const { rows } = await tx.query<MemberRow>(
    `SELECT * FROM (
       SELECT ct.user_id, u.display_name, u.name_pinyin, ct.team_role, ct.access, ct.added_at, ct.added_by,
              CASE WHEN ct.team_role = 'owner' THEN 0 ELSE 1 END AS rank
       FROM customer_team ct JOIN users u ON u.tenant_id = kam_tenant() AND u.id = ct.user_id
       WHERE ct.tenant_id = kam_tenant() AND ct.customer_id = $1
     ) t ${cond}
     ORDER BY t.rank, t.name_pinyin, t.user_id LIMIT $2`,
    params,
  );
  return rows;
}

export async function findMember(tx: Tx, customerId: string, userId: string): Promise<MemberRow | null> {
  const { rows } = await tx.query<MemberRow>(
    `SELECT ct.user_id, u.display_name, u.name_pinyin, ct.team_role, ct.access, ct.added_at, ct.added_by, 1 AS rank
     FROM customer_team ct JOIN users u ON u.tenant_id = kam_tenant() AND u.id = ct.user_id
     WHERE ct.tenant_id = kam_tenant() AND ct.customer_id = $1 AND ct.user_id = $2`,
    [customerId, userId],
  );
  return rows[0] ?? null;
}

/** Adds a member; `false` when the user already is on the team. */
export async function insertMember(
  tx: Tx,
  m: {
    customerId: string;
    userId: string;
    teamRole: TeamRole;
    access: TeamAccess;
    actorId: string;
    now: Date;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access, added_by, added_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [m.customerId, m.userId, m.teamRole, m.access, m.actorId, m.now],
  );
  return (rowCount ?? 0) > 0;
}

export async function updateMember(
  tx: Tx,
  customerId: string,
  userId: string,
  teamRole: TeamRole,
  access: TeamAccess,
): Promise<void> {
  await tx.query(
    `UPDATE customer_team SET team_role = $3, access = $4
     WHERE tenant_id = kam_tenant() AND customer_id = $1 AND user_id = $2`,
    [customerId, userId, teamRole, access],
  );
}

export async function deleteMember(tx: Tx, customerId: string, userId: string): Promise<void> {
  await tx.query(
    `DELETE FROM customer_team WHERE tenant_id = kam_tenant() AND customer_id = $1 AND user_id = $2`,
    [customerId, userId],
  );
}

/** Makes `userId` the owner member of the customers (owner/read_write), replacing their other role. */
export async function putOwnerOnTeam(
  tx: Tx,
  customerIds: string[],
  userId: string,
  actorId: string,
  now: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access, added_by, added_at)
     SELECT kam_tenant(), x.id, $2, 'owner', 'read_write', $3, $4 FROM unnest($1::uuid[]) AS x(id)
     ON CONFLICT (tenant_id, customer_id, user_id) DO UPDATE SET team_role = 'owner', access = 'read_write'`,
    [customerIds, userId, actorId, now],
  );
}

/** Removes the previous owner from the customers' teams. */
export async function removeFromTeams(tx: Tx, customerIds: string[], userId: string): Promise<void> {
  await tx.query(
    `DELETE FROM customer_team WHERE tenant_id = kam_tenant() AND customer_id = ANY($1::uuid[]) AND user_id = $2`,
    [customerIds, userId],
  );
}

export interface CandidateRow {
  id: string;
  display_name: string;
  department_name: string | null;
  roles: string[];
}

/**
 * Active users of the organisation who may be added to the customer's team (not on it yet), whose
 * display name, name pinyin or login contains `q`, by name; at most `limit`. Deliberately not
 * limited to the actor's `user.view` scope (a team is staffed across departments) — hence only the
 * name, department and role names, no contact data.
 */
export async function selectCandidates(
  tx: Tx,
  customerId: string,
  q: string | null,
  limit: number,
): Promise<CandidateRow[]> {
  const params: unknown[] = [customerId, limit];
  let match = '';
  if (q) {
    params.push(`%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    match = `AND (u.display_name ILIKE $3 OR u.name_pinyin ILIKE $3 OR u.login ILIKE $3)`;
  }
  const { rows } = await tx.query<CandidateRow>(
    `SELECT u.id, u.display_name, d.name AS department_name,
            ARRAY(SELECT r.name FROM user_roles ur JOIN roles r ON r.tenant_id = kam_tenant() AND r.id = ur.role_id
                  WHERE ur.tenant_id = kam_tenant() AND ur.user_id = u.id ORDER BY r.name) AS roles
     FROM users u LEFT JOIN departments d ON d.tenant_id = kam_tenant() AND d.id = u.department_id
     WHERE u.tenant_id = kam_tenant() AND u.status = 'active' ${match}
       AND NOT EXISTS (SELECT 1 FROM customer_team ct
                       WHERE ct.tenant_id = kam_tenant() AND ct.customer_id = $1 AND ct.user_id = u.id)
     ORDER BY u.name_pinyin, u.id
     LIMIT $2`,
    params,
  );
  return rows;
}
