/**
 * The tiering API as its users meet it: a director builds models (templates, validation with field
 * errors, drafts with versions, immutable published versions), runs and simulates them through the
 * job queue, chooses the tier of record; account managers read "why is this customer B?" for their own
 * customers only, maintain manual metrics (which re-score the customer through a job); overrides are
 * revoked and the model tier resumes.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { registerTieringJobs, startScheduledRuns } from '../src/modules/tiering/jobs.js';
import { WEIGHTED_TEMPLATE } from '../src/modules/tiering/service.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';
import { MatrixFixtures } from './support/matrix-fixtures.js';
import { storedResults } from './support/tier-results.js';

let env: TestEnv;
let org: TestOrg;
let fx: MatrixFixtures;
let director: Client;
let manager: Client;
let service: Client;
const mine: string[] = [];
const others: string[] = [];

async function orders(customerId: string, amounts: number[]) {
  for (const [i, a] of amounts.entries()) {
    await fx.sql(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount)
       VALUES (kam_tenant(), gen_random_uuid(), 'API-' || gen_random_uuid(), $1,
               (now() AT TIME ZONE 'Asia/Shanghai')::date - $2::int, $3)`,
      [customerId, 10 + i * 31, a.toFixed(2)],
    );
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  fx = await MatrixFixtures.load(env, org);
  await registerTieringJobs(env.jobs, env.db);
  director = await Client.signIn(env, org.slug, 'director');
  manager = await Client.signIn(env, org.slug, 'manager');
  service = await Client.signIn(env, org.slug, 'service');
  for (let i = 0; i < 12; i++) {
    const c = await fx.customer(i < 8 ? 'in' : 'out');
    (i < 8 ? mine : others).push(c.id);
    await orders(
      c.id,
      Array.from({ length: i % 6 }, (_, k) => 5000 * (i + 1) + k * 1000),
    );
  }
});
afterAll(() => env?.close());

let modelId: string;
/** A user whose role hides the customers' revenue (set by the field-rule test). */
let limited: Client;

describe('models', () => {
  it('a director creates a weighted model from the template; an account manager may not', async () => {
    const res = await director.post('/api/v1/tiering/models/from-template', { template: 'weighted_basic' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'weighted',
      publishedVersion: null,
      hasDraft: true,
      tierOfRecord: false,
      version: 1,
      tiers: [{ id: 'A' }, { id: 'B' }, { id: 'C' }, { id: 'D' }],
    });
    expect(res.body.draft.dimensions).toHaveLength(5);
    modelId = res.body.id;
    expect(
      (await manager.post('/api/v1/tiering/models/from-template', { template: 'rfm_classic' })).status,
    ).toBe(403);
    const list = await manager.get('/api/v1/tiering/models');
    expect(list.status).toBe(200);
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(modelId);
  });

  it('rejects invalid definitions with one field error per problem, in the request’s language', async () => {
    const bad = structuredClone(WEIGHTED_TEMPLATE) as { dimensions: { weight: string; metric: string }[] };
    bad.dimensions[0]!.weight = '31';
    bad.dimensions[1]!.metric = 'clv_expected';
    const res = await director.post('/api/v1/tiering/models', { name: '坏模型', definition: bad });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const fields = res.body.error.details.fields.map(
      (f: { path: string; code: string }) => `${f.path}:${f.code}`,
    );
    expect(fields).toContain('body.definition.dimensions:TIERING_WEIGHTS_SUM');
    const metric = await director.post('/api/v1/tiering/models', {
      name: '坏指标',
      definition: {
        ...WEIGHTED_TEMPLATE,
        dimensions: WEIGHTED_TEMPLATE.dimensions.map((d, i) =>
          i === 0
            ? { ...d, metric: 'industry_influence', normaliser: { kind: 'linear', min: '0', max: '1' } }
            : d,
        ),
      },
    });
    expect(metric.status).toBe(400);
    expect(metric.body.error.details.fields).toEqual([
      expect.objectContaining({
        path: 'body.definition.dimensions.0.metric',
        code: 'TIERING_METRIC_UNAVAILABLE',
      }),
    ]);
    const dup = await director.post('/api/v1/tiering/models/from-template', { template: 'weighted_basic' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('TIERING_MODEL_NAME_TAKEN');
  });

  it('edits the draft with optimistic versions; the kind is fixed', async () => {
    const stale = await director.put(`/api/v1/tiering/models/${modelId}/draft`, { version: 9, name: '新名' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 1 } });
    const kind = await director.put(`/api/v1/tiering/models/${modelId}/draft`, {
      version: 1,
      definition: { kind: 'rfm' },
    });
    expect(kind.status).toBe(400);
    expect(kind.body.error.details.fields[0].code).toBe('TIERING_MODEL_KIND_FIXED');
    const tiers = [
      { id: 'A', name: 'A', minScore: '70' },
      { id: 'B', name: 'B', minScore: '50' },
      { id: 'C', name: 'C', minScore: '30' },
      { id: 'D', name: 'D', minScore: '0' },
    ];
    const ok = await director.put(`/api/v1/tiering/models/${modelId}/draft`, {
      version: 1,
      name: '加权评分',
      definition: { ...WEIGHTED_TEMPLATE, tiers },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: '加权评分', version: 2 });
    expect(ok.body.draft.tiers[0].minScore).toBe('70');
  });

  it('cannot run before publishing; publishing makes an immutable version and clears the draft', async () => {
    const early = await director.post(`/api/v1/tiering/models/${modelId}/runs`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('TIERING_NOT_PUBLISHED');
    const pub = await director.post(`/api/v1/tiering/models/${modelId}/publish`, {
      version: 2,
      note: '首版',
    });
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({ publishedVersion: 1, hasDraft: false, draft: null, version: 3 });
    expect(pub.body.versions).toEqual([
      expect.objectContaining({ versionNo: 1, note: '首版', publishedByName: '赵明' }),
    ]);
    const again = await director.post(`/api/v1/tiering/models/${modelId}/publish`, { version: 3 });
    expect(again.body.error.code).toBe('TIERING_NO_DRAFT');
    // the database itself refuses to change a published version
    await expect(
      fx.sql(`UPDATE tier_model_versions SET note = 'x' WHERE tenant_id = kam_tenant() AND model_id = $1`, [
        modelId,
      ]),
    ).rejects.toThrow();
  });
});

describe('runs, the tier of record and the breakdown', () => {
  it('a full run executes in the job queue and reports its progress', async () => {
    const res = await director.post(`/api/v1/tiering/models/${modelId}/runs`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: 'full', status: 'queued', modelVersion: 1 });
    await env.jobs.drain();
    const run = await director.get(`/api/v1/tiering/runs/${res.body.id}`);
    expect(run.body).toMatchObject({ status: 'completed', total: 12, processed: 12, changed: 12 });
    expect(run.body.statistics.percentiles.revenue_12m).toHaveLength(101);
    const runs = await manager.get(`/api/v1/tiering/runs?modelId=${modelId}&kind=full`);
    expect(runs.body.items.map((r: { id: string }) => r.id)).toEqual([res.body.id]);
  });

  it('refuses a second run while one is in progress; a run abandoned for hours no longer blocks', async () => {
    // a run some worker is executing right now (no job of this process)
    const [busy] = await fx.sql<{ id: string }>(
      `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, status, as_of, started_at)
       SELECT kam_tenant(), gen_random_uuid(), m.id, 1, v.definition, 'full', 'running', current_date, now()
       FROM tier_models m JOIN tier_model_versions v ON v.tenant_id = m.tenant_id AND v.model_id = m.id AND v.version_no = 1
       WHERE m.tenant_id = kam_tenant() AND m.id = $1 RETURNING id`,
      [modelId],
    );
    const refused = await director.post(`/api/v1/tiering/models/${modelId}/runs`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TIERING_RUN_IN_PROGRESS');
    // its worker died seven hours ago: a new run may start, the old one is marked failed
    await fx.sql(
      `UPDATE tier_runs SET started_at = now() - interval '7 hours' WHERE tenant_id = kam_tenant() AND id = $1`,
      [busy!.id],
    );
    const started = await director.post(`/api/v1/tiering/models/${modelId}/runs`);
    expect(started.status).toBe(202);
    await env.jobs.drain();
    // why, in the reader's language
    expect((await director.get(`/api/v1/tiering/runs/${busy!.id}`)).body).toMatchObject({
      status: 'failed',
      errorCode: 'TIERING_RUN_ABANDONED',
      error: '运行中断：6 小时无进展',
    });
    expect((await director.patch('/api/v1/me', { locale: 'en' })).status).toBe(200);
    const inEnglish = (await director.get(`/api/v1/tiering/runs?modelId=${modelId}&limit=50`)).body.items;
    expect((await director.patch('/api/v1/me', { locale: 'zh-CN' })).status).toBe(200);
    expect(inEnglish.find((r: { id: string }) => r.id === busy!.id)).toMatchObject({
      errorCode: 'TIERING_RUN_ABANDONED',
      error: 'Abandoned: no progress for 6 hours.',
    });
    expect((await director.get(`/api/v1/tiering/runs/${started.body.id}`)).body.status).toBe('completed');
  });

  it('schedules: daily every day, weekly on Mondays, monthly on the 1st, never when off', async () => {
    const scheduled: Record<string, string> = { daily: modelId };
    for (const schedule of ['none', 'weekly', 'monthly'] as const) {
      const m = await director.post('/api/v1/tiering/models/from-template', {
        template: 'b2b_criteria',
        name: `计划-${schedule}`,
      });
      expect(m.body.schedule).toBe('daily');
      const saved = await director.put(`/api/v1/tiering/models/${m.body.id}/draft`, {
        version: m.body.version,
        schedule,
      });
      expect(saved.body.schedule).toBe(schedule);
      await director.post(`/api/v1/tiering/models/${m.body.id}/publish`, { version: saved.body.version });
      scheduled[schedule] = m.body.id;
    }
    const bad = await director.put(`/api/v1/tiering/models/${modelId}/draft`, {
      version: (await director.get(`/api/v1/tiering/models/${modelId}`)).body.version,
      schedule: 'hourly',
    });
    expect(bad.status).toBe(400);
    // which models a schedule slot starts (the runs of the extra models are removed before they execute,
    // so the rest of this file sees the one model's results only)
    const ranOn = async (instant: string) => {
      await startScheduledRuns(env.db, env.jobs, new Date(instant), [org.tenantId]);
      const rows = await fx.sql<{ id: string; model_id: string; trigger_reason: string }>(
        `SELECT id, model_id, trigger_reason FROM tier_runs WHERE tenant_id = kam_tenant()
           AND as_of = $1::date AND kind = 'full' AND trigger_reason IS NOT NULL`,
        [instant.slice(0, 10)],
      );
      await fx.sql('DELETE FROM tier_runs WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])', [
        rows.filter((r) => r.model_id !== modelId).map((r) => r.id),
      ]);
      await env.jobs.drain();
      const byModel = Object.fromEntries(Object.entries(scheduled).map(([k, v]) => [v, k]));
      return rows.map((r) => `${byModel[r.model_id]}:${r.trigger_reason}`).sort();
    };
    // Tuesday 2026-12-08, Monday 2026-12-07, Friday 2027-01-01 (09:00 in Shanghai)
    expect(await ranOn('2026-12-08T01:00:00Z')).toEqual(['daily:daily']);
    expect(await ranOn('2026-12-07T01:00:00Z')).toEqual(['daily:daily', 'weekly:weekly']);
    expect(await ranOn('2027-01-01T01:00:00Z')).toEqual(['daily:daily', 'monthly:monthly']);
    const runs = await director.get(`/api/v1/tiering/runs?modelId=${modelId}`);
    expect(runs.body.items[0]).toMatchObject({
      status: 'completed',
      triggerReason: 'daily',
      requestedByName: null,
    });
  });

  it('the tier of record must be a published weighted or criteria model', async () => {
    const rfm = await director.post('/api/v1/tiering/models/from-template', { template: 'rfm_classic' });
    const s = await director.get('/api/v1/tiering/settings');
    const bad = await director.put('/api/v1/tiering/settings', {
      version: s.body.version,
      recordModelId: rfm.body.id,
      largeOrderAmount: '50000',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('TIERING_RECORD_MODEL_INVALID');
    const ok = await director.put('/api/v1/tiering/settings', {
      version: s.body.version,
      recordModelId: modelId,
      largeOrderAmount: '50000',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ recordModelId: modelId, largeOrderAmount: '50000.00' });
  });

  it('the customer list shows the tier of record and filters by it — only for those with tiering.view', async () => {
    const model = (await director.get(`/api/v1/tiering/models/${modelId}`)).body;
    const names = new Map<string, string>(
      model.tiers.map((t: { id: string; name: string }) => [t.id, t.name]),
    );
    const current = new Map(
      (
        await fx.sql<{ customer_id: string; tier: string }>(
          'SELECT customer_id, tier FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1',
          [modelId],
        )
      ).map((r) => [r.customer_id, r.tier]),
    );
    const list = await manager.get('/api/v1/customers?limit=200');
    expect(list.status).toBe(200);
    const listed = list.body.items as {
      id: string;
      tier: { id: string; name: string; overridden: boolean };
    }[];
    const ours = listed.filter((c) => mine.includes(c.id));
    expect(ours).toHaveLength(mine.length);
    for (const c of ours) {
      const tier = current.get(c.id)!;
      expect(c.tier).toEqual({ id: tier, name: names.get(tier), overridden: false });
    }
    // filtering by tier: exactly the customers with one of those tiers, in the viewer's scope
    const tier = current.get(mine[5]!)!;
    const filtered = await manager.get(`/api/v1/customers?limit=200&tier=${tier}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.items.every((c: { tier: { id: string } }) => c.tier.id === tier)).toBe(true);
    expect(filtered.body.items.map((c: { id: string }) => c.id)).toEqual(
      listed.filter((c) => c.tier?.id === tier).map((c) => c.id),
    );
    expect((await manager.get('/api/v1/customers?tier=not%20a%20tier')).status).toBe(400);
    // the director's export has the column, with the tier's name
    const xlsx = await env.app.inject({
      method: 'GET',
      url: `/api/v1/exports/customers?tier=${tier}`,
      headers: { cookie: director.cookie!, 'accept-language': 'zh-CN' },
    });
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheetRows: unknown[][] = [];
    book.worksheets[0]!.eachRow((r) => sheetRows.push((r.values as unknown[]).slice(1)));
    const at = (sheetRows[0] as string[]).indexOf('客户级别');
    expect(at).toBeGreaterThan(0);
    expect(sheetRows.length).toBeGreaterThan(1);
    for (const r of sheetRows.slice(1)) expect(r[at]).toBe(names.get(tier));
    // one customer read alone carries it too
    expect((await manager.get(`/api/v1/customers/${mine[5]}`)).body.tier).toEqual(
      ours.find((c) => c.id === mine[5])!.tier,
    );
    // a role with the customers but without tiering.view: no tier in the list, and no filtering by one
    const admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
    const role = await admin.post('/api/v1/roles', {
      name: '只看客户',
      description: '',
      grants: [{ resource: 'customer', action: 'view', scope: 'all' }],
      fieldRules: [],
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const u = await fx.user(fx.dept.SH01!, {
      passwordHash: await hashPassword('Rule#Pass2026'),
      login: `notier-${Date.now()}`,
    });
    expect(
      (await admin.put(`/api/v1/users/${u.id}/roles`, { version: u.version, roleIds: [role.body.id] }))
        .status,
    ).toBe(200);
    const plain = await Client.signIn(env, org.slug, u.login, 'Rule#Pass2026');
    const seen = await plain.get('/api/v1/customers?limit=5');
    expect(seen.status).toBe(200);
    expect(seen.body.items.length).toBeGreaterThan(0);
    for (const c of seen.body.items) expect(c).not.toHaveProperty('tier');
    expect((await plain.get(`/api/v1/customers/${mine[5]}`)).body).not.toHaveProperty('tier');
    const refused = await plain.get(`/api/v1/customers?tier=${tier}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  it('an account manager reads why an own customer has its tier, but never another’s', async () => {
    const res = await manager.get(`/api/v1/customers/${mine[5]}/tiering`);
    expect(res.status).toBe(200);
    const [d] = res.body.decisions;
    expect(d).toMatchObject({ modelId, tierOfRecord: true, kind: 'weighted', decidedBy: 'threshold' });
    expect(d.breakdown.map((b: { key: string }) => b.key)).toEqual([
      'contribution',
      'growth',
      'loyalty',
      'activity',
      'strategic',
    ]);
    expect(d.breakdown[0]).toMatchObject({
      name: '贡献度',
      metric: 'revenue_12m',
      weight: '30',
      missing: false,
    });
    // the score is the sum of the contributions, rounded to 2 decimals
    const sum = d.breakdown.reduce((s: number, b: { contribution: string }) => s + Number(b.contribution), 0);
    expect(Number(d.score)).toBeCloseTo(sum, 2);
    expect(d.thresholds.map((t: { minScore: string }) => t.minScore)).toEqual(['70', '50', '30', '0']);
    expect(d.boundaryRule.zh).toContain('80.00');
    expect((await manager.get(`/api/v1/customers/${others[0]}/tiering`)).status).toBe(404);
    expect((await manager.get(`/api/v1/customers/${others[0]}/tier-history`)).status).toBe(404);
    // support staff see the customers of their account teams
    expect((await service.get(`/api/v1/customers/${mine[5]}/tiering`)).status).toBe(200);
    const history = await manager.get(`/api/v1/customers/${mine[5]}/tier-history`);
    expect(history.body.items).toEqual([
      expect.objectContaining({ modelId, fromTier: null, toTier: d.tier, reason: 'full_run' }),
    ]);
  });

  it('a result stored as documents (written before migration 0018) explains itself as the compact one does', async () => {
    const compact = await manager.get(`/api/v1/customers/${mine[5]}/tiering`);
    expect(compact.status).toBe(200);
    const restore = await env.db.withTenant(org.tenantId, async (tx) => {
      const stored = (await storedResults(tx, modelId)).find((r) => r.customer_id === mine[5])!;
      const { rows } = await tx.query(
        `SELECT metric_values, scores::text[] AS scores, flags, steps, hysteresis, previous_tier, override_id
         FROM tier_results WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2`,
        [modelId, mine[5]],
      );
      await tx.query(
        `UPDATE tier_results SET metrics = $3, breakdown = $4, detail = $5, metric_values = NULL, scores = NULL,
           flags = NULL, steps = NULL, hysteresis = NULL, previous_tier = NULL, override_id = NULL
         WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2`,
        [
          modelId,
          mine[5],
          JSON.stringify(stored.metrics),
          JSON.stringify(stored.breakdown),
          JSON.stringify(stored.detail),
        ],
      );
      return rows[0]!;
    });
    const documents = await manager.get(`/api/v1/customers/${mine[5]}/tiering`);
    expect(documents.body).toEqual(compact.body);
    expect(documents.body.decisions[0].breakdown).toHaveLength(5);
    await env.db.withTenant(org.tenantId, (tx) =>
      tx.query(
        `UPDATE tier_results SET metrics = NULL, breakdown = NULL, detail = NULL, metric_values = $3, scores = $4,
           flags = $5, steps = $6, hysteresis = $7, previous_tier = $8, override_id = $9
         WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2`,
        [
          modelId,
          mine[5],
          restore.metric_values,
          restore.scores,
          restore.flags,
          restore.steps,
          restore.hysteresis,
          restore.previous_tier,
          restore.override_id,
        ],
      ),
    );
  });

  it('a field rule hiding revenue hides the revenue figures of the breakdown, not the scores', async () => {
    const admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
    const role = await admin.post('/api/v1/roles', {
      name: '看分级不看金额',
      description: '',
      grants: [
        { resource: 'customer', action: 'view', scope: 'self' },
        { resource: 'order', action: 'view', scope: 'self' },
        { resource: 'tiering', action: 'view' },
      ],
      fieldRules: [{ resource: 'customer', field: 'revenue12m', rule: 'hidden' }],
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const u = await fx.user(fx.dept.SH01!, {
      passwordHash: await hashPassword('Rule#Pass2026'),
      login: `rule-${Date.now()}`,
    });
    const assigned = await admin.put(`/api/v1/users/${u.id}/roles`, {
      version: u.version,
      roleIds: [role.body.id],
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    await fx.sql('UPDATE customers SET owner_id = $1 WHERE tenant_id = kam_tenant() AND id = $2', [
      u.id,
      mine[7],
    ]);
    limited = await Client.signIn(env, org.slug, u.login, 'Rule#Pass2026');
    const seen = (await limited.get(`/api/v1/customers/${mine[7]}/tiering`)).body.decisions[0];
    const full = (await director.get(`/api/v1/customers/${mine[7]}/tiering`)).body.decisions[0];
    expect(full.metrics.revenue_12m).not.toBeNull();
    expect(seen.metrics.revenue_12m).toBeNull();
    expect(seen.metrics.revenue_growth ?? null).toBeNull();
    expect(seen.breakdown[0]).toMatchObject({
      metric: 'revenue_12m',
      value: null,
      normalised: full.breakdown[0].normalised,
    });
    expect(seen.score).toBe(full.score);
    expect(seen.breakdown[3].value).toBe(full.breakdown[3].value); // follow-ups stay visible
  });

  it('a simulation of a draft returns the migration matrix and changes no tier', async () => {
    await director.put(`/api/v1/tiering/models/${modelId}/draft`, {
      version: (await director.get(`/api/v1/tiering/models/${modelId}`)).body.version,
      definition: {
        ...WEIGHTED_TEMPLATE,
        tiers: [
          { id: 'A', name: 'A', minScore: '99.99' },
          { id: 'B', name: 'B', minScore: '99.98' },
          { id: 'C', name: 'C', minScore: '99.97' },
          { id: 'D', name: 'D', minScore: '0' },
        ],
      },
    });
    const before = await manager.get(`/api/v1/customers/${mine[5]}/tiering`);
    const sim = await director.post(`/api/v1/tiering/models/${modelId}/simulations`);
    expect(sim.status).toBe(202);
    await env.jobs.drain();
    const run = await director.get(`/api/v1/tiering/runs/${sim.body.id}`);
    expect(run.body.status).toBe('completed');
    expect(run.body.simulation.after).toEqual([
      { tier: 'A', count: 0 },
      { tier: 'B', count: 0 },
      { tier: 'C', count: 0 },
      { tier: 'D', count: 12 },
    ]);
    expect(run.body.simulation.matrix.reduce((s: number, c: { count: number }) => s + c.count, 0)).toBe(12);
    // sample customers carry their figures, except for someone whose field rules hide revenue
    const sample = run.body.simulation.samples[0].customers[0];
    expect(sample.metrics.revenue_12m).not.toBeNull();
    const hidden = (await limited.get(`/api/v1/tiering/runs/${sim.body.id}`)).body.simulation.samples[0]
      .customers[0];
    expect(hidden.metrics.revenue_12m).toBeNull();
    expect(hidden.breakdown[0]).toMatchObject({
      key: 'contribution',
      value: null,
      normalised: sample.breakdown[0].normalised,
    });
    const after = await manager.get(`/api/v1/customers/${mine[5]}/tiering`);
    expect(after.body).toEqual(before.body);
  });

  it('a model that has not run yet is previewed against the tier of record, whose tiers it names', async () => {
    const other = await director.post('/api/v1/tiering/models/from-template', { template: 'b2b_criteria' });
    expect(other.status).toBe(201);
    const sim = await director.post(`/api/v1/tiering/models/${other.body.id}/simulations`);
    expect(sim.status).toBe(202);
    await env.jobs.drain();
    const result = (await director.get(`/api/v1/tiering/runs/${sim.body.id}`)).body.simulation;
    expect(result.baselineModelId).toBe(modelId);
    const published = await fx.sql<{ definition: { tiers: { id: string; name: string }[] } }>(
      `SELECT v.definition FROM tier_models m JOIN tier_model_versions v ON v.tenant_id = m.tenant_id
         AND v.model_id = m.id AND v.version_no = m.published_version
       WHERE m.tenant_id = kam_tenant() AND m.id = $1`,
      [modelId],
    );
    expect(result.baselineTiers).toEqual(
      published[0]!.definition.tiers.map(({ id, name }) => ({ id, name })),
    );
    // the rows are the customers' tiers of record; the columns the new model's
    const froms = result.matrix.map((c: { from: string | null }) => c.from).filter((f: string | null) => f);
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(['A', 'B', 'C', 'D']).toContain(f);
    expect(result.tiers).toEqual(['strategic', 'key', 'potential', 'normal']);
  });
});

describe('triggers', () => {
  it('a large order and a new complaint, entered through the API, re-score the customer through a job', async () => {
    const [big, unhappy] = [mine[3]!, mine[4]!];
    const order = await manager.post('/api/v1/orders', {
      orderNo: `BIG-${Date.now()}`,
      customerId: big,
      orderedAt: (
        await fx.sql<{ d: string }>(`SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date - 1)::text AS d`)
      )[0]!.d,
      amount: '50000.00',
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const small = await manager.post('/api/v1/orders', {
      orderNo: `SMALL-${Date.now()}`,
      customerId: mine[0],
      orderedAt: order.body.orderedAt,
      amount: '49999.99',
    });
    expect(small.status).toBe(201);
    const complaint = await service.post('/api/v1/service-records', {
      customerId: unhappy,
      type: 'complaint',
      title: '交付延期投诉',
    });
    expect(complaint.status, JSON.stringify(complaint.body)).toBe(201);
    const queued = await fx.sql<{ customer_id: string; reason: string }>(
      'SELECT customer_id, reason FROM tier_rescore_queue WHERE tenant_id = kam_tenant() ORDER BY reason',
    );
    // ≥ the tenant's threshold (¥50,000, set above) queues; ¥49,999.99 does not
    expect(queued).toEqual([
      { customer_id: unhappy, reason: 'complaint' },
      { customer_id: big, reason: 'large_order' },
    ]);
    // the job the every-minute schedule sends (for this tenant only: without a tenant it drains every
    // tenant's queue, and test files share the server database)
    await env.jobs.send('tiering.triggered', { tenantId: org.tenantId });
    await env.jobs.drain();
    expect(await fx.sql('SELECT 1 FROM tier_rescore_queue WHERE tenant_id = kam_tenant()')).toEqual([]);
    const runs = await fx.sql<{ trigger_reason: string; customer_id: string; status: string }>(
      `SELECT trigger_reason, customer_id, status FROM tier_runs WHERE tenant_id = kam_tenant() AND kind = 'triggered'
       ORDER BY trigger_reason`,
    );
    expect(runs).toEqual([
      { trigger_reason: 'complaint', customer_id: unhappy, status: 'completed' },
      { trigger_reason: 'large_order', customer_id: big, status: 'completed' },
    ]);
    const d = (await manager.get(`/api/v1/customers/${unhappy}/tiering`)).body.decisions[0];
    expect(d.metrics).toMatchObject({ revenue_12m: expect.any(String) });
  });

  it('shows the model editor how a metric is distributed (numbers and categories)', async () => {
    const res = await director.get('/api/v1/tiering/metric-distribution?metric=order_count&bins=4');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // 12 customers with 0…5 orders (i % 6) plus the ones added above
    const counts = await fx.sql<{ n: string }>(
      `SELECT count(*) FILTER (WHERE status = 'confirmed' AND ordered_at > (now() AT TIME ZONE 'Asia/Shanghai')::date - 365)::text AS n
       FROM orders WHERE tenant_id = kam_tenant() GROUP BY customer_id`,
    );
    expect(res.body).toMatchObject({ kind: 'number', total: 12, missing: 0, min: '0' });
    expect(res.body.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(12);
    expect(res.body.buckets.every((b: { bucket: number }) => b.bucket >= 1 && b.bucket <= 4)).toBe(true);
    expect(Number(res.body.max)).toBe(Math.max(...counts.map((c) => Number(c.n))));
    expect(res.body.breakpoints).toHaveLength(101);
    await fx.sql(
      `INSERT INTO customer_manual_metrics (tenant_id, customer_id, metric, value) VALUES (kam_tenant(), $1, 'industry_influence', 'high')`,
      [others[2]],
    );
    const cat = await director.get('/api/v1/tiering/metric-distribution?metric=industry_influence');
    expect(cat.body).toMatchObject({
      kind: 'category',
      total: 12,
      categories: [{ value: 'high', count: 1 }],
    });
    const bad = await director.get('/api/v1/tiering/metric-distribution?metric=no_such_metric');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0]).toMatchObject({
      path: 'querystring.metric',
      code: 'TIERING_METRIC_UNAVAILABLE',
    });
    expect((await manager.get('/api/v1/tiering/metric-distribution?metric=order_count')).status).toBe(403);
  });

  it('lists its routes in the OpenAPI document', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/tiering/models/{id}/simulations', '/api/v1/customers/{id}/tiering']),
    );
  });
});

describe('manual metrics and overrides', () => {
  it('an account manager sets strategic value on an own customer; the customer is re-scored by a job', async () => {
    const get = await manager.get(`/api/v1/customers/${mine[2]}/manual-metrics`);
    expect(get.body.items.map((m: { metric: string }) => m.metric)).toEqual([
      'strategic_value',
      'industry_influence',
      'growth_potential',
    ]);
    const bad = await manager.patch(`/api/v1/customers/${mine[2]}/manual-metrics`, {
      values: { strategic_value: { value: 7, version: null } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].path).toBe('body.values.strategic_value.value');
    const set = await manager.patch(`/api/v1/customers/${mine[2]}/manual-metrics`, {
      values: {
        strategic_value: { value: 5, version: null },
        industry_influence: { value: 'high', version: null },
      },
    });
    expect(set.status).toBe(200);
    expect(set.body.items[0]).toMatchObject({
      metric: 'strategic_value',
      value: '5',
      setByName: '孙伟',
      version: 1,
    });
    const stale = await manager.patch(`/api/v1/customers/${mine[2]}/manual-metrics`, {
      values: { strategic_value: { value: 4, version: null } },
    });
    expect(stale.status).toBe(409);
    expect(
      (
        await manager.patch(`/api/v1/customers/${others[0]}/manual-metrics`, {
          values: { strategic_value: { value: 4, version: null } },
        })
      ).status,
    ).toBe(404);
    await env.jobs.drain();
    const d = (await manager.get(`/api/v1/customers/${mine[2]}/tiering`)).body.decisions[0];
    expect(d.metrics.strategic_value).toBe('5');
    expect(d.breakdown.find((b: { key: string }) => b.key === 'strategic')).toMatchObject({
      normalised: '100.00',
    });
    const runs = await director.get(`/api/v1/tiering/runs?kind=triggered`);
    expect(runs.body.items[0]).toMatchObject({
      triggerReason: 'manual_metric',
      customerId: mine[2],
      status: 'completed',
    });
  });

  it('a revoked override gives the customer its model tier back, with history', async () => {
    const customerId = mine[1]!;
    const model = (await director.get(`/api/v1/customers/${customerId}/tiering`)).body.decisions[0];
    const target = model.tier === 'A' ? 'D' : 'A';
    const [o] = await fx.sql<{ id: string }>(
      `INSERT INTO tier_overrides (tenant_id, id, customer_id, model_id, tier, until, reason)
       VALUES (kam_tenant(), gen_random_uuid(), $1, $2, $3, NULL, '大客户总监特批') RETURNING id`,
      [customerId, modelId, target],
    );
    await fx.sql(
      `INSERT INTO tier_rescore_queue (tenant_id, customer_id, reason) VALUES (kam_tenant(), $1, 'override')`,
      [customerId],
    );
    await env.jobs.send('tiering.triggered', { tenantId: org.tenantId });
    await env.jobs.drain();
    const overridden = (await manager.get(`/api/v1/customers/${customerId}/tiering`)).body;
    expect(overridden.decisions[0]).toMatchObject({ tier: target, decidedBy: 'override' });
    expect(overridden.decisions[0].appliedRules).toContainEqual(
      expect.objectContaining({ kind: 'override', tier: target, until: null, reason: '大客户总监特批' }),
    );
    expect(overridden.overrides).toEqual([expect.objectContaining({ id: o!.id, tier: target })]);
    // the customer's tier of record (page, list) shows the override
    expect((await manager.get(`/api/v1/customers/${customerId}`)).body.tier).toMatchObject({
      id: target,
      overridden: true,
    });
    expect((await manager.delete(`/api/v1/tier-overrides/${o!.id}?version=1`)).status).toBe(403);
    expect((await director.delete(`/api/v1/tier-overrides/${o!.id}?version=1`)).status).toBe(204);
    // re-scored in the revoking transaction: the very next read shows the model tier again
    const back = (await manager.get(`/api/v1/customers/${customerId}/tiering`)).body;
    expect(back.decisions[0]).toMatchObject({ tier: model.tier, decidedBy: model.decidedBy });
    expect(back.overrides).toEqual([]);
    expect((await manager.get(`/api/v1/customers/${customerId}`)).body.tier).toMatchObject({
      id: model.tier,
      overridden: false,
    });
    // each change left an event in the outbox, marked as a change of the tier of record
    const events = await fx.sql<{
      changes: number;
      payload: { reason: string; tierOfRecord: boolean; changes: { customerId: string; to: string }[] };
    }>(
      `SELECT changes, payload FROM tier_events_outbox
       WHERE tenant_id = kam_tenant() AND payload -> 'changes' @> jsonb_build_array(jsonb_build_object('customerId', $1::text))
       ORDER BY seq DESC LIMIT 2`,
      [customerId],
    );
    expect(events).toEqual([
      {
        changes: 1,
        payload: expect.objectContaining({
          reason: 'override_revoked',
          tierOfRecord: true,
          changes: [expect.objectContaining({ customerId, to: model.tier })],
        }),
      },
      {
        changes: 1,
        payload: expect.objectContaining({
          reason: 'override',
          tierOfRecord: true,
          changes: [expect.objectContaining({ customerId, to: target })],
        }),
      },
    ]);
    const history = (await manager.get(`/api/v1/customers/${customerId}/tier-history`)).body.items;
    expect(
      history.slice(0, 2).map((h: { reason: string; toTier: string }) => `${h.reason}:${h.toTier}`),
    ).toEqual([`override_revoked:${model.tier}`, `override:${target}`]);
  });

  it('an override to the tier the model gives marks the tier of record as overridden, and its end unmarks it', async () => {
    // a customer of its own, tiered by a re-score
    const customerId = (await fx.customer('in')).id;
    const rescore = async () => {
      await fx.sql(
        `INSERT INTO tier_rescore_queue (tenant_id, customer_id, reason) VALUES (kam_tenant(), $1, 'override')`,
        [customerId],
      );
      await env.jobs.send('tiering.triggered', { tenantId: org.tenantId });
      await env.jobs.drain();
    };
    await rescore();
    const model = (await director.get(`/api/v1/customers/${customerId}/tiering`)).body.decisions[0];
    const before = (await manager.get(`/api/v1/customers/${customerId}`)).body.tier;
    expect(before).toMatchObject({ id: model.tier, overridden: false });
    expect(before.name).toEqual(expect.any(String));
    const history = (await manager.get(`/api/v1/customers/${customerId}/tier-history`)).body.items;
    const [o] = await fx.sql<{ id: string }>(
      `INSERT INTO tier_overrides (tenant_id, id, customer_id, model_id, tier, until, reason)
       VALUES (kam_tenant(), gen_random_uuid(), $1, $2, $3, NULL, '锁定现有等级') RETURNING id`,
      [customerId, modelId, model.tier],
    );
    await rescore();
    // the decision changed, the tier did not (no history row)
    expect((await manager.get(`/api/v1/customers/${customerId}/tiering`)).body.decisions[0]).toMatchObject({
      tier: model.tier,
      decidedBy: 'override',
    });
    const listed = await manager.get(`/api/v1/customers?tier=${model.tier}&limit=200`);
    expect(listed.body.items.find((c: { id: string }) => c.id === customerId)?.tier).toEqual({
      ...before,
      overridden: true,
    });
    expect((await manager.get(`/api/v1/customers/${customerId}/tier-history`)).body.items).toEqual(history);
    // revoked: re-scored in the revoking transaction, the model decides again
    expect((await director.delete(`/api/v1/tier-overrides/${o!.id}?version=1`)).status).toBe(204);
    expect((await manager.get(`/api/v1/customers/${customerId}`)).body.tier).toEqual(before);
  });
});

describe('a manual tier change through the approval engine', () => {
  it('an account manager requests an upgrade with a reason, the director approves, the override shows', async () => {
    const customerId = mine[6]!;
    const before = (await manager.get(`/api/v1/customers/${customerId}/tiering`)).body.decisions[0];
    const target = before.tier === 'A' ? 'B' : 'A';
    const flow = await director.get('/api/v1/approval-flows/tier_change');
    expect(flow.status, JSON.stringify(flow.body)).toBe(200);
    const saved = await director.put('/api/v1/approval-flows/tier_change', {
      flow: {
        requestType: 'tier_change',
        steps: [
          {
            id: 'director',
            name: '销售总监',
            approvers: [{ kind: 'user', userId: fx.userIds.director }],
            mode: 'any',
          },
        ],
      },
      expectedVersion: flow.body.version,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // an unknown tier is refused on submit
    const wrong = await manager.post('/api/v1/approval-requests', {
      type: 'tier_change',
      customerId,
      payload: { tier: 'Z' },
      reason: '战略合作',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.fields[0]).toMatchObject({
      path: 'body.payload.tier',
      code: 'TIERING_TIER_UNKNOWN',
    });
    const req = await manager.post('/api/v1/approval-requests', {
      type: 'tier_change',
      customerId,
      payload: { tier: target, until: '2099-12-31' },
      reason: '战略合作，升级服务',
    });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    // nothing changes before the approval
    expect((await manager.get(`/api/v1/customers/${customerId}/tiering`)).body.overrides).toEqual([]);
    const ok = await director.post(`/api/v1/approval-requests/${req.body.id}/approve`, { comment: '同意' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // the very next read shows the new tier: the customer was re-scored in the decision's transaction
    // (no job has run since the approval, and nothing is left in the re-score queue)
    const after = (await manager.get(`/api/v1/customers/${customerId}/tiering`)).body;
    expect(after.overrides).toEqual([
      expect.objectContaining({
        tier: target,
        until: '2099-12-31',
        reason: '战略合作，升级服务',
        approvalRequestId: req.body.id,
      }),
    ]);
    expect(after.decisions[0]).toMatchObject({
      tier: target,
      decidedBy: 'override',
      rawTier: before.rawTier,
    });
    expect(
      await fx.sql(`SELECT 1 FROM tier_rescore_queue WHERE tenant_id = kam_tenant() AND customer_id = $1`, [
        customerId,
      ]),
    ).toEqual([]);
    const runs = await director.get(`/api/v1/tiering/runs?kind=triggered`);
    expect(runs.body.items[0]).toMatchObject({ triggerReason: 'override', customerId, status: 'completed' });
    const history = (await manager.get(`/api/v1/customers/${customerId}/tier-history`)).body.items;
    expect(history[0]).toMatchObject({ reason: 'override', toTier: target });
    // the list shows the tier as an override
    const listed = await manager.get(`/api/v1/customers?tier=${target}&limit=200`);
    expect(listed.body.items.find((c: { id: string }) => c.id === customerId)?.tier).toMatchObject({
      id: target,
      overridden: true,
    });
  });
});

describe('tier counts of a model (tenant-wide)', () => {
  it('counts the customers per current tier, highest tier first, for everyone with tiering.view', async () => {
    const res = await manager.get(`/api/v1/tiering/models/${modelId}/distribution`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const naive = await fx.sql<{ tier: string; n: number }>(
      `SELECT tier, count(*)::int AS n FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1 GROUP BY tier`,
      [modelId],
    );
    expect(res.body.items.map((i: { tier: string }) => i.tier)).toEqual(['A', 'B', 'C', 'D']);
    for (const i of res.body.items as { tier: string; count: number }[]) {
      expect(i.count).toBe(naive.find((n) => n.tier === i.tier)?.n ?? 0);
    }
    expect(res.body.total).toBe(naive.reduce((t, n) => t + n.n, 0));
    expect(res.body.total).toBeGreaterThanOrEqual(mine.length + others.length);
    expect(res.body.items[0].name).toBeTruthy();
    expect(res.body.lastFullRunAt).not.toBeNull();
    // the approved override of the previous test counts in its tier at once
    const [cur] = await fx.sql<{ tier: string }>(
      `SELECT tier FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2`,
      [modelId, mine[6]],
    );
    expect(cur!.tier).toBe(
      (await manager.get(`/api/v1/customers/${mine[6]}/tiering`)).body.decisions[0].tier,
    );
    expect((await manager.get(`/api/v1/tiering/models/${randomUUID()}/distribution`)).status).toBe(404);
  });

  it('counts tier changes per week or month (Asia/Shanghai dates), from-tier × to-tier, with the direction', async () => {
    const at = async (ts: string, from: string | null, to: string) =>
      fx.sql(
        `INSERT INTO tier_history (tenant_id, customer_id, model_id, from_tier, to_tier, reason, changed_at)
         VALUES (kam_tenant(), $1, $2, $3, $4, 'full_run', $5::timestamptz)`,
        [mine[0], modelId, from, to, ts],
      );
    await at('2024-12-31 23:30+08', 'C', 'B'); // before `from`
    await at('2025-01-06 00:30+08', 'B', 'A'); // Monday in Shanghai, still Sunday in UTC
    await at('2025-01-07 10:00+08', 'B', 'A');
    await at('2025-01-08 10:00+08', 'A', 'D');
    await at('2025-01-31 23:59+08', null, 'C'); // last minute of `to`
    await at('2025-02-01 00:10+08', 'D', 'C'); // after `to`
    const week = await manager.get(
      `/api/v1/tiering/models/${modelId}/migrations?from=2025-01-01&to=2025-01-31&interval=week`,
    );
    expect(week.status, JSON.stringify(week.body)).toBe(200);
    expect(week.body.periods).toEqual(['2024-12-30', '2025-01-06', '2025-01-13', '2025-01-20', '2025-01-27']);
    expect(week.body.tiers.map((t: { id: string }) => t.id)).toEqual(['A', 'B', 'C', 'D']);
    expect(week.body.items).toEqual([
      { period: '2025-01-06', fromTier: 'A', toTier: 'D', direction: 'down', count: 1 },
      { period: '2025-01-06', fromTier: 'B', toTier: 'A', direction: 'up', count: 2 },
      { period: '2025-01-27', fromTier: null, toTier: 'C', direction: 'new', count: 1 },
    ]);
    const month = await manager.get(
      `/api/v1/tiering/models/${modelId}/migrations?from=2024-12-01&to=2025-02-28&interval=month`,
    );
    expect(month.body.periods).toEqual(['2024-12-01', '2025-01-01', '2025-02-01']);
    expect(
      month.body.items.map(
        (i: { period: string; count: number; direction: string }) => `${i.period}:${i.direction}:${i.count}`,
      ),
    ).toEqual([
      '2024-12-01:up:1',
      '2025-01-01:new:1',
      '2025-01-01:down:1',
      '2025-01-01:up:2',
      '2025-02-01:up:1',
    ]);
    // default: the last 12 months up to today; this month holds the full run's and the override's changes
    const recent = await director.get(`/api/v1/tiering/models/${modelId}/migrations`);
    expect(recent.body.periods).toHaveLength(12);
    const naive = await fx.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM tier_history WHERE tenant_id = kam_tenant() AND model_id = $1
         AND date_trunc('month', changed_at AT TIME ZONE 'Asia/Shanghai') = date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')`,
      [modelId],
    );
    const thisMonth = recent.body.periods.at(-1);
    const counted = recent.body.items
      .filter((i: { period: string }) => i.period === thisMonth)
      .reduce((n: number, i: { count: number }) => n + i.count, 0);
    expect(naive[0]!.n).toBeGreaterThan(0);
    expect(counted).toBe(naive[0]!.n);
    const bad = await manager.get(
      `/api/v1/tiering/models/${modelId}/migrations?from=2025-02-01&to=2025-01-01`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0]).toMatchObject({
      path: 'querystring.to',
      code: 'DATE_RANGE_INVALID',
    });
  });
});
