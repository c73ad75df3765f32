/**
 * Runs of customer-lifetime-value models (decision 0019). A CLV model has no tiers: a full run extracts,
 * set-based, what the models need per customer from the orders (one statement for the whole tenant,
 * grouped by identical (x, t_x, T) for the fit), fits BG/NBD and Gamma-Gamma by maximum likelihood in
 * Node (@kam/domain), stores the parameters in the run's statistics, then writes every customer's
 * historical and expected CLV and P(alive) into `tier_results` chunk by chunk (one read and one
 * `unnest` upsert per chunk; never one statement per customer). A triggered re-score recomputes one
 * customer with the parameters of the last full run (one read, Node maths, one upsert).
 *
 * Extraction (D = the run's date, W = the historical window, u = the model's time unit in days;
 * documents dated after D are ignored, cancelled orders never count):
 * - a purchase day is a day with at least one confirmed order; the first one is the customer's birth;
 * - x = purchase days after the birth (same-day orders are one purchase), t_x = (last purchase day −
 *   birth) / u, T = (D − birth) / u;
 * - the value of a repeat purchase day is its confirmed amounts; a return document dated after the birth
 *   is subtracted (returns on the birth day belong to the first purchase); z̄ = max(0, Σ) / x, half-up to fen;
 * - historical: G = Σ signed gross margins in the window (confirmed +, returned −; the `gross_margin`
 *   metric), n = confirmed orders in the window (the `order_count` metric).
 */
import {
  type BgNbdObservation,
  type ClvCustomerInputs,
  type ClvFittedParams,
  type ClvModel,
  type CustomerClv,
  customerClv,
  DomainError,
  type FitResult,
  fitBgNbd,
  fitGammaGamma,
  type GammaGammaObservation,
  MIN_FIT_REPEAT_CUSTOMERS,
  THRESHOLD_BOUNDARY_RULE,
  validateTieringModel,
} from '@kam/domain';
import { Params } from '../../access/sql.js';
import type { Database, Tx } from '../../db/database.js';
import type { RunStatistics } from './compile.js';
import { type CustomerSelection, selectionFilter } from './metrics.js';
import { holdRun, loadRun, lockModelScores, markFailed, setForManyCustomers } from './runner.js';

/** Customers per chunk of a CLV run (one read, Node maths and one upsert per chunk, one transaction). */
export const CLV_RUN_CHUNK = 20_000;
export const EMBEDDED_CLV_RUN_CHUNK = 5_000;
/** The tier / raw tier / deciding step stored for CLV results: a CLV model assigns no tier. */
export const CLV_TIER = 'clv';

export type ClvSelection = CustomerSelection | { kind: 'ids'; ids: readonly string[] };

/** A fit as stored in the run's statistics (`statistics.clv`). */
export interface StoredFit<P> {
  params: P;
  logLikelihood: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Parameters at a bound of the search (not identified by the data; the values are the limit). */
  atBound: string[];
  /** Observations the likelihood summed over (groups of identical customers) and the customers in them. */
  observations: number;
  customers: number;
  ms: number;
}

export interface ClvNotFitted {
  part: 'bgnbd' | 'gammaGamma';
  code: 'TIERING_FIT_INSUFFICIENT_DATA';
  params: { min: number; found: number };
}

export interface ClvStatistics {
  /** Live customers. */
  population: number;
  /** Customers with at least one purchase day up to D (BG/NBD observations before grouping). */
  buyers: number;
  /** Customers with x > 0. */
  repeatCustomers: number;
  /** Customers with x > 0 and z̄ > 0 (the Gamma-Gamma observations before grouping). */
  spendCustomers: number;
  bgnbd: StoredFit<{ r: number; alpha: number; a: number; b: number }> | null;
  gammaGamma: StoredFit<{ p: number; q: number; gamma: number }> | null;
  /** Why a part is not fitted (then the outputs that need it are missing for everyone). */
  notFitted: ClvNotFitted[];
  /** The model settings the run used (time unit, horizon, …). */
  settings: ClvModel;
  /** Milliseconds: the extraction statement, and the run's whole fitting phase. */
  extractMs: number;
  fitMs: number;
}

export type ClvRunStatistics = RunStatistics & { clv: ClvStatistics };

export function clvModel(definition: unknown): ClvModel {
  const v = validateTieringModel(definition);
  if (!v.ok || v.value.kind !== 'clv') throw new Error('stored definition is not a CLV model');
  return v.value;
}

// ——— extraction ————————————————————————————————————————————————————————————————————————————

/**
 * Per live customer of the selection: `gross_margin` (numeric, null when no order of the window records
 * one), `orders`, `birth` (date, null: never bought), `x`, `tx_days`, `t_days` (integers), `zbar`
 * (numeric, 2 decimals). Orders are aggregated per customer and day first (same-day orders are one
 * purchase), then per customer.
 */
export function clvInputsSql(model: ClvModel, asOf: string, sel: ClvSelection, p: Params): string {
  const D = `${p.add(asOf)}::date`;
  const W = `${p.add(model.historical.windowDays)}::int`;
  let range: (col: string) => string;
  if (sel.kind === 'ids') {
    const ids = p.add(sel.ids);
    range = (col) => ` AND ${col} = ANY(${ids}::uuid[])`;
  } else {
    range = selectionFilter(sel, p);
  }
  return `WITH d AS (
      SELECT o.customer_id, o.ordered_at AS day,
        count(*) FILTER (WHERE o.status = 'confirmed') AS n,
        coalesce(sum(o.amount) FILTER (WHERE o.status = 'confirmed'), 0)
          - coalesce(sum(o.amount) FILTER (WHERE o.status = 'returned'), 0) AS net,
        sum(CASE WHEN o.status = 'confirmed' THEN o.gross_margin ELSE -o.gross_margin END)
          FILTER (WHERE o.gross_margin IS NOT NULL AND o.ordered_at > ${D} - ${W}) AS gm
      FROM orders o
      WHERE o.tenant_id = kam_tenant() AND o.status IN ('confirmed', 'returned') AND o.ordered_at <= ${D}${range('o.customer_id')}
      GROUP BY o.customer_id, o.ordered_at),
    b AS (SELECT d.*, min(d.day) FILTER (WHERE d.n > 0) OVER (PARTITION BY d.customer_id) AS birth FROM d),
    k AS (SELECT b.customer_id, min(b.birth) AS birth, max(b.day) FILTER (WHERE b.n > 0) AS last_day,
        count(*) FILTER (WHERE b.n > 0 AND b.day > b.birth) AS x,
        sum(b.net) FILTER (WHERE b.day > b.birth) AS repeat_net,
        sum(b.n) FILTER (WHERE b.day > ${D} - ${W}) AS orders_w,
        sum(b.gm) AS gm_w
      FROM b GROUP BY b.customer_id)
    SELECT c.id AS customer_id, k.gm_w AS gross_margin, coalesce(k.orders_w, 0)::int AS orders, k.birth,
      coalesce(k.x, 0)::int AS x, (k.last_day - k.birth) AS tx_days, (${D} - k.birth) AS t_days,
      CASE WHEN k.x > 0 THEN kam_div_half_up(greatest(coalesce(k.repeat_net, 0), 0) * 100, k.x) * 0.01
           ELSE 0.00 END AS zbar
    FROM customers c LEFT JOIN k ON k.customer_id = c.id
    WHERE c.tenant_id = kam_tenant() AND c.deleted_at IS NULL${range('c.id')}`;
}

interface InputRow {
  customer_id: string;
  gross_margin: string | null;
  orders: number;
  birth: string | null;
  x: number;
  tx_days: number | null;
  t_days: number | null;
  zbar: string;
}

/**
 * Planner settings for the extraction over a whole tenant (for the rest of the caller's transaction):
 * orders are read in one sequential pass and sorted once by customer and day (no index scan: in index
 * order every order is a random heap read — 141 s instead of ≈ 35 s for 10M orders), the sort and the
 * per-day groups in memory where they fit (`work_mem` 256 MB), hash joins only.
 */
async function setForWholeTenant(tx: Tx): Promise<void> {
  await setForManyCustomers(tx);
  await tx.query(
    `SELECT set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true),
            set_config('enable_hashagg', 'off', true), set_config('work_mem', '256MB', true)`,
  );
}

/** The inputs of the selected customers, in customer id order (one statement). */
export async function readClvInputs(
  tx: Tx,
  model: ClvModel,
  asOf: string,
  sel: ClvSelection,
): Promise<Map<string, ClvCustomerInputs>> {
  // (a full run reads every customer with `readAllClvInputs`: the same statement, through a cursor)
  if (sel.kind === 'all') await setForWholeTenant(tx);
  else if (sel.kind === 'range') await setForManyCustomers(tx);
  const p = new Params();
  const { rows } = await tx.query<InputRow>(
    `SELECT i.customer_id, i.gross_margin::text AS gross_margin, i.orders, i.birth::text AS birth, i.x,
       i.tx_days, i.t_days, i.zbar::text AS zbar
     FROM (${clvInputsSql(model, asOf, sel, p)}) i ORDER BY i.customer_id`,
    p.values,
  );
  const out = new Map<string, ClvCustomerInputs>();
  for (const r of rows) {
    out.set(r.customer_id, {
      grossMargin: r.gross_margin,
      orders: r.orders,
      history:
        r.birth === null ? null : { x: r.x, txDays: r.tx_days ?? 0, tDays: r.t_days ?? 0, zbar: r.zbar },
    });
  }
  return out;
}

// ——— the fit ———————————————————————————————————————————————————————————————————————————————

/**
 * Every live customer's inputs as a full run holds them: parallel arrays in customer id order (`tDays` −1:
 * never bought) — about 150 bytes a customer instead of ≈ 700 as objects.
 */
export interface ClvInputTable {
  ids: string[];
  grossMargin: (string | null)[];
  orders: number[];
  x: number[];
  txDays: number[];
  tDays: number[];
  zbar: string[];
}

export function inputsAt(t: ClvInputTable, i: number): ClvCustomerInputs {
  const tDays = t.tDays[i] as number;
  return {
    grossMargin: t.grossMargin[i] ?? null,
    orders: t.orders[i] as number,
    history:
      tDays < 0
        ? null
        : { x: t.x[i] as number, txDays: t.txDays[i] as number, tDays, zbar: t.zbar[i] as string },
  };
}

/** Rows per FETCH of the whole-tenant extraction (bounds the memory of the rows in flight). */
const FETCH_ROWS = 20_000;

/**
 * ONE statement over the tenant, read through a cursor in batches (the statement runs once; only the rows in
 * flight are held as objects): every live customer's inputs, in customer id order.
 */
export async function readAllClvInputs(tx: Tx, model: ClvModel, asOf: string): Promise<ClvInputTable> {
  await setForWholeTenant(tx);
  await tx.query(`SELECT set_config('cursor_tuple_fraction', '1', true)`);
  const p = new Params();
  await tx.query(
    `DECLARE kam_clv_inputs NO SCROLL CURSOR FOR
     SELECT i.customer_id, i.gross_margin::text AS gross_margin, i.orders, i.x,
       coalesce(i.tx_days, -1) AS tx_days, coalesce(i.t_days, -1) AS t_days, i.zbar::text AS zbar
     FROM (${clvInputsSql(model, asOf, { kind: 'all' }, p)}) i ORDER BY i.customer_id`,
    p.values,
  );
  const t: ClvInputTable = { ids: [], grossMargin: [], orders: [], x: [], txDays: [], tDays: [], zbar: [] };
  for (;;) {
    const { rows } = await tx.query<{
      customer_id: string;
      gross_margin: string | null;
      orders: number;
      x: number;
      tx_days: number;
      t_days: number;
      zbar: string;
    }>(`FETCH ${FETCH_ROWS} FROM kam_clv_inputs`);
    for (const r of rows) {
      t.ids.push(r.customer_id);
      t.grossMargin.push(r.gross_margin);
      t.orders.push(r.orders);
      t.x.push(r.x);
      t.txDays.push(r.tx_days);
      t.tDays.push(r.t_days);
      t.zbar.push(r.zbar);
    }
    if (rows.length < FETCH_ROWS) break;
  }
  await tx.query('CLOSE kam_clv_inputs');
  return t;
}

/** Observations for the fits: identical customers grouped with a count (`count` in @kam/domain). */
export interface FitGroups {
  population: number;
  bgnbd: { x: number; txDays: number; tDays: number; count: number }[];
  gammaGamma: { x: number; zbar: number; count: number }[];
}

/**
 * Groups the customers' inputs by identical (x, t_x, T) for BG/NBD (whole days: customers who started and
 * last bought on the same days share one observation) and by identical (x, z̄) for Gamma-Gamma (x > 0,
 * z̄ > 0). The likelihood of a group is its count times one customer's.
 */
export function fitGroups(t: ClvInputTable): FitGroups {
  const bg = new Map<number | string, FitGroups['bgnbd'][number]>();
  const gg = new Map<string, FitGroups['gammaGamma'][number]>();
  for (let i = 0; i < t.ids.length; i++) {
    const tDays = t.tDays[i] as number;
    if (tDays < 0) continue;
    const x = t.x[i] as number;
    const txDays = t.txDays[i] as number;
    // a number key while it is exact (x < 2^20, days < 2^16 ≈ 179 years), else text
    const k =
      x < 2 ** 20 && tDays < 2 ** 16 ? (x * 2 ** 16 + txDays) * 2 ** 16 + tDays : `${x}:${txDays}:${tDays}`;
    const b = bg.get(k);
    if (b) b.count++;
    else bg.set(k, { x, txDays, tDays, count: 1 });
    const zbar = t.zbar[i] as string;
    const z = Number(zbar);
    if (x > 0 && z > 0) {
      const kz = `${x}:${zbar}`;
      const g = gg.get(kz);
      if (g) g.count++;
      else gg.set(kz, { x, zbar: z, count: 1 });
    }
  }
  return { population: t.ids.length, bgnbd: [...bg.values()], gammaGamma: [...gg.values()] };
}

function stored<P>(fit: FitResult<P>, observations: number, customers: number, ms: number): StoredFit<P> {
  return {
    params: fit.params,
    logLikelihood: fit.logLikelihood,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
    atBound: fit.atBound,
    observations,
    customers,
    ms,
  };
}

function insufficient(err: unknown): boolean {
  return err instanceof DomainError && err.code === 'TIERING_FIT_INSUFFICIENT_DATA';
}

/**
 * Fits BG/NBD and Gamma-Gamma on grouped observations (pure Node; no transaction is held meanwhile). A part
 * with fewer than MIN_FIT_REPEAT_CUSTOMERS usable repeat customers is not fitted and says so.
 */
export function fitClv(model: ClvModel, groups: FitGroups, extractMs: number): ClvStatistics {
  const started = performance.now();
  const u = model.probabilistic.timeUnitDays;
  const bgData: BgNbdObservation[] = groups.bgnbd.map((g) => ({
    x: g.x,
    tx: g.txDays / u,
    T: g.tDays / u,
    count: g.count,
  }));
  const ggData: GammaGammaObservation[] = groups.gammaGamma;
  const sum = (xs: { count: number }[]) => xs.reduce((s, o) => s + o.count, 0);
  const buyers = sum(groups.bgnbd);
  const repeatCustomers = sum(groups.bgnbd.filter((g) => g.x > 0));
  const spendCustomers = sum(groups.gammaGamma);
  const notFitted: ClvNotFitted[] = [];
  const part = <P>(
    name: ClvNotFitted['part'],
    found: number,
    observations: number,
    fit: () => FitResult<P>,
  ): StoredFit<P> | null => {
    const t = performance.now();
    try {
      const f = fit();
      return stored(
        f,
        observations,
        name === 'bgnbd' ? buyers : spendCustomers,
        Math.round(performance.now() - t),
      );
    } catch (err) {
      if (!insufficient(err)) throw err;
      notFitted.push({
        part: name,
        code: 'TIERING_FIT_INSUFFICIENT_DATA',
        params: { min: MIN_FIT_REPEAT_CUSTOMERS, found },
      });
      return null;
    }
  };
  const bgnbd = part('bgnbd', repeatCustomers, bgData.length, () => fitBgNbd(bgData));
  const gammaGamma = part('gammaGamma', spendCustomers, ggData.length, () => fitGammaGamma(ggData));
  return {
    population: groups.population,
    buyers,
    repeatCustomers,
    spendCustomers,
    bgnbd,
    gammaGamma,
    notFitted,
    settings: model,
    extractMs,
    fitMs: Math.round(performance.now() - started),
  };
}

export function fittedParams(stats: ClvStatistics | undefined): ClvFittedParams {
  return { bgnbd: stats?.bgnbd?.params ?? null, gammaGamma: stats?.gammaGamma?.params ?? null };
}

// ——— writing results ————————————————————————————————————————————————————————————————————————

/** One customer's CLV with its factors, as the API shows it (`expandClv` of what is stored). */
export type ClvBreakdown = Pick<CustomerClv, 'historical' | 'probabilistic'>;

/**
 * What `tier_results.breakdown` holds for a CLV result — compact (a million of them are written per run): the
 * inputs (g = G, n, and for buyers x, t_x and T in days, z = z̄) and the outputs that need the fitted
 * parameters (ep = E[Y(h)], pa = P(alive), es = E[Z]). The values themselves are in `metrics`; everything
 * else (the historical factors, t_x and T in time units, the settings) follows from the run's definition.
 */
export interface StoredClv {
  g: string | null;
  n: number;
  x?: number;
  tx?: number;
  T?: number;
  z?: string;
  ep?: string | null;
  pa?: string | null;
  es?: string | null;
}

export function storeClv(input: ClvCustomerInputs, c: CustomerClv): StoredClv {
  const out: StoredClv = { g: input.grossMargin, n: input.orders };
  const h = input.history;
  const p = c.probabilistic;
  if (h && p) {
    Object.assign(out, { x: h.x, tx: h.txDays, T: h.tDays, z: h.zbar });
    Object.assign(out, { ep: p.expectedPurchases, pa: p.pAlive, es: p.expectedSpend });
  }
  return out;
}

/** The stored result with all its factors (`customerClv` without parameters, then the stored outputs). */
export function expandClv(
  model: ClvModel,
  stored: StoredClv,
  metrics: Record<string, string | null>,
): ClvBreakdown {
  const c = customerClv(
    model,
    {
      grossMargin: stored.g,
      orders: stored.n,
      history:
        stored.x === undefined
          ? null
          : { x: stored.x, txDays: stored.tx ?? 0, tDays: stored.T ?? 0, zbar: stored.z ?? '0.00' },
    },
    { bgnbd: null, gammaGamma: null },
  );
  return {
    historical: c.historical,
    probabilistic: c.probabilistic && {
      ...c.probabilistic,
      expectedPurchases: stored.ep ?? null,
      pAlive: stored.pa ?? null,
      expectedSpend: stored.es ?? null,
      clv: metrics.clv_expected ?? null,
    },
  };
}

/** `tier_results.detail` of a CLV result: the full run whose parameters were used, and what was not fitted. */
export interface ClvDetail {
  paramsRun: string;
  notFitted: ClvNotFitted[];
}

/**
 * Computes the customers' CLV (Node, @kam/domain `customerClv`) and upserts their results in ONE statement
 * (one JSON document of the rows, `jsonb_to_recordset`: faster than `unnest` of text arrays, whose quoting
 * node-postgres does character by character). No tier, history or outbox: a CLV model assigns no tier.
 */
export async function writeClvResults(
  tx: Tx,
  run: { id: string; model_id: string; model_version: number | null; as_of: string },
  model: ClvModel,
  stats: ClvStatistics | undefined,
  paramsRun: string,
  inputs: Map<string, ClvCustomerInputs>,
): Promise<number> {
  if (inputs.size === 0) return 0;
  const fit = fittedParams(stats);
  const detail = JSON.stringify({ paramsRun, notFitted: stats?.notFitted ?? [] } satisfies ClvDetail);
  const rows: string[] = [];
  for (const [id, input] of inputs) {
    const c = customerClv(model, input, fit);
    rows.push(`{"c":"${id}","m":${JSON.stringify(c.metrics)},"b":${JSON.stringify(storeClv(input, c))}}`);
  }
  const res = await tx.query(
    `INSERT INTO tier_results AS r (tenant_id, model_id, customer_id, run_id, model_version, as_of, metrics,
       score, raw_tier, tier, decided_by, breakdown, detail, computed_at)
     SELECT kam_tenant(), $1::uuid, u.c, $2::uuid, $3::int, $4::date, u.m, NULL, $5, $5, $5, u.b, $6::jsonb, now()
     FROM jsonb_to_recordset($7::jsonb) AS u(c uuid, m jsonb, b jsonb)
     ON CONFLICT (tenant_id, model_id, customer_id) DO UPDATE SET
       run_id = excluded.run_id, model_version = excluded.model_version, as_of = excluded.as_of,
       metrics = excluded.metrics, score = excluded.score, raw_tier = excluded.raw_tier, tier = excluded.tier,
       decided_by = excluded.decided_by, breakdown = excluded.breakdown, detail = excluded.detail,
       computed_at = excluded.computed_at`,
    [run.model_id, run.id, run.model_version, run.as_of, CLV_TIER, detail, `[${rows.join(',')}]`],
  );
  return res.rowCount ?? 0;
}

// ——— full run ———————————————————————————————————————————————————————————————————————————————

/** Whether a run is of a CLV model (the runner hands those to `executeClvRun`). */
export async function isClvRun(db: Database, tenantId: string, runId: string): Promise<boolean> {
  return db.withTenant(tenantId, async (tx) => {
    const { rows } = await tx.query<{ clv: boolean }>(
      `SELECT definition->>'kind' = 'clv' AS clv FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1`,
      [runId],
    );
    return rows[0]?.clv === true;
  });
}

/**
 * A full run of a CLV model. ONE statement extracts every live customer's inputs (a sequential pass over the
 * orders, see `setForWholeTenant`); Node groups them, fits BG/NBD and Gamma-Gamma (the parameters stored in
 * `statistics.clv`, `total` set) and writes the results in chunks of customers in id order — each chunk one
 * transaction: one `unnest` upsert and the progress. Then results of customers deleted since are removed.
 * Too few repeat customers for a fit is not a failure: the run completes with the historical CLV, the
 * probabilistic outputs missing and the reason in `statistics.clv.notFitted`.
 *
 * Resumable like the runner's full runs (decision 0016): every chunk records `resume_after` and a heartbeat
 * (also after the extraction, before the fit); a run handed over again after its fit extracts again and
 * continues after its last chunk with the stored parameters (before it, everything is redone).
 * `signal`: stop between chunks (shutdown).
 */
export async function executeClvRun(
  db: Database,
  tenantId: string,
  runId: string,
  chunk = db.kind === 'embedded' ? EMBEDDED_CLV_RUN_CHUNK : CLV_RUN_CHUNK,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  const started = await db.withTenant(tenantId, async (tx) => {
    const run = await loadRun(tx, runId, true);
    if (run?.kind !== 'full' || run.status === 'completed' || run.status === 'failed') return null;
    const stats = (run.statistics as Partial<ClvRunStatistics> | null)?.clv;
    if (run.status === 'running' && stats) {
      await tx.query('UPDATE tier_runs SET heartbeat_at = now() WHERE tenant_id = kam_tenant() AND id = $1', [
        runId,
      ]);
      return { run, stats, after: run.resume_after };
    }
    await tx.query(
      `UPDATE tier_runs SET status = 'running', started_at = now(), statistics = NULL, processed = 0,
         changed = 0, error = NULL, error_code = NULL, error_params = NULL, resume_after = NULL, heartbeat_at = now()
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [runId],
    );
    return { run, stats: null, after: null };
  });
  if (!started) return;
  const { run } = started;
  let after = started.after;
  const beat = (tx: Tx) =>
    tx.query('UPDATE tier_runs SET heartbeat_at = now() WHERE tenant_id = kam_tenant() AND id = $1', [runId]);
  try {
    const model = clvModel(run.definition);
    const t0 = performance.now();
    const inputs = await db.withTenant(tenantId, (tx) => readAllClvInputs(tx, model, run.as_of));
    const extractMs = Math.round(performance.now() - t0);
    let clv = started.stats;
    if (!clv) {
      const held = await db.withTenant(tenantId, async (tx) => {
        if (!(await holdRun(tx, runId, null))) return false;
        await beat(tx);
        return true;
      });
      if (!held) return;
      const fitted = fitClv(model, fitGroups(inputs), extractMs);
      const statistics: ClvRunStatistics = { percentiles: {}, population: fitted.population, clv: fitted };
      const kept = await db.withTenant(tenantId, async (tx) => {
        if (!(await holdRun(tx, runId, null))) return false;
        await tx.query(
          `UPDATE tier_runs SET statistics = $2, total = $3, heartbeat_at = now()
           WHERE tenant_id = kam_tenant() AND id = $1`,
          [runId, JSON.stringify(statistics), fitted.population],
        );
        return true;
      });
      if (!kept) return;
      clv = fitted;
    }
    // customer ids in PostgreSQL's uuid order (lower-case hex text compares alike)
    let first = 0;
    while (after !== null && first < inputs.ids.length && (inputs.ids[first] as string) <= after) first++;
    for (let i = first; i < inputs.ids.length; i += chunk) {
      if (opts.signal?.aborted) return; // stopped between chunks: resumable
      const upTo = Math.min(i + chunk, inputs.ids.length);
      const end = inputs.ids[upTo - 1] as string;
      const part = new Map<string, ClvCustomerInputs>();
      for (let j = i; j < upTo; j++) part.set(inputs.ids[j] as string, inputsAt(inputs, j));
      const done = await db.withTenant(tenantId, async (tx) => {
        if (!(await holdRun(tx, runId, after))) return false;
        await lockModelScores(tx, run.model_id);
        const written = await writeClvResults(tx, run, model, clv, run.id, part);
        await tx.query(
          `UPDATE tier_runs SET processed = processed + $2, resume_after = $3, heartbeat_at = now()
           WHERE tenant_id = kam_tenant() AND id = $1`,
          [runId, written, end],
        );
        return true;
      });
      if (!done) return; // another worker took the run over
      after = end;
    }
    await db.withTenant(tenantId, async (tx) => {
      if (!(await holdRun(tx, runId, after))) return;
      // results of customers deleted since (also during this run)
      await tx.query(
        `DELETE FROM tier_results WHERE tenant_id = kam_tenant() AND model_id = $1
           AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = kam_tenant() AND c.id = customer_id
                           AND c.deleted_at IS NULL)`,
        [run.model_id],
      );
      await tx.query(
        `UPDATE tier_runs SET status = 'completed', finished_at = now(), heartbeat_at = now()
         WHERE tenant_id = kam_tenant() AND id = $1`,
        [runId],
      );
    });
  } catch (err) {
    await markFailed(db, tenantId, runId, err);
    throw err;
  }
}

// ——— triggered re-score ————————————————————————————————————————————————————————————————————————

/**
 * Re-scores customers under a CLV model with the parameters of its last completed full run (consistent
 * with that run, as percentile breakpoints are for tier models): one statement reads their inputs, Node
 * computes, one statement upserts. Records a `triggered` run row. In the caller's transaction.
 */
export async function rescoreClvCustomers(
  tx: Tx,
  m: { id: string; published_version: number; definition: unknown },
  full: { id: string; statistics: RunStatistics },
  customerIds: readonly string[],
  asOf: string,
  reason: string,
): Promise<number> {
  const model = clvModel(m.definition);
  const stats = (full.statistics as Partial<ClvRunStatistics>).clv;
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, status, as_of, total,
       statistics, trigger_reason, customer_id, started_at)
     VALUES (kam_tenant(), gen_random_uuid(), $1, $2, $3, 'triggered', 'running', $4, $5, $6, $7, $8, now())
     RETURNING id`,
    [
      m.id,
      m.published_version,
      JSON.stringify(m.definition),
      asOf,
      customerIds.length,
      JSON.stringify({ ...full.statistics, fromRun: full.id }),
      reason,
      customerIds.length === 1 ? customerIds[0] : null,
    ],
  );
  const run = { id: rows[0]!.id, model_id: m.id, model_version: m.published_version, as_of: asOf };
  const inputs = await readClvInputs(tx, model, asOf, { kind: 'ids', ids: customerIds });
  const written = await writeClvResults(tx, run, model, stats, full.id, inputs);
  await tx.query(
    `UPDATE tier_runs SET status = 'completed', finished_at = now(), processed = $2, changed = 0
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [run.id, written],
  );
  return written;
}

// ——— presenting one customer's result ———————————————————————————————————————————————————————————

const CLV_NAME = { zh: '客户终身价值', en: 'Customer lifetime value' };

/**
 * A stored CLV result as a decision of `GET /customers/:id/tiering`: no tier, the values with their factors
 * under `clv`. Money derived from margins is left out for an actor whose field rules hide the order's gross
 * margin (`clv_historical` hidden), spend figures when they hide revenue (`clv_expected` hidden).
 */
export function presentClvDecision(
  row: {
    model_id: string;
    model_name: string;
    tier_of_record: boolean;
    model_version: number | null;
    run_id: string;
    as_of: string;
    /** the definition the result was computed with (its run's) */
    definition: unknown;
    metrics: Record<string, string | null>;
    breakdown: unknown;
    detail: unknown;
  },
  locale: 'zh-CN' | 'en',
  hidden: ReadonlySet<string>,
) {
  const b = expandClv(clvModel(row.definition), row.breakdown as StoredClv, row.metrics);
  const d = (row.detail ?? {}) as Partial<ClvDetail>;
  const hideMargin = hidden.has('clv_historical');
  const hideSpend = hidden.has('clv_expected');
  const historical = b.historical
    ? hideMargin
      ? { ...b.historical, grossMargin: null, marginPerPurchase: null, clv: null, hidden: true }
      : { ...b.historical, hidden: false }
    : null;
  const probabilistic = b.probabilistic
    ? hideSpend
      ? { ...b.probabilistic, zbar: null, expectedSpend: null, clv: null, hidden: true }
      : { ...b.probabilistic, hidden: false }
    : null;
  const metrics = Object.fromEntries(
    Object.entries(row.metrics).map(([k, v]) => [k, hidden.has(k) ? null : v]),
  ) as Record<string, string | null>;
  return {
    modelId: row.model_id,
    modelName: row.model_name,
    kind: 'clv' as const,
    tierOfRecord: row.tier_of_record,
    modelVersion: row.model_version,
    runId: row.run_id,
    asOf: row.as_of,
    tier: CLV_TIER,
    tierName: locale === 'en' ? CLV_NAME.en : CLV_NAME.zh,
    rawTier: CLV_TIER,
    score: null,
    decidedBy: CLV_TIER,
    since: null,
    metrics,
    hysteresis: { tier: CLV_TIER, belowCount: 0 },
    boundaryRule: THRESHOLD_BOUNDARY_RULE,
    breakdown: [],
    criteria: null,
    rfm: null,
    appliedRules: [],
    thresholds: null,
    clv: {
      historical,
      probabilistic,
      paramsRun: d.paramsRun ?? row.run_id,
      notFitted: d.notFitted ?? [],
    },
  };
}
