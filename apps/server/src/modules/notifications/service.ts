/**
 * In-app notifications: written by capabilities in their own transactions (`notify`), read and
 * marked read by their recipient only.
 */
import { randomUUID } from 'node:crypto';
import type { Locale } from '@kam/domain';
import type { z } from 'zod';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, encodeCursor } from '../../http/schemas.js';
import { hasNotificationChannels } from './channels.js';
import { renderNotification } from './render.js';
import * as repo from './repo.js';
import type { zNotification, zNotificationPage } from './schemas.js';

/** A timestamp as PostgreSQL prints it (`2026-11-30 06:19:44.123456+00`), in a keyset cursor. */
const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

export type Notification = z.infer<typeof zNotification>;

export interface NotificationInput {
  userId: string;
  kind: string;
  entityType?: string | null;
  entityId?: string | null;
  actorId?: string | null;
  actorName?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Writes notifications in the caller's transaction (one statement). They become visible, and are
 * handed to delivery channels, only when that transaction commits.
 */
export async function notify(tx: Tx, items: readonly NotificationInput[], now: Date): Promise<void> {
  await repo.insertNotifications(
    tx,
    items.map((i) => ({
      id: randomUUID(),
      userId: i.userId,
      kind: i.kind,
      entityType: i.entityType ?? null,
      entityId: i.entityId ?? null,
      actorId: i.actorId ?? null,
      actorName: i.actorName ?? null,
      data: i.data ?? {},
    })),
    now,
    !hasNotificationChannels(),
  );
}

function present(row: repo.NotificationRow, locale: Locale): Notification {
  const text = renderNotification(row.kind, row.data, locale, row.actor_name);
  return {
    id: row.id,
    kind: row.kind,
    title: text.title,
    body: text.body,
    entityType: row.entity_type,
    entityId: row.entity_id,
    actorName: row.actor_name,
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
  };
}

export async function listNotifications(
  ctx: ServiceContext,
  q: { unread?: boolean | undefined; limit: number; cursor?: string | undefined },
  locale: Locale,
): Promise<z.infer<typeof zNotificationPage>> {
  const raw = decodeCursor(q.cursor, 2);
  if (
    q.cursor &&
    (!raw ||
      typeof raw[0] !== 'string' ||
      typeof raw[1] !== 'string' ||
      !TIMESTAMP_KEY.test(raw[0]) ||
      !/^[0-9a-f-]{36}$/.test(raw[1]))
  ) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      { fields: [{ path: 'querystring.cursor', code: 'OUT_OF_RANGE', message: '' }] },
    );
  }
  const after = raw ? ([raw[0], raw[1]] as [string, string]) : null;
  return inTenant(ctx, async (tx) => {
    const rows = await repo.selectPage(tx, ctx.actor.userId, {
      unread: q.unread === true,
      after,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => present(r, locale)),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.at_key, last.id]) : null,
      unreadCount: await repo.unreadCount(tx, ctx.actor.userId),
    };
  });
}

export function unreadNotifications(tx: Tx, userId: string): Promise<number> {
  return repo.unreadCount(tx, userId);
}

/** Marks my notification read (idempotent); someone else's answers 404. */
export async function markNotificationRead(
  ctx: ServiceContext,
  id: string,
  locale: Locale,
): Promise<Notification> {
  return inTenant(ctx, async (tx) => {
    const row = await repo.markRead(tx, ctx.actor.userId, id, ctx.now);
    if (!row) {
      // Someone else's notification: the same 404, recorded as a denial.
      if (await repo.exists(tx, id))
        throw new AppError('NOT_FOUND', {}, undefined, {
          entityType: 'notification',
          entityId: id,
          reason: 'out_of_scope',
        });
      throw new AppError('NOT_FOUND');
    }
    return present(row, locale);
  });
}

export async function markAllNotificationsRead(ctx: ServiceContext): Promise<{ updated: number }> {
  return inTenant(ctx, async (tx) => ({ updated: await repo.markAllRead(tx, ctx.actor.userId, ctx.now) }));
}
