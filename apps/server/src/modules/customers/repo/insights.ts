import { Params } from '../../../access/sql.js';
import type { Tx } from '../../../db/database.js';
import type { TimelineKind } from '../schemas.js';

/**
 * Evaluates boolean predicates (scope predicates over `c`, built on `p`) on one customer: each
 * key's value; all false when the customer is missing.
 */
export async function customerFlags<K extends string>(
  tx: Tx,
  p: Params,
  id: string,
  preds: Record<K, string>,
): Promise<Record<K, boolean>> {
  const idP = p.add(id);
  const keys = Object.keys(preds) as K[];
  const { rows } = await tx.query<Record<string, boolean>>(
    `SELECT ${keys.map((k, i) => `(${preds[k]}) AS f${i}`).join(', ')}
     FROM customers c WHERE c.tenant_id = kam_tenant() AND c.id = ${idP}::uuid`,
    p.values,
  );
  const r = rows[0];
  return Object.fromEntries(keys.map((k, i) => [k, r?.[`f${i}`] === true])) as Record<K, boolean>;
}

export interface SummaryRow {
  revenue: string;
  orders_12m: number;
  last_order_at: string | null;
  last_follow_up_at: Date | null;
  open_complaints: number;
  open_service: number;
  overdue_amount: string;
  overdue_count: number;
  contacts_count: number;
  team_size: number;
  can_orders: boolean;
  can_service: boolean;
  can_contacts: boolean;
}

/**
 * Key figures of one customer in one statement; receivables overdue as of `today` ('YYYY-MM-DD');
 * `may` holds the actor's view-scope predicates (over `c`, built on `p`) of the attached resources.
 */
export async function selectSummary(
  tx: Tx,
  p: Params,
  args: { id: string; today: string; may: { orders: string; service: string; contacts: string } },
): Promise<SummaryRow | null> {
  const idP = p.add(args.id);
  const today = p.add(args.today);
  const { rows } = await tx.query<SummaryRow>(
    `SELECT c.revenue_12m::text AS revenue, c.orders_12m, to_char(c.last_order_at, 'YYYY-MM-DD') AS last_order_at,
            c.last_follow_up_at, ${args.may.orders} AS can_orders, ${args.may.service} AS can_service,
            ${args.may.contacts} AS can_contacts,
            (SELECT count(*)::int FROM service_records s WHERE s.tenant_id = kam_tenant() AND s.customer_id = c.id
               AND s.type = 'complaint' AND s.closed_at IS NULL) AS open_complaints,
            (SELECT count(*)::int FROM service_records s WHERE s.tenant_id = kam_tenant() AND s.customer_id = c.id
               AND s.closed_at IS NULL) AS open_service,
            od.amount AS overdue_amount, od.n AS overdue_count,
            (SELECT count(*)::int FROM contacts ct WHERE ct.tenant_id = kam_tenant() AND ct.customer_id = c.id) AS contacts_count,
            (SELECT count(*)::int FROM customer_team t WHERE t.tenant_id = kam_tenant() AND t.customer_id = c.id) AS team_size
     FROM customers c
     CROSS JOIN LATERAL (
       SELECT coalesce(sum(py.amount), 0)::numeric(18, 2)::text AS amount, count(*)::int AS n
       FROM payments py WHERE py.tenant_id = kam_tenant() AND py.customer_id = c.id
         AND py.paid_at IS NULL AND py.due_date < ${today}::date
     ) od
     WHERE c.tenant_id = kam_tenant() AND c.id = ${idP}::uuid`,
    p.values,
  );
  return rows[0] ?? null;
}

interface Branch {
  kind: TimelineKind;
  /** SELECT list: title, summary, amount, actor_name, changes */
  select: string;
  from: string;
  where: string;
  at: string;
  id: string;
  /** an extra index-friendly bound on the branch's own column, given the cursor's `at` parameter */
  bound?: (atParam: string) => string;
}

const SH = `'Asia/Shanghai'`;
const dayStart = (col: string) => `(${col}::timestamp AT TIME ZONE ${SH})`;
const dayBound = (col: string) => (at: string) => `${col} <= (${at}::timestamptz AT TIME ZONE ${SH})::date`;

function branches(id: string, today: string): Branch[] {
  const cust = (a: string) => `${a}.tenant_id = kam_tenant() AND ${a}.customer_id = ${id}::uuid`;
  const user = (a: string, col: string) =>
    `LEFT JOIN users ${a} ON ${a}.tenant_id = kam_tenant() AND ${a}.id = ${col}`;
  return [
    {
      kind: 'follow_up',
      at: 'f.at',
      id: 'f.id',
      select: `f.type, f.summary, NULL::text, u.display_name, NULL::jsonb`,
      from: `follow_ups f ${user('u', 'f.author_id')}`,
      where: cust('f'),
      bound: (at) => `f.at <= ${at}::timestamptz`,
    },
    {
      kind: 'order',
      at: dayStart('o.ordered_at'),
      id: 'o.id',
      select: `o.order_no, o.status, o.amount::text, u.display_name, NULL::jsonb`,
      from: `orders o ${user('u', 'o.created_by')}`,
      where: cust('o'),
      bound: dayBound('o.ordered_at'),
    },
    {
      kind: 'payment_paid',
      at: dayStart('py.paid_at'),
      id: 'py.id',
      select: `o.order_no, 'paid', py.amount::text, u.display_name, NULL::jsonb`,
      from: `payments py JOIN orders o ON o.tenant_id = kam_tenant() AND o.id = py.order_id ${user('u', 'py.created_by')}`,
      where: `${cust('py')} AND py.paid_at IS NOT NULL`,
      bound: dayBound('py.paid_at'),
    },
    {
      kind: 'payment_due',
      at: dayStart('py.due_date'),
      id: 'py.id',
      select: `o.order_no, 'due', py.amount::text, u.display_name, NULL::jsonb`,
      from: `payments py JOIN orders o ON o.tenant_id = kam_tenant() AND o.id = py.order_id ${user('u', 'py.created_by')}`,
      where: `${cust('py')} AND py.paid_at IS NULL AND py.due_date <= ${today}::date`,
      bound: dayBound('py.due_date'),
    },
    {
      kind: 'service_opened',
      at: 's.opened_at',
      id: 's.id',
      select: `s.title, s.type, NULL::text, u.display_name, NULL::jsonb`,
      from: `service_records s ${user('u', 's.created_by')}`,
      where: cust('s'),
      bound: (at) => `s.opened_at <= ${at}::timestamptz`,
    },
    {
      kind: 'service_closed',
      at: 's.closed_at',
      id: 's.id',
      select: `s.title, s.type, NULL::text, u.display_name, NULL::jsonb`,
      from: `service_records s ${user('u', 's.handler_id')}`,
      where: `${cust('s')} AND s.closed_at IS NOT NULL`,
    },
    {
      kind: 'ownership',
      at: 'h.changed_at',
      id: 'h.id',
      select: `h.kind, h.reason, NULL::text, u.display_name,
               jsonb_build_array(jsonb_build_object('field', 'owner', 'before', fu.display_name, 'after', tu.display_name))`,
      from: `customer_ownership_history h ${user('u', 'h.changed_by')} ${user('fu', 'h.from_owner_id')} ${user('tu', 'h.to_owner_id')}`,
      where: cust('h'),
      bound: (at) => `h.changed_at <= ${at}::timestamptz`,
    },
    {
      kind: 'change',
      at: 'a.at',
      id: 'a.id',
      select: `a.action, NULL::text, NULL::text, a.actor_name, a.changes`,
      from: 'audit_log a',
      where: `a.tenant_id = kam_tenant() AND a.entity_type = 'customer' AND a.entity_id = ${id}::text
              AND a.action LIKE 'customer.%' AND a.action <> 'customer.assign'`,
      bound: (at) => `a.at <= ${at}::timestamptz`,
    },
  ];
}

export interface TimelineRow {
  kind: TimelineKind;
  at: Date;
  at_key: string;
  id: string;
  title: string | null;
  summary: string | null;
  amount: string | null;
  actor_name: string | null;
  changes: { field: string; before: unknown; after: unknown }[] | null;
}

/**
 * One page of the timeline of the given `kinds`, newest first, keyset on (at, kind, id): one UNION ALL
 * statement whose branches each read their (customer, time) index with a LIMIT. `today` ('YYYY-MM-DD')
 * bounds the due payments.
 */
export async function selectTimelinePage(
  tx: Tx,
  args: {
    customerId: string;
    kinds: TimelineKind[];
    today: string;
    after: [string, TimelineKind, string] | null;
    limit: number;
  },
): Promise<TimelineRow[]> {
  if (args.kinds.length === 0) return [];
  const p = new Params();
  const idP = p.add(args.customerId);
  // every parameter must be used by the statement (an unused one has no type)
  const today = args.kinds.includes('payment_due') ? p.add(args.today) : 'NULL';
  const limit = p.add(args.limit);
  const cursor = args.after
    ? { at: p.add(args.after[0]), kind: p.add(args.after[1]), id: p.add(args.after[2]) }
    : null;
  const parts = branches(idP, today)
    .filter((b) => args.kinds.includes(b.kind))
    .map((b) => {
      const where = [b.where];
      if (cursor) {
        if (b.bound) where.push(b.bound(cursor.at));
        where.push(
          `(${b.at}, '${b.kind}'::text, ${b.id}::text) < (${cursor.at}::timestamptz, ${cursor.kind}::text, ${cursor.id}::text)`,
        );
      }
      return `(SELECT '${b.kind}'::text AS kind, ${b.at} AS at, ${b.id}::text AS id, ${b.select}
               FROM ${b.from} WHERE ${where.join(' AND ')}
               ORDER BY ${b.at} DESC, ${b.id} DESC LIMIT ${limit})`;
    });
  const { rows } = await tx.query<TimelineRow>(
    `SELECT t.kind, t.at, t.at::text AS at_key, t.id, t.title, t.summary, t.amount, t.actor_name, t.changes
     FROM (
       SELECT * FROM (VALUES (NULL::text, NULL::timestamptz, NULL::text, NULL::text, NULL::text, NULL::text,
                              NULL::text, NULL::jsonb)) AS e(kind, at, id, title, summary, amount, actor_name, changes)
       WHERE false
       UNION ALL ${parts.join(' UNION ALL ')}
     ) t
     ORDER BY t.at DESC, t.kind DESC, t.id DESC LIMIT ${limit}`,
    p.values,
  );
  return rows;
}
