import { DEFAULT_SECURITY_POLICY, MLPS2_SECURITY_POLICY } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const MIN = 60_000;

async function policyAudit() {
  const { rows } = await env.db.withTenant(org.tenantId, (tx) =>
    tx.query<{
      actor_id: string;
      entity_id: string;
      changes: { field: string; before: unknown; after: unknown }[];
    }>(
      `SELECT actor_id, entity_id, changes FROM audit_log WHERE tenant_id = kam_tenant()
         AND action = 'organization.security_policy' ORDER BY seq`,
    ),
  );
  return rows;
}

describe('security policy', () => {
  it('starts on the default preset; presets are listed', async () => {
    const res = await admin.get('/api/v1/security-policy');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ policy: DEFAULT_SECURITY_POLICY, preset: 'default', version: 1 });
    const presets = await admin.get('/api/v1/security-policy/presets');
    expect(presets.body).toEqual({ default: DEFAULT_SECURITY_POLICY, mlps2: MLPS2_SECURITY_POLICY });
  });

  it('is readable with tenant.view and changeable only with tenant.configure', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    expect((await director.get('/api/v1/security-policy')).status).toBe(200);
    const put = await director.put('/api/v1/security-policy', { version: 1, policy: MLPS2_SECURITY_POLICY });
    expect(put.status).toBe(403);
    const manager = await Client.signIn(env, org.slug, 'manager');
    expect((await manager.get('/api/v1/security-policy')).status).toBe(403);
    expect((await manager.get('/api/v1/security-policy/presets')).status).toBe(403);
  });

  it('validates the policy field by field', async () => {
    const res = await admin.put('/api/v1/security-policy', {
      version: 1,
      policy: { ...DEFAULT_SECURITY_POLICY, sessionIdleMinutes: 1, passwordMinLength: 4 },
    });
    expect(res.status).toBe(400);
    const fields = res.body.error.details.fields.map(
      (f: { path: string; code: string }) => `${f.path}:${f.code}`,
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        'body.policy.sessionIdleMinutes:OUT_OF_RANGE',
        'body.policy.passwordMinLength:OUT_OF_RANGE',
      ]),
    );
    const { sessionIdleMinutes: _, ...incomplete } = DEFAULT_SECURITY_POLICY;
    expect((await admin.put('/api/v1/security-policy', { version: 1, policy: incomplete })).status).toBe(400);
    const extra = await admin.put('/api/v1/security-policy', {
      version: 1,
      policy: { ...DEFAULT_SECURITY_POLICY, mfa: true },
    });
    expect(extra.body.error.details.fields[0].code).toBe('UNKNOWN_PROPERTY');
    // the idle timeout may not exceed the absolute lifetime
    const inverted = await admin.put('/api/v1/security-policy', {
      version: 1,
      policy: { ...DEFAULT_SECURITY_POLICY, sessionIdleMinutes: 600, sessionAbsoluteHours: 2 },
    });
    expect(inverted.status).toBe(400);
  });

  it('switches to MLPS 2.0, recognises presets, checks the version, and audits before/after', async () => {
    const mlps = await admin.put('/api/v1/security-policy', { version: 1, policy: MLPS2_SECURITY_POLICY });
    expect(mlps.status).toBe(200);
    expect(mlps.body).toEqual({ policy: MLPS2_SECURITY_POLICY, preset: 'mlps2', version: 2 });
    expect((await admin.get('/api/v1/security-policy')).body.preset).toBe('mlps2');

    const stale = await admin.put('/api/v1/security-policy', { version: 1, policy: DEFAULT_SECURITY_POLICY });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.error.details.currentVersion).toBe(2);

    const custom = await admin.put('/api/v1/security-policy', {
      version: 2,
      policy: { ...MLPS2_SECURITY_POLICY, passwordHistory: 10 },
    });
    expect(custom.body).toMatchObject({ preset: 'custom', version: 3 });

    const entries = await policyAudit();
    expect(entries).toHaveLength(2);
    expect(entries[0]!.actor_id).toBe(org.adminUserId);
    expect(entries[0]!.entity_id).toBe(org.tenantId);
    expect(entries[0]!.changes).toContainEqual({ field: 'passwordMinLength', before: 8, after: 10 });
    expect(entries[0]!.changes).toContainEqual({ field: 'preset', before: 'default', after: 'mlps2' });
    expect(entries[0]!.changes.find((c) => c.field === 'lockoutThreshold')).toBeUndefined();
    expect(entries[1]!.changes).toEqual([
      { field: 'passwordHistory', before: 5, after: 10 },
      { field: 'preset', before: 'mlps2', after: 'custom' },
    ]);
  });

  it('applies a shorter idle timeout to running sessions at once', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const current = (await admin.get('/api/v1/security-policy')).body;
    const res = await admin.put('/api/v1/security-policy', {
      version: current.version,
      policy: { ...current.policy, sessionIdleMinutes: 5 },
    });
    expect(res.status).toBe(200);
    env.clock.advance(4 * MIN);
    expect((await director.get('/api/v1/me')).status).toBe(200);
    env.clock.advance(6 * MIN);
    const expired = await director.get('/api/v1/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('SESSION_EXPIRED');
  });
});
