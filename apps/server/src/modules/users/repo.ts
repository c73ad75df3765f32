import type { EffectiveScope, FieldRule, Grant, SecurityPolicy } from '@kam/domain';
import { pinyinKey } from '@kam/domain';
import { scopePredicate } from '../../access/scope-sql.js';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

export type UserStatus = 'active' | 'disabled' | 'locked';

export interface RoleRef {
  id: string;
  key: string | null;
  name: string;
}

export interface UserRow {
  id: string;
  login: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  department_id: string | null;
  department_name: string | null;
  status: UserStatus;
  roles: RoleRef[];
  must_change_password: boolean;
  last_login_at: Date | null;
  created_at: Date;
  version: number;
  /** the sort key of the row as text (keyset cursor) */
  sort_key: string;
}

/** A user's columns needed to change them, read under a row lock. */
export interface LockedUser {
  id: string;
  login: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  department_id: string | null;
  department_path: string[] | null;
  status: UserStatus;
  version: number;
}

export interface RoleWithGrants extends RoleRef {
  grants: Grant[];
  field_rules: FieldRule[];
}

export const USER_SORTS = ['displayName', 'login', 'createdAt', 'lastLoginAt'] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** Sort expressions with the type their cursor value is cast back to. NULL last-logins sort first. */
const SORT: Record<UserSort, { expr: string; type: string }> = {
  displayName: { expr: 'u.name_pinyin', type: 'text' },
  login: { expr: 'lower(u.login)', type: 'text' },
  createdAt: { expr: 'u.created_at', type: 'timestamptz' },
  lastLoginAt: { expr: `coalesce(u.last_login_at, '-infinity'::timestamptz)`, type: 'timestamptz' },
};

export interface UserFilter {
  scope: EffectiveScope;
  actorUserId: string;
  /** already-normalised search text and which columns it may look at */
  search?: {
    text: string;
    digits: string;
    fields: ReadonlySet<'login' | 'displayName' | 'email' | 'mobile'>;
  };
  departmentId?: string | undefined;
  includeSubtree?: boolean;
  status?: UserStatus | undefined;
  roleId?: string | undefined;
}

/** Records of the user resource: "self" is the user themself, the department is theirs. */
export function userScopeSql(scope: EffectiveScope, actorUserId: string, p: Params): string {
  return scopePredicate(scope, actorUserId, { self: ['u.id'], department: 'u.department_id' }, p);
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterSql(f: UserFilter, p: Params): string[] {
  const where = [userScopeSql(f.scope, f.actorUserId, p)];
  if (f.search) {
    const parts: string[] = [];
    const pattern = `%${likeEscape(f.search.text)}%`;
    if (f.search.fields.has('login')) parts.push(`u.login ILIKE ${p.add(pattern)}`);
    if (f.search.fields.has('displayName')) {
      const like = p.add(pattern);
      parts.push(`u.display_name ILIKE ${like}`, `u.name_pinyin ILIKE ${like}`);
    }
    if (f.search.fields.has('email')) parts.push(`u.email ILIKE ${p.add(pattern)}`);
    if (f.search.fields.has('mobile') && f.search.digits.length >= 3) {
      parts.push(`u.mobile LIKE ${p.add(`%${f.search.digits}%`)}`);
    }
    where.push(parts.length > 0 ? `(${parts.join(' OR ')})` : 'FALSE');
  }
  if (f.departmentId) {
    const dept = p.add(f.departmentId);
    where.push(
      f.includeSubtree
        ? `u.department_id IN (SELECT sd.id FROM departments sd
             WHERE sd.tenant_id = kam_tenant() AND sd.path @> ARRAY[${dept}::uuid])`
        : `u.department_id = ${dept}::uuid`,
    );
  }
  if (f.status) where.push(`u.status = ${p.add(f.status)}`);
  if (f.roleId) {
    where.push(`EXISTS (SELECT 1 FROM user_roles fr
      WHERE fr.tenant_id = kam_tenant() AND fr.user_id = u.id AND fr.role_id = ${p.add(f.roleId)}::uuid)`);
  }
  return where;
}

/**
 * One page of users with their department name and roles, in a single statement: the page is
 * chosen first, then roles are aggregated for exactly those users.
 */
async function selectUsers(
  tx: Tx,
  p: Params,
  where: string[],
  opts: { sort: UserSort; order: 'asc' | 'desc'; limit: number },
): Promise<UserRow[]> {
  const { expr } = SORT[opts.sort];
  const dir = opts.order === 'desc' ? 'DESC' : 'ASC';
  const { rows } = await tx.query<UserRow>(
    `WITH page AS (
       SELECT u.id, u.login, u.display_name, u.email, u.mobile, u.department_id, u.status,
              u.must_change_password, u.last_login_at, u.created_at, u.version,
              ${expr} AS sort_value
       FROM users u
       WHERE u.tenant_id = kam_tenant() AND ${where.join(' AND ')}
       ORDER BY ${expr} ${dir}, u.id ${dir}
       LIMIT ${p.add(opts.limit)}
     ), role_agg AS (
       SELECT ur.user_id,
              json_agg(json_build_object('id', r.id, 'key', r.key, 'name', r.name) ORDER BY r.name, r.id) AS roles
       FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
       WHERE ur.tenant_id = kam_tenant() AND ur.user_id IN (SELECT id FROM page)
       GROUP BY ur.user_id
     )
     SELECT pg.id, pg.login, pg.display_name, pg.email, pg.mobile, pg.department_id, d.name AS department_name,
            pg.status, coalesce(ra.roles, '[]'::json) AS roles, pg.must_change_password, pg.last_login_at,
            pg.created_at, pg.version, pg.sort_value::text AS sort_key
     FROM page pg
     LEFT JOIN departments d ON d.tenant_id = kam_tenant() AND d.id = pg.department_id
     LEFT JOIN role_agg ra ON ra.user_id = pg.id
     ORDER BY pg.sort_value ${dir}, pg.id ${dir}`,
    p.values,
  );
  return rows;
}

export async function listUsers(
  tx: Tx,
  filter: UserFilter,
  opts: { sort: UserSort; order: 'asc' | 'desc'; limit: number; after: [string, string] | null },
): Promise<UserRow[]> {
  const p = new Params();
  const where = filterSql(filter, p);
  if (opts.after) {
    const { expr, type } = SORT[opts.sort];
    const op = opts.order === 'desc' ? '<' : '>';
    where.push(`(${expr}, u.id) ${op} (${p.add(opts.after[0])}::${type}, ${p.add(opts.after[1])}::uuid)`);
  }
  return selectUsers(tx, p, where, opts);
}

/** One user, optionally within a scope (`null` = already authorised). */
export async function getUser(
  tx: Tx,
  id: string,
  scope: EffectiveScope | null,
  actorUserId: string,
): Promise<UserRow | null> {
  const p = new Params();
  const where = [`u.id = ${p.add(id)}::uuid`];
  if (scope) where.push(userScopeSql(scope, actorUserId, p));
  const rows = await selectUsers(tx, p, where, { sort: 'displayName', order: 'asc', limit: 1 });
  return rows[0] ?? null;
}

export async function userExists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM users WHERE tenant_id = kam_tenant() AND id = $1', [id]);
  return rows.length > 0;
}

export async function lockUser(
  tx: Tx,
  id: string,
  scope: EffectiveScope,
  actorUserId: string,
): Promise<LockedUser | null> {
  const p = new Params();
  const idParam = p.add(id);
  const { rows } = await tx.query<LockedUser>(
    `SELECT u.id, u.login, u.display_name, u.email, u.mobile, u.department_id, d.path AS department_path,
            u.status, u.version
     FROM users u LEFT JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id
     WHERE u.tenant_id = kam_tenant() AND u.id = ${idParam}::uuid AND ${userScopeSql(scope, actorUserId, p)}
     FOR UPDATE OF u`,
    p.values,
  );
  return rows[0] ?? null;
}

/**
 * A department as the target of a user change, share-locked, when the scope covers users there
 * (the scope's `self` part never covers a department; it is dropped so that no unused parameter is
 * bound).
 */
export async function lockDepartmentInScope(
  tx: Tx,
  departmentId: string,
  scope: EffectiveScope,
  actorUserId: string,
): Promise<{ id: string; path: string[] } | null> {
  const p = new Params();
  const idParam = p.add(departmentId);
  const { rows } = await tx.query<{ id: string; path: string[] }>(
    `SELECT d.id, d.path FROM departments d
     WHERE d.tenant_id = kam_tenant() AND d.id = ${idParam}::uuid
       AND ${scopePredicate({ ...scope, self: false }, actorUserId, { self: [], department: 'd.id' }, p)}
     FOR SHARE`,
    p.values,
  );
  return rows[0] ?? null;
}

export async function departmentExists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM departments WHERE tenant_id = kam_tenant() AND id = $1', [
    id,
  ]);
  return rows.length > 0;
}

export async function departmentPaths(tx: Tx, ids: string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; path: string[] }>(
    'SELECT id, path FROM departments WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.path]));
}

export async function rolesByIds(tx: Tx, ids: string[]): Promise<RoleWithGrants[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<RoleWithGrants>(
    `SELECT id, key, name, grants, field_rules FROM roles
     WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[]) ORDER BY name, id`,
    [ids],
  );
  return rows;
}

export async function rolesOfUser(tx: Tx, userId: string): Promise<RoleWithGrants[]> {
  const { rows } = await tx.query<RoleWithGrants>(
    `SELECT r.id, r.key, r.name, r.grants, r.field_rules
     FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
     WHERE ur.tenant_id = kam_tenant() AND ur.user_id = $1 ORDER BY r.name, r.id`,
    [userId],
  );
  return rows;
}

export async function replaceRoles(tx: Tx, userId: string, roleIds: string[]): Promise<void> {
  await tx.query('DELETE FROM user_roles WHERE tenant_id = kam_tenant() AND user_id = $1', [userId]);
  if (roleIds.length > 0) {
    await tx.query(
      'INSERT INTO user_roles (tenant_id, user_id, role_id) SELECT kam_tenant(), $1, unnest($2::uuid[])',
      [userId, roleIds],
    );
  }
}

export async function tenantPolicy(tx: Tx): Promise<SecurityPolicy> {
  const { rows } = await tx.query<{ security_policy: SecurityPolicy }>(
    'SELECT security_policy FROM tenants WHERE tenant_id = kam_tenant()',
  );
  return rows[0]!.security_policy;
}

/**
 * Serialises changes that could remove the last active super admin (role-row lock), then counts the
 * active super admins other than `exceptUserId`.
 */
export async function otherActiveSuperAdmins(tx: Tx, exceptUserId: string): Promise<number> {
  await tx.query(`SELECT id FROM roles WHERE tenant_id = kam_tenant() AND key = 'super_admin' FOR UPDATE`);
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(DISTINCT u.id)::int AS n
     FROM users u
     JOIN user_roles ur ON ur.tenant_id = u.tenant_id AND ur.user_id = u.id
     JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id AND r.key = 'super_admin'
     WHERE u.tenant_id = kam_tenant() AND u.status = 'active' AND u.id <> $1`,
    [exceptUserId],
  );
  return rows[0]!.n;
}

/** Profile fields an administrator edits; only the given ones change. `false` on a stale version. */
export async function updateProfile(
  tx: Tx,
  id: string,
  version: number,
  patch: { displayName?: string; email?: string | null; mobile?: string | null; departmentId?: string },
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE users SET
       display_name = CASE WHEN $3 THEN $4 ELSE display_name END,
       name_pinyin = CASE WHEN $3 THEN $12 ELSE name_pinyin END,
       email = CASE WHEN $5 THEN $6 ELSE email END,
       mobile = CASE WHEN $7 THEN $8 ELSE mobile END,
       department_id = CASE WHEN $9 THEN $10::uuid ELSE department_id END,
       version = version + 1, updated_at = $11
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [
      id,
      version,
      patch.displayName !== undefined,
      patch.displayName ?? null,
      patch.email !== undefined,
      patch.email ?? null,
      patch.mobile !== undefined,
      patch.mobile ?? null,
      patch.departmentId !== undefined,
      patch.departmentId ?? null,
      now,
      patch.displayName === undefined ? null : pinyinKey(patch.displayName),
    ],
  );
  return (rowCount ?? 0) > 0;
}

/** Bumps the version (e.g. after a role change). */
export async function touchUser(tx: Tx, id: string, version: number, now: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE users SET version = version + 1, updated_at = $3
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [id, version, now],
  );
  return (rowCount ?? 0) > 0;
}

/** Status change; activating (enable, unlock) also clears the lock and the failure counter. */
export async function setStatus(
  tx: Tx,
  id: string,
  version: number,
  status: UserStatus,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE users SET status = $3,
       locked_at = CASE WHEN $3 = 'active' THEN NULL ELSE locked_at END,
       failed_login_count = CASE WHEN $3 = 'active' THEN 0 ELSE failed_login_count END,
       failed_window_start = CASE WHEN $3 = 'active' THEN NULL ELSE failed_window_start END,
       version = version + 1, updated_at = $4
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [id, version, status, now],
  );
  return (rowCount ?? 0) > 0;
}
