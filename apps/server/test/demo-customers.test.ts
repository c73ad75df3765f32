import { normalizeCreditCode } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCustomers } from '../src/modules/organization/demo-customers.js';
import { seedDemoTiering } from '../src/modules/organization/demo-tiering.js';
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
  await seedDemoCustomers(env.db, org);
  await seedDemoTiering(env.db, org);
});
afterAll(() => env?.close());

describe('demo customers (npm start with demo data)', () => {
  it('gives every rep customers with valid credit codes, contacts, orders and follow-ups', async () => {
    const rows = await env.db.withTenant(org.tenantId, async (tx) => {
      const { rows } = await tx.query<{
        credit_code: string;
        owner: string;
        contacts: number;
        orders: number;
        revenue_12m: string;
        last_follow_up_at: Date | null;
      }>(
        `SELECT c.credit_code, u.login AS owner,
                (SELECT count(*)::int FROM contacts x WHERE x.tenant_id = kam_tenant() AND x.customer_id = c.id) AS contacts,
                (SELECT count(*)::int FROM orders o WHERE o.tenant_id = kam_tenant() AND o.customer_id = c.id) AS orders,
                c.revenue_12m, c.last_follow_up_at
         FROM customers c JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.owner_id
         WHERE c.tenant_id = kam_tenant()`,
      );
      return rows;
    });
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const r of rows) {
      expect(normalizeCreditCode(r.credit_code)).toEqual({ ok: true, value: r.credit_code });
      expect(r.contacts).toBeGreaterThanOrEqual(2);
      expect(r.last_follow_up_at).not.toBeNull();
    }
    expect(new Set(rows.map((r) => r.owner))).toEqual(
      new Set(['manager', 'manager2', 'manager3', 'head', 'south.head']),
    );
    // Orders drive the revenue aggregate (kept by the triggers).
    expect(rows.filter((r) => r.orders > 0 && Number(r.revenue_12m) > 0).length).toBeGreaterThan(10);
  });

  it('shows the account manager their own customers and the support user their account teams', async () => {
    const manager = await Client.signIn(env, org.slug, 'manager');
    const mine = await manager.get('/api/v1/customers?limit=200');
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBe(5);
    const service = await Client.signIn(env, org.slug, 'service');
    const served = await service.get('/api/v1/customers?limit=200');
    expect(served.status).toBe(200);
    const teams = await env.db.withTenant(org.tenantId, async (tx) => {
      const { rows } = await tx.query<{ customer_id: string }>(
        `SELECT t.customer_id FROM customer_team t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
         WHERE t.tenant_id = kam_tenant() AND u.login = 'service'`,
      );
      return rows.map((r) => r.customer_id).sort();
    });
    expect(teams.length).toBeGreaterThan(0);
    expect(served.body.items.map((c: { id: string }) => c.id).sort()).toEqual(teams);
  });

  it('tiers the demo customers with the B2B template as the tier of record, shown in the list', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const settings = await director.get('/api/v1/tiering/settings');
    expect(settings.body.recordModelId).not.toBeNull();
    const model = await director.get(`/api/v1/tiering/models/${settings.body.recordModelId}`);
    expect(model.body).toMatchObject({ kind: 'criteria', publishedVersion: 1, tierOfRecord: true });
    expect(model.body.tiers.map((t: { name: string }) => t.name)).toEqual([
      '战略客户',
      '重点客户',
      '潜力客户',
      '普通客户',
    ]);
    const runs = await director.get(`/api/v1/tiering/runs?modelId=${model.body.id}`);
    expect(runs.body.items).toEqual([expect.objectContaining({ kind: 'full', status: 'completed' })]);
    // every demo customer has a tier, and more than one tier occurs (the data tells them apart)
    const admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
    const everyone = (await admin.get('/api/v1/customers?limit=200')).body.items as {
      tier: { id: string; name: string; overridden: boolean } | null;
    }[];
    expect(everyone.length).toBeGreaterThanOrEqual(15);
    expect(everyone.every((c) => c.tier !== null && !c.tier.overridden)).toBe(true);
    expect(new Set(everyone.map((c) => c.tier!.id)).size).toBeGreaterThan(1);
    // set up by the super admin, through the audited services
    const audit = await env.db.withTenant(org.tenantId, async (tx) => {
      const { rows } = await tx.query<{ action: string; actor_id: string }>(
        `SELECT action, actor_id FROM audit_log WHERE tenant_id = kam_tenant() AND action LIKE 'tiering%' ORDER BY seq`,
      );
      return rows;
    });
    expect(audit.map((a) => a.action)).toEqual([
      'tiering_model.create',
      'tiering_model.publish',
      'tiering_settings.edit',
      'tiering_run.start',
    ]);
    expect(new Set(audit.map((a) => a.actor_id))).toEqual(new Set([org.adminUserId]));
  });
});
