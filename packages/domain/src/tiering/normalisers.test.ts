import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { dec, formatDec } from './decimal.js';
import type { Normaliser } from './model.js';
import {
  breakpointsPopulation,
  normalise,
  normaliseText,
  percentileBreakpoints,
  percentileRank,
  sortedPopulation,
} from './normalisers.js';

const n = (normaliser: Normaliser, value: unknown, population?: Parameters<typeof normalise>[2]) =>
  normaliseText(normaliser, value as never, population);

describe('linear', () => {
  const lin: Normaliser = { kind: 'linear', min: '1000000', max: '10000000' };
  it('clamps at and beyond the bounds', () => {
    expect(n(lin, '1000000.00')).toBe('0.00');
    expect(n(lin, '-5')).toBe('0.00');
    expect(n(lin, '10000000')).toBe('100.00');
    expect(n(lin, '99999999999.99')).toBe('100.00');
  });
  it('is exact between the bounds, rounded half-up to 2 decimals', () => {
    expect(n(lin, '5500000')).toBe('50.00');
    // (1000000.01 − 1e6)/9e6·100 = 1.111…e-7 → 0.00; 1000450 → 0.005 → 0.01 (half-up)
    expect(n(lin, '1000000.01')).toBe('0.00');
    expect(n(lin, '1000450')).toBe('0.01');
    expect(n(lin, '1000449.99')).toBe('0.00');
    // 1/3 of the way: 33.333… → 33.33; 2/3: 66.666… → 66.67
    expect(n(lin, '4000000')).toBe('33.33');
    expect(n(lin, '7000000')).toBe('66.67');
    expect(n({ kind: 'linear', min: '0', max: '0.3' }, 0.1)).toBe('33.33');
  });
  it('reads numbers by their decimal text and treats unreadable values as missing', () => {
    expect(n({ kind: 'linear', min: '0', max: '1' }, 0.125)).toBe('12.50');
    expect(n(lin, null)).toBeNull();
    expect(n(lin, undefined)).toBeNull();
    expect(n(lin, 'abc')).toBeNull();
    expect(n(lin, true)).toBeNull();
    expect(n(lin, Number.NaN)).toBeNull();
  });
});

describe('log', () => {
  const log: Normaliser = { kind: 'log', min: '0', max: '999' };
  it('clamps and follows ln(1+v)', () => {
    expect(n(log, '0')).toBe('0.00');
    expect(n(log, '-3')).toBe('0.00');
    expect(n(log, '999')).toBe('100.00');
    expect(n(log, '5000')).toBe('100.00');
    // ln(1+9)/ln(1000) = 1/3 → 33.33; ln(100)/ln(1000) = 2/3 → 66.67
    expect(n(log, '9')).toBe('33.33');
    expect(n(log, 99)).toBe('66.67');
  });
  it('with a positive lower bound', () => {
    // (ln 100 − ln 10)/(ln 1000 − ln 10) = 1/2
    expect(n({ kind: 'log', min: '9', max: '999' }, '99')).toBe('50.00');
  });
});

describe('bands', () => {
  const bands: Normaliser = {
    kind: 'bands',
    bands: [
      { atLeast: '10000000', score: '100' },
      { atLeast: '5000000', score: '80' },
      { atLeast: '1000000', score: '50.5' },
    ],
    otherwise: '10',
  };
  it('a value equal to a band limit is in that band', () => {
    expect(n(bands, '10000000.00')).toBe('100.00');
    expect(n(bands, '9999999.99')).toBe('80.00');
    expect(n(bands, '5000000')).toBe('80.00');
    expect(n(bands, '4999999.99')).toBe('50.50');
    expect(n(bands, '1000000')).toBe('50.50');
    expect(n(bands, '999999.99')).toBe('10.00');
    expect(n(bands, '-1')).toBe('10.00');
    expect(n(bands, null)).toBeNull();
  });
});

describe('category', () => {
  const cat: Normaliser = {
    kind: 'category',
    categories: [
      { value: 'high', score: '100' },
      { value: 'medium', score: '60' },
      { value: '5', score: '90' },
    ],
    otherwise: '0',
  };
  it('maps listed values, others to `otherwise`, numbers by canonical text', () => {
    expect(n(cat, 'high')).toBe('100.00');
    expect(n(cat, 'medium')).toBe('60.00');
    expect(n(cat, 'low')).toBe('0.00');
    expect(n(cat, 'HIGH')).toBe('0.00');
    expect(n(cat, 5)).toBe('90.00');
    expect(n(cat, '5.0')).toBe('90.00');
    expect(n(cat, null)).toBeNull();
  });
});

describe('inverted', () => {
  it('is 100 minus the inner score', () => {
    const inv: Normaliser = { kind: 'inverted', of: { kind: 'linear', min: '0', max: '90' } };
    expect(n(inv, 0)).toBe('100.00');
    expect(n(inv, 90)).toBe('0.00');
    expect(n(inv, 120)).toBe('0.00');
    expect(n(inv, 30)).toBe('66.67'); // 100 − 33.33
    expect(n(inv, null)).toBeNull();
  });
  it('of a percentile', () => {
    const pop = sortedPopulation([1, 2, 3, 4]);
    expect(n({ kind: 'inverted', of: { kind: 'percentile' } }, 4, pop)).toBe('12.50'); // 100 − 87.5
  });
});

describe('percentile rank', () => {
  const pop = sortedPopulation([5, '1', 3, 2, 4, null, 'x']);
  it('uses mid-ranks on the exact population (missing values left out)', () => {
    expect(pop.kind === 'sorted' && pop.values.map(formatDec)).toEqual(['1', '2', '3', '4', '5']);
    // 100·(below + equal/2)/n: 1 → 10, 3 → 50, 5 → 90; below the minimum 0, above the maximum 100
    expect(n({ kind: 'percentile' }, 1, pop)).toBe('10.00');
    expect(n({ kind: 'percentile' }, 3, pop)).toBe('50.00');
    expect(n({ kind: 'percentile' }, 5, pop)).toBe('90.00');
    expect(n({ kind: 'percentile' }, 0, pop)).toBe('0.00');
    expect(n({ kind: 'percentile' }, 6, pop)).toBe('100.00');
    expect(n({ kind: 'percentile' }, '2.5', pop)).toBe('40.00');
  });
  it('gives ties one rank', () => {
    const ties = sortedPopulation([0, 0, 0, 10]);
    // 0: (0 + 3/2)/4 = 37.5; 10: (3 + 1/2)/4 = 87.5
    expect(formatDec(percentileRank(dec(0), ties))).toBe('37.50');
    expect(formatDec(percentileRank(dec(10), ties))).toBe('87.50');
    // 1/3: (0 + 1/2)/3 = 16.666… → 16.67
    expect(formatDec(percentileRank(dec(7), sortedPopulation([7, 8, 9])))).toBe('16.67');
  });
  it('empty population → 0; no population → TIERING_POPULATION_MISSING', () => {
    expect(n({ kind: 'percentile' }, 3, sortedPopulation([]))).toBe('0.00');
    expect(() => normalise({ kind: 'percentile' }, 3, undefined, 'revenue_12m')).toThrow(DomainError);
    try {
      normalise({ kind: 'percentile' }, 3, undefined, 'revenue_12m');
    } catch (e) {
      expect((e as DomainError).code).toBe('TIERING_POPULATION_MISSING');
      expect((e as DomainError).params).toEqual({ metric: 'revenue_12m' });
    }
  });
  it('breakpoints: computed from the population, interpolated, ties at the middle', () => {
    const values = Array.from({ length: 101 }, (_, i) => i * 10);
    const bps = percentileBreakpoints(sortedPopulation(values), 100);
    expect(bps).toHaveLength(101);
    expect(bps[0]).toBe('0');
    expect(bps[50]).toBe('500');
    expect(bps[100]).toBe('1000');
    const pop2 = breakpointsPopulation(bps);
    expect(n({ kind: 'percentile' }, -1, pop2)).toBe('0.00');
    expect(n({ kind: 'percentile' }, 0, pop2)).toBe('0.00');
    expect(n({ kind: 'percentile' }, 1000, pop2)).toBe('100.00');
    expect(n({ kind: 'percentile' }, 1001, pop2)).toBe('100.00');
    expect(n({ kind: 'percentile' }, 505, pop2)).toBe('50.50');
    expect(n({ kind: 'percentile' }, '123.4', pop2)).toBe('12.34');
    // a run of equal breakpoints b1…b3 = 5 in [0,5,5,5,10] (k = 4): position 2 → 50
    const tied = breakpointsPopulation(['0', '5', '5', '5', '10']);
    expect(n({ kind: 'percentile' }, 5, tied)).toBe('50.00');
    expect(n({ kind: 'percentile' }, '7.5', tied)).toBe('87.50');
    expect(n({ kind: 'percentile' }, '2.5', tied)).toBe('12.50');
    expect(() => breakpointsPopulation(['2', '1'])).toThrow(RangeError);
    expect(() => breakpointsPopulation(['2'])).toThrow(RangeError);
    expect(percentileBreakpoints(sortedPopulation([]))).toEqual([]);
  });
});
