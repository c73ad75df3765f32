/**
 * Numerical building blocks for the probabilistic CLV models (doubles, not decimals): log-gamma, the Gauss
 * hypergeometric function ₂F₁ by its power series, log-sum-exp, and a Nelder–Mead simplex minimiser.
 * Written here rather than taken from npm: each is a few dozen well-known lines, the package stays
 * dependency-free and deterministic, and the tests check them against closed forms.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0 (and non-integer x < 0, as ln |Γ(x)|): Lanczos approximation (g = 7, 9 terms; relative
 * error ≈ 1e-15) for x ≥ 0.5, the reflection formula Γ(x)Γ(1 − x) = π / sin(πx) below.
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0.5) {
    const s = Math.sin(Math.PI * x);
    if (s === 0) return Number.POSITIVE_INFINITY;
    return Math.log(Math.PI / Math.abs(s)) - logGamma(1 - x);
  }
  const y = x - 1;
  let a = LANCZOS[0] as number;
  const t = y + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (y + i);
  return HALF_LOG_2PI + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(eᵃ + eᵇ) without overflow. */
export function logSumExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === Number.NEGATIVE_INFINITY) return m;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Gauss hypergeometric ₂F₁(a, b; c; z) = Σₙ (a)ₙ(b)ₙ/(c)ₙ · zⁿ/n! for 0 ≤ z < 1 (the BG/NBD arguments are
 * z = t/(α + t) ∈ [0, 1)). Terms are summed until one is below 1e-15 of the sum; convergence slows as z → 1
 * (about ln(1e-15)/ln z terms), so at most `maxTerms` are summed — beyond that it throws.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): number {
  if (!(z >= 0 && z < 1)) throw new RangeError('hyp2f1 needs 0 ≤ z < 1');
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (Math.abs(term) <= 1e-15 * Math.abs(sum)) return sum;
  }
  throw new RangeError('hyp2f1 did not converge');
}

export interface NelderMeadOptions {
  /** Initial simplex: x0 plus `step` along each axis (default 0.5). */
  step?: number;
  /** Stop when the simplex's f values span less than this (absolute, default 1e-10)… */
  fTolerance?: number;
  /** …and its points lie within this of the best on every axis (default 1e-8). */
  xTolerance?: number;
  /** Iterations per start (default 5000). */
  maxIterations?: number;
  /** Fresh simplexes around the best point after convergence, to escape false convergence (default 3). */
  restarts?: number;
  /** Stop (not converged) once f has been evaluated this often in all (default: no limit). */
  maxEvaluations?: number;
}

export interface NelderMeadResult {
  x: number[];
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

/**
 * Minimises `f` by the Nelder–Mead simplex method (Nelder & Mead 1965; standard coefficients: reflection 1,
 * expansion 2, contraction ½, shrink ½). Non-finite values of `f` are treated as +∞, so constraints can be
 * expressed by returning `Infinity`. Deterministic. After convergence it restarts from the best point with a
 * fresh simplex (`restarts` times, or until a restart no longer improves f by more than `fTolerance`).
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const step = options.step ?? 0.5;
  const fTol = options.fTolerance ?? 1e-10;
  const xTol = options.xTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 5000;
  const restarts = options.restarts ?? 3;
  const maxEvaluations = options.maxEvaluations ?? Number.POSITIVE_INFINITY;
  let evaluations = 0;
  const fx = (x: readonly number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const n = x0.length;
  let best = { x: [...x0], f: fx(x0) };
  let iterations = 0;
  let converged = false;
  for (let attempt = 0; attempt <= restarts; attempt++) {
    const run = simplexRun(
      fx,
      best.x,
      best.f,
      step,
      fTol,
      xTol,
      maxIterations,
      n,
      () => evaluations < maxEvaluations,
    );
    iterations += run.iterations;
    const improved = best.f - run.f;
    const previous = best;
    if (run.f <= best.f) best = { x: run.x, f: run.f };
    converged = run.converged;
    if (attempt > 0 && run.converged && improved <= fTol) break;
    if (!run.converged && previous === best) break;
    if (evaluations >= maxEvaluations) break;
  }
  return { x: best.x, f: best.f, iterations, evaluations, converged };
}

function simplexRun(
  fx: (x: readonly number[]) => number,
  start: number[],
  fStart: number,
  step: number,
  fTol: number,
  xTol: number,
  maxIterations: number,
  n: number,
  withinBudget: () => boolean = () => true,
): { x: number[]; f: number; iterations: number; converged: boolean } {
  const pts: number[][] = [start];
  const vals: number[] = [fStart];
  for (let i = 0; i < n; i++) {
    const p = [...start];
    p[i] = (p[i] as number) + step;
    pts.push(p);
    vals.push(fx(p));
  }
  const order = () => {
    const idx = pts.map((_, i) => i).sort((i, j) => (vals[i] as number) - (vals[j] as number) || i - j);
    const p2 = idx.map((i) => pts[i] as number[]);
    const v2 = idx.map((i) => vals[i] as number);
    pts.splice(0, pts.length, ...p2);
    vals.splice(0, vals.length, ...v2);
  };
  const combine = (a: number[], b: number[], t: number) => a.map((ai, k) => ai + t * ((b[k] as number) - ai));
  let it = 0;
  for (; it < maxIterations && withinBudget(); it++) {
    order();
    const fBest = vals[0] as number;
    const fWorst = vals[n] as number;
    const spread = Math.max(
      ...pts
        .slice(1)
        .map((p) => Math.max(...p.map((v, k) => Math.abs(v - ((pts[0] as number[])[k] as number))))),
    );
    if (Math.abs(fWorst - fBest) <= fTol && spread <= xTol) {
      return { x: pts[0] as number[], f: fBest, iterations: it, converged: true };
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) centroid[k] = (centroid[k] as number) + (pts[i] as number[])[k]! / n;
    const worst = pts[n] as number[];
    const xr = combine(centroid, worst, -1);
    const fr = fx(xr);
    if (fr < fBest) {
      const xe = combine(centroid, worst, -2);
      const fe = fx(xe);
      if (fe < fr) {
        pts[n] = xe;
        vals[n] = fe;
      } else {
        pts[n] = xr;
        vals[n] = fr;
      }
      continue;
    }
    if (fr < (vals[n - 1] as number)) {
      pts[n] = xr;
      vals[n] = fr;
      continue;
    }
    // Contraction: outside if the reflection beat the worst, else inside.
    const outside = fr < fWorst;
    const xc = outside ? combine(centroid, worst, -0.5) : combine(centroid, worst, 0.5);
    const fc = fx(xc);
    if (fc < (outside ? fr : fWorst)) {
      pts[n] = xc;
      vals[n] = fc;
      continue;
    }
    // Shrink towards the best point.
    for (let i = 1; i <= n; i++) {
      pts[i] = combine(pts[0] as number[], pts[i] as number[], 0.5);
      vals[i] = fx(pts[i] as number[]);
    }
  }
  order();
  return { x: pts[0] as number[], f: vals[0] as number, iterations: it, converged: false };
}
