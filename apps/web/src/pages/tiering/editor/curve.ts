import type { Normaliser } from '@kam/domain';

/**
 * Points of a normaliser's curve (metric value → score 0–100) for the editor's chart. Display only:
 * floats are fine here; the server scores with exact decimals (docs/tiering.md).
 */
export interface CurvePoint {
  x: number;
  y: number;
}

const num = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isFinite(n) ? n : fallback;
};

const clamp = (y: number) => Math.max(0, Math.min(100, y));

function scoreOf(n: Normaliser, x: number): number | null {
  switch (n.kind) {
    case 'linear': {
      const min = num(n.min, 0);
      const max = num(n.max, 100);
      if (max <= min) return null;
      return clamp((100 * (x - min)) / (max - min));
    }
    case 'log': {
      const min = Math.max(0, num(n.min, 0));
      const max = num(n.max, 100);
      if (max <= min || x < 0) return x < 0 ? 0 : null;
      return clamp((100 * (Math.log1p(x) - Math.log1p(min))) / (Math.log1p(max) - Math.log1p(min)));
    }
    case 'percentile':
      return clamp(x);
    case 'bands': {
      const band = n.bands.find((b) => x >= num(b.atLeast, Number.POSITIVE_INFINITY));
      return num(band ? band.score : n.otherwise, 0);
    }
    case 'inverted': {
      const inner = scoreOf(n.of, x);
      return inner === null ? null : 100 - inner;
    }
    case 'category':
      return null;
  }
}

/** The value range the chart spans: the bounds with a margin either side. */
function range(n: Normaliser): [number, number] {
  switch (n.kind) {
    case 'linear':
    case 'log': {
      const min = num(n.min, 0);
      const max = num(n.max, 100);
      const span = max > min ? max - min : 1;
      const lo = min - span * 0.2;
      return [n.kind === 'log' ? Math.max(0, lo) : lo, max + span * 0.2];
    }
    case 'percentile':
      return [0, 100];
    case 'bands': {
      const xs = n.bands.map((b) => num(b.atLeast, 0));
      const lo = Math.min(...xs, 0);
      const hi = Math.max(...xs, 1);
      const span = hi - lo || 1;
      return [lo - span * 0.2, hi + span * 0.2];
    }
    case 'inverted':
      return range(n.of);
    case 'category':
      return [0, 1];
  }
}

/**
 * 81 points across the range (bands get their exact steps), widened to `extent` (the metric's observed
 * minimum and maximum, so the curve spans the histogram drawn under it). Empty when the parameters are
 * invalid.
 */
export function curvePoints(n: Normaliser, extent?: readonly [number, number]): CurvePoint[] {
  const [lo0, hi0] = range(n);
  const lo = extent ? Math.min(lo0, extent[0]) : lo0;
  const hi = extent ? Math.max(hi0, extent[1]) : hi0;
  const xs = new Set<number>();
  const steps = 80;
  for (let i = 0; i <= steps; i += 1) xs.add(lo + ((hi - lo) * i) / steps);
  if (n.kind === 'bands') {
    for (const b of n.bands) {
      const x = num(b.atLeast, Number.NaN);
      if (Number.isFinite(x)) {
        xs.add(x);
        xs.add(x - (hi - lo) / 10_000);
      }
    }
  }
  const points: CurvePoint[] = [];
  for (const x of [...xs].sort((a, b) => a - b)) {
    const y = scoreOf(n, x);
    if (y === null) return [];
    points.push({ x: Number(x.toPrecision(6)), y: Number(y.toFixed(2)) });
  }
  return points;
}

/**
 * A percentile normaliser over the metric's values: the breakpoints b₀…b₁₀₀ of the population (as a run
 * computes them) against their rank i (inverted: 100 − i). Display only.
 */
export function percentilePoints(breakpoints: readonly string[], inverted: boolean): CurvePoint[] {
  if (breakpoints.length !== 101) return [];
  return breakpoints.map((b, i) => ({ x: Number(b), y: inverted ? 100 - i : i }));
}

/** Whether a normaliser scores percentile ranks (directly or inverted). */
export function isPercentile(n: Normaliser): boolean {
  return n.kind === 'percentile' || (n.kind === 'inverted' && n.of.kind === 'percentile');
}
