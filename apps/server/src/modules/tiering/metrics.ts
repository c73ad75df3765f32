/**
 * The SQL of the metric catalogue (@kam/domain `TIERING_METRICS`): ONE place where each metric a
 * tier model may read is computed, set-based, for every customer of the tenant in one statement —
 * or, with the same SQL, for one customer (triggered re-scores) or a range of customer ids (the
 * chunks of a full run). To add a metric: declare it in the domain catalogue, then add its entry to
 * `METRIC_SQL` below (its expression over the source aggregates, and the sources it needs).
 *
 * Definitions (D = the run's date in Asia/Shanghai, W = the window, 365 days unless an RFM model
 * sets its own; "in the window" = D − W < date ≤ D; documents after D are ignored):
 * - signed amount of an order: confirmed +amount, returned −amount, cancelled 0 (decision 0010);
 * - `revenue_12m` Σ signed amounts in the window (0 without orders);
 * - `revenue_growth` (window − previous window) / previous window, previous = D − 2W < date ≤ D − W;
 *   4 decimals half-up; missing when the previous window's revenue is ≤ 0;
 * - `order_count` confirmed orders in the window (return documents and cancellations are not orders);
 * - `avg_order_value` revenue_12m / order_count, 2 decimals half-up; missing without orders;
 * - `gross_margin` Σ signed gross margins in the window (cancelled 0); missing when no order of the
 *   window records a margin;
 * - `recency_days` D − the last confirmed order date; missing without orders;
 * - `repurchase_rate` the window is cut into 12 equal periods counted back from D (an order on day
 *   D − d lies in period ⌊12·d / W⌋); rate = periods with at least one confirmed order / 12,
 *   4 decimals half-up (0 without orders). A customer buying every month has 1, a one-off buyer 0.0833;
 * - `cooperation_years` (D − first confirmed order date) / 365, 2 decimals half-up; missing without orders;
 * - `follow_ups_90d` follow-ups with D − 90 < date ≤ D (date of `at` in Asia/Shanghai);
 * - `days_since_follow_up` D − the date of the last follow-up; missing without follow-ups;
 * - `complaints_90d` service records of type complaint opened with D − 90 < date ≤ D;
 * - `avg_satisfaction` mean satisfaction (1–5) of all rated service records, 2 decimals half-up;
 * - `overdue_amount` Σ unpaid instalments of confirmed orders due before D (0 when none);
 * - `overdue_days` D − the earliest such due date (0 when none);
 * - `decision_contacts` contacts whose decision role is `decision_maker`;
 * - manual metrics: the value last set (numbers as decimals, categories as text); missing when unset;
 * - `rfm_r`, `rfm_f`, `rfm_m`, `rfm_segment`: the scores and segment of the tenant's RFM model (the
 *   first published one) from its latest run; missing before it has run;
 * - `clv_historical`, `clv_expected`, `p_alive`: the values of the tenant's CLV model (the first published
 *   one) from its latest run (clv-run.ts); missing before it has run, `clv_expected` and `p_alive` also for
 *   customers who never bought or when the run could not fit the probabilistic models.
 */
import { TIERING_METRICS, tieringMetric } from '@kam/domain';
import type { Params } from '../../access/sql.js';

/** Aggregate sources a metric reads (each one LEFT JOINed subquery, grouped by customer). */
export type MetricSource =
  | 'orders'
  | 'follow_ups'
  | 'service'
  | 'payments'
  | 'contacts'
  | 'manual'
  | 'rfm'
  | 'clv';

export interface MetricSql {
  /** SQL type of the value: numbers compare numerically, text as categories. */
  type: 'numeric' | 'text';
  sources: readonly MetricSource[];
  /** Expression over the source aliases `o`, `f`, `s`, `p`, `k`, `mm` and the date parameter `:D`. */
  expr: string;
}

const ORDERS = ['orders'] as const;

/** Every computed metric of the catalogue. Metrics of the catalogue missing here cannot be used by models yet. */
export const METRIC_SQL: Readonly<Record<string, MetricSql>> = {
  revenue_12m: { type: 'numeric', sources: ORDERS, expr: 'coalesce(o.rev_w, 0)' },
  revenue_growth: {
    type: 'numeric',
    sources: ORDERS,
    expr: `CASE WHEN o.rev_p > 0 THEN kam_div_half_up((coalesce(o.rev_w, 0) - o.rev_p) * 10000, o.rev_p) * 0.0001 END`,
  },
  order_count: { type: 'numeric', sources: ORDERS, expr: 'coalesce(o.n_w, 0)' },
  avg_order_value: {
    type: 'numeric',
    sources: ORDERS,
    expr: `CASE WHEN o.n_w > 0 THEN kam_div_half_up(coalesce(o.rev_w, 0) * 100, o.n_w) * 0.01 END`,
  },
  gross_margin: { type: 'numeric', sources: ORDERS, expr: 'o.gm_w' },
  recency_days: { type: 'numeric', sources: ORDERS, expr: '(:D - o.last_at)' },
  repurchase_rate: {
    type: 'numeric',
    sources: ORDERS,
    expr: `kam_div_half_up(coalesce(o.periods_w, 0) * 10000, 12) * 0.0001`,
  },
  cooperation_years: {
    type: 'numeric',
    sources: ORDERS,
    expr: `CASE WHEN o.first_at IS NOT NULL THEN kam_div_half_up((:D - o.first_at) * 100, 365) * 0.01 END`,
  },
  follow_ups_90d: { type: 'numeric', sources: ['follow_ups'], expr: 'coalesce(f.n_90, 0)' },
  days_since_follow_up: { type: 'numeric', sources: ['follow_ups'], expr: '(:D - f.last_at)' },
  complaints_90d: { type: 'numeric', sources: ['service'], expr: 'coalesce(s.complaints_90, 0)' },
  avg_satisfaction: {
    type: 'numeric',
    sources: ['service'],
    expr: `CASE WHEN s.rated > 0 THEN kam_div_half_up(s.rating_sum * 100, s.rated) * 0.01 END`,
  },
  overdue_amount: { type: 'numeric', sources: ['payments'], expr: 'coalesce(p.overdue_amount, 0)' },
  overdue_days: { type: 'numeric', sources: ['payments'], expr: 'coalesce(:D - p.oldest_due, 0)' },
  decision_contacts: { type: 'numeric', sources: ['contacts'], expr: 'coalesce(k.decision_makers, 0)' },
  strategic_value: { type: 'numeric', sources: ['manual'], expr: 'mm.strategic_value::numeric' },
  industry_influence: { type: 'text', sources: ['manual'], expr: 'mm.industry_influence' },
  growth_potential: { type: 'text', sources: ['manual'], expr: 'mm.growth_potential' },
  // outputs of the tenant's RFM model (the first published one), from its latest run
  rfm_r: { type: 'numeric', sources: ['rfm'], expr: 'rfm.r' },
  rfm_f: { type: 'numeric', sources: ['rfm'], expr: 'rfm.f' },
  rfm_m: { type: 'numeric', sources: ['rfm'], expr: 'rfm.m' },
  rfm_segment: { type: 'text', sources: ['rfm'], expr: 'rfm.segment' },
  // outputs of the tenant's CLV model (the first published one), from its latest run (clv-run.ts)
  clv_historical: { type: 'numeric', sources: ['clv'], expr: 'clv.historical' },
  clv_expected: { type: 'numeric', sources: ['clv'], expr: 'clv.expected' },
  p_alive: { type: 'numeric', sources: ['clv'], expr: 'clv.p_alive' },
};

/** The manual metrics (entered per customer), from the catalogue. */
export const MANUAL_METRICS = TIERING_METRICS.filter((m) => m.manual);

export function isComputedMetric(key: string): boolean {
  return Object.hasOwn(METRIC_SQL, key);
}

export function metricType(key: string): 'numeric' | 'text' {
  const def = METRIC_SQL[key];
  if (!def) throw new RangeError(`metric ${key} has no SQL`);
  return def.type;
}

/** The source columns (`o.rev_w`, `f.n_90`, …) the expressions of `metrics` read. */
function usedColumns(metrics: readonly string[]): Set<string> {
  const used = new Set<string>();
  for (const k of metrics) {
    for (const m of METRIC_SQL[k]!.expr.matchAll(/\b(o|f|s)\.([a-z_0-9]+)/g)) used.add(`${m[1]}.${m[2]}`);
  }
  return used;
}

/** Which customers a statement covers: all live ones, a keyset range of ids, one, or a few listed. */
export type CustomerSelection =
  | { kind: 'all' }
  | { kind: 'range'; after: string | null; upTo: string }
  | { kind: 'one'; customerId: string }
  | { kind: 'ids'; ids: readonly string[] };

/**
 * The condition (` AND …`, or empty) that restricts a customer-id column to a selection; the
 * parameters are added once and reused for every column.
 */
export function selectionFilter(sel: CustomerSelection, p: Params): (col: string) => string {
  if (sel.kind === 'all') return () => '';
  if (sel.kind === 'one') {
    const id = p.add(sel.customerId);
    return (col) => ` AND ${col} = ${id}::uuid`;
  }
  if (sel.kind === 'ids') {
    const ids = p.add(sel.ids);
    return (col) => ` AND ${col} = ANY(${ids}::uuid[])`;
  }
  const upTo = p.add(sel.upTo);
  const after = sel.after === null ? null : p.add(sel.after);
  return (col) => `${after ? ` AND ${col} > ${after}::uuid` : ''} AND ${col} <= ${upTo}::uuid`;
}

export interface MetricsSqlOptions {
  /** The run's date `YYYY-MM-DD` (Asia/Shanghai). */
  asOf: string;
  /** Window of the order metrics, days (default 365). */
  windowDays?: number;
  customers: CustomerSelection;
}

/**
 * `SELECT c.id AS customer_id, <expr> AS "<metric>", …` for the given metrics — one statement over the
 * live customers chosen by `customers`, each source aggregated once per customer and LEFT JOINed.
 * Parameters are added to `p`.
 */
export function metricsSql(metrics: readonly string[], opts: MetricsSqlOptions, p: Params): string {
  const keys = [...new Set(metrics)];
  for (const key of keys) if (!isComputedMetric(key)) throw new RangeError(`metric ${key} has no SQL`);
  const sources = new Set(keys.flatMap((k) => METRIC_SQL[k]!.sources));
  // parameters only when used (PostgreSQL refuses a parameter the statement does not mention)
  const needsDate =
    keys.some((k) => METRIC_SQL[k]!.expr.includes(':D')) ||
    ['orders', 'follow_ups', 'service', 'payments'].some((s) => sources.has(s as MetricSource));
  const D = needsDate ? `${p.add(opts.asOf)}::date` : 'NULL::date';
  const W = sources.has('orders') ? `${p.add(opts.windowDays ?? 365)}::int` : 'NULL::int';
  const range = selectionFilter(opts.customers, p);
  const joins: string[] = [];
  const inWindow = (col: string) => `${col} > ${D} - ${W} AND ${col} <= ${D}`;
  // Only the aggregate columns the chosen metrics read are computed (an unused count(DISTINCT …) or
  // min/max costs a sort or a comparison per row), and rows no aggregate can use are left out by
  // the source's WHERE: the FILTER clauses still decide, so the values are the same.
  const used = usedColumns(keys);
  const pick = (alias: string, columns: Record<string, string>) =>
    Object.entries(columns)
      .filter(([name]) => used.has(`${alias}.${name}`))
      .map(([name, sql]) => `,\n        ${sql} AS ${name}`)
      .join('');
  if (sources.has('orders')) {
    const signed = `CASE o.status WHEN 'confirmed' THEN o.amount WHEN 'returned' THEN -o.amount ELSE 0 END`;
    const columns = pick('o', {
      rev_w: `sum(${signed}) FILTER (WHERE ${inWindow('o.ordered_at')})`,
      rev_p: `sum(${signed}) FILTER (WHERE o.ordered_at > ${D} - 2 * ${W} AND o.ordered_at <= ${D} - ${W})`,
      n_w: `count(*) FILTER (WHERE o.status = 'confirmed' AND ${inWindow('o.ordered_at')})`,
      gm_w: `sum(CASE o.status WHEN 'confirmed' THEN o.gross_margin WHEN 'returned' THEN -o.gross_margin END)
          FILTER (WHERE ${inWindow('o.ordered_at')} AND o.status <> 'cancelled' AND o.gross_margin IS NOT NULL)`,
      last_at: `max(o.ordered_at) FILTER (WHERE o.status = 'confirmed' AND o.ordered_at <= ${D})`,
      first_at: `min(o.ordered_at) FILTER (WHERE o.status = 'confirmed' AND o.ordered_at <= ${D})`,
      // the distinct periods (0…11) with a confirmed order, as bits: no sort per customer
      periods_w: `bit_count(bit_or(1 << (((${D} - o.ordered_at) * 12) / ${W}))
          FILTER (WHERE o.status = 'confirmed' AND ${inWindow('o.ordered_at')})::bit(12))`,
    });
    // without first/last order dates only the window (and the previous one) matter
    const oldest =
      used.has('o.first_at') || used.has('o.last_at')
        ? ''
        : ` AND o.ordered_at > ${D} - ${used.has('o.rev_p') ? '2 * ' : ''}${W}`;
    joins.push(`LEFT JOIN (
      SELECT o.customer_id${columns}
      FROM orders o
      WHERE o.tenant_id = kam_tenant()${range('o.customer_id')} AND o.ordered_at <= ${D}${oldest}
      GROUP BY o.customer_id) o ON o.customer_id = c.id`);
  }
  // the start of a day in Asia/Shanghai, as a timestamptz (for range conditions on timestamps)
  const dayStart = (day: string) => `(${day})::timestamp AT TIME ZONE 'Asia/Shanghai'`;
  if (sources.has('follow_ups')) {
    const day = `(f.at AT TIME ZONE 'Asia/Shanghai')::date`;
    const columns = pick('f', {
      n_90: `count(*) FILTER (WHERE ${day} > ${D} - 90 AND ${day} <= ${D})`,
      last_at: `max(${day}) FILTER (WHERE ${day} <= ${D})`,
    });
    const oldest = used.has('f.last_at') ? '' : ` AND f.at >= ${dayStart(`${D} - 89`)}`;
    joins.push(`LEFT JOIN (
      SELECT f.customer_id${columns}
      FROM follow_ups f
      WHERE f.tenant_id = kam_tenant()${range('f.customer_id')} AND f.at < ${dayStart(`${D} + 1`)}${oldest}
      GROUP BY f.customer_id) f ON f.customer_id = c.id`);
  }
  if (sources.has('service')) {
    const day = `(s.opened_at AT TIME ZONE 'Asia/Shanghai')::date`;
    const columns = pick('s', {
      complaints_90: `count(*) FILTER (WHERE s.type = 'complaint' AND ${day} > ${D} - 90 AND ${day} <= ${D})`,
      rated: 'count(s.satisfaction)',
      rating_sum: 'sum(s.satisfaction)',
    });
    const only =
      used.has('s.rated') || used.has('s.rating_sum')
        ? ''
        : ` AND s.type = 'complaint' AND s.opened_at >= ${dayStart(`${D} - 89`)} AND s.opened_at < ${dayStart(`${D} + 1`)}`;
    joins.push(`LEFT JOIN (
      SELECT s.customer_id${columns}
      FROM service_records s
      WHERE s.tenant_id = kam_tenant()${range('s.customer_id')}${only}
      GROUP BY s.customer_id) s ON s.customer_id = c.id`);
  }
  if (sources.has('payments')) {
    joins.push(`LEFT JOIN (
      SELECT p.customer_id, sum(p.amount) AS overdue_amount, min(p.due_date) AS oldest_due
      FROM payments p
      JOIN orders po ON po.tenant_id = p.tenant_id AND po.id = p.order_id AND po.status = 'confirmed'
      WHERE p.tenant_id = kam_tenant()${range('p.customer_id')}
        AND p.paid_at IS NULL AND p.due_date < ${D}
      GROUP BY p.customer_id) p ON p.customer_id = c.id`);
  }
  if (sources.has('contacts')) {
    joins.push(`LEFT JOIN (
      SELECT k.customer_id, count(*) FILTER (WHERE k.decision_role = 'decision_maker') AS decision_makers
      FROM contacts k
      WHERE k.tenant_id = kam_tenant()${range('k.customer_id')}
      GROUP BY k.customer_id) k ON k.customer_id = c.id`);
  }
  if (sources.has('manual')) {
    const pivots = MANUAL_METRICS.map(
      (m) => `max(mm.value) FILTER (WHERE mm.metric = '${m.key}') AS ${m.key}`,
    ).join(',\n        ');
    joins.push(`LEFT JOIN (
      SELECT mm.customer_id,
        ${pivots}
      FROM customer_manual_metrics mm
      WHERE mm.tenant_id = kam_tenant()${range('mm.customer_id')}
      GROUP BY mm.customer_id) mm ON mm.customer_id = c.id`);
  }
  if (sources.has('rfm')) {
    joins.push(`LEFT JOIN (
      SELECT r.customer_id, coalesce(r.scores[1], (r.breakdown->>'r')::numeric) AS r,
        coalesce(r.scores[2], (r.breakdown->>'f')::numeric) AS f,
        coalesce(r.scores[3], (r.breakdown->>'m')::numeric) AS m, r.tier AS segment
      FROM tier_results r
      WHERE r.tenant_id = kam_tenant()${range('r.customer_id')} AND r.model_id = (
        SELECT rm.id FROM tier_models rm WHERE rm.tenant_id = kam_tenant() AND rm.kind = 'rfm'
          AND rm.published_version IS NOT NULL ORDER BY rm.created_at, rm.id LIMIT 1)) rfm ON rfm.customer_id = c.id`);
  }
  if (sources.has('clv')) {
    joins.push(`LEFT JOIN (
      SELECT r.customer_id, (r.metrics->>'clv_historical')::numeric AS historical,
        (r.metrics->>'clv_expected')::numeric AS expected, (r.metrics->>'p_alive')::numeric AS p_alive
      FROM tier_results r
      WHERE r.tenant_id = kam_tenant()${range('r.customer_id')} AND r.model_id = (
        SELECT cm.id FROM tier_models cm WHERE cm.tenant_id = kam_tenant() AND cm.kind = 'clv'
          AND cm.published_version IS NOT NULL ORDER BY cm.created_at, cm.id LIMIT 1)) clv ON clv.customer_id = c.id`);
  }
  const columns = keys.map((k) => `${METRIC_SQL[k]!.expr.replaceAll(':D', D)} AS "${k}"`);
  return `SELECT c.id AS customer_id${columns.map((c) => `,\n    ${c}`).join('')}
    FROM customers c
    ${joins.join('\n    ')}
    WHERE c.tenant_id = kam_tenant() AND c.deleted_at IS NULL${range('c.id')}`;
}

/**
 * The same rows as `metricsSql` read from a full run's staged metrics (`table`: the output of
 * `metricsSql` over all live customers when the run started, runner.ts `stageMetrics`): the selected
 * customers that are still live, with the values they had then.
 */
export function stagedMetricsSql(
  table: string,
  metrics: readonly string[],
  customers: CustomerSelection,
  p: Params,
): string {
  const range = selectionFilter(customers, p);
  const columns = [...new Set(metrics)].map((k) => `,\n    s."${k.replace(/"/g, '')}"`).join('');
  return `SELECT s.customer_id${columns}
    FROM ${table} s
    JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = s.customer_id AND c.deleted_at IS NULL${range('c.id')}
    WHERE s.tenant_id = kam_tenant()${range('s.customer_id')}`;
}

/** Catalogue entries with whether the server computes them (for the metrics endpoint). */
export function metricCatalogue() {
  return TIERING_METRICS.map((m) => ({
    key: m.key,
    kind: m.kind,
    label: m.label,
    windowDays: m.windowDays ?? null,
    manual: m.manual === true,
    categories: m.categories ? [...m.categories] : null,
    available: isComputedMetric(m.key),
  }));
}

export { tieringMetric };
