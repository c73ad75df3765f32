import type { LocalizedText } from '../i18n.js';

/**
 * The metric catalogue: every per-customer metric a tier model may read, in one place. The server
 * computes the data metrics set-based (one SQL expression per key) and stores the manual ones with
 * who-set-it-when; models refer to metrics by `key` only. To add a metric: add it here (key, kind,
 * labels, window), then its SQL in the server's metric registry; nothing else changes.
 *
 * Kinds: `money` — CNY as a 2-decimal string; `count`, `days`, `years` — non-negative numbers;
 * `ratio` — a decimal fraction 0–1 (e.g. `"0.6"` for 60 %); `score` — a number on a stated scale;
 * `category` — one of `categories`.
 */
export type MetricKind = 'money' | 'count' | 'days' | 'years' | 'ratio' | 'score' | 'category';

export interface MetricDef {
  readonly key: string;
  readonly kind: MetricKind;
  readonly label: LocalizedText;
  /** The window the metric is computed over, in days, when it has one (the default; models may not change it). */
  readonly windowDays?: number;
  /** Entered by people (with who-set-it-when) rather than computed. */
  readonly manual?: boolean;
  readonly categories?: readonly string[];
}

/** Metric keys: lower-case identifiers (`revenue_12m`), at most 64 characters. */
export const METRIC_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export const TIERING_METRICS: readonly MetricDef[] = [
  {
    key: 'revenue_12m',
    kind: 'money',
    windowDays: 365,
    label: { zh: '近12个月销售额', en: 'Revenue (12 months)' },
  },
  {
    key: 'revenue_growth',
    kind: 'ratio',
    windowDays: 365,
    label: { zh: '销售额增长率（同比上一窗口）', en: 'Revenue growth (vs previous window)' },
  },
  { key: 'order_count', kind: 'count', windowDays: 365, label: { zh: '订单数', en: 'Orders' } },
  {
    key: 'avg_order_value',
    kind: 'money',
    windowDays: 365,
    label: { zh: '平均订单金额', en: 'Average order value' },
  },
  { key: 'gross_margin', kind: 'money', windowDays: 365, label: { zh: '毛利', en: 'Gross margin' } },
  { key: 'recency_days', kind: 'days', label: { zh: '距最近一次下单天数', en: 'Days since last order' } },
  {
    key: 'repurchase_rate',
    kind: 'ratio',
    windowDays: 365,
    label: { zh: '复购率', en: 'Repurchase rate' },
  },
  { key: 'cooperation_years', kind: 'years', label: { zh: '合作年限', en: 'Years of cooperation' } },
  {
    key: 'follow_ups_90d',
    kind: 'count',
    windowDays: 90,
    label: { zh: '近90天跟进次数', en: 'Follow-ups (90 days)' },
  },
  {
    key: 'days_since_follow_up',
    kind: 'days',
    label: { zh: '距最近一次跟进天数', en: 'Days since last follow-up' },
  },
  {
    key: 'complaints_90d',
    kind: 'count',
    windowDays: 90,
    label: { zh: '近90天投诉次数', en: 'Complaints (90 days)' },
  },
  { key: 'avg_satisfaction', kind: 'score', label: { zh: '平均满意度', en: 'Average satisfaction' } },
  { key: 'overdue_amount', kind: 'money', label: { zh: '逾期应收金额', en: 'Overdue receivables' } },
  { key: 'overdue_days', kind: 'days', label: { zh: '最长逾期天数', en: 'Longest overdue (days)' } },
  {
    key: 'decision_contacts',
    kind: 'count',
    label: { zh: '决策层联系人数', en: 'Decision-level contacts' },
  },
  {
    key: 'strategic_value',
    kind: 'score',
    manual: true,
    label: { zh: '战略价值（1–5）', en: 'Strategic value (1–5)' },
  },
  {
    key: 'industry_influence',
    kind: 'category',
    manual: true,
    categories: ['high', 'medium', 'low'],
    label: { zh: '行业影响力', en: 'Industry influence' },
  },
  {
    key: 'growth_potential',
    kind: 'category',
    manual: true,
    categories: ['high', 'medium', 'low'],
    label: { zh: '成长潜力', en: 'Growth potential' },
  },
  // Outputs of the RFM and CLV models, usable by other models.
  { key: 'rfm_r', kind: 'score', label: { zh: 'RFM 近度得分', en: 'RFM recency score' } },
  { key: 'rfm_f', kind: 'score', label: { zh: 'RFM 频度得分', en: 'RFM frequency score' } },
  { key: 'rfm_m', kind: 'score', label: { zh: 'RFM 额度得分', en: 'RFM monetary score' } },
  {
    key: 'rfm_segment',
    kind: 'category',
    categories: [
      'important_value',
      'important_development',
      'important_retention',
      'important_winback',
      'general_value',
      'general_development',
      'general_retention',
      'general_winback',
    ],
    label: { zh: 'RFM 客户分群', en: 'RFM segment' },
  },
  { key: 'clv_historical', kind: 'money', label: { zh: '历史客户终身价值', en: 'Historical CLV' } },
  { key: 'clv_expected', kind: 'money', label: { zh: '预期客户终身价值', en: 'Expected CLV' } },
  { key: 'p_alive', kind: 'ratio', label: { zh: '活跃概率', en: 'Probability alive' } },
];

const BY_KEY = new Map(TIERING_METRICS.map((m) => [m.key, m]));

export function tieringMetric(key: string): MetricDef | undefined {
  return BY_KEY.get(key);
}
