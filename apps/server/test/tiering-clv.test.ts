/**
 * CLV runs (apps/server/src/modules/tiering/clv-run.ts, decision 0019) on a generated tenant whose
 * per-customer inputs are known: the set-based extraction equals a naive computation from the raw rows
 * (one order only, cancelled orders, same-day orders, returns, documents after the run's date, a deleted
 * customer); the fit on grouped observations is the fit on the customers; every stored value equals the
 * domain functions with the stored parameters; the CLV outputs are metrics a weighted model reads; a
 * triggered re-score of an unchanged customer equals the full run. Through the API (a small tenant): too
 * few repeat customers completes with the historical CLV and the reason, a simulation is refused, the
 * customer's tier card shows the values with their factors, and field rules hide margins and spend.
 */
import { randomUUID } from 'node:crypto';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdProbabilityAlive,
  bgnbdTotalLogLikelihood,
  breakpointsPopulation,
  type ClvCustomerInputs,
  type ClvModel,
  customerClv,
  decideTier,
  expectedClv,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaTotalLogLikelihood,
  type MetricValues,
  type TierModel,
  validateTieringModel,
} from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import {
  type ClvBreakdown,
  type ClvRunStatistics,
  executeClvRun,
  expandClv,
  readClvInputs,
  type StoredClv,
  storeClv,
} from '../src/modules/tiering/clv-run.js';
import type { RunStatistics } from '../src/modules/tiering/compile.js';
import { registerTieringJobs } from '../src/modules/tiering/jobs.js';
import { executeFullRun, rescoreCustomers } from '../src/modules/tiering/runner.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';
import { MatrixFixtures } from './support/matrix-fixtures.js';
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

const CLV = clv({
  kind: 'clv',
  historical: { windowDays: 365, lifetimeYears: '2.5' },
  probabilistic: { timeUnitDays: 7, horizonUnits: 52, marginRate: '0.3' },
});

function clv(input: unknown): ClvModel {
  const v = validateTieringModel(input);
  if (!v.ok || v.value.kind !== 'clv') throw new Error(JSON.stringify(v));
  return v.value;
}

/** A weighted model reading the CLV outputs. */
const USES_CLV = (() => {
  const v = validateTieringModel({
    kind: 'weighted',
    dimensions: [
      {
        key: 'alive',
        name: '活跃概率',
        metric: 'p_alive',
        normaliser: { kind: 'linear', min: '0', max: '1' },
        weight: '50',
      },
      {
        key: 'value',
        name: '预期价值',
        metric: 'clv_expected',
        normaliser: { kind: 'percentile' },
        weight: '30',
      },
      {
        key: 'history',
        name: '历史价值',
        metric: 'clv_historical',
        normaliser: { kind: 'log', min: '0', max: '1000000' },
        weight: '20',
        missingScore: '10',
      },
    ],
    tiers: [
      { id: 'A', name: 'A', minScore: '60' },
      { id: 'B', name: 'B', minScore: '30' },
      { id: 'C', name: 'C', minScore: '0' },
    ],
  });
  if (!v.ok || v.value.kind !== 'weighted') throw new Error(JSON.stringify(v));
  return v.value;
})();

interface Doc {
  customer: number;
  day: number;
  cents: number;
  marginCents: number | null;
  status: 'confirmed' | 'cancelled' | 'returned';
}

let env: TestEnv;
let org: TestOrg;
const N = 160;
const ids: string[] = Array.from({ length: N }, () => randomUUID());
/** The last customer is deleted: never scored. */
const DELETED = N - 1;
let docs: Doc[] = [];

const sql = <T extends Record<string, any> = Record<string, any>>(text: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(text, params)).rows);

function generate(seed: number): Doc[] {
  const rand = rng(seed);
  const out: Doc[] = [];
  const doc = (customer: number, day: number, status: Doc['status'] = 'confirmed', cents?: number) =>
    out.push({
      customer,
      day,
      cents: cents ?? 1000 + Math.floor(rand() * 2_000_000),
      marginCents: rand() < 0.3 ? null : Math.floor(rand() * 300_000),
      status,
    });
  for (let c = 0; c < N; c++) {
    switch (c % 20) {
      case 0: // never ordered
        break;
      case 1: // one order only
        doc(c, D - Math.floor(rand() * 800));
        break;
      case 2: // cancelled orders only
        doc(c, D - 10, 'cancelled');
        doc(c, D - 40, 'cancelled');
        break;
      case 3: // a return document only
        doc(c, D - 5, 'returned');
        break;
      case 4: {
        // same-day orders, a return on the first day and a larger return later (net repeat value < 0)
        const birth = D - 300;
        doc(c, birth, 'confirmed', 50_000);
        doc(c, birth, 'confirmed', 70_000);
        doc(c, birth, 'returned', 20_000);
        doc(c, birth + 30, 'confirmed', 10_000);
        doc(c, birth + 30, 'confirmed', 5_000);
        doc(c, birth + 60, 'returned', 40_000);
        doc(c, D + 3, 'confirmed'); // after the run's date: ignored
        break;
      }
      case 5: // bought on the run's date only (T = 0)
        doc(c, D);
        break;
      default: {
        // a BG/NBD-like customer: Poisson purchases at its own rate until it drops out after a purchase,
        // spend around its own level; some same-day orders, cancellations, returns and future documents
        const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
        const rate = Math.exp(Math.log(1 / 45) + 0.9 * normal());
        const drop = 0.05 + 0.5 * rand();
        const level = Math.exp(Math.log(500_000) + 0.8 * normal());
        const amount = () => Math.max(100, Math.round(level * Math.exp(0.4 * normal())));
        let day = D - Math.floor(rand() * 900);
        for (;;) {
          doc(c, day, 'confirmed', amount());
          if (rand() < 0.2) doc(c, day, 'confirmed', amount());
          if (rand() < 0.08) doc(c, day, 'cancelled', amount());
          if (rand() < 0.05) doc(c, day + Math.floor(rand() * 20), 'returned', Math.round(amount() / 3));
          if (rand() < drop) break;
          day += Math.max(1, Math.round(-Math.log(1 - rand()) / rate));
          if (day > D + 30) break;
        }
      }
    }
  }
  return out;
}

async function load(list: Doc[]) {
  await env.db.withTenant(org.tenantId, async (tx) => {
    await tx.query(
      `INSERT INTO customers (tenant_id, id, name, name_norm, status)
       SELECT kam_tenant(), id, 'CLV客户' || n, 'clv客户' || n, 'active' FROM unnest($1::uuid[]) WITH ORDINALITY t(id, n)`,
      [ids],
    );
    await tx.query(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin, status)
       SELECT kam_tenant(), gen_random_uuid(), 'CLV-' || gen_random_uuid(), o.customer_id, o.day, o.amount, o.margin, o.status
       FROM jsonb_to_recordset($1::jsonb) o(customer_id uuid, day date, amount numeric, margin numeric, status text)`,
      [
        JSON.stringify(
          list.map((d) => ({
            customer_id: ids[d.customer],
            day: ymd(d.day),
            amount: (d.cents / 100).toFixed(2),
            margin: d.marginCents === null ? null : (d.marginCents / 100).toFixed(2),
            status: d.status,
          })),
        ),
      ],
    );
    await tx.query('UPDATE customers SET deleted_at = now() WHERE tenant_id = kam_tenant() AND id = $1', [
      ids[DELETED],
    ]);
  });
}

const cents = (c: number) => {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
};

/** The extraction rules of docs/tiering.md, computed from the raw documents. */
function naive(
  c: number,
  list: Doc[] = docs,
  asOf = D,
  windowDays = CLV.historical.windowDays,
): ClvCustomerInputs {
  const mine = list.filter((d) => d.customer === c && d.day <= asOf && d.status !== 'cancelled');
  const inWindow = mine.filter((d) => d.day > asOf - windowDays);
  const margins = inWindow.filter((d) => d.marginCents !== null);
  const grossMargin =
    margins.length === 0
      ? null
      : cents(margins.reduce((s, d) => s + (d.status === 'returned' ? -1 : 1) * d.marginCents!, 0));
  const orders = inWindow.filter((d) => d.status === 'confirmed').length;
  const days = [...new Set(mine.filter((d) => d.status === 'confirmed').map((d) => d.day))].sort(
    (a, b) => a - b,
  );
  if (days.length === 0) return { grossMargin, orders, history: null };
  const birth = days[0]!;
  const x = days.length - 1;
  const net = mine
    .filter((d) => d.day > birth)
    .reduce((s, d) => s + (d.status === 'returned' ? -d.cents : d.cents), 0);
  // half-up to fen of max(0, net) / x (cents / x, rounded half-up to a whole cent)
  const zbar = x === 0 ? '0.00' : cents(Math.floor((2 * Math.max(0, net) + x) / (2 * x)));
  return { grossMargin, orders, history: { x, txDays: days[x]! - birth, tDays: asOf - birth, zbar } };
}

async function publishedModel(name: string, model: ClvModel | TierModel): Promise<string> {
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

async function newRun(modelId: string, model: unknown): Promise<string> {
  const id = randomUUID();
  await sql(
    `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, as_of)
     VALUES (kam_tenant(), $1, $2, 1, $3, 'full', $4)`,
    [id, modelId, JSON.stringify(model), AS_OF],
  );
  return id;
}

type Result = StoredResult;

const results = (modelId: string): Promise<Result[]> =>
  env.db.withTenant(org.tenantId, (tx) => storedResults(tx, modelId));

const runRow = async (runId: string) =>
  (
    await sql<{
      status: string;
      total: number;
      processed: number;
      changed: number;
      statistics: any;
      error: string | null;
    }>(
      'SELECT status, total, processed, changed, statistics, error FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1',
      [runId],
    )
  )[0]!;

/** `text` is `v` rounded to `scale` decimals (checked independently of the domain's rounding). */
/**
 * `text` is `v` rounded to `scale` decimals: within half a unit of the last place, plus the float error
 * of computing `v` (relative: 300000.01 × 2.5 is 750000.025 less 4.7e-12 in floating point).
 */
const near = (text: string | null | undefined, v: number, scale: number) =>
  text != null &&
  text.split('.')[1]?.length === scale &&
  Math.abs(Number(text) - v) <= 0.5 * 10 ** -scale + 1e-12 * Math.max(1, Math.abs(v));

let clvId: string;
let clvRun: string;
let stats: ClvRunStatistics['clv'];

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env);
  docs = generate(20260615);
  await load(docs);
  clvId = await publishedModel('客户终身价值', CLV);
});
afterAll(() => env?.close());

describe('extraction (one statement, set-based)', () => {
  it('equals the naive computation from the raw rows for every live customer', async () => {
    const got = await env.db.withTenant(org.tenantId, (tx) => readClvInputs(tx, CLV, AS_OF, { kind: 'all' }));
    expect(got.size).toBe(N - 1);
    expect(got.has(ids[DELETED]!)).toBe(false);
    for (let c = 0; c < N - 1; c++) expect(got.get(ids[c]!), `customer ${c}`).toEqual(naive(c));
    // the edge cases are what the rules say
    expect(got.get(ids[0]!)).toEqual({ grossMargin: null, orders: 0, history: null });
    expect(got.get(ids[1]!)!.history).toMatchObject({ x: 0, txDays: 0, zbar: '0.00' });
    expect(got.get(ids[2]!)!.history).toBeNull(); // cancelled orders are no purchases
    expect(got.get(ids[3]!)!.history).toBeNull(); // a return is no purchase
    // same-day orders are one purchase; the return on the first day stays with it; a later return is
    // subtracted from the repeat value, which cannot go below 0; the order after the run's date is ignored
    expect(got.get(ids[4]!)!.history).toEqual({ x: 1, txDays: 30, tDays: 300, zbar: '0.00' });
    expect(got.get(ids[4]!)!.orders).toBe(4);
    expect(got.get(ids[5]!)!.history).toEqual({ x: 0, txDays: 0, tDays: 0, zbar: '0.00' });
  });

  it('gives the same for a range of ids and for a list of ids', async () => {
    const sorted = [...ids.slice(0, N - 1)].sort();
    const range = await env.db.withTenant(org.tenantId, (tx) =>
      readClvInputs(tx, CLV, AS_OF, { kind: 'range', after: sorted[9]!, upTo: sorted[40]! }),
    );
    expect([...range.keys()]).toEqual(sorted.slice(10, 41));
    const some = [ids[4]!, ids[7]!, ids[DELETED]!];
    const list = await env.db.withTenant(org.tenantId, (tx) =>
      readClvInputs(tx, CLV, AS_OF, { kind: 'ids', ids: some }),
    );
    expect(list.size).toBe(2);
    expect(list.get(ids[7]!)).toEqual(naive(7));
  });
});

describe('a full run of a CLV model', () => {
  it('fits on grouped observations and stores the parameters, counts and convergence', async () => {
    clvRun = await newRun(clvId, CLV);
    await executeFullRun(env.db, org.tenantId, clvRun, 23); // dispatched to the CLV run, chunks of 23
    const run = await runRow(clvRun);
    expect(run, run.error ?? '').toMatchObject({
      status: 'completed',
      total: N - 1,
      processed: N - 1,
      changed: 0,
    });
    stats = (run.statistics as ClvRunStatistics).clv;
    const inputs = Array.from({ length: N - 1 }, (_, c) => naive(c));
    const histories = inputs.flatMap((i) => (i.history ? [i.history] : []));
    const obs = histories.map((h) => ({ x: h.x, tx: h.txDays / 7, T: h.tDays / 7 }));
    const spend = histories
      .filter((h) => h.x > 0 && Number(h.zbar) > 0)
      .map((h) => ({ x: h.x, zbar: Number(h.zbar) }));
    expect(stats).toMatchObject({
      population: N - 1,
      buyers: histories.length,
      repeatCustomers: histories.filter((h) => h.x > 0).length,
      spendCustomers: spend.length,
      notFitted: [],
      settings: CLV,
    });
    expect(stats.repeatCustomers).toBeGreaterThan(60);
    // grouped: one observation per distinct (x, t_x, T)
    expect(stats.bgnbd!.observations).toBe(new Set(obs.map((o) => `${o.x}:${o.tx}:${o.T}`)).size);
    expect(stats.bgnbd!.customers).toBe(histories.length);
    expect(stats.bgnbd!.converged, JSON.stringify(stats)).toBe(true);
    expect(stats.gammaGamma!.converged).toBe(true);
    // the grouped fit is the fit on the customers, and its log-likelihood is theirs
    const plain = fitBgNbd(obs);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      expect(stats.bgnbd!.params[k] / plain.params[k], k).toBeCloseTo(1, 4);
    }
    expect(stats.bgnbd!.logLikelihood).toBeCloseTo(bgnbdTotalLogLikelihood(stats.bgnbd!.params, obs), 6);
    const plainGg = fitGammaGamma(spend);
    for (const k of ['p', 'q', 'gamma'] as const) {
      expect(stats.gammaGamma!.params[k] / plainGg.params[k], k).toBeCloseTo(1, 3);
    }
    expect(stats.gammaGamma!.logLikelihood).toBeCloseTo(
      gammaGammaTotalLogLikelihood(stats.gammaGamma!.params, spend),
      6,
    );
  });

  it('stores every customer’s values as the domain functions give them with the stored parameters', async () => {
    const rows = await results(clvId);
    expect(rows).toHaveLength(N - 1);
    const bg = stats.bgnbd!.params;
    const gg = stats.gammaGamma!.params;
    for (const r of rows) {
      const c = ids.indexOf(r.customer_id);
      const input = naive(c);
      const who = `customer ${c} ${JSON.stringify(input)}`;
      expect(r, who).toMatchObject({
        run_id: clvRun,
        tier: 'clv',
        raw_tier: 'clv',
        decided_by: 'clv',
        score: null,
      });
      expect(r.detail).toEqual({ paramsRun: clvRun, notFitted: [] });
      const expected = customerClv(CLV, input, { bgnbd: bg, gammaGamma: gg });
      expect(r.metrics, who).toEqual(expected.metrics);
      // stored compactly: the inputs and the outputs that need the parameters
      const stored = r.breakdown as StoredClv;
      expect(stored, who).toEqual(storeClv(input, expected));
      expect(stored.g).toBe(input.grossMargin);
      const b: ClvBreakdown = expandClv(CLV, stored, r.metrics);
      expect(b, who).toEqual({ historical: expected.historical, probabilistic: expected.probabilistic });
      // and, independently, from the model functions themselves
      const h = input.history;
      if (!h) {
        expect(r.metrics.p_alive).toBeNull();
        expect(r.metrics.clv_expected).toBeNull();
        continue;
      }
      const o = { x: h.x, tx: h.txDays / 7, T: h.tDays / 7 };
      expect(near(r.metrics.p_alive, bgnbdProbabilityAlive(bg, o), 4), who).toBe(true);
      expect(
        near(b.probabilistic?.expectedPurchases, bgnbdConditionalExpectedPurchases(bg, o, 52), 4),
        who,
      ).toBe(true);
      expect(
        near(b.probabilistic?.expectedSpend, gammaGammaExpectedSpend(gg, h.x, Number(h.zbar)), 2),
        who,
      ).toBe(true);
      expect(r.metrics.clv_expected, who).toBe(
        expectedClv(bg, gg, { ...o, zbar: Number(h.zbar) }, 52, '0.3').clv,
      );
    }
    // one-time buyers are alive with probability 1 in BG/NBD; repeat buyers gone quiet much less
    expect(rows.find((r) => r.customer_id === ids[1])!.metrics.p_alive).toBe('1.0000');
    expect(rows.some((r) => Number(r.metrics.p_alive) < 0.5)).toBe(true);
    // historical CLV: G · 365 · L / W with its factors, for every customer with a margin and orders
    const buyers = rows.filter((r) => r.breakdown.g !== null && r.breakdown.n > 0);
    expect(buyers.length).toBeGreaterThan(50);
    for (const r of buyers) {
      const g = Number(r.breakdown.g);
      expect(near(r.metrics.clv_historical, (g * 365 * 2.5) / 365, 2), `${r.breakdown.g}`).toBe(true);
    }
  });

  it('writes no tiers, history or events', async () => {
    for (const table of ['tier_current', 'tier_history', 'tier_events_outbox']) {
      expect(
        await sql(`SELECT 1 FROM ${table} WHERE tenant_id = kam_tenant() AND model_id = $1`, [clvId]),
      ).toHaveLength(0);
    }
  });

  it('a second run of the same data stores the same values', async () => {
    const before = await results(clvId);
    const again = await newRun(clvId, CLV);
    await executeClvRun(env.db, org.tenantId, again, 1000);
    const after = await results(clvId);
    const strip = (r: Result) => ({ ...r, run_id: '', detail: null });
    expect(after.map(strip)).toEqual(before.map(strip));
    clvRun = again;
    stats = (await runRow(again)).statistics.clv;
  });
});

describe('the CLV outputs are metrics', () => {
  let weightedId: string;

  it('a weighted model with p_alive, clv_expected and clv_historical dimensions runs on them', async () => {
    weightedId = await publishedModel('按价值分级', USES_CLV);
    const runId = await newRun(weightedId, USES_CLV);
    await executeFullRun(env.db, org.tenantId, runId, 50);
    const run = await runRow(runId);
    expect(run, run.error ?? '').toMatchObject({ status: 'completed', processed: N - 1 });
    const clvRows = new Map((await results(clvId)).map((r) => [r.customer_id, r]));
    const rows = await results(weightedId);
    const st = run.statistics as RunStatistics;
    const populations = Object.fromEntries(
      Object.entries(st.percentiles).map(([k, bp]) => [k, breakpointsPopulation(bp)]),
    );
    for (const r of rows) {
      const own = clvRows.get(r.customer_id)!;
      for (const k of ['p_alive', 'clv_expected', 'clv_historical']) {
        const a = r.metrics[k];
        const b = own.metrics[k];
        expect(a === null ? null : Number(a), k).toBe(b === null ? null : Number(b));
      }
      const d = decideTier(USES_CLV, r.metrics as MetricValues, null, {
        asOf: AS_OF,
        override: null,
        populations,
      });
      expect(r.score, r.customer_id).toBe(d.score);
      expect(r.tier).toBe(d.tier);
    }
    expect(new Set(rows.map((r) => r.tier)).size).toBeGreaterThan(1);
  });

  it('a triggered re-score of an unchanged customer equals the full run’s values', async () => {
    const before = new Map((await results(clvId)).map((r) => [r.customer_id, r]));
    const weightedBefore = new Map((await results(weightedId)).map((r) => [r.customer_id, r]));
    const picked = [ids[4]!, ids[7]!, ids[0]!];
    const out = await env.db.withTenant(org.tenantId, (tx) =>
      rescoreCustomers(tx, picked, AS_OF, 'large_order'),
    );
    expect(out.models).toBe(2);
    const after = new Map((await results(clvId)).map((r) => [r.customer_id, r]));
    for (const id of picked) {
      const a = after.get(id)!;
      const b = before.get(id)!;
      expect(a.run_id).not.toBe(b.run_id);
      expect({ ...a, run_id: '' }).toEqual({ ...b, run_id: '' });
      expect(a.detail.paramsRun).toBe(clvRun);
    }
    const triggered = await sql(
      `SELECT status, processed, statistics->>'fromRun' AS from_run, trigger_reason FROM tier_runs
       WHERE tenant_id = kam_tenant() AND model_id = $1 AND kind = 'triggered'`,
      [clvId],
    );
    expect(triggered).toEqual([
      { status: 'completed', processed: 3, from_run: clvRun, trigger_reason: 'large_order' },
    ]);
    const weightedAfter = await results(weightedId);
    for (const r of weightedAfter.filter((x) => picked.includes(x.customer_id))) {
      const b = weightedBefore.get(r.customer_id)!;
      expect({ score: r.score, tier: r.tier, metrics: r.metrics }).toEqual({
        score: b.score,
        tier: b.tier,
        metrics: b.metrics,
      });
    }
  });

  it('a new order re-scores the customer with the full run’s parameters (one read, one upsert)', async () => {
    const c = 7;
    const extra: Doc = { customer: c, day: D, cents: 123_456, marginCents: 20_000, status: 'confirmed' };
    await sql(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin)
       VALUES (kam_tenant(), gen_random_uuid(), 'CLV-NEW-1', $1, $2, 1234.56, 200.00)`,
      [ids[c], AS_OF],
    );
    docs.push(extra);
    await env.db.withTenant(org.tenantId, (tx) => rescoreCustomers(tx, [ids[c]!], AS_OF, 'large_order'));
    const row = (await results(clvId)).find((r) => r.customer_id === ids[c])!;
    const expected = customerClv(CLV, naive(c), {
      bgnbd: stats.bgnbd!.params,
      gammaGamma: stats.gammaGamma!.params,
    });
    expect(row.metrics).toEqual(expected.metrics);
    expect(expandClv(CLV, row.breakdown, row.metrics)).toEqual({
      historical: expected.historical,
      probabilistic: expected.probabilistic,
    });
    expect(row.detail.paramsRun).toBe(clvRun);
  });
});

describe('through the API (a small tenant: too few repeat customers to fit)', () => {
  let small: TestOrg;
  let fx: MatrixFixtures;
  let director: Client;
  let manager: Client;
  let modelId: string;
  const mine: string[] = [];

  beforeAll(async () => {
    small = await createTestOrg(env, { demo: true });
    fx = await MatrixFixtures.load(env, small);
    await registerTieringJobs(env.jobs, env.db);
    director = await Client.signIn(env, small.slug, 'director');
    manager = await Client.signIn(env, small.slug, 'manager');
    for (let i = 0; i < 6; i++) {
      const c = await fx.customer('in');
      mine.push(c.id);
      for (let k = 0; k < i % 3; k++) {
        await fx.sql(
          `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin)
           VALUES (kam_tenant(), gen_random_uuid(), 'S-' || gen_random_uuid(), $1,
                   (now() AT TIME ZONE 'Asia/Shanghai')::date - $2::int, $3, $4)`,
          [c.id, 20 + k * 40, (1000 * (i + 1)).toFixed(2), (300 * (i + 1)).toFixed(2)],
        );
      }
    }
  });

  it('a director creates and publishes a CLV model; a simulation is refused with a stable code', async () => {
    const res = await director.post('/api/v1/tiering/models', {
      name: '客户终身价值',
      definition: { kind: 'clv', historical: { windowDays: 365, lifetimeYears: '3' } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.draft).toEqual({
      kind: 'clv',
      historical: { windowDays: 365, lifetimeYears: '3' },
      probabilistic: { timeUnitDays: 7, horizonUnits: 52, marginRate: '1' },
    });
    modelId = res.body.id;
    const sim = await director.post(`/api/v1/tiering/models/${modelId}/simulations`);
    expect(sim.status).toBe(409);
    expect(sim.body.error.code).toBe('TIERING_SIMULATION_UNSUPPORTED');
    const published = await director.post(`/api/v1/tiering/models/${modelId}/publish`, {
      version: res.body.version,
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect((await director.post(`/api/v1/tiering/models/${modelId}/simulations`)).status).toBe(409);
    const runs = await fx.sql('SELECT 1 FROM tier_runs WHERE tenant_id = kam_tenant() AND model_id = $1', [
      modelId,
    ]);
    expect(runs).toHaveLength(0);
  });

  it('a run completes with the historical CLV only and says why the models were not fitted', async () => {
    const res = await director.post(`/api/v1/tiering/models/${modelId}/runs`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await env.jobs.drain();
    const run = await director.get(`/api/v1/tiering/runs/${res.body.id}`);
    expect(run.body).toMatchObject({ status: 'completed', kind: 'full' });
    const s = run.body.statistics.clv;
    expect(s.bgnbd).toBeNull();
    expect(s.gammaGamma).toBeNull();
    expect(s.notFitted).toEqual([
      { part: 'bgnbd', code: 'TIERING_FIT_INSUFFICIENT_DATA', params: { min: 10, found: s.repeatCustomers } },
      {
        part: 'gammaGamma',
        code: 'TIERING_FIT_INSUFFICIENT_DATA',
        params: { min: 10, found: s.spendCustomers },
      },
    ]);
    expect(run.body.processed).toBe(run.body.total);
    const card = await manager.get(`/api/v1/customers/${mine[2]}/tiering`);
    expect(card.status, JSON.stringify(card.body)).toBe(200);
    const d = card.body.decisions.find((x: { modelId: string }) => x.modelId === modelId);
    expect(d).toMatchObject({
      kind: 'clv',
      tier: 'clv',
      tierName: '客户终身价值',
      score: null,
      metrics: { clv_historical: '5400.00', clv_expected: null, p_alive: null },
      clv: {
        historical: {
          grossMargin: '1800.00',
          orders: 2,
          windowDays: 365,
          marginPerPurchase: '900.00',
          purchasesPerYear: '2.0000',
          lifetimeYears: '3',
          clv: '5400.00',
        },
        probabilistic: {
          x: 1,
          txDays: 40,
          tDays: 60,
          expectedPurchases: null,
          pAlive: null,
          clv: null,
          hidden: false,
        },
        paramsRun: res.body.id,
      },
    });
    expect(d.clv.notFitted).toHaveLength(2);
  });

  it('field rules hiding margins or revenue hide the CLV figures derived from them', async () => {
    const admin = await Client.signIn(env, small.slug, 'admin', ADMIN_PASSWORD);
    const role = await admin.post('/api/v1/roles', {
      name: '看分级不看毛利',
      description: '',
      grants: [
        { resource: 'customer', action: 'view', scope: 'self' },
        { resource: 'order', action: 'view', scope: 'self' },
        { resource: 'tiering', action: 'view' },
      ],
      fieldRules: [
        { resource: 'order', field: 'grossMargin', rule: 'hidden' },
        { resource: 'customer', field: 'revenue12m', rule: 'hidden' },
      ],
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    const u = await fx.user(fx.dept.SH01!, {
      passwordHash: await hashPassword('Rule#Pass2026'),
      login: `clv-rule-${Date.now()}`,
    });
    const assigned = await admin.put(`/api/v1/users/${u.id}/roles`, {
      version: u.version,
      roleIds: [role.body.id],
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    await fx.sql('UPDATE customers SET owner_id = $1 WHERE tenant_id = kam_tenant() AND id = $2', [
      u.id,
      mine[2],
    ]);
    const limited = await Client.signIn(env, small.slug, u.login, 'Rule#Pass2026');
    const card = await limited.get(`/api/v1/customers/${mine[2]}/tiering`);
    expect(card.status, JSON.stringify(card.body)).toBe(200);
    const d = card.body.decisions.find((x: { modelId: string }) => x.modelId === modelId);
    expect(d.metrics.clv_historical).toBeNull();
    expect(d.clv.historical).toMatchObject({
      grossMargin: null,
      marginPerPurchase: null,
      clv: null,
      orders: 2,
      hidden: true,
    });
    expect(d.clv.probabilistic).toMatchObject({
      zbar: null,
      expectedSpend: null,
      clv: null,
      x: 1,
      hidden: true,
    });
  });
});
