/**
 * Tier models compiled to set-based SQL. `scoringSql` turns a weighted, criteria or RFM model into ONE
 * statement that computes, for every selected customer, the metrics (metrics.ts), the normalised
 * dimension scores, the weighted score, the raw tier, floors, hysteresis against the stored state,
 * caps and the active override — the decision of @kam/domain `decideTier` / `scoreRfm`, with the same
 * exact arithmetic (decimals in `numeric`, half-up rounding through `kam_div_half_up` and `round`).
 * Only the logarithmic normaliser uses floats, as the domain does (ln in double precision, the
 * result rounded half-up through its shortest decimal text).
 *
 * The statement's rows (`ScoredRow`) are what a run writes into tier_results / tier_current /
 * tier_history, or what a simulation aggregates.
 */
import {
  type ConditionGroup,
  type Dimension,
  formatDec,
  type MetricCondition,
  modelTiers,
  type Normaliser,
  type RfmModel,
  type RfmStatistics,
  type TierModel,
  toDec,
} from '@kam/domain';
import type { Params } from '../../access/sql.js';
import {
  type CustomerSelection,
  metricsSql,
  metricType,
  selectionFilter,
  stagedMetricsSql,
} from './metrics.js';

/** Population statistics of a run (stored in tier_runs.statistics, JSON). */
export interface RunStatistics {
  /** Percentile breakpoints b₀…b₁₀₀ per metric (canonical decimals, ascending; `[]` = no values). */
  percentiles: Record<string, string[]>;
  /** RFM models: cut points and averages (@kam/domain `RfmStatistics`). */
  rfm?: RfmStatistics;
  /** Customers in the run. */
  population: number;
}

/** The models the server runs. */
export type RunnableModel = TierModel | RfmModel;

/**
 * A result in the compact form tier_results stores (migration 0018; `expandResult` in present.ts turns
 * it into the metrics, breakdown and detail documents). Decimals as text.
 */
export interface CompactResult {
  /** The model's metrics (`modelMetrics` order), as text. */
  metric_values: (string | null)[] | null;
  /** Weighted: normalised score per dimension (null: missing); RFM: R, F, M (numeric[]: read as `::text[]`). */
  scores: (string | null)[] | null;
  /** Weighted, criteria: floors, caps, then (criteria) each tier's conditions; RFM: R, F, M high. */
  flags: boolean[] | null;
  /** Ranks after floors, hysteresis and caps; below count after and before this run. */
  steps: (number | null)[] | null;
  hysteresis: string | null;
  previous_tier: string | null;
  override_id: string | null;
  override_tier: string | null;
  override_until: string | null;
  override_reason: string | null;
}

/** One scored customer: its decision and compact explanation. */
export interface ScoredRow extends CompactResult {
  customer_id: string;
  score: string | null;
  raw_tier: string;
  tier: string;
  held_tier: string;
  below_count: number;
  decided_by: string;
  /** The customer's state in `tier_current` before this run (null: none yet). */
  cur_tier: string | null;
  cur_held: string | null;
  cur_below: number | null;
  /** Whether an override decided the tier in `tier_current` (null: no row yet). */
  cur_overridden: boolean | null;
}

/** What `detail` holds (see present.ts for the API form). */
export interface ScoredDetail {
  floors?: boolean[];
  caps?: boolean[];
  /** Criteria: per tier (top down), per condition, whether it held. */
  conditions?: boolean[][];
  floored?: string;
  held?: string;
  capped?: string;
  hysteresis?: 'initial' | 'same' | 'upgrade' | 'held' | 'runs' | 'margin';
  belowCount?: number;
  previous?: string | null;
  previousBelowCount?: number | null;
  override?: { id: string; tier: string; until: string | null; reason: string; known: boolean } | null;
  /** RFM: the codes and highs. */
  rfm?: unknown;
}

/** Metrics a model reads. */
export function modelMetrics(model: RunnableModel): string[] {
  if (model.kind === 'rfm') return [model.metrics.recency, model.metrics.frequency, model.metrics.monetary];
  const keys: string[] = [];
  const fromGroup = (g: ConditionGroup) => {
    for (const c of g.conditions) keys.push(c.metric);
  };
  if (model.kind === 'weighted') for (const d of model.dimensions) keys.push(d.metric);
  else for (const t of model.tiers) fromGroup(t.when);
  for (const r of [...model.floors, ...model.caps]) fromGroup(r.when);
  return [...new Set(keys)];
}

/** Metrics whose percentile breakpoints the model needs. */
export function percentileMetrics(model: RunnableModel): string[] {
  if (model.kind !== 'weighted') return [];
  const isPercentile = (n: Normaliser): boolean =>
    n.kind === 'percentile' || (n.kind === 'inverted' && n.of.kind === 'percentile');
  return [...new Set(model.dimensions.filter((d) => isPercentile(d.normaliser)).map((d) => d.metric))];
}

const ident = (key: string) => `"${key.replace(/"/g, '')}"`;

/** A decimal literal (validated model text only: never user text in SQL unquoted). */
function num(value: string | number): string {
  const d = toDec(value);
  if (d === null) throw new RangeError(`not a decimal: ${String(value)}`);
  return `(${formatDec(d)}::numeric)`;
}

/** A text literal, quoted. */
function str(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `value` is a decimal (the domain compares such values numerically). */
const isDecimal = (v: unknown) => typeof v !== 'boolean' && toDec(v) !== null;

// ——— normalisers ——————————————————————————————————————————————————————————————————————————

/**
 * The helper columns of a percentile rank (`percentileLevels`): `pa` = breakpoints ≤ v (binary search with
 * width_bucket), `pf` = breakpoints < v, and of the interval b[pf] < v < b[pf + 1] (w = its width):
 * `base` = (pf − 1)·w − b[pf], `d1` = w·(k − 1) and `d2` = 2·d1, so that the rank's division is one `div`.
 */
type PercentileColumn = (metric: string, name: 'pa' | 'pf' | 'base' | 'd1' | 'd2') => string;

/**
 * `kam_div_half_up(num, den)` for num ≥ 0 and den > 0 (exact: ⌊(2·num + den) / (2·den)⌋), without
 * the function's signs and absolute values — a quarter of the numeric operations, for the normalisers'
 * branches where both are known positive. `den2` = 2·den, when the caller has it.
 */
function divHalfUpPositive(numerator: string, den: string, den2 = `2 * ${den}`): string {
  return `div(2 * ${numerator} + ${den}, ${den2})`;
}

/** Normalised score (numeric, 2 decimals) of metric column `v`, or NULL when it cannot be read. */
function normaliserSql(
  n: Normaliser,
  metric: string,
  v: string,
  stats: RunStatistics,
  pc: PercentileColumn,
): string {
  const numeric = metricType(metric) === 'numeric';
  switch (n.kind) {
    case 'linear':
      if (!numeric) return 'NULL::numeric';
      // min < v < max in the ELSE branch; the constant differences are folded when the statement is planned
      return `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} <= ${num(n.min)} THEN 0.00 WHEN ${v} >= ${num(n.max)} THEN 100.00
        ELSE ${divHalfUpPositive(`(${v} - ${num(n.min)}) * 10000`, `(${num(n.max)} - ${num(n.min)})`)} * 0.01 END`;
    case 'log': {
      if (!numeric) return 'NULL::numeric';
      const lo = `ln(1 + ${num(n.min)}::float8)`;
      const hi = `ln(1 + ${num(n.max)}::float8)`;
      const raw = `round(((100 * (ln(1 + ${v}::float8) - ${lo}) / (${hi} - ${lo}))::text)::numeric, 2)`;
      return `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} <= ${num(n.min)} THEN 0.00 WHEN ${v} >= ${num(n.max)} THEN 100.00
        ELSE least(100.00, greatest(0.00, ${raw})) END`;
    }
    case 'percentile': {
      if (!numeric) return 'NULL::numeric';
      const k = (stats.percentiles[metric] ?? []).length;
      if (k === 0) return `CASE WHEN ${v} IS NULL THEN NULL ELSE 0.00 END`;
      // @kam/domain percentileRank between the breakpoints (the database's kam_percentile_rank, written
      // out over helper columns: as a function call its division is not inlined and costs ~40 µs a row)
      // v equal to breakpoints pf + 1 … pa: the middle position (pf + pa − 1) / 2, in integers; else
      // between b[pf] < v < b[pf + 1]: position (pf − 1) + (v − b[pf]) / w = (v + base) / w
      const [pa, pf, base] = (['pa', 'pf', 'base'] as const).map((x) => pc(metric, x));
      return `CASE WHEN ${v} IS NULL THEN NULL WHEN ${pa} = 0 THEN 0.00 WHEN ${pf} > ${k - 1} THEN 100.00
        WHEN ${pa} > ${pf} THEN ((20000 * (${pf} + ${pa} - 1) + ${2 * (k - 1)}) / ${4 * (k - 1)}) * 0.01
        ELSE ${divHalfUpPositive(`(${v} + ${base}) * 10000`, pc(metric, 'd1'), pc(metric, 'd2'))} * 0.01 END`;
    }
    case 'bands': {
      if (!numeric) return 'NULL::numeric';
      const arms = n.bands.map((b) => `WHEN ${v} >= ${num(b.atLeast)} THEN round(${num(b.score)}, 2)`);
      return `CASE WHEN ${v} IS NULL THEN NULL ${arms.join(' ')} ELSE round(${num(n.otherwise)}, 2) END`;
    }
    case 'inverted':
      return `(100.00 - (${normaliserSql(n.of, metric, v, stats, pc)}))`;
    case 'category': {
      const arms = n.categories
        .map((c) => {
          if (numeric)
            return isDecimal(c.value) ? `WHEN ${v} = ${num(c.value)} THEN round(${num(c.score)}, 2)` : '';
          return `WHEN ${v} = ${str(c.value)} THEN round(${num(c.score)}, 2)`;
        })
        .filter(Boolean);
      return `CASE WHEN ${v} IS NULL THEN NULL ${arms.join(' ')} ELSE round(${num(n.otherwise)}, 2) END`;
    }
  }
}

/**
 * The levels that compute the percentile helper columns of `metrics` over the metrics CTE `m0`, ending
 * in `m` (or `m` = the metrics themselves when there are none): `pa` by binary search over the run's
 * breakpoints, `pf` = `pa` less the breakpoints equal to v, then the interval's constants (`base`, `d1`,
 * `d2`) — both by hash joins with the breakpoints' rows (one subscript of a numeric[], or a second
 * width_bucket, walks the array: ~1 µs, several per customer).
 */
function percentileLevels(
  metrics: readonly string[],
  stats: RunStatistics,
  p: Params,
): { levels: (metricsSql: string) => string; column: PercentileColumn } {
  const used = metrics.filter((k) => (stats.percentiles[k] ?? []).length > 0);
  const column: PercentileColumn = (metric, name) => `m.${ident(`${name}:${metric}`)}`;
  if (used.length === 0) return { levels: (sql) => `m AS MATERIALIZED (${sql})`, column };
  const first: string[] = [];
  const second: string[] = [];
  const third: string[] = [];
  const equalJoins: string[] = [];
  const intervalJoins: string[] = [];
  used.forEach((key, i) => {
    const k = stats.percentiles[key]!.length;
    const bp = `(${p.add(stats.percentiles[key]!)}::numeric[])`;
    const v = `m1.${ident(key)}`;
    first.push(`width_bucket(m0.${ident(key)}, ${bp}) AS ${ident(`pa:${key}`)}`);
    second.push(`m1.${ident(`pa:${key}`)} - coalesce(q${i}.n, 0) AS ${ident(`pf:${key}`)}`);
    equalJoins.push(
      `LEFT JOIN (SELECT u.b, count(*)::int AS n FROM unnest(${bp}) u(b) GROUP BY u.b) q${i} ON q${i}.b = ${v}`,
    );
    third.push(...(['base', 'd1', 'd2'] as const).map((c) => `k${i}.${c} AS ${ident(`${c}:${key}`)}`));
    intervalJoins.push(`LEFT JOIN (SELECT x.i, (x.i - 1) * x.w - x.lo AS base, x.w * ${k - 1} AS d1, x.w * ${2 * (k - 1)} AS d2
      FROM (SELECT u.i::int AS i, u.b AS lo, lead(u.b) OVER (ORDER BY u.i) - u.b AS w
            FROM unnest(${bp}) WITH ORDINALITY u(b, i)) x) k${i} ON k${i}.i = m2.${ident(`pf:${key}`)}`);
  });
  return {
    levels: (sql) => `m0 AS MATERIALIZED (${sql}),
  m1 AS (SELECT m0.*, ${first.join(', ')} FROM m0 OFFSET 0),
  m2 AS (SELECT m1.*, ${second.join(', ')} FROM m1 ${equalJoins.join(' ')} OFFSET 0),
  m AS (SELECT m2.*, ${third.join(', ')} FROM m2 ${intervalJoins.join(' ')} OFFSET 0)`,
    column,
  };
}

// ——— conditions ——————————————————————————————————————————————————————————————————————————

/** Whether one condition holds (never NULL; a missing metric makes it false, `ne`/`not_in` included). */
export function conditionSql(c: MetricCondition, col: (metric: string) => string): string {
  const v = col(c.metric);
  const numeric = metricType(c.metric) === 'numeric';
  const eq = (expected: string | boolean): string => {
    if (numeric)
      return typeof expected !== 'boolean' && isDecimal(expected) ? `${v} = ${num(expected)}` : 'FALSE';
    // text metrics hold categories (never decimals): compared as text, booleans as 'true'/'false'
    return `${v} = ${str(String(expected))}`;
  };
  switch (c.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (!numeric) return 'FALSE';
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op];
      return `coalesce(${v} ${op} ${num(c.value)}, FALSE)`;
    }
    case 'eq':
      return `coalesce(${eq(c.value)}, FALSE)`;
    case 'ne':
      return `(${v} IS NOT NULL AND NOT coalesce(${eq(c.value)}, FALSE))`;
    case 'in':
      return `coalesce(${c.value.map(eq).join(' OR ')}, FALSE)`;
    case 'not_in':
      return `(${v} IS NOT NULL AND NOT coalesce(${c.value.map(eq).join(' OR ')}, FALSE))`;
  }
}

function groupSql(conds: string[], g: ConditionGroup): string {
  if (g.combine === 'all') return `(${conds.join(' AND ')})`;
  if (g.combine === 'any') return `(${conds.join(' OR ')})`;
  return `((${conds.map((c) => `(${c})::int`).join(' + ')}) >= ${g.atLeast ?? conds.length})`;
}

// ——— the statement ———————————————————————————————————————————————————————————————————————————

export interface ScoringOptions {
  modelId: string;
  asOf: string;
  customers: CustomerSelection;
  stats: RunStatistics;
  /**
   * The hysteresis state to start from: `current` (default: tier_current — full runs and simulations), or
   * `last_result`: the state the customer's stored result started from (triggered re-scores). A
   * triggered re-score thereby re-decides the last run instead of counting as one more run: an
   * unchanged customer gets exactly the full run's decision, however often it is re-scored.
   */
  previousFrom?: 'current' | 'last_result';
  /**
   * false: `metric_values`, `scores` and `flags` are NULL (a simulation aggregates a million decisions
   * and needs the explanation of its few sample customers only; it scores those again with them).
   */
  explain?: boolean;
  /**
   * A full run's staged metrics table (runner.ts `stageMetrics`): the metrics are read from it instead of
   * being aggregated from the data (the server's full runs; absent: computed by `metricsSql`).
   */
  staged?: string;
}

/** The metrics of the selected customers: from the run's staged table, or computed. */
function metricsSource(
  keys: readonly string[],
  opts: Pick<ScoringOptions, 'asOf' | 'customers' | 'staged'>,
  windowDays: number | undefined,
  p: Params,
): string {
  return opts.staged
    ? stagedMetricsSql(opts.staged, keys, opts.customers, p)
    : metricsSql(keys, { asOf: opts.asOf, windowDays, customers: opts.customers }, p);
}

/** An SQL array of the expressions (NULL when there are none). */
const sqlArray = (exprs: string[], type: string) =>
  exprs.length > 0 ? `ARRAY[${exprs.join(', ')}]::${type}[]` : `NULL::${type}[]`;

/** The scoring statement of a model (see the module comment). Parameters are added to `p`. */
export function scoringSql(model: RunnableModel, opts: ScoringOptions, p: Params): string {
  if (model.kind === 'rfm') return rfmScoringSql(model, opts, p);
  const metrics = modelMetrics(model);
  const m = metricsSource(metrics, opts, undefined, p);
  const pct = percentileLevels(percentileMetrics(model), opts.stats, p);
  const explain = opts.explain !== false;
  const metricValues = explain
    ? sqlArray(
        metrics.map((k) => `(h.${ident(k)})::text`),
        'text',
      )
    : 'NULL::text[]';
  const tiers = modelTiers(model).map((t) => t.id);
  const rankOf = (id: string) => tiers.indexOf(id);
  const tiersParam = `${p.add(tiers)}::text[]`;
  const modelParam = `${p.add(opts.modelId)}::uuid`;
  const dateParam = `${p.add(opts.asOf)}::date`;

  // level a: normalised scores (weighted) or conditions (criteria); floors and caps
  const aCols: string[] = [];
  let scoreExpr = 'NULL::numeric';
  let rawRank: string;
  const conditionCols: string[][] = [];
  if (model.kind === 'weighted') {
    model.dimensions.forEach((d: Dimension, i) => {
      aCols.push(
        `${normaliserSql(d.normaliser, d.metric, `m.${ident(d.metric)}`, opts.stats, pct.column)} AS n${i}`,
      );
    });
    const norm = (a: string, i: number) =>
      `coalesce(${a}.n${i}, round(${num(model.dimensions[i]!.missingScore)}, 2))`;
    // the weight as a fraction, (w × 0.01), folded into one constant when the statement is planned: one
    // multiplication per dimension and customer, the same exact product (numeric multiplication is exact)
    const contribution = (a: string, i: number) =>
      `(${norm(a, i)} * (${num(model.dimensions[i]!.weight)} * 0.01))`;
    scoreExpr = `round(${model.dimensions.map((_, i) => contribution('b', i)).join(' + ')}, 2)`;
    const arms = model.tiers.map((t, i) => `WHEN c.score >= ${num(t.minScore)} THEN ${i}`);
    rawRank = `CASE ${arms.join(' ')} ELSE ${tiers.length - 1} END`;
  } else {
    const mcol = (metric: string) => `m.${ident(metric)}`;
    model.tiers.forEach((t, ti) => {
      const names: string[] = [];
      t.when.conditions.forEach((c, ci) => {
        aCols.push(`${conditionSql(c, mcol)} AS q${ti}_${ci}`);
        names.push(`q${ti}_${ci}`);
      });
      conditionCols.push(names);
    });
    const arms = model.tiers.map(
      (t, ti) =>
        `WHEN ${groupSql(
          conditionCols[ti]!.map((n) => `c.${n}`),
          t.when,
        )} THEN ${ti}`,
    );
    rawRank = `CASE ${arms.join(' ')} ELSE ${tiers.length - 1} END`;
  }
  const mcol = (metric: string) => `m.${ident(metric)}`;
  model.floors.forEach((f, i) => {
    aCols.push(
      `${groupSql(
        f.when.conditions.map((c) => conditionSql(c, mcol)),
        f.when,
      )} AS fl${i}`,
    );
  });
  model.caps.forEach((c, i) => {
    aCols.push(
      `${groupSql(
        c.when.conditions.map((x) => conditionSql(x, mcol)),
        c.when,
      )} AS cp${i}`,
    );
  });

  const floorArms = model.floors.map((f, i) => `CASE WHEN d.fl${i} THEN ${rankOf(f.tier)} END`);
  const capArms = model.caps.map((c, i) => `CASE WHEN g.cp${i} THEN ${rankOf(c.tier)} END`);
  const fromResult = opts.previousFrom === 'last_result';
  const prevHeld = fromResult
    ? `CASE WHEN lr.customer_id IS NULL THEN cur.held_tier WHEN lr.detail IS NULL THEN lr.previous_tier
         ELSE lr.detail->>'previous' END`
    : 'cur.held_tier';
  const prevCount = fromResult
    ? `CASE WHEN lr.customer_id IS NULL THEN cur.below_count WHEN lr.detail IS NULL THEN lr.steps[5]
         ELSE (lr.detail->>'previousBelowCount')::int END`
    : 'cur.below_count';
  const prevRank = `CASE ${prevHeld} ${tiers.map((t, i) => `WHEN ${str(t)} THEN ${i}`).join(' ')} END`;
  const ovRank = `CASE ov.tier ${tiers.map((t, i) => `WHEN ${str(t)} THEN ${i}`).join(' ')} END`;
  const h = model.hysteresis;
  let marginRule = 'FALSE';
  if (model.kind === 'weighted' && h.downgradeMargin !== null) {
    const threshold = `CASE e.prev_rank ${model.tiers.map((t, i) => `WHEN ${i} THEN ${num(t.minScore)}`).join(' ')} END`;
    marginRule = `e.score < ${threshold} - ${num(h.downgradeMargin)}`;
  }
  // the state tables restricted to the same customers (a chunk reads its own range of each)
  const sf = selectionFilter(opts.customers, p);
  const stateJoins = `LEFT JOIN tier_current cur ON cur.tenant_id = kam_tenant() AND cur.model_id = ${modelParam} AND cur.customer_id = d.customer_id${sf('cur.customer_id')}
       LEFT JOIN tier_overrides ov ON ov.tenant_id = kam_tenant() AND ov.model_id = ${modelParam}
         AND ov.customer_id = d.customer_id AND ov.revoked_at IS NULL AND (ov.until IS NULL OR ov.until >= ${dateParam})${sf('ov.customer_id')}${
           fromResult
             ? `
       LEFT JOIN tier_results lr ON lr.tenant_id = kam_tenant() AND lr.model_id = ${modelParam} AND lr.customer_id = d.customer_id${sf('lr.customer_id')}`
             : ''
         }`;
  // the compact explanation (ScoredRow; present.ts expands it)
  const scores =
    explain && model.kind === 'weighted'
      ? sqlArray(
          model.dimensions.map((_, i) => `h.n${i}`),
          'numeric',
        )
      : 'NULL::numeric[]';
  const flags = explain
    ? sqlArray(
        [
          ...model.floors.map((_, i) => `h.fl${i}`),
          ...model.caps.map((_, i) => `h.cp${i}`),
          ...conditionCols.flat().map((n) => `h.${n}`),
        ],
        'boolean',
      )
    : 'NULL::boolean[]';
  const base = model.kind === 'weighted' ? 'threshold' : 'criteria';

  return `WITH ${pct.levels(m)},
  b AS (SELECT m.*${aCols.map((c) => `, ${c}`).join('')} FROM m OFFSET 0),
  c AS (SELECT b.*, ${scoreExpr} AS score FROM b OFFSET 0),
  d AS (SELECT c.*, ${rawRank} AS raw_rank FROM c OFFSET 0),
  e AS (SELECT d.*, LEAST(d.raw_rank${floorArms.map((a) => `, ${a}`).join('')}) AS floored_rank,
          cur.tier AS cur_tier, cur.held_tier AS cur_held, cur.below_count AS cur_below, cur.overridden AS cur_overridden, ${prevHeld} AS prev_held, ${prevCount} AS prev_count, ${prevRank} AS prev_rank,
          ov.id AS ov_id, ov.tier AS ov_tier, ov.until AS ov_until, ov.reason AS ov_reason, ${ovRank} AS ov_rank
        FROM d ${stateJoins} OFFSET 0),
  f AS (SELECT e.*, CASE
          WHEN e.prev_rank IS NULL THEN 'initial'
          WHEN e.floored_rank = e.prev_rank THEN 'same'
          WHEN e.floored_rank < e.prev_rank THEN 'upgrade'
          WHEN ${marginRule} THEN 'margin'
          WHEN greatest(0, e.prev_count) + 1 >= ${h.downgradeAfterRuns} THEN 'runs'
          ELSE 'held' END AS h_outcome FROM e OFFSET 0),
  g AS (SELECT f.*, CASE WHEN f.h_outcome = 'held' THEN f.prev_rank ELSE f.floored_rank END AS held_rank,
          CASE WHEN f.h_outcome = 'held' THEN greatest(0, f.prev_count) + 1 ELSE 0 END AS below_count FROM f OFFSET 0),
  h AS (SELECT g.*, GREATEST(g.held_rank${capArms.map((a) => `, ${a}`).join('')}) AS capped_rank FROM g OFFSET 0)
  SELECT h.customer_id, h.score::text AS score,
    (${tiersParam})[h.raw_rank + 1] AS raw_tier,
    (${tiersParam})[coalesce(h.ov_rank, h.capped_rank) + 1] AS tier,
    (${tiersParam})[h.held_rank + 1] AS held_tier,
    h.below_count::int AS below_count,
    CASE WHEN h.ov_rank IS NOT NULL THEN 'override'
         WHEN h.capped_rank <> h.held_rank THEN 'cap'
         WHEN h.held_rank <> h.floored_rank THEN 'hysteresis'
         WHEN h.floored_rank <> h.raw_rank THEN 'floor'
         ELSE '${base}' END AS decided_by,
    ${metricValues} AS metric_values, ${scores} AS scores, ${flags} AS flags,
    ARRAY[h.floored_rank, h.held_rank, h.capped_rank, h.below_count, h.prev_count]::int[] AS steps,
    h.h_outcome AS hysteresis, h.prev_held AS previous_tier,
    h.ov_id AS override_id, h.ov_tier AS override_tier, h.ov_until::text AS override_until, h.ov_reason AS override_reason,
    h.cur_tier, h.cur_held, h.cur_below, h.cur_overridden
  FROM h`;
}

/** RFM: bin scores from the run's cut points, high/low against the run's averages, the eight segments. */
function rfmScoringSql(model: RfmModel, opts: ScoringOptions, p: Params): string {
  const rfm = opts.stats.rfm;
  if (!rfm) throw new RangeError('RFM statistics missing');
  const keys = modelMetrics(model);
  const m = metricsSource(keys, opts, model.windowDays, p);
  const r = `m.${ident(model.metrics.recency)}`;
  const f = `m.${ident(model.metrics.frequency)}`;
  const mo = `m.${ident(model.metrics.monetary)}`;
  // the cut points as the ascending arrays rfmBin searches (recency's are stored descending)
  const asc = (cuts: string[]) => `${p.add([...cuts].reverse())}::numeric[]`;
  const negated = (cuts: string[]) =>
    `${p.add([...cuts].reverse().map((c) => (c.startsWith('-') ? c.slice(1) : `-${c}`)))}::numeric[]`;
  const modelParam = `${p.add(opts.modelId)}::uuid`;
  const high = (v: string, d: 'recency' | 'frequency' | 'monetary', score: string) => {
    const s = rfm[d];
    if (model.segmentBasis === 'scores')
      return s.population > 0 ? `(${score} * ${s.population} >= ${s.scoreSum})` : 'FALSE';
    if (s.count === 0) return 'FALSE';
    const op = d === 'recency' ? '<=' : '>=';
    return `coalesce(${v} * ${s.count} ${op} ${num(s.sum)}, FALSE)`;
  };
  const explain = opts.explain !== false;
  const stateJoin = `LEFT JOIN tier_current cur ON cur.tenant_id = kam_tenant() AND cur.model_id = ${modelParam} AND cur.customer_id = t.customer_id${selectionFilter(opts.customers, p)('cur.customer_id')}`;
  const segment = `CASE WHEN s.mh THEN 'important_' ELSE 'general_' END ||
      CASE WHEN s.rh THEN CASE WHEN s.fh THEN 'value' ELSE 'development' END
           ELSE CASE WHEN s.fh THEN 'retention' ELSE 'winback' END END`;
  return `WITH m AS MATERIALIZED (${m}),
  q AS (SELECT m.*,
      ${rfmBin(r, 'recency', asc(rfm.recency.cuts), rfm.recency.cuts.length)} AS r_score,
      ${rfmBin(f, 'frequency', negated(rfm.frequency.cuts), rfm.frequency.cuts.length)} AS f_score,
      ${rfmBin(mo, 'monetary', negated(rfm.monetary.cuts), rfm.monetary.cuts.length)} AS m_score
    FROM m OFFSET 0),
  s AS (SELECT q.*, ${high(`q.${ident(model.metrics.recency)}`, 'recency', 'q.r_score')} AS rh,
      ${high(`q.${ident(model.metrics.frequency)}`, 'frequency', 'q.f_score')} AS fh,
      ${high(`q.${ident(model.metrics.monetary)}`, 'monetary', 'q.m_score')} AS mh FROM q OFFSET 0),
  t AS (SELECT s.*, ${segment} AS segment FROM s OFFSET 0)
  SELECT t.customer_id, NULL::text AS score,
    t.segment AS raw_tier, t.segment AS tier, t.segment AS held_tier, 0 AS below_count, 'rfm' AS decided_by,
    ${
      explain
        ? sqlArray(
            keys.map((k) => `(t.${ident(k)})::text`),
            'text',
          )
        : 'NULL::text[]'
    } AS metric_values,
    ${explain ? 'ARRAY[t.r_score, t.f_score, t.m_score]::numeric[]' : 'NULL::numeric[]'} AS scores,
    ${explain ? 'ARRAY[t.rh, t.fh, t.mh]::boolean[]' : 'NULL::boolean[]'} AS flags,
    NULL::int[] AS steps, NULL::text AS hysteresis, NULL::text AS previous_tier, NULL::uuid AS override_id,
    NULL::text AS override_tier, NULL::text AS override_until, NULL::text AS override_reason,
    cur.tier AS cur_tier, cur.held_tier AS cur_held, cur.below_count AS cur_below, cur.overridden AS cur_overridden
  FROM t ${stateJoin}`;
}

/**
 * An RFM bin score 1…bins (@kam/domain `scoreRfm`): 1 + the cut points beyond the value — for recency
 * the cuts above it (fewer days is better), for frequency and monetary the cuts below it; a missing
 * value scores 1. Counted by binary search: `sorted` is the cuts ascending (recency) or negated in
 * reverse order (frequency, monetary: the cuts < v are those whose negation is > −v), `k` their number.
 */
function rfmBin(
  v: string,
  dim: 'recency' | 'frequency' | 'monetary',
  sorted: string,
  k: number | string,
): string {
  const probe = dim === 'recency' ? v : `-${v}`;
  return `coalesce(1 + ${k} - width_bucket(${probe}, ${sorted}), 1)::int`;
}

// ——— population statistics ————————————————————————————————————————————————————————————————

/**
 * The statistics a full run (or a simulation) scores with: percentile breakpoints b_i =
 * sorted[round_half_up((n − 1)·i / 100)] (@kam/domain `percentileBreakpoints`), and for RFM the cut
 * points c_j = v₍⌈j·n/bins⌉₎ (ascending; descending for recency), counts and sums (`rfmStatistics`).
 * One statement over all live customers (for RFM also the score sums, which need the cut points).
 */
export function statisticsSql(
  model: RunnableModel,
  asOf: string,
  p: Params,
  /** The run's staged metrics (runner.ts `stageMetrics`): read from there instead of being computed. */
  staged?: string,
): string | null {
  // the metrics over all live customers: computed once into a CTE, or the staged table, read where used
  // (its policy keeps it to the tenant: see runner.ts `stageMetrics`)
  const source = (keys: readonly string[], windowDays?: number) =>
    staged
      ? `m AS NOT MATERIALIZED (SELECT s.customer_id${keys.map((k) => `, s.${ident(k)}`).join('')} FROM ${staged} s)`
      : `m AS MATERIALIZED (${metricsSql(keys, { asOf, windowDays, customers: { kind: 'all' } }, p)})`;
  const percentiles = percentileMetrics(model);
  const cols: string[] = ['(SELECT count(*) FROM m)::int AS population'];
  const metrics: string[] = percentiles;
  // The k-th smallest value (1-based) of a column as percentile_disc at (k − ½) / n: the ordered-set
  // aggregate picks row ⌈f·n⌉ = k after ONE sort of the column. (A join of the positions with
  // row_number() has a condition on both sides — a nested loop of 101 × n rows.)
  const nth = (
    key: string,
    k: string,
    dir: 'ASC' | 'DESC',
    last: number,
    type: 'text' | 'numeric' = 'text',
  ) =>
    `(SELECT coalesce((percentile_disc((
          SELECT array_agg((((${k}) - 0.5) / nullif(c.n, 0))::float8 ORDER BY g.i)
          FROM (SELECT count(${ident(key)})::bigint AS n FROM m) c, generate_series(0, ${last}) g(i)))
        WITHIN GROUP (ORDER BY ${ident(key)} ${dir}))::${type}[], '{}'::${type}[])
      FROM m WHERE ${ident(key)} IS NOT NULL)`;
  for (const key of percentiles) {
    // b_i = sorted[round_half_up((n − 1)·i / 100)], i = 0…100 (1-based: + 1)
    cols.push(`${nth(key, '(2 * (c.n - 1) * g.i + 100) / 200 + 1', 'ASC', 100)} AS ${ident(`bp:${key}`)}`);
  }
  if (model.kind === 'rfm') {
    // cut points, counts, sums and the score sums in ONE statement (the sums need the cut points: they
    // are computed from the same metrics, not by a second pass over orders)
    const metricsRfm = modelMetrics(model);
    const dims = [
      ['recency', model.metrics.recency, 'DESC'],
      ['frequency', model.metrics.frequency, 'ASC'],
      ['monetary', model.metrics.monetary, 'ASC'],
    ] as const;
    const cutCols = dims.map(
      ([dim, key, dir]) =>
        // c_j = v₍⌈j·n/bins⌉₎, j = 1…bins − 1 (the series runs 0…bins − 2: j = i + 1)
        `${nth(key, `((g.i + 1) * c.n + ${model.bins - 1}) / ${model.bins}`, dir, model.bins - 2, 'numeric')} AS ${dim}`,
    );
    // ascending (recency) or negated-reversed (frequency, monetary) arrays for rfmBin
    const sortedCol = (dim: string) =>
      dim === 'recency'
        ? `ARRAY(SELECT u.x FROM unnest(c.recency) WITH ORDINALITY u(x, i) ORDER BY u.i DESC)`
        : `ARRAY(SELECT -u.x FROM unnest(c.${dim}) WITH ORDINALITY u(x, i) ORDER BY u.i DESC)`;
    const sums = dims.map(
      ([dim, key]) =>
        `coalesce(sum(${rfmBin(`m.${ident(key)}`, dim, `k.${dim}`, `cardinality(k.${dim})`)}), 0)::int AS ${ident(`scoreSum:${dim}`)},
       count(m.${ident(key)})::int AS ${ident(`count:${dim}`)}, coalesce(sum(m.${ident(key)}), 0)::text AS ${ident(`sum:${dim}`)}`,
    );
    return `WITH ${source(metricsRfm, model.windowDays)},
  c AS MATERIALIZED (SELECT ${cutCols.join(', ')}),
  k AS MATERIALIZED (SELECT ${dims.map(([dim]) => `${sortedCol(dim)} AS ${dim}`).join(', ')} FROM c)
  SELECT z.*, ${dims.map(([dim]) => `c.${dim}::text[] AS ${ident(`cuts:${dim}`)}`).join(', ')}
  FROM c, (SELECT count(*)::int AS population, ${sums.join(',\n       ')} FROM m, k) z`;
  }
  return `WITH ${source(metrics)} SELECT ${cols.join(',\n  ')}`;
}
