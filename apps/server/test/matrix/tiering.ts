import { randomUUID } from 'node:crypto';
import { unique } from '../support/matrix-fixtures.js';
import { type Entry, one, rec, type Target } from '../support/matrix-table.js';

/**
 * Permission-matrix rows of the tiering capability (see permission-matrix.test.ts for the columns).
 *
 * Built-in rights (packages/domain/src/permissions/builtin-roles.ts, decision 0016): `tiering.view`
 * for every role but the auditor; `tiering.create` (runs, simulations) and `tiering.configure`
 * (models, publishing, settings, revoking overrides, metric distributions) for the super admin and the
 * sales director.
 * Everything about one customer is visible through the customer (scope or account team): "in" is
 * `manager`'s customer with the support staff on its team, "out" a 深圳 customer nobody but the super
 * admin reaches. Manual metrics are scoped like a customer edit (support staff hold no customer.edit).
 */

const RFM = { kind: 'rfm' };

/** A fresh model: with a draft, or published (version 1) without one. */
async function model(t: Target, state: 'draft' | 'published'): Promise<{ id: string; version: number }> {
  const id = randomUUID();
  await t.fx.sql(
    `INSERT INTO tier_models (tenant_id, id, name, kind, draft) VALUES (kam_tenant(), $1, $2, 'rfm', $3)`,
    [id, `矩阵模型-${unique()}`, state === 'draft' ? JSON.stringify(RFM) : null],
  );
  if (state === 'published') {
    await t.fx.sql(
      `INSERT INTO tier_model_versions (tenant_id, model_id, version_no, definition) VALUES (kam_tenant(), $1, 1, $2)`,
      [
        id,
        JSON.stringify({
          kind: 'rfm',
          windowDays: 365,
          bins: 5,
          segmentBasis: 'values',
          metrics: { recency: 'recency_days', frequency: 'order_count', monetary: 'revenue_12m' },
        }),
      ],
    );
    await t.fx.sql(
      `UPDATE tier_models SET published_version = 1 WHERE tenant_id = kam_tenant() AND id = $1`,
      [id],
    );
  }
  return { id, version: 1 };
}

/**
 * A fresh completed run of a fresh published model: a simulation, which carries no statistics (a
 * completed full run always does, and triggered re-scores — also those of the override rows below —
 * score every published model with its last full run's statistics).
 */
async function run(t: Target): Promise<string> {
  const m = await model(t, 'published');
  const id = randomUUID();
  await t.fx.sql(
    `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, status, as_of)
     VALUES (kam_tenant(), $1, $2, 1, $3, 'simulation', 'completed', current_date)`,
    [id, m.id, JSON.stringify(RFM)],
  );
  return id;
}

/** A live override (version 1) of the case's customer under a fresh published model. */
async function override(t: Target): Promise<string> {
  const c = await t.fx.customer(t.where);
  const m = await model(t, 'published');
  const id = randomUUID();
  await t.fx.sql(
    `INSERT INTO tier_overrides (tenant_id, id, customer_id, model_id, tier, until, reason)
     VALUES (kam_tenant(), $1, $2, $3, 'important_value', NULL, '矩阵')`,
    [id, c.id, m.id],
  );
  return id;
}

async function settingsVersion(t: Target): Promise<number> {
  await t.fx.sql(
    `INSERT INTO tier_settings (tenant_id) VALUES (kam_tenant()) ON CONFLICT (tenant_id) DO NOTHING`,
  );
  const [row] = await t.fx.sql<{ version: number }>(
    'SELECT version FROM tier_settings WHERE tenant_id = kam_tenant()',
  );
  return row!.version;
}

const customer = (t: Target) => t.fx.customer(t.where);

export const TIERING_MATRIX: Record<string, Entry> = {
  // ——— catalogue, models, runs, settings: tiering.* only (not record-scoped) ———
  'GET /api/v1/tiering/metrics': one(200, 200, 200, 200, 200, 200, 200, 403),
  // tenant-wide figures: only for the people who configure models
  'GET /api/v1/tiering/metric-distribution': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: () => ({ query: 'metric=revenue_12m&bins=5' }),
  },
  'GET /api/v1/tiering/models': one(200, 200, 200, 200, 200, 200, 200, 403),
  'POST /api/v1/tiering/models': {
    ...one(201, 201, 403, 403, 403, 403, 403, 403),
    req: () => ({ body: { name: `矩阵RFM-${unique()}`, definition: RFM } }),
  },
  'POST /api/v1/tiering/models/from-template': {
    ...one(201, 201, 403, 403, 403, 403, 403, 403),
    req: () => ({ body: { template: 'b2b_criteria', name: `矩阵模板-${unique()}` } }),
  },
  'GET /api/v1/tiering/models/:id': {
    ...one(200, 200, 200, 200, 200, 200, 200, 403),
    req: async (t) => ({ id: (await model(t, 'draft')).id }),
  },
  // tenant-wide counts per tier (no customer data): everyone with tiering.view
  'GET /api/v1/tiering/models/:id/distribution': {
    ...one(200, 200, 200, 200, 200, 200, 200, 403),
    req: async (t) => ({ id: (await model(t, 'published')).id }),
  },
  'GET /api/v1/tiering/models/:id/migrations': {
    ...one(200, 200, 200, 200, 200, 200, 200, 403),
    req: async (t) => ({ id: (await model(t, 'published')).id, query: 'interval=week' }),
  },
  'PUT /api/v1/tiering/models/:id/draft': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: async (t) => {
      const m = await model(t, 'draft');
      return { id: m.id, body: { version: m.version, definition: { kind: 'rfm', bins: 4 } } };
    },
  },
  'POST /api/v1/tiering/models/:id/publish': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: async (t) => {
      const m = await model(t, 'draft');
      return { id: m.id, body: { version: m.version } };
    },
  },
  'POST /api/v1/tiering/models/:id/runs': {
    ...one(202, 202, 403, 403, 403, 403, 403, 403),
    req: async (t) => ({ id: (await model(t, 'published')).id }),
  },
  'POST /api/v1/tiering/models/:id/simulations': {
    ...one(202, 202, 403, 403, 403, 403, 403, 403),
    req: async (t) => ({ id: (await model(t, 'draft')).id }),
  },
  'GET /api/v1/tiering/runs': {
    ...one(200, 200, 200, 200, 200, 200, 200, 403),
    req: () => ({ query: 'limit=5' }),
  },
  'GET /api/v1/tiering/runs/:id': {
    ...one(200, 200, 200, 200, 200, 200, 200, 403),
    req: async (t) => ({ id: await run(t) }),
  },
  'GET /api/v1/tiering/settings': one(200, 200, 200, 200, 200, 200, 200, 403),
  'PUT /api/v1/tiering/settings': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: async (t) => ({
      body: { version: await settingsVersion(t), recordModelId: null, largeOrderAmount: '100000.00' },
    }),
  },

  // ——— one customer: visible through the customer (scope or account team) ———
  'GET /api/v1/customers/:id/tiering': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await customer(t)).id }),
  },
  'GET /api/v1/customers/:id/tier-history': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await customer(t)).id }),
  },
  'GET /api/v1/customers/:id/manual-metrics': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await customer(t)).id }),
  },
  'PATCH /api/v1/customers/:id/manual-metrics': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({
      id: (await customer(t)).id,
      body: {
        values: {
          strategic_value: { value: 4, version: null },
          industry_influence: { value: 'high', version: null },
        },
      },
    }),
  },
  'DELETE /api/v1/tier-overrides/:id': {
    ...rec('204/204', '204/404', '403', '403', '403', '403', '403', '403'),
    req: async (t) => ({ id: await override(t), query: 'version=1' }),
  },
};
