import type { OrderStatus } from '@kam/domain';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';

/**
 * An order as read, with its customer's name and the figures derived from its payments (money as
 * numeric(18,2) text, computed exactly in SQL): `paid_amount` (payments received), `outstanding`
 * (a confirmed order's amount not yet received; cancelled and returned documents owe nothing) and
 * `overdue_amount` (unpaid instalments of a confirmed order due before today, Asia/Shanghai).
 */
export interface OrderRow {
  id: string;
  order_no: string;
  customer_id: string;
  customer_name: string;
  ordered_at: string;
  amount: string;
  gross_margin: string | null;
  product_line: string | null;
  status: OrderStatus;
  notes: string | null;
  paid_amount: string;
  outstanding: string;
  overdue_amount: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface PaymentRow {
  id: string;
  order_id: string;
  order_no: string;
  customer_id: string;
  amount: string;
  due_date: string | null;
  paid_at: string | null;
  notes: string | null;
  overdue: boolean;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type OrderFields = {
  orderNo: string;
  orderedAt: string;
  amount: string;
  grossMargin: string | null;
  productLine: string | null;
  status: OrderStatus;
  notes: string | null;
};

export type PaymentFields = {
  amount: string;
  dueDate: string | null;
  paidAt: string | null;
  notes: string | null;
};

/** The sorts of the order list: column, direction. */
export const ORDER_SORTS = {
  '-orderedAt': { column: 'ordered_at', type: 'date', desc: true },
  orderedAt: { column: 'ordered_at', type: 'date', desc: false },
  '-amount': { column: 'amount', type: 'numeric', desc: true },
  amount: { column: 'amount', type: 'numeric', desc: false },
} as const;
export type OrderSort = keyof typeof ORDER_SORTS;
/** Keyset: the sort value of the last row (as text), its id. */
export type OrderKey = [string, string];

/**
 * One page of orders (`where`/`order` over `o` and its customer `c`), decorated set-based with the
 * payment figures of just that page (one lateral aggregate per row over `payments_order_idx`).
 */
async function selectPage(
  tx: Tx,
  p: Params,
  join: string,
  where: string[],
  order: string,
  limit: number,
  today: string,
): Promise<OrderRow[]> {
  const { rows } = await tx.query<OrderRow>(
    `WITH page AS (
       SELECT o.*, c.name AS customer_name
       FROM orders o
       ${join}
       WHERE o.tenant_id = kam_tenant()${where.map((w) => ` AND ${w}`).join('')}
       ORDER BY ${order}
       LIMIT ${p.add(limit)}
     )
     SELECT o.id, o.order_no, o.customer_id, o.customer_name, o.ordered_at::text AS ordered_at,
            o.amount::text AS amount, o.gross_margin::text AS gross_margin, o.product_line, o.status, o.notes,
            coalesce(pay.paid, 0)::numeric(18, 2)::text AS paid_amount,
            (CASE WHEN o.status = 'confirmed' THEN greatest(o.amount - coalesce(pay.paid, 0), 0) ELSE 0 END)
              ::numeric(18, 2)::text AS outstanding,
            (CASE WHEN o.status = 'confirmed' THEN coalesce(pay.overdue, 0) ELSE 0 END)
              ::numeric(18, 2)::text AS overdue_amount,
            o.version, o.created_at, o.updated_at
     FROM page o
     LEFT JOIN LATERAL (
       SELECT sum(y.amount) FILTER (WHERE y.paid_at IS NOT NULL) AS paid,
              sum(y.amount) FILTER (WHERE y.paid_at IS NULL AND y.due_date < ${p.add(today)}::date) AS overdue
       FROM payments y WHERE y.tenant_id = kam_tenant() AND y.order_id = o.id
     ) pay ON true
     ORDER BY ${order}`,
    p.values,
  );
  return rows;
}

/** Orders of the customers visible through `visibleJoin` (built on `p`). */
export async function listOrders(
  tx: Tx,
  p: Params,
  visibleJoin: string,
  f: {
    customerId?: string | undefined;
    status?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    productLine?: string | undefined;
    sort: OrderSort;
    limit: number;
    after: OrderKey | null;
    today: string;
  },
): Promise<OrderRow[]> {
  const where: string[] = [];
  if (f.customerId) where.push(`o.customer_id = ${p.add(f.customerId)}::uuid`);
  if (f.status) where.push(`o.status = ${p.add(f.status)}`);
  if (f.from) where.push(`o.ordered_at >= ${p.add(f.from)}::date`);
  if (f.to) where.push(`o.ordered_at <= ${p.add(f.to)}::date`);
  if (f.productLine) where.push(`o.product_line = ${p.add(f.productLine)}`);
  const s = ORDER_SORTS[f.sort];
  const dir = s.desc ? 'DESC' : 'ASC';
  if (f.after) {
    where.push(
      `(o.${s.column}, o.id) ${s.desc ? '<' : '>'} (${p.add(f.after[0])}::${s.type}, ${p.add(f.after[1])}::uuid)`,
    );
  }
  return selectPage(tx, p, visibleJoin, where, `o.${s.column} ${dir}, o.id ${dir}`, f.limit, f.today);
}

/** One order (access already checked on its customer). */
export async function getOrder(tx: Tx, id: string, today: string): Promise<OrderRow | null> {
  const p = new Params();
  const rows = await selectPage(
    tx,
    p,
    'JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = o.customer_id',
    [`o.id = ${p.add(id)}::uuid`],
    'o.id',
    1,
    today,
  );
  return rows[0] ?? null;
}

const PAYMENT_SELECT = (today: string, p: Params) => `SELECT y.id, y.order_id, o.order_no, y.customer_id,
       y.amount::text AS amount, y.due_date::text AS due_date, y.paid_at::text AS paid_at, y.notes,
       (o.status = 'confirmed' AND y.paid_at IS NULL AND y.due_date < ${p.add(today)}::date) AS overdue,
       y.version, y.created_at, y.updated_at
  FROM payments y
  JOIN orders o ON o.tenant_id = kam_tenant() AND o.id = y.order_id`;

/** Keyset of an order's payments: due date (null last), id. */
export type PaymentKey = [string | null, string];

/** An order's payments by due date (undated last), at most `limit` (access already checked). */
export async function listPayments(
  tx: Tx,
  orderId: string,
  today: string,
  limit: number,
  after: PaymentKey | null,
): Promise<PaymentRow[]> {
  const p = new Params();
  const select = PAYMENT_SELECT(today, p);
  const where = ['y.tenant_id = kam_tenant()', `y.order_id = ${p.add(orderId)}::uuid`];
  if (after) {
    const [due, id] = after;
    const idParam = p.add(id);
    if (due === null) where.push(`y.due_date IS NULL AND y.id > ${idParam}::uuid`);
    else {
      const d = p.add(due);
      where.push(
        `(y.due_date > ${d}::date OR y.due_date IS NULL OR (y.due_date = ${d}::date AND y.id > ${idParam}::uuid))`,
      );
    }
  }
  const { rows } = await tx.query<PaymentRow>(
    `${select} WHERE ${where.join(' AND ')} ORDER BY y.due_date ASC NULLS LAST, y.id LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows;
}

export async function getPayment(tx: Tx, id: string, today: string): Promise<PaymentRow | null> {
  const p = new Params();
  const select = PAYMENT_SELECT(today, p);
  const { rows } = await tx.query<PaymentRow>(
    `${select} WHERE y.tenant_id = kam_tenant() AND y.id = ${p.add(id)}::uuid`,
    p.values,
  );
  return rows[0] ?? null;
}

export async function insertOrder(
  tx: Tx,
  o: OrderFields & { id: string; customerId: string; createdBy: string; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin, product_line,
       status, notes, created_by, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4::date, $5::numeric, $6::numeric, $7, $8, $9, $10, $11, $11)`,
    [
      o.id,
      o.orderNo,
      o.customerId,
      o.orderedAt,
      o.amount,
      o.grossMargin,
      o.productLine,
      o.status,
      o.notes,
      o.createdBy,
      o.now,
    ],
  );
}

/** Inserts payments of one order in one statement. */
export async function insertPayments(
  tx: Tx,
  orderId: string,
  customerId: string,
  payments: (PaymentFields & { id: string })[],
  createdBy: string,
  now: Date,
): Promise<void> {
  if (payments.length === 0) return;
  await tx.query(
    `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at, notes, created_by,
       created_at, updated_at)
     SELECT kam_tenant(), x.id, $1, $2, x.amount, x.due_date, x.paid_at, x.notes, $3, $4, $4
     FROM unnest($5::uuid[], $6::numeric[], $7::date[], $8::date[], $9::text[])
       AS x(id, amount, due_date, paid_at, notes)`,
    [
      orderId,
      customerId,
      createdBy,
      now,
      payments.map((y) => y.id),
      payments.map((y) => y.amount),
      payments.map((y) => y.dueDate),
      payments.map((y) => y.paidAt),
      payments.map((y) => y.notes),
    ],
  );
}

const ORDER_COLUMNS: Record<keyof OrderFields, [string, string]> = {
  orderNo: ['order_no', ''],
  orderedAt: ['ordered_at', '::date'],
  amount: ['amount', '::numeric'],
  grossMargin: ['gross_margin', '::numeric'],
  productLine: ['product_line', ''],
  status: ['status', ''],
  notes: ['notes', ''],
};

const PAYMENT_COLUMNS: Record<keyof PaymentFields, [string, string]> = {
  amount: ['amount', '::numeric'],
  dueDate: ['due_date', '::date'],
  paidAt: ['paid_at', '::date'],
  notes: ['notes', ''],
};

async function updateRow<F extends object>(
  tx: Tx,
  table: 'orders' | 'payments',
  columns: Record<keyof F, [string, string]>,
  id: string,
  customerId: string,
  version: number,
  patch: Partial<F>,
  now: Date,
): Promise<boolean> {
  const p = new Params();
  const sets = Object.entries(patch).map(([field, value]) => {
    const [column, cast] = columns[field as keyof F];
    return `${column} = ${p.add(value)}${cast}`;
  });
  const { rowCount } = await tx.query(
    `UPDATE ${table} SET ${sets.join(', ')}, version = version + 1, updated_at = ${p.add(now)}
     WHERE tenant_id = kam_tenant() AND id = ${p.add(id)} AND customer_id = ${p.add(customerId)}
       AND version = ${p.add(version)}`,
    p.values,
  );
  return (rowCount ?? 0) > 0;
}

/** Sets the given fields when the version still matches; `false` otherwise. */
export const updateOrder = (
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
  patch: Partial<OrderFields>,
  now: Date,
) => updateRow(tx, 'orders', ORDER_COLUMNS, id, customerId, version, patch, now);

export const updatePayment = (
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
  patch: Partial<PaymentFields>,
  now: Date,
) => updateRow(tx, 'payments', PAYMENT_COLUMNS, id, customerId, version, patch, now);

/** Deletes an order with its payments (cascade); the number of payments it had, or null on a stale version. */
export async function deleteOrder(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
): Promise<number | null> {
  const { rows } = await tx.query<{ payments: number }>(
    `DELETE FROM orders o WHERE o.tenant_id = kam_tenant() AND o.id = $1 AND o.customer_id = $2 AND o.version = $3
     RETURNING (SELECT count(*)::int FROM payments y WHERE y.tenant_id = kam_tenant() AND y.order_id = o.id) AS payments`,
    [id, customerId, version],
  );
  return rows[0]?.payments ?? null;
}

export async function deletePayment(
  tx: Tx,
  id: string,
  customerId: string,
  version: number,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'DELETE FROM payments WHERE tenant_id = kam_tenant() AND id = $1 AND customer_id = $2 AND version = $3',
    [id, customerId, version],
  );
  return (rowCount ?? 0) > 0;
}
