// Benchmark: scientific tiering (issue 6) on the generated tenant (bench/generate-tenant.mjs; 1M
// customers, 10M orders, 5M follow-ups by default). Through KAM's own API (a sales director) it
// creates a weighted model with five data dimensions (bench/tiering-models.mjs) and an RFM model,
// publishes both, makes the weighted one the tier of record, then measures:
//
//   - full runs of the weighted model: the first one (every customer gets a result, a current tier,
//     a history row and a place in its chunk's outbox event) and a second one (the nightly steady state: results
//     rewritten, history only for changes), each through `POST /tiering/models/:id/runs` and the
//     job it queues; peak RSS of this process (sampled every 100 ms) during the first;
//   - the reference, in the same run: ONE hand-written SQL statement computing the same five
//     metrics, percentile breakpoints, normalised scores, weighted score and tier into a TEMP table
//     (`referenceSql` below); then every customer's tier and score is compared with KAM's;
//   - full runs of the RFM model (the first and the next); a simulation of a changed draft of the
//     weighted model;
//   - p99 of `GET /api/v1/customers` (an account manager's first page, as bench/customers-list.mjs)
//     without a run and while a full run is in progress (the load starts with the run and lasts
//     ~90 % of the previous run's duration, so it falls inside it);
//   - triggered single-customer re-scores: `rescoreCustomers` (what the `tiering.triggered` job and
//     an approved manual tier run) for random customers, one transaction each, every published
//     model; reference: a hand-written single-customer SELECT of the five metrics;
//   - the floor of a full run of each model (`measureFloor`, decision 0030): KAM's own staging and
//     statistics statements, plus the durable writes alone — the rows the run wrote, copied in the
//     cheapest way PostgreSQL offers (first run: bulk loads into fresh tables, indexes built after,
//     three at once; next run: the results rewritten in place) — each in a transaction rolled back.
//
// Runs on the server database (KAM_BENCH_DATABASE_URL; KAM_BENCH_KEEP=1 reuses the generated
// tenant, whose tiering tables are emptied first) or on the embedded one (without the URL; then
// KAM_BENCH_CUSTOMERS=100000). scripts/bench.mjs runs it in child processes (`--json`): the server
// at 1M and at 100k, and the embedded database at 100k.
//
// Targets (issue 6): full run ≤ 1.5 × the reference and < 30 s on 2 cores (server, 1M); peak memory
// of the KAM process < 1 GB; list p99 during a run < 200 ms (server and embedded); triggered
// re-score p99 < 20 ms; simulation ≤ 1.5 × the full run.

import { randomUUID } from 'node:crypto';
import { todayInShanghai } from '@kam/domain';
import { buildApp } from '../apps/server/dist/http/app.js';
import { createQueue } from '../apps/server/dist/jobs/index.js';
import { registerJobs } from '../apps/server/dist/modules/jobs.js';
import {
  computeStatistics,
  historyIds,
  rescoreCustomers,
  runnableModel,
  stageMetrics,
} from '../apps/server/dist/modules/tiering/runner.js';
import { BENCH_PASSWORD, BENCH_SLUG } from './generate-tenant.mjs';
import { captureStatements, load, sampler } from './lib.mjs';
import { openBenchTenant } from './tenant.mjs';
import { RFM_MODEL, SIMULATED_DRAFT, WEIGHTED_MODEL } from './tiering-models.mjs';

const RESCORES = Number(process.env.KAM_BENCH_RESCORES ?? 500);
// the measurements to take (all by default; a subset for development)
const STEPS = (
  process.env.KAM_BENCH_TIERING_STEPS ?? 'first,reference,second,rfm,floor,simulation,list,rescore'
).split(',');
const LIST_SECONDS = Number(process.env.KAM_BENCH_SECONDS ?? 8);
// concurrent list requests while a run is in progress (and in the idle measurement beside it): a few
// users at work, not the saturating 16 connections of bench/customers-list.mjs
const RUN_CONNECTIONS = Number(process.env.KAM_BENCH_RUN_CONNECTIONS ?? 4);
const TIERING_TABLES = [
  'tier_results',
  'tier_current',
  'tier_history',
  'tier_events_outbox',
  'tier_overrides',
  'tier_rescore_queue',
  'tier_runs',
  'tier_settings',
  'tier_model_versions',
  'tier_models',
];

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
function percentiles(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x) => +x.toFixed(2);
  return { n: s.length, p50: r(quantile(s, 0.5)), p99: r(quantile(s, 0.99)), max: r(s.at(-1)) };
}

/**
 * The reference: ONE statement, hand-written for this model, computing the five metrics of every
 * live customer (orders and follow-ups aggregated per customer; follow-ups read only in the 90-day
 * window through its time index), the percentile breakpoints b_i = sorted[round((n−1)·i/100)] of
 * revenue and recency, the normalised scores (percentile ranks interpolated between breakpoints with
 * the database's `kam_percentile_rank`, linear scores exact to 2 decimals half-up), the weighted score
 * and the tier — into a TEMP table (not WAL-logged, like UNLOGGED; dropped at commit).
 */
export function referenceSql() {
  const signed = `CASE o.status WHEN 'confirmed' THEN o.amount WHEN 'returned' THEN -o.amount ELSE 0 END`;
  const linear = (v, min, max) =>
    `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} <= ${min} THEN 0.00 WHEN ${v} >= ${max} THEN 100.00
       ELSE kam_div_half_up((${v} - (${min})) * 10000, (${max}) - (${min})) * 0.01 END`;
  // percentile rank between the 101 breakpoints (@kam/domain percentileRank): pa = breakpoints ≤ v,
  // pf = breakpoints < v (binary search with width_bucket), interpolated between b[pf] and b[pf + 1]
  const rank = (
    v,
    p,
  ) => `CASE WHEN ${v} IS NULL THEN NULL WHEN ${p}a = 0 THEN 0.00 WHEN ${p}f > 100 THEN 100.00
       WHEN ${p}a > ${p}f THEN kam_div_half_up(10000 * (${p}f + ${p}a - 1), 200) * 0.01
       ELSE kam_div_half_up(((${p}f - 1) * (${p}hi - ${p}lo) + (${v} - ${p}lo)) * 10000, (${p}hi - ${p}lo) * 100) * 0.01 END`;
  // b_i = the k-th smallest value, k = round((n − 1)·i / 100) + 1: percentile_disc at (k − ½) / n
  // picks row ⌈f·n⌉ = k after one sort (ordered-set aggregates skip NULLs, as count(col) does)
  const breakpoints = (col) => `percentile_disc((
      SELECT array_agg((((2 * (c.n - 1) * g.i + 100) / 200 + 1) - 0.5) / c.n::float8 ORDER BY g.i)
      FROM (SELECT count(${col}) AS n FROM m) c, generate_series(0, 100) g(i))) WITHIN GROUP (ORDER BY ${col})`;
  const negated = (b) => `ARRAY(SELECT -u.v FROM unnest(${b}) WITH ORDINALITY u(v, i) ORDER BY u.i DESC)`;
  return `CREATE TEMP TABLE bench_tiering_reference ON COMMIT DROP AS
  WITH o AS (
    SELECT o.customer_id,
      sum(${signed}) FILTER (WHERE o.ordered_at > $1::date - 365) AS rev_w,
      sum(${signed}) FILTER (WHERE o.ordered_at > $1::date - 730 AND o.ordered_at <= $1::date - 365) AS rev_p,
      count(*) FILTER (WHERE o.status = 'confirmed' AND o.ordered_at > $1::date - 365) AS n_w,
      max(o.ordered_at) FILTER (WHERE o.status = 'confirmed') AS last_at
    FROM orders o WHERE o.ordered_at <= $1::date
    GROUP BY o.customer_id),
  f AS (
    SELECT f.customer_id, count(*) AS n_90 FROM follow_ups f
    WHERE f.at >= ($1::date - 89)::timestamp AT TIME ZONE 'Asia/Shanghai'
      AND f.at < ($1::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
    GROUP BY f.customer_id),
  m AS MATERIALIZED (
    SELECT c.id AS customer_id, coalesce(o.rev_w, 0) AS revenue,
      CASE WHEN o.rev_p > 0 THEN kam_div_half_up((coalesce(o.rev_w, 0) - o.rev_p) * 10000, o.rev_p) * 0.0001 END AS growth,
      coalesce(o.n_w, 0) AS orders, $1::date - o.last_at AS recency, coalesce(f.n_90, 0) AS follow_ups
    FROM customers c LEFT JOIN o ON o.customer_id = c.id LEFT JOIN f ON f.customer_id = c.id
    WHERE c.deleted_at IS NULL),
  bp AS MATERIALIZED (SELECT r, ${negated('r')} AS nr, d, ${negated('d')} AS nd
         FROM (SELECT ${breakpoints('revenue')} AS r, ${breakpoints('recency')} AS d FROM m) x),
  w AS (
    SELECT m.*, width_bucket(m.revenue, bp.r) AS ra, 101 - width_bucket(-m.revenue, bp.nr) AS rf,
      width_bucket(m.recency, bp.d) AS da, 101 - width_bucket(-m.recency, bp.nd) AS df
    FROM m, bp OFFSET 0),
  x AS (SELECT w.*, bp.r[w.rf] AS rlo, bp.r[w.rf + 1] AS rhi, bp.d[w.df] AS dlo, bp.d[w.df + 1] AS dhi
        FROM w, bp OFFSET 0),
  n AS (
    SELECT x.customer_id,
      ${rank('x.revenue', 'x.r')} AS n_revenue,
      ${linear('x.growth', '-0.2', '0.5')} AS n_growth,
      ${linear('x.orders', '0', '10')} AS n_orders,
      100.00 - ${rank('x.recency', 'x.d')} AS n_recency,
      ${linear('x.follow_ups', '0', '4')} AS n_activity
    FROM x OFFSET 0),
  s AS (
    SELECT n.customer_id, round(coalesce(n_revenue, 0) * 30 * 0.01 + coalesce(n_growth, 30) * 15 * 0.01
      + coalesce(n_orders, 0) * 20 * 0.01 + coalesce(n_recency, 0) * 15 * 0.01
      + coalesce(n_activity, 0) * 20 * 0.01, 2) AS score
    FROM n OFFSET 0)
  SELECT s.customer_id, s.score,
    CASE WHEN s.score >= 70 THEN 'A' WHEN s.score >= 50 THEN 'B' WHEN s.score >= 30 THEN 'C' ELSE 'D' END AS tier
  FROM s`;
}

/**
 * The RFM reference: ONE hand-written statement for the default RFM model (365 days, 5 bins, segments
 * against the averages): recency, frequency and monetary of every live customer, the cut points
 * c_j = v₍⌈j·n/5⌉₎ (percentile_disc at (k − ½) / n), each score 1 + the cuts beyond the value, the
 * averages and the eight segments — into a TEMP table.
 */
export function rfmReferenceSql() {
  const signed = `CASE o.status WHEN 'confirmed' THEN o.amount WHEN 'returned' THEN -o.amount ELSE 0 END`;
  const cuts = (col, dir) => `percentile_disc((
      SELECT array_agg(((j * c.n + 4) / 5 - 0.5) / c.n::float8 ORDER BY j)
      FROM (SELECT count(${col}) AS n FROM m) c, generate_series(1, 4) j)) WITHIN GROUP (ORDER BY ${col} ${dir})`;
  // 1 + the number of cut points the value is beyond (recency: fewer days than the cut)
  const score = (v, c, op) =>
    `1 + ${[1, 2, 3, 4].map((j) => `coalesce((${v} ${op} k.${c}[${j}])::int, 0)`).join(' + ')}`;
  return `CREATE TEMP TABLE bench_rfm_reference ON COMMIT DROP AS
  WITH o AS (
    SELECT o.customer_id,
      sum(${signed}) FILTER (WHERE o.ordered_at > $1::date - 365) AS monetary,
      count(*) FILTER (WHERE o.status = 'confirmed' AND o.ordered_at > $1::date - 365) AS frequency,
      max(o.ordered_at) FILTER (WHERE o.status = 'confirmed') AS last_at
    FROM orders o WHERE o.ordered_at <= $1::date
    GROUP BY o.customer_id),
  m AS MATERIALIZED (
    SELECT c.id AS customer_id, $1::date - o.last_at AS recency, coalesce(o.frequency, 0) AS frequency,
      coalesce(o.monetary, 0) AS monetary
    FROM customers c LEFT JOIN o ON o.customer_id = c.id WHERE c.deleted_at IS NULL),
  k AS MATERIALIZED (
    SELECT ${cuts('recency', 'DESC')} AS r, ${cuts('frequency', 'ASC')} AS f, ${cuts('monetary', 'ASC')} AS m,
      count(recency) AS rn, sum(recency) AS rs, count(frequency) AS fn, sum(frequency) AS fs,
      count(monetary) AS mn, sum(monetary) AS ms
    FROM m),
  s AS (
    SELECT m.customer_id, ${score('m.recency', 'r', '<')} AS r, ${score('m.frequency', 'f', '>')} AS f,
      ${score('m.monetary', 'm', '>')} AS m,
      coalesce(m.recency * k.rn <= k.rs, false) AS rh, coalesce(m.frequency * k.fn >= k.fs, false) AS fh,
      coalesce(m.monetary * k.mn >= k.ms, false) AS mh
    FROM m, k OFFSET 0)
  SELECT s.customer_id, s.r::text || s.f::text || s.m::text AS code,
    CASE WHEN s.mh THEN 'important_' ELSE 'general_' END
      || CASE WHEN s.rh THEN CASE WHEN s.fh THEN 'value' ELSE 'development' END
              ELSE CASE WHEN s.fh THEN 'retention' ELSE 'winback' END END AS segment
  FROM s`;
}

/** A single customer's five metrics, hand-written (the reference of a triggered re-score). */
const ONE_CUSTOMER_SQL = `SELECT
    (SELECT coalesce(sum(CASE status WHEN 'confirmed' THEN amount WHEN 'returned' THEN -amount ELSE 0 END)
       FILTER (WHERE ordered_at > $2::date - 365), 0) FROM orders WHERE customer_id = $1 AND ordered_at <= $2::date) AS revenue,
    (SELECT sum(CASE status WHEN 'confirmed' THEN amount WHEN 'returned' THEN -amount ELSE 0 END)
       FROM orders WHERE customer_id = $1 AND ordered_at > $2::date - 730 AND ordered_at <= $2::date - 365) AS previous,
    (SELECT count(*) FROM orders WHERE customer_id = $1 AND status = 'confirmed' AND ordered_at > $2::date - 365 AND ordered_at <= $2::date) AS orders,
    (SELECT $2::date - max(ordered_at) FROM orders WHERE customer_id = $1 AND status = 'confirmed' AND ordered_at <= $2::date) AS recency,
    (SELECT count(*) FROM follow_ups WHERE customer_id = $1
       AND at >= ($2::date - 89)::timestamp AT TIME ZONE 'Asia/Shanghai' AND at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS follow_ups`;

/**
 * `f(client)` in a transaction of its own on the bench's pool, rolled back whatever happens; with
 * `tenantId`, as KAM's app role in that tenant (else as the connecting owner role).
 */
async function rolledBack(db, f, tenantId) {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    if (tenantId)
      await client.query(
        `SELECT set_config('role', 'kam_app', true), set_config('kam.tenant_id', $1, true)`,
        [tenantId],
      );
    return await f(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/**
 * The floor of a full run of one model on the server (decision 0030): what no implementation could go
 * below on this machine while it computes the metrics with KAM's statements and stores the run's rows
 * durably, as the issue asks.
 *  - `prepareMs`: KAM's own statements before any customer is scored — staging the metrics
 *    (`stageMetrics`, one parallel statement) and the population statistics (`computeStatistics`) — as
 *    the app role in the tenant;
 *  - `firstWritesMs`: the rows a first run writes — the model's results and current tiers as the run
 *    wrote them, and a history row per customer — loaded in bulk into fresh tables with the same
 *    columns and storage settings, each table's indexes (those of the real table) built after its load,
 *    the three tables at once on three connections: no scoring, no index maintenance per row, no outbox;
 *  - `nextWritesMs`: every result of the model rewritten in place (one column), in ranges of 20,000
 *    customers on two connections, as a next run's chunks do: nothing computed, every update HOT.
 * Every transaction is rolled back; each part starts after a checkpoint.
 */
async function measureFloor(db, tenantId, modelId, definition, asOf, settle) {
  const model = runnableModel(definition);
  await settle();
  const t0 = performance.now();
  await rolledBack(
    db,
    async (tx) => {
      const staged = await stageMetrics(tx, randomUUID(), model, asOf);
      await computeStatistics(tx, model, asOf, staged);
    },
    tenantId,
  );
  const prepareMs = performance.now() - t0;

  // a fresh copy of `table` (columns, defaults, storage settings), loaded by `load`, then its indexes
  const bulk = (table, load) =>
    rolledBack(db, async (tx) => {
      const copy = `bench_floor_${table}`;
      const { rows } = await tx.query(
        `SELECT coalesce(array_to_string(c.reloptions, ', '), '') AS options,
           ARRAY(SELECT i.indexdef FROM pg_indexes i WHERE i.schemaname = n.nspname AND i.tablename = c.relname) AS indexes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::regclass`,
        [table],
      );
      const { options, indexes } = rows[0];
      const s = performance.now();
      await tx.query(
        `CREATE TABLE ${copy} (LIKE ${table} INCLUDING DEFAULTS)${options ? ` WITH (${options})` : ''}`,
      );
      await tx.query(load(copy), [tenantId, modelId]);
      for (const [i, def] of indexes.entries())
        await tx.query(
          def.replace(
            /^CREATE (UNIQUE )?INDEX \S+ ON \S+/,
            (_, u) => `CREATE ${u ?? ''}INDEX ${copy}_${i} ON ${copy}`,
          ),
        );
      return performance.now() - s;
    });
  const ids = historyIds(Date.now());
  await settle();
  const t1 = performance.now();
  const [results, current, history] = await Promise.all([
    bulk(
      'tier_results',
      (copy) => `INSERT INTO ${copy} SELECT * FROM tier_results
        WHERE tenant_id = $1 AND model_id = $2 ORDER BY customer_id`,
    ),
    bulk(
      'tier_current',
      (copy) => `INSERT INTO ${copy} SELECT * FROM tier_current
        WHERE tenant_id = $1 AND model_id = $2 ORDER BY customer_id`,
    ),
    bulk(
      'tier_history',
      (copy) => `INSERT INTO ${copy} (tenant_id, id, customer_id, model_id, model_version, run_id, from_tier,
          to_tier, reason, decided_by, changed_at)
        SELECT c.tenant_id, ('${ids.head}' || to_hex(${ids.base}::bigint + row_number() OVER (ORDER BY c.customer_id)))::uuid,
          c.customer_id, c.model_id, c.model_version, c.run_id, NULL, c.tier, 'full_run', NULL, statement_timestamp()
        FROM tier_current c WHERE c.tenant_id = $1 AND c.model_id = $2`,
    ),
  ]);
  const firstWritesMs = performance.now() - t1;

  const { rows: bounds } = await rolledBack(db, (tx) =>
    tx.query(
      `SELECT customer_id::text AS id FROM (
       SELECT customer_id, row_number() OVER (ORDER BY customer_id) AS n FROM tier_results
       WHERE tenant_id = $1 AND model_id = $2) z
     WHERE n % 20000 = 0 ORDER BY n`,
      [tenantId, modelId],
    ),
  );
  const edges = [
    '00000000-0000-0000-0000-000000000000',
    ...bounds.map((b) => b.id),
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
  ];
  await settle();
  const t2 = performance.now();
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < edges.length - 1; i = next++)
      await rolledBack(db, (tx) =>
        tx.query(
          `UPDATE tier_results SET computed_at = now()
           WHERE tenant_id = $1 AND model_id = $2 AND customer_id > $3::uuid AND customer_id <= $4::uuid`,
          [tenantId, modelId, edges[i], edges[i + 1]],
        ),
      );
  };
  await Promise.all([lane(), lane()]);
  const nextWritesMs = performance.now() - t2;
  return { prepareMs, firstWritesMs, firstParts: { results, current, history }, nextWritesMs };
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement as the tenant, rolled back (chunk statements write). */
function explainRolledBack(db, tenantId, stmt) {
  return rolledBack(
    db,
    async (client) => {
      await client.query(`SELECT set_config('enable_nestloop', 'off', true)`);
      // the chunk reads its run's staged metrics, dropped when the run completed: staged again here
      const staged = /kam_work\.tier_run_([0-9a-f]{32})/.exec(stmt.text);
      const id = staged?.[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      if (id) {
        const { rows } = await client.query(
          'SELECT definition, as_of::text AS as_of FROM tier_runs WHERE id = $1',
          [id],
        );
        await stageMetrics(client, id, runnableModel(rows[0].definition), rows[0].as_of);
        await client.query(
          `SELECT set_config('enable_nestloop', 'off', true), set_config('work_mem', '64MB', true)`,
        );
      }
      // as in a first run: the chunk's customers have no result and no current tier of the model yet
      // (the run being over, they have; removed here, in the transaction that rolls back)
      const range = /r\.customer_id > \$(\d+)::uuid AND r\.customer_id <= \$(\d+)::uuid/.exec(stmt.text);
      if (id && range) {
        // (and the history rows the chunk wrote — the captured statement carries their ids —, as the
        // connecting owner role: KAM's role may not delete history)
        await client.query('RESET ROLE');
        for (const [table, which] of [
          ['tier_current', 'model_id = (SELECT model_id FROM tier_runs WHERE id = $1)'],
          ['tier_results', 'model_id = (SELECT model_id FROM tier_runs WHERE id = $1)'],
          ['tier_history', 'run_id = $1'],
        ])
          await client.query(
            `DELETE FROM ${table} WHERE tenant_id = kam_tenant() AND ${which}
             AND customer_id > $2::uuid AND customer_id <= $3::uuid`,
            [id, stmt.values[Number(range[1]) - 1], stmt.values[Number(range[2]) - 1]],
          );
        await client.query(`SELECT set_config('role', 'kam_app', true)`);
      }
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, WAL) ${stmt.text}`, stmt.values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    },
    tenantId,
  );
}

export async function run({ log = () => {}, tenant } = {}) {
  // `tenant`: an already opened bench tenant (development: a persistent embedded database)
  const t = tenant ?? (await openBenchTenant({ log, poolSize: 10 }));
  const { db, tenantId, actors } = t;
  const asOf = todayInShanghai(new Date());
  const out = { database: db.kind, customers: t.counts.customers, counts: t.counts, asOf };
  try {
    // A clean slate (kept tenant): the tiering tables of earlier bench runs are emptied (as the
    // connecting owner role; TRUNCATE fires no row triggers) and re-analysed.
    await db.withSystem((tx) => tx.query(`TRUNCATE ${TIERING_TABLES.join(', ')}`));
    // the chunk statements of a full run (named prepared statements), to EXPLAIN one of them
    const capture = captureStatements(db, (text, values) =>
      text.includes('INSERT INTO tier_results') ? { text, values } : null,
    );
    const jobs = createQueue(db, { driver: 'inline' });
    const app = await buildApp({
      config: { trustProxy: false, cookieSecure: 'never', loginRateLimit: 1000, logLevel: 'silent' },
      db,
      jobs,
      serveWeb: false,
    });
    await registerJobs(jobs, db);
    await jobs.start?.({ worker: true, scheduler: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${app.server.address().port}`;
    const session = async (login) => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password: BENCH_PASSWORD, organization: BENCH_SLUG }),
      });
      if (res.status !== 200) throw new Error(`login ${login}: ${res.status} ${await res.text()}`);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const { csrfToken } = await res.json();
      return { cookie, 'x-csrf-token': csrfToken };
    };
    const director = await session(actors.director.login);
    const am = await session(actors.am.login);
    const call = async (method, path, body) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...director, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = await res.json();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    // ——— models through the API ———
    const weighted = await call('POST', '/tiering/models', {
      name: '基准：加权五维',
      definition: WEIGHTED_MODEL,
      schedule: 'none',
    });
    const rfm = await call('POST', '/tiering/models', {
      name: '基准：RFM',
      definition: RFM_MODEL,
      schedule: 'none',
    });
    await call('POST', `/tiering/models/${weighted.id}/publish`, { version: weighted.version });
    await call('POST', `/tiering/models/${rfm.id}/publish`, { version: rfm.version });
    const settings = await call('GET', '/tiering/settings');
    await call('PUT', '/tiering/settings', {
      version: settings.version,
      recordModelId: weighted.id,
      largeOrderAmount: settings.largeOrderAmount,
    });

    /**
     * Before each timed step on the server: a checkpoint, so that no step pays for the dirty pages and the
     * checkpoint the step before it left (a first run writes ~2 GB of WAL; the reference measured right
     * after it took 20.6–33.6 s on the same data). A step's own checkpoints are its own cost.
     */
    const settle = async () => {
      if (db.kind !== 'embedded') await db.withSystem((tx) => tx.query('CHECKPOINT'));
    };
    /** A run through the API and its job; wall time from the request to the job's end. */
    const timedRun = async (modelId, kind = 'runs') => {
      await settle();
      const t0 = performance.now();
      const started = await call('POST', `/tiering/models/${modelId}/${kind}`);
      await jobs.drain();
      const ms = performance.now() - t0;
      const r = await call('GET', `/tiering/runs/${started.id}`);
      if (r.status !== 'completed') throw new Error(`run ${r.id}: ${r.status} ${r.error ?? ''}`);
      return { ms, run: r };
    };

    // ——— the weighted model: first full run (memory sampled), the reference, a second run ———
    global.gc?.();
    const mem = sampler();
    capture.on = true;
    const first = await timedRun(weighted.id);
    capture.on = false;
    out.memory = mem.stop();
    out.firstRun = { ms: first.ms, processed: first.run.processed, changed: first.run.changed };
    log(
      `first full run: ${first.ms.toFixed(0)} ms, ${first.run.processed} customers, ${first.run.changed} changed, peak RSS ${out.memory.peakRssMb.toFixed(0)} MB`,
    );

    if (STEPS.includes('reference')) await settle();
    if (STEPS.includes('reference'))
      out.reference = await db.withTenant(tenantId, async (tx) => {
        const t0 = performance.now();
        await tx.query(referenceSql(), [asOf]);
        const ms = performance.now() - t0;
        const { rows } = await tx.query(
          `SELECT count(*)::int AS customers,
           count(*) FILTER (WHERE k.customer_id IS NULL OR r.customer_id IS NULL)::int AS missing,
           count(*) FILTER (WHERE r.tier IS DISTINCT FROM k.tier)::int AS tier_mismatches,
           count(*) FILTER (WHERE r.score IS DISTINCT FROM k.score)::int AS score_mismatches
         FROM bench_tiering_reference r
         FULL JOIN (SELECT customer_id, tier, score FROM tier_results WHERE model_id = $1) k
           ON k.customer_id = r.customer_id`,
          [weighted.id],
        );
        const dist = await tx.query(
          'SELECT tier, count(*)::int AS n FROM bench_tiering_reference GROUP BY tier ORDER BY tier',
        );
        return { ms, ...rows[0], distribution: Object.fromEntries(dist.rows.map((x) => [x.tier, x.n])) };
      });
    const reference = out.reference;
    if (reference)
      log(
        `reference: ${reference.ms.toFixed(0)} ms; mismatches: tier ${reference.tier_mismatches}, score ${reference.score_mismatches}, missing ${reference.missing}; ${JSON.stringify(reference.distribution)}`,
      );

    const second = STEPS.includes('second') ? await timedRun(weighted.id) : first;
    out.secondRun = { ms: second.ms, processed: second.run.processed, changed: second.run.changed };
    log(`second full run: ${second.ms.toFixed(0)} ms, ${second.run.changed} changed`);

    // the plan of one chunk statement of the first run (rolled back)
    const chunk = capture.seen[Math.floor(capture.seen.length / 2)];
    out.chunks = capture.seen.length;
    out.chunkPlan = chunk ? await explainRolledBack(db, tenantId, chunk) : '(not captured)';
    capture.seen.length = 0;

    // ——— RFM, simulation ———
    if (STEPS.includes('rfm')) {
      const rfmRun = await timedRun(rfm.id);
      out.rfmRun = { ms: rfmRun.ms, processed: rfmRun.run.processed, changed: rfmRun.run.changed };
      log(`RFM full run: ${rfmRun.ms.toFixed(0)} ms`);
      await settle();
      out.rfmReference = await db.withTenant(tenantId, async (tx) => {
        const t0 = performance.now();
        await tx.query(rfmReferenceSql(), [asOf]);
        const ms = performance.now() - t0;
        const { rows } = await tx.query(
          `SELECT count(*)::int AS customers,
             count(*) FILTER (WHERE k.customer_id IS NULL OR r.customer_id IS NULL)::int AS missing,
             count(*) FILTER (WHERE r.segment IS DISTINCT FROM k.tier)::int AS segment_mismatches,
             count(*) FILTER (WHERE r.code IS DISTINCT FROM k.code)::int AS code_mismatches
           FROM bench_rfm_reference r
           FULL JOIN (SELECT customer_id, tier, array_to_string(scores, '') AS code FROM tier_results WHERE model_id = $1) k
             ON k.customer_id = r.customer_id`,
          [rfm.id],
        );
        return { ms, ...rows[0] };
      });
      log(
        `RFM reference: ${out.rfmReference.ms.toFixed(0)} ms; mismatches: segment ${out.rfmReference.segment_mismatches}, code ${out.rfmReference.code_mismatches}, missing ${out.rfmReference.missing}`,
      );
      // the steady state: the next run rewrites the results, changes (almost) nothing
      const rfmNext = await timedRun(rfm.id);
      out.rfmNextRun = { ms: rfmNext.ms, processed: rfmNext.run.processed, changed: rfmNext.run.changed };
      log(`RFM next full run: ${rfmNext.ms.toFixed(0)} ms, ${rfmNext.run.changed} changed`);
    }
    // ——— the floor of a full run (the server only: it copies tables on connections of their own) ———
    if (STEPS.includes('floor') && db.kind !== 'embedded') {
      out.floor = {};
      for (const [name, id, definition] of [
        ['weighted', weighted.id, WEIGHTED_MODEL],
        ...(STEPS.includes('rfm') ? [['rfm', rfm.id, RFM_MODEL]] : []),
      ]) {
        const f = await measureFloor(db, tenantId, id, definition, asOf, settle);
        out.floor[name] = f;
        log(
          `floor of a ${name} full run: staging and statistics ${f.prepareMs.toFixed(0)} ms; first run's writes ${f.firstWritesMs.toFixed(0)} ms (results ${f.firstParts.results.toFixed(0)}, current ${f.firstParts.current.toFixed(0)}, history ${f.firstParts.history.toFixed(0)}); next run's writes ${f.nextWritesMs.toFixed(0)} ms`,
        );
      }
    }
    if (STEPS.includes('simulation')) {
      const detail = await call('GET', `/tiering/models/${weighted.id}`);
      await call('PUT', `/tiering/models/${weighted.id}/draft`, {
        version: detail.version,
        definition: SIMULATED_DRAFT,
      });
      const sim = await timedRun(weighted.id, 'simulations');
      out.simulation = {
        ms: sim.ms,
        population: sim.run.simulation.population,
        cells: sim.run.simulation.matrix.length,
      };
      log(`simulation: ${sim.ms.toFixed(0)} ms, ${sim.run.simulation.matrix.length} cells`);
    }
    if (STEPS.includes('list')) {
      // ——— the customer list with and without a run in progress ———
      const listUrl = `${base}/api/v1/customers?${new URLSearchParams({ status: 'active', industry: 'C', limit: '50' })}`;
      await load(listUrl, { headers: { cookie: am.cookie }, seconds: 1, connections: RUN_CONNECTIONS });
      out.listIdle = await load(listUrl, {
        headers: { cookie: am.cookie },
        seconds: LIST_SECONDS,
        connections: RUN_CONNECTIONS,
      });
      log(
        `list without a run: p50 ${out.listIdle.p50} p99 ${out.listIdle.p99} ms, ${out.listIdle.rps.toFixed(0)} req/s`,
      );
      const expected = Math.min(first.ms, second.ms);
      const seconds = Math.max(1, Math.floor((0.9 * expected) / 1000));
      const t0 = performance.now();
      const during = await call('POST', `/tiering/models/${weighted.id}/runs`);
      const loaded = load(listUrl, {
        headers: { cookie: am.cookie },
        seconds,
        connections: RUN_CONNECTIONS,
      });
      const [r] = await Promise.all([loaded, jobs.drain()]);
      const runMs = performance.now() - t0;
      const duringRun = await call('GET', `/tiering/runs/${during.id}`);
      out.listDuringRun = {
        ...r,
        connections: RUN_CONNECTIONS,
        loadSeconds: seconds,
        runMs,
        runFinishedAfterLoad:
          Date.parse(duringRun.finishedAt) >= Date.parse(duringRun.startedAt) + seconds * 1000,
      };
      log(
        `list during a run (${seconds} s of a ${runMs.toFixed(0)} ms run): p50 ${r.p50} p99 ${r.p99} max ${r.max} ms, ${r.rps} req/s, errors ${r.errors}`,
      );
    }
    // ——— triggered single-customer re-scores ———
    if (STEPS.includes('rescore')) {
      const ids = await db.withTenant(tenantId, async (tx) => {
        const { rows } = await tx.query(
          `SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY md5(id::text || 'rescore') LIMIT $1`,
          [RESCORES],
        );
        return rows.map((x) => x.id);
      });
      const rescoreMs = [];
      const referenceMs = [];
      for (const id of ids) {
        let t1 = performance.now();
        await db.withTenant(tenantId, (tx) => rescoreCustomers(tx, [id], asOf, 'manual_metric'));
        rescoreMs.push(performance.now() - t1);
        t1 = performance.now();
        await db.withTenant(tenantId, (tx) => tx.query(ONE_CUSTOMER_SQL, [id, asOf]));
        referenceMs.push(performance.now() - t1);
      }
      out.rescore = { kam: percentiles(rescoreMs), reference: percentiles(referenceMs), models: 2 };
      log(
        `triggered re-score: p50 ${out.rescore.kam.p50} p99 ${out.rescore.kam.p99} ms; reference p50 ${out.rescore.reference.p50} p99 ${out.rescore.reference.p99} ms`,
      );
    }

    await app.close();
    await jobs.stop?.();
    return out;
  } finally {
    if (!tenant) {
      await db.close();
      await t.drop();
    }
  }
}

// Standalone (and as the child process of scripts/bench.mjs: `--json` prints the result as JSON).
if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes('--json');
  const r = await run({ log: json ? (m) => console.error(m) : (m) => console.log(m) });
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else console.log(JSON.stringify({ ...r, chunkPlan: undefined }, null, 2), `\n${r.chunkPlan}`);
}
