import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/modules/auth/crypto.js';
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

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
});
afterAll(() => env.close());

function bearer(secret: string): Client {
  const c = new Client(env, org.slug);
  c.bearer = secret;
  return c;
}

async function tokenRow(id: string) {
  const { rows } = await env.db.withTenant(org.tenantId, (tx) =>
    tx.query('SELECT * FROM api_tokens WHERE tenant_id = kam_tenant() AND id = $1', [id]),
  );
  return rows[0]!;
}

async function setStatus(login: string, status: 'active' | 'disabled') {
  await env.db.withTenant(org.tenantId, (tx) =>
    tx.query('UPDATE users SET status = $2 WHERE tenant_id = kam_tenant() AND login = $1', [login, status]),
  );
}

describe('creating API tokens', () => {
  it('returns the secret once, stores only its SHA-256 and a recognisable prefix, and audits without the secret', async () => {
    const res = await admin.post('/api/v1/api-tokens', {
      name: 'CRM 同步',
      permissions: ['user.view', 'department.view'],
    });
    expect(res.status).toBe(201);
    const { token, secret } = res.body;
    expect(secret).toMatch(/^kam_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({
      name: 'CRM 同步',
      prefix: secret.slice(4, 12),
      permissions: ['department.view', 'user.view'],
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
    });
    const row = await tokenRow(token.id);
    expect(row.token_hash).toBe(sha256(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));

    const list = await admin.get('/api/v1/api-tokens');
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toEqual(token);
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(4));

    const audit = await env.db.withTenant(org.tenantId, (tx) =>
      tx.query<{ action: string; details: unknown }>(
        'SELECT action, details FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1',
        [token.id],
      ),
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['api_token.create']);
    expect(audit.rows[0]!.details).toMatchObject({ name: 'CRM 同步', prefix: token.prefix });
    expect(JSON.stringify(audit.rows)).not.toContain(secret.slice(4));
  });

  it('limits permissions to valid keys the user holds', async () => {
    const manager = await Client.signIn(env, org.slug, 'manager');
    const beyond = await manager.post('/api/v1/api-tokens', {
      name: 'x',
      permissions: ['user.view', 'role.view', 'audit.export'],
    });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error.code).toBe('TOKEN_PERMISSION_EXCEEDED');
    expect(beyond.body.error.details.permissions).toEqual(['role.view', 'audit.export']);
    const invalid = await manager.post('/api/v1/api-tokens', { name: 'x', permissions: ['audit.delete'] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.fields[0].code).toBe('PERMISSION_INVALID');
    const empty = await manager.post('/api/v1/api-tokens', { name: 'x', permissions: [] });
    expect(empty.status).toBe(400);
  });

  it('needs api_token.create to create, but anyone may list their own tokens', async () => {
    const auditor = await Client.signIn(env, org.slug, 'auditor');
    expect(
      (await auditor.post('/api/v1/api-tokens', { name: 'x', permissions: ['audit.view'] })).status,
    ).toBe(403);
    const list = await auditor.get('/api/v1/api-tokens');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });

  it('requires an expiry in the future', async () => {
    const past = new Date(env.clock.now().getTime() - 60_000).toISOString();
    const res = await admin.post('/api/v1/api-tokens', {
      name: 'old',
      permissions: ['user.view'],
      expiresAt: past,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0]).toMatchObject({ path: 'body.expiresAt', code: 'OUT_OF_RANGE' });
    expect(
      (
        await admin.post('/api/v1/api-tokens', {
          name: 'x',
          permissions: ['user.view'],
          expiresAt: 'tomorrow',
        })
      ).status,
    ).toBe(400);
  });
});

describe('using API tokens', () => {
  it('authenticates as the user, limited to the token permissions, and records last use', async () => {
    const { body } = await admin.post('/api/v1/api-tokens', {
      name: 'read users',
      permissions: ['user.view'],
    });
    const api = bearer(body.secret);
    const me = await api.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.login).toBe('admin');
    expect(me.body.permissions).toEqual(['user.view']);
    // The admin may read roles, the token may not.
    const roles = await api.get('/api/v1/roles');
    expect(roles.status).toBe(403);
    expect(roles.body.error.code).toBe('FORBIDDEN');
    expect((await admin.get('/api/v1/roles')).status).toBe(200);
    const denied = await env.db.withTenant(org.tenantId, (tx) =>
      tx.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'authz.denied'
           AND details->>'permission' = 'role.view' AND actor_id = $1`,
        [org.adminUserId],
      ),
    );
    expect(denied.rows[0]!.n).toBe(1);
    expect((await tokenRow(body.token.id)).last_used_at).toBeInstanceOf(Date);
    const listed = (await admin.get('/api/v1/api-tokens')).body.items.find(
      (t: { id: string }) => t.id === body.token.id,
    );
    expect(listed.lastUsedAt).toEqual(expect.any(String));
  });

  it('cannot create tokens with a token, even with api_token.create', async () => {
    const { body } = await admin.post('/api/v1/api-tokens', {
      name: 'minter',
      permissions: ['api_token.create'],
    });
    const res = await bearer(body.secret).post('/api/v1/api-tokens', {
      name: 'child',
      permissions: ['api_token.create'],
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('rejects unknown and malformed secrets', async () => {
    expect((await bearer('kam_not-a-real-token').get('/api/v1/me')).status).toBe(401);
    expect((await bearer('').get('/api/v1/me')).status).toBe(401);
  });

  it('stops working when revoked; only the owner can revoke', async () => {
    const { body } = await admin.post('/api/v1/api-tokens', {
      name: 'to revoke',
      permissions: ['user.view'],
    });
    const api = bearer(body.secret);
    expect((await api.get('/api/v1/me')).status).toBe(200);

    const director = await Client.signIn(env, org.slug, 'director');
    expect((await director.delete(`/api/v1/api-tokens/${body.token.id}`)).status).toBe(404);
    expect((await api.get('/api/v1/me')).status).toBe(200);

    expect((await admin.delete(`/api/v1/api-tokens/${body.token.id}`)).status).toBe(204);
    const after = await api.get('/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTH_REQUIRED');
    const listed = (await admin.get('/api/v1/api-tokens')).body.items.find(
      (t: { id: string }) => t.id === body.token.id,
    );
    expect(listed.revokedAt).toEqual(expect.any(String));
    // revoking again is harmless and not audited twice
    expect((await admin.delete(`/api/v1/api-tokens/${body.token.id}`)).status).toBe(204);
    const audit = await env.db.withTenant(org.tenantId, (tx) =>
      tx.query(
        'SELECT action FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1 ORDER BY seq',
        [body.token.id],
      ),
    );
    // The director's attempt on someone else's token is recorded as a denial.
    expect(audit.rows.map((r) => r.action)).toEqual(['api_token.create', 'authz.denied', 'api_token.revoke']);
    expect((await admin.delete('/api/v1/api-tokens/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('a token can revoke itself without a CSRF token', async () => {
    const { body } = await admin.post('/api/v1/api-tokens', {
      name: 'self-revoking',
      permissions: ['user.view'],
    });
    const api = bearer(body.secret);
    expect((await api.delete(`/api/v1/api-tokens/${body.token.id}`)).status).toBe(204);
    expect((await api.get('/api/v1/me')).status).toBe(401);
  });

  it('stops working when it expires', async () => {
    const expiresAt = new Date(env.clock.now().getTime() + 60 * 60_000).toISOString();
    const { body } = await admin.post('/api/v1/api-tokens', {
      name: 'hourly',
      permissions: ['user.view'],
      expiresAt,
    });
    expect(body.token.expiresAt).toBe(expiresAt);
    const api = bearer(body.secret);
    expect((await api.get('/api/v1/me')).status).toBe(200);
    env.clock.advance(61 * 60_000);
    expect((await api.get('/api/v1/me')).status).toBe(401);
    admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD); // the session idled out meanwhile
  });

  it('stops working while its owner is disabled, and follows the owner’s current rights', async () => {
    const manager = await Client.signIn(env, org.slug, 'manager2');
    const created = await manager.post('/api/v1/api-tokens', { name: 'script', permissions: ['user.view'] });
    expect(created.status).toBe(201);
    const api = bearer(created.body.secret);
    expect((await api.get('/api/v1/me')).status).toBe(200);
    await setStatus('manager2', 'disabled');
    expect((await api.get('/api/v1/me')).status).toBe(401);
    await setStatus('manager2', 'active');
    expect((await api.get('/api/v1/me')).body.permissions).toEqual(['user.view']);
    // The owner loses user.view (their only role is removed): the token keeps nothing.
    await env.db.withTenant(org.tenantId, (tx) =>
      tx.query(
        `DELETE FROM user_roles WHERE tenant_id = kam_tenant()
           AND user_id = (SELECT id FROM users WHERE tenant_id = kam_tenant() AND login = 'manager2')`,
      ),
    );
    expect((await api.get('/api/v1/me')).body.permissions).toEqual([]);
  });

  it('cannot manage the owner’s sessions, password, profile or tokens (a person’s own business)', async () => {
    const admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
    const created = await admin.post('/api/v1/api-tokens', { name: 'ops', permissions: ['user.view'] });
    const api = bearer(created.body.secret);
    for (const [method, url, body] of [
      ['POST', '/api/v1/auth/logout', {}],
      ['POST', '/api/v1/auth/logout-all', {}],
      ['POST', '/api/v1/auth/password', { currentPassword: ADMIN_PASSWORD, newPassword: 'Other#Pass2026' }],
      ['PATCH', '/api/v1/me', { displayName: 'renamed by a script' }],
      ['GET', '/api/v1/sessions', undefined],
      ['POST', '/api/v1/api-tokens', { name: 'child', permissions: ['user.view'] }],
    ] as const) {
      const res = await api.request(method, url, body);
      expect([url, res.status]).toEqual([url, 403]);
    }
    // The owner's browser session is untouched.
    expect((await admin.get('/api/v1/me')).body.displayName).not.toBe('renamed by a script');
    expect((await admin.get('/api/v1/sessions')).status).toBe(200);
  });
});
