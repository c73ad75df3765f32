import { DomainError } from '../errors.js';
import { type Dec, dec, div, formatDec, isZero, mul, round, roundNumber, toDec } from './decimal.js';
import type { ClvModel } from './model.js';
import { hyp2f1, logBeta, logGamma, logSumExp, nelderMead } from './numeric.js';

/**
 * Customer lifetime value.
 *
 * ## Historical CLV (exact decimals)
 *   CLV_hist = (margin per purchase) × (purchases per year) × (expected lifetime in years)
 * with, over a window of W days holding n purchases and total gross margin G:
 *   margin per purchase = G / n,   purchases per year = n · 365 / W,   lifetime = L (a model setting),
 * so CLV_hist = G · 365 · L / W (0 when n = 0). The CLV is computed from the exact product and rounded
 * half-up to fen; the stated factors are rounded for display only (margin to fen, rate to 4 decimals).
 *
 * ## BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing Science 24(2))
 * While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α) (shape r, rate α); after each
 * repeat purchase they drop out with probability p ~ Beta(a, b). A customer first bought at time 0 and is
 * observed until T; x repeat purchases, the last at t_x (0 when x = 0). Time in model units (weeks).
 *
 * Likelihood (FHL 2005, eq. 6):
 *   L(r, α, a, b | x, t_x, T) = A₁·A₂·(A₃ + δ_{x>0}·A₄)
 *   A₁ = Γ(r + x) αʳ / Γ(r)
 *   A₂ = Γ(a + b) Γ(b + x) / (Γ(b) Γ(a + b + x))
 *   A₃ = (α + T)^−(r+x)
 *   A₄ = a / (b + x − 1) · (α + t_x)^−(r+x)
 * computed in logs with log-sum-exp for ln(A₃ + A₄).
 *
 * Expected repeat purchases of a new customer in (0, t] (eq. 7):
 *   E[X(t)] = (a + b − 1)/(a − 1) · [1 − (α/(α + t))ʳ · ₂F₁(r, b; a + b − 1; t/(α + t))]
 * Conditional expectation in (T, T + t] given (x, t_x, T) (eq. 10):
 *   E[Y(t) | x, t_x, T] = (a + b + x − 1)/(a − 1)
 *        · [1 − ((α + T)/(α + T + t))^(r+x) · ₂F₁(r + x, b + x; a + b + x − 1; t/(α + T + t))]
 *        / (1 + δ_{x>0} · a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x))
 * Probability alive at T (FHL 2008 note "Computing P(alive) using the BG/NBD model"):
 *   P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a/(b + x − 1) · ((α + T)/(α + t_x))^(r+x))
 * Probability of x purchases in (0, t] (eq. 8):
 *   P(X(t) = x) = B(a, b + x)/B(a, b) · Γ(r + x)/(Γ(r) x!) · (α/(α + t))ʳ (t/(α + t))ˣ
 *        + δ_{x>0} · B(a + 1, b + x − 1)/B(a, b) · [1 − (α/(α + t))ʳ Σ_{j<x} Γ(r + j)/(Γ(r) j!) (t/(α + t))ʲ]
 *
 * ## Gamma-Gamma (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"; Colombo & Jiang 1999)
 * Each purchase value z ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers, independent of the purchase
 * process. For a customer with x > 0 repeat purchases of mean value z̄ (eq. 1 of the note):
 *   f(z̄ | p, q, γ; x) = Γ(px + q) / (Γ(px) Γ(q)) · γ^q · z̄^(px−1) · x^(px) / (γ + x z̄)^(px+q)
 * Expected average spend (eq. 5):
 *   E[Z | p, q, γ; x, z̄] = p (γ + x z̄) / (px + q − 1)
 *                       = (q − 1)/(px + q − 1) · pγ/(q − 1) + px/(px + q − 1) · z̄     (needs q > 1)
 * and for a customer without repeat purchases the population mean pγ/(q − 1).
 *
 * ## Fitting
 * Maximum likelihood by Nelder–Mead on the logarithms of the parameters (so they stay positive), from
 * (1, 1, 1, 1) for BG/NBD and (1, 1, 1) for Gamma-Gamma, with restarts. Observations may carry a `count`
 * (identical customers grouped by the server's SQL), which multiplies their log-likelihood.
 */

// ---------------------------------------------------------------------------------------------------------
// Historical CLV

export interface HistoricalClvInput {
  /** Gross margin over the window, CNY decimal string (may be negative after returns). */
  grossMargin: string;
  /** Purchases (orders) in the window. */
  purchases: number;
  windowDays: number;
  /** Expected lifetime in years (model setting). */
  lifetimeYears: string;
}

export interface HistoricalClv {
  /** G / n, fen, half-up (`"0.00"` when no purchases). */
  marginPerPurchase: string;
  /** n · 365 / W, 4 decimals. */
  purchasesPerYear: string;
  lifetimeYears: string;
  /** G · 365 · L / W, fen, half-up. */
  clv: string;
}

const DAYS_PER_YEAR: Dec = { units: 365n, scale: 0 };

export function historicalClv(input: HistoricalClvInput): HistoricalClv {
  const g = dec(input.grossMargin);
  const n: Dec = { units: BigInt(input.purchases), scale: 0 };
  const w: Dec = { units: BigInt(input.windowDays), scale: 0 };
  const l = dec(input.lifetimeYears);
  if (input.windowDays <= 0) throw new RangeError('windowDays must be positive');
  const none = isZero(n);
  return {
    marginPerPurchase: formatDec(none ? { units: 0n, scale: 2 } : div(g, n, 2)),
    purchasesPerYear: formatDec(div(mul(n, DAYS_PER_YEAR), w, 4)),
    lifetimeYears: input.lifetimeYears,
    clv: formatDec(none ? { units: 0n, scale: 2 } : div(mul(mul(g, DAYS_PER_YEAR), l), w, 2)),
  };
}

// ---------------------------------------------------------------------------------------------------------
// BG/NBD

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer (or `count` identical ones): x repeat purchases, last at t_x, observed for T. */
export interface BgNbdObservation {
  x: number;
  tx: number;
  T: number;
  count?: number;
}

/** ln L for one customer (FHL 2005 eq. 6). */
export function bgnbdLogLikelihood(params: BgNbdParams, o: BgNbdObservation): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = o;
  const lnA1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const lnA2 = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const lnA3 = -(r + x) * Math.log(alpha + T);
  const lnA34 =
    x > 0 ? logSumExp(lnA3, Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx)) : lnA3;
  return lnA1 + lnA2 + lnA34;
}

/** Σ count · ln L over all observations. */
export function bgnbdTotalLogLikelihood(params: BgNbdParams, data: readonly BgNbdObservation[]): number {
  let sum = 0;
  for (const o of data) sum += (o.count ?? 1) * bgnbdLogLikelihood(params, o);
  return sum;
}

/** Index of each value in the list of distinct values (first seen order). */
function distinct(values: ArrayLike<number>): { values: Float64Array; index: Uint32Array } {
  const seen = new Map<number, number>();
  const index = new Uint32Array(values.length);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    let k = seen.get(v);
    if (k === undefined) {
      k = out.length;
      seen.set(v, k);
      out.push(v);
    }
    index[i] = k;
  }
  return { values: Float64Array.from(out), index };
}

/**
 * `params ↦ Σ count · ln L` over `data`, prepared once for the many evaluations of a fit: the terms that
 * depend on x only (A₁·A₂, ln a − ln(b + x − 1)) are computed once per distinct x, ln(α + t) once per
 * distinct time (t_x and T are whole days on the server, so there are few), leaving one exp and one log1p
 * per observation with repeat purchases and nothing but a multiply-add for the others. Equal to
 * `bgnbdTotalLogLikelihood` up to floating-point summation order.
 */
export function bgnbdObjective(data: readonly BgNbdObservation[]): (params: BgNbdParams) => number {
  const n = data.length;
  const xs = distinct(data.map((o) => o.x));
  const times = distinct([...data.map((o) => o.T), ...data.map((o) => o.tx)]);
  const tIdx = times.index.subarray(0, n);
  const txIdx = times.index.subarray(n);
  const count = Float64Array.from(data, (o) => o.count ?? 1);
  const countByX = new Float64Array(xs.values.length);
  for (let i = 0; i < n; i++) countByX[xs.index[i] as number]! += count[i] as number;
  const lnTime = new Float64Array(times.values.length);
  const head = new Float64Array(xs.values.length);
  const lnA4 = new Float64Array(xs.values.length);
  return ({ r, alpha, a, b }) => {
    for (let k = 0; k < times.values.length; k++) lnTime[k] = Math.log(alpha + (times.values[k] as number));
    let sum = 0;
    const shared = -logGamma(r) + r * Math.log(alpha) + logGamma(a + b) - logGamma(b);
    for (let k = 0; k < xs.values.length; k++) {
      const x = xs.values[k] as number;
      head[k] = shared + logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
      lnA4[k] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : Number.NaN;
      sum += (countByX[k] as number) * (head[k] as number);
    }
    for (let i = 0; i < n; i++) {
      const k = xs.index[i] as number;
      const x = xs.values[k] as number;
      const rx = r + x;
      const l3 = -rx * (lnTime[tIdx[i] as number] as number);
      if (x > 0) {
        const l4 = (lnA4[k] as number) - rx * (lnTime[txIdx[i] as number] as number);
        const m = l3 > l4 ? l3 : l4;
        sum += (count[i] as number) * (m + Math.log1p(Math.exp(-Math.abs(l3 - l4))));
      } else {
        sum += (count[i] as number) * l3;
      }
    }
    return sum;
  };
}

/** E[X(t)]: expected repeat purchases of a randomly chosen new customer in (0, t] (FHL 2005 eq. 7). */
export function bgnbdExpectedPurchases(params: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + t);
  return ((a + b - 1) / (a - 1)) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z));
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t units for a customer with this history (eq. 10). */
export function bgnbdConditionalExpectedPurchases(
  params: BgNbdParams,
  o: BgNbdObservation,
  t: number,
): number {
  const { r, alpha, a, b } = params;
  const { x, T } = o;
  const z = t / (alpha + T + t);
  const head = (a + b + x - 1) / (a - 1);
  const body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z);
  return (head * body) / aliveDenominator(params, o);
}

function aliveDenominator(params: BgNbdParams, o: BgNbdObservation): number {
  const { r, alpha, a, b } = params;
  if (o.x <= 0) return 1;
  return 1 + (a / (b + o.x - 1)) * ((alpha + o.T) / (alpha + o.tx)) ** (r + o.x);
}

/** P(alive at T | x, t_x, T). Customers without repeat purchases are alive with probability 1 in BG/NBD. */
export function bgnbdProbabilityAlive(params: BgNbdParams, o: BgNbdObservation): number {
  return 1 / aliveDenominator(params, o);
}

/** P(X(t) = x) for a new customer (FHL 2005 eq. 8). */
export function bgnbdProbabilityOfPurchases(params: BgNbdParams, t: number, x: number): number {
  const { r, alpha, a, b } = params;
  const lnBab = logBeta(a, b);
  const lnP = Math.log(alpha / (alpha + t));
  const lnQ = Math.log(t / (alpha + t));
  const term1 = Math.exp(
    logBeta(a, b + x) - lnBab + logGamma(r + x) - logGamma(r) - logGamma(x + 1) + r * lnP + x * lnQ,
  );
  if (x === 0) return term1;
  let sum = 0;
  for (let j = 0; j < x; j++) sum += Math.exp(logGamma(r + j) - logGamma(r) - logGamma(j + 1) + j * lnQ);
  const term2 = Math.exp(logBeta(a + 1, b + x - 1) - lnBab) * (1 - Math.exp(r * lnP) * sum);
  return term1 + term2;
}

// ---------------------------------------------------------------------------------------------------------
// Gamma-Gamma

export interface GammaGammaParams {
  p: number;
  q: number;
  /** γ (lifetimes calls it v). */
  gamma: number;
}

/** A customer with x > 0 repeat purchases of mean value zbar > 0 (or `count` identical ones). */
export interface GammaGammaObservation {
  x: number;
  zbar: number;
  count?: number;
}

/** ln f(z̄ | p, q, γ; x) (Fader & Hardie 2013, eq. 1). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, o: GammaGammaObservation): number {
  const { p, q, gamma } = params;
  const px = p * o.x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(gamma) +
    (px - 1) * Math.log(o.zbar) +
    px * Math.log(o.x) -
    (px + q) * Math.log(gamma + o.x * o.zbar)
  );
}

export function gammaGammaTotalLogLikelihood(
  params: GammaGammaParams,
  data: readonly GammaGammaObservation[],
): number {
  let sum = 0;
  for (const o of data) sum += (o.count ?? 1) * gammaGammaLogLikelihood(params, o);
  return sum;
}

/**
 * `params ↦ Σ count · ln f(z̄)` over `data` (x > 0, z̄ > 0), prepared once for a fit: the Γ terms per
 * distinct x, Σ count·ln z̄ per distinct x, leaving one log per observation. Equal to
 * `gammaGammaTotalLogLikelihood` up to floating-point summation order.
 */
export function gammaGammaObjective(
  data: readonly GammaGammaObservation[],
): (params: GammaGammaParams) => number {
  const n = data.length;
  const xs = distinct(data.map((o) => o.x));
  const count = Float64Array.from(data, (o) => o.count ?? 1);
  const xz = Float64Array.from(data, (o) => o.x * o.zbar);
  const countByX = new Float64Array(xs.values.length);
  const lnZByX = new Float64Array(xs.values.length);
  for (let i = 0; i < n; i++) {
    const k = xs.index[i] as number;
    countByX[k]! += count[i] as number;
    lnZByX[k]! += (count[i] as number) * Math.log((data[i] as GammaGammaObservation).zbar);
  }
  return ({ p, q, gamma }) => {
    let sum = 0;
    const lnG = Math.log(gamma);
    const lgq = logGamma(q);
    for (let k = 0; k < xs.values.length; k++) {
      const x = xs.values[k] as number;
      const pxk = p * x;
      sum +=
        (countByX[k] as number) * (logGamma(pxk + q) - logGamma(pxk) - lgq + q * lnG + pxk * Math.log(x)) +
        (pxk - 1) * (lnZByX[k] as number);
    }
    for (let i = 0; i < n; i++) {
      const x = xs.values[xs.index[i] as number] as number;
      sum -= (count[i] as number) * (p * x + q) * Math.log(gamma + (xz[i] as number));
    }
    return sum;
  };
}

/** E[Z | x, z̄]: expected value of a future purchase; the population mean pγ/(q − 1) when x = 0. Needs q > 1. */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, gamma } = params;
  if (x <= 0) return (p * gamma) / (q - 1);
  return (p * (gamma + x * zbar)) / (p * x + q - 1);
}

// ---------------------------------------------------------------------------------------------------------
// Fitting

/** Fewest customers with repeat purchases a fit accepts. */
export const MIN_FIT_REPEAT_CUSTOMERS = 10;

export interface FitResult<P> {
  params: P;
  logLikelihood: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /**
   * Parameters that ended at a bound of the search (`FIT_BOUNDS`): the likelihood keeps rising towards 0 or
   * ∞ there, i.e. the data do not identify them (e.g. a → 0 when nobody seems to drop out: every customer
   * alive; q, γ → ∞ when spend hardly varies between customers: no shrinkage). The values are that limit.
   */
  atBound: string[];
}

/**
 * The fits search every parameter within [1e-8, 1e8] (in logs, so within ±18.4; Gamma-Gamma's γ relative to
 * the mean spend): without bounds a likelihood whose maximum lies at 0 or ∞ would keep the simplex crawling
 * for all its iterations.
 */
export const FIT_BOUNDS = { min: 1e-8, max: 1e8 } as const;
const LOG_BOUND = Math.log(FIT_BOUNDS.max);
/**
 * Simplex settings of the fits: converged when the simplex's log-likelihoods agree to 1e-12 of their size
 * (an absolute tolerance cannot be met by a sum over a million customers: its doubles are ≈ 1e-9 apart)
 * and its points to 1e-7 in the logs of the parameters (relative 1e-7); at most 2,000 iterations per start,
 * 3 fresh starts and `FIT_MAX_EVALUATIONS` evaluations in all, so a fit over a million customers ends in
 * bounded time even on a likelihood ridge (then `converged` is false). CDNOW converges in ≈ 550 evaluations.
 */
function fitOptions(f0: number) {
  return {
    fTolerance: Math.max(1e-10, 1e-12 * Math.abs(f0)),
    xTolerance: 1e-7,
    maxIterations: 2000,
    restarts: 3,
    maxEvaluations: FIT_MAX_EVALUATIONS,
  };
}

/** The most likelihood evaluations a fit spends (≈ 20 ms each for a million customers in 600,000 groups). */
export const FIT_MAX_EVALUATIONS = 5000;

function bounded(f: (v: readonly number[]) => number): (v: readonly number[]) => number {
  return (v) => (v.some((x) => Math.abs(x) > LOG_BOUND) ? Number.POSITIVE_INFINITY : f(v));
}

function atBound(names: readonly string[], v: readonly number[]): string[] {
  return names.filter((_, i) => Math.abs(v[i] as number) > LOG_BOUND - 0.01);
}

function repeatCustomers(data: readonly { x: number; count?: number }[]): number {
  let n = 0;
  for (const o of data) if (o.x > 0) n += o.count ?? 1;
  return n;
}

/** Maximum-likelihood BG/NBD fit (Nelder–Mead on ln r, ln α, ln a, ln b within `FIT_BOUNDS`). */
export function fitBgNbd(
  data: readonly BgNbdObservation[],
  start: BgNbdParams = { r: 1, alpha: 1, a: 1, b: 1 },
): FitResult<BgNbdParams> {
  if (repeatCustomers(data) < MIN_FIT_REPEAT_CUSTOMERS) {
    throw new DomainError('TIERING_FIT_INSUFFICIENT_DATA', { min: MIN_FIT_REPEAT_CUSTOMERS });
  }
  const toParams = (v: readonly number[]): BgNbdParams => ({
    r: Math.exp(v[0] as number),
    alpha: Math.exp(v[1] as number),
    a: Math.exp(v[2] as number),
    b: Math.exp(v[3] as number),
  });
  const ll = bgnbdObjective(data);
  const objective = bounded((v) => -ll(toParams(v)));
  const x0 = [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)];
  const result = nelderMead(objective, x0, fitOptions(objective(x0)));
  const fit: FitResult<BgNbdParams> = {
    params: toParams(result.x),
    logLikelihood: -result.f,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    atBound: atBound(['r', 'alpha', 'a', 'b'], result.x),
  };
  return fit;
}

/**
 * Maximum-likelihood Gamma-Gamma fit on customers with x > 0 and z̄ > 0 (others are ignored). Money is
 * fitted in units of the mean z̄ (γ scales with the currency: ¥1M orders need γ ≈ 1e8, beyond the search
 * bounds) and the parameters and log-likelihood are returned in the data's own units: γ = γ′·c and
 * ln f(z̄) = ln f′(z̄/c) − ln c. `start` (optional) is in the data's units too.
 */
export function fitGammaGamma(
  data: readonly GammaGammaObservation[],
  start?: GammaGammaParams,
): FitResult<GammaGammaParams> {
  const usable = data.filter((o) => o.x > 0 && o.zbar > 0);
  if (repeatCustomers(usable) < MIN_FIT_REPEAT_CUSTOMERS) {
    throw new DomainError('TIERING_FIT_INSUFFICIENT_DATA', { min: MIN_FIT_REPEAT_CUSTOMERS });
  }
  let n = 0;
  let total = 0;
  for (const o of usable) {
    n += o.count ?? 1;
    total += (o.count ?? 1) * o.zbar;
  }
  const c = total / n;
  const scaled = usable.map((o) => ({ ...o, zbar: o.zbar / c }));
  const toParams = (v: readonly number[]): GammaGammaParams => ({
    p: Math.exp(v[0] as number),
    q: Math.exp(v[1] as number),
    gamma: Math.exp(v[2] as number),
  });
  const ll = gammaGammaObjective(scaled);
  const objective = bounded((v) => -ll(toParams(v)));
  const s = start ?? { p: 1, q: 1, gamma: c };
  const x0 = [Math.log(s.p), Math.log(s.q), Math.log(s.gamma / c)];
  const result = nelderMead(objective, x0, fitOptions(objective(x0)));
  const fitted = toParams(result.x);
  return {
    params: { ...fitted, gamma: fitted.gamma * c },
    logLikelihood: -result.f - n * Math.log(c),
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    atBound: atBound(['p', 'q', 'gamma'], result.x),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Expected CLV

export interface ExpectedClv {
  /** E[Y(h) | x, t_x, T]. */
  expectedPurchases: number;
  /** E[Z | x, z̄]. */
  expectedSpend: number;
  pAlive: number;
  /** expectedPurchases × expectedSpend × marginRate, CNY rounded half-up to fen (undiscounted). */
  clv: string;
}

/**
 * Expected CLV over a horizon of `horizon` time units: expected purchases (BG/NBD) × expected spend per
 * purchase (Gamma-Gamma) × margin rate. Not discounted. `zbar` is the customer's mean repeat purchase value.
 */
export function expectedClv(
  bgnbd: BgNbdParams,
  gg: GammaGammaParams,
  customer: BgNbdObservation & { zbar: number },
  horizon: number,
  marginRate: string,
): ExpectedClv {
  const expectedPurchases = bgnbdConditionalExpectedPurchases(bgnbd, customer, horizon);
  const expectedSpend = gammaGammaExpectedSpend(gg, customer.x, customer.zbar);
  const rate = toDec(marginRate);
  if (rate === null) throw new RangeError('marginRate must be a decimal');
  const value = round(mul(roundNumber(expectedPurchases * expectedSpend, 6), rate), 2);
  return {
    expectedPurchases,
    expectedSpend,
    pAlive: bgnbdProbabilityAlive(bgnbd, customer),
    clv: formatDec(value),
  };
}

// ---------------------------------------------------------------------------------------------------------
// One customer's CLV as a run stores it

/** What the server extracts for one customer (docs/tiering.md, "CLV: what is extracted"). */
export interface ClvCustomerInputs {
  /** Σ signed gross margins in the historical window (CNY); null when no order of the window records one. */
  grossMargin: string | null;
  /** Confirmed orders in the historical window. */
  orders: number;
  /**
   * The purchase history up to the run's date, null when the customer never bought: x repeat purchase days
   * after the first purchase day, the last one t_x days after it, T days from it to the run's date, and
   * z̄ the mean value of a repeat purchase day (net of later returns, ≥ 0; `"0.00"` when x = 0).
   */
  history: { x: number; txDays: number; tDays: number; zbar: string } | null;
}

/** The parameters a full run fitted (null: not fitted, e.g. too few repeat customers). */
export interface ClvFittedParams {
  bgnbd: BgNbdParams | null;
  gammaGamma: GammaGammaParams | null;
}

export interface CustomerClv {
  historical: {
    grossMargin: string | null;
    orders: number;
    windowDays: number;
    /** G / n, fen; null when the margin is unknown. */
    marginPerPurchase: string | null;
    /** n · 365 / W, 4 decimals. */
    purchasesPerYear: string;
    lifetimeYears: string;
    /** G · 365 · L / W, fen; `"0.00"` without orders in the window; null when orders have no recorded margin. */
    clv: string | null;
  };
  /** null: the customer never bought. */
  probabilistic: {
    x: number;
    txDays: number;
    tDays: number;
    /** t_x and T in time units, 2 decimals (display; the maths uses days / timeUnitDays exactly). */
    tx: string;
    T: string;
    zbar: string;
    timeUnitDays: number;
    horizonUnits: number;
    marginRate: string;
    /** E[Y(h) | x, t_x, T], 4 decimals; null without a BG/NBD fit. */
    expectedPurchases: string | null;
    /** P(alive | x, t_x, T), 4 decimals; null without a BG/NBD fit. */
    pAlive: string | null;
    /** E[Z | x, z̄], fen; null without a Gamma-Gamma fit (or when its mean is infinite: q ≤ 1). */
    expectedSpend: string | null;
    /** E[Y(h)] × E[Z] × margin rate, fen (as `expectedClv`); null when either part is missing. */
    clv: string | null;
  } | null;
  /** The metric values other models read. */
  metrics: { clv_historical: string | null; clv_expected: string | null; p_alive: string | null };
}

const fixed = (value: number, scale: number): string | null =>
  Number.isFinite(value) ? formatDec(roundNumber(value, scale)) : null;

/**
 * A customer's historical and expected CLV under a CLV model and the parameters of a full run — exactly
 * what the server stores per customer (the full run and the triggered re-score both call this).
 */
export function customerClv(model: ClvModel, inputs: ClvCustomerInputs, fit: ClvFittedParams): CustomerClv {
  const { windowDays, lifetimeYears } = model.historical;
  const h = historicalClv({
    grossMargin: inputs.grossMargin ?? '0',
    purchases: inputs.orders,
    windowDays,
    lifetimeYears,
  });
  const marginKnown = inputs.grossMargin !== null || inputs.orders === 0;
  const historical = {
    grossMargin: inputs.grossMargin,
    orders: inputs.orders,
    windowDays,
    marginPerPurchase: marginKnown ? h.marginPerPurchase : null,
    purchasesPerYear: h.purchasesPerYear,
    lifetimeYears,
    clv: marginKnown ? h.clv : null,
  };
  const { timeUnitDays, horizonUnits, marginRate } = model.probabilistic;
  let probabilistic: CustomerClv['probabilistic'] = null;
  if (inputs.history) {
    const { x, txDays, tDays, zbar } = inputs.history;
    const o = { x, tx: txDays / timeUnitDays, T: tDays / timeUnitDays };
    const z = Number(zbar);
    let expectedPurchases: number | null = null;
    let pAlive: number | null = null;
    let spend: number | null = null;
    let clv: string | null = null;
    if (fit.bgnbd) {
      expectedPurchases = bgnbdConditionalExpectedPurchases(fit.bgnbd, o, horizonUnits);
      pAlive = bgnbdProbabilityAlive(fit.bgnbd, o);
    }
    if (fit.gammaGamma) {
      const s = gammaGammaExpectedSpend(fit.gammaGamma, x, z);
      spend = Number.isFinite(s) && s >= 0 && fit.gammaGamma.p * x + fit.gammaGamma.q > 1 ? s : null;
    }
    if (fit.bgnbd && fit.gammaGamma && spend !== null && expectedPurchases !== null) {
      clv = expectedClv(fit.bgnbd, fit.gammaGamma, { ...o, zbar: z }, horizonUnits, marginRate).clv;
    }
    probabilistic = {
      x,
      txDays,
      tDays,
      tx: fixed(o.tx, 2) as string,
      T: fixed(o.T, 2) as string,
      zbar,
      timeUnitDays,
      horizonUnits,
      marginRate,
      expectedPurchases: expectedPurchases === null ? null : fixed(expectedPurchases, 4),
      pAlive: pAlive === null ? null : fixed(pAlive, 4),
      expectedSpend: spend === null ? null : fixed(spend, 2),
      clv,
    };
  }
  return {
    historical,
    probabilistic,
    metrics: {
      clv_historical: historical.clv,
      clv_expected: probabilistic?.clv ?? null,
      p_alive: probabilistic?.pAlive ?? null,
    },
  };
}
