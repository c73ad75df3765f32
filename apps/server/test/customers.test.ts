import { randomUUID } from 'node:crypto';
import { creditCodeCheckChar } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Params } from '../src/access/sql.js';
import type { Tx } from '../src/db/database.js';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { refreshAllCustomerAggregates } from '../src/modules/customers/jobs.js';
import { selectCustomerPage } from '../src/modules/customers/repo/customers.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
let admin: Client;
let director: Client;
let manager: Client;
let manager2: Client;
let service: Client;
let auditor: Client;
const ids: Record<string, string> = {};
const dept: Record<string, string> = {};

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

let serial = 0;
/** A valid unified social credit code (check character computed per GB 32100-2015). */
function creditCode(): string {
  const body = `91310000MA1K${String(++serial).padStart(4, '0')}${String(Math.floor(Math.random() * 10))}`;
  return body + creditCodeCheckChar(body)!;
}

/** A company name unlike any other in the test (random letters break trigram similarity). */
// Random parts use hex only (a–f, 0–9), so search terms with other letters (e.g. "qz") never hit them by chance.
const uniqueName = (prefix = '') =>
  `${prefix}${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8)}${Math.random().toString(16).slice(2, 8)}有限公司`;

async function create(c: Client, body: Record<string, unknown>) {
  return c.post('/api/v1/customers', { duplicateOverride: { reason: '测试数据' }, ...body });
}

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  director = await Client.signIn(env, org.slug, 'director');
  manager = await Client.signIn(env, org.slug, 'manager');
  manager2 = await Client.signIn(env, org.slug, 'manager2');
  service = await Client.signIn(env, org.slug, 'service');
  auditor = await Client.signIn(env, org.slug, 'auditor');
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

describe('create, read, edit', () => {
  it('creates a customer owned by the creator, on its team, with a creation history entry and audit', async () => {
    const code = creditCode();
    const res = await manager.post('/api/v1/customers', {
      name: '  上海澄明精密仪器有限公司 ',
      creditCode: code.toLowerCase(),
      industry: 'C',
      cityCode: '310100',
      sizeBand: 'medium',
      source: 'referral',
      tags: ['重点', '重点', '制造'],
      notes: '年会认识',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name: '上海澄明精密仪器有限公司',
      creditCode: code,
      industry: 'C',
      provinceCode: '310000',
      cityCode: '310100',
      status: 'prospect',
      ownerId: ids.manager,
      ownerName: '孙伟',
      departmentId: dept.SH01,
      departmentName: '上海销售一部',
      revenue12m: '0.00',
      orders12m: 0,
      version: 1,
      deletedAt: null,
    });
    expect(res.body.tags).toEqual(['重点', '制造']);
    const id = res.body.id;
    expect(
      await q(
        'SELECT user_id, team_role, access FROM customer_team WHERE tenant_id = kam_tenant() AND customer_id = $1',
        [id],
      ),
    ).toEqual([{ user_id: ids.manager, team_role: 'owner', access: 'read_write' }]);
    expect(
      await q(
        'SELECT kind, to_owner_id FROM customer_ownership_history WHERE tenant_id = kam_tenant() AND customer_id = $1',
        [id],
      ),
    ).toEqual([{ kind: 'create', to_owner_id: ids.manager }]);
    const [audit] = await q<{ changes: { field: string }[] }>(
      `SELECT changes FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.create' AND entity_id = $1`,
      [id],
    );
    expect(audit!.changes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['name', 'creditCode', 'ownerId']),
    );
    const [row] = await q<{ name_pinyin: string; name_norm: string }>(
      'SELECT name_pinyin, name_norm FROM customers WHERE tenant_id = kam_tenant() AND id = $1',
      [id],
    );
    expect(row!.name_pinyin).toMatch(/^shanghai/);
    expect(row!.name_norm).not.toContain('有限公司');

    const got = await manager.get(`/api/v1/customers/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.notes).toBe('年会认识');
  });

  it('rejects invalid input with field codes', async () => {
    const bad = await manager.post('/api/v1/customers', {
      name: 'x',
      creditCode: '91310000MA1K00000X',
      industry: 'Z',
      status: 'gone',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const codes = Object.fromEntries(
      bad.body.error.details.fields.map((f: { path: string; code: string }) => [f.path, f.code]),
    );
    expect(codes).toMatchObject({
      'body.name': 'COMPANY_NAME_INVALID',
      'body.creditCode': 'CREDIT_CODE_INVALID',
      'body.industry': 'INDUSTRY_INVALID',
      'body.status': 'ENUM_INVALID',
    });
    const unknown = await manager.post('/api/v1/customers', { name: uniqueName(), color: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'body.color', code: 'UNKNOWN_PROPERTY' }),
    ]);
    const mismatch = await create(manager, {
      name: uniqueName(),
      provinceCode: '440000',
      cityCode: '310100',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details.fields[0]).toMatchObject({
      path: 'body.cityCode',
      code: 'REGION_INVALID',
    });
  });

  it('owner: another user needs customer.assign in scope; an inactive owner is refused', async () => {
    const byManager = await create(manager, { name: uniqueName(), ownerId: ids.manager2 });
    expect(byManager.status).toBe(403);
    const byDirector = await create(director, { name: uniqueName(), ownerId: ids.manager2 });
    expect(byDirector.status).toBe(201);
    expect(byDirector.body).toMatchObject({
      ownerId: ids.manager2,
      departmentId: dept.HZ01,
      departmentName: '杭州销售部',
    });
    const outside = await create(director, { name: uniqueName(), ownerId: ids.manager3 });
    expect(outside.status).toBe(403);
    const disabled = await insertDisabledUser();
    const inactive = await create(admin, { name: uniqueName(), ownerId: disabled });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error.code).toBe('OWNER_INVALID');
  });

  it('edits with version; a stale version is a 409 with the current version', async () => {
    const c = (await create(manager, { name: uniqueName() })).body;
    const ok = await manager.patch(`/api/v1/customers/${c.id}`, {
      version: 1,
      status: 'active',
      cityCode: '330100',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'active',
      provinceCode: '330000',
      cityCode: '330100',
      version: 2,
    });
    const stale = await manager.patch(`/api/v1/customers/${c.id}`, { version: 1, status: 'lost' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 2 } });
    const [audit] = await q<{ changes: unknown }>(
      `SELECT changes FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.update' AND entity_id = $1`,
      [c.id],
    );
    expect(audit!.changes).toEqual(
      expect.arrayContaining([
        { field: 'status', before: 'prospect', after: 'active' },
        { field: 'cityCode', before: null, after: '330100' },
      ]),
    );
  });

  it('two concurrent edits with the same version: one wins, the other gets 409, nothing is lost', async () => {
    const c = (await create(manager, { name: uniqueName() })).body;
    const [a, b] = await Promise.all([
      manager.patch(`/api/v1/customers/${c.id}`, { version: 1, notes: '甲的备注' }),
      director.patch(`/api/v1/customers/${c.id}`, { version: 1, address: '乙的地址' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('VERSION_CONFLICT');
    const now = (await manager.get(`/api/v1/customers/${c.id}`)).body;
    expect(now.version).toBe(2);
    // the winner's change is there; the loser retries on the current version and keeps both
    const retry =
      a.status === 409
        ? await manager.patch(`/api/v1/customers/${c.id}`, { version: 2, notes: '甲的备注' })
        : await director.patch(`/api/v1/customers/${c.id}`, { version: 2, address: '乙的地址' });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ notes: '甲的备注', address: '乙的地址', version: 3 });
  });

  it('field rules: hidden and masked fields on output; writing them is forbidden', async () => {
    const roleId = randomUUID();
    await q(
      `INSERT INTO roles (tenant_id, id, name, grants, field_rules) VALUES (kam_tenant(), $1, $2, $3, $4)`,
      [
        roleId,
        `字段规则-${roleId.slice(0, 6)}`,
        JSON.stringify([
          { resource: 'customer', action: 'view', scope: 'all' },
          { resource: 'customer', action: 'edit', scope: 'all' },
        ]),
        JSON.stringify([
          { resource: 'customer', field: 'notes', rule: 'hidden' },
          { resource: 'customer', field: 'creditCode', rule: 'masked' },
          { resource: 'customer', field: 'revenue12m', rule: 'hidden' },
        ]),
      ],
    );
    const restricted = await userWithRoles([roleId]);
    const code = creditCode();
    const c = (await create(manager, { name: uniqueName(), creditCode: code, notes: '秘密' })).body;
    const seen = await restricted.get(`/api/v1/customers/${c.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).not.toHaveProperty('notes');
    expect(seen.body).not.toHaveProperty('revenue12m');
    expect(seen.body.creditCode).not.toBe(code);
    expect(seen.body.creditCode).toContain('*');
    const listed = await restricted.get(`/api/v1/customers?q=${encodeURIComponent(c.name)}`);
    expect(listed.body.items[0]).not.toHaveProperty('notes');
    const write = await restricted.patch(`/api/v1/customers/${c.id}`, { version: 1, notes: '改' });
    expect(write.status).toBe(403);
    expect(write.body.error.details.fields[0].path).toBe('body.notes');
    const allowed = await restricted.patch(`/api/v1/customers/${c.id}`, { version: 1, status: 'active' });
    expect(allowed.status).toBe(200);
  });
});

describe('soft delete and restore', () => {
  it('deletes softly (director only), lists in the bin, restores; a taken name blocks the restore', async () => {
    const name = uniqueName('回收');
    const c = (await create(manager, { name })).body;
    expect((await manager.delete(`/api/v1/customers/${c.id}?version=1`)).status).toBe(403);
    expect((await director.delete(`/api/v1/customers/${c.id}?version=1`)).status).toBe(204);
    expect((await manager.get(`/api/v1/customers/${c.id}`)).status).toBe(404);
    const listed = await manager.get(`/api/v1/customers?q=${encodeURIComponent(name)}`);
    expect(listed.body.items).toEqual([]);
    const bin = await director.get('/api/v1/customers?deleted=true&limit=200');
    expect(bin.body.items.map((i: { id: string }) => i.id)).toContain(c.id);
    expect((await manager.get('/api/v1/customers?deleted=true')).status).toBe(403);

    // someone creates the same name meanwhile → restore is a duplicate
    const again = (await create(manager, { name })).body;
    const blocked = await director.post(`/api/v1/customers/${c.id}/restore`, { version: 2 });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('CUSTOMER_DUPLICATE');
    expect(blocked.body.error.details.existing.id).toBe(again.id);
    await director.delete(`/api/v1/customers/${again.id}?version=1`);
    const restored = await director.post(`/api/v1/customers/${c.id}/restore`, { version: 2 });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ deletedAt: null, version: 3 });
    expect((await manager.get(`/api/v1/customers/${c.id}`)).status).toBe(200);
    const notDeleted = await director.post(`/api/v1/customers/${c.id}/restore`, { version: 3 });
    expect(notDeleted.body.error.code).toBe('CUSTOMER_NOT_DELETED');
  });
});

describe('account team and visibility', () => {
  it('a support user on the team sees that customer and no other; removed from the team, no more', async () => {
    const mine = (await create(manager, { name: uniqueName('团队') })).body;
    const other = (await create(manager, { name: uniqueName('团队') })).body;
    const before = await service.get('/api/v1/customers?limit=200');
    expect(before.body.items.map((i: { id: string }) => i.id)).not.toContain(mine.id);
    expect((await service.get(`/api/v1/customers/${mine.id}`)).status).toBe(404);

    const added = await manager.post(`/api/v1/customers/${mine.id}/team`, {
      userId: ids.service,
      teamRole: 'customer_service',
      access: 'read_write',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      userId: ids.service,
      displayName: '郑丽',
      teamRole: 'customer_service',
    });
    const dup = await manager.post(`/api/v1/customers/${mine.id}/team`, {
      userId: ids.service,
      teamRole: 'delivery',
      access: 'read',
    });
    expect(dup.body.error.code).toBe('TEAM_MEMBER_EXISTS');

    const listed = (await service.get('/api/v1/customers?limit=200')).body.items.map(
      (i: { id: string }) => i.id,
    );
    expect(listed).toContain(mine.id);
    expect(listed).not.toContain(other.id);
    expect((await service.get(`/api/v1/customers/${mine.id}`)).status).toBe(200);
    expect((await service.get(`/api/v1/customers/${other.id}`)).status).toBe(404);
    // read_write on the team never grants editing master data the role lacks
    expect((await service.patch(`/api/v1/customers/${mine.id}`, { version: 1, notes: 'x' })).status).toBe(
      403,
    );

    const team = await manager.get(`/api/v1/customers/${mine.id}/team`);
    expect(team.body.items.map((m: { teamRole: string }) => m.teamRole)).toEqual([
      'owner',
      'customer_service',
    ]);
    const ownerFixed = await manager.delete(`/api/v1/customers/${mine.id}/team/${ids.manager}`);
    expect(ownerFixed.body.error.code).toBe('TEAM_OWNER_FIXED');
    const changed = await manager.patch(`/api/v1/customers/${mine.id}/team/${ids.service}`, {
      access: 'read',
    });
    expect(changed.body.access).toBe('read');

    expect((await manager.delete(`/api/v1/customers/${mine.id}/team/${ids.service}`)).status).toBe(204);
    const after = (await service.get('/api/v1/customers?limit=200')).body.items.map(
      (i: { id: string }) => i.id,
    );
    expect(after).not.toContain(mine.id);
    expect((await service.get(`/api/v1/customers/${mine.id}`)).status).toBe(404);
    const actions = await q<{ action: string }>(
      `SELECT action FROM audit_log WHERE tenant_id = kam_tenant() AND entity_type = 'customer' AND entity_id = $1
       AND action LIKE 'customer.team.%' ORDER BY seq`,
      [mine.id],
    );
    expect(actions.map((a) => a.action)).toEqual([
      'customer.team.add',
      'customer.team.update',
      'customer.team.remove',
    ]);
  });

  it('team candidates: active users of any department, without contact data, not yet on the team', async () => {
    const mine = (await create(manager, { name: uniqueName('候选') })).body;
    const url = `/api/v1/customers/${mine.id}/team/candidates`;
    const all = await manager.get(`${url}?limit=50`);
    expect(all.status).toBe(200);
    const byId = new Map(
      all.body.items.map(
        (u: { id: string; displayName: string; departmentName: string | null; roles: string[] }) => [u.id, u],
      ),
    );
    // the owner is on the team already; support staff of another department are offered
    expect(byId.has(ids.manager)).toBe(false);
    const support = byId.get(ids.service) as Record<string, unknown>;
    expect(Object.keys(support).sort()).toEqual(['departmentName', 'displayName', 'id', 'roles']);
    expect(support.displayName).toBe('郑丽');
    expect((support.roles as string[]).length).toBeGreaterThan(0);
    const [serviceDept] = await q<{ name: string }>(
      'SELECT d.name FROM users u JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id WHERE u.tenant_id = kam_tenant() AND u.id = $1',
      [ids.service],
    );
    expect(support.departmentName).toBe(serviceDept?.name);

    const found = await manager.get(`${url}?q=${encodeURIComponent('郑丽')}`);
    expect(found.body.items.map((u: { id: string }) => u.id)).toEqual([ids.service]);
    const byLogin = await manager.get(`${url}?q=servic`);
    expect(byLogin.body.items.map((u: { id: string }) => u.id)).toContain(ids.service);

    await manager.post(`/api/v1/customers/${mine.id}/team`, {
      userId: ids.service,
      teamRole: 'customer_service',
      access: 'read',
    });
    const after = await manager.get(`${url}?q=${encodeURIComponent('郑丽')}`);
    expect(after.body.items).toEqual([]);

    // only for an actor who may edit this customer
    expect((await manager2.get(url)).status).toBe(404);
    expect((await service.get(url)).status).toBe(403);
    expect((await manager.get(`${url}?limit=51`)).status).toBe(400);
  });

  it('a restricted list in pinyin order, read part by part (own, departments, team), pages like the whole list', async () => {
    // manager2's customer with the manager on its team: visible to the manager through the team only
    const theirs = (await create(manager2, { name: uniqueName('甲') })).body;
    await manager2.post(`/api/v1/customers/${theirs.id}/team`, {
      userId: ids.manager,
      teamRole: 'co_follower',
      access: 'read',
    });
    // one of the manager's own customers with the manager's own team row (owner): listed once
    for (const prefix of ['乙', '丙', '丁']) await create(manager, { name: uniqueName(prefix) });
    for (const c of [manager, director]) {
      const whole = (await c.get('/api/v1/customers?limit=200')).body.items as { id: string }[];
      expect(new Set(whole.map((i) => i.id)).size).toBe(whole.length);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await c.get(`/api/v1/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        paged.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(paged).toEqual(whole.map((i) => i.id));
      const [order] = await q<{ ids: string[] }>(
        `SELECT array_agg(id ORDER BY name_pinyin, id) AS ids FROM customers
         WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])`,
        [paged],
      );
      expect(order?.ids).toEqual(paged);
    }
    const managerIds = (await manager.get('/api/v1/customers?limit=200')).body.items.map(
      (i: { id: string }) => i.id,
    );
    expect(managerIds).toContain(theirs.id);
  });

  it('a read_write team member with customer.edit may edit a customer outside their scope', async () => {
    const c = (await create(manager, { name: uniqueName() })).body;
    expect((await manager2.patch(`/api/v1/customers/${c.id}`, { version: 1, notes: 'x' })).status).toBe(404);
    await manager.post(`/api/v1/customers/${c.id}/team`, {
      userId: ids.manager2,
      teamRole: 'co_follower',
      access: 'read',
    });
    expect((await manager2.patch(`/api/v1/customers/${c.id}`, { version: 1, notes: 'x' })).status).toBe(403);
    await manager.patch(`/api/v1/customers/${c.id}/team/${ids.manager2}`, { access: 'read_write' });
    expect((await manager2.patch(`/api/v1/customers/${c.id}`, { version: 1, notes: 'x' })).status).toBe(200);
  });
});

describe('list: filters, sort, pagination', () => {
  const made: Record<string, { id: string; name: string }> = {};
  let tag: string;

  beforeAll(async () => {
    tag = `批次${randomUUID().slice(0, 6)}`;
    const specs: [string, Record<string, unknown>][] = [
      ['a', { industry: 'C', cityCode: '310100', status: 'active', tags: [tag, `${tag}甲`] }],
      ['b', { industry: 'F', cityCode: '330100', status: 'prospect', tags: [tag] }],
      ['c', { industry: 'I', cityCode: '310100', status: 'dormant', tags: [tag, `${tag}乙`] }],
      ['d', { industry: 'C', cityCode: '440300', status: 'lost', tags: [tag] }],
      ['e', { industry: 'F', status: 'active', tags: [tag] }],
    ];
    for (const [k, body] of specs) {
      const client = k === 'b' ? director : manager;
      const res = await create(client, {
        name: uniqueName(`列表${k}`),
        ...body,
        ...(k === 'b' ? { ownerId: ids.manager2 } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      made[k] = res.body;
    }
    // revenue via orders (the trigger keeps revenue_12m), follow-up times directly
    const orders: [string, string][] = [
      ['a', '1000.50'],
      ['b', '250000.00'],
      ['c', '99.99'],
    ];
    for (const [k, amount] of orders) {
      await q(
        `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount)
         VALUES (kam_tenant(), $1, $2, $3, current_date - 10, $4)`,
        [randomUUID(), `L-${randomUUID().slice(0, 8)}`, made[k]!.id, amount],
      );
    }
    await q(
      `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, summary)
       VALUES (kam_tenant(), $1, $2, 'call', '2026-01-10T08:00:00Z', $4, '电话'),
              (kam_tenant(), $3, $5, 'visit', '2026-03-01T08:00:00Z', $4, '拜访')`,
      [randomUUID(), made.a!.id, randomUUID(), ids.manager, made.c!.id],
    );
    await q(
      `INSERT INTO contacts (tenant_id, id, customer_id, name, mobile, phone)
       VALUES (kam_tenant(), $1, $2, '联系人甲', '+8613912340001', '021-55556666')`,
      [randomUUID(), made.d!.id],
    );
  });

  const idsOf = (res: { body: { items: { id: string }[] } }) => res.body.items.map((i) => i.id);
  const mk = (...keys: string[]) => keys.map((k) => made[k]!.id);
  const withTag = () => `tags=${encodeURIComponent(tag)}`;

  it('filters by industry, status, region, tags, owner, department subtree', async () => {
    const set = async (c: Client, query: string) =>
      new Set(idsOf(await c.get(`/api/v1/customers?${withTag()}&limit=200&${query}`)));
    expect(await set(director, 'industry=C')).toEqual(new Set(mk('a', 'd')));
    expect(await set(director, 'industry=C,F&status=active')).toEqual(new Set(mk('a', 'e')));
    expect(await set(director, 'status=active&status=lost')).toEqual(new Set(mk('a', 'd', 'e')));
    expect(await set(director, 'provinceCode=310000')).toEqual(new Set(mk('a', 'c')));
    expect(await set(director, 'cityCode=330100')).toEqual(new Set(mk('b')));
    const byTags = await director.get(
      `/api/v1/customers?limit=200&tags=${encodeURIComponent(`${tag}乙`)},${encodeURIComponent(`${tag}甲`)}`,
    );
    expect(new Set(idsOf(byTags))).toEqual(new Set(mk('a', 'c')));
    expect(await set(director, `ownerId=${ids.manager2}`)).toEqual(new Set(mk('b')));
    expect(await set(director, `departmentId=${dept.EAST}&includeSubtree=true`)).toEqual(
      new Set(mk('a', 'b', 'c', 'd', 'e')),
    );
    expect(await set(director, `departmentId=${dept.EAST}`)).toEqual(new Set());
    expect(await set(director, `departmentId=${dept.HZ01}`)).toEqual(new Set(mk('b')));
    // the manager sees only their own, whatever the filter says
    expect(await set(manager, `ownerId=${ids.manager2}`)).toEqual(new Set());
  });

  it('filters by revenue range and last follow-up; searches name, pinyin, credit code and contact phone', async () => {
    const set = async (query: string) =>
      new Set(idsOf(await director.get(`/api/v1/customers?${withTag()}&limit=200&${query}`)));
    expect(await set('revenueMin=1000.50')).toEqual(new Set(mk('a', 'b')));
    expect(await set('revenueMin=100&revenueMax=2000')).toEqual(new Set(mk('a')));
    expect(await set('lastFollowUpBefore=2026-02-01T00:00:00Z')).toEqual(new Set(mk('a')));
    expect(await set('lastFollowUpAfter=2026-02-01T00:00:00Z')).toEqual(new Set(mk('c')));
    expect(await set(`q=${encodeURIComponent(made.e!.name.slice(0, 6))}`)).toEqual(new Set(mk('e')));
    expect(await set('q=13912340001')).toEqual(new Set(mk('d')));
    expect(await set('q=55556666')).toEqual(new Set(mk('d')));
    const pinyin = await q<{ name_pinyin: string }>(
      'SELECT name_pinyin FROM customers WHERE tenant_id = kam_tenant() AND id = $1',
      [made.c!.id],
    );
    expect(await set(`q=${encodeURIComponent(pinyin[0]!.name_pinyin.split(' ')[0]!)}`)).toEqual(
      new Set(mk('c')),
    );
    // support staff see contact numbers masked: the phone search does not reveal customers by them
    const bad = await director.get('/api/v1/customers?revenueMin=abc');
    expect(bad.status).toBe(400);
  });

  it('a two-character name search finds exactly the names containing it, only visible ones, from the bigram index', async () => {
    // 鹬蚌: two rare characters no demo name holds; 鹬X蚌 holds both but not as a pair
    const pair = await create(manager, { name: uniqueName('甲鹬蚌') });
    const upper = await create(manager, { name: `${uniqueName('乙')}鹬蚌QZ` });
    const others = await create(director, { name: uniqueName('丙鹬蚌'), ownerId: ids.manager2 });
    const split = await create(manager, { name: uniqueName('丁鹬X蚌') });
    for (const r of [pair, upper, others, split]) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const found = async (c: Client, term: string) =>
      new Set(idsOf(await c.get(`/api/v1/customers?limit=200&q=${encodeURIComponent(term)}`)));
    expect(await found(director, '鹬蚌')).toEqual(new Set([pair.body.id, upper.body.id, others.body.id]));
    expect(await found(director, '甲鹬蚌')).toEqual(new Set([pair.body.id]));
    // case-insensitive two-letter terms (no trigram, no pinyin branch) go through the bigram index too
    expect(await found(director, 'qz')).toEqual(new Set([upper.body.id]));
    // the account manager sees only their own customers, whatever the term matches
    expect(await found(manager, '鹬蚌')).toEqual(new Set([pair.body.id, upper.body.id]));
    // one character: no bigram, plain ILIKE
    expect(await found(director, '蚌')).toEqual(
      new Set([pair.body.id, upper.body.id, others.body.id, split.body.id]),
    );
    // under the application role and row-level security the bigram index is an index condition
    // (kam_bigrams is LEAKPROOF), not a filter applied after reading the tenant
    const p = new Params();
    let sql = '';
    const capture: Tx = {
      query: async (text: string) => {
        sql = text;
        return { rows: [] } as never;
      },
    };
    await selectCustomerPage(capture, p, {
      scope: 'TRUE',
      filter: { q: '鹬蚌' },
      contactNumbers: { mobile: true, phone: true },
      sort: 'name',
      desc: false,
      after: null,
      limit: 51,
    });
    // (a test tenant is tiny, so a scan of its few rows would win on cost: 3,000 other customers are
    // added and analysed in a transaction that is rolled back)
    let plan = '';
    await env.db
      .withSystem(async (tx) => {
        await tx.query(
          `INSERT INTO customers (tenant_id, id, name, name_norm, status, owner_id)
           SELECT $1, gen_random_uuid(), '填充' || g || '有限公司', '填充' || g, 'active', $2
           FROM generate_series(1, 3000) g`,
          [org.tenantId, ids.manager],
        );
        await tx.query('ANALYZE customers');
        await tx.query(`SELECT set_config('role', 'kam_app', true), set_config('kam.tenant_id', $1, true)`, [
          org.tenantId,
        ]);
        const { rows } = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, p.values);
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        throw new Error('rollback');
      })
      .catch((err: Error) => {
        if (err.message !== 'rollback') throw err;
      });
    expect(plan, plan).toMatch(/Bitmap Index Scan on customers_name_bigram_idx/);
  });

  it('sorts by each key in both orders and pages with a keyset cursor without gaps or repeats', async () => {
    for (const sort of ['name', 'createdAt', 'updatedAt', 'lastFollowUpAt', 'revenue12m']) {
      for (const order of ['asc', 'desc']) {
        const all: string[] = [];
        let cursor: string | null = null;
        do {
          const res: Res = await director.get(
            `/api/v1/customers?${withTag()}&sort=${sort}&order=${order}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          expect(res.status).toBe(200);
          expect(res.body.items.length).toBeLessThanOrEqual(2);
          all.push(...idsOf(res));
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(new Set(all).size, `${sort} ${order}`).toBe(5);
        const one = await director.get(
          `/api/v1/customers?${withTag()}&sort=${sort}&order=${order}&limit=200`,
        );
        expect(all, `${sort} ${order}`).toEqual(idsOf(one));
      }
    }
    const byRevenue = idsOf(await director.get(`/api/v1/customers?${withTag()}&sort=revenue12m&order=desc`));
    expect(byRevenue.slice(0, 3)).toEqual(mk('b', 'a', 'c'));
    const byFollowUp = idsOf(
      await director.get(`/api/v1/customers?${withTag()}&sort=lastFollowUpAt&order=desc`),
    );
    expect(byFollowUp.slice(0, 2)).toEqual(mk('c', 'a'));
    const bad = await director.get('/api/v1/customers?cursor=notacursor');
    expect(bad.status).toBe(400);
  });
});

describe('saved views', () => {
  it('are per user, validated, unique by name, versioned', async () => {
    const created = await manager.post('/api/v1/saved-views', {
      name: '我的重点',
      filters: { status: ['active'], industry: ['C'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.filters).toEqual({ status: ['active'], industry: ['C'] });
    const dup = await manager.post('/api/v1/saved-views', { name: '我的重点', filters: {} });
    expect(dup.status).toBe(409);
    const invalid = await manager.post('/api/v1/saved-views', { name: '坏的', filters: { industry: ['Z'] } });
    expect(invalid.status).toBe(400);
    expect((await manager2.post('/api/v1/saved-views', { name: '我的重点', filters: {} })).status).toBe(201);
    const mine = await manager.get('/api/v1/saved-views');
    expect(mine.body.items.map((v: { name: string }) => v.name)).toEqual(['我的重点']);
    expect(
      (await manager2.patch(`/api/v1/saved-views/${created.body.id}`, { version: 1, name: 'x' })).status,
    ).toBe(404);
    const renamed = await manager.patch(`/api/v1/saved-views/${created.body.id}`, {
      version: 1,
      name: '改名',
    });
    expect(renamed.body).toMatchObject({ name: '改名', version: 2 });
    expect((await manager.delete(`/api/v1/saved-views/${created.body.id}?version=1`)).status).toBe(409);
    expect((await manager.delete(`/api/v1/saved-views/${created.body.id}?version=2`)).status).toBe(204);
    expect((await auditor.get('/api/v1/saved-views')).status).toBe(403);
  });
});

describe('summary and timeline', () => {
  let c: { id: string };
  beforeAll(async () => {
    c = (await create(manager, { name: uniqueName('时间线') })).body;
    const order1 = randomUUID();
    const order2 = randomUUID();
    await q(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, status) VALUES
       (kam_tenant(), $1, $3, $5, current_date - 30, 1200.00, 'confirmed'),
       (kam_tenant(), $2, $4, $5, current_date - 20, 300.50, 'returned')`,
      [order1, order2, `T-${order1.slice(0, 8)}`, `T-${order2.slice(0, 8)}`, c.id],
    );
    await q(
      `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at) VALUES
       (kam_tenant(), gen_random_uuid(), $1, $2, 500.00, current_date - 25, current_date - 24),
       (kam_tenant(), gen_random_uuid(), $1, $2, 400.25, current_date - 5, NULL),
       (kam_tenant(), gen_random_uuid(), $1, $2, 300.00, current_date + 30, NULL)`,
      [order1, c.id],
    );
    await q(
      `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, summary)
       SELECT kam_tenant(), gen_random_uuid(), $1, 'call', now() - make_interval(days => g), $2, '第' || g || '次电话'
       FROM generate_series(1, 6) g`,
      [c.id, ids.manager],
    );
    await q(
      `INSERT INTO service_records (tenant_id, id, customer_id, type, title, opened_at, closed_at) VALUES
       (kam_tenant(), gen_random_uuid(), $1, 'complaint', '发货延迟投诉', now() - interval '3 days', NULL),
       (kam_tenant(), gen_random_uuid(), $1, 'question', '咨询', now() - interval '8 days', now() - interval '7 days')`,
      [c.id],
    );
    await q(
      `INSERT INTO contacts (tenant_id, id, customer_id, name) VALUES (kam_tenant(), gen_random_uuid(), $1, '张三')`,
      [c.id],
    );
  });

  it('summary: revenue with returns counted negatively, overdue receivables, open complaints', async () => {
    const res = await manager.get(`/api/v1/customers/${c.id}/summary`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      revenue12m: '899.50',
      ordersCount12m: 1,
      openComplaints: 1,
      openServiceRecords: 1,
      overdueReceivables: { amount: '400.25', count: 1 },
      contactsCount: 1,
      teamSize: 1,
    });
    expect(res.body.lastFollowUpAt).not.toBeNull();
  });

  it('timeline: newest first across kinds, pages by keyset, filters kinds, hides what the viewer may not see', async () => {
    const all: { kind: string; at: string; id: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: Res = await manager.get(
        `/api/v1/customers/${c.id}/timeline?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    const kinds = new Set(all.map((i) => i.kind));
    for (const k of [
      'follow_up',
      'order',
      'payment_paid',
      'payment_due',
      'service_opened',
      'service_closed',
      'ownership',
      'change',
    ])
      expect(kinds, k).toContain(k);
    // 6 follow-ups, 2 orders, 1 paid + 1 due (the future instalment is not due yet), 2 opened + 1 closed,
    // 1 ownership (creation), 1 change (customer.create)
    expect(all.length).toBe(15);
    const times = all.map((i) => Date.parse(i.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set(all.map((i) => `${i.kind}:${i.id}`)).size).toBe(all.length);

    const only = await manager.get(`/api/v1/customers/${c.id}/timeline?kinds=follow_up&limit=50`);
    expect(only.body.items.length).toBe(6);
    expect(only.body.items[0].summary).toBe('第1次电话');
    expect(only.body.items[0].actorName).toBe('孙伟');

    // support staff on the team: no orders or payments (no order.view), but follow-ups and service records
    await manager.post(`/api/v1/customers/${c.id}/team`, {
      userId: ids.service,
      teamRole: 'customer_service',
      access: 'read',
    });
    const support = await service.get(`/api/v1/customers/${c.id}/timeline?limit=50`);
    const supportKinds = new Set(support.body.items.map((i: { kind: string }) => i.kind));
    expect(supportKinds).not.toContain('order');
    expect(supportKinds).not.toContain('payment_paid');
    expect(supportKinds).toContain('follow_up');
    expect(supportKinds).toContain('service_opened');
    const summary = await service.get(`/api/v1/customers/${c.id}/summary`);
    expect(summary.body).toMatchObject({ ordersCount12m: null, overdueReceivables: null, openComplaints: 1 });
  });
});

describe('nightly aggregates refresh', () => {
  it('recomputes the rolling 12-month figures in chunks', async () => {
    const c = (await create(manager, { name: uniqueName('刷新') })).body;
    await q(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount)
       VALUES (kam_tenant(), gen_random_uuid(), $1, $2, current_date - 5, 700.00)`,
      [`R-${randomUUID().slice(0, 8)}`, c.id],
    );
    // simulate a stale aggregate (the window moved / drift)
    await q(
      `UPDATE customers SET revenue_12m = 1, orders_12m = 9 WHERE tenant_id = kam_tenant() AND id = $1`,
      [c.id],
    );
    for (let i = 0; i < 4; i++) await create(manager, { name: uniqueName('刷新') });
    // chunks of 2 over this test's tenant (the database's other tenants hold tens of thousands)
    const res = await refreshAllCustomerAggregates(env.db, 2, [org.tenantId]);
    expect(res).toMatchObject({ tenants: 1 });
    expect(res.customers).toBeGreaterThanOrEqual(5);
    const [row] = await q<{ revenue_12m: string; orders_12m: number }>(
      'SELECT revenue_12m::text, orders_12m FROM customers WHERE tenant_id = kam_tenant() AND id = $1',
      [c.id],
    );
    expect(row).toEqual({ revenue_12m: '700.00', orders_12m: 1 });
  });
});

async function insertDisabledUser(): Promise<string> {
  return env.db.withTenant(org.tenantId, async (tx) => {
    const id = await insertUser(tx, {
      tenantId: org.tenantId,
      login: `off-${randomUUID().slice(0, 8)}`,
      displayName: '已停用',
      departmentId: dept.SH01!,
      roleIds: [org.roleIds.account_manager],
      now: new Date(),
    });
    await tx.query(`UPDATE users SET status = 'disabled' WHERE tenant_id = kam_tenant() AND id = $1`, [id]);
    return id;
  });
}

async function userWithRoles(roleIds: string[]): Promise<Client> {
  const login = `fr-${randomUUID().slice(0, 8)}`;
  const hash = await hashPassword('Field#Rule2026');
  await env.db.withTenant(org.tenantId, async (tx) => {
    const id = await insertUser(tx, {
      tenantId: org.tenantId,
      login,
      displayName: '字段规则用户',
      departmentId: dept.SH01!,
      roleIds,
      now: new Date(),
    });
    await setPassword(tx, { userId: id, hash, mustChange: false, now: new Date() });
  });
  return Client.signIn(env, org.slug, login, 'Field#Rule2026');
}
