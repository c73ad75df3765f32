import { randomUUID } from 'node:crypto';
import { todayInShanghai } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepApprovalTimeouts } from '../src/modules/approvals/jobs.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

/**
 * Approval flows end to end on the demo company: 孙伟 (manager, 上海销售一部) asks; 钱芳 (head) heads
 * 上海销售一部; 赵明 (director) heads 华东大区 above it; 杭州销售部 has no head.
 */

let env: TestEnv;
let org: TestOrg;
let admin: Client;
let director: Client;
let head: Client;
let manager: Client;
let manager2: Client;
let service: Client;
const ids: Record<string, string> = {};

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

const uniqueName = (prefix: string) =>
  `${prefix}${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)}${Math.random().toString(36).slice(2, 8)}有限公司`;

async function customerOf(owner: Client): Promise<{ id: string; name: string; ownerId: string }> {
  const res = await owner.post('/api/v1/customers', {
    name: uniqueName('审批'),
    duplicateOverride: { reason: '测试数据' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function saveFlow(type: string, steps: unknown[], by: Client = director) {
  const current = await by.get(`/api/v1/approval-flows/${type}`);
  expect(current.status, JSON.stringify(current.body)).toBe(200);
  const res = await by.put(`/api/v1/approval-flows/${type}`, {
    flow: { requestType: type, steps },
    expectedVersion: current.body.version,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { version: number };
}

/** The discount flow of the issue: the head, then the director above 15%. */
const DISCOUNT_STEPS = [
  { id: 'head', name: '部门主管', approvers: [{ kind: 'requester_department_head' }], mode: 'any' },
  {
    id: 'director',
    name: '销售总监',
    approvers: [{ kind: 'department_head_levels_up', levels: 1 }],
    mode: 'any',
    condition: { field: 'discountPercent', op: 'gt', value: '15' },
  },
];

async function submit(by: Client, body: Record<string, unknown>) {
  const res = await by.post('/api/v1/approval-requests', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const discount = (customerId: string, percent: string, by: Client = manager) =>
  submit(by, {
    type: 'discount',
    customerId,
    payload: { discountPercent: percent, reference: 'Q-102' },
    reason: '大单',
  });

const notificationsOf = async (c: Client) =>
  (await c.get('/api/v1/notifications?limit=200')).body.items as any[];

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  director = await Client.signIn(env, org.slug, 'director');
  head = await Client.signIn(env, org.slug, 'head');
  manager = await Client.signIn(env, org.slug, 'manager');
  manager2 = await Client.signIn(env, org.slug, 'manager2');
  service = await Client.signIn(env, org.slug, 'service');
  for (const u of await q<{ id: string; login: string }>(
    'SELECT id, login FROM users WHERE tenant_id = kam_tenant()',
  ))
    ids[u.login] = u.id;
  await saveFlow('discount', DISCOUNT_STEPS);
});
afterAll(() => env?.close());

describe('flow definitions', () => {
  it('are versioned, audited, refuse stale saves and need approval_flow.configure', async () => {
    const before = await director.get('/api/v1/approval-flows/contract');
    const v = before.body.version as number | null;
    const steps = [{ id: 'a', name: '审核', approvers: [{ kind: 'user', userId: ids.head }], mode: 'all' }];
    const saved = await director.put('/api/v1/approval-flows/contract', {
      flow: { requestType: 'contract', steps },
      expectedVersion: v,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe((v ?? 0) + 1);
    expect(saved.body.refs.users.map((u: any) => u.id)).toEqual([ids.head]);
    const stale = await director.put('/api/v1/approval-flows/contract', {
      flow: { requestType: 'contract', steps },
      expectedVersion: v,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(
      (
        await manager.put('/api/v1/approval-flows/contract', {
          flow: { requestType: 'contract', steps },
          expectedVersion: saved.body.version,
        })
      ).status,
    ).toBe(403);
    const unknownUser = await director.put('/api/v1/approval-flows/contract', {
      flow: {
        requestType: 'contract',
        steps: [{ ...steps[0], approvers: [{ kind: 'user', userId: randomUUID() }] }],
      },
      expectedVersion: saved.body.version,
    });
    expect(unknownUser.status).toBe(400);
    expect(unknownUser.body.error.details.fields[0].path).toBe('body.flow.steps.0.approvers.0.userId');
    const noSteps = await director.put('/api/v1/approval-flows/contract', {
      flow: { requestType: 'contract', steps: [] },
      expectedVersion: saved.body.version,
    });
    expect(noSteps.status).toBe(400);
    const audit = await q<{ details: any }>(
      `SELECT details FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'approval_flow.update'
       AND details->>'requestType' = 'contract' ORDER BY seq DESC LIMIT 1`,
    );
    expect(audit[0]?.details).toMatchObject({ version: saved.body.version });
    const list = await director.get('/api/v1/approval-flows');
    expect(list.body.items.map((i: any) => i.type)).toEqual(
      expect.arrayContaining(['discount', 'contract', 'ownership_transfer', 'customer_creation']),
    );
    const openapi = await new Client(env, org.slug).get('/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/approval-flows/{type}', '/api/v1/approval-requests/{id}/approve']),
    );
    const meta = await manager.get('/api/v1/approval-flows/meta');
    expect(meta.status).toBe(200);
    expect(
      meta.body.types.find((t: any) => t.type === 'discount').payloadFields.map((f: any) => f.name),
    ).toContain('discountPercent');
  });
});

describe('a discount request', () => {
  it('of 25% passes the department head, then the director', async () => {
    const customer = await customerOf(manager);
    const req = await discount(customer.id, '25');
    expect(req.status).toBe('pending');
    expect(req.steps.map((s: any) => [s.stepId, s.status])).toEqual([
      ['head', 'active'],
      ['director', 'waiting'],
    ]);
    expect(req.steps[0].seats[0].holders[0].id).toBe(ids.head);
    expect(req.summary).toContain('25%');

    const todo = await head.get('/api/v1/approval-requests?box=todo');
    expect(todo.body.items.map((i: any) => i.id)).toContain(req.id);
    expect((await head.get('/api/v1/approval-requests/counts')).body.todo).toBeGreaterThanOrEqual(1);
    expect(
      (await director.get('/api/v1/approval-requests?box=todo')).body.items.map((i: any) => i.id),
    ).not.toContain(req.id);

    const afterHead = await head.post(`/api/v1/approval-requests/${req.id}/approve`, { comment: '同意' });
    expect(afterHead.status, JSON.stringify(afterHead.body)).toBe(200);
    expect(afterHead.body.status).toBe('pending');
    expect(afterHead.body.currentStep.id).toBe('director');
    expect(
      (await head.get('/api/v1/approval-requests?box=processed')).body.items.map((i: any) => i.id),
    ).toContain(req.id);
    expect(
      (await head.get('/api/v1/approval-requests?box=todo')).body.items.map((i: any) => i.id),
    ).not.toContain(req.id);
    // the head decided already: a second approval is refused
    const again = await head.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('APPROVAL_NOT_APPROVER');

    const done = await director.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('approved');
    expect(done.body.effectAppliedAt).not.toBeNull();
    expect(done.body.history.map((h: any) => [h.action, h.by?.id])).toEqual([
      ['submitted', ids.manager],
      ['approved', ids.head],
      ['approved', ids.director],
    ]);
    const effects = await q(
      `SELECT 1 FROM approval_effects WHERE tenant_id = kam_tenant() AND request_id = $1`,
      [req.id],
    );
    expect(effects).toHaveLength(1);
    const approved = (await notificationsOf(manager)).filter(
      (n) => n.entityId === req.id && n.kind === 'approval.request_approved',
    );
    expect(approved).toHaveLength(1);
    expect(approved[0].title).toContain('申请已通过');
    const submitted = await manager.get('/api/v1/approval-requests?box=submitted&status=approved');
    expect(submitted.body.items.map((i: any) => i.id)).toContain(req.id);
    const audit = await q<{ action: string }>(
      `SELECT action FROM audit_log WHERE tenant_id = kam_tenant() AND entity_type = 'approval_request'
       AND entity_id = $1 ORDER BY seq`,
      [req.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'approval_request.submit',
      'approval_request.approve',
      'approval_request.approve',
      'approval_request.effect_applied',
    ]);
  });

  it('of 5% passes only the head', async () => {
    const customer = await customerOf(manager);
    const req = await discount(customer.id, '5');
    expect(req.steps.map((s: any) => s.status)).toEqual(['active', 'skipped']);
    const done = await head.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(done.body.status).toBe('approved');
    expect(done.body.steps.map((s: any) => s.status)).toEqual(['approved', 'skipped']);
  });

  it('rejected at step 2 stops the flow and notifies the requester', async () => {
    const customer = await customerOf(manager);
    const req = await discount(customer.id, '30');
    await head.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    const noReason = await director.post(`/api/v1/approval-requests/${req.id}/reject`, { reason: '' });
    expect(noReason.status).toBe(400);
    const rejected = await director.post(`/api/v1/approval-requests/${req.id}/reject`, {
      reason: '折扣过高',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.steps.map((s: any) => s.status)).toEqual(['approved', 'rejected']);
    expect(rejected.body.effectAppliedAt).toBeNull();
    const late = await director.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('APPROVAL_ALREADY_DECIDED');
    const note = (await notificationsOf(manager)).find(
      (n) => n.entityId === req.id && n.kind === 'approval.request_rejected',
    );
    expect(note?.body).toContain('折扣过高');
    expect(
      await q(`SELECT 1 FROM approval_effects WHERE tenant_id = kam_tenant() AND request_id = $1`, [req.id]),
    ).toHaveLength(0);
  });

  it('keeps its flow version when the flow changes mid-flight', async () => {
    const customer = await customerOf(manager);
    const running = await discount(customer.id, '25');
    // the director drops their own step
    const v2 = await saveFlow('discount', [DISCOUNT_STEPS[0]]);
    expect(v2.version).toBeGreaterThan(running.flowVersion);
    const afterHead = await head.post(`/api/v1/approval-requests/${running.id}/approve`, {});
    expect(afterHead.body.status).toBe('pending');
    expect(afterHead.body.currentStep.id).toBe('director');
    expect(afterHead.body.flowVersion).toBe(running.flowVersion);
    // a new request runs on the new version: the head alone decides 25%
    const fresh = await discount(customer.id, '25');
    expect(fresh.flowVersion).toBe(v2.version);
    expect(fresh.steps.map((s: any) => s.stepId)).toEqual(['head']);
    const versions = (await director.get('/api/v1/approval-flows/discount')).body.versions;
    expect(versions.find((v: any) => v.version === running.flowVersion).openRequests).toBeGreaterThanOrEqual(
      1,
    );
    await director.post(`/api/v1/approval-requests/${running.id}/approve`, {});
    await saveFlow('discount', DISCOUNT_STEPS);
  });

  it('can be returned, resubmitted with a new payload, and withdrawn', async () => {
    const customer = await customerOf(manager);
    const req = await discount(customer.id, '25');
    const returned = await head.post(`/api/v1/approval-requests/${req.id}/return`, { reason: '请附报价单' });
    expect(returned.body.status).toBe('returned');
    expect(
      (await manager.get('/api/v1/approval-requests/counts')).body.submittedReturned,
    ).toBeGreaterThanOrEqual(1);
    const bad = await manager.post(`/api/v1/approval-requests/${req.id}/resubmit`, {
      payload: { discountPercent: '120' },
      reason: '改了',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].path).toBe('body.payload.discountPercent');
    const again = await manager.post(`/api/v1/approval-requests/${req.id}/resubmit`, {
      payload: { discountPercent: '10' },
      reason: '降到 10%',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.round).toBe(2);
    expect(again.body.steps.map((s: any) => s.status)).toEqual(['active', 'skipped']);
    const comment = await head.post(`/api/v1/approval-requests/${req.id}/comments`, { text: '收到' });
    expect(comment.status).toBe(200);
    expect(
      (await manager2.post(`/api/v1/approval-requests/${req.id}/comments`, { text: '路过' })).status,
    ).toBe(404);
    const withdrawn = await manager.post(`/api/v1/approval-requests/${req.id}/withdraw`, {});
    expect(withdrawn.body.status).toBe('withdrawn');
    expect(withdrawn.body.history.map((h: any) => h.action)).toEqual([
      'submitted',
      'returned',
      'resubmitted',
      'commented',
      'withdrawn',
    ]);
    expect((await head.post(`/api/v1/approval-requests/${req.id}/approve`, {})).body.error.code).toBe(
      'APPROVAL_ALREADY_DECIDED',
    );
  });
});

describe('the inbox', () => {
  it('pages by keyset, filters by status and type, and refuses a forged cursor', async () => {
    const customer = await customerOf(manager);
    const a = await discount(customer.id, '6');
    const b = await discount(customer.id, '7');
    const first = await manager.get(
      '/api/v1/approval-requests?box=submitted&status=pending&type=discount&limit=1',
    );
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: any) => i.id)).toEqual([b.id]);
    const second = await manager.get(
      `/api/v1/approval-requests?box=submitted&status=pending&type=discount&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.items.map((i: any) => i.id)).toEqual([a.id]);
    const todo = await head.get('/api/v1/approval-requests?box=todo&limit=200');
    expect(todo.body.items.map((i: any) => i.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(todo.body.items.every((i: any) => i.status === 'pending')).toBe(true);
    expect(
      (await manager.get('/api/v1/approval-requests?box=submitted&type=contract&status=pending')).body.items,
    ).toEqual([]);
    const forged = await manager.get(
      `/api/v1/approval-requests?box=todo&cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
    );
    expect(forged.status).toBe(400);
    await manager.post(`/api/v1/approval-requests/${a.id}/withdraw`, {});
    await manager.post(`/api/v1/approval-requests/${b.id}/withdraw`, {});
  });
});

describe('who decides', () => {
  it('nobody approves their own request', async () => {
    const customer = await customerOf(manager);
    const req = await discount(customer.id, '5');
    const self = await manager.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('APPROVAL_SELF_APPROVAL');
    // a head asking skips themselves: their own department's head step goes to the director above
    const own = await customerOf(head);
    const byHead = await discount(own.id, '5', head);
    expect(byHead.steps[0].seats.map((s: any) => s.holders[0].id)).toEqual([ids.director]);
  });

  it('resolves the customer owner, its executive sponsor and a role, step by step', async () => {
    await saveFlow('contract', [
      { id: 'owner', name: '客户负责人', approvers: [{ kind: 'customer_owner' }], mode: 'any' },
      { id: 'sponsor', name: '高层联络人', approvers: [{ kind: 'customer_executive_sponsor' }], mode: 'any' },
      {
        id: 'directors',
        name: '销售总监',
        approvers: [{ kind: 'role', roleId: org.roleIds.sales_director }],
        mode: 'all',
      },
    ]);
    const customer = await customerOf(manager);
    const team = await manager.post(`/api/v1/customers/${customer.id}/team`, {
      userId: ids.tech,
      teamRole: 'executive_sponsor',
      access: 'read',
    });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    // the head asks about 孙伟's customer: 孙伟 (owner), then 王涛 (sponsor), then every sales director
    const req = await submit(head, {
      type: 'contract',
      customerId: customer.id,
      payload: { title: '服务合同', reference: `HT-${randomUUID().slice(0, 6)}`, amount: '80000' },
      reason: '续约',
    });
    expect(req.steps[0].seats.map((s: any) => s.holders[0].id)).toEqual([ids.manager]);
    const tech = await Client.signIn(env, org.slug, 'tech');
    const s2 = await manager.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(s2.body.currentStep.id).toBe('sponsor');
    expect(s2.body.steps[1].seats.map((s: any) => s.holders[0].id)).toEqual([ids.tech]);
    const s3 = await tech.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(s3.body.steps[2].seats.map((s: any) => s.holders[0].id)).toEqual([ids.director]);
    expect((await director.post(`/api/v1/approval-requests/${req.id}/approve`, {})).body.status).toBe(
      'approved',
    );
  });

  it('a department without a head passes the step up the tree', async () => {
    const customer = await customerOf(manager2);
    const req = await discount(customer.id, '5', manager2);
    expect(req.steps[0].seats[0].holders[0].id).toBe(ids.director);
  });

  it('an approver who cannot see the customer reads the request, not the customer', async () => {
    await saveFlow('contract', [
      { id: 'service', name: '客服确认', approvers: [{ kind: 'user', userId: ids.service }], mode: 'any' },
    ]);
    // a customer 郑丽 (service) is not on the team of
    const customer = await customerOf(manager);
    const req = await submit(manager, {
      type: 'contract',
      customerId: customer.id,
      payload: { title: '年度框架协议', reference: 'HT-2026-001', amount: '120000.00' },
      reason: '年度续签',
    });
    expect((await service.get(`/api/v1/customers/${customer.id}`)).status).toBe(404);
    const read = await service.get(`/api/v1/approval-requests/${req.id}`);
    expect(read.status).toBe(200);
    expect(read.body.customer).toEqual({
      id: customer.id,
      name: customer.name,
      ownerId: ids.manager,
      ownerName: '孙伟',
    });
    expect(read.body.payload).toMatchObject({ reference: 'HT-2026-001', amount: '120000.00' });
    expect(read.body.can.approve).toBe(true);
    expect((await service.get(`/api/v1/customers/${customer.id}/contacts`)).status).toBe(404);
    // someone with no part in it sees nothing
    expect((await manager2.get(`/api/v1/approval-requests/${req.id}`)).status).toBe(404);
    const ok = await service.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(ok.body.status).toBe('approved');
  });

  it('a delegate decides while the approver is away', async () => {
    const today = todayInShanghai(new Date());
    const created = await head.post('/api/v1/approval-delegations', {
      delegateId: ids.manager2,
      startDate: today,
      endDate: today,
      note: '出差',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.active).toBe(true);
    const self = await head.post('/api/v1/approval-delegations', {
      delegateId: ids.head,
      startDate: today,
      endDate: today,
    });
    expect(self.status).toBe(400);
    try {
      const customer = await customerOf(manager);
      const req = await discount(customer.id, '5');
      expect(req.steps[0].seats[0].holders.map((h: any) => h.id)).toEqual([ids.manager2]);
      expect(req.steps[0].seats[0].actsFor.map((h: any) => h.id)).toEqual([ids.head]);
      expect((await head.post(`/api/v1/approval-requests/${req.id}/approve`, {})).body.error.code).toBe(
        'APPROVAL_NOT_APPROVER',
      );
      const done = await manager2.post(`/api/v1/approval-requests/${req.id}/approve`, {});
      expect(done.body.status).toBe('approved');
      expect(done.body.history.at(-1).onBehalfOf.map((u: any) => u.id)).toEqual([ids.head]);
      const audit = await q<{ action: string }>(
        `SELECT action FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1`,
        [created.body.id],
      );
      expect(audit.map((a) => a.action)).toContain('approval_delegation.create');
    } finally {
      expect((await head.delete(`/api/v1/approval-delegations/${created.body.id}`)).status).toBe(204);
    }
    expect((await head.get('/api/v1/approval-delegations')).body.items).toEqual([]);
  });
});

describe('effects', () => {
  beforeAll(async () => {
    await saveFlow('ownership_transfer', [
      {
        id: 'either',
        name: '主管或总监',
        approvers: [
          { kind: 'user', userId: ids.head },
          { kind: 'user', userId: ids.director },
        ],
        mode: 'any',
      },
    ]);
    await saveFlow('customer_creation', [
      { id: 'head', name: '部门主管', approvers: [{ kind: 'requester_department_head' }], mode: 'any' },
    ]);
  });

  const transfer = (customerId: string, toOwnerId: string) =>
    submit(manager, { type: 'ownership_transfer', customerId, payload: { toOwnerId }, reason: '区域调整' });

  const historyOf = (customerId: string) =>
    q<{ kind: string; to_owner_id: string }>(
      `SELECT kind, to_owner_id FROM customer_ownership_history WHERE tenant_id = kam_tenant() AND customer_id = $1
       AND kind <> 'create'`,
      [customerId],
    );

  it.each([1, 2, 3])(
    'concurrent approvals give one outcome; the transfer happens exactly once (run %i)',
    async () => {
      const customer = await customerOf(manager);
      const req = await transfer(customer.id, ids.manager2!);
      expect(req.summary).toContain('李强');
      const [a, b] = await Promise.all([
        head.post(`/api/v1/approval-requests/${req.id}/approve`, {}),
        director.post(`/api/v1/approval-requests/${req.id}/approve`, {}),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses, JSON.stringify([a.body, b.body])).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error.code).toBe('APPROVAL_ALREADY_DECIDED');
      const owner = await q<{ owner_id: string }>(
        `SELECT owner_id FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
        [customer.id],
      );
      expect(owner[0]?.owner_id).toBe(ids.manager2);
      expect(await historyOf(customer.id)).toHaveLength(1);
      expect(
        await q(`SELECT 1 FROM approval_effects WHERE tenant_id = kam_tenant() AND request_id = $1`, [
          req.id,
        ]),
      ).toHaveLength(1);
    },
  );

  it.each([1, 2, 3])('an approval racing a withdrawal gives one consistent outcome (run %i)', async () => {
    const customer = await customerOf(manager);
    const req = await transfer(customer.id, ids.manager2!);
    const [approve, withdraw] = await Promise.all([
      head.post(`/api/v1/approval-requests/${req.id}/approve`, {}),
      manager.post(`/api/v1/approval-requests/${req.id}/withdraw`, {}),
    ]);
    expect([approve.status, withdraw.status].sort()).toEqual([200, 409]);
    const final = (await manager.get(`/api/v1/approval-requests/${req.id}`)).body;
    const owner = (
      await q<{ owner_id: string }>(
        `SELECT owner_id FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
        [customer.id],
      )
    )[0]?.owner_id;
    const effects = await q(
      `SELECT 1 FROM approval_effects WHERE tenant_id = kam_tenant() AND request_id = $1`,
      [req.id],
    );
    if (approve.status === 200) {
      expect(final.status).toBe('approved');
      expect(owner).toBe(ids.manager2);
      expect(effects).toHaveLength(1);
      expect(withdraw.body.error.code).toBe('APPROVAL_ALREADY_DECIDED');
    } else {
      expect(final.status).toBe('withdrawn');
      expect(owner).toBe(ids.manager);
      expect(effects).toHaveLength(0);
      expect(approve.body.error.code).toBe('APPROVAL_ALREADY_DECIDED');
    }
  });

  it('a failing effect fails the decision and leaves the request pending', async () => {
    const customer = await customerOf(manager);
    const leaver = await admin.post('/api/v1/users', {
      login: `leaver-${randomUUID().slice(0, 8)}`,
      displayName: '离职者',
      departmentId: (
        await q<{ department_id: string }>(
          'SELECT department_id FROM users WHERE tenant_id = kam_tenant() AND id = $1',
          [ids.manager],
        )
      )[0]!.department_id,
      roleIds: [],
    });
    expect(leaver.status, JSON.stringify(leaver.body)).toBe(201);
    const req = await transfer(customer.id, leaver.body.user.id);
    // the new owner leaves while the request waits
    const off = await admin.post(`/api/v1/users/${leaver.body.user.id}/disable`, {
      version: leaver.body.user.version,
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const res = await head.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('APPROVAL_EFFECT_FAILED');
    expect(res.body.error.details.cause.code).toBe('OWNER_INVALID');
    const after = (await manager.get(`/api/v1/approval-requests/${req.id}`)).body;
    expect(after.status).toBe('pending');
    expect(after.history.map((h: any) => h.action)).toEqual(['submitted']);
    expect(await historyOf(customer.id)).toHaveLength(0);
    expect((await head.get('/api/v1/approval-requests?box=todo')).body.items.map((i: any) => i.id)).toContain(
      req.id,
    );
  });

  it('a transfer to the current owner or an unknown user is refused on submit', async () => {
    const customer = await customerOf(manager);
    const same = await manager.post('/api/v1/approval-requests', {
      type: 'ownership_transfer',
      customerId: customer.id,
      payload: { toOwnerId: ids.manager },
      reason: '无',
    });
    expect(same.status).toBe(400);
    expect(same.body.error.details.fields[0]).toMatchObject({
      path: 'body.payload.toOwnerId',
      code: 'APPROVAL_SAME_OWNER',
    });
    const invisible = await manager2.post('/api/v1/approval-requests', {
      type: 'ownership_transfer',
      customerId: customer.id,
      payload: { toOwnerId: ids.manager2 },
      reason: '想要',
    });
    expect(invisible.status).toBe(404);
  });

  it('customer creation checks duplicates on submit and creates the customer when approved', async () => {
    const existing = await customerOf(manager);
    const dup = await manager.post('/api/v1/approval-requests', {
      type: 'customer_creation',
      payload: { name: existing.name },
      reason: '新客户',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CUSTOMER_DUPLICATE');
    const name = uniqueName('待批');
    const req = await submit(manager, {
      type: 'customer_creation',
      payload: { name, duplicateOverride: { reason: '确认不是同一家' } },
      reason: '展会线索',
    });
    expect(
      await q(`SELECT 1 FROM customers WHERE tenant_id = kam_tenant() AND name = $1`, [name]),
    ).toHaveLength(0);
    const done = await head.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(done.body.status).toBe('approved');
    const created = await q<{ id: string; owner_id: string }>(
      `SELECT id, owner_id FROM customers WHERE tenant_id = kam_tenant() AND name = $1`,
      [name],
    );
    expect(created).toHaveLength(1);
    expect(created[0]?.owner_id).toBe(ids.manager);
    expect((await manager.get(`/api/v1/customers/${created[0]!.id}`)).status).toBe(200);
    const outcome = await q<{ outcome: any }>(
      `SELECT outcome FROM approval_effects WHERE tenant_id = kam_tenant() AND request_id = $1`,
      [req.id],
    );
    expect(outcome[0]?.outcome.customerId).toBe(created[0]!.id);
  });

  it('the database refuses a second application of an effect', async () => {
    const customer = await customerOf(manager);
    const req = await discount(customer.id, '5');
    await head.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    await expect(
      q(
        `INSERT INTO approval_effects (tenant_id, request_id, request_type) VALUES (kam_tenant(), $1, 'discount')`,
        [req.id],
      ),
    ).rejects.toThrow();
    await expect(
      q(`UPDATE approval_requests SET status = 'pending' WHERE tenant_id = kam_tenant() AND id = $1`, [
        req.id,
      ]),
    ).rejects.toThrow();
  });
});

describe('time limits', () => {
  it('remind the approver and escalate to the next head up', async () => {
    await saveFlow('contract', [
      {
        id: 'head',
        name: '部门主管',
        approvers: [{ kind: 'requester_department_head' }],
        mode: 'any',
        timeLimitHours: 24,
        escalateOnTimeout: true,
      },
    ]);
    const customer = await customerOf(manager);
    const req = await submit(manager, {
      type: 'contract',
      customerId: customer.id,
      payload: { title: '采购合同', reference: `HT-${randomUUID().slice(0, 6)}`, amount: '5000' },
      reason: '急',
    });
    expect(req.currentStep.dueAt).not.toBeNull();
    const now = Date.now();
    // not due yet: nothing happens
    await sweepApprovalTimeouts(env.db, new Date(now + 23 * 3_600_000));
    expect((await manager.get(`/api/v1/approval-requests/${req.id}`)).body.history).toHaveLength(1);

    await sweepApprovalTimeouts(env.db, new Date(now + 25 * 3_600_000));
    const after = (await manager.get(`/api/v1/approval-requests/${req.id}`)).body;
    expect(after.history.at(-1)).toMatchObject({ action: 'timed_out', by: null });
    expect(after.history.at(-1).escalatedTo.map((u: any) => u.id)).toEqual([ids.director]);
    expect(after.steps[0].seats[0].holders.map((u: any) => u.id)).toEqual([ids.head, ids.director]);
    expect(Date.parse(after.currentStep.dueAt)).toBeGreaterThan(now + 25 * 3_600_000);
    const kinds = async (c: Client) =>
      (await notificationsOf(c)).filter((n) => n.entityId === req.id).map((n) => n.kind);
    expect(await kinds(head)).toEqual(expect.arrayContaining(['approval.step_started', 'approval.reminder']));
    expect(await kinds(director)).toContain('approval.escalated');
    expect(
      (await director.get('/api/v1/approval-requests?box=todo')).body.items.map((i: any) => i.id),
    ).toContain(req.id);

    const done = await director.post(`/api/v1/approval-requests/${req.id}/approve`, {});
    expect(done.body.status).toBe('approved');
    expect(done.body.history.at(-1).onBehalfOf.map((u: any) => u.id)).toEqual([ids.head]);
    // a timer left over from before the decision does nothing
    await sweepApprovalTimeouts(env.db, new Date(now + 100 * 3_600_000));
    expect((await manager.get(`/api/v1/approval-requests/${req.id}`)).body.history).toHaveLength(
      done.body.history.length,
    );
  });
});
