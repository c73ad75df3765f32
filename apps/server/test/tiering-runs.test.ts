/**
 * Runs of the compiled models (apps/server/src/modules/tiering/compile.ts, runner.ts) against the pure
 * domain engine on generated data: every customer's score, tier, breakdown, applied rules and
 * hysteresis state from the SQL equal `decideTier` / `scoreRfm` for the same metrics, statistics,
 * previous state and override. Also: chunking, history and outbox rows only for changed tiers,
 * triggered re-scores consistent with the full run, simulations that write nothing, and the
 * properties (monotone tier, simulation never writes, identical reruns).
 */
import { randomUUID } from 'node:crypto';
import {
  B2B_CRITERIA_TEMPLATE,
  breakpointsPopulation,
  decideTier,
  type HysteresisState,
  type MetricValues,
  percentileBreakpoints,
  type RfmModel,
  rfmStatistics,
  scoreRfm,
  sortedPopulation,
  type TierModel,
  type TierOverride,
  toDec,
  validateTieringModel,
} from '@kam/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineQueue } from '../src/jobs/inline.js';
import type { RunnableModel, RunStatistics } from '../src/modules/tiering/compile.js';
import { MAX_RUN_ATTEMPTS, recoverStalledRuns } from '../src/modules/tiering/jobs.js';
import {
  appliedRules,
  presentBreakdown,
  presentCriteria,
  type StoredDimension,
} from '../src/modules/tiering/present.js';
import { stageTable } from '../src/modules/tiering/repo.js';
import {
  executeFullRun,
  executeSimulation,
  rescoreCustomers,
  type SimulationResult,
} from '../src/modules/tiering/runner.js';
import { TIERING_RUN_JOB } from '../src/modules/tiering/service.js';
import { createTestEnv, createTestOrg, type TestEnv, type TestOrg } from './support/harness.js';
import { type StoredResult, storedResults } from './support/tier-results.js';

const AS_OF = '2026-06-15';
const DAY = 86_400_000;
const D = Date.parse(`${AS_OF}T00:00:00Z`) / DAY;
const ymd = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIGHTED = validated({
  kind: 'weighted',
  dimensions: [
    {
      key: 'contribution',
      name: '贡献',
      metric: 'revenue_12m',
      normaliser: { kind: 'percentile' },
      weight: '25',
    },
    {
      key: 'recency',
      name: '近度',
      metric: 'recency_days',
      normaliser: { kind: 'inverted', of: { kind: 'percentile' } },
      weight: '10',
    },
    {
      key: 'loyalty',
      name: '忠诚',
      metric: 'repurchase_rate',
      normaliser: { kind: 'linear', min: '0', max: '0.75' },
      weight: '15',
    },
    {
      key: 'ticket',
      name: '客单价',
      metric: 'avg_order_value',
      normaliser: { kind: 'log', min: '0', max: '100000' },
      weight: '10',
      missingScore: '20',
    },
    {
      key: 'orders',
      name: '订单',
      metric: 'order_count',
      normaliser: {
        kind: 'bands',
        bands: [
          { atLeast: '10', score: '100' },
          { atLeast: '5', score: '70' },
          { atLeast: '1', score: '30.5' },
        ],
        otherwise: '0',
      },
      weight: '10',
    },
    {
      key: 'influence',
      name: '影响力',
      metric: 'industry_influence',
      normaliser: {
        kind: 'category',
        categories: [
          { value: 'high', score: '100' },
          { value: 'medium', score: '60' },
          { value: 'low', score: '20' },
        ],
        otherwise: '0',
      },
      weight: '10',
      missingScore: '10',
    },
    {
      key: 'risk',
      name: '逾期',
      metric: 'overdue_days',
      normaliser: { kind: 'inverted', of: { kind: 'linear', min: '0', max: '90' } },
      weight: '9.99',
    },
    {
      key: 'strategic',
      name: '战略',
      metric: 'strategic_value',
      normaliser: { kind: 'linear', min: '1', max: '5' },
      weight: '10.01',
      missingScore: '25.55',
    },
  ],
  tiers: [
    { id: 'A', name: 'A 级', minScore: '75' },
    { id: 'B', name: 'B 级', minScore: '55' },
    { id: 'C', name: 'C 级', minScore: '35' },
    { id: 'D', name: 'D 级', minScore: '0' },
  ],
  floors: [
    {
      id: 'big',
      name: '大额客户至少 B',
      when: { combine: 'all', conditions: [{ metric: 'revenue_12m', op: 'gte', value: '300000' }] },
      tier: 'B',
    },
  ],
  caps: [
    {
      id: 'complaints',
      name: '投诉多最多 C',
      when: {
        combine: 'any',
        conditions: [
          { metric: 'complaints_90d', op: 'gte', value: '2' },
          { metric: 'industry_influence', op: 'eq', value: 'low' },
        ],
      },
      tier: 'C',
    },
  ],
}) as TierModel;

const CRITERIA = validated({
  ...B2B_CRITERIA_TEMPLATE,
  tiers: B2B_CRITERIA_TEMPLATE.tiers.map((t) => ({
    ...t,
    // the template's amounts scaled to the generated tenant (÷ 20)
    when: {
      ...t.when,
      conditions: t.when.conditions.map((c) =>
        c.metric === 'revenue_12m' && typeof c.value === 'string'
          ? { ...c, value: String(Number(c.value) / 20) }
          : c,
      ),
    },
  })),
  floors: [
    {
      id: 'strategic5',
      name: '战略价值 5 至少潜力',
      when: {
        combine: 'at_least',
        atLeast: 1,
        conditions: [
          { metric: 'strategic_value', op: 'gte', value: '5' },
          { metric: 'growth_potential', op: 'in', value: ['high'] },
        ],
      },
      tier: 'potential',
    },
  ],
  caps: [
    {
      id: 'overdue',
      name: '逾期超 60 天最多重点',
      when: {
        combine: 'all',
        conditions: [
          { metric: 'overdue_days', op: 'gt', value: '60' },
          { metric: 'industry_influence', op: 'not_in', value: ['high'] },
          { metric: 'decision_contacts', op: 'lte', value: '1' },
          { metric: 'growth_potential', op: 'ne', value: 'high' },
        ],
      },
      tier: 'key',
    },
  ],
}) as TierModel;

const RFM = validated({ kind: 'rfm' }) as RfmModel;

function validated(input: unknown): RunnableModel {
  const v = validateTieringModel(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  if (v.value.kind === 'clv') throw new Error('clv');
  return v.value;
}

let env: TestEnv;
let org: TestOrg;
const N = 180;
const ids: string[] = Array.from({ length: N }, () => randomUUID());

const sql = <T extends Record<string, any> = Record<string, any>>(text: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(text, params)).rows);

async function generate(seed: number) {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const orders: unknown[] = [];
  const follow: unknown[] = [];
  const tickets: unknown[] = [];
  const manual: unknown[] = [];
  const payments: unknown[] = [];
  ids.forEach((id, c) => {
    const n = c % 17 === 0 ? 0 : Math.floor(rand() * 16);
    const scale = rand() < 0.1 ? 40 : 1;
    for (let i = 0; i < n; i++) {
      const oid = randomUUID();
      const day = D - Math.floor(rand() * 700);
      const amount = (Math.exp(rand() * 4) * 2000 * scale).toFixed(2);
      const status = rand() < 0.9 ? 'confirmed' : pick(['cancelled', 'returned']);
      orders.push({ id: oid, customer_id: id, day: ymd(day), amount, status });
      if (rand() < 0.2) {
        payments.push({
          order_id: oid,
          customer_id: id,
          amount,
          due: ymd(day + Math.floor(rand() * 200)),
          paid: null,
        });
      }
    }
    for (let i = Math.floor(rand() * 5); i > 0; i--) {
      follow.push({ customer_id: id, at: new Date((D - Math.floor(rand() * 150)) * DAY).toISOString() });
    }
    for (let i = rand() < 0.15 ? 1 + Math.floor(rand() * 3) : 0; i > 0; i--) {
      tickets.push({ customer_id: id, opened: new Date((D - Math.floor(rand() * 80)) * DAY).toISOString() });
    }
    if (rand() < 0.5)
      manual.push({ customer_id: id, metric: 'strategic_value', value: String(1 + Math.floor(rand() * 5)) });
    if (rand() < 0.6)
      manual.push({ customer_id: id, metric: 'industry_influence', value: pick(['high', 'medium', 'low']) });
    if (rand() < 0.3)
      manual.push({ customer_id: id, metric: 'growth_potential', value: pick(['high', 'medium', 'low']) });
  });
  await env.db.withTenant(org.tenantId, async (tx) => {
    await tx.query(
      `INSERT INTO customers (tenant_id, id, name, name_norm, status)
       SELECT kam_tenant(), id, '分级客户' || n, '分级客户' || n, 'active' FROM unnest($1::uuid[]) WITH ORDINALITY t(id, n)`,
      [ids],
    );
    await tx.query(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, status)
       SELECT kam_tenant(), o.id, 'R-' || o.id, o.customer_id, o.day, o.amount, o.status
       FROM jsonb_to_recordset($1::jsonb) o(id uuid, customer_id uuid, day date, amount numeric, status text)`,
      [JSON.stringify(orders)],
    );
    await tx.query(
      `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at)
       SELECT kam_tenant(), gen_random_uuid(), p.order_id, p.customer_id, p.amount, p.due, p.paid
       FROM jsonb_to_recordset($1::jsonb) p(order_id uuid, customer_id uuid, amount numeric, due date, paid date)
       WHERE p.amount > 0`,
      [JSON.stringify(payments)],
    );
    await tx.query(
      `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, summary)
       SELECT kam_tenant(), gen_random_uuid(), f.customer_id, 'visit', f.at, '拜访'
       FROM jsonb_to_recordset($1::jsonb) f(customer_id uuid, at timestamptz)`,
      [JSON.stringify(follow)],
    );
    await tx.query(
      `INSERT INTO service_records (tenant_id, id, customer_id, type, title, opened_at)
       SELECT kam_tenant(), gen_random_uuid(), s.customer_id, 'complaint', '投诉', s.opened
       FROM jsonb_to_recordset($1::jsonb) s(customer_id uuid, opened timestamptz)`,
      [JSON.stringify(tickets)],
    );
    await tx.query(
      `INSERT INTO customer_manual_metrics (tenant_id, customer_id, metric, value)
       SELECT kam_tenant(), m.customer_id, m.metric, m.value
       FROM jsonb_to_recordset($1::jsonb) m(customer_id uuid, metric text, value text)`,
      [JSON.stringify(manual)],
    );
  });
}

/** A model with a published version, as the service would store it. */
async function publishedModel(name: string, model: RunnableModel): Promise<string> {
  const id = randomUUID();
  await sql(
    `INSERT INTO tier_models (tenant_id, id, name, kind, published_version) VALUES (kam_tenant(), $1, $2, $3, NULL)`,
    [id, name, model.kind],
  );
  await sql(
    `INSERT INTO tier_model_versions (tenant_id, model_id, version_no, definition) VALUES (kam_tenant(), $1, 1, $2)`,
    [id, JSON.stringify(model)],
  );
  await sql(`UPDATE tier_models SET published_version = 1 WHERE tenant_id = kam_tenant() AND id = $1`, [id]);
  return id;
}

async function newRun(
  modelId: string,
  model: RunnableModel,
  kind: 'full' | 'simulation',
  version: number | null = 1,
) {
  const id = randomUUID();
  await sql(
    `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, as_of)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6)`,
    [id, modelId, version, JSON.stringify(model), kind, AS_OF],
  );
  return id;
}

async function fullRun(modelId: string, model: RunnableModel, chunk = 37): Promise<string> {
  const runId = await newRun(modelId, model, 'full');
  await executeFullRun(env.db, org.tenantId, runId, chunk);
  return runId;
}

type Result = StoredResult;

const results = (modelId: string): Promise<Result[]> =>
  env.db.withTenant(org.tenantId, (tx) => storedResults(tx, modelId));

const states = async (modelId: string) =>
  new Map(
    (
      await sql<{ customer_id: string; tier: string; held_tier: string; below_count: number }>(
        `SELECT customer_id, tier, held_tier, below_count FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1`,
        [modelId],
      )
    ).map((r) => [r.customer_id, r]),
  );

const overrides = async (modelId: string) =>
  new Map(
    (
      await sql<{ customer_id: string; tier: string; until: string | null; reason: string }>(
        `SELECT customer_id, tier, until::text AS until, reason FROM tier_overrides
         WHERE tenant_id = kam_tenant() AND model_id = $1 AND revoked_at IS NULL`,
        [modelId],
      )
    ).map((r) => [r.customer_id, { tier: r.tier, until: r.until, reason: r.reason } satisfies TierOverride]),
  );

const runStats = async (runId: string) =>
  (
    await sql<{ statistics: RunStatistics }>(
      'SELECT statistics FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1',
      [runId],
    )
  )[0]!.statistics;

const num = (v: string | null | undefined) => (v === null || v === undefined ? null : toDec(v));
const same = (a: string | null | undefined, b: string | null | undefined) => {
  const x = num(a);
  const y = num(b);
  if (x === null || y === null) return x === y;
  const scale = Math.max(x.scale, y.scale);
  return x.units * 10n ** BigInt(scale - x.scale) === y.units * 10n ** BigInt(scale - y.scale);
};

/** Every stored result equals the domain's decision for the same inputs. */
function expectDomainAgreement(
  model: TierModel,
  rows: Result[],
  stats: RunStatistics,
  previous: Map<string, HysteresisState>,
  ovs: Map<string, TierOverride>,
) {
  const populations = Object.fromEntries(
    Object.entries(stats.percentiles).map(([k, bp]) => [k, breakpointsPopulation(bp)]),
  );
  for (const r of rows) {
    const d = decideTier(model, r.metrics as MetricValues, previous.get(r.customer_id) ?? null, {
      asOf: AS_OF,
      override: ovs.get(r.customer_id) ?? null,
      populations,
    });
    const who = `customer ${r.customer_id} ${JSON.stringify(r.metrics)}`;
    expect(r.tier, who).toBe(d.tier);
    expect(r.raw_tier, who).toBe(d.rawTier);
    expect(r.decided_by, who).toBe(d.decidedBy);
    expect(r.score ?? undefined, who).toBe(d.score);
    if (model.kind === 'weighted') {
      const b = presentBreakdown(model, r.breakdown as StoredDimension[]);
      expect(
        b.map((x) => x.normalised),
        who,
      ).toEqual(d.breakdown.map((x) => x.normalised));
      expect(
        b.map((x) => x.missing),
        who,
      ).toEqual(d.breakdown.map((x) => x.missing));
      b.forEach((x, i) => {
        expect(same(x.contribution, d.breakdown[i]!.contribution), who).toBe(true);
      });
      expect(
        b.map((x) => x.value),
        who,
      ).toEqual(d.breakdown.map((x) => x.value ?? null));
    } else {
      const trace = presentCriteria(model, r.detail, r.metrics);
      expect(
        trace.map((t) => ({
          tier: t.tier,
          holds: t.holds,
          satisfied: t.satisfied,
          conditions: t.conditions.map((c) => c.holds),
        })),
        who,
      ).toEqual(
        d.criteria!.map((t) => ({
          tier: t.tier,
          holds: t.result.holds,
          satisfied: t.result.satisfied,
          conditions: t.result.conditions.map((c) => c.holds),
        })),
      );
    }
    expect(appliedRules(model, r.raw_tier, r.detail), who).toEqual(d.appliedRules);
    expect({ tier: r.detail.held, belowCount: r.detail.belowCount }, who).toEqual(d.hysteresis);
  }
}

const withoutRun = ({ run_id: _r, ...rest }: Result) => rest;
const withoutState = ({ run_id: _r, detail, ...rest }: Result) => {
  const { hysteresis: _h, previous: _p, previousBelowCount: _c, ...d } = detail;
  return { ...rest, detail: d };
};

const snapshotState = (modelId: string) =>
  states(modelId).then(
    (m) => new Map([...m].map(([k, v]) => [k, { tier: v.held_tier, belowCount: v.below_count }])),
  );

let weightedId: string;

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env);
  await generate(424242);
  weightedId = await publishedModel('加权', WEIGHTED);
});
afterAll(() => env?.close());

describe('a full run of a weighted model', () => {
  let runId: string;

  it('scores every live customer in chunks, with the domain engine’s exact decisions', async () => {
    // an override (until revoked) and an expired one: only the first applies
    await sql(
      `INSERT INTO tier_overrides (tenant_id, id, customer_id, model_id, tier, until, reason)
       VALUES (kam_tenant(), gen_random_uuid(), $1, $3, 'A', NULL, '总经理特批'),
              (kam_tenant(), gen_random_uuid(), $2, $3, 'A', '2026-06-14', '已过期')`,
      [ids[3], ids[4], weightedId],
    );
    runId = await fullRun(weightedId, WEIGHTED);
    const [run] = await sql(
      'SELECT status, total, processed, changed FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1',
      [runId],
    );
    expect(run).toMatchObject({ status: 'completed', total: N, processed: N, changed: N });
    const rows = await results(weightedId);
    expect(rows).toHaveLength(N);
    const stats = await runStats(runId);
    expectDomainAgreement(WEIGHTED as TierModel, rows, stats, new Map(), await overrides(weightedId));
    // the statistics are the domain's breakpoints of the population
    for (const metric of ['revenue_12m', 'recency_days']) {
      const expected = percentileBreakpoints(sortedPopulation(rows.map((r) => r.metrics[metric])));
      expect(stats.percentiles[metric]!.length).toBe(101);
      stats.percentiles[metric]!.forEach((b, i) => {
        expect(same(b, expected[i]), `${metric} b${i}`).toBe(true);
      });
    }
    // the override decided customer 3; every rule kind occurs somewhere
    expect(rows.find((r) => r.customer_id === ids[3])).toMatchObject({ tier: 'A', decided_by: 'override' });
    const decided = new Set(rows.map((r) => r.decided_by));
    expect(decided).toContain('threshold');
    expect([...decided].some((d) => d === 'cap' || d === 'floor')).toBe(true);
  });

  it('writes a history row and an outbox event for every customer whose tier changed, in the same statement', async () => {
    const history = await sql(
      `SELECT id::text, customer_id, from_tier, to_tier, reason
       FROM tier_history WHERE tenant_id = kam_tenant() AND run_id = $1`,
      [runId],
    );
    expect(history).toHaveLength(N);
    expect(history.every((h) => h.from_tier === null && h.reason === 'full_run')).toBe(true);
    // ids ordered by time (UUID version 7 layout: the milliseconds first), so they append to the index
    const ms = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    for (const h of history) {
      expect(h.id[14], h.id).toBe('7');
      expect('89ab', h.id).toContain(h.id[19]); // the RFC 4122 variant
      expect(Math.abs(ms(h.id) - Date.now())).toBeLessThan(3_600_000);
    }
    // ordered within each chunk's statement as well: by time, then by the statement's counter
    const byTime = [...history].sort((a, b) => ms(a.id) - ms(b.id));
    expect(new Set(history.map((h) => h.id)).size).toBe(N);
    expect(byTime.map((h) => ms(h.id))).toEqual(history.map((h) => ms(h.id)).sort((a, b) => a - b));
    // one event per chunk statement, listing that chunk's changes: every changed customer exactly once,
    // with the tier its history row records
    const events = await sql<{
      changes: number;
      payload: { changes: { customerId: string; from: string | null; to: string; decidedBy: string }[] };
    }>(
      `SELECT changes, payload FROM tier_events_outbox WHERE tenant_id = kam_tenant() AND model_id = $1 ORDER BY seq`,
      [weightedId],
    );
    expect(events.length).toBe(Math.ceil(N / 37)); // fullRun: chunks of 37
    for (const e of events) {
      expect(e.payload).toMatchObject({
        modelId: weightedId,
        runId,
        reason: 'full_run',
        tierOfRecord: false,
      });
      expect(e.changes).toBe(e.payload.changes.length);
    }
    const changes = events.flatMap((e) => e.payload.changes);
    const tierOf = new Map(history.map((h) => [h.customer_id, h.to_tier]));
    expect(changes).toHaveLength(N);
    expect(new Set(changes.map((c) => c.customerId)).size).toBe(N);
    for (const c of changes) {
      expect(c.from).toBeNull();
      expect(c.to).toBe(tierOf.get(c.customerId));
      expect(typeof c.decidedBy).toBe('string');
    }
  });

  it('a second run on unchanged data gives identical results and changes nothing', async () => {
    const before = await results(weightedId);
    const stateBefore = await states(weightedId);
    const run2 = await fullRun(weightedId, WEIGHTED, 1000);
    const after = await results(weightedId);
    // the first run had no previous state (hysteresis "initial"); everything else is identical
    expect(after.map(withoutState)).toEqual(before.map(withoutState));
    expect(after.every((r) => r.detail.hysteresis === 'same' || r.detail.hysteresis === 'held')).toBe(true);
    expect(await states(weightedId)).toEqual(stateBefore);
    // a third run equals the second in every stored field
    await fullRun(weightedId, WEIGHTED, 90);
    expect((await results(weightedId)).map(withoutRun)).toEqual(after.map(withoutRun));
    expect(
      await sql('SELECT 1 FROM tier_history WHERE tenant_id = kam_tenant() AND run_id = $1', [run2]),
    ).toHaveLength(0);
    const [run] = await sql('SELECT changed FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1', [
      run2,
    ]);
    expect(run!.changed).toBe(0);
  });

  it('a customer deleted since the last run loses its result and current tier at the next run; the others keep theirs', async () => {
    const id = await publishedModel(`删除-${randomUUID().slice(0, 8)}`, WEIGHTED);
    const gone = randomUUID();
    await sql(
      `INSERT INTO customers (tenant_id, id, name, name_norm, status)
       VALUES (kam_tenant(), $1, '将删除的客户', '将删除的客户', 'active')`,
      [gone],
    );
    await fullRun(id, WEIGHTED, 50);
    expect((await results(id)).map((r) => r.customer_id)).toContain(gone);
    expect((await states(id)).has(gone)).toBe(true);
    await sql('UPDATE customers SET deleted_at = now() WHERE tenant_id = kam_tenant() AND id = $1', [gone]);
    const next = await fullRun(id, WEIGHTED, 50);
    const after = await results(id);
    expect(after).toHaveLength(N);
    expect(after.map((r) => r.customer_id)).not.toContain(gone);
    expect(after.every((r) => r.run_id === next)).toBe(true);
    // nor a current tier: the distribution counts live customers only
    const current = await states(id);
    expect(current.has(gone)).toBe(false);
    expect(current.size).toBe(N);
  });

  it('applies hysteresis against the stored state when data changes, as the domain does', async () => {
    // the best customers lose most of their revenue: downgrades wait (held) or happen by margin
    const top = (await results(weightedId))
      .filter((r) => r.tier === 'A' && r.decided_by !== 'override')
      .sort(
        (a, b) =>
          Number(b.score) - Number(a.score) || Number(b.metrics.revenue_12m) - Number(a.metrics.revenue_12m),
      )
      .slice(0, 8);
    expect(top.length).toBeGreaterThan(0);
    await sql(
      `UPDATE orders SET status = 'cancelled' WHERE tenant_id = kam_tenant() AND customer_id = ANY($1::uuid[])
         AND ordered_at > $2::date - 200`,
      [top.map((r) => r.customer_id), AS_OF],
    );
    // customers of tier C as if they had been B: within the margin (score ≥ 55 − 5) the downgrade waits
    // for 3 runs, below it happens at once
    const cs = (await results(weightedId)).filter((r) => r.tier === 'C' && r.decided_by === 'threshold');
    expect(cs.some((r) => Number(r.score) >= 50)).toBe(true);
    expect(cs.some((r) => Number(r.score) < 50)).toBe(true);
    await sql(
      `UPDATE tier_current SET tier = 'B', held_tier = 'B', below_count = 0
       WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = ANY($2::uuid[])`,
      [weightedId, cs.map((r) => r.customer_id)],
    );
    const outcomes = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const previous = await snapshotState(weightedId);
      const run = await fullRun(weightedId, WEIGHTED, 100);
      const rows = await results(weightedId);
      for (const r of rows) outcomes.add(`${i}:${r.detail.hysteresis}`);
      expectDomainAgreement(
        WEIGHTED as TierModel,
        rows,
        await runStats(run),
        previous,
        await overrides(weightedId),
      );
      const changed = await sql(
        'SELECT customer_id, from_tier, to_tier FROM tier_history WHERE tenant_id = kam_tenant() AND run_id = $1',
        [run],
      );
      const [r] = await sql('SELECT changed FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1', [
        run,
      ]);
      expect(changed).toHaveLength(r!.changed);
      for (const h of changed) expect(h.from_tier).not.toBe(h.to_tier);
    }
    // run 1: held (within the margin) and margin (below it); run 2: still held; run 3: downgraded after 3 runs
    expect([...outcomes]).toEqual(expect.arrayContaining(['0:held', '0:margin', '1:held', '2:runs']));
    expect(outcomes.has('2:held')).toBe(false);
  });

  it('a triggered re-score of an unchanged customer gives exactly the full run’s result, and no history', async () => {
    // some customers held above their model tier by hysteresis: a re-score must not count as another run
    const cs = (await results(weightedId)).filter((r) => r.tier === 'C' && Number(r.score) >= 50);
    expect(cs.length).toBeGreaterThan(0);
    await sql(
      `UPDATE tier_current SET tier = 'B', held_tier = 'B', below_count = 0
       WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = ANY($2::uuid[])`,
      [weightedId, cs.map((r) => r.customer_id)],
    );
    const last = await fullRun(weightedId, WEIGHTED);
    const before = await results(weightedId);
    const held = before.filter((r) => r.detail.hysteresis === 'held').map((r) => r.customer_id);
    expect(held.length).toBeGreaterThan(0);
    const sample = [...new Set([...held, ...before.slice(0, 25).map((r) => r.customer_id)])];
    // re-scored twice: the same decision every time
    await env.db.withTenant(org.tenantId, (tx) => rescoreCustomers(tx, sample, AS_OF, 'test'));
    const historyBefore = (
      await sql('SELECT count(*)::int AS n FROM tier_history WHERE tenant_id = kam_tenant()')
    )[0]!.n;
    await env.db.withTenant(org.tenantId, (tx) => rescoreCustomers(tx, sample, AS_OF, 'test'));
    const after = await results(weightedId);
    for (const id of sample) {
      const a = after.find((r) => r.customer_id === id)!;
      const b = before.find((r) => r.customer_id === id)!;
      expect({ ...a, run_id: '' }).toEqual({ ...b, run_id: '' });
      expect(a.run_id).not.toBe(last);
    }
    expect(
      (await sql('SELECT count(*)::int AS n FROM tier_history WHERE tenant_id = kam_tenant()'))[0]!.n,
    ).toBe(historyBefore);
  });

  it('a triggered re-score of a changed customer uses the full run’s statistics and records the change', async () => {
    const full = (
      await sql(
        `SELECT id FROM tier_runs WHERE tenant_id = kam_tenant() AND model_id = $1 AND kind = 'full' AND status = 'completed'
       ORDER BY finished_at DESC LIMIT 1`,
        [weightedId],
      )
    )[0]!.id as string;
    const target = (await results(weightedId)).find((r) => r.tier === 'D' && r.decided_by === 'threshold')!;
    // a triggered re-score re-decides the last run: from the state that run started from
    const previous = new Map(
      (await results(weightedId))
        .filter((r) => r.detail.previous)
        .map((r) => [
          r.customer_id,
          { tier: r.detail.previous!, belowCount: r.detail.previousBelowCount ?? 0 },
        ]),
    );
    await sql(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, status)
       VALUES (kam_tenant(), gen_random_uuid(), 'BIG-' || gen_random_uuid(), $1, $2::date - 3, 900000, 'confirmed')`,
      [target.customer_id, AS_OF],
    );
    // the order trigger queued the customer (a large order)
    const queued = await sql(
      'SELECT reason FROM tier_rescore_queue WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [target.customer_id],
    );
    expect(queued).toEqual([{ reason: 'large_order' }]);
    // in the caller's transaction: its planner setting is as it was afterwards
    const mode = await env.db.withTenant(org.tenantId, async (tx) => {
      await tx.query(`SELECT set_config('plan_cache_mode', 'force_custom_plan', true)`);
      await rescoreCustomers(tx, [target.customer_id], AS_OF, 'large_order');
      return (await tx.query<{ mode: string }>(`SELECT current_setting('plan_cache_mode') AS mode`)).rows[0]!
        .mode;
    });
    expect(mode).toBe('force_custom_plan');
    // one triggered run row per published model that has a full run, from that run's statistics
    const runs = await sql(
      `SELECT model_id, processed, changed, statistics->>'fromRun' AS from_run FROM tier_runs
       WHERE tenant_id = kam_tenant() AND kind = 'triggered' AND customer_id = $1 AND model_id = $2`,
      [target.customer_id, weightedId],
    );
    expect(runs).toEqual([{ model_id: weightedId, processed: 1, changed: 1, from_run: full }]);
    const row = (await results(weightedId)).find((r) => r.customer_id === target.customer_id)!;
    expectDomainAgreement(
      WEIGHTED as TierModel,
      [row],
      await runStats(full),
      previous,
      await overrides(weightedId),
    );
    expect(row.tier).not.toBe('D');
    const h = await sql(
      `SELECT from_tier, to_tier, reason FROM tier_history WHERE tenant_id = kam_tenant() AND customer_id = $1 AND model_id = $2
       ORDER BY changed_at DESC LIMIT 1`,
      [target.customer_id, weightedId],
    );
    expect(h[0]).toEqual({ from_tier: 'D', to_tier: row.tier, reason: 'large_order' });
  });
});

describe('a criteria model (the B2B template) and an RFM model', () => {
  it('criteria: every decision and condition trace equals the domain’s', async () => {
    const id = await publishedModel('B2B', CRITERIA);
    const run = await fullRun(id, CRITERIA);
    const rows = await results(id);
    expect(rows).toHaveLength(N);
    expectDomainAgreement(CRITERIA as TierModel, rows, await runStats(run), new Map(), new Map());
    expect(new Set(rows.map((r) => r.tier)).size).toBeGreaterThan(1);
  });

  it('RFM: cut points, averages and every customer’s scores and segment equal the domain’s', async () => {
    const id = await publishedModel('RFM', RFM);
    const run = await fullRun(id, RFM);
    const rows = await results(id);
    const stats = (await runStats(run)).rfm!;
    const values = rows.map((r) => ({
      recency: r.metrics.recency_days,
      frequency: r.metrics.order_count,
      monetary: r.metrics.revenue_12m,
    }));
    const expected = rfmStatistics(values, RFM.bins);
    for (const d of ['recency', 'frequency', 'monetary'] as const) {
      expect(stats[d].cuts.length).toBe(expected[d].cuts.length);
      stats[d].cuts.forEach((c, i) => {
        expect(same(c, expected[d].cuts[i]), `${d} cut ${i}`).toBe(true);
      });
      expect(stats[d].count).toBe(expected[d].count);
      expect(same(stats[d].sum, expected[d].sum)).toBe(true);
      expect(stats[d].scoreSum).toBe(expected[d].scoreSum);
    }
    rows.forEach((r, i) => {
      const s = scoreRfm(values[i]!, expected, RFM.segmentBasis);
      expect(r.tier).toBe(s.segment);
      expect(r.breakdown).toEqual({ r: s.r, f: s.f, m: s.m, code: s.code, high: s.high });
    });
    expect(new Set(rows.map((r) => r.tier)).size).toBeGreaterThan(2);

    // RFM scores and segments are metrics other models may use
    const uses = validated({
      kind: 'weighted',
      dimensions: [
        {
          key: 'r',
          name: 'R',
          metric: 'rfm_r',
          normaliser: { kind: 'linear', min: '1', max: '5' },
          weight: '50',
        },
        {
          key: 'seg',
          name: '分群',
          metric: 'rfm_segment',
          normaliser: {
            kind: 'category',
            categories: [{ value: 'important_value', score: '100' }],
            otherwise: '20',
          },
          weight: '50',
        },
      ],
      tiers: [
        { id: 'top', name: '重点', minScore: '60' },
        { id: 'rest', name: '其他', minScore: '0' },
      ],
    }) as TierModel;
    const usesId = await publishedModel('用 RFM', uses);
    const usesRun = await fullRun(usesId, uses);
    const usesRows = await results(usesId);
    for (const u of usesRows) {
      const rfmRow = rows.find((r) => r.customer_id === u.customer_id)!;
      const b = rfmRow.breakdown as { r: number };
      expect(u.metrics).toEqual({ rfm_r: String(b.r), rfm_segment: rfmRow.tier });
    }
    expectDomainAgreement(uses, usesRows, await runStats(usesRun), new Map(), new Map());
    expect(new Set(usesRows.map((r) => r.tier))).toEqual(new Set(['top', 'rest']));
  });
});

describe('simulation of a draft', () => {
  const tableCounts = () =>
    sql<{ t: string; n: number; h: string }>(
      `SELECT 'results' AS t, count(*)::int AS n, coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '') AS h FROM tier_results r
       UNION ALL SELECT 'current', count(*)::int, coalesce(md5(string_agg(c::text, ',' ORDER BY c::text)), '') FROM tier_current c
       UNION ALL SELECT 'history', count(*)::int, '' FROM tier_history
       UNION ALL SELECT 'outbox', count(*)::int, '' FROM tier_events_outbox
       UNION ALL SELECT 'queue', count(*)::int, '' FROM tier_rescore_queue`,
    );

  async function simulate(modelId: string, draft: RunnableModel): Promise<SimulationResult> {
    const runId = await newRun(modelId, draft, 'simulation', null);
    await executeSimulation(env.db, org.tenantId, runId);
    const [run] = await sql(
      'SELECT status, result FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1',
      [runId],
    );
    expect(run!.status).toBe('completed');
    return run!.result as SimulationResult;
  }

  it('returns the migration matrix, distributions and samples — and writes no result, tier or history', async () => {
    const draft = validated({
      ...WEIGHTED,
      tiers: [
        { id: 'A', name: 'A', minScore: '60' },
        { id: 'B', name: 'B', minScore: '45' },
        { id: 'C', name: 'C', minScore: '30' },
        { id: 'D', name: 'D', minScore: '0' },
      ],
    });
    const before = await tableCounts();
    const current = await states(weightedId);
    const sim = await simulate(weightedId, draft);
    expect(await tableCounts()).toEqual(before);
    expect(sim.baselineModelId).toBe(weightedId);
    // the rows' tiers, named as the published version names them
    expect(sim.baselineTiers).toEqual(WEIGHTED.tiers.map((t) => ({ id: t.id, name: t.name })));
    expect(sim.population).toBe(N);
    expect(sim.matrix.reduce((s, c) => s + c.count, 0)).toBe(N);
    // "before" is the current tier distribution of the model
    const currentCounts = new Map<string, number>();
    for (const s of current.values()) currentCounts.set(s.tier, (currentCounts.get(s.tier) ?? 0) + 1);
    expect(new Map(sim.before.map((b) => [b.tier, b.count]))).toEqual(currentCounts);
    expect(sim.after.reduce((s, a) => s + a.count, 0)).toBe(N);
    // lower thresholds never move anyone down to a lower raw tier
    for (const cell of sim.samples) {
      expect(cell.customers.length).toBeGreaterThan(0);
      expect(cell.customers.length).toBeLessThanOrEqual(3);
      for (const c of cell.customers) expect(c.name).toMatch(/^分级客户/);
    }
    // publishing the draft and running it gives exactly the simulated distribution
    await sql(
      `INSERT INTO tier_model_versions (tenant_id, model_id, version_no, definition) VALUES (kam_tenant(), $1, 2, $2)`,
      [weightedId, JSON.stringify(draft)],
    );
    await sql(`UPDATE tier_models SET published_version = 2 WHERE tenant_id = kam_tenant() AND id = $1`, [
      weightedId,
    ]);
    const runId = await newRun(weightedId, draft, 'full', 2);
    const matrixBefore = new Map([...(await states(weightedId))].map(([k, v]) => [k, v.tier]));
    await executeFullRun(env.db, org.tenantId, runId);
    const after = await states(weightedId);
    const cells = new Map<string, number>();
    for (const [id, s] of after) {
      const key = `${matrixBefore.get(id) ?? null}→${s.tier}`;
      cells.set(key, (cells.get(key) ?? 0) + 1);
    }
    expect(new Map(sim.matrix.map((c) => [`${c.from}→${c.to}`, c.count]))).toEqual(cells);
  });

  it('property: a simulation of any weighted draft never writes a result, tier, history row or event', async () => {
    const weights = fc
      .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 7, maxLength: 7 })
      .map((cuts) => {
        const s = [0, ...cuts.sort((a, b) => a - b), 10_000];
        return s.slice(1).map((v, i) => ((v - s[i]!) / 100).toFixed(2));
      });
    await fc.assert(
      fc.asyncProperty(weights, fc.integer({ min: 1, max: 98 }), async (w, top) => {
        const draft = validated({
          ...WEIGHTED,
          dimensions: (WEIGHTED as { dimensions: object[] }).dimensions.map((d, i) => ({
            ...d,
            weight: w[i],
          })),
          tiers: [
            { id: 'A', name: 'A', minScore: String(top + 1) },
            { id: 'B', name: 'B', minScore: String(Math.ceil(top / 2)) },
            { id: 'D', name: 'D', minScore: '0' },
          ],
          floors: [],
          caps: [],
        });
        const before = await tableCounts();
        const sim = await simulate(weightedId, draft);
        expect(sim.after.reduce((s, a) => s + a.count, 0)).toBe(N);
        expect(await tableCounts()).toEqual(before);
      }),
      { numRuns: 6 },
    );
  });
});

describe('properties of the compiled engine', () => {
  it('the tier (without hysteresis) is monotone in a positively weighted dimension: raising strategic value never lowers it', async () => {
    const model = validated({
      ...WEIGHTED,
      hysteresis: { downgradeAfterRuns: 1, downgradeMargin: null },
      caps: [],
    }) as TierModel;
    const id = await publishedModel(`单调-${randomUUID().slice(0, 8)}`, model);
    await fullRun(id, model, 1000);
    const rank = (t: string) => ['A', 'B', 'C', 'D'].indexOf(t);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: N - 1 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        async (c, low, step) => {
          const high = Math.min(5, low + step);
          const tierAt = async (value: number) => {
            await sql(
              `INSERT INTO customer_manual_metrics (tenant_id, customer_id, metric, value) VALUES (kam_tenant(), $1, 'strategic_value', $2)
               ON CONFLICT (tenant_id, customer_id, metric) DO UPDATE SET value = excluded.value`,
              [ids[c], String(value)],
            );
            await env.db.withTenant(org.tenantId, (tx) => rescoreCustomers(tx, [ids[c]!], AS_OF, 'property'));
            const [r] = await sql(
              'SELECT tier, score::text AS score FROM tier_results WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2',
              [id, ids[c]],
            );
            return r as { tier: string; score: string };
          };
          const a = await tierAt(low);
          const b = await tierAt(high);
          expect(Number(b.score)).toBeGreaterThanOrEqual(Number(a.score));
          expect(rank(b.tier)).toBeLessThanOrEqual(rank(a.tier));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('full runs on unchanged data give identical results (any chunk sizes)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 7, max: 200 }), fc.integer({ min: 7, max: 200 }), async (c1, c2) => {
        const id = await publishedModel(`重跑-${randomUUID().slice(0, 8)}`, CRITERIA);
        await fullRun(id, CRITERIA, c1);
        const first = await results(id);
        await fullRun(id, CRITERIA, c2);
        const second = await results(id);
        await fullRun(id, CRITERIA, c1);
        const third = await results(id);
        expect(second.map(withoutState)).toEqual(first.map(withoutState));
        expect(third.map(withoutRun)).toEqual(second.map(withoutRun));
      }),
      { numRuns: 5 },
    );
  });
});

describe('runs survive their worker, and writers of one model take turns', () => {
  /** A worker that dies after `chunks` chunks: the run stays "running" with its last committed chunk. */
  const dyingAfter = (chunks: number) => {
    let checks = 0;
    return {
      get aborted() {
        return ++checks > chunks;
      },
    } as AbortSignal;
  };
  const runRow = async (runId: string) =>
    (
      await sql(
        `SELECT status, processed, total, resume_after, attempts, error, error_code, error_params FROM tier_runs
         WHERE tenant_id = kam_tenant() AND id = $1`,
        [runId],
      )
    )[0]!;
  const historyOf = (runId: string) =>
    sql<{ customer_id: string; from_tier: string | null; to_tier: string }>(
      `SELECT customer_id, from_tier, to_tier FROM tier_history WHERE tenant_id = kam_tenant() AND run_id = $1
       ORDER BY customer_id`,
      [runId],
    );
  const stall = (runId: string) =>
    sql(
      `UPDATE tier_runs SET heartbeat_at = now() - interval '10 minutes' WHERE tenant_id = kam_tenant() AND id = $1`,
      [runId],
    );
  /** The run's staged metrics table (server: `stageMetrics`), or null when there is none. */
  const stagedTable = async (runId: string) =>
    (await sql<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [stageTable(runId)]))[0]!.t;
  /** What a restart of the database server does to an unlogged table: empties it. */
  const emptyStage = (runId: string) => env.db.withSystem((tx) => tx.query(`TRUNCATE ${stageTable(runId)}`));
  /** Locks one customer's result row until released: a chunk writing that customer waits for it. */
  const holdResult = (modelId: string, customerId: string) => {
    let held!: () => void;
    let release!: () => void;
    const isHeld = new Promise<void>((r) => {
      held = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    const done = env.db.withTenant(org.tenantId, async (tx) => {
      await tx.query(
        'SELECT 1 FROM tier_results WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2 FOR UPDATE',
        [modelId, customerId],
      );
      held();
      await released;
    });
    return { isHeld, release, done };
  };

  it('the watchdog hands a stalled run to a worker again, which continues after the last committed chunk', async () => {
    const straight = await publishedModel(`直跑-${randomUUID().slice(0, 8)}`, WEIGHTED);
    const straightRun = await fullRun(straight, WEIGHTED, 37);
    const resumed = await publishedModel(`续跑-${randomUUID().slice(0, 8)}`, WEIGHTED);
    const runId = await newRun(resumed, WEIGHTED, 'full');
    await executeFullRun(env.db, org.tenantId, runId, 37, { signal: dyingAfter(2) });
    expect(await runRow(runId)).toMatchObject({ status: 'running', processed: 74, total: N, attempts: 0 });
    // within the heartbeat window nothing happens; after it, the run is sent again (once)
    const queue = new InlineQueue();
    expect(
      (await recoverStalledRuns(env.db, queue, undefined, [org.tenantId])).map((r) => r.runId),
    ).not.toContain(runId);
    await stall(runId);
    const handed = await recoverStalledRuns(env.db, queue, undefined, [org.tenantId]);
    expect(handed).toContainEqual({ tenantId: org.tenantId, runId, kind: 'full' });
    expect(await runRow(runId)).toMatchObject({ attempts: 1 });
    await queue.work<{ tenantId: string; runId: string }>(TIERING_RUN_JOB, (job) =>
      executeFullRun(env.db, job.data.tenantId, job.data.runId, 37),
    );
    await queue.drain();
    expect(await runRow(runId)).toMatchObject({ status: 'completed', processed: N, total: N });
    // the same outcome as a run that was never interrupted: every result, one history row per customer
    const strip = ({ run_id: _r, ...rest }: Result) => rest;
    expect((await results(resumed)).map(strip)).toEqual((await results(straight)).map(strip));
    const history = await historyOf(runId);
    expect(history).toHaveLength(N);
    expect(new Set(history.map((h) => h.customer_id)).size).toBe(N);
    expect(history.map((h) => h.to_tier)).toEqual((await historyOf(straightRun)).map((h) => h.to_tier));
  });

  it('two workers holding the same run write each chunk once: the one that falls behind stops', async () => {
    const id = await publishedModel(`双工-${randomUUID().slice(0, 8)}`, WEIGHTED);
    const runId = await newRun(id, WEIGHTED, 'full');
    await executeFullRun(env.db, org.tenantId, runId, 23, { signal: dyingAfter(1) });
    await Promise.all([
      executeFullRun(env.db, org.tenantId, runId, 23),
      executeFullRun(env.db, org.tenantId, runId, 23),
    ]);
    expect(await runRow(runId)).toMatchObject({ status: 'completed', processed: N });
    const history = await historyOf(runId);
    expect(history).toHaveLength(N);
    expect(new Set(history.map((h) => h.customer_id)).size).toBe(N);
  });

  it(`a run that stalls ${MAX_RUN_ATTEMPTS + 1} times fails with the reason instead of being retried forever`, async () => {
    const id = await publishedModel(`失败-${randomUUID().slice(0, 8)}`, WEIGHTED);
    const runId = await newRun(id, WEIGHTED, 'full');
    await executeFullRun(env.db, org.tenantId, runId, 50, { signal: dyingAfter(1) });
    const queue = new InlineQueue();
    for (let i = 1; i <= MAX_RUN_ATTEMPTS; i++) {
      await stall(runId);
      expect(
        (await recoverStalledRuns(env.db, queue, undefined, [org.tenantId])).map((r) => r.runId),
      ).toContain(runId);
    }
    await stall(runId);
    expect(
      (await recoverStalledRuns(env.db, queue, undefined, [org.tenantId])).map((r) => r.runId),
    ).not.toContain(runId);
    const row = await runRow(runId);
    expect(row.status).toBe('failed');
    expect(row.error).toContain(`${MAX_RUN_ATTEMPTS} hand-overs`);
    expect(row).toMatchObject({
      error_code: 'TIERING_RUN_STALLED',
      error_params: { attempts: MAX_RUN_ATTEMPTS },
    });
    expect(await stagedTable(runId)).toBeNull(); // its staged metrics (server) are dropped with it
    // no job was ever executed: the queue holds the hand-overs, nothing else ran
    expect(queue.sent.filter((j) => (j.data as { runId: string }).runId === runId)).toHaveLength(
      MAX_RUN_ATTEMPTS,
    );
  });

  // The server stages a run's metrics (decision 0024); the embedded database computes them per chunk.
  it.runIf(process.env.KAM_TEST_PG_URL)(
    'a run resumed after the database lost its staged metrics stages them again, with the same outcome; they are dropped at the end',
    async () => {
      const straight = await publishedModel(`重建-${randomUUID().slice(0, 8)}`, WEIGHTED);
      const straightRun = await fullRun(straight, WEIGHTED, 37);
      expect(await stagedTable(straightRun)).toBeNull();
      const resumed = await publishedModel(`重建续-${randomUUID().slice(0, 8)}`, WEIGHTED);
      const runId = await newRun(resumed, WEIGHTED, 'full');
      await executeFullRun(env.db, org.tenantId, runId, 37, { signal: dyingAfter(2) });
      expect(await stagedTable(runId)).toBe(stageTable(runId));
      const staged = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${stageTable(runId)}`);
      expect(staged[0]!.n).toBe(N);
      await emptyStage(runId);
      await executeFullRun(env.db, org.tenantId, runId, 37);
      expect(await runRow(runId)).toMatchObject({ status: 'completed', processed: N, total: N });
      expect(await stagedTable(runId)).toBeNull();
      const strip = ({ run_id: _r, ...rest }: Result) => rest;
      expect((await results(resumed)).map(strip)).toEqual((await results(straight)).map(strip));
      expect((await historyOf(runId)).map((h) => h.to_tier)).toEqual(
        (await historyOf(straightRun)).map((h) => h.to_tier),
      );
    },
  );

  it.runIf(process.env.KAM_TEST_PG_URL)(
    'a run whose staged metrics are emptied under its worker fails with the reason instead of completing short',
    async () => {
      const id = await publishedModel(`清空-${randomUUID().slice(0, 8)}`, WEIGHTED);
      await fullRun(id, WEIGHTED, 60);
      // the second chunk (customers 61…120 in id order) waits for a row of it held here …
      const [second] = await sql<{ id: string }>(
        `SELECT id FROM customers WHERE tenant_id = kam_tenant() AND deleted_at IS NULL ORDER BY id OFFSET 60 LIMIT 1`,
      );
      const holder = holdResult(id, second!.id);
      await holder.isHeld;
      const runId = await newRun(id, WEIGHTED, 'full');
      const outcome = executeFullRun(env.db, org.tenantId, runId, 60, { parallel: 1 }).then(
        () => 'completed',
        (err: Error) => err.message,
      );
      const waiting = (mode: string) =>
        sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND mode = $1`, [mode]);
      await expect
        .poll(async () => (await waiting('ShareLock'))[0]!.n, { timeout: 20_000 })
        .toBeGreaterThan(0);
      // … while the database empties the staged metrics (queued behind that chunk, ahead of the next)
      const emptied = emptyStage(runId);
      await expect
        .poll(async () => (await waiting('AccessExclusiveLock'))[0]!.n, { timeout: 20_000 })
        .toBeGreaterThan(0);
      holder.release();
      await Promise.all([holder.done, emptied]);
      expect(await outcome).toBe('TIERING_RUN_STAGE_LOST'); // an AppError: its message is its code
      const row = await runRow(runId);
      expect(row).toMatchObject({ status: 'failed', processed: 120 });
      expect(row.error).toMatch(/staged metrics/);
      expect(row.error_code).toBe('TIERING_RUN_STAGE_LOST');
      expect(await stagedTable(runId)).toBeNull();
    },
  );

  // Two transactions interleave only on a server: the embedded engine runs one transaction at a time.
  it.runIf(process.env.KAM_TEST_PG_URL)(
    'a re-score committing while a full-run chunk writes the same customer is recorded once in the history',
    async () => {
      const id = await publishedModel(`竞态-${randomUUID().slice(0, 8)}`, WEIGHTED);
      await fullRun(id, WEIGHTED, 1000);
      const target = (await results(id)).find((r) => r.tier === 'D' && r.decided_by === 'threshold')!;
      await sql(
        `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, status)
       VALUES (kam_tenant(), gen_random_uuid(), 'RACE-' || gen_random_uuid(), $1, $2::date - 2, 900000, 'confirmed')`,
        [target.customer_id, AS_OF],
      );
      // the re-score holds its transaction open while a full run starts on the same model
      let rescored!: () => void;
      const rescoreWritten = new Promise<void>((r) => {
        rescored = r;
      });
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      const rescore = env.db.withTenant(org.tenantId, async (tx) => {
        await rescoreCustomers(tx, [target.customer_id], AS_OF, 'large_order');
        rescored();
        await released;
      });
      await rescoreWritten;
      const runId = await newRun(id, WEIGHTED, 'full');
      const run = executeFullRun(env.db, org.tenantId, runId, 1000);
      // release the re-score only once the run's chunk is waiting for it
      await expect
        .poll(async () => (await sql('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted'))[0]!.n, {
          timeout: 20_000,
        })
        .toBeGreaterThan(0);
      release();
      await Promise.all([rescore, run]);
      // the history is a chain (each change starts where the previous one ended) ending at the current
      // tier: no change written twice, none lost
      const chain = await sql<{ from_tier: string | null; to_tier: string; reason: string }>(
        `SELECT from_tier, to_tier, reason FROM tier_history WHERE tenant_id = kam_tenant() AND model_id = $1
         AND customer_id = $2 ORDER BY changed_at, id`,
        [id, target.customer_id],
      );
      expect(chain.map((h) => h.reason)).toContain('large_order');
      chain.forEach((h, i) => {
        expect(h.from_tier, JSON.stringify(chain)).toBe(i === 0 ? null : chain[i - 1]!.to_tier);
      });
      const [current] = await sql(
        'SELECT tier FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2',
        [id, target.customer_id],
      );
      expect(chain.at(-1)!.to_tier, JSON.stringify(chain)).toBe(current!.tier);
      expect(await runRow(runId)).toMatchObject({ status: 'completed', processed: N });
    },
  );

  it.runIf(process.env.KAM_TEST_PG_URL)(
    'two chunks in progress at once commit in order: a chunk that fails leaves none after it committed',
    async () => {
      const id = await publishedModel(`并行-${randomUUID().slice(0, 8)}`, WEIGHTED);
      await fullRun(id, WEIGHTED, 1000);
      const [first] = await sql<{ id: string }>(
        'SELECT id FROM customers WHERE tenant_id = kam_tenant() AND deleted_at IS NULL ORDER BY id LIMIT 1',
      );
      /** Holds the first customer's result row, so that the run's first chunk waits for it. */
      const holdFirst = () => holdResult(id, first!.id);
      const chunkStatements = (state: string) =>
        env.db.withSystem(
          async (tx) =>
            (
              await tx.query<{ pid: number; waiting: boolean }>(
                `SELECT pid, wait_event_type = 'Lock' AS waiting FROM pg_stat_activity
                 WHERE datname = current_database() AND state = $1 AND query LIKE 'WITH s AS MATERIALIZED%'`,
                [state],
              )
            ).rows,
        );
      /** Waits until chunk 2 has written its customers (idle, waiting for chunk 1) and chunk 1 waits for the row. */
      const secondChunkWaiting = async () => {
        await expect
          .poll(async () => (await chunkStatements('idle in transaction')).length, { timeout: 20_000 })
          .toBeGreaterThan(0);
        await expect
          .poll(async () => (await chunkStatements('active')).filter((r) => r.waiting).length, {
            timeout: 20_000,
          })
          .toBeGreaterThan(0);
      };

      // 1. chunk 1 fails (its statement is cancelled) while chunk 2 is written: chunk 2 is rolled back
      const holder = holdFirst();
      await holder.isHeld;
      const failing = await newRun(id, WEIGHTED, 'full');
      const outcome = executeFullRun(env.db, org.tenantId, failing, 100, { parallel: 2 }).then(
        () => 'completed',
        (err: Error) => err.message,
      );
      await secondChunkWaiting();
      expect(await runRow(failing)).toMatchObject({ status: 'running', processed: 0, resume_after: null });
      await env.db.withSystem((tx) =>
        tx.query(
          `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH s AS MATERIALIZED%'`,
        ),
      );
      expect(await outcome).toMatch(/cancel/i);
      holder.release();
      await holder.done;
      expect(await runRow(failing)).toMatchObject({ status: 'failed', processed: 0, resume_after: null });
      const written = await sql(
        'SELECT count(*)::int AS n FROM tier_results WHERE tenant_id = kam_tenant() AND model_id = $1 AND run_id = $2',
        [id, failing],
      );
      expect(written[0]!.n).toBe(0);

      // 2. the same wait without a failure: chunk 2 commits after chunk 1, the run completes
      const again = holdFirst();
      await again.isHeld;
      const ordered = await newRun(id, WEIGHTED, 'full');
      const run = executeFullRun(env.db, org.tenantId, ordered, 100, { parallel: 2 });
      await secondChunkWaiting();
      expect(await runRow(ordered)).toMatchObject({ status: 'running', processed: 0, resume_after: null });
      again.release();
      await Promise.all([again.done, run]);
      expect(await runRow(ordered)).toMatchObject({ status: 'completed', processed: N });
      const rewritten = await sql(
        'SELECT count(*)::int AS n FROM tier_results WHERE tenant_id = kam_tenant() AND model_id = $1 AND run_id = $2',
        [id, ordered],
      );
      expect(rewritten[0]!.n).toBe(N);
    },
  );
});
