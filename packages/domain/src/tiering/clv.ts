import { DomainError } from '../errors.js';
import { type Dec, dec, div, formatDec, isZero, mul, round, roundNumber, toDec } from './decimal.js';
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
}

function repeatCustomers(data: readonly { x: number; count?: number }[]): number {
  let n = 0;
  for (const o of data) if (o.x > 0) n += o.count ?? 1;
  return n;
}

/** Maximum-likelihood BG/NBD fit (Nelder–Mead on ln r, ln α, ln a, ln b). */
export function fitBgNbd(
  data: readonly BgNbdObservation[],
  start: BgNbdParams = { r: 1, alpha: 1, a: 1, b: 1 },
) {
  if (repeatCustomers(data) < MIN_FIT_REPEAT_CUSTOMERS) {
    throw new DomainError('TIERING_FIT_INSUFFICIENT_DATA', { min: MIN_FIT_REPEAT_CUSTOMERS });
  }
  const toParams = (v: readonly number[]): BgNbdParams => ({
    r: Math.exp(v[0] as number),
    alpha: Math.exp(v[1] as number),
    a: Math.exp(v[2] as number),
    b: Math.exp(v[3] as number),
  });
  const result = nelderMead(
    (v) => -bgnbdTotalLogLikelihood(toParams(v), data),
    [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)],
  );
  const fit: FitResult<BgNbdParams> = {
    params: toParams(result.x),
    logLikelihood: -result.f,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
  };
  return fit;
}

/** Maximum-likelihood Gamma-Gamma fit on customers with x > 0 and z̄ > 0 (others are ignored). */
export function fitGammaGamma(
  data: readonly GammaGammaObservation[],
  start: GammaGammaParams = { p: 1, q: 1, gamma: 1 },
): FitResult<GammaGammaParams> {
  const usable = data.filter((o) => o.x > 0 && o.zbar > 0);
  if (repeatCustomers(usable) < MIN_FIT_REPEAT_CUSTOMERS) {
    throw new DomainError('TIERING_FIT_INSUFFICIENT_DATA', { min: MIN_FIT_REPEAT_CUSTOMERS });
  }
  const toParams = (v: readonly number[]): GammaGammaParams => ({
    p: Math.exp(v[0] as number),
    q: Math.exp(v[1] as number),
    gamma: Math.exp(v[2] as number),
  });
  const result = nelderMead(
    (v) => -gammaGammaTotalLogLikelihood(toParams(v), usable),
    [Math.log(start.p), Math.log(start.q), Math.log(start.gamma)],
  );
  return {
    params: toParams(result.x),
    logLikelihood: -result.f,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
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
