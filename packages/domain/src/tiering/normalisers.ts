import { DomainError } from '../errors.js';
import {
  cmp,
  type Dec,
  dec,
  decToNumber,
  div,
  divRoundHalfUp,
  formatDec,
  formatDecTrimmed,
  HUNDRED,
  mul,
  pow10,
  round,
  roundNumber,
  sub,
  toDec,
} from './decimal.js';
import type { Normaliser } from './model.js';

/**
 * Normalisers: a metric value → a score on 0–100 with exactly 2 decimals (a `Dec` of scale 2), rounded
 * half-up (half away from zero) once, at the end of each formula. Money and other decimals are exact
 * (scaled BigInt); only the logarithmic normaliser uses doubles (a logarithm is irrational), and rounds
 * the double's shortest decimal text half-up.
 *
 * | kind | score |
 * | --- | --- |
 * | `linear {min,max}` | `v ≤ min` → 0; `v ≥ max` → 100; else `100·(v − min)/(max − min)` |
 * | `log {min,max}` | same clamping; `100·(ln(1+v) − ln(1+min))/(ln(1+max) − ln(1+min))` |
 * | `bands` | the first band (highest `atLeast` first) with `v ≥ atLeast`; else `otherwise` |
 * | `percentile` | percentile rank in the tenant population (below) |
 * | `inverted {of}` | `100 − score(of)` |
 * | `category` | the listed score of the value; else `otherwise` |
 *
 * A value the normaliser cannot read (missing, not a decimal for a numeric normaliser) gives `null`; the
 * dimension then uses its `missingScore`.
 */

/** A metric value as the server supplies it: money/decimals as strings, counts as numbers, categories as text. */
export type MetricValue = string | number | boolean | null | undefined;
export type MetricValues = Readonly<Record<string, MetricValue>>;

/** 2-decimal score constants. */
export const SCORE_SCALE = 2;
const SCORE_0: Dec = { units: 0n, scale: SCORE_SCALE };
const SCORE_100: Dec = { units: 10_000n, scale: SCORE_SCALE };

/**
 * A population for percentile ranks: either the exact sorted values of the last full run (`sorted`), or
 * `breakpoints` b₀ ≤ b₁ ≤ … ≤ b_k at the percentiles 0, 100/k, …, 100 (what the server keeps after a full
 * run for triggered single-customer re-scores; `percentileBreakpoints` computes them).
 */
export type PercentilePopulation =
  | { readonly kind: 'sorted'; readonly values: readonly Dec[] }
  | { readonly kind: 'breakpoints'; readonly breakpoints: readonly Dec[] };

/** The population of a metric from its values (missing and non-decimal values are left out), sorted ascending. */
export function sortedPopulation(values: Iterable<MetricValue>): PercentilePopulation {
  const out: Dec[] = [];
  for (const v of values) {
    const d = toDec(v);
    if (d !== null) out.push(d);
  }
  out.sort(cmp);
  return { kind: 'sorted', values: out };
}

/** Breakpoints read back from storage (decimal strings, ascending). */
export function breakpointsPopulation(breakpoints: readonly (string | number)[]): PercentilePopulation {
  const values = breakpoints.map((b) => dec(b));
  for (let i = 1; i < values.length; i++) {
    if (cmp(values[i - 1] as Dec, values[i] as Dec) > 0)
      throw new RangeError('breakpoints must be ascending');
  }
  if (values.length < 2) throw new RangeError('at least two breakpoints are needed');
  return { kind: 'breakpoints', breakpoints: values };
}

/**
 * k + 1 breakpoints of a sorted population (default k = 100): `b_i = sorted[round((n − 1)·i/k)]` (nearest
 * rank, half-up), as canonical decimal strings. Empty population → `[]`.
 */
export function percentileBreakpoints(population: PercentilePopulation, k = 100): string[] {
  if (population.kind === 'breakpoints') return population.breakpoints.map(formatDecTrimmed);
  const values = population.values;
  const n = values.length;
  if (n === 0) return [];
  const out: string[] = [];
  for (let i = 0; i <= k; i++) {
    const index = Number(divRoundHalfUp(BigInt(n - 1) * BigInt(i), BigInt(k)));
    out.push(formatDecTrimmed(values[index] as Dec));
  }
  return out;
}

/** Index of the first element ≥ v (`strict` = false) or > v (`strict` = true). */
function bound(values: readonly Dec[], v: Dec, strict: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(values[mid] as Dec, v);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Percentile rank of `v`, 0–100, 2 decimals half-up.
 * - `sorted` (n values): the mid-rank definition `100 · (below + equal/2) / n`, where `below` counts values
 *   < v and `equal` values = v. Ties therefore share one rank; the median of 1…5 is 50, the top of five 90.
 *   An empty population gives 0.
 * - `breakpoints` b₀…b_k: `v < b₀` → 0, `v > b_k` → 100; a value equal to a run of breakpoints b_i…b_j takes
 *   the middle position (i + j)/2; otherwise it lies between b_{i−1} < v < b_i and is interpolated linearly,
 *   position `i − 1 + (v − b_{i−1})/(b_i − b_{i−1})`. Score = `100 · position / k`. Both forms are
 *   non-decreasing in v; they agree within about 100/k points.
 */
export function percentileRank(v: Dec, population: PercentilePopulation): Dec {
  if (population.kind === 'sorted') {
    const values = population.values;
    const n = values.length;
    if (n === 0) return SCORE_0;
    const below = bound(values, v, false);
    const equal = bound(values, v, true) - below;
    // 100·(below + equal/2)/n at 2 decimals = 10^4·(2·below + equal) / (2n)
    return { units: divRoundHalfUp(10_000n * BigInt(2 * below + equal), BigInt(2 * n)), scale: SCORE_SCALE };
  }
  const b = population.breakpoints;
  const k = b.length - 1;
  const first = bound(b, v, false); // b[first] ≥ v
  const after = bound(b, v, true); // b[after] > v
  if (after === 0) return SCORE_0; // v < b₀
  if (first > k) return SCORE_100;
  if (after > first) {
    // equal run first … after − 1: position (first + after − 1)/2, score = 100·position/k
    return { units: divRoundHalfUp(10_000n * BigInt(first + after - 1), BigInt(2 * k)), scale: SCORE_SCALE };
  }
  const lower = b[first - 1] as Dec;
  const upper = b[first] as Dec;
  // position = (first − 1) + (v − lower)/(upper − lower); score = 100·position/k
  const span = sub(upper, lower);
  const frac = sub(v, lower);
  const num = add2(mul({ units: BigInt(first - 1), scale: 0 }, span), frac);
  return div(mul(num, HUNDRED), mul(span, { units: BigInt(k), scale: 0 }), SCORE_SCALE);
}

function add2(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * pow10(scale - a.scale) + b.units * pow10(scale - b.scale), scale };
}

function clampLinear(v: Dec, min: Dec, max: Dec): Dec {
  if (cmp(v, min) <= 0) return SCORE_0;
  if (cmp(v, max) >= 0) return SCORE_100;
  return div(mul(sub(v, min), HUNDRED), sub(max, min), SCORE_SCALE);
}

function clampLog(v: Dec, min: Dec, max: Dec): Dec {
  if (cmp(v, min) <= 0) return SCORE_0;
  if (cmp(v, max) >= 0) return SCORE_100;
  const lo = Math.log1p(decToNumber(min));
  const hi = Math.log1p(decToNumber(max));
  const score = roundNumber((100 * (Math.log1p(decToNumber(v)) - lo)) / (hi - lo), SCORE_SCALE);
  // Guard against double noise at the clamped ends.
  if (cmp(score, SCORE_0) < 0) return SCORE_0;
  if (cmp(score, SCORE_100) > 0) return SCORE_100;
  return score;
}

/** Category text of a value: strings as is, decimals canonical (`5` and `"5.0"` → `"5"`), booleans `true`/`false`. */
export function categoryText(value: MetricValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return String(value);
  const d = toDec(value);
  if (d !== null) return formatDecTrimmed(d);
  return typeof value === 'string' ? value : null;
}

/** Populations by metric key, supplied by the caller for percentile normalisers. */
export type Populations = Readonly<Record<string, PercentilePopulation | undefined>>;

/**
 * The normalised score of `value`, or `null` when the value is missing or unreadable. `metric` names the
 * population to use for percentile ranks; a percentile normaliser without one throws
 * `DomainError('TIERING_POPULATION_MISSING')`.
 */
export function normalise(
  normaliser: Normaliser,
  value: MetricValue,
  population?: PercentilePopulation,
  metric = '',
): Dec | null {
  switch (normaliser.kind) {
    case 'category': {
      const text = categoryText(value);
      if (text === null) return null;
      const hit = normaliser.categories.find((c) => categoryText(c.value) === text);
      return round(dec(hit ? hit.score : normaliser.otherwise), SCORE_SCALE);
    }
    case 'inverted': {
      const inner = normalise(normaliser.of, value, population, metric);
      return inner === null ? null : sub(SCORE_100, inner);
    }
    default:
      break;
  }
  const v = typeof value === 'boolean' ? null : toDec(value);
  if (v === null) return null;
  switch (normaliser.kind) {
    case 'linear':
      return clampLinear(v, dec(normaliser.min), dec(normaliser.max));
    case 'log':
      return clampLog(v, dec(normaliser.min), dec(normaliser.max));
    case 'bands': {
      const hit = normaliser.bands.find((b) => cmp(v, dec(b.atLeast)) >= 0);
      return round(dec(hit ? hit.score : normaliser.otherwise), SCORE_SCALE);
    }
    case 'percentile':
      if (!population) throw new DomainError('TIERING_POPULATION_MISSING', { metric });
      return percentileRank(v, population);
  }
}

/** `normalise` as text (`"87.50"`), for display and tests; `null` when missing. */
export function normaliseText(
  normaliser: Normaliser,
  value: MetricValue,
  population?: PercentilePopulation,
): string | null {
  const score = normalise(normaliser, value, population);
  return score === null ? null : formatDec(score);
}
