import type { FieldRule, Grant } from '@kam/domain';
import type { Tx } from '../../db/database.js';

export interface RoleRow {
  id: string;
  key: string | null;
  builtin: boolean;
  name: string;
  description: string;
  grants: Grant[];
  field_rules: FieldRule[];
  version: number;
  user_count: number;
  /** lower(name): the keyset sort value of the list */
  sort_key: string;
}

const COLUMNS = `r.id, r.key, r.builtin, r.name, r.description, r.grants, r.field_rules, r.version,
  lower(r.name) AS sort_key`;

/**
 * One page of roles by name (the unique index on lower(name) serves the order and the keyset), with
 * the number of users holding each, counted in one grouped statement for the page.
 */
export async function listRoles(tx: Tx, args: { limit: number; after: string | null }): Promise<RoleRow[]> {
  const { rows } = await tx.query<RoleRow>(
    `WITH page AS (
       SELECT ${COLUMNS} FROM roles r
       WHERE r.tenant_id = kam_tenant() AND ($1::text IS NULL OR lower(r.name) > $1::text)
       ORDER BY lower(r.name) LIMIT $2
     ), counts AS (
       SELECT ur.role_id, count(*)::int AS n FROM user_roles ur
       WHERE ur.tenant_id = kam_tenant() AND ur.role_id IN (SELECT id FROM page)
       GROUP BY ur.role_id
     )
     SELECT page.*, coalesce(counts.n, 0) AS user_count
     FROM page LEFT JOIN counts ON counts.role_id = page.id
     ORDER BY page.sort_key`,
    [args.after, args.limit],
  );
  return rows;
}

export async function getRole(tx: Tx, id: string, lock = false): Promise<RoleRow | null> {
  const { rows } = await tx.query<RoleRow>(
    `SELECT ${COLUMNS},
       (SELECT count(*)::int FROM user_roles ur WHERE ur.tenant_id = r.tenant_id AND ur.role_id = r.id) AS user_count
     FROM roles r WHERE r.tenant_id = kam_tenant() AND r.id = $1 ${lock ? 'FOR UPDATE OF r' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export interface HolderRow {
  user_id: string;
  department_id: string | null;
  department_path: string[] | null;
}

/** The users holding a role, with their department path (for the escalation check of an edit). */
export async function roleHolders(tx: Tx, roleId: string): Promise<HolderRow[]> {
  const { rows } = await tx.query<HolderRow>(
    `SELECT u.id AS user_id, u.department_id, d.path AS department_path
     FROM user_roles ur
     JOIN users u ON u.tenant_id = ur.tenant_id AND u.id = ur.user_id
     LEFT JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id
     WHERE ur.tenant_id = kam_tenant() AND ur.role_id = $1`,
    [roleId],
  );
  return rows;
}

/** Ancestor paths (root..id) of the given departments that exist in the tenant. */
export async function departmentPaths(tx: Tx, ids: readonly string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; path: string[] }>(
    'SELECT id, path FROM departments WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.path]));
}

export async function insertRole(
  tx: Tx,
  r: { id: string; name: string; description: string; grants: Grant[]; fieldRules: FieldRule[]; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO roles (tenant_id, id, key, builtin, name, description, grants, field_rules, created_at, updated_at)
     VALUES (kam_tenant(), $1, NULL, false, $2, $3, $4, $5, $6, $6)`,
    [r.id, r.name, r.description, JSON.stringify(r.grants), JSON.stringify(r.fieldRules), r.now],
  );
}

/** Updates a custom role at the expected version; false when the version moved on. */
export async function updateRole(
  tx: Tx,
  r: {
    id: string;
    version: number;
    name: string;
    description: string;
    grants: Grant[];
    fieldRules: FieldRule[];
    now: Date;
  },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE roles SET name = $3, description = $4, grants = $5, field_rules = $6, updated_at = $7,
       version = version + 1
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2 AND NOT builtin`,
    [r.id, r.version, r.name, r.description, JSON.stringify(r.grants), JSON.stringify(r.fieldRules), r.now],
  );
  return rowCount === 1;
}

/**
 * Deletes an unassigned custom role. The caller holds the role's row lock, which blocks concurrent
 * assignments (their foreign-key check takes a key-share lock), so the emptiness check holds.
 */
export async function deleteRole(tx: Tx, id: string, version: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    `DELETE FROM roles r WHERE r.tenant_id = kam_tenant() AND r.id = $1 AND r.version = $2 AND NOT r.builtin
       AND NOT EXISTS (SELECT 1 FROM user_roles ur WHERE ur.tenant_id = r.tenant_id AND ur.role_id = r.id)`,
    [id, version],
  );
  return rowCount === 1;
}
