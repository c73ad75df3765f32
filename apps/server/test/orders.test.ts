import { randomUUID } from 'node:crypto';
import { todayInShanghai } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { DEMO_PASSWORD } from '../src/modules/organization/demo.js';
import {
  Client,
  createTestEnv,
  createTestOrg,
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';
import { MatrixFixtures, unique } from './support/matrix-fixtures.js';

let env: TestEnv;
let org: TestOrg;
let fx: MatrixFixtures;
let manager: Client;
let manager2: Client;
let service: Client;

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  fx = await MatrixFixtures.load(env, org);
  manager = await Client.signIn(env, org.slug, 'manager');
  manager2 = await Client.signIn(env, org.slug, 'manager2');
  service = await Client.signIn(env, org.slug, 'service');
});
afterAll(() => env.close());

interface Payment {
  id: string;
  amount: string;
  dueDate: string | null;
  paidAt: string | null;
  overdue: boolean;
  version: number;
}
interface Order {
  id: string;
  orderNo: string;
  customerId: string;
  orderedAt: string;
  amount: string;
  grossMargin?: string | null;
  status: string;
  paidAmount: string;
  outstanding: string;
  overdueAmount: string;
  version: number;
  payments?: Payment[];
}

/** 'YYYY-MM-DD' shifted by whole days. */
function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
const today = () => todayInShanghai(new Date());

async function aggregates(customerId: string) {
  const [row] = await fx.sql<{ revenue: string; orders: number; last: string | null }>(
    `SELECT revenue_12m::text AS revenue, orders_12m AS orders, last_order_at::text AS last
     FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
    [customerId],
  );
  return row!;
}

const order = (c: Client, body: Record<string, unknown>) =>
  c.post('/api/v1/orders', { orderNo: `SO-${unique()}`, orderedAt: today(), ...body });

describe('orders and payments', () => {
  it('records an order with instalments; paid, outstanding and overdue are derived exactly', async () => {
    const customer = await fx.customer('in');
    const res = await order(manager, {
      orderNo: 'SO-2026-0001',
      customerId: customer.id,
      amount: '1000.30',
      grossMargin: '-12.50',
      productLine: '工业传感器',
      payments: [
        { amount: '0.10', dueDate: addDays(today(), -30), paidAt: addDays(today(), -31) },
        { amount: '0.20', dueDate: addDays(today(), -20), paidAt: addDays(today(), -20) },
        { amount: '400.00', dueDate: addDays(today(), -1) },
        { amount: '600.00', dueDate: addDays(today(), 1) },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const o: Order = res.body;
    expect(o).toMatchObject({
      orderNo: 'SO-2026-0001',
      amount: '1000.30',
      grossMargin: '-12.50',
      status: 'confirmed',
      paidAmount: '0.30',
      outstanding: '1000.00',
      overdueAmount: '400.00',
      version: 1,
    });
    expect(o.payments?.map((y) => [y.amount, y.overdue])).toEqual([
      ['0.10', false],
      ['0.20', false],
      ['400.00', true],
      ['600.00', false],
    ]);
    // receiving the overdue instalment
    const overdue = o.payments![2]!;
    const paid = await manager.patch(`/api/v1/payments/${overdue.id}`, { version: 1, paidAt: today() });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ paidAt: today(), overdue: false, version: 2 });
    const after = (await manager.get(`/api/v1/orders/${o.id}`)).body as Order;
    expect(after).toMatchObject({ paidAmount: '400.30', outstanding: '600.00', overdueAmount: '0.00' });
    const stale = await manager.patch(`/api/v1/payments/${overdue.id}`, { version: 1, notes: '旧版本' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.currentVersion).toBe(2);

    const more = await manager.post(`/api/v1/orders/${o.id}/payments`, { amount: '0.10', paidAt: today() });
    expect(more.status).toBe(201);
    const list = await manager.get(`/api/v1/orders/${o.id}/payments?limit=2`);
    expect(list.body.items.length).toBe(2);
    const rest = await manager.get(`/api/v1/orders/${o.id}/payments?limit=10&cursor=${list.body.nextCursor}`);
    expect([...list.body.items, ...rest.body.items].map((y: Payment) => y.dueDate)).toEqual([
      addDays(today(), -30),
      addDays(today(), -20),
      addDays(today(), -1),
      addDays(today(), 1),
      null,
    ]);
    expect((await manager.get(`/api/v1/orders/${o.id}`)).body.paidAmount).toBe('400.40');
    const removed = await manager.delete(`/api/v1/payments/${more.body.id}?version=1`);
    expect(removed.status).toBe(204);

    const audit = await fx.sql<{ action: string; entity_type: string; details: Record<string, unknown> }>(
      `SELECT action, entity_type, details FROM audit_log
       WHERE tenant_id = kam_tenant() AND (details->>'orderId' = $1 OR entity_id = $1) ORDER BY seq`,
      [o.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'order.create',
      'payment.create',
      'payment.create',
      'payment.create',
      'payment.create',
      'payment.update',
      'payment.create',
      'payment.delete',
    ]);
    expect(audit.every((a) => a.details.customerId === customer.id)).toBe(true);
  });

  it('keeps the customer’s revenue exact: confirmed adds, returned subtracts, cancelled does not count', async () => {
    const customer = await fx.customer('in');
    expect(await aggregates(customer.id)).toEqual({ revenue: '0.00', orders: 0, last: null });
    await order(manager, { customerId: customer.id, amount: '0.10' });
    const b = (
      await order(manager, { customerId: customer.id, amount: '0.20', orderedAt: addDays(today(), -3) })
    ).body as Order;
    expect(await aggregates(customer.id)).toEqual({ revenue: '0.30', orders: 2, last: today() });
    await order(manager, { customerId: customer.id, amount: '0.05', status: 'returned' });
    expect((await aggregates(customer.id)).revenue).toBe('0.25');
    await order(manager, { customerId: customer.id, amount: '999.00', status: 'cancelled' });
    expect(await aggregates(customer.id)).toEqual({ revenue: '0.25', orders: 2, last: today() });
    // cancelling a confirmed order takes its amount back out
    const cancelled = await manager.patch(`/api/v1/orders/${b.id}`, { version: 1, status: 'cancelled' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', outstanding: '0.00', version: 2 });
    expect(await aggregates(customer.id)).toEqual({ revenue: '0.05', orders: 1, last: today() });
    const [entry] = await fx.sql<{ changes: unknown }>(
      `SELECT changes FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'order.update' AND entity_id = $1`,
      [b.id],
    );
    expect(entry?.changes).toEqual([{ field: 'status', before: 'confirmed', after: 'cancelled' }]);
    const stale = await manager.delete(`/api/v1/orders/${b.id}?version=1`);
    expect(stale.status).toBe(409);
    expect((await manager.delete(`/api/v1/orders/${b.id}?version=2`)).status).toBe(204);
    expect((await manager.get(`/api/v1/orders/${b.id}`)).status).toBe(404);
  });

  it('refuses a taken order number (case-insensitive) and invalid amounts and dates with stable codes', async () => {
    const customer = await fx.customer('in');
    expect(
      (await order(manager, { orderNo: 'PO-ABC-1', customerId: customer.id, amount: '10' })).status,
    ).toBe(201);
    const taken = await order(manager, { orderNo: 'po-abc-1', customerId: customer.id, amount: '10' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('ORDER_NO_TAKEN');
    expect(taken.body.error.details.fields[0].path).toBe('body.orderNo');
    const codes = async (body: Record<string, unknown>) => {
      const res = await order(manager, { customerId: customer.id, amount: '10.00', ...body });
      expect(res.status).toBe(400);
      return res.body.error.details.fields.map((f: { path: string; code: string }) => `${f.path}:${f.code}`);
    };
    expect(await codes({ amount: '-5' })).toEqual(['body.amount:AMOUNT_NEGATIVE']);
    expect(await codes({ amount: '1.005' })).toEqual(['body.amount:AMOUNT_INVALID']);
    expect(await codes({ orderedAt: '2026/11/01' })).toEqual(['body.orderedAt:DATE_INVALID']);
    expect(await codes({ status: 'paid' })).toEqual(['body.status:ENUM_INVALID']);
    expect(await codes({ orderNo: '' })).toEqual(['body.orderNo:REQUIRED']);
    expect(await codes({ orderNo: 'x'.repeat(65) })).toEqual(['body.orderNo:TOO_LONG']);
    expect(await codes({ payments: [{ amount: '0' }] })).toEqual(['body.payments.0.amount:OUT_OF_RANGE']);
    // the refused orders left nothing behind
    const [row] = await fx.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM orders WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [customer.id],
    );
    expect(row?.n).toBe(1);
  });

  it('lists orders of my customers with filters and sorts in keyset pages', async () => {
    const customer = await fx.customer('in');
    const days = [-10, -5, -1];
    for (const [i, d] of days.entries()) {
      await order(manager, {
        customerId: customer.id,
        orderedAt: addDays(today(), d),
        amount: `${(i + 1) * 100}.00`,
        productLine: i === 1 ? '软件' : '硬件',
      });
    }
    const base = `/api/v1/orders?customerId=${customer.id}`;
    const pages = async (url: string) => {
      const out: Order[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await manager.get(`${url}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        out.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor);
      return out;
    };
    expect((await pages(base)).map((o) => o.orderedAt)).toEqual(
      days.map((d) => addDays(today(), d)).reverse(),
    );
    expect((await pages(`${base}&sort=amount`)).map((o) => o.amount)).toEqual(['100.00', '200.00', '300.00']);
    expect((await pages(`${base}&productLine=${encodeURIComponent('软件')}`)).map((o) => o.amount)).toEqual([
      '200.00',
    ]);
    expect(
      (await pages(`${base}&from=${addDays(today(), -6)}&to=${addDays(today(), -1)}`)).map((o) => o.amount),
    ).toEqual(['300.00', '200.00']);
    const first = await manager.get(`${base}&limit=1`);
    const wrongSort = await manager.get(`${base}&sort=amount&cursor=${first.body.nextCursor}`);
    expect(wrongSort.status).toBe(400);
  });
});

describe('who sees orders', () => {
  it('refuses support staff (no order rights) and hides another rep’s customers’ orders', async () => {
    const customer = await fx.customer('in');
    const o = await fx.order(customer.id);
    expect((await service.get(`/api/v1/orders/${o.id}`)).status).toBe(403);
    expect((await service.get('/api/v1/orders')).status).toBe(403);
    expect((await manager2.get(`/api/v1/orders/${o.id}`)).status).toBe(404);
    expect((await manager2.get(`/api/v1/orders/${o.id}/payments`)).status).toBe(404);
    const y = await fx.payment(o.id);
    expect((await manager2.patch(`/api/v1/payments/${y.id}`, { version: 1, paidAt: today() })).status).toBe(
      404,
    );
    const res = await manager2.get(`/api/v1/orders?customerId=${customer.id}`);
    expect(res.body.items).toEqual([]);
    const unfiltered = await manager2.get('/api/v1/orders?limit=200');
    expect(unfiltered.status).toBe(200);
    expect(unfiltered.body.items.map((x: Order) => x.id)).not.toContain(o.id);
    const mine = await manager.get('/api/v1/orders?limit=200');
    expect(mine.body.items.map((x: Order) => x.id)).toContain(o.id);
    expect((await manager.get(`/api/v1/orders/${o.id}`)).status).toBe(200);
  });

  it('hides the gross margin from a role whose field rule hides it, and refuses writing it', async () => {
    const roleId = randomUUID();
    await fx.sql(
      `INSERT INTO roles (tenant_id, id, name, grants, field_rules) VALUES (kam_tenant(), $1, '订单录入员', $2, $3)`,
      [
        roleId,
        JSON.stringify(
          ['view', 'create', 'edit'].map((action) => ({ resource: 'order', action, scope: 'all' })),
        ),
        JSON.stringify([{ resource: 'order', field: 'grossMargin', rule: 'hidden' }]),
      ],
    );
    const u = await fx.user(fx.dept.SH01!, { passwordHash: await hashPassword(DEMO_PASSWORD) });
    await fx.sql('UPDATE user_roles SET role_id = $2 WHERE tenant_id = kam_tenant() AND user_id = $1', [
      u.id,
      roleId,
    ]);
    const clerk = await Client.signIn(env, org.slug, u.login);
    const customer = await fx.customer('out');
    const created = (
      await order(manager, { customerId: (await fx.customer('in')).id, amount: '50', grossMargin: '5' })
    ).body as Order;
    const seen = await clerk.get(`/api/v1/orders/${created.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).not.toHaveProperty('grossMargin');
    expect(seen.body.amount).toBe('50.00');
    const write = await order(clerk, { customerId: customer.id, amount: '10', grossMargin: '1' });
    expect(write.status).toBe(403);
    expect(write.body.error.details.fields[0].path).toBe('body.grossMargin');
    const ok = await order(clerk, { customerId: customer.id, amount: '10' });
    expect(ok.status).toBe(201);
    expect(ok.body).not.toHaveProperty('grossMargin');
  });
});
