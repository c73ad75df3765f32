import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
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

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
});
afterAll(() => env.close());

const MIN = 60_000;

async function auditActions(userId: string): Promise<string[]> {
  return env.db.withTenant(org.tenantId, async (tx) => {
    const { rows } = await tx.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1 ORDER BY seq',
      [userId],
    );
    return rows.map((r) => r.action);
  });
}

async function makeUser(login: string, password: string, mustChange = false): Promise<string> {
  const hash = await hashPassword(password);
  return env.db.withTenant(org.tenantId, async (tx) => {
    const id = await insertUser(tx, {
      tenantId: org.tenantId,
      login,
      displayName: login,
      departmentId: org.rootDepartmentId,
      roleIds: [org.roleIds.account_manager],
      now: new Date(),
    });
    await setPassword(tx, { userId: id, hash, mustChange, now: new Date() });
    return id;
  });
}

describe('sign-in', () => {
  it('sets an httpOnly SameSite session cookie, returns a CSRF token, and records the login', async () => {
    const c = new Client(env, org.slug);
    const res = await c.login('admin', ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^kam_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(res.body.csrfToken).toEqual(expect.any(String));
    expect(res.body.user.permissions).toContain('role.configure');
    const me = await c.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.login).toBe('admin');
    expect(await auditActions(org.adminUserId)).toContain('auth.login');
  });

  it('answers a wrong password with one stable code, in Chinese by default and English on request', async () => {
    const c = new Client(env, org.slug);
    const zh = await c.login('admin', 'wrong-password');
    expect(zh.status).toBe(401);
    expect(zh.body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(zh.body.error.message).toMatch(/[\u4e00-\u9fa5]/);
    c.locale = 'en';
    const en = await c.login('nobody-here', 'wrong-password');
    expect(en.status).toBe(401);
    expect(en.body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(en.body.error.message).toMatch(/^[\x20-\x7e]+$/);
  });

  it('rejects unknown properties instead of ignoring them', async () => {
    const c = new Client(env, org.slug);
    const res = await c.post('/api/v1/auth/login', {
      login: 'admin',
      password: ADMIN_PASSWORD,
      organization: org.slug,
      role: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.fields[0].code).toBe('UNKNOWN_PROPERTY');
  });

  it('locks the account after 5 failures in 15 minutes; the lock holds, then expires', async () => {
    const id = await makeUser('lock.me', 'Right@Pass1');
    const c = new Client(env, org.slug);
    for (let i = 1; i <= 4; i++) {
      expect((await c.login('lock.me', `bad-${i}`)).body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
    }
    expect((await c.login('lock.me', 'bad-5')).body.error.code).toBe('AUTH_LOCKED');
    // Even the right password is refused while locked.
    expect((await c.login('lock.me', 'Right@Pass1')).body.error.code).toBe('AUTH_LOCKED');
    const status = await env.db.withTenant(org.tenantId, (tx) =>
      tx.query('SELECT status FROM users WHERE tenant_id = kam_tenant() AND id = $1', [id]),
    );
    expect(status.rows[0]?.status).toBe('locked');
    expect(await auditActions(id)).toContain('auth.lockout');
    env.clock.advance(31 * MIN); // default lockout lasts 30 minutes
    expect((await c.login('lock.me', 'Right@Pass1')).status).toBe(200);
  });

  it('does not lock for failures spread beyond the window', async () => {
    await makeUser('slow.typo', 'Right@Pass1');
    const c = new Client(env, org.slug);
    for (let i = 0; i < 4; i++) await c.login('slow.typo', 'bad');
    env.clock.advance(16 * MIN);
    for (let i = 0; i < 4; i++) await c.login('slow.typo', 'bad');
    expect((await c.login('slow.typo', 'Right@Pass1')).status).toBe(200);
  });

  it('does not reveal whether an organisation exists', async () => {
    const c = new Client(env, 'no-such-org');
    const res = await c.login('admin', ADMIN_PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
  });
});

describe('sessions', () => {
  it('requires a session', async () => {
    const res = await new Client(env, org.slug).get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it('ends after 30 idle minutes', async () => {
    const c = await Client.signIn(env, org.slug, 'director');
    env.clock.advance(29 * MIN);
    expect((await c.get('/api/v1/me')).status).toBe(200);
    env.clock.advance(29 * MIN); // activity above reset the idle timer
    expect((await c.get('/api/v1/me')).status).toBe(200);
    env.clock.advance(31 * MIN);
    const res = await c.get('/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('ends after 12 hours however active', async () => {
    const c = await Client.signIn(env, org.slug, 'director');
    for (let h = 0; h < 11 * 3 + 2; h++) {
      env.clock.advance(20 * MIN);
      expect((await c.get('/api/v1/me')).status).toBe(200);
    }
    env.clock.advance(20 * MIN); // 12 h 0 min since sign-in
    expect((await c.get('/api/v1/me')).status).toBe(401);
  });

  it('logout ends this session; logout-all ends every session of the user', async () => {
    const a = await Client.signIn(env, org.slug, 'head');
    const b = await Client.signIn(env, org.slug, 'head');
    const c = await Client.signIn(env, org.slug, 'head');
    expect((await a.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await a.get('/api/v1/me')).status).toBe(401);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    const list = await b.get('/api/v1/sessions');
    expect(list.body.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect((await b.post('/api/v1/auth/logout-all')).status).toBe(204);
    expect((await b.get('/api/v1/me')).status).toBe(401);
    expect((await c.get('/api/v1/me')).status).toBe(401);
  });
});

describe('CSRF protection of cookie sessions', () => {
  it('refuses a change without the CSRF header or with a wrong one, and records the denial', async () => {
    const c = await Client.signIn(env, org.slug, 'manager');
    const token = c.csrf;
    c.csrf = null;
    const missing = await c.patch('/api/v1/me', { locale: 'en' });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CSRF_INVALID');
    c.csrf = `${token}x`;
    expect((await c.patch('/api/v1/me', { locale: 'en' })).status).toBe(403);
    c.csrf = token;
    const ok = await c.patch('/api/v1/me', { locale: 'en' });
    expect(ok.status).toBe(200);
    expect(ok.body.locale).toBe('en');
    const denied = await env.db.withTenant(org.tenantId, (tx) =>
      tx.query(`SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'authz.denied'
                AND details->>'code' = 'CSRF_INVALID'`),
    );
    expect(denied.rows[0]?.n).toBeGreaterThanOrEqual(2);
  });
});

describe('password changes', () => {
  it('forces a first-login change: nothing else works until the password is changed', async () => {
    await makeUser('new.rep', 'Initial#Pass9', true);
    const c = await Client.signIn(env, org.slug, 'new.rep', 'Initial#Pass9');
    const me = await c.get('/api/v1/me');
    expect(me.body.mustChangePassword).toBe(true);
    const blocked = await c.get('/api/v1/sessions');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const weak = await c.post('/api/v1/auth/password', {
      currentPassword: 'Initial#Pass9',
      newPassword: 'new.rep123',
    });
    expect(weak.status).toBe(400);
    const codes = weak.body.error.details.fields.map((f: { code: string }) => f.code);
    expect(codes).toContain('PASSWORD_CONTAINS_LOGIN');

    const same = await c.post('/api/v1/auth/password', {
      currentPassword: 'Initial#Pass9',
      newPassword: 'Initial#Pass9',
    });
    expect(same.body.error.details.fields[0].code).toBe('PASSWORD_REUSED');

    const wrong = await c.post('/api/v1/auth/password', {
      currentPassword: 'nope',
      newPassword: 'Brand@New2026',
    });
    expect(wrong.status).toBe(400);

    const ok = await c.post('/api/v1/auth/password', {
      currentPassword: 'Initial#Pass9',
      newPassword: 'Brand@New2026',
    });
    expect(ok.status).toBe(200);
    expect((await c.get('/api/v1/sessions')).status).toBe(200);
    expect((await c.get('/api/v1/me')).body.mustChangePassword).toBe(false);
  });

  it('ends the other sessions of the user when the password changes', async () => {
    await makeUser('two.devices', 'First@Pass11');
    const phone = await Client.signIn(env, org.slug, 'two.devices', 'First@Pass11');
    const laptop = await Client.signIn(env, org.slug, 'two.devices', 'First@Pass11');
    const res = await laptop.post('/api/v1/auth/password', {
      currentPassword: 'First@Pass11',
      newPassword: 'Second@Pass22',
    });
    expect(res.status).toBe(200);
    expect((await laptop.get('/api/v1/me')).status).toBe(200);
    expect((await phone.get('/api/v1/me')).status).toBe(401);
    expect((await new Client(env, org.slug).login('two.devices', 'First@Pass11')).status).toBe(401);
    expect((await new Client(env, org.slug).login('two.devices', 'Second@Pass22')).status).toBe(200);
  });
});

describe('login rate limit', () => {
  it('answers 429 RATE_LIMITED past the per-minute budget', async () => {
    const limited = await createTestEnv({ db: env.db, loginRateLimit: 3 });
    try {
      const c = new Client(limited, org.slug);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await c.login(`x-${randomUUID()}`, 'bad')).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses[4]).toBe(429);
      const res = await c.login('admin', ADMIN_PASSWORD);
      expect(res.body.error.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('password rotation', () => {
  it('requires a new password once the policy’s maximum age has passed', async () => {
    const rotating = await createTestOrg(env);
    await env.db.withTenant(rotating.tenantId, (tx) =>
      tx.query(`UPDATE tenants SET security_policy = security_policy || '{"passwordMaxAgeDays": 90}'::jsonb`),
    );
    const fresh = await Client.signIn(env, rotating.slug, 'admin', ADMIN_PASSWORD);
    expect((await fresh.get('/api/v1/me')).body.passwordExpired).toBe(false);

    env.clock.advance(91 * 24 * 60 * MIN);
    const later = await Client.signIn(env, rotating.slug, 'admin', ADMIN_PASSWORD);
    expect((await later.get('/api/v1/me')).body.passwordExpired).toBe(true);
    expect((await later.get('/api/v1/users')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await later.post('/api/v1/auth/password', {
      currentPassword: ADMIN_PASSWORD,
      newPassword: 'Rotated#2027q',
    });
    expect(changed.status).toBe(200);
    expect((await later.get('/api/v1/users')).status).toBe(200);
  });
});
