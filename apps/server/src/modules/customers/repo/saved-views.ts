import type { Tx } from '../../../db/database.js';

export interface ViewRow {
  id: string;
  user_id: string;
  name: string;
  filters: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
  name_key: string;
}

const COLS = 'id, user_id, name, filters, version, created_at, updated_at, lower(name) AS name_key';

/** The unique index of a user's view names (a 23505 on it: the name is taken). */
export const VIEW_NAME_KEY = 'saved_views_name_key';

/** A view, locked for update (whoever's it is). */
export async function findViewForUpdate(tx: Tx, id: string): Promise<ViewRow | null> {
  const { rows } = await tx.query<ViewRow>(
    `SELECT ${COLS} FROM saved_views WHERE tenant_id = kam_tenant() AND id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

/** One page of a user's views by name, case-insensitive (keyset: lower(name), id). */
export async function selectViewPage(
  tx: Tx,
  userId: string,
  after: [string, string] | null,
  limit: number,
): Promise<ViewRow[]> {
  const params: unknown[] = [userId, limit];
  let cond = '';
  if (after) {
    params.push(...after);
    cond = ' AND (lower(name), id) > ($3::text, $4::uuid)';
  }
  const { rows } = await tx.query<ViewRow>(
    `SELECT ${COLS} FROM saved_views WHERE tenant_id = kam_tenant() AND user_id = $1${cond}
     ORDER BY lower(name), id LIMIT $2`,
    params,
  );
  return rows;
}

export async function insertView(
  tx: Tx,
  v: { id: string; userId: string; name: string; filters: unknown; now: Date },
): Promise<ViewRow> {
  const { rows } = await tx.query<ViewRow>(
    `INSERT INTO saved_views (tenant_id, id, user_id, name, filters, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $5) RETURNING ${COLS}`,
    [v.id, v.userId, v.name, JSON.stringify(v.filters), v.now],
  );
  return rows[0]!;
}

/** Renames / refilters a view; null when the version no longer matches. */
export async function updateView(
  tx: Tx,
  id: string,
  version: number,
  v: { name: string; filters: unknown; now: Date },
): Promise<ViewRow | null> {
  const { rows } = await tx.query<ViewRow>(
    `UPDATE saved_views SET name = $3, filters = $4, version = version + 1, updated_at = $5
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2 RETURNING ${COLS}`,
    [id, version, v.name, JSON.stringify(v.filters), v.now],
  );
  return rows[0] ?? null;
}

export async function deleteView(tx: Tx, id: string): Promise<void> {
  await tx.query('DELETE FROM saved_views WHERE tenant_id = kam_tenant() AND id = $1', [id]);
}
