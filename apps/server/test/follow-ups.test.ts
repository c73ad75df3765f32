import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  createTestEnv,
  createTestOrg,
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';
import { MatrixFixtures } from './support/matrix-fixtures.js';

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

interface FollowUp {
  id: string;
  customerId: string;
  type: string;
  at: string;
  authorId: string;
  authorName: string;
  contacts: { id: string; name: string }[];
  summary: string;
  nextStep: string | null;
  nextStepDate: string | null;
  nextStepOwnerId: string | null;
  nextStepDoneAt: string | null;
  version: number;
}

async function lastFollowUpAt(customerId: string): Promise<string | null> {
  const [row] = await fx.sql<{ at: Date | null }>(
    'SELECT last_follow_up_at AS at FROM customers WHERE tenant_id = kam_tenant() AND id = $1',
    [customerId],
  );
  return row?.at ? row.at.toISOString() : null;
}

async function allPages(c: Client, url: string): Promise<FollowUp[]> {
  const items: FollowUp[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: Res = await c.get(`${url}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

const log = (c: Client, body: Record<string, unknown>) => c.post('/api/v1/follow-ups', body);

describe('logging follow-ups', () => {
  it('logs a visit with its contacts; the author is me; the customer’s last follow-up time follows', async () => {
    const customer = await fx.customer('in');
    const a = await fx.contact(customer.id);
    const b = await fx.contact(customer.id);
    expect(await lastFollowUpAt(customer.id)).toBeNull();
    const res = await log(manager, {
      customerId: customer.id,
      type: 'visit',
      at: '2026-11-20T10:00:00+08:00',
      contactIds: [a.id, b.id, a.id],
      summary: '  拜访采购部，介绍新产品线  ',
      outcome: '对方有兴趣',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const f: FollowUp = res.body;
    expect(f).toMatchObject({
      customerId: customer.id,
      type: 'visit',
      at: '2026-11-20T02:00:00.000Z',
      authorId: fx.userIds.manager,
      authorName: '孙伟',
      summary: '拜访采购部，介绍新产品线',
      nextStep: null,
      nextStepOwnerId: null,
      version: 1,
    });
    expect(f.contacts.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(f.contacts.every((c) => c.name.startsWith('联系人'))).toBe(true);
    expect(await lastFollowUpAt(customer.id)).toBe('2026-11-20T02:00:00.000Z');

    const later = (
      await log(manager, {
        customerId: customer.id,
        type: 'call',
        at: '2026-11-25T09:00:00Z',
        summary: '电话回访',
      })
    ).body as FollowUp;
    expect(await lastFollowUpAt(customer.id)).toBe('2026-11-25T09:00:00.000Z');
    expect((await manager.delete(`/api/v1/follow-ups/${later.id}?version=1`)).status).toBe(204);
    expect(await lastFollowUpAt(customer.id)).toBe('2026-11-20T02:00:00.000Z');

    const [entry] = await fx.sql<{ entity_type: string; details: Record<string, unknown> }>(
      `SELECT entity_type, details FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'follow_up.create' AND entity_id = $1`,
      [f.id],
    );
    expect(entry).toMatchObject({ entity_type: 'follow_up', details: { customerId: customer.id } });
  });

  it('defaults the time to now and refuses contacts of another customer and invalid data', async () => {
    const customer = await fx.customer('in');
    const elsewhere = await fx.contact((await fx.customer('in')).id);
    const before = Date.now();
    const now = await log(manager, { customerId: customer.id, type: 'wechat', summary: '微信确认交期' });
    expect(now.status).toBe(201);
    expect(Date.parse(now.body.at)).toBeGreaterThanOrEqual(before - 1000);

    const wrongContact = await log(manager, {
      customerId: customer.id,
      type: 'call',
      summary: '电话',
      contactIds: [elsewhere.id],
    });
    expect(wrongContact.status).toBe(400);
    expect(wrongContact.body.error.details.fields[0]).toMatchObject({
      path: 'body.contactIds.0',
      code: 'NOT_FOUND',
    });

    const fields = async (body: Record<string, unknown>) => {
      const res = await log(manager, { customerId: customer.id, type: 'call', summary: '电话', ...body });
      expect(res.status).toBe(400);
      return res.body.error.details.fields.map((f: { path: string; code: string }) => `${f.path}:${f.code}`);
    };
    expect(await fields({ summary: '   ' })).toEqual(['body.summary:REQUIRED']);
    expect(await fields({ summary: '长'.repeat(2001) })).toEqual(['body.summary:TOO_LONG']);
    expect(await fields({ type: 'fax' })).toEqual(['body.type:ENUM_INVALID']);
    expect(await fields({ at: 'yesterday' })).toEqual(['body.at:DATE_INVALID']);
    expect(await fields({ nextStep: '发报价' })).toEqual(['body.nextStepDate:REQUIRED']);
    expect(await fields({ nextStepDate: '2026-12-01' })).toEqual(['body.nextStep:REQUIRED']);
    expect(await lastFollowUpAt(customer.id)).toBe(now.body.at);
  });
});

describe('next steps', () => {
  it('lists my open next steps soonest first; completing one removes it; completing twice is a conflict', async () => {
    const customer = await fx.customer('in');
    const later = (
      await log(manager, {
        customerId: customer.id,
        type: 'meeting',
        summary: '方案评审',
        nextStep: '发正式报价',
        nextStepDate: '2026-12-20',
      })
    ).body as FollowUp;
    const sooner = (
      await log(manager, {
        customerId: customer.id,
        type: 'call',
        summary: '电话',
        nextStep: '约技术交流',
        nextStepDate: '2026-12-05',
      })
    ).body as FollowUp;
    await log(manager, { customerId: customer.id, type: 'call', summary: '无后续' });
    // someone else's next step on the same customer is not mine
    await log(service, {
      customerId: customer.id,
      type: 'call',
      summary: '客服回访',
      nextStep: '寄送资料',
      nextStepDate: '2026-12-01',
    });
    expect(sooner).toMatchObject({ nextStepOwnerId: fx.userIds.manager, nextStepDoneAt: null });

    const pending = await allPages(manager, '/api/v1/follow-ups?pendingNextStep=true&limit=1');
    expect(pending.map((f) => f.id)).toEqual([sooner.id, later.id]);

    const done = await manager.post(`/api/v1/follow-ups/${sooner.id}/complete-next-step`, { version: 1 });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ version: 2 });
    expect(done.body.nextStepDoneAt).not.toBeNull();
    expect((await allPages(manager, '/api/v1/follow-ups?pendingNextStep=true')).map((f) => f.id)).toEqual([
      later.id,
    ]);
    const again = await manager.post(`/api/v1/follow-ups/${sooner.id}/complete-next-step`, { version: 2 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const stale = await manager.post(`/api/v1/follow-ups/${later.id}/complete-next-step`, { version: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');

    // changing the next step opens it again
    const moved = await manager.patch(`/api/v1/follow-ups/${sooner.id}`, {
      version: 2,
      nextStepDate: '2026-12-10',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.nextStepDoneAt).toBeNull();
    expect((await allPages(manager, '/api/v1/follow-ups?pendingNextStep=true')).map((f) => f.id)).toEqual([
      sooner.id,
      later.id,
    ]);
  });
});

describe('who may see and change follow-ups', () => {
  it('lets support staff on the team log follow-ups and correct their own, not others’ (403), and not delete', async () => {
    const customer = await fx.customer('in');
    const mine = await log(service, { customerId: customer.id, type: 'call', summary: '客服回访' });
    expect(mine.status).toBe(201);
    expect(mine.body.authorName).toBe('郑丽');
    const fixed = await service.patch(`/api/v1/follow-ups/${mine.body.id}`, {
      version: 1,
      summary: '客服回访：已解决',
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.summary).toBe('客服回访：已解决');
    const managers = (await log(manager, { customerId: customer.id, type: 'visit', summary: '拜访' }))
      .body as FollowUp;
    const notMine = await service.patch(`/api/v1/follow-ups/${managers.id}`, {
      version: 1,
      summary: '改别人的',
    });
    expect(notMine.status).toBe(403);
    expect((await service.delete(`/api/v1/follow-ups/${mine.body.id}?version=2`)).status).toBe(403);
    // the owner (follow_up.edit on the customer) may correct the support user's record
    const byOwner = await manager.patch(`/api/v1/follow-ups/${mine.body.id}`, {
      version: 2,
      outcome: '客户满意',
    });
    expect(byOwner.status).toBe(200);
    const stale = await manager.patch(`/api/v1/follow-ups/${mine.body.id}`, { version: 2, outcome: '覆盖' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.currentVersion).toBe(3);
  });

  it("hides another rep's customers' follow-ups", async () => {
    const customer = await fx.customer('in');
    const f = await fx.followUp(customer.id);
    expect((await manager2.get(`/api/v1/follow-ups/${f.id}`)).status).toBe(404);
    expect((await log(manager2, { customerId: customer.id, type: 'call', summary: '抢客户' })).status).toBe(
      404,
    );
    const listed = await allPages(manager2, `/api/v1/follow-ups?customerId=${customer.id}`);
    expect(listed).toEqual([]);
    expect((await allPages(manager2, '/api/v1/follow-ups')).map((x) => x.id)).not.toContain(f.id);
    expect((await allPages(manager, '/api/v1/follow-ups')).map((x) => x.id)).toContain(f.id);
    expect((await manager.get(`/api/v1/follow-ups/${f.id}`)).status).toBe(200);
  });

  it('filters by customer, author, type and time, newest first, in keyset pages', async () => {
    const customer = await fx.customer('in');
    for (const [type, at] of [
      ['call', '2026-10-01T01:00:00Z'],
      ['visit', '2026-10-02T01:00:00Z'],
      ['call', '2026-10-03T01:00:00Z'],
    ] as const) {
      await log(manager, { customerId: customer.id, type, at, summary: `${type} ${at}` });
    }
    await log(service, {
      customerId: customer.id,
      type: 'call',
      at: '2026-10-04T01:00:00Z',
      summary: '客服',
    });
    const base = `/api/v1/follow-ups?customerId=${customer.id}`;
    expect((await allPages(manager, `${base}&limit=1`)).map((f) => f.at)).toEqual([
      '2026-10-04T01:00:00.000Z',
      '2026-10-03T01:00:00.000Z',
      '2026-10-02T01:00:00.000Z',
      '2026-10-01T01:00:00.000Z',
    ]);
    expect((await allPages(manager, `${base}&type=call&authorId=${fx.userIds.manager}`)).length).toBe(2);
    const window = await allPages(manager, `${base}&from=2026-10-02T01:00:00Z&to=2026-10-04T00:00:00Z`);
    expect(window.map((f) => f.type)).toEqual(['call', 'visit']);
  });
});
