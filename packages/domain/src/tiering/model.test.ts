import { describe, expect, it } from 'vitest';
import { ERRORS } from '../errors.js';
import { TIERING_METRICS } from './metrics.js';
import {
  B2B_CRITERIA_TEMPLATE,
  DEFAULT_HYSTERESIS,
  modelTiers,
  THRESHOLD_BOUNDARY_RULE,
  validateTieringModel,
  weightSum,
  zTierOverride,
} from './model.js';

const dim = (
  key: string,
  weight: string | number,
  normaliser: unknown = { kind: 'linear', min: 0, max: 100 },
) => ({
  key,
  name: key,
  metric: 'revenue_12m',
  normaliser,
  weight,
});
const tiers = [
  { id: 'A', name: 'A', minScore: '80' },
  { id: 'B', name: 'B', minScore: 60 },
  { id: 'C', name: 'C', minScore: '0' },
];
const weighted = (over: Record<string, unknown> = {}) => ({
  kind: 'weighted',
  dimensions: [dim('a', '33.33'), dim('b', '33.33'), dim('c', '33.34')],
  tiers,
  ...over,
});
const codes = (input: unknown) => {
  const r = validateTieringModel(input);
  return r.ok ? [] : r.issues.map((i) => `${i.code}@${i.path.join('.')}`);
};

describe('weighted model validation', () => {
  it('accepts a valid model and fills the defaults', () => {
    const r = validateTieringModel(weighted());
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.kind !== 'weighted') return;
    expect(r.value.hysteresis).toEqual(DEFAULT_HYSTERESIS);
    expect(r.value.floors).toEqual([]);
    expect(r.value.dimensions[0]?.missingScore).toBe('0');
    expect(r.value.tiers[1]?.minScore).toBe('60');
    expect(r.value.dimensions[0]?.normaliser).toEqual({ kind: 'linear', min: '0', max: '100' });
    expect(weightSum(r.value.dimensions)).toBe('100');
  });
  it('weights must sum to exactly 100, with at most 2 decimals', () => {
    expect(
      codes(weighted({ dimensions: [dim('a', '33.33'), dim('b', '33.33'), dim('c', '33.33')] })),
    ).toEqual(['TIERING_WEIGHTS_SUM@dimensions']);
    const r = validateTieringModel(weighted({ dimensions: [dim('a', '50'), dim('b', '50.01')] }));
    expect(!r.ok && r.issues[0]?.params).toEqual({ sum: '100.01' });
    expect(codes(weighted({ dimensions: [dim('a', '33.333'), dim('b', '66.667')] }))).toEqual([
      'OUT_OF_RANGE@dimensions.0.weight',
      'OUT_OF_RANGE@dimensions.1.weight',
    ]);
    expect(codes(weighted({ dimensions: [dim('a', 0.1), dim('b', 0.2), dim('c', '99.7')] }))).toEqual([]);
    expect(codes(weighted({ dimensions: [dim('a', '-1'), dim('b', '101')] }))).toContain(
      'OUT_OF_RANGE@dimensions.0.weight',
    );
    expect(codes(weighted({ dimensions: [] }))).toEqual([
      'REQUIRED@dimensions',
      'TIERING_WEIGHTS_SUM@dimensions',
    ]);
  });
  it('thresholds strictly decreasing, within 0–100, ending at 0; unique tier ids', () => {
    expect(codes(weighted({ tiers: [tiers[0], { ...tiers[1], minScore: '80' }, tiers[2]] }))).toEqual([
      'TIERING_THRESHOLDS_INVALID@tiers.1.minScore',
    ]);
    expect(codes(weighted({ tiers: [tiers[0], tiers[1], { ...tiers[2], minScore: '10' }] }))).toEqual([
      'TIERING_THRESHOLDS_INVALID@tiers.2.minScore',
    ]);
    expect(codes(weighted({ tiers: [{ ...tiers[0], minScore: '100.01' }, tiers[2]] }))).toEqual([
      'OUT_OF_RANGE@tiers.0.minScore',
    ]);
    expect(codes(weighted({ tiers: [tiers[0], { ...tiers[1], id: 'A' }, tiers[2]] }))).toEqual([
      'TIERING_TIER_DUPLICATE@tiers.1.id',
    ]);
    expect(codes(weighted({ tiers: [{ id: 'only', name: 'Only', minScore: 0 }] }))).toEqual([]);
  });
  it('dimensions: unique keys, valid metrics and normalisers', () => {
    expect(codes(weighted({ dimensions: [dim('a', 50), dim('a', 50)] }))).toEqual([
      'TIERING_DIMENSION_DUPLICATE@dimensions.1.key',
    ]);
    expect(codes(weighted({ dimensions: [{ ...dim('a', 100), metric: 'Bad-Key' }] }))).toEqual([
      'TIERING_METRIC_INVALID@dimensions.0.metric',
    ]);
    const bad = (normaliser: unknown) => codes(weighted({ dimensions: [dim('a', 100, normaliser)] }));
    expect(bad({ kind: 'linear', min: 5, max: 5 })).toEqual([
      'TIERING_BOUNDS_INVALID@dimensions.0.normaliser.max',
    ]);
    expect(bad({ kind: 'log', min: -1, max: 5 })).toEqual([
      'TIERING_BOUNDS_INVALID@dimensions.0.normaliser.max',
    ]);
    expect(bad({ kind: 'log', min: 0, max: '1e3' })).toEqual(['INVALID_VALUE@dimensions.0.normaliser.max']);
    expect(
      bad({
        kind: 'bands',
        bands: [
          { atLeast: 100, score: 50 },
          { atLeast: 100, score: 20 },
        ],
      }),
    ).toEqual(['TIERING_BANDS_INVALID@dimensions.0.normaliser.bands.1.atLeast']);
    expect(bad({ kind: 'bands', bands: [{ atLeast: 100, score: 101 }] })).toEqual([
      'OUT_OF_RANGE@dimensions.0.normaliser.bands.0.score',
    ]);
    expect(
      bad({
        kind: 'category',
        categories: [
          { value: 'high', score: 100 },
          { value: 'high', score: 50 },
        ],
      }),
    ).toEqual(['TIERING_CATEGORY_DUPLICATE@dimensions.0.normaliser.categories.1.value']);
    expect(bad({ kind: 'inverted', of: { kind: 'inverted', of: { kind: 'percentile' } } })).toEqual([
      'INVALID_VALUE@dimensions.0.normaliser.of.kind',
    ]);
    expect(bad({ kind: 'inverted', of: { kind: 'percentile' } })).toEqual([]);
    expect(bad({ kind: 'sigmoid' })).toEqual(['INVALID_VALUE@dimensions.0.normaliser.kind']);
    expect(bad({ kind: 'percentile', extra: 1 })).toEqual(['UNKNOWN_PROPERTY@dimensions.0.normaliser.extra']);
  });
  it('floors and caps name tiers of the model; hysteresis in range', () => {
    const rule = (tier: string, id = 'r1') => ({
      id,
      name: 'rule',
      when: { combine: 'all', conditions: [{ metric: 'revenue_12m', op: 'gt', value: 10000000 }] },
      tier,
    });
    expect(codes(weighted({ floors: [rule('B')], caps: [rule('C')] }))).toEqual([]);
    expect(codes(weighted({ floors: [rule('S')] }))).toEqual(['TIERING_TIER_UNKNOWN@floors.0.tier']);
    expect(codes(weighted({ caps: [rule('B'), rule('C')] }))).toEqual(['TIERING_RULE_DUPLICATE@caps.1.id']);
    expect(codes(weighted({ hysteresis: { downgradeAfterRuns: 0 } }))).toEqual([
      'OUT_OF_RANGE@hysteresis.downgradeAfterRuns',
    ]);
    const r = validateTieringModel(
      weighted({ hysteresis: { downgradeAfterRuns: 2, downgradeMargin: null } }),
    );
    expect(r.ok && r.value.kind === 'weighted' && r.value.hysteresis).toEqual({
      downgradeAfterRuns: 2,
      downgradeMargin: null,
    });
  });
});

describe('criteria model validation', () => {
  it('accepts the B2B template', () => {
    const r = validateTieringModel(B2B_CRITERIA_TEMPLATE);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toEqual(B2B_CRITERIA_TEMPLATE);
    expect(modelTiers(B2B_CRITERIA_TEMPLATE).map((t) => t.id)).toEqual([
      'strategic',
      'key',
      'potential',
      'normal',
    ]);
  });
  it('k of "at least k of n" must be within 1…n', () => {
    const model = (atLeast: unknown, combine = 'at_least') => ({
      kind: 'criteria',
      tiers: [
        {
          id: 'top',
          name: 'Top',
          when: {
            combine,
            atLeast,
            conditions: [
              { metric: 'a', op: 'gte', value: '1' },
              { metric: 'b', op: 'in', value: 'x' },
            ],
          },
        },
      ],
      defaultTier: { id: 'rest', name: 'Rest' },
    });
    expect(codes(model(2))).toEqual([]);
    expect(codes(model(3))).toEqual(['TIERING_AT_LEAST_INVALID@tiers.0.when.atLeast']);
    expect(codes(model(0))).toEqual(['TIERING_AT_LEAST_INVALID@tiers.0.when.atLeast']);
    expect(codes(model(undefined))).toEqual(['TIERING_AT_LEAST_INVALID@tiers.0.when.atLeast']);
    expect(codes(model(1, 'all'))).toEqual(['UNKNOWN_PROPERTY@tiers.0.when.atLeast']);
    const r = validateTieringModel(model(1));
    expect(r.ok && r.value.kind === 'criteria' && r.value.tiers[0]?.when.conditions[1]).toEqual({
      metric: 'b',
      op: 'in',
      value: ['x'],
    });
  });
  it('conditions: decimal values for comparisons, default tier distinct', () => {
    const model = (cond: unknown, defaultId = 'rest') => ({
      kind: 'criteria',
      tiers: [{ id: 'top', name: 'Top', when: { combine: 'all', conditions: [cond] } }],
      defaultTier: { id: defaultId, name: 'Rest' },
    });
    expect(codes(model({ metric: 'a', op: 'gt', value: 'abc' }))).toEqual([
      'INVALID_VALUE@tiers.0.when.conditions.0.value',
    ]);
    expect(codes(model({ metric: 'a', op: 'like', value: '1' }))).toEqual([
      'INVALID_VALUE@tiers.0.when.conditions.0.op',
    ]);
    expect(codes(model({ metric: 'a', op: 'eq', value: true }))).toEqual([]);
    expect(codes(model({ metric: 'a', op: 'gt', value: 1 }, 'top'))).toEqual([
      'TIERING_TIER_DUPLICATE@defaultTier.id',
    ]);
  });
});

describe('RFM and CLV model defaults', () => {
  it('fills defaults', () => {
    const rfm = validateTieringModel({ kind: 'rfm' });
    expect(rfm.ok && rfm.value).toEqual({
      kind: 'rfm',
      windowDays: 365,
      bins: 5,
      metrics: { recency: 'recency_days', frequency: 'order_count', monetary: 'revenue_12m' },
      segmentBasis: 'values',
    });
    expect(codes({ kind: 'rfm', bins: 11 })).toEqual(['OUT_OF_RANGE@bins']);
    const clv = validateTieringModel({ kind: 'clv' });
    expect(clv.ok && clv.value).toEqual({
      kind: 'clv',
      historical: { windowDays: 365, lifetimeYears: '3' },
      probabilistic: { timeUnitDays: 7, horizonUnits: 52, marginRate: '1' },
    });
    expect(codes({ kind: 'clv', probabilistic: { marginRate: '1.5' } })).toEqual([
      'OUT_OF_RANGE@probabilistic.marginRate',
    ]);
    expect(codes({ kind: 'other' })).toEqual(['INVALID_VALUE@kind']);
  });
});

describe('overrides, texts, catalogue', () => {
  it('override dates', () => {
    expect(zTierOverride.safeParse({ tier: 'A', until: '2026-12-31' }).success).toBe(true);
    expect(zTierOverride.safeParse({ tier: 'A', until: null }).success).toBe(true);
    expect(zTierOverride.safeParse({ tier: 'A', until: '2026-13-01' }).success).toBe(false);
  });
  it('the boundary rule exists in both languages; tiering codes are in the catalogue', () => {
    expect(THRESHOLD_BOUNDARY_RULE.zh).toContain('80.00');
    expect(THRESHOLD_BOUNDARY_RULE.en).toContain('80.00');
    for (const code of [
      'TIERING_WEIGHTS_SUM',
      'TIERING_THRESHOLDS_INVALID',
      'TIERING_AT_LEAST_INVALID',
      'TIERING_POPULATION_MISSING',
    ]) {
      expect(Object.hasOwn(ERRORS, code)).toBe(true);
    }
    expect(new Set(TIERING_METRICS.map((m) => m.key)).size).toBe(TIERING_METRICS.length);
  });
});
