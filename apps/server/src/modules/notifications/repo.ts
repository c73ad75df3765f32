import type { Tx } from '../../db/database.js';

export interface NotificationRow {
  id: string;
  user_id: string;
  kind: string;
  entity_type: string | null;
  entity_id: string | null;
  actor_name: string | null;
  data: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
  /** `created_at` as exact text (microseconds) for the keyset cursor */
  at_key: string;
}

export interface NewNotification {
  id: string;
  userId: string;
  kind: string;
  entityType: string | null;
  entityId: string | null;
  actorId: string | null;
  actorName: string | null;
  data: Record<string, unknown>;
}

/** One statement for any number of notifications. */
export async function insertNotifications(
  tx: Tx,
  items: readonly NewNotification[],
  now: Date,
  dispatched: boolean,
): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO notifications (tenant_id, id, user_id, kind, entity_type, entity_id, actor_id, actor_name,
                                data, created_at, dispatched_at)
     SELECT kam_tenant(), x.id, x."userId", x.kind, x."entityType", x."entityId", x."actorId", x."actorName",
            x.data, $2, CASE WHEN $3::boolean THEN $2::timestamptz END
     FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, "userId" uuid, kind text, "entityType" text,
                                             "entityId" uuid, "actorId" uuid, "actorName" text, data jsonb)`,
    [JSON.stringify(items), now, dispatched],
  );
}

export async function selectPage(
  tx: Tx,
  userId: string,
  opts: { unread: boolean; after: [string, string] | null; limit: number },
): Promise<NotificationRow[]> {
  const values: unknown[] = [userId, opts.limit];
  let keyset = '';
  if (opts.after) {
    values.push(opts.after[0], opts.after[1]);
    keyset = `AND (n.created_at, n.id) < ($3::timestamptz, $4::uuid)`;
  }
  const { rows } = await tx.query<NotificationRow>(
    `SELECT n.id, n.user_id, n.kind, n.entity_type, n.entity_id, n.actor_name, n.data, n.created_at, n.read_at,
            n.created_at::text AS at_key
     FROM notifications n
     WHERE n.tenant_id = kam_tenant() AND n.user_id = $1 ${opts.unread ? 'AND n.read_at IS NULL' : ''} ${keyset}
     ORDER BY n.created_at DESC, n.id DESC
     LIMIT $2`,
    values,
  );
  return rows;
}

export async function unreadCount(tx: Tx, userId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notifications
     WHERE tenant_id = kam_tenant() AND user_id = $1 AND read_at IS NULL`,
    [userId],
  );
  return rows[0]?.n ?? 0;
}

/** Marks one of the user's notifications read; null when it is not theirs (or does not exist). */
export async function markRead(
  tx: Tx,
  userId: string,
  id: string,
  now: Date,
): Promise<NotificationRow | null> {
  const { rows } = await tx.query<NotificationRow>(
    `UPDATE notifications SET read_at = coalesce(read_at, $3)
     WHERE tenant_id = kam_tenant() AND user_id = $1 AND id = $2
     RETURNING id, user_id, kind, entity_type, entity_id, actor_name, data, created_at, read_at,
               created_at::text AS at_key`,
    [userId, id, now],
  );
  return rows[0] ?? null;
}

export async function exists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query(`SELECT 1 FROM notifications WHERE tenant_id = kam_tenant() AND id = $1`, [
    id,
  ]);
  return rows.length > 0;
}

export async function markAllRead(tx: Tx, userId: string, now: Date): Promise<number> {
  const res = await tx.query(
    `UPDATE notifications SET read_at = $2
     WHERE tenant_id = kam_tenant() AND user_id = $1 AND read_at IS NULL`,
    [userId, now],
  );
  return res.rowCount ?? 0;
}

export async function allTenantIds(tx: Tx): Promise<string[]> {
  const { rows } = await tx.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM kam_sys.tenant_directory ORDER BY tenant_id',
  );
  return rows.map((r) => r.tenant_id);
}

export async function claimUndispatched(
  tx: Tx,
  limit: number,
): Promise<(NotificationRow & { locale: string })[]> {
  const { rows } = await tx.query<NotificationRow & { locale: string }>(
    `SELECT n.id, n.user_id, n.kind, n.entity_type, n.entity_id, n.actor_name, n.data, n.created_at, n.read_at,
            n.created_at::text AS at_key, u.locale
     FROM notifications n
     JOIN users u ON u.tenant_id = n.tenant_id AND u.id = n.user_id
     WHERE n.tenant_id = kam_tenant() AND n.dispatched_at IS NULL
     ORDER BY n.created_at, n.id
     LIMIT $1
     FOR UPDATE OF n SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function markDispatched(tx: Tx, ids: readonly string[]): Promise<void> {
  await tx.query(
    `UPDATE notifications SET dispatched_at = now()
     WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])`,
    [ids],
  );
}
