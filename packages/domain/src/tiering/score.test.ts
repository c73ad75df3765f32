import { describe, expect, it } from 'vitest';
import type { CriteriaModel, TierRule, WeightedModel } from './model.js';
import { B2B_CRITERIA_TEMPLATE, DEFAULT_HYSTERESIS } from './model.js';
import { sortedPopulation } from './normalisers.js';
import {
  criteriaTier,
  decideTier,
  evaluateConditionGroup,
  evaluateMetricCondition,
  type HysteresisState,
  hysteresisStep,
  tierFromScore,
  weightedScore,
} from './score.js';

const lin = { kind: 'linear' as const, min: '0', max: '100' };

/** Three dimensions on 0–100 metrics (linear identity), weights 33.33 / 33.33 / 33.34; A ≥ 80, B ≥ 60, C ≥ 40, D. */
const model: WeightedModel = {
  kind: 'weighted',
  dimensions: [
    { key: 'd1', name: 'D1', metric: 'm1', normaliser: lin, weight: '33.33', missingScore: '0' },
    { key: 'd2', name: 'D2', metric: 'm2', normaliser: lin, weight: '33.33', missingScore: '0' },
    { key: 'd3', name: 'D3', metric: 'm3', normaliser: lin, weight: '33.34', missingScore: '50' },
  ],
  tiers: [
    { id: 'A', name: 'A', minScore: '80' },
    { id: 'B', name: 'B', minScore: '60' },
    { id: 'C', name: 'C', minScore: '40' },
    { id: 'D', name: 'D', minScore: '0' },
  ],
  floors: [],
  caps: [],
  hysteresis: { downgradeAfterRuns: 1, downgradeMargin: null },
};
const ctx = { asOf: '2026-06-30' };

describe('weighted score (exact decimals)', () => {
  it('sums exact contributions and rounds the total half-up to 2 decimals', () => {
    // 100·33.33% + 100·33.33% + 100·33.34% = 100.00 exactly (floats: 99.99999999999999)
    expect(weightedScore(model, { m1: 100, m2: 100, m3: 100 }).score).toBe('100.00');
    // 50 everywhere: 16.665 + 16.665 + 16.67 = 50.00
    expect(weightedScore(model, { m1: 50, m2: 50, m3: 50 }).score).toBe('50.00');
    // 80·0.3333 = 26.664, 70·0.3333 = 23.331, 65·0.3334 = 21.671 → 71.666 → 71.67
    const ws = weightedScore(model, { m1: 80, m2: 70, m3: 65 });
    expect(ws.exact).toBe('71.666');
    expect(ws.score).toBe('71.67');
    expect(ws.breakdown.map((b) => [b.normalised, b.weight, b.contribution])).toEqual([
      ['80.00', '33.33', '26.664'],
      ['70.00', '33.33', '23.331'],
      ['65.00', '33.34', '21.671'],
    ]);
  });
  it('half-up at the third decimal: 0.005 rounds up', () => {
    // 0.15·33.33% = 0.049995; + 0.15·33.33% = 0.09999; + 0·33.34% = 0.09999 → 0.10
    expect(weightedScore(model, { m1: '0.15', m2: '0.15', m3: 0 }).score).toBe('0.10');
    // 0.03·33.33% + 0 + 0 = 0.009999 → 0.01 ; 0.01·33.33% = 0.003333 → 0.00
    expect(weightedScore(model, { m1: '0.03', m2: 0, m3: 0 }).score).toBe('0.01');
    expect(weightedScore(model, { m1: '0.01', m2: 0, m3: 0 }).score).toBe('0.00');
  });
  it('uses the missing score for missing metrics and marks them', () => {
    const ws = weightedScore(model, { m1: 100, m2: null });
    expect(ws.breakdown.map((b) => [b.missing, b.normalised])).toEqual([
      [false, '100.00'],
      [true, '0.00'],
      [true, '50.00'],
    ]);
    // 33.33 + 0 + 16.67 = 50.00
    expect(ws.score).toBe('50.00');
  });
  it('percentile dimensions read their population', () => {
    const m: WeightedModel = {
      ...model,
      dimensions: [
        {
          key: 'p',
          name: 'P',
          metric: 'rev',
          normaliser: { kind: 'percentile' },
          weight: '100',
          missingScore: '0',
        },
      ],
    };
    const populations = { rev: sortedPopulation(['10', '20', '30', '40']) };
    expect(weightedScore(m, { rev: '40' }, populations).score).toBe('87.50');
  });
});

describe('tier from score (boundary rule: equal belongs to the higher tier)', () => {
  it.each([
    ['100', 'A'],
    ['80.00', 'A'],
    ['79.99', 'B'],
    ['60', 'B'],
    ['59.99', 'C'],
    ['40', 'C'],
    ['39.99', 'D'],
    ['0', 'D'],
  ])('%s → %s', (score, tier) => {
    expect(tierFromScore(model.tiers, score)).toBe(tier);
  });
  it('decideTier: a score rounding to exactly 80.00 is A', () => {
    // 80·33.33% + 80·33.33% + 79.99·33.34% = 26.664 + 26.664 + 26.668666 = 79.996666 → 80.00 → A
    const d = decideTier(model, { m1: 80, m2: 80, m3: '79.99' }, null, ctx);
    expect(d.score).toBe('80.00');
    expect(d.tier).toBe('A');
    expect(d.decidedBy).toBe('threshold');
  });
});

describe('criteria', () => {
  it('comparisons at the boundaries, exact', () => {
    const m = { revenue: '10000000.00', rate: '0.6', influence: 'high', flag: true };
    expect(evaluateMetricCondition({ metric: 'revenue', op: 'gt', value: '10000000' }, m)).toBe(false);
    expect(evaluateMetricCondition({ metric: 'revenue', op: 'gte', value: '10000000' }, m)).toBe(true);
    expect(evaluateMetricCondition({ metric: 'revenue', op: 'lt', value: '10000000' }, m)).toBe(false);
    expect(evaluateMetricCondition({ metric: 'revenue', op: 'lte', value: '10000000' }, m)).toBe(true);
    expect(evaluateMetricCondition({ metric: 'revenue', op: 'eq', value: '10000000' }, m)).toBe(true);
    expect(evaluateMetricCondition({ metric: 'rate', op: 'gt', value: '0.6' }, m)).toBe(false);
    expect(evaluateMetricCondition({ metric: 'rate', op: 'gt', value: '0.59999' }, m)).toBe(true);
    expect(evaluateMetricCondition({ metric: 'influence', op: 'eq', value: 'high' }, m)).toBe(true);
    expect(evaluateMetricCondition({ metric: 'influence', op: 'in', value: ['medium', 'high'] }, m)).toBe(
      true,
    );
    expect(evaluateMetricCondition({ metric: 'influence', op: 'not_in', value: ['medium', 'high'] }, m)).toBe(
      false,
    );
    expect(evaluateMetricCondition({ metric: 'influence', op: 'gt', value: '1' }, m)).toBe(false);
    expect(evaluateMetricCondition({ metric: 'flag', op: 'eq', value: true }, m)).toBe(true);
    expect(evaluateMetricCondition({ metric: 'flag', op: 'ne', value: true }, m)).toBe(false);
  });
  it('missing metrics fail every condition, ne and not_in included', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      expect(evaluateMetricCondition({ metric: 'x', op, value: '0' }, {})).toBe(false);
    }
    expect(evaluateMetricCondition({ metric: 'x', op: 'ne', value: 'a' }, { x: null })).toBe(false);
    expect(evaluateMetricCondition({ metric: 'x', op: 'not_in', value: ['a'] }, {})).toBe(false);
  });
  it('all / any / at least k of n, exactly at k', () => {
    const conditions = [
      { metric: 'a', op: 'gte' as const, value: '1' },
      { metric: 'b', op: 'gte' as const, value: '1' },
      { metric: 'c', op: 'gte' as const, value: '1' },
    ];
    const two = { a: 1, b: 1, c: 0 };
    expect(evaluateConditionGroup({ combine: 'all', conditions }, two).holds).toBe(false);
    expect(evaluateConditionGroup({ combine: 'any', conditions }, two).holds).toBe(true);
    expect(evaluateConditionGroup({ combine: 'any', conditions }, { a: 0, b: 0, c: 0 }).holds).toBe(false);
    const atLeast2 = evaluateConditionGroup({ combine: 'at_least', atLeast: 2, conditions }, two);
    expect([atLeast2.holds, atLeast2.satisfied, atLeast2.required]).toEqual([true, 2, 2]);
    expect(evaluateConditionGroup({ combine: 'at_least', atLeast: 3, conditions }, two).holds).toBe(false);
    expect(evaluateConditionGroup({ combine: 'all', conditions }, { a: 1, b: 1, c: 1 }).holds).toBe(true);
  });
  it('evaluates from the top, first match wins, default at the bottom (B2B template)', () => {
    const strategic = {
      revenue_12m: '10000000.01',
      repurchase_rate: '0.61',
      industry_influence: 'high',
      cooperation_years: 2,
    };
    expect(criteriaTier(B2B_CRITERIA_TEMPLATE, strategic).tier).toBe('strategic');
    // exactly ¥10M is not > ¥10M: 2 of 4 strategic conditions hold → key (≥ 2M, ≥ 0.3, high ∈ {high, medium}, ≥ 1 year)
    const key = { ...strategic, revenue_12m: '10000000.00' };
    const r = criteriaTier(B2B_CRITERIA_TEMPLATE, key);
    expect(r.tier).toBe('key');
    expect(r.trace.map((t) => t.tier)).toEqual(['strategic', 'key']);
    expect(r.trace[0]?.result.satisfied).toBe(2);
    expect(criteriaTier(B2B_CRITERIA_TEMPLATE, { revenue_12m: '500000' }).tier).toBe('potential');
    expect(criteriaTier(B2B_CRITERIA_TEMPLATE, { revenue_12m: '499999.99' }).tier).toBe('normal');
    expect(criteriaTier(B2B_CRITERIA_TEMPLATE, {}).tier).toBe('normal');
    const d = decideTier(B2B_CRITERIA_TEMPLATE, strategic, null, ctx);
    expect([d.tier, d.rawTier, d.decidedBy, d.score, d.breakdown]).toEqual([
      'strategic',
      'strategic',
      'criteria',
      undefined,
      [],
    ]);
    expect(d.criteria).toHaveLength(1);
  });
});

const floor: TierRule = {
  id: 'big',
  name: 'Revenue > ¥10M ⇒ at least B',
  when: { combine: 'all', conditions: [{ metric: 'revenue', op: 'gt', value: '10000000' }] },
  tier: 'B',
};
const cap: TierRule = {
  id: 'complaint',
  name: 'Open critical complaint ⇒ at most C',
  when: { combine: 'all', conditions: [{ metric: 'critical_open', op: 'eq', value: true }] },
  tier: 'C',
};

describe('floors and caps', () => {
  const m: WeightedModel = { ...model, floors: [floor], caps: [cap] };
  it('a floor raises the tier, only while its condition holds', () => {
    const d = decideTier(m, { m1: 10, m2: 10, m3: 10, revenue: '10000000.01' }, null, ctx);
    expect([d.rawTier, d.tier, d.decidedBy]).toEqual(['D', 'B', 'floor']);
    expect(d.appliedRules).toEqual([
      { kind: 'floor', id: 'big', name: floor.name, tier: 'B', changed: true },
    ]);
    const e = decideTier(m, { m1: 10, m2: 10, m3: 10, revenue: '10000000' }, null, ctx);
    expect([e.tier, e.decidedBy, e.appliedRules]).toEqual(['D', 'threshold', []]);
  });
  it('a floor below the raw tier holds but changes nothing', () => {
    const d = decideTier(m, { m1: 90, m2: 90, m3: 90, revenue: '20000000' }, null, ctx);
    expect([d.tier, d.decidedBy]).toEqual(['A', 'threshold']);
    expect(d.appliedRules).toEqual([
      { kind: 'floor', id: 'big', name: floor.name, tier: 'B', changed: false },
    ]);
  });
  it('a cap lowers the tier and wins over a floor', () => {
    const d = decideTier(m, { m1: 90, m2: 90, m3: 90, critical_open: true }, null, ctx);
    expect([d.rawTier, d.tier, d.decidedBy]).toEqual(['A', 'C', 'cap']);
    const both = decideTier(m, { m1: 0, m2: 0, m3: 0, revenue: '20000000', critical_open: true }, null, ctx);
    expect([both.rawTier, both.tier, both.decidedBy]).toEqual(['D', 'C', 'cap']);
    expect(both.appliedRules.map((r) => [r.kind, 'changed' in r && r.changed])).toEqual([
      ['floor', true],
      ['cap', true],
    ]);
  });
  it('the highest floor and the lowest cap win when several hold', () => {
    const floorA: TierRule = { ...floor, id: 'huge', tier: 'A' };
    const capD: TierRule = { ...cap, id: 'worse', tier: 'D' };
    const m2: WeightedModel = { ...model, floors: [floor, floorA], caps: [] };
    expect(decideTier(m2, { m1: 0, m2: 0, m3: 0, revenue: '20000000' }, null, ctx).tier).toBe('A');
    const m3: WeightedModel = { ...model, caps: [cap, capD] };
    expect(decideTier(m3, { m1: 100, m2: 100, m3: 100, critical_open: true }, null, ctx).tier).toBe('D');
  });
});

describe('hysteresis', () => {
  const tiers = ['A', 'B', 'C', 'D'];
  const settings = { downgradeAfterRuns: 3, downgradeMargin: null };
  it('upgrades at once, downgrades after N consecutive runs below', () => {
    let state: HysteresisState | null = null;
    const seq = ['B', 'A', 'B', 'B', 'A', 'B', 'B', 'B', 'C', 'C', 'C'];
    const out: string[] = [];
    for (const candidate of seq) {
      const r = hysteresisStep(tiers, state, candidate, settings);
      out.push(`${r.tier}${r.belowCount}:${r.outcome}`);
      state = r;
    }
    expect(out).toEqual([
      'B0:initial',
      'A0:upgrade',
      'A1:held',
      'A2:held',
      'A0:same', // back at A: the count resets
      'A1:held',
      'A2:held',
      'B0:runs', // third consecutive run below
      'B1:held',
      'B2:held',
      'C0:runs',
    ]);
  });
  it('downgrades straight to the candidate, even several tiers down', () => {
    expect(hysteresisStep(tiers, { tier: 'A', belowCount: 2 }, 'D', settings)).toEqual({
      tier: 'D',
      belowCount: 0,
      outcome: 'runs',
    });
  });
  it('N = 1 switches hysteresis off', () => {
    expect(
      hysteresisStep(tiers, { tier: 'A', belowCount: 0 }, 'B', {
        downgradeAfterRuns: 1,
        downgradeMargin: null,
      }).tier,
    ).toBe('B');
  });
  it('margin: strictly more than the margin below the threshold downgrades at once', () => {
    const s = { downgradeAfterRuns: 3, downgradeMargin: '5' };
    const prev = { tier: 'A', belowCount: 0 };
    // threshold of A is 80: 75.00 is exactly 5 below → held; 74.99 → margin
    expect(
      hysteresisStep(tiers, prev, 'B', s, {
        score: { units: 7500n, scale: 2 },
        previousThreshold: { units: 80n, scale: 0 },
      }).outcome,
    ).toBe('held');
    expect(
      hysteresisStep(tiers, prev, 'B', s, {
        score: { units: 7499n, scale: 2 },
        previousThreshold: { units: 80n, scale: 0 },
      }).outcome,
    ).toBe('margin');
  });
  it('in decideTier with the defaults (3 runs, 5 points)', () => {
    const m: WeightedModel = { ...model, hysteresis: { ...DEFAULT_HYSTERESIS } };
    const a = decideTier(m, { m1: 85, m2: 85, m3: 85 }, null, ctx);
    expect([a.tier, a.hysteresis]).toEqual(['A', { tier: 'A', belowCount: 0 }]);
    const b1 = decideTier(m, { m1: 78, m2: 78, m3: 78 }, a.hysteresis, ctx);
    expect([b1.rawTier, b1.tier, b1.decidedBy, b1.hysteresis]).toEqual([
      'B',
      'A',
      'hysteresis',
      { tier: 'A', belowCount: 1 },
    ]);
    expect(b1.appliedRules).toEqual([
      { kind: 'hysteresis', outcome: 'held', from: 'A', to: 'A', belowCount: 1, downgradeAfterRuns: 3 },
    ]);
    const b2 = decideTier(m, { m1: 78, m2: 78, m3: 78 }, b1.hysteresis, ctx);
    expect(b2.tier).toBe('A');
    const b3 = decideTier(m, { m1: 78, m2: 78, m3: 78 }, b2.hysteresis, ctx);
    expect([b3.tier, b3.decidedBy, b3.hysteresis]).toEqual(['B', 'threshold', { tier: 'B', belowCount: 0 }]);
    // a fall of more than 5 points below 80 applies at once
    const drop = decideTier(m, { m1: 70, m2: 70, m3: 70 }, a.hysteresis, ctx);
    expect([drop.tier, drop.appliedRules[0]]).toEqual([
      'B',
      { kind: 'hysteresis', outcome: 'margin', from: 'A', to: 'B', belowCount: 0, downgradeAfterRuns: 3 },
    ]);
  });
  it('a previous tier the model no longer has starts afresh', () => {
    const d = decideTier(
      { ...model, hysteresis: DEFAULT_HYSTERESIS },
      { m1: 50, m2: 50, m3: 50 },
      { tier: 'Z', belowCount: 1 },
      ctx,
    );
    expect([d.tier, d.appliedRules]).toEqual(['C', [{ kind: 'previous_unknown', tier: 'Z' }]]);
  });
  it('caps apply at once, without hysteresis, and the held tier resumes afterwards', () => {
    const m: WeightedModel = { ...model, caps: [cap], hysteresis: DEFAULT_HYSTERESIS };
    const capped = decideTier(
      m,
      { m1: 90, m2: 90, m3: 90, critical_open: true },
      { tier: 'A', belowCount: 0 },
      ctx,
    );
    expect([capped.tier, capped.decidedBy, capped.hysteresis.tier]).toEqual(['C', 'cap', 'A']);
    const after = decideTier(m, { m1: 90, m2: 90, m3: 90, critical_open: false }, capped.hysteresis, ctx);
    expect(after.tier).toBe('A');
  });
});

describe('override', () => {
  const m: WeightedModel = { ...model, caps: [cap] };
  const metrics = { m1: 10, m2: 10, m3: 10, critical_open: true };
  it('wins over everything while active (until inclusive)', () => {
    const override = { tier: 'A', until: '2026-06-30', reason: 'strategic partner' };
    const d = decideTier(m, metrics, null, { asOf: '2026-06-30', override });
    expect([d.tier, d.rawTier, d.decidedBy]).toEqual(['A', 'D', 'override']);
    expect(d.appliedRules.at(-1)).toEqual({
      kind: 'override',
      tier: 'A',
      until: '2026-06-30',
      reason: 'strategic partner',
    });
    expect(d.hysteresis.tier).toBe('D');
    const later = decideTier(m, metrics, null, { asOf: '2026-07-01', override });
    expect([later.tier, later.decidedBy]).toEqual(['D', 'threshold']);
    const open = decideTier(m, metrics, null, { asOf: '2099-01-01', override: { tier: 'B', until: null } });
    expect(open.tier).toBe('B');
  });
  it('an override naming an unknown tier is ignored and reported', () => {
    const d = decideTier(m, metrics, null, { asOf: '2026-01-01', override: { tier: 'S', until: null } });
    expect([d.tier, d.appliedRules.at(-1)]).toEqual(['D', { kind: 'override_ignored', tier: 'S' }]);
  });
});

describe('criteria model with floors and caps', () => {
  it('applies the same rules', () => {
    const m: CriteriaModel = {
      ...B2B_CRITERIA_TEMPLATE,
      floors: [{ ...floor, tier: 'key' }],
      caps: [{ ...cap, tier: 'potential' }],
    };
    expect(decideTier(m, { revenue: '10000000.01' }, null, ctx).tier).toBe('key');
    const d = decideTier(m, { revenue: '10000000.01', critical_open: true }, null, ctx);
    expect([d.tier, d.decidedBy]).toEqual(['potential', 'cap']);
  });
});
