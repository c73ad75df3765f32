import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Normaliser, WeightedModel } from './model.js';
import { sortedPopulation } from './normalisers.js';
import { decideTier } from './score.js';

const TIERS = ['A', 'B', 'C', 'D'];

/** Monotone normalisers only (inverted ones are monotone the other way and are excluded). */
const normaliserArb: fc.Arbitrary<Normaliser> = fc.oneof(
  fc.constant<Normaliser>({ kind: 'linear', min: '0', max: '1000' }),
  fc.constant<Normaliser>({ kind: 'log', min: '0', max: '1000' }),
  fc.constant<Normaliser>({ kind: 'percentile' }),
  fc.constant<Normaliser>({
    kind: 'bands',
    bands: [
      { atLeast: '800', score: '100' },
      { atLeast: '300', score: '60' },
      { atLeast: '100', score: '25.5' },
    ],
    otherwise: '0',
  }),
);

/** Weights in hundredths summing to exactly 100.00. */
const weightsArb = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const sorted = [0, ...cuts.sort((a, b) => a - b), 10_000];
    return sorted.slice(1).map((v, i) => {
      const w = v - (sorted[i] as number);
      return `${Math.floor(w / 100)}.${String(w % 100).padStart(2, '0')}`;
    });
  });

const thresholdsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 9_999 }), { minLength: 3, maxLength: 3 })
  .map((v) => [...v.sort((a, b) => b - a).map((x) => (x / 100).toFixed(2)), '0']);

const modelArb: fc.Arbitrary<WeightedModel> = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc
    .record({
      norms: fc.array(normaliserArb, { minLength: n, maxLength: n }),
      weights: weightsArb(n),
      thresholds: thresholdsArb,
    })
    .map(
      ({ norms, weights, thresholds }): WeightedModel => ({
        kind: 'weighted',
        dimensions: norms.map((normaliser, i) => ({
          key: `d${i}`,
          name: `D${i}`,
          metric: `m${i}`,
          normaliser,
          weight: weights[i] as string,
          missingScore: '0',
        })),
        tiers: TIERS.map((id, i) => ({ id, name: id, minScore: thresholds[i] as string })),
        floors: [],
        caps: [],
        hysteresis: { downgradeAfterRuns: 3, downgradeMargin: '5' },
      }),
    ),
);

const valueArb = fc.oneof(
  fc.integer({ min: -10, max: 1200 }),
  fc.integer({ min: 0, max: 120_000 }).map((c) => (c / 100).toFixed(2)),
);

const populations = Object.fromEntries(
  Array.from({ length: 5 }, (_, i) => [
    `m${i}`,
    sortedPopulation(Array.from({ length: 50 }, (_, k) => k * 20 + i)),
  ]),
);
const ctx = { asOf: '2026-06-30', populations };
const rank = (tier: string) => TIERS.indexOf(tier);

describe('properties of decideTier', () => {
  it('the tier is monotone in each dimension with a positive weight', () => {
    fc.assert(
      fc.property(
        modelArb,
        fc.array(valueArb, { minLength: 5, maxLength: 5 }),
        fc.nat(4),
        fc.integer({ min: 0, max: 600 }),
        (model, values, which, increase) => {
          const dim = which % model.dimensions.length;
          const metrics = Object.fromEntries(values.map((v, i) => [`m${i}`, v]));
          const before = decideTier(model, metrics, null, ctx);
          const raised = { ...metrics, [`m${dim}`]: Number(metrics[`m${dim}`]) + increase };
          const after = decideTier(model, raised, null, ctx);
          expect(Number(after.score)).toBeGreaterThanOrEqual(Number(before.score));
          expect(rank(after.tier)).toBeLessThanOrEqual(rank(before.tier));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same inputs give deep-equal decisions', () => {
    fc.assert(
      fc.property(
        modelArb,
        fc.array(valueArb, { minLength: 5, maxLength: 5 }),
        fc.option(fc.record({ tier: fc.constantFrom(...TIERS), belowCount: fc.nat(2) }), { nil: null }),
        (model, values, previous) => {
          const metrics = Object.fromEntries(values.map((v, i) => [`m${i}`, v]));
          const a = decideTier(model, metrics, previous, ctx);
          const b = decideTier(structuredClone(model), { ...metrics }, previous && { ...previous }, ctx);
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 200 },
    );
  });
});
