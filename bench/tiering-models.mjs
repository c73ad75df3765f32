// The models of the tiering bench (bench/tiering.mjs): a weighted model with five data dimensions
// and an RFM model, both from data the tenant generator gives (orders, follow-ups).
export const WEIGHTED_MODEL = {
  kind: 'weighted',
  dimensions: [
    {
      key: 'revenue',
      name: '贡献度',
      metric: 'revenue_12m',
      normaliser: { kind: 'percentile' },
      weight: '30',
    },
    {
      key: 'growth',
      name: '成长性',
      metric: 'revenue_growth',
      normaliser: { kind: 'linear', min: '-0.2', max: '0.5' },
      weight: '15',
      missingScore: '30',
    },
    {
      key: 'orders',
      name: '订单数',
      metric: 'order_count',
      normaliser: { kind: 'linear', min: '0', max: '10' },
      weight: '20',
    },
    {
      key: 'recency',
      name: '近度',
      metric: 'recency_days',
      normaliser: { kind: 'inverted', of: { kind: 'percentile' } },
      weight: '15',
    },
    {
      key: 'activity',
      name: '活跃度',
      metric: 'follow_ups_90d',
      normaliser: { kind: 'linear', min: '0', max: '4' },
      weight: '20',
    },
  ],
  tiers: [
    { id: 'A', name: 'A', minScore: '70' },
    { id: 'B', name: 'B', minScore: '50' },
    { id: 'C', name: 'C', minScore: '30' },
    { id: 'D', name: 'D', minScore: '0' },
  ],
};

export const RFM_MODEL = { kind: 'rfm' };

/** The draft a simulation scores: the weighted model with stricter thresholds. */
export const SIMULATED_DRAFT = {
  ...WEIGHTED_MODEL,
  tiers: [
    { id: 'A', name: 'A', minScore: '75' },
    { id: 'B', name: 'B', minScore: '55' },
    { id: 'C', name: 'C', minScore: '35' },
    { id: 'D', name: 'D', minScore: '0' },
  ],
};
