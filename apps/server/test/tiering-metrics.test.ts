/**
 * The metric SQL (apps/server/src/modules/tiering/metrics.ts) against the same metrics computed
 * naively in this file from the raw rows, on a generated tenant with edge cases: no orders, only
 * cancelled orders, orders exactly on the window edges (today − 365, today − 730, today, tomorrow),
 * returns larger than the sales (negative revenue), follow-ups and complaints on the 90-day edge in
 * Asia/Shanghai time, overdue and paid instalments, cancelled orders with unpaid instalments.
 */
import { randomUUID } from 'node:crypto';
import { TIERING_METRICS } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Params } from '../src/access/sql.js';
import { isComputedMetric, METRIC_SQL, metricsSql } from '../src/modules/tiering/metrics.js';
import { createTestEnv, createTestOrg, type TestEnv, type TestOrg } from './support/harness.js';

const AS_OF = '2026-06-15';
const DAY = 86_400_000;

const dayNo = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`) / DAY;
const ymd = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);
const D = dayNo(AS_OF);

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Order {
  id: string;
  customer: number;
  day: number;
  fen: bigint;
  marginFen: bigint | null;
  status: 'confirmed' | 'cancelled' | 'returned';
}
interface Payment {
  order: Order;
  fen: bigint;
  due: number | null;
  paid: number | null;
}
interface FollowUp {
  customer: number;
  atMs: number;
}
interface Ticket {
  customer: number;
  type: 'question' | 'incident' | 'complaint' | 'request';
  openedMs: number;
  satisfaction: number | null;
}
interface Contact {
  customer: number;
  role: string | null;
}

const N = 140;
const ids = Array.from({ length: N }, () => randomUUID());
const orders: Order[] = [];
const payments: Payment[] = [];
const followUps: FollowUp[] = [];
const tickets: Ticket[] = [];
const contacts: Contact[] = [];
const manual: { customer: number; metric: string; value: string }[] = [];

function order(
  customer: number,
  day: number,
  fen: bigint,
  status: Order['status'],
  marginFen: bigint | null = null,
) {
  const o = { id: randomUUID(), customer, day, fen, marginFen, status };
  orders.push(o);
  return o;
}

/** Shanghai midnight of day n, plus minutes. */
const shanghai = (n: number, minutes: number) => n * DAY - 8 * 3600_000 + minutes * 60_000;

function generate() {
  // 0: no orders, nothing at all
  // 1: only cancelled orders (and an unpaid instalment of one: not overdue)
  const c1 = order(1, D - 10, 500_000n, 'cancelled', 100_00n);
  order(1, D - 400, 70_000n, 'cancelled');
  payments.push({ order: c1, fen: 500_000n, due: D - 5, paid: null });
  // 2: the window edges
  order(2, D - 365, 100_00n, 'confirmed', 10_00n); // previous window, not this one
  order(2, D - 364, 200_00n, 'confirmed', 20_00n); // first day of the window
  order(2, D, 300_00n, 'confirmed', null); // today
  order(2, D + 1, 999_00n, 'confirmed', 99_00n); // tomorrow: ignored everywhere
  order(2, D - 730, 400_00n, 'confirmed'); // before the previous window
  order(2, D - 729, 50_00n, 'confirmed'); // first day of the previous window
  // 3: returns exceed sales (negative revenue, negative margin), growth from a positive previous window
  order(3, D - 20, 1_000_00n, 'confirmed', 300_00n);
  order(3, D - 19, 2_500_00n, 'returned', 700_00n);
  order(3, D - 500, 1_234_56n, 'confirmed');
  // 4: returns only in the previous window → previous ≤ 0 → growth missing
  order(4, D - 30, 10_00n, 'confirmed');
  order(4, D - 400, 99_00n, 'returned');
  // 5: follow-ups and complaints on the 90-day edge, in Shanghai time
  followUps.push({ customer: 5, atMs: shanghai(D - 90, 30) }); // date D − 90: outside
  followUps.push({ customer: 5, atMs: shanghai(D - 89, 1) }); // D − 89: inside
  followUps.push({ customer: 5, atMs: shanghai(D, 23 * 60 + 59) }); // today 23:59 Shanghai
  followUps.push({ customer: 5, atMs: shanghai(D + 1, 5) }); // tomorrow: ignored
  tickets.push({ customer: 5, type: 'complaint', openedMs: shanghai(D - 90, 10), satisfaction: null });
  tickets.push({ customer: 5, type: 'complaint', openedMs: shanghai(D - 89, 10), satisfaction: 2 });
  tickets.push({ customer: 5, type: 'question', openedMs: shanghai(D - 1, 10), satisfaction: 5 });
  // 6: overdue: due yesterday unpaid (overdue), due today unpaid (not yet), paid late (not overdue),
  // a returned document's unpaid instalment (not overdue: only confirmed orders owe)
  const o6 = order(6, D - 100, 900_00n, 'confirmed');
  payments.push({ order: o6, fen: 300_00n, due: D - 1, paid: null });
  payments.push({ order: o6, fen: 200_00n, due: D, paid: null });
  payments.push({ order: o6, fen: 100_00n, due: D - 50, paid: D - 2 });
  payments.push({ order: o6, fen: 150_00n, due: D - 60, paid: null });
  const r6 = order(6, D - 90, 100_00n, 'returned');
  payments.push({ order: r6, fen: 100_00n, due: D - 70, paid: null });
  // 7: manual metrics
  manual.push({ customer: 7, metric: 'strategic_value', value: '4' });
  manual.push({ customer: 7, metric: 'industry_influence', value: 'high' });
  manual.push({ customer: 8, metric: 'growth_potential', value: 'low' });
  // the rest: random histories
  const rand = rng(20261130);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  for (let c = 9; c < N; c++) {
    const n = Math.floor(rand() * 12);
    for (let i = 0; i < n; i++) {
      const day = D - Math.floor(rand() * 900) + (rand() < 0.03 ? 30 : 0);
      const status = rand() < 0.85 ? 'confirmed' : rand() < 0.5 ? 'cancelled' : 'returned';
      const fen = BigInt(Math.floor(rand() * 5_000_000)) + (rand() < 0.05 ? 0n : 1n);
      const margin = rand() < 0.6 ? BigInt(Math.floor(rand() * 1_000_000)) - 100_000n : null;
      const o = order(c, day, fen, status, margin);
      if (rand() < 0.4) {
        payments.push({
          order: o,
          fen: fen > 0n ? fen : 1n,
          due: rand() < 0.9 ? day + Math.floor(rand() * 120) : null,
          paid: rand() < 0.5 ? day + Math.floor(rand() * 150) : null,
        });
      }
    }
    for (let i = Math.floor(rand() * 6); i > 0; i--) {
      followUps.push({
        customer: c,
        atMs: shanghai(D - Math.floor(rand() * 200), Math.floor(rand() * 1440)),
      });
    }
    for (let i = Math.floor(rand() * 4); i > 0; i--) {
      tickets.push({
        customer: c,
        type: pick(['question', 'incident', 'complaint', 'request'] as const),
        openedMs: shanghai(D - Math.floor(rand() * 150), Math.floor(rand() * 1440)),
        satisfaction: rand() < 0.5 ? 1 + Math.floor(rand() * 5) : null,
      });
    }
    for (let i = Math.floor(rand() * 4); i > 0; i--) {
      contacts.push({ customer: c, role: pick(['decision_maker', 'influencer', 'user', null] as const) });
    }
    if (rand() < 0.3)
      manual.push({ customer: c, metric: 'strategic_value', value: String(1 + Math.floor(rand() * 5)) });
    if (rand() < 0.3)
      manual.push({ customer: c, metric: 'industry_influence', value: pick(['high', 'medium', 'low']) });
    if (rand() < 0.3)
      manual.push({ customer: c, metric: 'growth_potential', value: pick(['high', 'medium', 'low']) });
  }
}

// ——— the naive computation ————————————————————————————————————————————————————————————————

const fenText = (f: bigint) => {
  const neg = f < 0n;
  const a = neg ? -f : f;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};
/** Half away from zero. */
const halfUp = (num: bigint, den: bigint) => {
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  const q = (2n * n + d) / (2n * d);
  return neg ? -q : q;
};
const scaled = (units: bigint, scale: number) => {
  const neg = units < 0n;
  const a = (neg ? -units : units).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${a.slice(0, a.length - scale)}.${a.slice(a.length - scale)}`;
};
/** Canonical decimal text for comparison: no trailing fraction zeros. */
const canon = (v: string | null) => {
  if (v === null) return null;
  if (!v.includes('.')) return v === '-0' ? '0' : v;
  const t = v.replace(/\.?0+$/, '');
  return t === '-0' ? '0' : t;
};
const shanghaiDay = (ms: number) => Math.floor((ms + 8 * 3600_000) / DAY);

function naive(c: number): Record<string, string | null> {
  const W = 365;
  const mine = orders.filter((o) => o.customer === c);
  const inWindow = (d: number) => d > D - W && d <= D;
  const signed = (o: Order) => (o.status === 'confirmed' ? o.fen : o.status === 'returned' ? -o.fen : 0n);
  const rev = mine.filter((o) => inWindow(o.day)).reduce((s, o) => s + signed(o), 0n);
  const prev = mine.filter((o) => o.day > D - 2 * W && o.day <= D - W).reduce((s, o) => s + signed(o), 0n);
  const confirmedW = mine.filter((o) => o.status === 'confirmed' && inWindow(o.day));
  const margins = mine.filter((o) => inWindow(o.day) && o.status !== 'cancelled' && o.marginFen !== null);
  const confirmedPast = mine.filter((o) => o.status === 'confirmed' && o.day <= D).map((o) => o.day);
  const periods = new Set(confirmedW.map((o) => Math.floor(((D - o.day) * 12) / W)));
  const fus = followUps.filter((f) => f.customer === c).map((f) => shanghaiDay(f.atMs));
  const tks = tickets.filter((t) => t.customer === c);
  const rated = tks.filter((t) => t.satisfaction !== null);
  const overdue = payments.filter(
    (p) =>
      p.order.customer === c &&
      p.order.status === 'confirmed' &&
      p.paid === null &&
      p.due !== null &&
      p.due < D,
  );
  const m = (key: string) => manual.find((x) => x.customer === c && x.metric === key)?.value ?? null;
  return {
    revenue_12m: fenText(rev),
    revenue_growth: prev > 0n ? scaled(halfUp((rev - prev) * 10_000n, prev), 4) : null,
    order_count: String(confirmedW.length),
    avg_order_value: confirmedW.length > 0 ? fenText(halfUp(rev, BigInt(confirmedW.length))) : null,
    gross_margin:
      margins.length > 0
        ? fenText(
            margins.reduce((s, o) => s + (o.status === 'returned' ? -1n : 1n) * (o.marginFen as bigint), 0n),
          )
        : null,
    recency_days: confirmedPast.length > 0 ? String(D - Math.max(...confirmedPast)) : null,
    repurchase_rate: scaled(halfUp(BigInt(periods.size) * 10_000n, 12n), 4),
    cooperation_years:
      confirmedPast.length > 0
        ? scaled(halfUp(BigInt(D - Math.min(...confirmedPast)) * 100n, 365n), 2)
        : null,
    follow_ups_90d: String(fus.filter((d) => d > D - 90 && d <= D).length),
    days_since_follow_up:
      fus.filter((d) => d <= D).length > 0 ? String(D - Math.max(...fus.filter((d) => d <= D))) : null,
    complaints_90d: String(
      tks.filter(
        (t) => t.type === 'complaint' && shanghaiDay(t.openedMs) > D - 90 && shanghaiDay(t.openedMs) <= D,
      ).length,
    ),
    avg_satisfaction:
      rated.length > 0
        ? scaled(
            halfUp(
              BigInt(rated.reduce((s, t) => s + (t.satisfaction as number), 0)) * 100n,
              BigInt(rated.length),
            ),
            2,
          )
        : null,
    overdue_amount: fenText(overdue.reduce((s, p) => s + p.fen, 0n)),
    overdue_days: overdue.length > 0 ? String(D - Math.min(...overdue.map((p) => p.due as number))) : '0',
    decision_contacts: String(contacts.filter((k) => k.customer === c && k.role === 'decision_maker').length),
    strategic_value: m('strategic_value'),
    industry_influence: m('industry_influence'),
    growth_potential: m('growth_potential'),
  };
}

// ——— the tenant —————————————————————————————————————————————————————————————————————————————

let env: TestEnv;
let org: TestOrg;

async function load() {
  await env.db.withTenant(org.tenantId, async (tx) => {
    await tx.query(
      `INSERT INTO customers (tenant_id, id, name, name_norm, status)
       SELECT kam_tenant(), id, '指标客户' || n, '指标客户' || n, 'active' FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids],
    );
    // one deleted customer (with orders) is not a customer any more
    await tx.query(`UPDATE customers SET deleted_at = now() WHERE tenant_id = kam_tenant() AND id = $1`, [
      ids[N - 1],
    ]);
    await tx.query(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin, status)
       SELECT kam_tenant(), o.id, 'M-' || o.id, o.customer_id, o.day, o.amount, o.margin, o.status
       FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, customer_id uuid, day date, amount numeric, margin numeric, status text)`,
      [
        JSON.stringify(
          orders.map((o) => ({
            id: o.id,
            customer_id: ids[o.customer],
            day: ymd(o.day),
            amount: fenText(o.fen),
            margin: o.marginFen === null ? null : fenText(o.marginFen),
            status: o.status,
          })),
        ),
      ],
    );
    await tx.query(
      `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at)
       SELECT kam_tenant(), gen_random_uuid(), p.order_id, p.customer_id, p.amount, p.due, p.paid
       FROM jsonb_to_recordset($1::jsonb) AS p(order_id uuid, customer_id uuid, amount numeric, due date, paid date)`,
      [
        JSON.stringify(
          payments.map((p) => ({
            order_id: p.order.id,
            customer_id: ids[p.order.customer],
            amount: fenText(p.fen),
            due: p.due === null ? null : ymd(p.due),
            paid: p.paid === null ? null : ymd(p.paid),
          })),
        ),
      ],
    );
    await tx.query(
      `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, summary)
       SELECT kam_tenant(), gen_random_uuid(), f.customer_id, 'call', f.at, '电话'
       FROM jsonb_to_recordset($1::jsonb) AS f(customer_id uuid, at timestamptz)`,
      [
        JSON.stringify(
          followUps.map((f) => ({ customer_id: ids[f.customer], at: new Date(f.atMs).toISOString() })),
        ),
      ],
    );
    await tx.query(
      `INSERT INTO service_records (tenant_id, id, customer_id, type, title, opened_at, closed_at, satisfaction)
       SELECT kam_tenant(), gen_random_uuid(), s.customer_id, s.type, '工单', s.opened,
              CASE WHEN s.satisfaction IS NOT NULL THEN s.opened + interval '1 hour' END, s.satisfaction
       FROM jsonb_to_recordset($1::jsonb) AS s(customer_id uuid, type text, opened timestamptz, satisfaction int)`,
      [
        JSON.stringify(
          tickets.map((t) => ({
            customer_id: ids[t.customer],
            type: t.type,
            opened: new Date(t.openedMs).toISOString(),
            satisfaction: t.satisfaction,
          })),
        ),
      ],
    );
    await tx.query(
      `INSERT INTO contacts (tenant_id, id, customer_id, name, decision_role)
       SELECT kam_tenant(), gen_random_uuid(), k.customer_id, '联系人', k.role
       FROM jsonb_to_recordset($1::jsonb) AS k(customer_id uuid, role text)`,
      [JSON.stringify(contacts.map((k) => ({ customer_id: ids[k.customer], role: k.role })))],
    );
    await tx.query(
      `INSERT INTO customer_manual_metrics (tenant_id, customer_id, metric, value)
       SELECT kam_tenant(), m.customer_id, m.metric, m.value
       FROM jsonb_to_recordset($1::jsonb) AS m(customer_id uuid, metric text, value text)`,
      [
        JSON.stringify(
          manual.map((m) => ({ customer_id: ids[m.customer], metric: m.metric, value: m.value })),
        ),
      ],
    );
  });
}

/** The data and manual metrics (the RFM outputs come from stored results: tiering-runs.test.ts). */
// model outputs (RFM, CLV) are tested with their runs (tiering-runs, tiering-clv)
const ALL = Object.keys(METRIC_SQL).filter(
  (k) => !k.startsWith('rfm_') && !['clv_historical', 'clv_expected', 'p_alive'].includes(k),
);

async function sqlMetrics(
  customers: Parameters<typeof metricsSql>[1]['customers'],
  keys = ALL,
): Promise<Map<string, Record<string, string | null>>> {
  const p = new Params();
  const sql = metricsSql(keys, { asOf: AS_OF, customers }, p);
  const rows = await env.db.withTenant(org.tenantId, async (tx) => {
    const res = await tx.query(
      `SELECT customer_id, ${keys.map((k) => `"${k}"::text AS "${k}"`).join(', ')} FROM (${sql}) x`,
      p.values,
    );
    return res.rows as ({ customer_id: string } & Record<string, string | null>)[];
  });
  return new Map(rows.map(({ customer_id, ...rest }) => [customer_id, rest]));
}

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env);
  generate();
  await load();
});
afterAll(() => env?.close());

describe('metric catalogue', () => {
  it('has SQL for every metric of the domain catalogue (RFM and CLV outputs included)', () => {
    for (const m of TIERING_METRICS) expect(isComputedMetric(m.key), m.key).toBe(true);
  });
});

describe('metrics SQL against a naive computation from the raw rows', () => {
  it('matches for every live customer and every metric, in one statement for the whole tenant', async () => {
    const got = await sqlMetrics({ kind: 'all' });
    expect(got.size).toBe(N - 1); // the deleted customer is not scored
    expect(got.has(ids[N - 1]!)).toBe(false);
    for (let c = 0; c < N - 1; c++) {
      const expected = naive(c);
      const actual = got.get(ids[c]!)!;
      for (const key of ALL) {
        expect(canon(actual[key] ?? null), `customer ${c} metric ${key}`).toBe(canon(expected[key] ?? null));
      }
    }
  });

  it('gets the edge cases right (spelled out)', async () => {
    const got = await sqlMetrics({ kind: 'all' });
    const at = (c: number) =>
      Object.fromEntries(Object.entries(got.get(ids[c]!)!).map(([k, v]) => [k, canon(v)])) as Record<
        string,
        string | null
      >;
    // no orders: revenue 0, no recency, no average
    expect(at(0)).toMatchObject({
      revenue_12m: '0',
      order_count: '0',
      recency_days: null,
      avg_order_value: null,
    });
    expect(at(0).repurchase_rate).toBe('0');
    // only cancelled orders: nothing counts, nothing is overdue
    expect(at(1)).toMatchObject({
      revenue_12m: '0',
      order_count: '0',
      gross_margin: null,
      overdue_amount: '0',
    });
    // window edges: D − 364 and D count, D − 365 is the previous window, D + 1 is ignored
    expect(at(2)).toMatchObject({
      revenue_12m: '500',
      order_count: '2',
      recency_days: '0',
      gross_margin: '20',
    });
    // previous window: D − 365 (100) + D − 729 (50); D − 730 is outside → growth (500 − 150)/150
    expect(at(2).revenue_growth).toBe('2.3333');
    expect(at(2).cooperation_years).toBe('2');
    // returns larger than sales: negative revenue and margin, exact
    expect(at(3)).toMatchObject({ revenue_12m: '-1500', gross_margin: '-400', order_count: '1' });
    expect(at(3).revenue_growth).toBe('-2.215');
    expect(at(4).revenue_growth).toBeNull();
    // 90-day edges in Shanghai time
    expect(at(5)).toMatchObject({ follow_ups_90d: '2', days_since_follow_up: '0', complaints_90d: '1' });
    expect(at(5).avg_satisfaction).toBe('3.5');
    // overdue: 300 (due yesterday) + 150 (due D − 60); due today, paid, and the return's instalment are not
    expect(at(6)).toMatchObject({ overdue_amount: '450', overdue_days: '60' });
    expect(at(7)).toMatchObject({ strategic_value: '4', industry_influence: 'high', growth_potential: null });
  });

  it('gives one customer, or a range of customers, exactly what the whole-tenant statement gives them', async () => {
    const all = await sqlMetrics({ kind: 'all' });
    for (const c of [0, 2, 3, 6, 42]) {
      const one = await sqlMetrics({ kind: 'one', customerId: ids[c]! });
      expect([...one.keys()]).toEqual([ids[c]]);
      expect(one.get(ids[c]!)).toEqual(all.get(ids[c]!));
    }
    const sorted = [...all.keys()].sort();
    const mid = sorted[60]!;
    const first = await sqlMetrics({ kind: 'range', after: null, upTo: mid });
    const second = await sqlMetrics({ kind: 'range', after: mid, upTo: sorted.at(-1)! });
    expect(first.size + second.size).toBe(all.size);
    for (const [id, v] of [...first, ...second]) expect(v).toEqual(all.get(id));
  });

  it('computes only the sources a set of metrics needs, with the same values', async () => {
    const all = await sqlMetrics({ kind: 'all' });
    const some = await sqlMetrics({ kind: 'all' }, ['follow_ups_90d', 'strategic_value']);
    for (const [id, v] of some) {
      expect(v).toEqual({
        follow_ups_90d: all.get(id)!.follow_ups_90d,
        strategic_value: all.get(id)!.strategic_value,
      });
    }
  });
});
