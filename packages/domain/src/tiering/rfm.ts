import type { LocalizedText } from '../i18n.js';
import { add, cmp, type Dec, dec, formatDecTrimmed, mul, toDec, ZERO } from './decimal.js';
import type { RfmModel } from './model.js';
import type { MetricValue } from './normalisers.js';

/**
 * RFM: recency (days since the last order), frequency (orders in the window) and monetary (revenue in the
 * window), each scored 1…`bins` (5 = quintiles; higher is better), plus the classic eight segments.
 *
 * ## Bins (deterministic, tie-safe)
 * For frequency and monetary, with the population's n values sorted ascending as v₍₁₎ ≤ … ≤ v₍ₙ₎, the
 * cut points are `c_j = v₍⌈j·n/bins⌉₎` for j = 1 … bins − 1, and a value's score is
 * `1 + #{ j : value > c_j }`, i.e. `1 + ⌊bins · (number of population values strictly below it) / n⌋`.
 * Recency is inverted (fewer days is better): the same with the values sorted descending and `value < c_j`.
 * Consequences: equal values always get the same score (a block of ties takes the score of its lowest
 * member, so where 60 % of customers have exactly one order they all score 1 and the next value scores 4);
 * the result does not depend on the order of the rows; the cut points are all a triggered re-score needs.
 * A missing or unreadable value scores 1 (customers without orders: no recency, worst score).
 *
 * ## Segments (重要价值客户 …)
 * Each of R, F, M is *high* or *low* against the tenant average (mean over the customers that have the
 * value): F and M are high when `value ≥ average`, R is high when `days ≤ average` (recent). With
 * `segmentBasis: 'scores'` the 1…bins scores are compared with their average instead (score ≥ average is
 * high, for all three). Averages are compared exactly (`value · n ≥ sum`). A missing value is low.
 *
 * | R | F | M | segment |
 * | --- | --- | --- | --- |
 * | high | high | high | 重要价值客户 important value |
 * | high | low | high | 重要发展客户 important development |
 * | low | high | high | 重要保持客户 important retention |
 * | low | low | high | 重要挽留客户 important win-back |
 * | high | high | low | 一般价值客户 general value |
 * | high | low | low | 一般发展客户 general development |
 * | low | high | low | 一般保持客户 general retention |
 * | low | low | low | 一般挽留客户 general win-back |
 */

export const RFM_SEGMENTS = [
  'important_value',
  'important_development',
  'important_retention',
  'important_winback',
  'general_value',
  'general_development',
  'general_retention',
  'general_winback',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const RFM_SEGMENT_NAMES: Readonly<Record<RfmSegment, LocalizedText>> = {
  important_value: { zh: '重要价值客户', en: 'Important value' },
  important_development: { zh: '重要发展客户', en: 'Important development' },
  important_retention: { zh: '重要保持客户', en: 'Important retention' },
  important_winback: { zh: '重要挽留客户', en: 'Important win-back' },
  general_value: { zh: '一般价值客户', en: 'General value' },
  general_development: { zh: '一般发展客户', en: 'General development' },
  general_retention: { zh: '一般保持客户', en: 'General retention' },
  general_winback: { zh: '一般挽留客户', en: 'General win-back' },
};

/** The segment of a high/low pattern. */
export function rfmSegment(rHigh: boolean, fHigh: boolean, mHigh: boolean): RfmSegment {
  const level = mHigh ? 'important' : 'general';
  const kind = rHigh ? (fHigh ? 'value' : 'development') : fHigh ? 'retention' : 'winback';
  return `${level}_${kind}` as RfmSegment;
}

export interface RfmValues {
  recency: MetricValue;
  frequency: MetricValue;
  monetary: MetricValue;
}

/** Per-dimension population statistics of a full run (JSON-safe; stored for triggered re-scores). */
export interface RfmDimensionStats {
  /** bins − 1 cut points (see the module comment), canonical decimals; empty population → `[]`. */
  cuts: string[];
  /** Customers with a value, and the exact sum of their values. */
  count: number;
  sum: string;
  /** Sum of the population's bin scores (for `segmentBasis: 'scores'`), over all customers incl. missing. */
  scoreSum: number;
  /** Customers in the run (incl. missing). */
  population: number;
}

export interface RfmStatistics {
  bins: number;
  recency: RfmDimensionStats;
  frequency: RfmDimensionStats;
  monetary: RfmDimensionStats;
}

export interface RfmScore {
  r: number;
  f: number;
  m: number;
  /** `"${r}${f}${m}"`, e.g. `"545"`. */
  code: string;
  high: { r: boolean; f: boolean; m: boolean };
  segment: RfmSegment;
}

type Direction = 'asc' | 'desc';

function cutsOf(values: readonly Dec[], bins: number, direction: Direction): Dec[] {
  const n = values.length;
  if (n === 0) return [];
  const sorted = [...values].sort(direction === 'asc' ? cmp : (a, b) => cmp(b, a));
  const cuts: Dec[] = [];
  for (let j = 1; j < bins; j++) cuts.push(sorted[Math.ceil((j * n) / bins) - 1] as Dec);
  return cuts;
}

function binOf(value: Dec | null, cuts: readonly Dec[], direction: Direction): number {
  if (value === null) return 1;
  let bin = 1;
  for (const c of cuts) if (direction === 'asc' ? cmp(value, c) > 0 : cmp(value, c) < 0) bin++;
  return bin;
}

function readable(value: MetricValue): Dec | null {
  return typeof value === 'boolean' ? null : toDec(value);
}

function dimensionStats(
  values: readonly MetricValue[],
  bins: number,
  direction: Direction,
): RfmDimensionStats {
  const present = values.map(readable);
  const known = present.filter((d): d is Dec => d !== null);
  const cuts = cutsOf(known, bins, direction);
  let scoreSum = 0;
  for (const d of present) scoreSum += binOf(d, cuts, direction);
  return {
    cuts: cuts.map(formatDecTrimmed),
    count: known.length,
    sum: formatDecTrimmed(known.reduce<Dec>((s, d) => add(s, d), ZERO)),
    scoreSum,
    population: values.length,
  };
}

/** Cut points and averages of a population (one full run). `bins` 2–10, default 5. */
export function rfmStatistics(rows: readonly RfmValues[], bins = 5): RfmStatistics {
  if (!Number.isInteger(bins) || bins < 2 || bins > 10) throw new RangeError('bins must be 2–10');
  return {
    bins,
    recency: dimensionStats(
      rows.map((r) => r.recency),
      bins,
      'desc',
    ),
    frequency: dimensionStats(
      rows.map((r) => r.frequency),
      bins,
      'asc',
    ),
    monetary: dimensionStats(
      rows.map((r) => r.monetary),
      bins,
      'asc',
    ),
  };
}

/** `value` against the average `sum / count`, exactly: ≥ (or ≤ for `desc`). Missing or no population → low. */
function highAgainstAverage(value: Dec | null, sum: Dec, count: number, direction: Direction): boolean {
  if (value === null || count === 0) return false;
  const c = cmp(mul(value, { units: BigInt(count), scale: 0 }), sum);
  return direction === 'asc' ? c >= 0 : c <= 0;
}

/** Scores and segment of one customer against a population's statistics. */
export function scoreRfm(
  values: RfmValues,
  stats: RfmStatistics,
  segmentBasis: RfmModel['segmentBasis'] = 'values',
): RfmScore {
  const rv = readable(values.recency);
  const fv = readable(values.frequency);
  const mv = readable(values.monetary);
  const r = binOf(rv, stats.recency.cuts.map(dec), 'desc');
  const f = binOf(fv, stats.frequency.cuts.map(dec), 'asc');
  const m = binOf(mv, stats.monetary.cuts.map(dec), 'asc');
  let high: RfmScore['high'];
  if (segmentBasis === 'scores') {
    const byScore = (score: number, s: RfmDimensionStats) =>
      s.population > 0 && score * s.population >= s.scoreSum;
    high = { r: byScore(r, stats.recency), f: byScore(f, stats.frequency), m: byScore(m, stats.monetary) };
  } else {
    high = {
      r: highAgainstAverage(rv, dec(stats.recency.sum), stats.recency.count, 'desc'),
      f: highAgainstAverage(fv, dec(stats.frequency.sum), stats.frequency.count, 'asc'),
      m: highAgainstAverage(mv, dec(stats.monetary.sum), stats.monetary.count, 'asc'),
    };
  }
  return { r, f, m, code: `${r}${f}${m}`, high, segment: rfmSegment(high.r, high.f, high.m) };
}

/** A full run: statistics of the population, then every row's score (in input order). */
export function scoreRfmPopulation(
  rows: readonly RfmValues[],
  model: Pick<RfmModel, 'bins' | 'segmentBasis'> = { bins: 5, segmentBasis: 'values' },
): { statistics: RfmStatistics; scores: RfmScore[] } {
  const statistics = rfmStatistics(rows, model.bins);
  return { statistics, scores: rows.map((row) => scoreRfm(row, statistics, model.segmentBasis)) };
}
