import { randomUUID } from 'node:crypto';
import { BUILTIN_ROLES } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, sha256 } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
import { DEMO_PASSWORD } from '../src/modules/organization/demo.js';
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
const ids = new Map<string, string>();
const depts = new Map<string, string>();

const q = <T extends Record<string, unknown> = Record<string, any>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  for (const r of await q<{ id: string; login: string }>(
    'SELECT id, login FROM users WHERE tenant_id = kam_tenant()',
  )) {
    ids.set(r.login, r.id);
  }
  for (const r of await q<{ id: string; code: string }>(
    'SELECT id, code FROM departments WHERE tenant_id = kam_tenant()',
  )) {
    depts.set(r.code, r.id);
  }
});
afterAll(() => env.close());

const id = (login: string) => ids.get(login)!;
const dept = (code: string) => depts.get(code)!;

/** A user with a known password who need not change it, inserted directly. */
async function makeUser(
  login: string,
  departmentId: string,
  roleIds: string[],
  extra: { mobile?: string; email?: string } = {},
): Promise<string> {
  const hash = await hashPassword(DEMO_PASSWORD);
  const userId = await env.db.withTenant(org.tenantId, async (tx) => {
    const uid = await insertUser(tx, {
      tenantId: org.tenantId,
      login,
      displayName: login,
      departmentId,
      roleIds,
      ...extra,
      now: new Date(),
    });
    await setPassword(tx, { userId: uid, hash, mustChange: false, now: new Date() });
    return uid;
  });
  ids.set(login, userId);
  return userId;
}

async function version(userId: string): Promise<number> {
  return (
    await q<{ version: number }>('SELECT version FROM users WHERE tenant_id = kam_tenant() AND id = $1', [
      userId,
    ])
  )[0]!.version;
}

async function audits(action: string, entityId: string) {
  return q<{
    actor_name: string;
    changes: { field: string; before: unknown; after: unknown }[] | null;
    details: any;
  }>(
    `SELECT actor_name, changes, details FROM audit_log
     WHERE tenant_id = kam_tenant() AND action = $1 AND entity_id = $2 ORDER BY seq`,
    [action, entityId],
  );
}

const logins = (res: { body: { items: { login: string }[] } }) => res.body.items.map((u) => u.login).sort();

describe('who sees which users', () => {
  it('limits an account manager to their own department', async () => {
    const manager = await Client.signIn(env, org.slug, 'manager');
    const res = await manager.get('/api/v1/users');
    expect(res.status).toBe(200);
    expect(logins(res)).toEqual(['head', 'manager']);
    const mine = res.body.items.find((u: any) => u.login === 'manager');
    expect(mine).toMatchObject({
      displayName: '孙伟',
      mobile: '+8613800000003',
      email: 'manager@demo.kam.example',
      departmentId: dept('SH01'),
      departmentName: '上海销售一部',
      status: 'active',
      mustChangePassword: false,
      roles: [{ id: org.roleIds.account_manager, key: 'account_manager', name: '客户经理' }],
    });
    expect(mine.lastLoginAt).toEqual(expect.any(String));
    const other = await manager.get(`/api/v1/users/${id('manager2')}`);
    expect(other.status).toBe(404);
  });

  it('shows a director their subtree and a department head theirs', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    expect(logins(await director.get('/api/v1/users'))).toEqual(['director', 'head', 'manager', 'manager2']);
    const head = await Client.signIn(env, org.slug, 'head');
    expect(logins(await head.get('/api/v1/users'))).toEqual(['head', 'manager']);
  });

  it('masks mobile and email for customer service staff', async () => {
    await makeUser('sh.service', dept('SH01'), [org.roleIds.customer_service], { mobile: '+8613800000011' });
    const service = await Client.signIn(env, org.slug, 'sh.service');
    const res = await service.get('/api/v1/users');
    expect(logins(res)).toEqual(['head', 'manager', 'sh.service']);
    const manager = res.body.items.find((u: any) => u.login === 'manager');
    expect(manager.mobile).toBe('138****0003');
    expect(manager.email).toBe('m***@demo.kam.example');
    const one = await service.get(`/api/v1/users/${id('manager')}`);
    expect(one.body.mobile).toBe('138****0003');
    // A masked field cannot be searched either (no guessing digit by digit).
    expect((await service.get('/api/v1/users?q=00000003')).body.items).toEqual([]);
  });

  it('removes hidden fields from the response', async () => {
    const roleId = randomUUID();
    await q(
      `INSERT INTO roles (tenant_id, id, name, grants, field_rules) VALUES (kam_tenant(), $1, '前台', $2, $3)`,
      [
        roleId,
        JSON.stringify([{ resource: 'user', action: 'view', scope: 'department' }]),
        JSON.stringify([
          { resource: 'user', field: 'mobile', rule: 'hidden' },
          { resource: 'user', field: 'departmentId', rule: 'hidden' },
        ]),
      ],
    );
    await makeUser('reception', dept('SH01'), [roleId]);
    const reception = await Client.signIn(env, org.slug, 'reception');
    const res = await reception.get(`/api/v1/users/${id('manager')}`);
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('mobile');
    expect(res.body).not.toHaveProperty('departmentId');
    expect(res.body).not.toHaveProperty('departmentName');
    expect(res.body.email).toBe('manager@demo.kam.example');
    // Nor can a hidden field be probed through a filter.
    const probe = await reception.get(`/api/v1/users?departmentId=${dept('SH01')}`);
    expect(probe.status).toBe(403);
    expect(probe.body.error.details.fields[0].path).toBe('querystring.departmentId');
  });

  it('refuses the auditor', async () => {
    const auditor = await Client.signIn(env, org.slug, 'auditor');
    const res = await auditor.get('/api/v1/users');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });
});

describe('search, filters, pagination', () => {
  it('searches login, name, email and mobile digits', async () => {
    expect(logins(await admin.get(`/api/v1/users?q=${encodeURIComponent('孙')}`))).toEqual(['manager']);
    expect(logins(await admin.get('/api/v1/users?q=MANAGER'))).toEqual(['manager', 'manager2', 'manager3']);
    expect(logins(await admin.get('/api/v1/users?q=138-0000-0004'))).toEqual(['manager2']);
    expect(logins(await admin.get('/api/v1/users?q=south-head%40demo'))).toEqual(['south.head']);
    // LIKE wildcards are literal.
    expect((await admin.get('/api/v1/users?q=%25')).body.items).toEqual([]);
  });

  it('filters by department (optionally with its subtree), status and role', async () => {
    expect(logins(await admin.get(`/api/v1/users?departmentId=${dept('EAST')}`))).toEqual(['director']);
    expect(logins(await admin.get(`/api/v1/users?departmentId=${dept('EAST')}&includeSubtree=true`))).toEqual(
      expect.arrayContaining(['director', 'head', 'manager', 'manager2']),
    );
    expect(logins(await admin.get(`/api/v1/users?roleId=${org.roleIds.account_manager}`))).toEqual([
      'manager',
      'manager2',
      'manager3',
    ]);
    await q(`UPDATE users SET status = 'disabled' WHERE tenant_id = kam_tenant() AND login = 'delivery'`);
    expect(logins(await admin.get('/api/v1/users?status=disabled'))).toEqual(['delivery']);
    await q(`UPDATE users SET status = 'active' WHERE tenant_id = kam_tenant() AND login = 'delivery'`);
    // The scope still applies on top of the filters.
    const director = await Client.signIn(env, org.slug, 'director');
    expect(
      (await director.get(`/api/v1/users?departmentId=${dept('SOUTH')}&includeSubtree=true`)).body.items,
    ).toEqual([]);
  });

  it('pages 60 users with a keyset cursor in every sort order: no duplicates, nothing missing', async () => {
    const bulk = randomUUID();
    await q(
      `INSERT INTO departments (tenant_id, id, parent_id, name, path)
       SELECT kam_tenant(), $1::uuid, $2::uuid, '批量部', path || $1::uuid FROM departments WHERE tenant_id = kam_tenant() AND id = $2`,
      [bulk, dept('EAST')],
    );
    await q(
      `INSERT INTO users (tenant_id, id, login, display_name, department_id, created_at, last_login_at)
       SELECT kam_tenant(), gen_random_uuid(), 'bulk' || lpad(i::text, 3, '0'), '批量用户' || (i % 7),
              $1::uuid, now() - (i % 5) * interval '1 hour',
              CASE WHEN i % 3 = 0 THEN NULL ELSE now() - (i % 4) * interval '1 day' END
       FROM generate_series(1, 60) AS i`,
      [bulk],
    );
    for (const sort of ['displayName', 'login', 'createdAt', 'lastLoginAt']) {
      for (const order of ['asc', 'desc']) {
        const seen: any[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const url: string = `/api/v1/users?departmentId=${bulk}&limit=25&sort=${sort}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`;
          const res: Res = await admin.get(url);
          expect(res.status).toBe(200);
          expect(res.body.items.length).toBeLessThanOrEqual(25);
          seen.push(...res.body.items);
          cursor = res.body.nextCursor;
          pages++;
        } while (cursor);
        expect(pages, `${sort} ${order}`).toBe(3);
        expect(new Set(seen.map((u) => u.id)).size, `${sort} ${order}`).toBe(60);
        const key = (u: any) =>
          sort === 'displayName'
            ? u.displayName
            : sort === 'login'
              ? u.login
              : sort === 'createdAt'
                ? u.createdAt
                : (u.lastLoginAt ?? '');
        const keys = seen.map(key);
        const sorted = [...keys].sort();
        if (order === 'desc') sorted.reverse();
        if (sort !== 'displayName') expect(keys, `${sort} ${order}`).toEqual(sorted);
      }
    }
    // The director sees them too (the department lies in their subtree).
    const director = await Client.signIn(env, org.slug, 'director');
    const first = await director.get(`/api/v1/users?departmentId=${bulk}&limit=200`);
    expect(first.body.items.length).toBe(60);
    expect(first.body.nextCursor).toBeNull();
    const bad = await admin.get('/api/v1/users?cursor=bm9wZQ');
    expect(bad.status).toBe(400);
  });
});

describe('creating users', () => {
  it('creates a user with a generated password who must change it at first sign-in', async () => {
    const res = await admin.post('/api/v1/users', {
      login: 'Wang.Fang',
      displayName: ' 王芳 ',
      mobile: '138 1234 5678',
      email: 'wang.fang@Example.COM',
      departmentId: dept('SH01'),
      roleIds: [org.roleIds.account_manager],
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      login: 'wang.fang',
      displayName: '王芳',
      mobile: '+8613812345678',
      email: 'wang.fang@example.com',
      departmentName: '上海销售一部',
      status: 'active',
      mustChangePassword: true,
      lastLoginAt: null,
      roles: [{ key: 'account_manager' }],
    });
    const password = res.body.initialPassword;
    expect(password).toMatch(/^.{12}$/);
    const c = new Client(env, org.slug);
    const login = await c.login('WANG.FANG', password);
    expect(login.status).toBe(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    expect((await c.get('/api/v1/users')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const [entry] = await audits('user.create', res.body.user.id);
    expect(entry?.changes).toEqual(
      expect.arrayContaining([
        { field: 'login', before: null, after: 'wang.fang' },
        { field: 'mobile', before: null, after: '138****5678' },
        { field: 'email', before: null, after: 'w***@example.com' },
      ]),
    );
    expect(entry?.details).toMatchObject({ roles: ['客户经理'], passwordGenerated: true });
    // The password itself never reaches the audit trail.
    expect(JSON.stringify(entry)).not.toContain(password);
  });

  it('checks a chosen password against the policy', async () => {
    const weak = await admin.post('/api/v1/users', {
      login: 'weak.pw',
      displayName: '弱密码',
      departmentId: dept('SH01'),
      roleIds: [],
      password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.fields.map((f: any) => f.path)).toContain('body.password');
    expect(weak.body.error.details.fields.map((f: any) => f.code)).toContain('PASSWORD_TOO_SHORT');
    const ok = await admin.post('/api/v1/users', {
      login: 'strong.pw',
      displayName: '强密码',
      departmentId: dept('SH01'),
      roleIds: [],
      password: 'Str0ng#Passw0rd',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.initialPassword).toBeNull();
    expect((await new Client(env, org.slug).login('strong.pw', 'Str0ng#Passw0rd')).status).toBe(200);
  });

  it('treats logins case-insensitively: a taken one is 409 LOGIN_TAKEN', async () => {
    const res = await admin.post('/api/v1/users', {
      login: 'MANAGER',
      displayName: '重名',
      departmentId: dept('SH01'),
      roleIds: [],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LOGIN_TAKEN');
  });

  it('validates mobile, email and login, and rejects unknown properties', async () => {
    const base = { login: 'valid.one', displayName: '校验', departmentId: dept('SH01'), roleIds: [] };
    const mobile = await admin.post('/api/v1/users', { ...base, mobile: '010-12345678' });
    expect(mobile.status).toBe(400);
    expect(mobile.body.error.details.fields).toEqual([
      expect.objectContaining({ path: 'body.mobile', code: 'MOBILE_INVALID' }),
    ]);
    const email = await admin.post('/api/v1/users', { ...base, email: 'nope' });
    expect(email.body.error.details.fields[0]).toMatchObject({ path: 'body.email', code: 'EMAIL_INVALID' });
    const login = await admin.post('/api/v1/users', { ...base, login: '张三' });
    expect(login.body.error.details.fields[0]).toMatchObject({ path: 'body.login', code: 'LOGIN_INVALID' });
    const unknown = await admin.post('/api/v1/users', { ...base, isAdmin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields[0].code).toBe('UNKNOWN_PROPERTY');
    expect(await q(`SELECT 1 FROM users WHERE tenant_id = kam_tenant() AND login = 'valid.one'`)).toEqual([]);
  });

  it('lets a director create users only inside their subtree and never hand out more than they hold', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const escalate = await director.post('/api/v1/users', {
      login: 'sneaky',
      displayName: '越权',
      departmentId: dept('SH01'),
      roleIds: [org.roleIds.super_admin],
    });
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.code).toBe('FORBIDDEN');
    expect(escalate.body.error.details.exceeding[0]).toMatchObject({ roleId: org.roleIds.super_admin });
    expect(escalate.body.error.details.exceeding[0].grants).toEqual(
      expect.arrayContaining([{ resource: 'role', action: 'configure' }]),
    );
    const outside = await director.post('/api/v1/users', {
      login: 'outsider',
      displayName: '外部',
      departmentId: dept('SZ01'),
      roleIds: [],
    });
    expect([400, 403]).toContain(outside.status);
    const ok = await director.post('/api/v1/users', {
      login: 'east.new',
      displayName: '新人',
      departmentId: dept('HZ01'),
      roleIds: [org.roleIds.account_manager],
    });
    expect(ok.status).toBe(201);
    expect(
      await q(`SELECT 1 FROM users WHERE tenant_id = kam_tenant() AND login IN ('sneaky', 'outsider')`),
    ).toEqual([]);
    const head = await Client.signIn(env, org.slug, 'head');
    expect(
      (
        await head.post('/api/v1/users', {
          login: 'nope2',
          displayName: 'x',
          departmentId: dept('SH01'),
          roleIds: [],
        })
      ).status,
    ).toBe(403);
  });
});

describe('editing users', () => {
  it('edits profile fields with the current version, audited with masked contact data', async () => {
    const head = await Client.signIn(env, org.slug, 'head');
    const v = await version(id('manager'));
    const res = await head.patch(`/api/v1/users/${id('manager')}`, {
      version: v,
      displayName: '孙伟伟',
      mobile: '13900000003',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: '孙伟伟', mobile: '+8613900000003', version: v + 1 });
    const stale = await head.patch(`/api/v1/users/${id('manager')}`, { version: v, displayName: '旧' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    const [entry] = (await audits('user.update', id('manager'))).slice(-1);
    expect(entry?.changes).toEqual([
      { field: 'displayName', before: '孙伟', after: '孙伟伟' },
      { field: 'mobile', before: '138****0003', after: '139****0003' },
    ]);
    // The head maintains only their own department: manager2 (杭州) is not even visible.
    expect(
      (await head.patch(`/api/v1/users/${id('manager2')}`, { version: 1, displayName: 'x' })).status,
    ).toBe(404);
    const unknown = await head.patch(`/api/v1/users/${id('manager')}`, {
      version: v + 1,
      status: 'disabled',
    });
    expect(unknown.body.error.details.fields[0].code).toBe('UNKNOWN_PROPERTY');
  });

  it('moves a user only into a department within the edit scope', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const userId = await makeUser('mover', dept('SH01'), [org.roleIds.account_manager]);
    const outside = await director.patch(`/api/v1/users/${userId}`, {
      version: await version(userId),
      departmentId: dept('SZ01'),
    });
    expect([400, 403]).toContain(outside.status);
    const moved = await director.patch(`/api/v1/users/${userId}`, {
      version: await version(userId),
      departmentId: dept('HZ01'),
    });
    expect(moved.status).toBe(200);
    expect(moved.body.departmentName).toBe('杭州销售部');
  });

  it('forbids writing fields a field rule makes readonly', async () => {
    const roleId = randomUUID();
    await q(
      `INSERT INTO roles (tenant_id, id, name, grants, field_rules) VALUES (kam_tenant(), $1, '资料维护', $2, $3)`,
      [
        roleId,
        JSON.stringify([
          { resource: 'department', action: 'view', scope: 'all' },
          { resource: 'user', action: 'view', scope: 'all' },
          { resource: 'user', action: 'edit', scope: 'all' },
          { resource: 'api_token', action: 'create' },
        ]),
        JSON.stringify([{ resource: 'user', field: 'mobile', rule: 'readonly' }]),
      ],
    );
    await makeUser('clerk', dept('CS'), [roleId]);
    const clerk = await Client.signIn(env, org.slug, 'clerk');
    // A target without roles: editing a user whose roles exceed one's own is refused on its own
    // (TARGET_EXCEEDS_ACTOR), and this test is about the field rule.
    const target = await makeUser('plain.user', dept('SZ01'), [], { mobile: '13800001111' });
    const denied = await clerk.patch(`/api/v1/users/${target}`, {
      version: await version(target),
      mobile: '13911112222',
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.details.fields[0].path).toBe('body.mobile');
    const allowed = await clerk.patch(`/api/v1/users/${target}`, {
      version: await version(target),
      displayName: '吴磊磊',
    });
    expect(allowed.status).toBe(200);
  });

  it('assigns roles without escalation; the change applies at once without ending sessions', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const userId = await makeUser('promote.me', dept('HZ01'), [org.roleIds.account_manager]);
    const promoted = await Client.signIn(env, org.slug, 'promote.me');
    expect((await promoted.get(`/api/v1/users/${id('manager')}`)).status).toBe(404);
    const tooMuch = await director.put(`/api/v1/users/${userId}/roles`, {
      version: await version(userId),
      roleIds: [org.roleIds.super_admin],
    });
    expect(tooMuch.status).toBe(403);
    expect(tooMuch.body.error.code).toBe('FORBIDDEN');
    const ok = await director.put(`/api/v1/users/${userId}/roles`, {
      version: await version(userId),
      roleIds: [org.roleIds.department_head, org.roleIds.account_manager],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.roles.map((r: any) => r.key).sort()).toEqual(['account_manager', 'department_head']);
    // The new rights apply to the running session at once.
    expect((await promoted.get('/api/v1/me')).status).toBe(200);
    expect((await promoted.get('/api/v1/me')).body.permissions).toContain('user.edit');
    const [entry] = await audits('user.roles', userId);
    expect(entry?.changes).toEqual([
      { field: 'roles', before: ['客户经理'], after: expect.arrayContaining(['客户经理', '部门主管']) },
    ]);
    // A head has no user.assign.
    const head = await Client.signIn(env, org.slug, 'head');
    expect((await head.put(`/api/v1/users/${id('manager')}/roles`, { version: 1, roleIds: [] })).status).toBe(
      403,
    );
  });

  it('does not let a director take over an account with more rights than their own', async () => {
    const bossId = await makeUser('east.boss', dept('SH01'), [org.roleIds.super_admin]);
    const director = await Client.signIn(env, org.slug, 'director');
    const reset = await director.post(`/api/v1/users/${bossId}/reset-password`, {
      version: await version(bossId),
    });
    expect(reset.status).toBe(403);
    const disable = await director.post(`/api/v1/users/${bossId}/disable`, {
      version: await version(bossId),
    });
    expect(disable.status).toBe(403);
    expect(
      (await q('SELECT status FROM users WHERE tenant_id = kam_tenant() AND id = $1', [bossId]))[0]!.status,
    ).toBe('active');
    // A super admin may disable another super admin while one remains.
    const byAdmin = await admin.post(`/api/v1/users/${bossId}/disable`, { version: await version(bossId) });
    expect(byAdmin.status).toBe(200);
  });
});

describe('account control', () => {
  it('disabling ends sessions, stops API tokens and sign-in; enabling restores sign-in', async () => {
    const userId = await makeUser('to.disable', dept('CS'), [org.roleIds.customer_service]);
    const victim = await Client.signIn(env, org.slug, 'to.disable');
    const token = `kam_${randomUUID()}`;
    await q(
      `INSERT INTO api_tokens (tenant_id, id, user_id, name, prefix, token_hash, permissions)
       VALUES (kam_tenant(), $1, $2, 'ci', 'kam_', $3, ARRAY['user.view'])`,
      [randomUUID(), userId, sha256(token)],
    );
    const api = new Client(env, org.slug);
    api.bearer = token;
    expect((await api.get('/api/v1/me')).status).toBe(200);
    expect((await victim.get('/api/v1/me')).status).toBe(200);

    const res = await admin.post(`/api/v1/users/${userId}/disable`, { version: await version(userId) });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('disabled');
    expect((await victim.get('/api/v1/me')).status).toBe(401);
    expect((await api.get('/api/v1/me')).status).toBe(401);
    const again = await new Client(env, org.slug).login('to.disable', DEMO_PASSWORD);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('AUTH_DISABLED');
    const live = await q(
      'SELECT 1 FROM sessions WHERE tenant_id = kam_tenant() AND user_id = $1 AND revoked_at IS NULL',
      [userId],
    );
    expect(live).toEqual([]);
    const [entry] = await audits('user.disable', userId);
    expect(entry?.changes).toEqual([{ field: 'status', before: 'active', after: 'disabled' }]);
    expect(entry?.details.sessionsEnded).toBe(1);

    const twice = await admin.post(`/api/v1/users/${userId}/disable`, { version: await version(userId) });
    expect(twice.status).toBe(409);
    const enabled = await admin.post(`/api/v1/users/${userId}/enable`, { version: await version(userId) });
    expect(enabled.status).toBe(200);
    expect(enabled.body.status).toBe('active');
    expect((await new Client(env, org.slug).login('to.disable', DEMO_PASSWORD)).status).toBe(200);
    expect(await audits('user.enable', userId)).toHaveLength(1);
  });

  it('does not let anyone disable themselves', async () => {
    const res = await admin.post(`/api/v1/users/${org.adminUserId}/disable`, {
      version: await version(org.adminUserId),
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('SELF_ACTION_FORBIDDEN');
  });

  it('unlocks a locked user (clearing the counter) and refuses to unlock one that is not locked', async () => {
    const userId = await makeUser('lock.me', dept('CS'), [org.roleIds.customer_service]);
    const c = new Client(env, org.slug);
    for (let i = 0; i < 5; i++) await c.login('lock.me', `wrong-${i}`);
    expect((await c.login('lock.me', DEMO_PASSWORD)).body.error.code).toBe('AUTH_LOCKED');
    const res = await admin.post(`/api/v1/users/${userId}/unlock`, { version: await version(userId) });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('active');
    const [row] = await q(
      'SELECT failed_login_count, locked_at FROM users WHERE tenant_id = kam_tenant() AND id = $1',
      [userId],
    );
    expect(row).toEqual({ failed_login_count: 0, locked_at: null });
    expect((await c.login('lock.me', DEMO_PASSWORD)).status).toBe(200);
    const notLocked = await admin.post(`/api/v1/users/${userId}/unlock`, { version: await version(userId) });
    expect(notLocked.status).toBe(409);
    expect(notLocked.body.error.code).toBe('CONFLICT');
    expect(await audits('user.unlock', userId)).toHaveLength(1);
  });

  it('resets a password: a new one-time password, every session ended', async () => {
    const userId = await makeUser('forgetful', dept('CS'), [org.roleIds.customer_service]);
    const user = await Client.signIn(env, org.slug, 'forgetful');
    const res = await admin.post(`/api/v1/users/${userId}/reset-password`, {
      version: await version(userId),
    });
    expect(res.status).toBe(200);
    expect(res.body.user.mustChangePassword).toBe(true);
    expect((await user.get('/api/v1/me')).status).toBe(401);
    expect((await new Client(env, org.slug).login('forgetful', DEMO_PASSWORD)).status).toBe(401);
    const fresh = await new Client(env, org.slug).login('forgetful', res.body.initialPassword);
    expect(fresh.status).toBe(200);
    expect(fresh.body.user.mustChangePassword).toBe(true);
    const [entry] = await audits('user.reset_password', userId);
    expect(entry?.details.sessionsEnded).toBe(1);
    const stale = await admin.post(`/api/v1/users/${userId}/reset-password`, { version: 1 });
    expect(stale.status).toBe(409);
  });

  it('keeps the last active super admin', async () => {
    const v = await version(org.adminUserId);
    const strip = await admin.put(`/api/v1/users/${org.adminUserId}/roles`, {
      version: v,
      roleIds: [org.roleIds.auditor],
    });
    expect(strip.status).toBe(409);
    expect(strip.body.error.code).toBe('LAST_SUPER_ADMIN');
    // Someone holding every right through a custom role still cannot disable the last super admin.
    const superAdmin = BUILTIN_ROLES.find((r) => r.key === 'super_admin')!;
    const allRole = randomUUID();
    await q(`INSERT INTO roles (tenant_id, id, name, grants) VALUES (kam_tenant(), $1, '全权', $2)`, [
      allRole,
      JSON.stringify(superAdmin.grants),
    ]);
    await makeUser('almighty', dept('CS'), [allRole]);
    const almighty = await Client.signIn(env, org.slug, 'almighty');
    const disable = await almighty.post(`/api/v1/users/${org.adminUserId}/disable`, { version: v });
    expect(disable.status).toBe(409);
    expect(disable.body.error.code).toBe('LAST_SUPER_ADMIN');
    expect((await admin.get('/api/v1/me')).status).toBe(200);
    // With a second active super admin, the first may give the role up.
    const second = await admin.post('/api/v1/users', {
      login: 'admin2',
      displayName: '第二管理员',
      departmentId: org.rootDepartmentId,
      roleIds: [org.roleIds.super_admin],
    });
    expect(second.status).toBe(201);
    const ok = await admin.put(`/api/v1/users/${org.adminUserId}/roles`, {
      version: v,
      roleIds: [org.roleIds.super_admin, org.roleIds.auditor],
    });
    expect(ok.status).toBe(200);
    const giveUp = await admin.put(`/api/v1/users/${org.adminUserId}/roles`, {
      version: ok.body.version,
      roleIds: [org.roleIds.auditor],
    });
    expect(giveUp.status).toBe(200);
    const [entry] = (await audits('user.roles', org.adminUserId)).slice(-1);
    expect(entry?.changes).toEqual([
      { field: 'roles', before: expect.arrayContaining(['超级管理员']), after: ['审计员'] },
    ]);
  });
});

describe('Chinese names', () => {
  it('sort in pinyin order and can be found by pinyin or initials', async () => {
    const o = await createTestOrg(env, { demo: true });
    const a = await Client.signIn(env, o.slug, 'admin', ADMIN_PASSWORD);
    const names = (await a.get('/api/v1/users?sort=displayName&order=asc&limit=50')).body.items.map(
      (u: { displayName: string }) => u.displayName,
    );
    expect(names).toEqual([
      '陈静',
      '冯雪',
      '李强',
      '钱芳',
      '孙伟',
      '王涛',
      '吴磊',
      '系统管理员',
      '赵明',
      '郑丽',
      '周婷',
    ]);
    for (const q of ['zm', 'zhaom', '赵']) {
      const found = (await a.get(`/api/v1/users?q=${encodeURIComponent(q)}`)).body.items.map(
        (u: { displayName: string }) => u.displayName,
      );
      expect([q, found]).toEqual([q, ['赵明']]);
    }
  });
});
