import {
  applyFieldRules,
  effectiveFieldRules,
  type FieldRules,
  type OrderStatus,
  todayInShanghai,
} from '@kam/domain';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import { AppError } from '../../http/errors.js';
import { toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import {
  assertVersion,
  assertWritable,
  cursorOf,
  fieldError,
  given,
  guardCustomer,
  guardRecord,
  isIsoDate,
  isUuid,
  visibleCustomerJoin,
} from '../customer-records.js';
import * as repo from './repo.js';

/** A payment instalment (回款) of an order. Money as decimal strings. */
export interface Payment {
  id: string;
  orderId: string;
  orderNo: string;
  customerId: string;
  amount: string;
  dueDate: string | null;
  paidAt: string | null;
  notes: string | null;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** An order as the API returns it; `grossMargin` is absent when a field rule hides it. */
export interface Order {
  id: string;
  orderNo: string;
  customerId: string;
  customerName: string;
  orderedAt: string;
  amount: string;
  grossMargin?: string | null;
  productLine: string | null;
  status: OrderStatus;
  notes: string | null;
  paidAmount: string;
  outstanding: string;
  overdueAmount: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const ORDER_AUDITED = [
  'orderNo',
  'orderedAt',
  'amount',
  'grossMargin',
  'productLine',
  'status',
  'notes',
] as const satisfies readonly (keyof repo.OrderFields)[];
const PAYMENT_AUDITED = [
  'amount',
  'dueDate',
  'paidAt',
  'notes',
] as const satisfies readonly (keyof repo.PaymentFields)[];

/** Payments embedded in one order response (an order has a handful of instalments). */
const MAX_EMBEDDED_PAYMENTS = 200;

const today = (ctx: ServiceContext) => todayInShanghai(ctx.now);

function presentOrder(row: repo.OrderRow, rules: FieldRules): Order {
  return {
    id: row.id,
    orderNo: row.order_no,
    customerId: row.customer_id,
    customerName: row.customer_name,
    orderedAt: row.ordered_at,
    amount: row.amount,
    ...applyFieldRules('order', { grossMargin: row.gross_margin }, rules),
    productLine: row.product_line,
    status: row.status,
    notes: row.notes,
    paidAmount: row.paid_amount,
    outstanding: row.outstanding,
    overdueAmount: row.overdue_amount,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

function presentPayment(row: repo.PaymentRow): Payment {
  return {
    id: row.id,
    orderId: row.order_id,
    orderNo: row.order_no,
    customerId: row.customer_id,
    amount: row.amount,
    dueDate: row.due_date,
    paidAt: row.paid_at,
    notes: row.notes,
    overdue: row.overdue,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

const orderState = (row: repo.OrderRow): repo.OrderFields => ({
  orderNo: row.order_no,
  orderedAt: row.ordered_at,
  amount: row.amount,
  grossMargin: row.gross_margin,
  productLine: row.product_line,
  status: row.status,
  notes: row.notes,
});

const paymentState = (row: repo.PaymentRow): repo.PaymentFields => ({
  amount: row.amount,
  dueDate: row.due_date,
  paidAt: row.paid_at,
  notes: row.notes,
});

/** The order-number key is unique per tenant (case-insensitive) → 409 ORDER_NO_TAKEN. */
function translateUnique(ctx: ServiceContext, err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint === 'orders_order_no_key') {
    throw new AppError('ORDER_NO_TAKEN', {}, fieldError(ctx, 'body.orderNo', 'ORDER_NO_TAKEN'));
  }
  throw err;
}

async function reloadOrder(tx: Tx, ctx: ServiceContext, id: string): Promise<Order> {
  const row = await repo.getOrder(tx, id, today(ctx));
  if (!row) throw new AppError('NOT_FOUND');
  return presentOrder(row, effectiveFieldRules(ctx.actor, 'order'));
}

async function reloadPayment(tx: Tx, ctx: ServiceContext, id: string): Promise<Payment> {
  const row = await repo.getPayment(tx, id, today(ctx));
  if (!row) throw new AppError('NOT_FOUND');
  return presentPayment(row);
}

async function auditPayment(
  tx: Tx,
  ctx: ServiceContext,
  verb: 'create' | 'update' | 'delete',
  id: string,
  before: repo.PaymentFields | null,
  after: repo.PaymentFields | null,
  order: { id: string; orderNo: string; customerId: string },
): Promise<void> {
  await writeAudit(tx, auditWho(ctx), {
    action: `payment.${verb}`,
    entityType: 'payment',
    entityId: id,
    changes: diffChanges(before, after, PAYMENT_AUDITED),
    details: { customerId: order.customerId, orderId: order.id, orderNo: order.orderNo },
  });
}

const isOrderKey = (v: unknown[]): v is repo.OrderKey => typeof v[0] === 'string' && isUuid(v[1]);
const isPaymentKey = (v: unknown[]): v is repo.PaymentKey =>
  (v[0] === null || isIsoDate(v[0])) && isUuid(v[1]);

export async function listOrders(
  ctx: ServiceContext,
  q: {
    limit: number;
    cursor?: string | undefined;
    customerId?: string | undefined;
    status?: OrderStatus | undefined;
    from?: string | undefined;
    to?: string | undefined;
    productLine?: string | undefined;
    sort: repo.OrderSort;
  },
): Promise<{ items: Order[]; nextCursor: string | null }> {
  // The cursor carries the sort it was made for, so a cursor of another sort is refused.
  const raw = cursorOf(
    ctx,
    q.cursor,
    (v): v is [string, string, string] => v[0] === q.sort && isOrderKey(v.slice(1)),
    3,
  );
  const rules = effectiveFieldRules(ctx.actor, 'order');
  const rows = await inTenant(ctx, (tx) => {
    const p = new Params();
    const join = visibleCustomerJoin(ctx, 'order', 'o', p);
    return repo.listOrders(tx, p, join, {
      customerId: q.customerId,
      status: q.status,
      from: q.from,
      to: q.to,
      productLine: q.productLine,
      sort: q.sort,
      limit: q.limit + 1,
      after: raw ? [raw[1], raw[2]] : null,
      today: today(ctx),
    });
  });
  const column = repo.ORDER_SORTS[q.sort].column;
  return toPage(
    rows,
    q.limit,
    (r) => presentOrder(r, rules),
    (last) => [q.sort, column === 'amount' ? last.amount : last.ordered_at, last.id],
  );
}

/** One order with its payments. */
export async function getOrder(ctx: ServiceContext, id: string): Promise<Order & { payments: Payment[] }> {
  return inTenant(ctx, async (tx) => {
    await guardRecord(tx, ctx, 'orders', 'order', id, 'order', 'view');
    const order = await reloadOrder(tx, ctx, id);
    const payments = await repo.listPayments(tx, id, today(ctx), MAX_EMBEDDED_PAYMENTS, null);
    return { ...order, payments: payments.map(presentPayment) };
  });
}

export async function createOrder(
  ctx: ServiceContext,
  input: {
    orderNo: string;
    customerId: string;
    orderedAt: string;
    amount: string;
    grossMargin?: string | null | undefined;
    productLine?: string | null | undefined;
    status?: OrderStatus | undefined;
    notes?: string | null | undefined;
    payments?:
      | {
          amount: string;
          dueDate?: string | null | undefined;
          paidAt?: string | null | undefined;
          notes?: string | null | undefined;
        }[]
      | undefined;
  },
): Promise<Order & { payments: Payment[] }> {
  assertWritable(ctx, 'order', given(input, ['customerId', 'payments']), true);
  return inTenant(ctx, async (tx) => {
    // Locked for update: the trigger on orders updates the customer's revenue figures.
    const customer = await guardCustomer(tx, ctx, input.customerId, 'order', 'create', {
      lock: 'update',
      bodyPath: 'body.customerId',
    });
    const id = timeUuid();
    const fields: repo.OrderFields = {
      orderNo: input.orderNo,
      orderedAt: input.orderedAt,
      amount: input.amount,
      grossMargin: input.grossMargin ?? null,
      productLine: input.productLine ?? null,
      status: input.status ?? ('confirmed' as const),
      notes: input.notes ?? null,
    };
    await repo
      .insertOrder(tx, { ...fields, id, customerId: customer.id, createdBy: ctx.actor.userId, now: ctx.now })
      .catch((err) => translateUnique(ctx, err));
    const payments = (input.payments ?? []).map((y) => ({
      id: timeUuid(),
      amount: y.amount,
      dueDate: y.dueDate ?? null,
      paidAt: y.paidAt ?? null,
      notes: y.notes ?? null,
    }));
    await repo.insertPayments(tx, id, customer.id, payments, ctx.actor.userId, ctx.now);
    await writeAudit(tx, auditWho(ctx), {
      action: 'order.create',
      entityType: 'order',
      entityId: id,
      changes: diffChanges(null, fields, ORDER_AUDITED),
      details: { customerId: customer.id, orderNo: fields.orderNo, payments: payments.length },
    });
    const ref = { id, orderNo: fields.orderNo, customerId: customer.id };
    for (const { id: paymentId, ...y } of payments) {
      await auditPayment(tx, ctx, 'create', paymentId, null, y, ref);
    }
    const order = await reloadOrder(tx, ctx, id);
    const rows = await repo.listPayments(tx, id, today(ctx), MAX_EMBEDDED_PAYMENTS, null);
    return { ...order, payments: rows.map(presentPayment) };
  });
}

export async function updateOrder(
  ctx: ServiceContext,
  id: string,
  input: { version: number } & { [K in keyof repo.OrderFields]?: repo.OrderFields[K] | undefined },
): Promise<Order> {
  return inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'orders', 'order', id, 'order', 'edit', 'update');
    const before = await repo.getOrder(tx, id, today(ctx));
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, input.version);
    const old = orderState(before);
    const patch: Partial<repo.OrderFields> = {};
    for (const field of ORDER_AUDITED) {
      const value = input[field];
      if (value !== undefined && value !== old[field]) Object.assign(patch, { [field]: value });
    }
    if (Object.keys(patch).length === 0) return reloadOrder(tx, ctx, id);
    assertWritable(ctx, 'order', Object.keys(patch));
    const updated = await repo
      .updateOrder(tx, id, customer.id, input.version, patch, ctx.now)
      .catch((err) => translateUnique(ctx, err));
    if (!updated) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'order.update',
      entityType: 'order',
      entityId: id,
      changes: diffChanges(old, { ...old, ...patch }, ORDER_AUDITED),
      details: { customerId: customer.id, orderNo: patch.orderNo ?? old.orderNo },
    });
    return reloadOrder(tx, ctx, id);
  });
}

export async function deleteOrder(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'orders', 'order', id, 'order', 'delete', 'update');
    const before = await repo.getOrder(tx, id, today(ctx));
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, version);
    const payments = await repo.deleteOrder(tx, id, customer.id, version);
    if (payments === null) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'order.delete',
      entityType: 'order',
      entityId: id,
      changes: diffChanges(orderState(before), null, ORDER_AUDITED),
      details: { customerId: customer.id, orderNo: before.order_no, paymentsDeleted: payments },
    });
  });
}

export async function listPayments(
  ctx: ServiceContext,
  orderId: string,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: Payment[]; nextCursor: string | null }> {
  const after = cursorOf(ctx, q.cursor, isPaymentKey, 2);
  const rows = await inTenant(ctx, async (tx) => {
    await guardRecord(tx, ctx, 'orders', 'order', orderId, 'order', 'view');
    return repo.listPayments(tx, orderId, today(ctx), q.limit + 1, after);
  });
  return toPage(rows, q.limit, presentPayment, (last) => [last.due_date, last.id]);
}

export async function createPayment(
  ctx: ServiceContext,
  orderId: string,
  input: {
    amount: string;
    dueDate?: string | null | undefined;
    paidAt?: string | null | undefined;
    notes?: string | null | undefined;
  },
): Promise<Payment> {
  return inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'orders', 'order', orderId, 'order', 'create', 'share');
    const order = await repo.getOrder(tx, orderId, today(ctx));
    if (!order || order.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    const id = timeUuid();
    const fields: repo.PaymentFields = {
      amount: input.amount,
      dueDate: input.dueDate ?? null,
      paidAt: input.paidAt ?? null,
      notes: input.notes ?? null,
    };
    await repo.insertPayments(tx, orderId, customer.id, [{ ...fields, id }], ctx.actor.userId, ctx.now);
    await auditPayment(tx, ctx, 'create', id, null, fields, {
      id: orderId,
      orderNo: order.order_no,
      customerId: customer.id,
    });
    return reloadPayment(tx, ctx, id);
  });
}

export async function updatePayment(
  ctx: ServiceContext,
  id: string,
  input: { version: number } & { [K in keyof repo.PaymentFields]?: repo.PaymentFields[K] | undefined },
): Promise<Payment> {
  return inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'payments', 'payment', id, 'order', 'edit', 'share');
    const before = await repo.getPayment(tx, id, today(ctx));
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, input.version);
    const old = paymentState(before);
    const patch: Partial<repo.PaymentFields> = {};
    for (const field of PAYMENT_AUDITED) {
      const value = input[field];
      if (value !== undefined && value !== old[field]) Object.assign(patch, { [field]: value });
    }
    if (Object.keys(patch).length === 0) return reloadPayment(tx, ctx, id);
    if (!(await repo.updatePayment(tx, id, customer.id, input.version, patch, ctx.now))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await auditPayment(
      tx,
      ctx,
      'update',
      id,
      old,
      { ...old, ...patch },
      {
        id: before.order_id,
        orderNo: before.order_no,
        customerId: customer.id,
      },
    );
    return reloadPayment(tx, ctx, id);
  });
}

export async function deletePayment(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'payments', 'payment', id, 'order', 'delete', 'share');
    const before = await repo.getPayment(tx, id, today(ctx));
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, version);
    if (!(await repo.deletePayment(tx, id, customer.id, version))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await auditPayment(tx, ctx, 'delete', id, paymentState(before), null, {
      id: before.order_id,
      orderNo: before.order_no,
      customerId: customer.id,
    });
  });
}
