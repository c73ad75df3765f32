import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dispatchNotifications,
  type OutgoingNotification,
  registerNotificationChannel,
  unregisterNotificationChannel,
} from '../src/modules/notifications/channels.js';
import { Client, createTestEnv, createTestOrg, type TestEnv, type TestOrg } from './support/harness.js';

/** In-app notifications (written by the approvals capability) and the delivery-channel hook. */

let env: TestEnv;
let org: TestOrg;
let director: Client;
let head: Client;
let manager: Client;
const ids: Record<string, string> = {};

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

/** A discount request of 孙伟 that waits for 钱芳: one `approval.step_started` notification for her. */
async function request(): Promise<string> {
  const customer = await manager.post('/api/v1/customers', {
    name: `通知${randomUUID()
      .replace(/[^a-f]/g, '')
      .slice(0, 10)}有限公司`,
    duplicateOverride: { reason: '测试数据' },
  });
  expect(customer.status).toBe(201);
  const res = await manager.post('/api/v1/approval-requests', {
    type: 'discount',
    customerId: customer.body.id,
    payload: { discountPercent: '8', reference: 'Q-7' },
    reason: '老客户',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  director = await Client.signIn(env, org.slug, 'director');
  head = await Client.signIn(env, org.slug, 'head');
  manager = await Client.signIn(env, org.slug, 'manager');
  for (const u of await q<{ id: string; login: string }>(
    'SELECT id, login FROM users WHERE tenant_id = kam_tenant()',
  ))
    ids[u.login] = u.id;
  const res = await director.put('/api/v1/approval-flows/discount', {
    flow: {
      requestType: 'discount',
      steps: [
        { id: 'head', name: '部门主管', approvers: [{ kind: 'requester_department_head' }], mode: 'any' },
      ],
    },
    expectedVersion: null,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
});
afterAll(() => env?.close());

describe('in-app notifications', () => {
  it('are listed newest first in the reader’s language, marked read one by one or all at once', async () => {
    const first = await request();
    const second = await request();
    const unread = await head.get('/api/v1/notifications?unread=true&limit=1');
    expect(unread.status).toBe(200);
    expect(unread.body.unreadCount).toBe(2);
    expect(unread.body.items).toHaveLength(1);
    expect(unread.body.items[0]).toMatchObject({
      kind: 'approval.step_started',
      entityType: 'approval_request',
      entityId: second,
      actorName: '孙伟',
      readAt: null,
    });
    expect(unread.body.items[0].title).toBe('待审批：折扣 8%（Q-7）');
    expect(unread.body.items[0].body).toContain('孙伟');
    const page2 = await head.get(
      `/api/v1/notifications?unread=true&limit=1&cursor=${encodeURIComponent(unread.body.nextCursor)}`,
    );
    expect(page2.body.items.map((n: any) => n.entityId)).toEqual([first]);
    expect(page2.body.nextCursor).toBeNull();

    head.locale = 'en';
    const english = await head.get('/api/v1/notifications?limit=1');
    expect(english.body.items[0].title).toBe('To approve: Discount 8% (Q-7)');
    head.locale = 'zh-CN';

    expect((await head.get('/api/v1/approval-requests/counts')).body.unreadNotifications).toBe(2);
    const read = await head.post(`/api/v1/notifications/${unread.body.items[0].id}/read`, {});
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    expect((await head.get('/api/v1/notifications?unread=true')).body.unreadCount).toBe(1);
    // someone else's notification does not exist for me
    expect((await manager.post(`/api/v1/notifications/${unread.body.items[0].id}/read`, {})).status).toBe(
      404,
    );
    const all = await head.post('/api/v1/notifications/read-all', {});
    expect(all.body).toEqual({ updated: 1 });
    expect((await head.get('/api/v1/notifications?unread=true')).body.items).toEqual([]);
    expect((await head.get('/api/v1/notifications')).body.items.length).toBe(2);
    // the requester is not notified of their own submission
    expect((await manager.get('/api/v1/notifications')).body.items).toEqual([]);
  });

  it('the requester hears of the outcome', async () => {
    const id = await request();
    const rejected = await head.post(`/api/v1/approval-requests/${id}/reject`, { reason: '价格底线' });
    expect(rejected.status).toBe(200);
    const mine = (await manager.get('/api/v1/notifications?unread=true')).body.items;
    expect(mine[0]).toMatchObject({ kind: 'approval.request_rejected', entityId: id, actorName: '钱芳' });
    expect(mine[0].body).toBe('钱芳驳回（步骤“部门主管”）：价格底线');
  });
});

describe('delivery channels', () => {
  it('receive every notification written while registered, once it is committed, until delivered', async () => {
    const batches: OutgoingNotification[][] = [];
    let fail = true;
    registerNotificationChannel({
      name: 'test-channel',
      async deliver(batch) {
        if (fail) throw new Error('robot unreachable');
        batches.push([...batch]);
      },
    });
    try {
      const id = await request();
      // a failing channel leaves the notification for the next run
      await expect(dispatchNotifications(env.db)).rejects.toThrow('notification delivery failed');
      fail = false;
      await dispatchNotifications(env.db);
      const mine = batches.flat().filter((n) => n.entityId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        tenantId: org.tenantId,
        userId: ids.head,
        locale: 'zh-CN',
        kind: 'approval.step_started',
        title: '待审批：折扣 8%（Q-7）',
      });
      // delivered once only
      batches.length = 0;
      await dispatchNotifications(env.db);
      expect(batches.flat().filter((n) => n.entityId === id)).toEqual([]);
    } finally {
      unregisterNotificationChannel('test-channel');
    }
    // without channels, notifications are written as dispatched
    await request();
    const pending = await q(
      `SELECT 1 FROM notifications WHERE tenant_id = kam_tenant() AND dispatched_at IS NULL`,
    );
    expect(pending).toEqual([]);
  });
});
