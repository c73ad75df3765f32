/**
 * Executing runs (decision 0016): full runs in chunks of customers (each chunk one transaction and
 * one statement that scores and writes results, current tiers, history rows and an outbox event; on the server
 * from the metrics the run staged when it started, decision 0024), simulations
 * of a draft (one read-only statement; only the run row is written), and triggered single-customer
 * re-scores with the population statistics of the model's last full run.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  percentileBreakpoints,
  RFM_SEGMENTS,
  type RfmStatistics,
  rfmStatistics,
  sortedPopulation,
  validateTieringModel,
} from '@kam/domain';
import type pg from 'pg';
import { Params } from '../../access/sql.js';
import { type Database, statementsInOneMessage, type Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { recordedFailure } from '../../jobs/failure.js';
import { isUuid } from '../customer-records.js';
import { executeClvRun, isClvRun, rescoreClvCustomers } from './clv-run.js';
import {
  modelMetrics,
  percentileMetrics,
  type RunnableModel,
  type RunStatistics,
  type ScoredDetail,
  type ScoredRow,
  scoringSql,
  statisticsSql,
} from './compile.js';
import { type CustomerSelection, metricsSql, selectionFilter } from './metrics.js';
import { expandResult, tierName } from './present.js';
import { dropStage, stageTable } from './repo.js';

/** Customers per chunk of a full run on the server (one transaction each: progress is visible between chunks). */
export const RUN_CHUNK = 20_000;
/**
 * Chunks of a full run in progress at once on the server (decision 0016): one per core of the
 * database's 2-core reference machine. Their statements run side by side; they commit in order.
 */
export const RUN_PARALLEL = 2;
/**
 * The embedded database has ONE backend: while a chunk's transaction runs, every other statement (a
 * customer list) waits for it. So its chunks are sized by time, not count: each chunk aims at
 * `EMBEDDED_CHUNK_MS`, starting from `EMBEDDED_RUN_CHUNK` customers and rescaled after every chunk by the
 * time the last one took (decision 0020, measured by bench/tiering.mjs).
 */
export const EMBEDDED_RUN_CHUNK = 200;
export const EMBEDDED_CHUNK_MS = 40;
/**
 * …and between two chunks the run pauses this long: a request that waited for a chunk runs its next
 * transaction (a list request is two: the session, then the page) before the next chunk starts, instead
 * of waiting for that one too.
 */
export const EMBEDDED_CHUNK_PAUSE_MS = 20;
const EMBEDDED_CHUNK_LIMITS = [50, 20_000] as const;

/** The next chunk size: rescaled towards `targetMs` by the last chunk's time, at most ×2 or ÷4 per step. */
export function nextChunkSize(
  size: number,
  ms: number,
  targetMs: number,
  [min, max]: readonly [number, number],
) {
  const scaled = ms > 0 ? (size * targetMs) / ms : size * 2;
  return Math.round(Math.min(max, Math.max(min, size / 4, Math.min(scaled, size * 2))));
}

export interface RunRow {
  id: string;
  model_id: string;
  model_version: number | null;
  definition: unknown;
  kind: 'full' | 'triggered' | 'simulation';
  status: 'queued' | 'running' | 'completed' | 'failed';
  as_of: string;
  statistics: RunStatistics | null;
  /** Last customer id of the last chunk written (a resumed full run continues after it). */
  resume_after: string | null;
}

/** A stored definition as a runnable model (stored definitions were validated when saved). */
export function runnableModel(definition: unknown): RunnableModel {
  const v = validateTieringModel(definition);
  if (!v.ok) throw new Error('stored tier model definition is invalid');
  if (v.value.kind === 'clv') throw new Error('CLV models are not run by the scoring engine');
  return v.value;
}

/** `forUpdate`: lock the row to the end of the transaction (two workers starting one run take turns). */
export async function loadRun(tx: Tx, runId: string, forUpdate = false): Promise<RunRow | null> {
  const { rows } = await tx.query<RunRow>(
    `SELECT id, model_id, model_version, definition, kind, status, as_of::text AS as_of, statistics, resume_after
     FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [runId],
  );
  return rows[0] ?? null;
}

/**
 * Statements over many customers join per-customer aggregates: hash joins, never nested loops. Without
 * table statistics (a fresh tenant; the embedded database has no autovacuum) the planner expects one
 * row everywhere and re-aggregates a whole source for every customer — quadratic. No JIT: the server
 * estimates these statements expensive enough to compile them, which costs more than it saves (0.2–0.5 s
 * per chunk, ~2 s for the statistics at 1M customers; decision 0020). For the rest of the caller's
 * transaction.
 */
export async function setForManyCustomers(tx: Tx): Promise<void> {
  await tx.query(
    `SELECT set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true),
       set_config('work_mem', '${MANY_CUSTOMERS_WORK_MEM}', true)`,
  );
}

/**
 * Memory per sort or hash of a statement over many customers. PostgreSQL's default (4 MB) sorts a
 * statistic's million values on disk (1.9 s instead of 0.8 s at 1M) and spills a chunk's 20,000
 * scored rows to temporary files.
 */
const MANY_CUSTOMERS_WORK_MEM = '64MB';

/**
 * Serialises the writers of one model's scores: a full-run chunk and a triggered re-score of the same
 * model never interleave. Each chunk statement reads the customers' current tiers from its snapshot and
 * writes a history row where the tier changed; a re-score committing in between would otherwise have its
 * change written a second time. Held to the end of the caller's transaction (a re-score waits for the
 * chunks in progress). `shared`: the full run's chunks, which write disjoint customers and so may run
 * side by side; a re-score (`rescoreCustomers`) takes the lock exclusively.
 */
export async function lockModelScores(tx: Tx, modelId: string, shared = false): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock${shared ? '_shared' : ''}(hashtext('kam.tier_scores'), hashtext(kam_tenant()::text || $1))`,
    [modelId],
  );
}

/**
 * The population statistics of a model over the tenant's live customers on `asOf`. One statement over
 * every customer, in parallel: PostgreSQL's default costs keep it serial (they price handing a million
 * per-customer aggregates from the workers to the leader above aggregating 10M orders in one process),
 * but on 2 cores the parallel plan takes 4.0 s instead of 5.3 s at 1M customers (decision 0023).
 */
export async function computeStatistics(
  tx: Tx,
  model: RunnableModel,
  asOf: string,
  /** The run's staged metrics (`stageMetrics`): the statistics are read from them. */
  staged?: string,
): Promise<RunStatistics> {
  await setForParallelScan(tx);
  const p = new Params();
  const sql = statisticsSql(model, asOf, p, staged);
  const { rows } = await tx.query<Record<string, unknown>>(sql ?? 'SELECT 0 AS population', p.values);
  const row = rows[0] ?? {};
  const percentiles: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('bp:')) percentiles[k.slice(3)] = v as string[];
  }
  const stats: RunStatistics = { percentiles, population: Number(row.population ?? 0) };
  if (model.kind === 'rfm') {
    const dim = (d: 'recency' | 'frequency' | 'monetary') => ({
      cuts: (row[`cuts:${d}`] as string[]).map(canonical),
      count: Number(row[`count:${d}`]),
      sum: canonical(String(row[`sum:${d}`])),
      scoreSum: Number(row[`scoreSum:${d}`]),
      population: stats.population,
    });
    const rfm: RfmStatistics = {
      bins: model.bins,
      recency: dim('recency'),
      frequency: dim('frequency'),
      monetary: dim('monetary'),
    };
    stats.rfm = rfm;
  }
  return stats;
}

/** `setForManyCustomers`, and parallel plans at no start-up cost (see `computeStatistics`). */
async function setForParallelScan(tx: Tx): Promise<void> {
  await setForManyCustomers(tx);
  await tx.query(
    `SELECT set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true)`,
  );
}

/**
 * Stages a full run's metrics (decision 0024): every live customer's values of the model's metrics,
 * computed by ONE parallel statement into the run's own unlogged table (`stageTable`), replacing any
 * earlier one of the run. The run's statistics are then read from it, and each chunk reads its range of
 * it instead of aggregating its customers' orders and follow-ups again — at 1M customers the chunks
 * spent about 40 % of their time there, reading 10M orders one index entry at a time, where this
 * statement reads them once, sequentially, on both cores. The table has the tenant's policy and a
 * unique key (tenant_id, customer_id); the run drops it when it ends (`dropStage`).
 */
export async function stageMetrics(
  tx: Tx,
  runId: string,
  model: RunnableModel,
  asOf: string,
): Promise<string> {
  const table = stageTable(runId);
  await setForParallelScan(tx);
  const p = new Params();
  const sql = metricsSql(
    modelMetrics(model),
    { asOf, windowDays: model.kind === 'rfm' ? model.windowDays : undefined, customers: { kind: 'all' } },
    p,
  );
  const { rows } = await tx.query<{ tenant: string | null }>('SELECT kam_tenant()::text AS tenant');
  const tenant = rows[0]?.tenant ?? '';
  if (!isUuid(tenant)) throw new Error('staging a run outside a tenant');
  await tx.query(`DROP TABLE IF EXISTS ${table}`);
  // CREATE TABLE AS: the one way to write a query's rows on PostgreSQL 15 with a parallel plan
  await tx.query(
    `CREATE UNLOGGED TABLE ${table} AS SELECT kam_tenant() AS tenant_id, m.* FROM (${sql}) m`,
    p.values,
  );
  await tx.query(`CREATE UNIQUE INDEX ON ${table} (tenant_id, customer_id)`);
  // the tenant's policy, naming the tenant: the table of one run holds one tenant's rows, and comparing
  // with a constant costs nothing per row, where kam_tenant() in a scan's filter is evaluated for every
  // row (~0.8 µs: 0.8 s per scan of the statistics at 1M customers)
  await tx.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY`);
  await tx.query(
    `CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = '${tenant}'::uuid) WITH CHECK (tenant_id = '${tenant}'::uuid)`,
  );
  // the chunks' plans read ranges of it by its key: the planner needs its size
  await tx.query(`ANALYZE ${table}`);
  return table;
}

/**
 * Whether a run's staged metrics are there to read: the table exists and, unless the run has no
 * customers, holds rows — a restart of the database server empties unlogged tables.
 */
async function stageReady(tx: Tx, table: string, population: number): Promise<boolean> {
  const { rows } = await tx.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    table,
  ]);
  if (!rows[0]?.exists) return false;
  if (population === 0) return true;
  const { rows: filled } = await tx.query<{ filled: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${table}) AS filled`,
  );
  return filled[0]?.filled === true;
}

/**
 * The statistics on the embedded database, where ONE statement over every customer would hold the
 * only backend for as long as it runs (0.5–1.7 s at 100,000 customers, every request waiting): the
 * metrics the statistics need are read in chunks sized by time like a run's, and the statistics are
 * computed from them by the domain's own functions (`percentileBreakpoints`, `rfmStatistics` — the
 * specification the SQL of `statisticsSql` follows, so both give the same figures). The chunks read
 * the tenant in separate transactions: a change committed meanwhile may be seen by some chunks.
 */
export async function computeStatisticsInChunks(
  db: Database,
  tenantId: string,
  model: RunnableModel,
  asOf: string,
): Promise<RunStatistics> {
  const keys = model.kind === 'rfm' ? modelMetrics(model) : percentileMetrics(model);
  const windowDays = model.kind === 'rfm' ? model.windowDays : undefined;
  const values = new Map<string, (string | null)[]>(keys.map((k) => [k, []]));
  let population = 0;
  let after: string | null = null;
  let size = EMBEDDED_RUN_CHUNK;
  for (;;) {
    const t0 = performance.now();
    const end: string | null = await db.withTenant(tenantId, async (tx) => {
      await setForManyCustomers(tx);
      const upTo = await nextChunkEnd(tx, after, size);
      if (upTo === null) return null;
      const p = new Params();
      const sql = metricsSql(keys, { asOf, windowDays, customers: { kind: 'range', after, upTo } }, p);
      const { rows } = await tx.query<Record<string, string | null>>(
        keys.length > 0 ? sql : `SELECT count(*) FROM (${sql}) m`,
        p.values,
      );
      if (keys.length === 0) population += Number(rows[0]?.count ?? 0);
      else {
        population += rows.length;
        for (const k of keys) {
          const list = values.get(k)!;
          for (const r of rows) list.push(r[k] === null || r[k] === undefined ? null : String(r[k]));
        }
      }
      return upTo;
    });
    if (end === null) break;
    after = end;
    size = nextChunkSize(size, performance.now() - t0, EMBEDDED_CHUNK_MS, EMBEDDED_CHUNK_LIMITS);
    await new Promise((resolve) => setTimeout(resolve, EMBEDDED_CHUNK_PAUSE_MS));
  }
  const stats: RunStatistics = { percentiles: {}, population };
  if (model.kind === 'rfm') {
    const column = (k: string) => values.get(k)!;
    const [r, f, m] = [
      column(model.metrics.recency),
      column(model.metrics.frequency),
      column(model.metrics.monetary),
    ];
    stats.rfm = rfmStatistics(
      r.map((recency, i) => ({ recency, frequency: f[i] ?? null, monetary: m[i] ?? null })),
      model.bins,
    );
  } else {
    for (const k of keys) stats.percentiles[k] = percentileBreakpoints(sortedPopulation(values.get(k)!));
  }
  return stats;
}

/** Canonical decimal text (`"12.50"` → `"12.5"`, `"3.00"` → `"3"`), as the domain writes statistics. */
function canonical(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export interface WriteOutcome {
  scored: number;
  changed: number;
}

/**
 * Scores the selected customers and writes, in ONE statement: tier_results (compact form: decision
 * 0023), tier_current (tier, hysteresis state and whether an override decided the tier — decision
 * 0029 —, only where one of them changed) — each updated where the customer has a row, inserted where
 * not (decision 0024) — and for customers whose tier changed a tier_history row each and one
 * tier_events_outbox event listing them (decision 0025), all in the caller's transaction.
 */
export async function scoreAndWrite(
  tx: Tx,
  run: { id: string; model_id: string; model_version: number | null; as_of: string },
  model: RunnableModel,
  stats: RunStatistics,
  customers: CustomerSelection,
  /** History reason: `full_run`, or the trigger (`large_order`, `complaint`, `manual_metric`, `override`, …). */
  reason: string,
  /** A full run's staged metrics (`stageMetrics`), read instead of computing the metrics. */
  staged?: string,
): Promise<WriteOutcome> {
  if (customers.kind !== 'one') {
    // setForManyCustomers, and generic plans for the prepared statement (a chunk's own transaction)
    await tx.query(
      `SELECT set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true),
         set_config('work_mem', '${MANY_CUSTOMERS_WORK_MEM}', true), set_config('plan_cache_mode', 'force_generic_plan', true)`,
    );
  }
  const p = new Params();
  const scoring = scoringSql(
    model,
    {
      modelId: run.model_id,
      asOf: run.as_of,
      customers,
      stats,
      previousFrom: reason === 'full_run' ? 'current' : 'last_result',
      staged,
    },
    p,
  );
  // Results and current tiers are updated where the customer has one and inserted where not — plain
  // statements, not upserts: every writer of a model's scores holds its lock (`lockModelScores`; a full
  // run's chunks hold disjoint customers), so no other transaction inserts the same row meanwhile, and an
  // upsert's speculative insertion, conflict check and row lock cost ~30 % of the writes (decision 0024).
  // The existing rows are looked up within the statement's own customers (`mine`); a result is inserted
  // where the update found none — known from the update's own RETURNING, as the statement's snapshot and
  // the lock leave no other row to find (reading the results' key again cost ~16 ms of a 20,000-customer
  // chunk of a next run).
  const mine = selectionFilter(customers, p);
  const runId = `${p.add(run.id)}::uuid`;
  const modelId = `${p.add(run.model_id)}::uuid`;
  const version = `${p.add(run.model_version)}::int`;
  const asOf = `${p.add(run.as_of)}::date`;
  const why = `${p.add(reason)}::text`;
  const ids = historyIds(Date.now());
  const idHead = `${p.add(ids.head)}::text`;
  const idBase = `${p.add(ids.base)}::bigint`;
  // ONE outbox event for the statement's changed customers (decision 0025), built as JSON text: what is
  // the same for all of them once, then one object per change (jsonb_build_object per change costs about
  // twice as much)
  const eventHead = p.add(
    JSON.stringify({ modelId: run.model_id, modelVersion: run.model_version, runId: run.id, reason }).slice(
      0,
      -1,
    ),
  );
  // a staged run's statement names its table: planned per chunk (~10 ms for 20,000 customers) rather
  // than kept as one more prepared statement per run on every connection
  const query = staged
    ? (text: string, values: unknown[]) => tx.query<{ scored: number; changed: number }>(text, values)
    : (text: string, values: unknown[]) =>
        preparedQuery<{ scored: number; changed: number }>(tx, text, values);
  const { rows } = await query(
    `WITH s AS MATERIALIZED (${scoring}),
     res_upd AS (
       UPDATE tier_results r SET run_id = ${runId}, model_version = ${version}, as_of = ${asOf},
         score = s.score::numeric, raw_tier = s.raw_tier, tier = s.tier, decided_by = s.decided_by,
         metrics = NULL, breakdown = NULL, detail = NULL, metric_values = s.metric_values, scores = s.scores,
         flags = s.flags, steps = s.steps, hysteresis = s.hysteresis, previous_tier = s.previous_tier,
         override_id = s.override_id, computed_at = now()
       FROM s
       WHERE r.tenant_id = kam_tenant() AND r.model_id = ${modelId} AND r.customer_id = s.customer_id${mine('r.customer_id')}
       RETURNING r.customer_id),
     res_ins AS (
       INSERT INTO tier_results (tenant_id, model_id, customer_id, run_id, model_version, as_of,
         score, raw_tier, tier, decided_by, metric_values, scores, flags, steps, hysteresis, previous_tier,
         override_id, computed_at)
       SELECT kam_tenant(), ${modelId}, s.customer_id, ${runId}, ${version}, ${asOf},
         s.score::numeric, s.raw_tier, s.tier, s.decided_by, s.metric_values, s.scores, s.flags, s.steps,
         s.hysteresis, s.previous_tier, s.override_id, now()
       FROM s
       WHERE NOT EXISTS (SELECT 1 FROM res_upd u WHERE u.customer_id = s.customer_id)
       RETURNING 1),
     hist AS (
       INSERT INTO tier_history (tenant_id, id, customer_id, model_id, model_version, run_id, from_tier, to_tier,
         reason, decided_by, changed_at)
       SELECT kam_tenant(), (${idHead} || to_hex(${idBase} + row_number() OVER ()))::uuid, s.customer_id, ${modelId}, ${version}, ${runId}, s.cur_tier, s.tier, ${why}, s.decided_by,
         statement_timestamp()
       FROM s WHERE s.tier IS DISTINCT FROM s.cur_tier
       RETURNING 1),
     outbox AS (
       INSERT INTO tier_events_outbox (tenant_id, model_id, changes, payload)
       SELECT kam_tenant(), ${modelId}, count(*), (${eventHead}::text || ',"tierOfRecord":'
         || coalesce((SELECT ts.record_model_id = ${modelId} FROM tier_settings ts
                      WHERE ts.tenant_id = kam_tenant()), false)::text
         || ',"changes":[' || string_agg('{"customerId":"' || s.customer_id::text || '","from":'
              || coalesce(to_json(s.cur_tier)::text, 'null') || ',"to":' || to_json(s.tier)::text
              || ',"decidedBy":' || to_json(s.decided_by)::text || '}', ',' ORDER BY s.customer_id)
         || ']}')::jsonb
       FROM s WHERE s.tier IS DISTINCT FROM s.cur_tier
       HAVING count(*) > 0
       RETURNING changes),
     cur_upd AS (
       UPDATE tier_current c SET tier = s.tier, held_tier = s.held_tier, below_count = s.below_count,
         overridden = (s.decided_by = 'override'), score = s.score::numeric, model_version = ${version}, run_id = ${runId},
         since = CASE WHEN c.tier = s.tier THEN c.since ELSE statement_timestamp() END, updated_at = now()
       FROM s
       WHERE c.tenant_id = kam_tenant() AND c.model_id = ${modelId} AND c.customer_id = s.customer_id${mine('c.customer_id')}
         AND s.cur_tier IS NOT NULL
         AND (s.tier, s.held_tier, s.below_count, s.decided_by = 'override')
           IS DISTINCT FROM (s.cur_tier, s.cur_held, s.cur_below, s.cur_overridden)
       RETURNING 1),
     cur_ins AS (
       INSERT INTO tier_current (tenant_id, model_id, customer_id, tier, held_tier, below_count, overridden,
         score, model_version, run_id, since, updated_at)
       SELECT kam_tenant(), ${modelId}, s.customer_id, s.tier, s.held_tier, s.below_count,
         s.decided_by = 'override', s.score::numeric, ${version}, ${runId}, statement_timestamp(), now()
       FROM s WHERE s.cur_tier IS NULL
       RETURNING 1)
     SELECT (SELECT count(*) FROM res_upd)::int + (SELECT count(*) FROM res_ins)::int AS scored,
            (SELECT count(*) FROM hist)::int AS changed, (SELECT coalesce(sum(changes), 0) FROM outbox)::int AS events,
            (SELECT count(*) FROM cur_upd)::int + (SELECT count(*) FROM cur_ins)::int AS current`,
    p.values,
  );
  const out = rows[0]!;
  return { scored: out.scored, changed: out.changed };
}

/**
 * The history ids of one statement, in the layout of UUID version 7 (as `kam_time_uuid()`, migration 0016:
 * time-ordered, so a first run's million history rows append to the primary key's right edge) without a
 * random number per row: the statement's milliseconds and 12 random bits (`head`, 16 hex digits), then
 * the variant bits `10` and a 62-bit counter from a random start (`base`, a negative bigint whose
 * `to_hex` is those 64 bits) plus the row's number. `gen_random_uuid()` per row cost ~1.9 µs and the
 * default's arithmetic ~2.3 µs more (~4 s of a first run at 1M customers). The start leaves 2³² numbers
 * free above it, so a statement never carries into the variant bits; two statements share ids only with
 * the same millisecond and 42 equal random bits.
 */
export function historyIds(nowMs: number, random: Buffer = randomBytes(8)): { head: string; base: string } {
  const head = `${nowMs.toString(16).padStart(12, '0').slice(-12)}7${(random.readUInt16BE(0) & 0xfff).toString(16).padStart(3, '0')}`;
  // 30 random bits above the 32-bit row counter, under the variant bits 10 (a bigint from −2⁶³ up)
  const high = BigInt(random.readUInt32BE(4) & 0x3fffffff) << 32n;
  return { head, base: (-(2n ** 63n) + high).toString() };
}

/**
 * A statement run as a named prepared statement with a generic plan, planned once per connection and
 * text. The scoring statements are large (planning one takes 10–40 ms, longer than executing it for
 * one customer), and their text depends only on the model: customers, statistics and dates are
 * parameters. Tenant isolation is unaffected: `kam_tenant()` is evaluated at execution, and plans of
 * row-level-secured tables are re-planned for another role. With `plan_cache_mode = force_generic_plan`
 * (set by the full run's chunks and by `rescoreCustomers`) the first execution already reuses the plan.
 */
async function preparedQuery<R extends pg.QueryResultRow>(
  tx: Tx,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  const client = tx as unknown as PgClient<R>;
  const parsed = client.connection?.parsedStatements;
  if (typeof parsed !== 'object' || parsed === null) return tx.query<R>(text, values);
  const name = `kam_tier_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
  if (parsed[name] === undefined) {
    const checked = checkedNames.get(client) ?? new Set<string>();
    checkedNames.set(client, checked);
    if (!checked.has(name)) {
      checked.add(name);
      // the embedded database serves every connection from ONE session: a statement another connection
      // prepared already exists there (preparing it again fails), so this connection only binds it
      const { rows } = await tx.query<{ shared: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM pg_prepared_statements WHERE name = $1) AS shared',
        [name],
      );
      if (rows[0]?.shared) parsed[name] = text;
    }
  }
  return client.query({ name, text, values });
}

/** What preparedQuery needs of a `pg` client (its per-connection record of prepared statements). */
interface PgClient<R extends pg.QueryResultRow> {
  connection?: { parsedStatements?: Record<string, string> };
  query(config: { name: string; text: string; values: unknown[] }): Promise<pg.QueryResult<R>>;
}
const checkedNames = new WeakMap<object, Set<string>>();

/** The upper id of the next chunk after `after` (null: no customers left). */
async function nextChunkEnd(tx: Tx, after: string | null, size: number): Promise<string | null> {
  const { rows } = await tx.query<{ id: string | null }>(
    `SELECT coalesce(
       (SELECT id FROM customers WHERE tenant_id = kam_tenant() AND deleted_at IS NULL
          AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id OFFSET $2 LIMIT 1),
       (SELECT id FROM customers WHERE tenant_id = kam_tenant() AND deleted_at IS NULL
          AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id DESC LIMIT 1)) AS id`,
    [after, size - 1],
  );
  return rows[0]?.id ?? null;
}

/**
 * A full run: statistics over all live customers, then chunk after chunk (progress in tier_runs),
 * then the results of customers that are gone are removed and the run completes. A failure marks the
 * run failed with the error; what was written by completed chunks stays (it is the outcome of the
 * same model on the same day, and the next run rewrites it).
 *
 * On the server `RUN_PARALLEL` chunks are in progress at once, each in its own transaction: ranges are
 * handed out in id order, the scoring statements run side by side (they write disjoint customers,
 * under the model's score lock taken shared), and each chunk commits only after the one before it
 * has — so the committed chunks are always a prefix of the customers, and a chunk that fails leaves
 * none after it committed. The embedded database has one backend: there chunks run one at a time,
 * sized by time.
 *
 * Resumable: each chunk's transaction also records the chunk's last customer (`resume_after`) and a
 * heartbeat, so a run whose worker died is handed out again by the watchdog (`recoverStalledRuns`) and
 * continues after the last committed chunk with the statistics it started with. Two workers holding the
 * same run cannot both write: a chunk commits only if `resume_after` is where it started (checked under
 * the run row's lock), else it rolls back and its worker stops quietly.
 */
export async function executeFullRun(
  db: Database,
  tenantId: string,
  runId: string,
  /** Customers per chunk; default RUN_CHUNK on the server, sized by time on the embedded database. */
  chunk?: number,
  opts: { signal?: AbortSignal; parallel?: number } = {},
): Promise<void> {
  // CLV models assign no tier: their runs extract, fit and write values (clv-run.ts, decision 0019)
  if (await isClvRun(db, tenantId, runId)) return executeClvRun(db, tenantId, runId, chunk, opts);
  // the embedded database computes the statistics in chunks, before the transaction that starts the run
  // (a second worker that started it meanwhile is seen there, and this one resumes it instead)
  let chunkedStats: RunStatistics | null = null;
  // the server stages the run's metrics (`stageMetrics`); the embedded database, whose one backend a
  // statement over every customer would hold for seconds, computes them chunk by chunk
  const staging = db.kind !== 'embedded';
  if (db.kind === 'embedded') {
    const pending = await db.withTenant(tenantId, (tx) => loadRun(tx, runId));
    if (pending?.kind === 'full' && pending.status === 'queued') {
      chunkedStats = await computeStatisticsInChunks(
        db,
        tenantId,
        runnableModel(pending.definition),
        pending.as_of,
      );
    }
  }
  const started = await db.withTenant(tenantId, async (tx) => {
    const run = await loadRun(tx, runId, true);
    if (run?.kind !== 'full' || run.status === 'completed' || run.status === 'failed') return null;
    const model = runnableModel(run.definition);
    if (run.status === 'running' && run.statistics) {
      await tx.query('UPDATE tier_runs SET heartbeat_at = now() WHERE tenant_id = kam_tenant() AND id = $1', [
        runId,
      ]);
      // resumed: its staged metrics again if a restart of the database emptied them (or they are gone);
      // the customers still to score get today's values, scored with the run's statistics
      if (staging && !(await stageReady(tx, stageTable(runId), run.statistics.population)))
        await stageMetrics(tx, runId, model, run.as_of);
      return { run, model, stats: run.statistics, after: run.resume_after };
    }
    const staged = staging ? await stageMetrics(tx, runId, model, run.as_of) : undefined;
    const stats = chunkedStats ?? (await computeStatistics(tx, model, run.as_of, staged));
    await tx.query(
      `UPDATE tier_runs SET status = 'running', started_at = now(), statistics = $2, total = $3,
         processed = 0, changed = 0, error = NULL, error_code = NULL, error_params = NULL, resume_after = NULL,
         heartbeat_at = now()
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [runId, JSON.stringify(stats), stats.population],
    );
    return { run, model, stats, after: null };
  });
  if (!started) return;
  const { run, model, stats } = started;
  const embedded = db.kind === 'embedded';
  const timed = chunk === undefined && embedded;
  const chunks = new ChunkRanges(started.after, chunk ?? (timed ? EMBEDDED_RUN_CHUNK : RUN_CHUNK));
  /** One chunk in the caller's transaction (its range taken there, in turn with the other workers). */
  const writeChunk = async (tx: Tx, c: ChunkRange) => {
    // a worker that took this run over may be on the same range: one at a time, and not again once done
    // (the embedded database runs one transaction at a time anyway: there `holdRun` alone decides)
    if (!embedded) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('kam.tier_chunk'), hashtext($1 || $2::text))`, [
        runId,
        c.start ?? '',
      ]);
      if (!(await runAt(tx, runId, c.start))) throw TAKEN;
    }
    // the score lock in chunk order: an earlier chunk never queues for it behind a re-score that waits
    // for a later chunk, which waits for the earlier one to commit
    await c.previousLocked;
    await lockModelScores(tx, run.model_id, true);
    c.locked();
    const out = await scoreAndWrite(
      tx,
      run,
      model,
      stats,
      { kind: 'range', after: c.start, upTo: c.end },
      'full_run',
      staging ? stageTable(runId) : undefined,
    );
    await c.previous; // commits in order (rejects when an earlier chunk failed or was taken)
    if (!(await holdRun(tx, runId, c.start))) throw TAKEN;
    await tx.query(
      `UPDATE tier_runs SET processed = processed + $2, changed = changed + $3, resume_after = $4,
         heartbeat_at = now()
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [runId, out.scored, out.changed, c.end],
    );
  };
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      const taken: { chunk: ChunkRange | null } = { chunk: null };
      try {
        await db.withTenant(tenantId, async (tx) => {
          taken.chunk = await chunks.next(tx, opts.signal);
          if (taken.chunk) await writeChunk(tx, taken.chunk);
        });
      } catch (err) {
        chunks.stop();
        taken.chunk?.locked();
        taken.chunk?.failed(err);
        throw err;
      }
      if (!taken.chunk) return;
      taken.chunk.committed();
      if (timed) {
        chunks.size = nextChunkSize(
          chunks.size,
          performance.now() - t0,
          EMBEDDED_CHUNK_MS,
          EMBEDDED_CHUNK_LIMITS,
        );
        await new Promise((resolve) => setTimeout(resolve, EMBEDDED_CHUNK_PAUSE_MS));
      }
    }
  };
  const parallel = embedded ? 1 : Math.max(1, opts.parallel ?? RUN_PARALLEL);
  try {
    const outcomes = await Promise.allSettled(Array.from({ length: parallel }, worker));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    if (!chunks.done) return; // stopped between chunks: resumable
    await db.withTenant(tenantId, async (tx) => {
      if (!(await holdRun(tx, runId, chunks.after))) return;
      // a restart of the database server during the run emptied its staged metrics: the chunks after
      // it scored nobody, so the run did not score every customer
      if (staging) {
        if (!(await stageReady(tx, stageTable(runId), stats.population)))
          throw new AppError('TIERING_RUN_STAGE_LOST');
        await dropStage(tx, runId);
      }
      // the result and current tier of customers deleted since (customers are only ever marked deleted
      // or merged, never removed; their history stays), so the tier distribution counts live customers:
      // looked up by primary key for each deleted customer (their index), not by reading every result
      // of the model. As a join the planner, without statistics of tier_results, hashed all of the
      // model's results: 1–3 s at 1M customers at the end of every run.
      await tx.query(
        `WITH deleted AS MATERIALIZED (
           SELECT ARRAY(SELECT c.id FROM customers c WHERE c.tenant_id = kam_tenant() AND c.deleted_at IS NOT NULL) AS ids),
         gone AS (
           DELETE FROM tier_current k
           WHERE k.tenant_id = kam_tenant() AND k.model_id = $1 AND k.customer_id = ANY ((SELECT ids FROM deleted)::uuid[]))
         DELETE FROM tier_results r
         WHERE r.tenant_id = kam_tenant() AND r.model_id = $1 AND r.run_id <> $2
           AND r.customer_id = ANY ((SELECT ids FROM deleted)::uuid[])`,
        [run.model_id, runId],
      );
      await tx.query(
        `UPDATE tier_runs SET status = 'completed', finished_at = now(), heartbeat_at = now()
         WHERE tenant_id = kam_tenant() AND id = $1`,
        [runId],
      );
    });
  } catch (err) {
    if (err === TAKEN) return; // another worker has the run
    await markFailed(db, tenantId, runId, err);
    throw err;
  }
}

/** A chunk found its run taken over by another worker (or ended): it rolls back, its worker stops. */
const TAKEN = Symbol('run taken over');

/** One chunk of a full run: the customers after `start` up to `end` (ids), and its place in the commit order. */
interface ChunkRange {
  start: string | null;
  end: string;
  /** Settles when the chunk before it has committed (rejects when it failed). */
  previous: Promise<void>;
  /** Settles when the chunk before it holds the model's score lock (or has failed). */
  previousLocked: Promise<void>;
  locked(): void;
  committed(): void;
  failed(err: unknown): void;
}

/**
 * Hands out the chunks of a run in id order, one at a time (each range starts where the previous one
 * ended), chaining each chunk's commit to the one before it.
 */
class ChunkRanges {
  /** Customers per chunk (the embedded database's timed chunks change it between chunks). */
  size: number;
  /** End of the last range handed out. */
  after: string | null;
  /** No customers left after `after`. */
  done = false;
  private stopped = false;
  private turn: Promise<unknown> = Promise.resolve();
  private last: Promise<void> = Promise.resolve();
  private lastLocked: Promise<void> = Promise.resolve();

  constructor(after: string | null, size: number) {
    this.after = after;
    this.size = size;
  }

  /**
   * The next range (found in the caller's transaction, the chunk's own), or null when none are left or
   * the run is to stop (`signal`).
   */
  next(tx: Tx, signal?: AbortSignal): Promise<ChunkRange | null> {
    const taken = this.turn.then(async (): Promise<ChunkRange | null> => {
      if (this.done || this.stopped || signal?.aborted) return null;
      const start = this.after;
      const end = await nextChunkEnd(tx, start, this.size);
      if (end === null) {
        this.done = true;
        return null;
      }
      this.after = end;
      let committed!: () => void;
      let failed!: (err: unknown) => void;
      const mine = new Promise<void>((resolve, reject) => {
        committed = resolve;
        failed = reject;
      });
      mine.catch(() => undefined); // a failure is reported by its own worker; later chunks only stop
      let locked!: () => void;
      const lockedMine = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const range: ChunkRange = {
        start,
        end,
        previous: this.last,
        previousLocked: this.lastLocked,
        locked,
        committed,
        failed,
      };
      this.last = mine;
      this.lastLocked = lockedMine;
      return range;
    });
    this.turn = taken.catch(() => undefined);
    return taken;
  }

  /** No more ranges (a chunk failed: the ones after it cannot commit). */
  stop() {
    this.stopped = true;
  }
}

/**
 * Whether the run is still running and has not committed past `start` yet (read without locking; the
 * chunk before may still be in progress — `holdRun` decides at commit).
 */
async function runAt(tx: Tx, runId: string, start: string | null): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT status = 'running' AND (resume_after IS NULL OR resume_after <= $2::uuid) AS ok
     FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1`,
    [runId, start],
  );
  return rows[0]?.ok === true;
}

/**
 * Locks the run row to the end of this chunk's transaction; true when the run is still running and its
 * last committed chunk ends where this worker's did (false: another worker took the run over, or it ended).
 */
export async function holdRun(tx: Tx, runId: string, after: string | null): Promise<boolean> {
  const { rows } = await tx.query<{ status: string; resume_after: string | null }>(
    'SELECT status, resume_after FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1 FOR UPDATE',
    [runId],
  );
  const r = rows[0];
  return r?.status === 'running' && r.resume_after === after;
}

export async function markFailed(db: Database, tenantId: string, runId: string, err: unknown): Promise<void> {
  const f = recordedFailure(err);
  await db.withTenant(tenantId, async (tx) => {
    await tx.query(
      `UPDATE tier_runs SET status = 'failed', finished_at = now(), error = $2, error_code = $3, error_params = $4
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [runId, f.text, f.code, JSON.stringify(f.params)],
    );
    await dropStage(tx, runId);
  });
}

/** Result of a simulation (stored in tier_runs.result). */
export interface SimulationResult {
  /** The model whose current tiers are the "before" (the model itself, else the tier of record; null: none). */
  baselineModelId: string | null;
  /** That model's tiers as its published version names them, highest first (the matrix's rows). */
  baselineTiers: { id: string; name: string }[];
  population: number;
  /** Tiers of the draft, highest first. */
  tiers: string[];
  /** current tier (null = none) × new tier → customers */
  matrix: { from: string | null; to: string; count: number }[];
  before: { tier: string | null; count: number }[];
  after: { tier: string; count: number }[];
  /** Up to `SAMPLES_PER_CELL` customers per cell (highest score first), with their breakdown. */
  samples: {
    from: string | null;
    to: string;
    customers: {
      customerId: string;
      name: string;
      score: string | null;
      metrics: Record<string, string | null>;
      breakdown: unknown;
      detail: ScoredDetail;
      rawTier: string;
      decidedBy: string;
    }[];
  }[];
}

export const SAMPLES_PER_CELL = 3;

/**
 * A simulation: the draft scored against today's data with the same SQL as a full run (statistics
 * computed from the population, hysteresis and overrides of the model's stored state applied), but
 * into nothing: one read-only statement aggregates the migration matrix and the sample customers; only
 * the run row receives the result.
 */
export async function executeSimulation(db: Database, tenantId: string, runId: string): Promise<void> {
  try {
    await db.withTenant(tenantId, async (tx) => {
      const run = await loadRun(tx, runId);
      if (run?.kind !== 'simulation' || run.status === 'completed') return;
      await tx.query(
        `UPDATE tier_runs SET status = 'running', started_at = now() WHERE tenant_id = kam_tenant() AND id = $1`,
        [runId],
      );
      const model = runnableModel(run.definition);
      const stats = await computeStatistics(tx, model, run.as_of);
      const baseline = await baselineModel(tx, run.model_id);
      const baselineNamed = baseline === null ? [] : await publishedTiers(tx, baseline);
      const p = new Params();
      // every customer's decision without its explanation (metric values, scores, flags), aggregated
      // into the matrix and the sample customers of each cell …
      const scoring = scoringSql(
        model,
        { modelId: run.model_id, asOf: run.as_of, customers: { kind: 'all' }, stats, explain: false },
        p,
      );
      const base = `${p.add(baseline)}::uuid`;
      const { rows } = await tx.query<{
        from_tier: string | null;
        to_tier: string;
        n: number;
        samples: string[];
      }>(
        `WITH s AS MATERIALIZED (${scoring}),
         j AS (SELECT s.customer_id, s.tier, s.score, bc.tier AS base_tier,
                 row_number() OVER (PARTITION BY bc.tier, s.tier ORDER BY s.score::numeric DESC NULLS LAST, s.customer_id) AS rn
               FROM s LEFT JOIN tier_current bc ON bc.tenant_id = kam_tenant() AND bc.model_id = ${base}
                 AND bc.customer_id = s.customer_id)
         SELECT j.base_tier AS from_tier, j.tier AS to_tier, count(*)::int AS n,
           coalesce(array_agg(j.customer_id ORDER BY j.rn) FILTER (WHERE j.rn <= ${SAMPLES_PER_CELL}), '{}') AS samples
         FROM j GROUP BY j.base_tier, j.tier`,
        p.values,
      );
      // … then the sample customers scored again with their explanation (same statistics and state)
      const ids = rows.flatMap((r) => r.samples);
      const decisions = new Map<string, SimulationResult['samples'][number]['customers'][number]>();
      if (ids.length > 0) {
        const q = new Params();
        const sampled = scoringSql(
          model,
          { modelId: run.model_id, asOf: run.as_of, customers: { kind: 'ids', ids }, stats },
          q,
        );
        const { rows: scored } = await tx.query<ScoredRow & { name: string }>(
          // the scores again as text[], replacing the column (node-postgres reads numeric[] as floats)
          `SELECT s.*, s.scores::text[] AS scores, c.name FROM (${sampled}) s
           JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = s.customer_id`,
          q.values,
        );
        for (const s of scored) {
          const { metrics, breakdown, detail } = expandResult(model, s);
          decisions.set(s.customer_id, {
            customerId: s.customer_id,
            name: s.name,
            score: s.score,
            metrics,
            breakdown,
            detail,
            rawTier: s.raw_tier,
            decidedBy: s.decided_by,
          });
        }
      }
      const tiers = tierIds(model);
      const order = (t: string | null) => (t === null ? Number.MAX_SAFE_INTEGER : tiers.indexOf(t));
      const byCell = (a: { from: string | null; to: string }, b: { from: string | null; to: string }) =>
        String(a.from ?? '\uffff').localeCompare(String(b.from ?? '\uffff')) || order(a.to) - order(b.to);
      const matrix = rows.map((r) => ({ from: r.from_tier, to: r.to_tier, count: r.n })).sort(byCell);
      const sum = new Map<string | null, number>();
      const after = new Map<string, number>();
      for (const r of rows) {
        sum.set(r.from_tier, (sum.get(r.from_tier) ?? 0) + r.n);
        after.set(r.to_tier, (after.get(r.to_tier) ?? 0) + r.n);
      }
      const result: SimulationResult = {
        baselineModelId: baseline,
        baselineTiers: baselineNamed,
        population: stats.population,
        tiers,
        matrix,
        before: [...sum]
          .map(([tier, count]) => ({ tier, count }))
          .sort((a, b) => order(a.tier) - order(b.tier) || String(a.tier).localeCompare(String(b.tier))),
        after: tiers.map((tier) => ({ tier, count: after.get(tier) ?? 0 })),
        samples: rows
          .map((r) => ({
            from: r.from_tier,
            to: r.to_tier,
            customers: r.samples.flatMap((id) => decisions.get(id) ?? []),
          }))
          .sort(byCell),
      };
      await tx.query(
        `UPDATE tier_runs SET status = 'completed', finished_at = now(), statistics = $2, result = $3,
           total = $4, processed = $4
         WHERE tenant_id = kam_tenant() AND id = $1`,
        [runId, JSON.stringify(stats), JSON.stringify(result), stats.population],
      );
    });
  } catch (err) {
    await markFailed(db, tenantId, runId, err);
    throw err;
  }
}

/** A runnable model's tiers, highest first, named as the model names them (RFM: the segments' names). */
export function namedTiers(
  model: RunnableModel,
  locale: 'zh-CN' | 'en' = 'zh-CN',
): { id: string; name: string }[] {
  return tierIds(model).map((id) => ({ id, name: tierName(model, id, locale) }));
}

/** Tier ids of a runnable model, highest first (RFM: the eight segments). */
export function tierIds(model: RunnableModel): string[] {
  if (model.kind === 'rfm') return [...RFM_SEGMENTS];
  if (model.kind === 'weighted') return model.tiers.map((t) => t.id);
  return [...model.tiers.map((t) => t.id), model.defaultTier.id];
}

/** The model whose current tiers a simulation compares with: the model itself once run, else the tier of record. */
async function baselineModel(tx: Tx, modelId: string): Promise<string | null> {
  const { rows } = await tx.query<{ id: string | null }>(
    `SELECT CASE WHEN EXISTS (SELECT 1 FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1)
              THEN $1::uuid
              ELSE (SELECT record_model_id FROM tier_settings WHERE tenant_id = kam_tenant()) END AS id`,
    [modelId],
  );
  return rows[0]?.id ?? null;
}

/** A model's tiers as its published version names them, highest first ([] when it has none). */
async function publishedTiers(tx: Tx, modelId: string): Promise<{ id: string; name: string }[]> {
  const { rows } = await tx.query<{ definition: unknown }>(
    `SELECT v.definition FROM tier_models m
     JOIN tier_model_versions v ON v.tenant_id = m.tenant_id AND v.model_id = m.id AND v.version_no = m.published_version
     WHERE m.tenant_id = kam_tenant() AND m.id = $1`,
    [modelId],
  );
  return rows[0] === undefined ? [] : namedTiers(runnableModel(rows[0].definition));
}

/** The last completed full run of a model's published version (its statistics score triggered re-scores). */
export async function lastFullRun(
  tx: Tx,
  modelId: string,
  version: number,
): Promise<{ id: string; statistics: RunStatistics } | null> {
  const { rows } = await tx.query<{ id: string; statistics: RunStatistics }>(
    `SELECT id, statistics FROM tier_runs
     WHERE tenant_id = kam_tenant() AND model_id = $1 AND model_version = $2 AND kind = 'full' AND status = 'completed'
     ORDER BY finished_at DESC LIMIT 1`,
    [modelId, version],
  );
  return rows[0] ?? null;
}

/** A published model as a triggered re-score reads it, with its last completed full run (if any). */
interface RescoredModel {
  id: string;
  kind: string;
  published_version: number;
  definition: unknown;
  full_id: string | null;
  statistics: RunStatistics | null;
}

/**
 * Triggered re-scores of the given customers under every published model that has a completed full
 * run of its current version, with that run's statistics — so an unchanged customer gets exactly the
 * full run's result. One `triggered` run row per model records the batch. In the caller's transaction.
 */
export async function rescoreCustomers(
  tx: Tx,
  customerIds: readonly string[],
  asOf: string,
  reason: string,
): Promise<{ models: number; changed: number }> {
  if (customerIds.length === 0) return { models: 0, changed: 0 };
  // A handful of round trips, whatever the number of models (a triggered re-score should take
  // milliseconds: decision 0020). One message holds two statements: the first locks every published
  // model's scores (one writer per model, `lockModelScores`; in id order) and switches the scoring
  // statements' generic plans on; the second — with a snapshot of its own, taken after the locks —
  // reads the models with the statistics of their last completed full run, RFM and CLV models first
  // (their outputs are metrics the other models may read).
  const [locked, found] = await statementsInOneMessage<[{ mode: string }, RescoredModel]>(tx, [
    `SELECT current_setting('plan_cache_mode') AS mode, set_config('plan_cache_mode', 'force_generic_plan', true),
       (SELECT count(pg_advisory_xact_lock(hashtext('kam.tier_scores'), hashtext(kam_tenant()::text || l.id::text)))
        FROM (SELECT m.id FROM tier_models m
              WHERE m.tenant_id = kam_tenant() AND m.published_version IS NOT NULL
                AND m.kind IN ('weighted', 'criteria', 'rfm', 'clv')
              ORDER BY m.id OFFSET 0) l) AS locks`,
    `SELECT m.id, m.kind, m.published_version, v.definition, f.id AS full_id, f.statistics
     FROM tier_models m
     JOIN tier_model_versions v ON v.tenant_id = m.tenant_id AND v.model_id = m.id AND v.version_no = m.published_version
     LEFT JOIN LATERAL (
       SELECT r.id, r.statistics FROM tier_runs r
       WHERE r.tenant_id = kam_tenant() AND r.model_id = m.id AND r.model_version = m.published_version
         AND r.kind = 'full' AND r.status = 'completed'
       ORDER BY r.finished_at DESC LIMIT 1) f ON true
     WHERE m.tenant_id = kam_tenant() AND m.published_version IS NOT NULL
       AND m.kind IN ('weighted', 'criteria', 'rfm', 'clv')
     ORDER BY m.kind NOT IN ('rfm', 'clv'), m.id`,
  ]);
  const models = found.rows;
  let changed = 0;
  let used = 0;
  const runRows: {
    run: { id: string; model_id: string; model_version: number };
    definition: unknown;
    scored: number;
    changed: number;
    statistics: { id: string; statistics: RunStatistics };
  }[] = [];
  for (const m of models) {
    if (m.full_id === null || m.statistics === null) continue; // no full run of this version yet
    const full = { id: m.full_id, statistics: m.statistics };
    used++;
    if (m.kind === 'clv') {
      await rescoreClvCustomers(tx, m, full, customerIds, asOf, reason);
      continue;
    }
    const model = runnableModel(m.definition);
    const run = { id: randomUUID(), model_id: m.id, model_version: m.published_version, as_of: asOf };
    let runChanged = 0;
    let scored = 0;
    for (const customerId of customerIds) {
      const out = await scoreAndWrite(tx, run, model, full.statistics, { kind: 'one', customerId }, reason);
      runChanged += out.changed;
      scored += out.scored;
    }
    changed += runChanged;
    // the run row is written once the customers are scored (same transaction, so the same outcome)
    runRows.push({ run, definition: m.definition, scored, changed: runChanged, statistics: full });
  }
  // the models' run rows and the setting as the caller had it, in one statement
  const p = new Params();
  const values = runRows.map(
    (r) =>
      `(kam_tenant(), ${p.add(r.run.id)}::uuid, ${p.add(r.run.model_id)}::uuid, ${p.add(r.run.model_version)}::int,
        ${p.add(JSON.stringify(r.definition))}::jsonb, 'triggered', 'completed', ${p.add(asOf)}::date,
        ${p.add(customerIds.length)}::int, ${p.add(r.scored)}::int, ${p.add(r.changed)}::int,
        ${p.add(JSON.stringify({ ...r.statistics.statistics, fromRun: r.statistics.id }))}::jsonb, ${p.add(reason)}::text,
        ${p.add(customerIds.length === 1 ? customerIds[0] : null)}::uuid, now(), now())`,
  );
  const mode = p.add(locked.rows[0]?.mode ?? 'auto');
  await tx.query(
    values.length === 0
      ? `SELECT set_config('plan_cache_mode', ${mode}, true)`
      : `WITH runs AS (
           INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, status, as_of, total,
             processed, changed, statistics, trigger_reason, customer_id, started_at, finished_at)
           VALUES ${values.join(', ')} RETURNING 1)
         SELECT set_config('plan_cache_mode', ${mode}, true), (SELECT count(*) FROM runs) AS runs`,
    p.values,
  );
  return { models: used, changed };
}

/** Takes up to `limit` customers from the tenant's re-score queue (oldest first), removing them. */
export async function takeQueued(tx: Tx, limit: number): Promise<{ customerId: string; reason: string }[]> {
  const { rows } = await tx.query<{ customer_id: string; reason: string }>(
    `DELETE FROM tier_rescore_queue q
     WHERE q.tenant_id = kam_tenant() AND q.customer_id IN (
       SELECT customer_id FROM tier_rescore_queue WHERE tenant_id = kam_tenant()
       ORDER BY requested_at, customer_id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING q.customer_id, q.reason`,
    [limit],
  );
  return rows.map((r) => ({ customerId: r.customer_id, reason: r.reason }));
}
