import type { EffectiveScope } from '@kam/domain';
import { pinyinKey } from '@kam/domain';
import { scopePredicate } from '../../access/scope-sql.js';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

/** A department as listed: with its head's name and the number of users directly in it. */
export interface DepartmentRow {
  id: string;
  parent_id: string | null;
  name: string;
  code: string | null;
  head_user_id: string | null;
  head_name: string | null;
  name_pinyin: string;
  path: string[];
  user_count: number;
  version: number;
}

/** The columns of a department needed to change it (read under a row lock). */
export interface LockedDepartment {
  id: string;
  parent_id: string | null;
  name: string;
  code: string | null;
  head_user_id: string | null;
  path: string[];
  version: number;
}

/** Keyset position in the department list: depth, name, id of the last row. */
export type DepartmentKey = [number, string, string];

/**
 * For departments the scope applies to the department itself: `department` = own department,
 * `department_tree` = own subtree, `custom` = the listed ones; `self` matches no department.
 */
export function departmentScopeSql(scope: EffectiveScope, actorUserId: string, p: Params): string {
  // `self: false`: with no self columns scopePredicate would still bind an unused (untyped) parameter.
  return scopePredicate({ ...scope, self: false }, actorUserId, { self: [], department: 'd.id' }, p);
}

/**
 * Selects departments (one page) and decorates them set-based: the head's name by join and the
 * member counts by one grouped aggregate over the page.
 */
async function selectDepartments(
  tx: Tx,
  p: Params,
  where: string[],
  limit: number,
): Promise<DepartmentRow[]> {
  const { rows } = await tx.query<DepartmentRow>(
    `WITH page AS (
       SELECT d.id, d.parent_id, d.name, d.name_pinyin, d.code, d.head_user_id, d.path, d.version
       FROM departments d
       WHERE d.tenant_id = kam_tenant() AND ${where.join(' AND ')}
       ORDER BY cardinality(d.path), d.name_pinyin, d.id
       LIMIT ${p.add(limit)}
     ), counts AS (
       SELECT cu.department_id, count(*)::int AS n
       FROM users cu
       WHERE cu.tenant_id = kam_tenant() AND cu.department_id IN (SELECT id FROM page)
       GROUP BY cu.department_id
     )
     SELECT pg.id, pg.parent_id, pg.name, pg.name_pinyin, pg.code, pg.head_user_id, h.display_name AS head_name,
            pg.path, coalesce(c.n, 0) AS user_count, pg.version
     FROM page pg
     LEFT JOIN users h ON h.tenant_id = kam_tenant() AND h.id = pg.head_user_id
     LEFT JOIN counts c ON c.department_id = pg.id
     ORDER BY cardinality(pg.path), pg.name_pinyin, pg.id`,
    p.values,
  );
  return rows;
}

export async function listDepartments(
  tx: Tx,
  args: { scope: EffectiveScope; actorUserId: string; limit: number; after: DepartmentKey | null },
): Promise<DepartmentRow[]> {
  const p = new Params();
  const where = [departmentScopeSql(args.scope, args.actorUserId, p)];
  if (args.after) {
    const [depth, key, id] = args.after;
    where.push(
      `(cardinality(d.path), d.name_pinyin, d.id) > (${p.add(depth)}::int, ${p.add(key)}::text, ${p.add(id)}::uuid)`,
    );
  }
  return selectDepartments(tx, p, where, args.limit);
}

/** One department, optionally restricted to a scope (`null` = no restriction: already authorised). */
export async function getDepartment(
  tx: Tx,
  id: string,
  scope: EffectiveScope | null,
  actorUserId: string,
): Promise<DepartmentRow | null> {
  const p = new Params();
  const where = [`d.id = ${p.add(id)}::uuid`];
  if (scope) where.push(departmentScopeSql(scope, actorUserId, p));
  const rows = await selectDepartments(tx, p, where, 1);
  return rows[0] ?? null;
}

export async function departmentExists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM departments WHERE tenant_id = kam_tenant() AND id = $1', [
    id,
  ]);
  return rows.length > 0;
}

/**
 * Reads and row-locks a department inside a scope. `share` blocks concurrent changes (e.g. a move
 * while a child is created under it); `update` is for changing the department itself.
 */
export async function lockDepartment(
  tx: Tx,
  id: string,
  scope: EffectiveScope,
  actorUserId: string,
  mode: 'share' | 'update',
): Promise<LockedDepartment | null> {
  const p = new Params();
  const idParam = p.add(id);
  const { rows } = await tx.query<LockedDepartment>(
    `SELECT d.id, d.parent_id, d.name, d.code, d.head_user_id, d.path, d.version
     FROM departments d
     WHERE d.tenant_id = kam_tenant() AND d.id = ${idParam}::uuid AND ${departmentScopeSql(scope, actorUserId, p)}
     FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`,
    p.values,
  );
  return rows[0] ?? null;
}

export async function insertDepartment(
  tx: Tx,
  d: {
    id: string;
    parentPath: string[];
    parentId: string;
    name: string;
    code: string | null;
    headUserId: string | null;
    now: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO departments (tenant_id, id, parent_id, name, name_pinyin, code, head_user_id, path, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $8, $4, $5, $6::uuid[] || $1::uuid, $7, $7)`,
    [d.id, d.parentId, d.name, d.code, d.headUserId, d.parentPath, d.now, pinyinKey(d.name)],
  );
}

/** Updates name/code/head (each only when given); `false` when the version no longer matches. */
export async function updateDepartment(
  tx: Tx,
  id: string,
  version: number,
  patch: { name?: string; code?: string | null; headUserId?: string | null },
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE departments SET
       name = CASE WHEN $3 THEN $4 ELSE name END,
       name_pinyin = CASE WHEN $3 THEN $10 ELSE name_pinyin END,
       code = CASE WHEN $5 THEN $6 ELSE code END,
       head_user_id = CASE WHEN $7 THEN $8::uuid ELSE head_user_id END,
       version = version + 1, updated_at = $9
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [
      id,
      version,
      patch.name !== undefined,
      patch.name ?? null,
      patch.code !== undefined,
      patch.code ?? null,
      patch.headUserId !== undefined,
      patch.headUserId ?? null,
      now,
      patch.name === undefined ? null : pinyinKey(patch.name),
    ],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Moves a department with its whole subtree in ONE set-based statement: every row whose path
 * contains the department gets `new parent path || path[old depth:]` (the department id onwards);
 * only the moved department itself changes parent and version.
 */
export async function moveSubtree(
  tx: Tx,
  args: {
    id: string;
    version: number;
    oldDepth: number;
    newParentId: string;
    newParentPath: string[];
    now: Date;
  },
): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE departments d SET
       path = $4::uuid[] || d.path[$3::int:],
       parent_id = CASE WHEN d.id = $1 THEN $5::uuid ELSE d.parent_id END,
       version = CASE WHEN d.id = $1 THEN d.version + 1 ELSE d.version END,
       updated_at = $6
     WHERE d.tenant_id = kam_tenant() AND d.path @> ARRAY[$1::uuid]
       AND EXISTS (SELECT 1 FROM departments m WHERE m.tenant_id = kam_tenant() AND m.id = $1 AND m.version = $2)`,
    [args.id, args.version, args.oldDepth, args.newParentPath, args.newParentId, args.now],
  );
  return rowCount ?? 0;
}

/** Whether the department still has sub-departments or users (any status). */
export async function departmentContents(tx: Tx, id: string): Promise<{ children: number; users: number }> {
  const { rows } = await tx.query<{ children: number; users: number }>(
    `SELECT (SELECT count(*)::int FROM departments c WHERE c.tenant_id = kam_tenant() AND c.parent_id = $1) AS children,
            (SELECT count(*)::int FROM users u WHERE u.tenant_id = kam_tenant() AND u.department_id = $1) AS users`,
    [id],
  );
  return rows[0]!;
}

export async function deleteDepartment(tx: Tx, id: string, version: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    'DELETE FROM departments WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2',
    [id, version],
  );
  return (rowCount ?? 0) > 0;
}

/** An active user of the tenant (a department head must be one). */
export async function findActiveUser(
  tx: Tx,
  id: string,
): Promise<{ id: string; display_name: string } | null> {
  const { rows } = await tx.query<{ id: string; display_name: string }>(
    `SELECT id, display_name FROM users WHERE tenant_id = kam_tenant() AND id = $1 AND status = 'active'`,
    [id],
  );
  return rows[0] ?? null;
}
