/**
 * Delivery channels beyond the in-app inbox (e-mail, WeCom/DingTalk/Feishu robots …) plug in here.
 *
 * In-app is the only channel today: every notification is a row in `notifications`, read through
 * `/api/v1/notifications`. A channel registered with `registerNotificationChannel` receives every
 * notification written while it is registered, after commit, from the `notifications.dispatch` job
 * (every minute, each organisation in turn, oldest first, in batches): the job hands the batch to every
 * channel and marks it dispatched only when all of them succeeded, so a failing channel retries on the
 * next run. A channel must therefore tolerate receiving a notification twice (another channel failed).
 * Without channels, notifications are written as already dispatched and the job does nothing.
 */
import type { Locale } from '@kam/domain';
import type { Database } from '../../db/database.js';
import { renderNotification } from './render.js';
import * as repo from './repo.js';

/** A notification as channels receive it, rendered in the recipient's language. */
export interface OutgoingNotification {
  id: string;
  tenantId: string;
  userId: string;
  /** The recipient's language (their profile setting). */
  locale: Locale;
  kind: string;
  title: string;
  body: string | null;
  entityType: string | null;
  entityId: string | null;
  createdAt: string;
}

export interface NotificationChannel {
  /** Stable name, e.g. `email` or `wecom`. */
  readonly name: string;
  /** Delivers a batch; throwing leaves the batch undispatched for the next run. */
  deliver(batch: readonly OutgoingNotification[]): Promise<void>;
}

const channels = new Map<string, NotificationChannel>();

export function registerNotificationChannel(channel: NotificationChannel): void {
  const existing = channels.get(channel.name);
  if (existing && existing !== channel)
    throw new Error(`notification channel "${channel.name}" already registered`);
  channels.set(channel.name, channel);
}

export function unregisterNotificationChannel(name: string): void {
  channels.delete(name);
}

/** Whether newly written notifications wait for delivery by a channel. */
export function hasNotificationChannels(): boolean {
  return channels.size > 0;
}

export const DISPATCH_BATCH = 200;

/**
 * Hands every undispatched notification to every registered channel, organisation by organisation;
 * a failure in one organisation does not hold up the others (the run then fails, naming them). Rows are claimed with `FOR UPDATE SKIP LOCKED`, so two workers never deliver the same batch at once.
 */
export async function dispatchNotifications(db: Database): Promise<{ dispatched: number }> {
  if (channels.size === 0) return { dispatched: 0 };
  const tenants = await db.withSystem(repo.allTenantIds);
  let dispatched = 0;
  const errors: unknown[] = [];
  for (const tenantId of tenants) {
    try {
      dispatched += await dispatchTenant(db, tenantId);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) {
    throw new AggregateError(errors, `notification delivery failed for ${errors.length} organisation(s)`);
  }
  return { dispatched };
}

/** One organisation's undispatched notifications, batch by batch; a failing channel stops it. */
async function dispatchTenant(db: Database, tenantId: string): Promise<number> {
  let dispatched = 0;
  for (;;) {
    const n = await db.withTenant(tenantId, async (tx) => {
      const rows = await repo.claimUndispatched(tx, DISPATCH_BATCH);
      if (rows.length === 0) return 0;
      const batch = rows.map((r): OutgoingNotification => {
        const locale: Locale = r.locale === 'en' ? 'en' : 'zh-CN';
        const text = renderNotification(r.kind, r.data, locale, r.actor_name);
        return {
          id: r.id,
          tenantId,
          userId: r.user_id,
          locale,
          kind: r.kind,
          title: text.title,
          body: text.body,
          entityType: r.entity_type,
          entityId: r.entity_id,
          createdAt: r.created_at.toISOString(),
        };
      });
      for (const channel of channels.values()) await channel.deliver(batch);
      await repo.markDispatched(
        tx,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
    dispatched += n;
    if (n < DISPATCH_BATCH) break;
  }
  return dispatched;
}
