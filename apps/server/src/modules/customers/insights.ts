import { effectiveFieldRules, todayInShanghai } from '@kam/domain';
import type { z } from 'zod';
import { customerFor } from '../../access/customer-guard.js';
import { customerScopeSql } from '../../access/customer-scope.js';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import * as repo from './repo/insights.js';
import { TIMELINE_KINDS, type TimelineKind, type zSummary, type zTimelineItem } from './schemas.js';
import { fieldError } from './service.js';

export type CustomerSummary = z.infer<typeof zSummary>;
export type TimelineItem = z.infer<typeof zTimelineItem>;

/** Which attached resources the actor may view on this customer (scope or account team). */
async function viewable(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
): Promise<{ order: boolean; service: boolean; contact: boolean; followUp: boolean }> {
  const p = new Params();
  const flag = (r: 'order' | 'service_record' | 'contact' | 'follow_up') =>
    customerScopeSql(ctx.actor, r, 'view', p) ?? 'FALSE';
  return repo.customerFlags(tx, p, id, {
    order: flag('order'),
    service: flag('service_record'),
    contact: flag('contact'),
    followUp: flag('follow_up'),
  });
}

/** Key figures of one customer, in one statement; figures of resources the actor may not view are null. */
export async function customerSummary(ctx: ServiceContext, id: string): Promise<CustomerSummary> {
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, id, 'customer', 'view');
    const p = new Params();
    const flag = (r: 'order' | 'service_record' | 'contact') =>
      customerScopeSql(ctx.actor, r, 'view', p) ?? 'FALSE';
    const r = (await repo.selectSummary(tx, p, {
      id,
      today: todayInShanghai(ctx.now),
      may: { orders: flag('order'), service: flag('service_record'), contacts: flag('contact') },
    }))!;
    const rules = effectiveFieldRules(ctx.actor, 'customer');
    return {
      revenue12m: rules.revenue12m === undefined || rules.revenue12m === 'readonly' ? r.revenue : null,
      ordersCount12m: r.can_orders ? r.orders_12m : null,
      lastOrderAt: r.can_orders ? r.last_order_at : null,
      lastFollowUpAt: r.last_follow_up_at?.toISOString() ?? null,
      openComplaints: r.can_service ? r.open_complaints : null,
      openServiceRecords: r.can_service ? r.open_service : null,
      overdueReceivables: r.can_orders ? { amount: r.overdue_amount, count: r.overdue_count } : null,
      contactsCount: r.can_contacts ? r.contacts_count : null,
      teamSize: r.team_size,
    };
  });
}

const BRANCH_RESOURCE: Record<TimelineKind, 'order' | 'service' | 'followUp' | 'customer'> = {
  follow_up: 'followUp',
  order: 'order',
  payment_paid: 'order',
  payment_due: 'order',
  service_opened: 'service',
  service_closed: 'service',
  ownership: 'customer',
  change: 'customer',
};

/**
 * The customer's timeline, newest first, keyset on (at, kind, id): one UNION ALL statement whose
 * branches each read their (customer, time) index with a LIMIT; only kinds the actor may view.
 */
export async function customerTimeline(
  ctx: ServiceContext,
  id: string,
  q: { limit: number; cursor?: string | undefined; kinds?: TimelineKind[] | undefined },
): Promise<{ items: TimelineItem[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 3);
  if (
    q.cursor &&
    (!raw ||
      typeof raw[0] !== 'string' ||
      !(TIMELINE_KINDS as readonly unknown[]).includes(raw[1]) ||
      typeof raw[2] !== 'string')
  ) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  const rules = effectiveFieldRules(ctx.actor, 'customer');
  const rows = await inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, id, 'customer', 'view');
    const may = { ...(await viewable(tx, ctx, id)), customer: true };
    const kinds = TIMELINE_KINDS.filter((k) => may[BRANCH_RESOURCE[k]] && (!q.kinds || q.kinds.includes(k)));
    return repo.selectTimelinePage(tx, {
      customerId: id,
      kinds,
      today: todayInShanghai(ctx.now),
      after: raw ? [raw[0] as string, raw[1] as TimelineKind, raw[2] as string] : null,
      limit: q.limit + 1,
    });
  });
  return toPage(
    rows,
    q.limit,
    (r) => ({
      kind: r.kind,
      at: r.at.toISOString(),
      id: r.id,
      title: r.title,
      summary: r.summary,
      amount: r.amount,
      actorName: r.actor_name,
      // Changes of fields a field rule hides or masks from the viewer are left out.
      changes: Array.isArray(r.changes)
        ? r.changes.filter((c) => rules[c.field] === undefined || rules[c.field] === 'readonly')
        : null,
    }),
    (r) => [r.at_key, r.kind, r.id],
  );
}
