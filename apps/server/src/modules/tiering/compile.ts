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
import { type CustomerSelection, metricsSql, metricType, selectionFilter } from './metrics.js';

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

/** One scored customer. Decimals as text. */
export interface ScoredRow {
  customer_id: string;
  metrics: Record<string, string | null>;
  score: string | null;
  raw_tier: string;
  tier: string;
  held_tier: string;
  below_count: number;
  decided_by: string;
  breakdown: unknown;
  detail: ScoredDetail;
  /** The customer's tier in `tier_current` before this run (null: none yet). */
  cur_tier: string | null;
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

/** Normalised score (numeric, 2 decimals) of metric column `v`, or NULL when it cannot be read. */
function normaliserSql(n: Normaliser, metric: string, v: string, p: Params, stats: RunStatistics): string {
  const numeric = metricType(metric) === 'numeric';
  switch (n.kind) {
    case 'linear':
      if (!numeric) return 'NULL::numeric';
      return `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} <= ${num(n.min)} THEN 0.00 WHEN ${v} >= ${num(n.max)} THEN 100.00
        ELSE kam_div_half_up((${v} - ${num(n.min)}) * 10000, ${num(n.max)} - ${num(n.min)}) * 0.01 END`;
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
      const breakpoints = stats.percentiles[metric] ?? [];
      if (breakpoints.length === 0) return `CASE WHEN ${v} IS NULL THEN NULL ELSE 0.00 END`;
      // ascending breakpoints and their negation reversed (also ascending): width_bucket counts, by binary
      // search, the breakpoints ≤ v and (on the negated array) the breakpoints ≥ v
      const negated = [...breakpoints].reverse().map((b) => (b.startsWith('-') ? b.slice(1) : `-${b}`));
      const bp = `${p.add(breakpoints)}::numeric[]`;
      const nb = `${p.add(negated)}::numeric[]`;
      return `CASE WHEN ${v} IS NULL THEN NULL ELSE kam_percentile_rank(${v}, ${bp}, ${breakpoints.length} - width_bucket(-${v}, ${nb}), width_bucket(${v}, ${bp})) END`;
    }
    case 'bands': {
      if (!numeric) return 'NULL::numeric';
      const arms = n.bands.map((b) => `WHEN ${v} >= ${num(b.atLeast)} THEN round(${num(b.score)}, 2)`);
      return `CASE WHEN ${v} IS NULL THEN NULL ${arms.join(' ')} ELSE round(${num(n.otherwise)}, 2) END`;
    }
    case 'inverted':
      return `(100.00 - (${normaliserSql(n.of, metric, v, p, stats)}))`;
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
}

const jsonArray = (items: string[]) => `jsonb_build_array(${items.join(', ')})`;

/** The scoring statement of a model (see the module comment). Parameters are added to `p`. */
export function scoringSql(model: RunnableModel, opts: ScoringOptions, p: Params): string {
  if (model.kind === 'rfm') return rfmScoringSql(model, opts, p);
  const metrics = modelMetrics(model);
  const m = metricsSql(metrics, { asOf: opts.asOf, customers: opts.customers }, p);
  const metricsJson = `jsonb_build_object(${metrics.map((k) => `${str(k)}, h.${ident(k)}::text`).join(', ')})`;
  const tiers = modelTiers(model).map((t) => t.id);
  const rankOf = (id: string) => tiers.indexOf(id);
  const tiersParam = `${p.add(tiers)}::text[]`;
  const modelParam = `${p.add(opts.modelId)}::uuid`;
  const dateParam = `${p.add(opts.asOf)}::date`;

  // level a: normalised scores (weighted) or conditions (criteria); floors and caps
  const aCols: string[] = [];
  let scoreExpr = 'NULL::numeric';
  let rawRank: string;
  let breakdown = `'[]'::jsonb`;
  const conditionCols: string[][] = [];
  if (model.kind === 'weighted') {
    model.dimensions.forEach((d: Dimension, i) => {
      aCols.push(`${normaliserSql(d.normaliser, d.metric, `m.${ident(d.metric)}`, p, opts.stats)} AS n${i}`);
    });
    const norm = (i: number) => `coalesce(b.n${i}, round(${num(model.dimensions[i]!.missingScore)}, 2))`;
    const contribution = (i: number) => `(${norm(i)} * ${num(model.dimensions[i]!.weight)} * 0.01)`;
    scoreExpr = `round(${model.dimensions.map((_, i) => contribution(i)).join(' + ')}, 2)`;
    breakdown = jsonArray(
      model.dimensions.map(
        (d, i) =>
          `jsonb_build_object('key', ${str(d.key)}, 'value', b.${ident(d.metric)}::text, 'missing', b.n${i} IS NULL,
            'normalised', ${norm(i)}::text, 'contribution', ${contribution(i)}::text)`,
      ),
    );
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
    ? `CASE WHEN lr.customer_id IS NOT NULL THEN lr.detail->>'previous' ELSE cur.held_tier END`
    : 'cur.held_tier';
  const prevCount = fromResult
    ? `CASE WHEN lr.customer_id IS NOT NULL THEN (lr.detail->>'previousBelowCount')::int ELSE cur.below_count END`
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
  const criteriaJson =
    model.kind === 'criteria'
      ? `, 'conditions', ${jsonArray(conditionCols.map((names) => jsonArray(names.map((n) => `h.${n}`))))}`
      : '';
  const detail = `jsonb_build_object(
      'floors', ${jsonArray(model.floors.map((_, i) => `h.fl${i}`))},
      'caps', ${jsonArray(model.caps.map((_, i) => `h.cp${i}`))}${criteriaJson},
      'floored', (${tiersParam})[h.floored_rank + 1], 'held', (${tiersParam})[h.held_rank + 1],
      'capped', (${tiersParam})[h.capped_rank + 1],
      'hysteresis', h.h_outcome, 'belowCount', h.below_count,
      'previous', h.prev_held, 'previousBelowCount', h.prev_count,
      'override', CASE WHEN h.ov_id IS NOT NULL THEN jsonb_build_object('id', h.ov_id, 'tier', h.ov_tier,
        'until', h.ov_until::text, 'reason', h.ov_reason, 'known', h.ov_rank IS NOT NULL) END)`;
  const base = model.kind === 'weighted' ? 'threshold' : 'criteria';

  return `WITH m AS MATERIALIZED (${m}),
  b AS (SELECT m.*${aCols.map((c) => `, ${c}`).join('')} FROM m OFFSET 0),
  c AS (SELECT b.*, ${scoreExpr} AS score, ${breakdown} AS breakdown FROM b OFFSET 0),
  d AS (SELECT c.*, ${rawRank} AS raw_rank FROM c OFFSET 0),
  e AS (SELECT d.*, LEAST(d.raw_rank${floorArms.map((a) => `, ${a}`).join('')}) AS floored_rank,
          cur.tier AS cur_tier, ${prevHeld} AS prev_held, ${prevCount} AS prev_count, ${prevRank} AS prev_rank,
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
  SELECT h.customer_id, ${metricsJson} AS metrics,
    h.score::text AS score,
    (${tiersParam})[h.raw_rank + 1] AS raw_tier,
    (${tiersParam})[coalesce(h.ov_rank, h.capped_rank) + 1] AS tier,
    (${tiersParam})[h.held_rank + 1] AS held_tier,
    h.below_count::int AS below_count,
    CASE WHEN h.ov_rank IS NOT NULL THEN 'override'
         WHEN h.capped_rank <> h.held_rank THEN 'cap'
         WHEN h.held_rank <> h.floored_rank THEN 'hysteresis'
         WHEN h.floored_rank <> h.raw_rank THEN 'floor'
         ELSE '${base}' END AS decided_by,
    h.breakdown,
    ${detail} AS detail,
    h.cur_tier
  FROM h`;
}

/** RFM: bin scores from the run's cut points, high/low against the run's averages, the eight segments. */
function rfmScoringSql(model: RfmModel, opts: ScoringOptions, p: Params): string {
  const rfm = opts.stats.rfm;
  if (!rfm) throw new RangeError('RFM statistics missing');
  const keys = modelMetrics(model);
  const m = metricsSql(keys, { asOf: opts.asOf, windowDays: model.windowDays, customers: opts.customers }, p);
  const r = `m.${ident(model.metrics.recency)}`;
  const f = `m.${ident(model.metrics.frequency)}`;
  const mo = `m.${ident(model.metrics.monetary)}`;
  const cuts = (d: 'recency' | 'frequency' | 'monetary') => `${p.add(rfm[d].cuts)}::numeric[]`;
  const modelParam = `${p.add(opts.modelId)}::uuid`;
  const high = (v: string, d: 'recency' | 'frequency' | 'monetary', score: string) => {
    const s = rfm[d];
    if (model.segmentBasis === 'scores')
      return s.population > 0 ? `(${score} * ${s.population} >= ${s.scoreSum})` : 'FALSE';
    if (s.count === 0) return 'FALSE';
    const op = d === 'recency' ? '<=' : '>=';
    return `coalesce(${v} * ${s.count} ${op} ${num(s.sum)}, FALSE)`;
  };
  const metricsJson = `jsonb_build_object(${keys.map((k) => `${str(k)}, s.${ident(k)}::text`).join(', ')})`;
  const stateJoin = `LEFT JOIN tier_current cur ON cur.tenant_id = kam_tenant() AND cur.model_id = ${modelParam} AND cur.customer_id = s.customer_id${selectionFilter(opts.customers, p)('cur.customer_id')}`;
  const segment = `CASE WHEN s.mh THEN 'important_' ELSE 'general_' END ||
      CASE WHEN s.rh THEN CASE WHEN s.fh THEN 'value' ELSE 'development' END
           ELSE CASE WHEN s.fh THEN 'retention' ELSE 'winback' END END`;
  return `WITH m AS MATERIALIZED (${m}),
  q AS (SELECT m.*,
      1 + (SELECT count(*) FROM unnest(${cuts('recency')}) x WHERE ${r} < x)::int AS r_score,
      1 + (SELECT count(*) FROM unnest(${cuts('frequency')}) x WHERE ${f} > x)::int AS f_score,
      1 + (SELECT count(*) FROM unnest(${cuts('monetary')}) x WHERE ${mo} > x)::int AS m_score
    FROM m OFFSET 0),
  s AS (SELECT q.*, ${high(`q.${ident(model.metrics.recency)}`, 'recency', 'q.r_score')} AS rh,
      ${high(`q.${ident(model.metrics.frequency)}`, 'frequency', 'q.f_score')} AS fh,
      ${high(`q.${ident(model.metrics.monetary)}`, 'monetary', 'q.m_score')} AS mh FROM q OFFSET 0)
  SELECT s.customer_id, ${metricsJson} AS metrics, NULL::text AS score,
    ${segment} AS raw_tier, ${segment} AS tier, ${segment} AS held_tier, 0 AS below_count, 'rfm' AS decided_by,
    jsonb_build_object('r', s.r_score, 'f', s.f_score, 'm', s.m_score,
      'code', s.r_score::text || s.f_score::text || s.m_score::text,
      'high', jsonb_build_object('r', s.rh, 'f', s.fh, 'm', s.mh)) AS breakdown,
    '{}'::jsonb AS detail,
    cur.tier AS cur_tier
  FROM s ${stateJoin}`;
}

// ——— population statistics ————————————————————————————————————————————————————————————————

/**
 * The statistics a full run (or a simulation) scores with: percentile breakpoints b_i =
 * sorted[round_half_up((n − 1)·i / 100)] (@kam/domain `percentileBreakpoints`), and for RFM the cut
 * points c_j = v₍⌈j·n/bins⌉₎ (ascending; descending for recency), counts and sums (`rfmStatistics`).
 * One statement over all live customers; RFM score sums need the cut points, so a second one.
 */
export function statisticsSql(model: RunnableModel, asOf: string, p: Params): string | null {
  const percentiles = percentileMetrics(model);
  const cols: string[] = ['(SELECT count(*) FROM m)::int AS population'];
  let metrics: string[] = percentiles;
  let windowDays: number | undefined;
  for (const key of percentiles) {
    cols.push(`(SELECT coalesce(array_agg(r.v::text ORDER BY g.i), '{}'::text[])
      FROM generate_series(0, 100) g(i)
      JOIN (SELECT ${ident(key)} AS v, row_number() OVER (ORDER BY ${ident(key)}) AS rn, count(*) OVER () AS n
            FROM m WHERE ${ident(key)} IS NOT NULL) r ON r.rn = (2 * (r.n - 1) * g.i + 100) / 200 + 1) AS ${ident(`bp:${key}`)}`);
  }
  if (model.kind === 'rfm') {
    metrics = modelMetrics(model);
    windowDays = model.windowDays;
    const dims = [
      ['recency', model.metrics.recency, 'DESC'],
      ['frequency', model.metrics.frequency, 'ASC'],
      ['monetary', model.metrics.monetary, 'ASC'],
    ] as const;
    for (const [dim, key, dir] of dims) {
      cols.push(`(SELECT coalesce(array_agg(r.v::text ORDER BY g.j), '{}'::text[])
        FROM generate_series(1, ${model.bins - 1}) g(j)
        JOIN (SELECT ${ident(key)} AS v, row_number() OVER (ORDER BY ${ident(key)} ${dir}) AS rn, count(*) OVER () AS n
              FROM m WHERE ${ident(key)} IS NOT NULL) r ON r.rn = (g.j * r.n + ${model.bins - 1}) / ${model.bins}) AS ${ident(`cuts:${dim}`)}`);
      cols.push(`(SELECT count(${ident(key)}) FROM m)::int AS ${ident(`count:${dim}`)}`);
      cols.push(`(SELECT coalesce(sum(${ident(key)}), 0)::text FROM m) AS ${ident(`sum:${dim}`)}`);
    }
  }
  const m = metricsSql(metrics, { asOf, windowDays, customers: { kind: 'all' } }, p);
  return `WITH m AS MATERIALIZED (${m}) SELECT ${cols.join(',\n  ')}`;
}

/** RFM score sums of the population (the part of `RfmStatistics` that needs the cut points). */
export function rfmScoreSumsSql(model: RfmModel, asOf: string, stats: RfmStatistics, p: Params): string {
  const m = metricsSql(
    modelMetrics(model),
    {
      asOf,
      windowDays: model.windowDays,
      customers: { kind: 'all' },
    },
    p,
  );
  const bin = (key: string, cuts: string[], op: '<' | '>') =>
    `1 + (SELECT count(*) FROM unnest(${p.add(cuts)}::numeric[]) x WHERE m.${ident(key)} ${op} x)`;
  return `WITH m AS MATERIALIZED (${m})
    SELECT coalesce(sum(${bin(model.metrics.recency, stats.recency.cuts, '<')}), 0)::int AS recency,
           coalesce(sum(${bin(model.metrics.frequency, stats.frequency.cuts, '>')}), 0)::int AS frequency,
           coalesce(sum(${bin(model.metrics.monetary, stats.monetary.cuts, '>')}), 0)::int AS monetary
    FROM m`;
}
