import { randomUUID } from 'node:crypto';
import { BUILTIN_ROLES } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncBuiltinRoles } from '../src/modules/organization/bootstrap.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
let admin: Client;
let director: Client;
let head: Client;
let manager: Client;
let manager2: Client;
const ids: Record<string, string> = {};
const dept: Record<string, string> = {};

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

const uniqueName = (prefix: string) =>
  `${prefix}${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)}${Math.random().toString(36).slice(2, 8)}有限公司`;

async function customerOf(
  owner: Client,
  prefix = '归属',
): Promise<{ id: string; version: number; name: string }> {
  const res = await owner.post('/api/v1/customers', {
    name: uniqueName(prefix),
    duplicateOverride: { reason: '测试数据' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** An open and a done next step of `authorId` on the customer. */
async function nextSteps(customerId: string, authorId: string): Promise<{ open: string; done: string }> {
  const open = randomUUID();
  const done = randomUUID();
  await q(
    `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, summary, next_step, next_step_date,
       next_step_owner_id, next_step_done_at)
     VALUES (kam_tenant(), $1, $3, 'visit', now(), $4, '拜访', '送样品', current_date + 7, $4, NULL),
            (kam_tenant(), $2, $3, 'call', now() - interval '1 day', $4, '电话', '报价', current_date, $4, now())`,
    [open, done, customerId, authorId],
  );
  return { open, done };
}

const stepOwner = async (id: string) =>
  (
    await q<{ o: string }>(
      'SELECT next_step_owner_id AS o FROM follow_ups WHERE tenant_id = kam_tenant() AND id = $1',
      [id],
    )
  )[0]!.o;

const teamOf = async (customerId: string) =>
  q<{ user_id: string; team_role: string }>(
    'SELECT user_id, team_role FROM customer_team WHERE tenant_id = kam_tenant() AND customer_id = $1 ORDER BY team_role, user_id',
    [customerId],
  );

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  director = await Client.signIn(env, org.slug, 'director');
  head = await Client.signIn(env, org.slug, 'head');
  manager = await Client.signIn(env, org.slug, 'manager');
  manager2 = await Client.signIn(env, org.slug, 'manager2');
  for (const u of await q<{ id: string; login: string }>(
    'SELECT id, login FROM users WHERE tenant_id = kam_tenant()',
  ))
    ids[u.login] = u.id;
  for (const d of await q<{ id: string; code: string }>(
    'SELECT id, code FROM departments WHERE tenant_id = kam_tenant() AND code IS NOT NULL',
  ))
    dept[d.code] = d.id;
});
afterAll(() => env.close());

describe('assign', () => {
  it('moves owner, department, team and open next steps; history and audit record who, when and why', async () => {
    const c = await customerOf(manager);
    const steps = await nextSteps(c.id, ids.manager!);
    expect(
      (
        await manager.post(`/api/v1/customers/${c.id}/assign`, {
          ownerId: ids.manager2,
          reason: '调整区域',
          version: 1,
        })
      ).status,
    ).toBe(403);
    // the head's assign scope is 上海销售一部: 杭州's manager is outside it
    const outside = await head.post(`/api/v1/customers/${c.id}/assign`, {
      ownerId: ids.manager2,
      reason: '调整区域',
      version: 1,
    });
    expect(outside.status).toBe(403);
    const res = await director.post(`/api/v1/customers/${c.id}/assign`, {
      ownerId: ids.manager2,
      reason: '调整区域',
      version: 1,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      ownerId: ids.manager2,
      ownerName: '李强',
      departmentId: dept.HZ01,
      version: 2,
    });
    expect(await teamOf(c.id)).toEqual([{ user_id: ids.manager2, team_role: 'owner' }]);
    expect(await stepOwner(steps.open)).toBe(ids.manager2);
    expect(await stepOwner(steps.done)).toBe(ids.manager);
    // the old owner no longer sees it, the new one does
    expect((await manager.get(`/api/v1/customers/${c.id}`)).status).toBe(404);
    expect((await manager2.get(`/api/v1/customers/${c.id}`)).status).toBe(200);

    const history = await director.get(`/api/v1/customers/${c.id}/ownership-history`);
    expect(history.body.items[0]).toMatchObject({
      kind: 'assign',
      fromOwnerId: ids.manager,
      fromOwnerName: '孙伟',
      toOwnerId: ids.manager2,
      toOwnerName: '李强',
      fromDepartmentId: dept.SH01,
      toDepartmentId: dept.HZ01,
      reason: '调整区域',
      changedByName: '赵明',
    });
    expect(history.body.items[1]).toMatchObject({ kind: 'create' });
    const [audit] = await q<{ details: { reason: string; followUpsMoved: number } }>(
      `SELECT details FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.assign' AND entity_id = $1`,
      [c.id],
    );
    expect(audit!.details).toMatchObject({ reason: '调整区域', followUpsMoved: 1 });
    const stale = await director.post(`/api/v1/customers/${c.id}/assign`, {
      ownerId: ids.manager,
      reason: '再调',
      version: 1,
    });
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
  });
});

describe('bulk transfer and handover', () => {
  it('hands all of a leaving rep’s customers with their open next steps to a colleague, set-based', async () => {
    const login = `leaver-${randomUUID().slice(0, 6)}`;
    const created = await director.post('/api/v1/users', {
      login,
      displayName: '离职同事',
      departmentId: dept.SH01,
      roleIds: [org.roleIds.account_manager],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const leaver = created.body.user.id as string;
    const cs = [];
    for (let i = 0; i < 3; i++) {
      const c = await customerOf(admin, '交接');
      // admin creates them for the leaver
      await admin.post(`/api/v1/customers/${c.id}/assign`, {
        ownerId: leaver,
        reason: '分配',
        version: c.version,
      });
      cs.push(c.id);
    }
    const steps = await nextSteps(cs[0]!, leaver);
    const disabled = await director.post(`/api/v1/users/${leaver}/disable`, {
      version: created.body.user.version,
    });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);

    const res = await head.post('/api/v1/customers/transfer', {
      fromOwnerId: leaver,
      toOwnerId: ids.manager,
      reason: '离职交接',
      includeOpenFollowUps: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ count: 3, kind: 'handover', followUpsMoved: 1 });
    expect([...res.body.customerIds].sort()).toEqual([...cs].sort());
    const rows = await q<{ owner_id: string; department_id: string }>(
      'SELECT owner_id, department_id FROM customers WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])',
      [cs],
    );
    expect(rows.every((r) => r.owner_id === ids.manager && r.department_id === dept.SH01)).toBe(true);
    for (const id of cs) expect(await teamOf(id)).toEqual([{ user_id: ids.manager, team_role: 'owner' }]);
    expect(await stepOwner(steps.open)).toBe(ids.manager);
    expect(await stepOwner(steps.done)).toBe(leaver);
    const history = await q<{ kind: string; reason: string }>(
      `SELECT kind, reason FROM customer_ownership_history WHERE tenant_id = kam_tenant() AND customer_id = ANY($1::uuid[])
       AND to_owner_id = $2`,
      [cs, ids.manager],
    );
    expect(history).toEqual(Array(3).fill({ kind: 'handover', reason: '离职交接' }));
    const audits = await q<{ details: { count: number; customerIds: string[] } }>(
      `SELECT details FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.transfer'`,
    );
    expect(audits.length).toBe(1);
    expect(audits[0]!.details.count).toBe(3);
    // nothing left to transfer
    const again = await head.post('/api/v1/customers/transfer', {
      fromOwnerId: leaver,
      toOwnerId: ids.manager,
      reason: '再次',
    });
    expect(again.body.count).toBe(0);
  });

  it('transfers only the listed customers the actor may assign; others are refused as a whole', async () => {
    const a = await customerOf(manager);
    const b = await customerOf(manager);
    const theirs = await customerOf(manager2);
    const refused = await head.post('/api/v1/customers/transfer', {
      fromOwnerId: ids.manager,
      toOwnerId: ids.head,
      customerIds: [a.id, theirs.id],
      reason: '部分转移',
    });
    expect(refused.status).toBe(400);
    expect(
      (
        await q('SELECT 1 FROM customers WHERE tenant_id = kam_tenant() AND id = $1 AND owner_id = $2', [
          a.id,
          ids.manager,
        ])
      ).length,
    ).toBe(1);
    const ok = await head.post('/api/v1/customers/transfer', {
      fromOwnerId: ids.manager,
      toOwnerId: ids.head,
      customerIds: [a.id],
      reason: '部分转移',
      includeOpenFollowUps: false,
    });
    expect(ok.body).toMatchObject({ count: 1, kind: 'transfer', customerIds: [a.id] });
    expect((await manager.get(`/api/v1/customers/${b.id}`)).status).toBe(200);
    expect((await manager.get(`/api/v1/customers/${a.id}`)).status).toBe(404);
  });
});

describe('merge', () => {
  it('keeps one customer and moves contacts, follow-ups, orders, payments, service records, team, history, approval requests and manual metrics', async () => {
    const keep = (
      await manager.post('/api/v1/customers', {
        name: uniqueName('保留'),
        industry: 'C',
        duplicateOverride: { reason: '测试' },
      })
    ).body;
    const body17 = '91310000MA1KABCD1';
    const { creditCodeCheckChar } = await import('@kam/domain');
    const code = body17 + creditCodeCheckChar(body17)!;
    const gone = (
      await manager.post('/api/v1/customers', {
        name: uniqueName('合并'),
        creditCode: code,
        industry: 'F',
        address: '上海市浦东新区',
        tags: ['并入'],
        duplicateOverride: { reason: '测试' },
      })
    ).body;
    const contactKeep = randomUUID();
    const contactGone = randomUUID();
    const order = randomUUID();
    await q(
      `INSERT INTO contacts (tenant_id, id, customer_id, name, is_primary) VALUES
         (kam_tenant(), $1, $3, '主联系人甲', true), (kam_tenant(), $2, $4, '主联系人乙', true)`,
      [contactKeep, contactGone, keep.id, gone.id],
    );
    await q(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount) VALUES (kam_tenant(), $1, $2, $3, current_date - 3, 888.00)`,
      [order, `M-${order.slice(0, 8)}`, gone.id],
    );
    await q(
      `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date) VALUES (kam_tenant(), gen_random_uuid(), $1, $2, 88.00, current_date)`,
      [order, gone.id],
    );
    await nextSteps(gone.id, ids.manager!);
    await q(
      `INSERT INTO service_records (tenant_id, id, customer_id, type, title, opened_at) VALUES (kam_tenant(), gen_random_uuid(), $1, 'request', '需求', now())`,
      [gone.id],
    );
    await manager.post(`/api/v1/customers/${gone.id}/team`, {
      userId: ids.tech,
      teamRole: 'technical_support',
      access: 'read',
    });
    // a transfer waiting for approval and manual metrics: they concern the company, which survives as `keep`
    const flow = await director.get('/api/v1/approval-flows/ownership_transfer');
    const saved = await director.put('/api/v1/approval-flows/ownership_transfer', {
      flow: {
        requestType: 'ownership_transfer',
        steps: [
          { id: 'head', name: '部门主管', approvers: [{ kind: 'requester_department_head' }], mode: 'any' },
        ],
      },
      expectedVersion: flow.body.version,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const transfer = await manager.post('/api/v1/approval-requests', {
      type: 'ownership_transfer',
      customerId: gone.id,
      payload: { toOwnerId: ids.manager2 },
      reason: '交接',
    });
    expect(transfer.status, JSON.stringify(transfer.body)).toBe(201);
    const requestVersion = async () =>
      (
        await q<{ customer_id: string; version: number; status: string }>(
          'SELECT customer_id, version, status FROM approval_requests WHERE tenant_id = kam_tenant() AND id = $1',
          [transfer.body.id],
        )
      )[0]!;
    const pendingBefore = await requestVersion();
    for (const [id, values] of [
      [
        gone.id,
        {
          strategic_value: { value: 4, version: null },
          industry_influence: { value: 'high', version: null },
        },
      ],
      [keep.id, { strategic_value: { value: 2, version: null } }],
    ] as const) {
      const set = await manager.patch(`/api/v1/customers/${id}/manual-metrics`, { values });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }

    expect(
      (
        await manager.post(`/api/v1/customers/${keep.id}/merge`, {
          sourceId: gone.id,
          version: 1,
          sourceVersion: 1,
          reason: '重复',
        })
      ).status,
    ).toBe(403);
    const self = await director.post(`/api/v1/customers/${keep.id}/merge`, {
      sourceId: keep.id,
      version: 1,
      sourceVersion: 1,
      reason: '重复',
    });
    expect(self.body.error.code).toBe('MERGE_SAME_CUSTOMER');
    const res = await director.post(`/api/v1/customers/${keep.id}/merge`, {
      sourceId: gone.id,
      version: 1,
      sourceVersion: 1,
      reason: '同一家公司',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // empty fields filled from the merged customer (credit code included), own values kept
    expect(res.body).toMatchObject({
      industry: 'C',
      creditCode: code,
      address: '上海市浦东新区',
      revenue12m: '888.00',
    });
    expect(res.body.tags).toEqual(['并入']);

    const count = async (table: string, id: string) =>
      (
        await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = kam_tenant() AND customer_id = $1`,
          [id],
        )
      )[0]!.n;
    for (const table of ['contacts', 'follow_ups', 'orders', 'payments', 'service_records']) {
      expect(await count(table, gone.id), table).toBe(0);
    }
    expect(await count('contacts', keep.id)).toBe(2);
    expect(await count('follow_ups', keep.id)).toBe(2);
    expect(await count('orders', keep.id)).toBe(1);
    expect(await count('service_records', keep.id)).toBe(1);
    const primaries = await q<{ id: string }>(
      'SELECT id FROM contacts WHERE tenant_id = kam_tenant() AND customer_id = $1 AND is_primary',
      [keep.id],
    );
    expect(primaries).toEqual([{ id: contactKeep }]);
    expect((await teamOf(keep.id)).map((m) => m.user_id).sort()).toEqual([ids.manager, ids.tech].sort());
    // the pending request is now about the kept customer, and its version moved on
    expect(await requestVersion()).toEqual({
      customer_id: keep.id,
      status: 'pending',
      version: pendingBefore.version + 1,
    });
    expect((await manager.get(`/api/v1/approval-requests/${transfer.body.id}`)).body.customer).toMatchObject({
      id: keep.id,
    });
    // manual metrics: the kept customer's own value stays, the one it lacked comes over
    const metrics = (await manager.get(`/api/v1/customers/${keep.id}/manual-metrics`)).body.items as {
      metric: string;
      value: string | null;
    }[];
    expect(Object.fromEntries(metrics.map((m) => [m.metric, m.value]))).toMatchObject({
      strategic_value: '2',
      industry_influence: 'high',
    });
    expect(await count('customer_manual_metrics', gone.id)).toBe(0);
    // the kept customer's metrics changed with what it took over: queued for a tier re-score
    expect(
      await q('SELECT reason FROM tier_rescore_queue WHERE tenant_id = kam_tenant() AND customer_id = $1', [
        keep.id,
      ]),
    ).toEqual([{ reason: 'merge' }]);
    const history = await director.get(`/api/v1/customers/${keep.id}/ownership-history`);
    expect(history.body.items.map((h: { kind: string }) => h.kind)).toEqual(['merge', 'create', 'create']);

    const [source] = await q<{ deleted_at: Date | null; merged_into_id: string }>(
      'SELECT deleted_at, merged_into_id FROM customers WHERE tenant_id = kam_tenant() AND id = $1',
      [gone.id],
    );
    expect(source!.deleted_at).not.toBeNull();
    expect(source!.merged_into_id).toBe(keep.id);
    expect((await manager.get(`/api/v1/customers/${gone.id}`)).status).toBe(404);
    const audits = await q<{ action: string; entity_id: string }>(
      `SELECT action, entity_id FROM audit_log WHERE tenant_id = kam_tenant() AND action IN ('customer.merge', 'customer.merged_into') ORDER BY seq`,
    );
    expect(audits).toEqual([
      { action: 'customer.merge', entity_id: keep.id },
      { action: 'customer.merged_into', entity_id: gone.id },
    ]);
    // a merged customer is not restored
    const restore = await director.post(`/api/v1/customers/${gone.id}/restore`, { version: 2 });
    expect(restore.status).toBe(409);
  });
});

describe('built-in role sync', () => {
  it('brings stale built-in roles of every organisation up to the current definition, audited, once', async () => {
    const [before] = await q<{ id: string; version: number }>(
      `SELECT id, version FROM roles WHERE tenant_id = kam_tenant() AND key = 'account_manager'`,
    );
    // an installation from before Customer 360: the role has no customer rights
    const old = BUILTIN_ROLES.find((r) => r.key === 'account_manager')!.grants.filter(
      (g) => !['customer', 'contact', 'follow_up', 'order', 'service_record'].includes(g.resource),
    );
    await q(`UPDATE roles SET grants = $2 WHERE tenant_id = kam_tenant() AND id = $1`, [
      before!.id,
      JSON.stringify(old),
    ]);
    const stale = await Client.signIn(env, org.slug, 'manager');
    expect((await stale.get('/api/v1/customers')).status).toBe(403);

    const result = await syncBuiltinRoles(env.db);
    expect(result.find((r) => r.tenantId === org.tenantId)?.roles).toEqual(['account_manager']);
    expect((await stale.get('/api/v1/customers')).status).toBe(200);
    const [after] = await q<{ version: number; name: string }>(
      `SELECT version, name FROM roles WHERE tenant_id = kam_tenant() AND id = $1`,
      [before!.id],
    );
    expect(after).toEqual({ version: before!.version + 1, name: '客户经理' });
    const audits = await q<{ changes: { field: string }[] }>(
      `SELECT changes FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'role.sync' AND entity_id = $1`,
      [before!.id],
    );
    expect(audits.length).toBe(1);
    expect(audits[0]!.changes.map((c) => c.field)).toEqual(['grants']);
    // nothing differs any more: no change, no audit
    const second = await syncBuiltinRoles(env.db);
    expect(second.find((r) => r.tenantId === org.tenantId)?.roles).toEqual([]);
  });
});
