import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdLogLikelihood,
  bgnbdObjective,
  bgnbdProbabilityAlive,
  bgnbdProbabilityOfPurchases,
  bgnbdTotalLogLikelihood,
  customerClv,
  expectedClv,
  FIT_MAX_EVALUATIONS,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
  gammaGammaObjective,
  gammaGammaTotalLogLikelihood,
  historicalClv,
} from './clv.js';
import type { ClvModel } from './model.js';
import { hyp2f1, logGamma, nelderMead } from './numeric.js';

describe('numeric helpers', () => {
  it('log-gamma against closed forms', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
    // ln Γ(171) = ln(170!) = 706.5730622457874
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 9);
  });
  it('2F1 against closed forms', () => {
    // 2F1(1,1;2;z) = −ln(1−z)/z ; 2F1(a,b;b;z) = (1−z)^−a
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 13);
    expect(hyp2f1(0.7, 2, 2, 0.9)).toBeCloseTo(0.1 ** -0.7, 11);
    expect(hyp2f1(1, 1, 2, 0)).toBe(1);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });
  it('Nelder–Mead finds the minimum of the Rosenbrock function', () => {
    const r = nelderMead(
      (x) => 100 * ((x[1] as number) - (x[0] as number) ** 2) ** 2 + (1 - (x[0] as number)) ** 2,
      [-1.2, 1],
    );
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });
});

describe('BG/NBD', () => {
  it('log-likelihood by hand, x = 0', () => {
    // r=1, α=2, a=1, b=2; x=0, T=3:
    // A1 = Γ(1)·2¹/Γ(1) = 2; A2 = Γ(3)Γ(2)/(Γ(2)Γ(3)) = 1; A3 = (2+3)^−1 = 1/5 → L = 2/5
    expect(bgnbdLogLikelihood({ r: 1, alpha: 2, a: 1, b: 2 }, { x: 0, tx: 0, T: 3 })).toBeCloseTo(
      Math.log(2 / 5),
      13,
    );
  });
  it('log-likelihood by hand, x = 2', () => {
    // r=1, α=2, a=1, b=2; x=2, t_x=1, T=3:
    // A1 = Γ(3)·2/Γ(1) = 4; A2 = Γ(3)Γ(4)/(Γ(2)Γ(5)) = 2·6/24 = 1/2
    // A3 = 5^−3 = 1/125; A4 = 1/(2+2−1) · 3^−3 = 1/81 → L = 4 · 1/2 · (1/125 + 1/81) = 412/10125
    expect(bgnbdLogLikelihood({ r: 1, alpha: 2, a: 1, b: 2 }, { x: 2, tx: 1, T: 3 })).toBeCloseTo(
      Math.log(412 / 10125),
      13,
    );
    // r=2, α=1, a=2, b=3; x=1, t_x=2, T=4:
    // A1 = Γ(3)·1/Γ(2) = 2; A2 = Γ(5)Γ(4)/(Γ(3)Γ(6)) = 24·6/(2·120) = 3/5
    // A3 = 5^−3 = 1/125; A4 = 2/(3+1−1) · 3^−3 = 2/81 → L = 2·3/5·(1/125 + 2/81) = (6/5)·(331/10125)
    const ll = bgnbdLogLikelihood({ r: 2, alpha: 1, a: 2, b: 3 }, { x: 1, tx: 2, T: 4 });
    expect(ll).toBeCloseTo(Math.log((6 / 5) * (331 / 10125)), 13);
    // the total weighs each observation by its count
    const total = bgnbdTotalLogLikelihood({ r: 2, alpha: 1, a: 2, b: 3 }, [{ x: 1, tx: 2, T: 4, count: 3 }]);
    expect(total).toBeCloseTo(3 * ll, 12);
  });
  // Published CDNOW parameters (Fader, Hardie & Lee 2005) and the CLVTools full-precision MLE.
  const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const mle = { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881 };
  it('E[X(t)] reproduces Hardie’s spreadsheet', () => {
    // at the rounded parameters: t = 1 → 0.0533 (published 0.0532, within rounding); t = 78 → 1.8605 (1.8576)
    expect(bgnbdExpectedPurchases(published, 1)).toBeCloseTo(0.0532, 3);
    expect(bgnbdExpectedPurchases(published, 78)).toBeCloseTo(1.8576, 2);
    // at the full-precision MLE the spreadsheet's figures to 4 decimals (78 weeks: 1.8580 vs 1.8576)
    const expected: [number, number][] = [
      [0.1429, 0.0078],
      [1, 0.0532],
      [3, 0.1506],
      [31.8571, 1.0405],
      [32, 1.0437],
    ];
    for (const [t, e] of expected) expect(bgnbdExpectedPurchases(mle, t)).toBeCloseTo(e, 4);
    expect(bgnbdExpectedPurchases(mle, 78)).toBeCloseTo(1.8576, 3);
  });
  it('conditional expectation, P(alive) and the pmf (BTYD / lifetimes figures)', () => {
    expect(bgnbdConditionalExpectedPurchases(published, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(
      1.226,
      3,
    );
    expect(bgnbdProbabilityOfPurchases(published, 39, 0)).toBeCloseTo(0.5737864, 6);
    expect(bgnbdProbabilityOfPurchases(published, 2, 10) / 1.07869e-7).toBeCloseTo(1, 4);
    const p30 = [0.0019995214, 0.0015170236, 0.001163315, 0.0009003148, 0.0007023638];
    p30.forEach((p, i) => {
      expect(bgnbdProbabilityOfPurchases(published, 30, 11 + i) / p).toBeCloseTo(1, 5);
    });
    // probabilities over x sum to 1
    let sum = 0;
    for (let x = 0; x < 400; x++) sum += bgnbdProbabilityOfPurchases(published, 10, x);
    expect(sum).toBeCloseTo(1, 6);
    expect(bgnbdProbabilityAlive(published, { x: 0, tx: 0, T: 30 })).toBe(1);
    // by hand, r=1, α=2, a=1, b=2, x=2, t_x=1, T=3: 1/(1 + 1/3·(5/3)^3) = 81/206
    expect(bgnbdProbabilityAlive({ r: 1, alpha: 2, a: 1, b: 2 }, { x: 2, tx: 1, T: 3 })).toBeCloseTo(
      81 / 206,
      13,
    );
  });
});

describe('Gamma-Gamma', () => {
  it('log-likelihood by hand', () => {
    // p=1, q=2, γ=3; x=1, z̄=1: Γ(3)/(Γ(1)Γ(2)) · 3² · 1^0 · 1^1 / (3+1)^3 = 2·9/64 = 9/32
    expect(gammaGammaLogLikelihood({ p: 1, q: 2, gamma: 3 }, { x: 1, zbar: 1 })).toBeCloseTo(
      Math.log(9 / 32),
      13,
    );
    // x=2, z̄=2: Γ(4)/(Γ(2)Γ(2)) · 9 · 2^1 · 2^2 / (3+4)^4 = 6·9·2·4/2401 = 432/2401
    expect(gammaGammaLogLikelihood({ p: 1, q: 2, gamma: 3 }, { x: 2, zbar: 2 })).toBeCloseTo(
      Math.log(432 / 2401),
      13,
    );
  });
  it('expected spend', () => {
    // p(γ + x z̄)/(px + q − 1) = 6.25·(15.44 + 2·22.35)/(12.5 + 2.74) = 6.25·60.14/15.24
    expect(gammaGammaExpectedSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, 2, 22.35)).toBeCloseTo(
      (6.25 * 60.14) / 15.24,
      10,
    );
    expect(gammaGammaExpectedSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, 0, 0)).toBeCloseTo(
      (6.25 * 15.44) / 2.74,
      10,
    );
  });
});

/** Deterministic PRNG (mulberry32) and samplers for the synthetic data sets. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(u: () => number) {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}
/** Gamma(shape, rate) by Marsaglia & Tsang (2000), boosted for shape < 1. */
function gamma(u: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(u, shape + 1, rate) * u() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

describe('maximum-likelihood fits on synthetic data', () => {
  it('BG/NBD recovers known parameters roughly', () => {
    const truth = { r: 0.5, alpha: 5, a: 0.8, b: 2.5 };
    const u = rng(42);
    const data = Array.from({ length: 4000 }, () => {
      const lambda = gamma(u, truth.r, truth.alpha);
      const ga = gamma(u, truth.a, 1);
      const p = ga / (ga + gamma(u, truth.b, 1));
      const T = 26 + Math.floor(u() * 27); // first purchase 26–52 weeks before the end
      let t = 0;
      let x = 0;
      let tx = 0;
      for (;;) {
        t += -Math.log(1 - u()) / lambda;
        if (t > T) break;
        x++;
        tx = t;
        if (u() < p) break;
      }
      return { x, tx, T };
    });
    const fit = fitBgNbd(data);
    expect(fit.converged).toBe(true);
    expect(fit.params.r / truth.r).toBeGreaterThan(0.75);
    expect(fit.params.r / truth.r).toBeLessThan(1.33);
    expect(fit.params.alpha / truth.alpha).toBeGreaterThan(0.7);
    expect(fit.params.alpha / truth.alpha).toBeLessThan(1.4);
    // a and b are less well determined; their mean drop-out probability a/(a+b) is
    const meanP = fit.params.a / (fit.params.a + fit.params.b);
    expect(meanP).toBeGreaterThan(0.8 * (truth.a / (truth.a + truth.b)));
    expect(meanP).toBeLessThan(1.25 * (truth.a / (truth.a + truth.b)));
    // the fit is at least as likely as the truth
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood(truth, data));
  }, 30_000);
  it('Gamma-Gamma recovers known parameters roughly', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const u = rng(7);
    const data = Array.from({ length: 3000 }, () => {
      const nu = gamma(u, truth.q, truth.gamma);
      const x = 1 + Math.floor(u() * 8);
      let s = 0;
      for (let i = 0; i < x; i++) s += gamma(u, truth.p, nu);
      return { x, zbar: s / x };
    });
    const fit = fitGammaGamma(data);
    expect(fit.converged).toBe(true);
    expect(fit.params.p / truth.p).toBeGreaterThan(0.85);
    expect(fit.params.p / truth.p).toBeLessThan(1.15);
    expect(fit.params.q / truth.q).toBeGreaterThan(0.7);
    expect(fit.params.q / truth.q).toBeLessThan(1.4);
    // the population mean spend pγ/(q − 1) is well determined
    const mean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(mean / ((truth.p * truth.gamma) / (truth.q - 1))).toBeCloseTo(1, 1);
  });
  it('stops at the bound when the maximum lies at 0 or ∞ (nobody drops out; spend does not vary)', () => {
    // pure Poisson buyers with a common rate, never dropping out: a → 0 is the limit
    const u = rng(11);
    const data = Array.from({ length: 1500 }, () => {
      const T = 20 + Math.floor(u() * 30);
      let t = -Math.log(1 - u()) / 0.3;
      let x = 0;
      let tx = 0;
      while (t <= T) {
        x++;
        tx = t;
        t += -Math.log(1 - u()) / 0.3;
      }
      return { x, tx, T };
    });
    const fit = fitBgNbd(data);
    // a ridge (r, α → ∞ with r/α = 0.3, a → 0): the evaluation budget ends the search
    expect(fit.evaluations).toBeLessThanOrEqual(FIT_MAX_EVALUATIONS + 4);
    expect(fit.params.r / fit.params.alpha).toBeCloseTo(0.3, 2);
    expect(fit.params.a).toBeLessThan(1e-4);
    expect(bgnbdProbabilityAlive(fit.params, { x: 12, tx: 38, T: 40 })).toBeGreaterThan(0.999);
    // the same spend distribution for everyone: q, γ → ∞ with γ/q fixed
    const gg = Array.from({ length: 800 }, () => {
      const x = 1 + Math.floor(u() * 6);
      let s = 0;
      for (let i = 0; i < x; i++) s += gamma(u, 4, 0.01);
      return { x, zbar: s / x };
    });
    const g = fitGammaGamma(gg);
    expect(g.evaluations).toBeLessThanOrEqual(FIT_MAX_EVALUATIONS + 3);
    expect(g.params.q).toBeGreaterThan(1e3);
    expect((g.params.p * g.params.gamma) / (g.params.q - 1)).toBeCloseTo(400, -2);
  });
  it('Gamma-Gamma does not depend on the currency unit (γ scales, p and q do not)', () => {
    const u = rng(5);
    const data = Array.from({ length: 600 }, () => {
      const nu = gamma(u, 4, 15);
      const x = 1 + Math.floor(u() * 6);
      let s = 0;
      for (let i = 0; i < x; i++) s += gamma(u, 6, nu);
      return { x, zbar: s / x };
    });
    const yuan = fitGammaGamma(data);
    // the same spend in fen × 10,000 (orders of ¥1M and more need γ far beyond the search bounds)
    const big = fitGammaGamma(data.map((o) => ({ ...o, zbar: o.zbar * 1e6 })));
    expect(big.params.p / yuan.params.p).toBeCloseTo(1, 4);
    expect(big.params.q / yuan.params.q).toBeCloseTo(1, 4);
    expect(big.params.gamma / (yuan.params.gamma * 1e6)).toBeCloseTo(1, 4);
    expect(big.atBound).toEqual([]);
    expect(big.logLikelihood).toBeCloseTo(yuan.logLikelihood - 600 * Math.log(1e6), 4);
    expect(big.logLikelihood).toBeCloseTo(
      gammaGammaTotalLogLikelihood(
        big.params,
        data.map((o) => ({ ...o, zbar: o.zbar * 1e6 })),
      ),
      6,
    );
  });
  it('refuses to fit without enough repeat customers', () => {
    const few = Array.from({ length: 9 }, () => ({ x: 1, tx: 1, T: 10 }));
    expect(() => fitBgNbd(few)).toThrow(DomainError);
    expect(() => fitGammaGamma(few.map(() => ({ x: 1, zbar: 0 })))).toThrow(DomainError);
  });
});

describe('CLV', () => {
  it('historical: margin × rate × lifetime, exact, each factor stated', () => {
    // G = 120000.00 over 365 days in 12 purchases, L = 3 → 10000.00 × 12 × 3 = 360000.00
    expect(
      historicalClv({ grossMargin: '120000.00', purchases: 12, windowDays: 365, lifetimeYears: '3' }),
    ).toEqual({
      marginPerPurchase: '10000.00',
      purchasesPerYear: '12.0000',
      lifetimeYears: '3',
      clv: '360000.00',
    });
    // 180-day window: G·365·L/W = 1000·365·2.5/180 = 5069.444… → 5069.44; rate 3·365/180 = 6.0833…
    expect(
      historicalClv({ grossMargin: '1000', purchases: 3, windowDays: 180, lifetimeYears: '2.5' }),
    ).toEqual({
      marginPerPurchase: '333.33',
      purchasesPerYear: '6.0833',
      lifetimeYears: '2.5',
      clv: '5069.44',
    });
    expect(historicalClv({ grossMargin: '-50', purchases: 0, windowDays: 365, lifetimeYears: '3' }).clv).toBe(
      '0.00',
    );
  });
  it('expected CLV = E[purchases] × E[spend] × margin rate', () => {
    const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const gg = { p: 6.25, q: 3.74, gamma: 15.44 };
    const c = expectedClv(bg, gg, { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 }, 39, '0.5');
    expect(c.expectedPurchases).toBeCloseTo(1.226, 3);
    expect(Number(c.clv)).toBeCloseTo(c.expectedPurchases * c.expectedSpend * 0.5, 2);
    expect(c.pAlive).toBeGreaterThan(0);
    expect(c.pAlive).toBeLessThan(1);
  });
});

describe('prepared objectives (what the fits evaluate)', () => {
  it('equal the plain total log-likelihoods, counts included', () => {
    const u = rng(3);
    const bg = Array.from({ length: 500 }, () => {
      const x = u() < 0.4 ? 0 : 1 + Math.floor(u() * 12);
      const T = 1 + Math.floor(u() * 300) / 7;
      const tx = x === 0 ? 0 : Math.floor(u() * T * 7) / 7;
      return { x, tx, T, count: 1 + Math.floor(u() * 5) };
    });
    for (const params of [
      { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      { r: 2, alpha: 30, a: 1.5, b: 0.4 },
    ]) {
      const plain = bgnbdTotalLogLikelihood(params, bg);
      expect(bgnbdObjective(bg)(params) / plain).toBeCloseTo(1, 12);
    }
    const gg = bg.filter((o) => o.x > 0).map((o) => ({ x: o.x, zbar: 1 + u() * 200, count: o.count }));
    for (const params of [
      { p: 6.25, q: 3.74, gamma: 15.44 },
      { p: 0.7, q: 1.2, gamma: 300 },
    ]) {
      const plain = gammaGammaTotalLogLikelihood(params, gg);
      expect(gammaGammaObjective(gg)(params) / plain).toBeCloseTo(1, 12);
    }
  });
});

describe('customerClv (what a run stores per customer)', () => {
  const model: ClvModel = {
    kind: 'clv',
    historical: { windowDays: 365, lifetimeYears: '3' },
    probabilistic: { timeUnitDays: 7, horizonUnits: 39, marginRate: '0.5' },
  };
  const bgnbd = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const gammaGamma = { p: 6.25, q: 3.74, gamma: 15.44 };
  it('states every factor and matches the model functions', () => {
    const c = customerClv(
      model,
      { grossMargin: '1200.00', orders: 4, history: { x: 2, txDays: 213, tDays: 272, zbar: '22.35' } },
      { bgnbd, gammaGamma },
    );
    expect(c.historical).toEqual({
      grossMargin: '1200.00',
      orders: 4,
      windowDays: 365,
      marginPerPurchase: '300.00',
      purchasesPerYear: '4.0000',
      lifetimeYears: '3',
      clv: '3600.00',
    });
    const o = { x: 2, tx: 213 / 7, T: 272 / 7 };
    const e = expectedClv(bgnbd, gammaGamma, { ...o, zbar: 22.35 }, 39, '0.5');
    expect(c.probabilistic).toMatchObject({ x: 2, tx: '30.43', T: '38.86', zbar: '22.35', clv: e.clv });
    expect(Number(c.probabilistic?.pAlive)).toBeCloseTo(bgnbdProbabilityAlive(bgnbd, o), 4);
    expect(Number(c.probabilistic?.expectedPurchases)).toBeCloseTo(1.226, 3);
    expect(c.metrics).toEqual({
      clv_historical: '3600.00',
      clv_expected: e.clv,
      p_alive: c.probabilistic?.pAlive,
    });
  });
  it('missing parts: no purchase, no margin, no fit', () => {
    const never = customerClv(model, { grossMargin: null, orders: 0, history: null }, { bgnbd, gammaGamma });
    expect(never.metrics).toEqual({ clv_historical: '0.00', clv_expected: null, p_alive: null });
    const noMargin = customerClv(
      model,
      { grossMargin: null, orders: 2, history: { x: 0, txDays: 0, tDays: 10, zbar: '0.00' } },
      { bgnbd: null, gammaGamma: null },
    );
    expect(noMargin.historical.clv).toBeNull();
    expect(noMargin.historical.marginPerPurchase).toBeNull();
    expect(noMargin.probabilistic).toMatchObject({ pAlive: null, expectedPurchases: null, clv: null });
    // BG/NBD only: P(alive) and purchases, no spend
    const half = customerClv(
      model,
      { grossMargin: '10', orders: 1, history: { x: 0, txDays: 0, tDays: 10, zbar: '0.00' } },
      { bgnbd, gammaGamma: null },
    );
    expect(half.metrics.p_alive).toBe('1.0000');
    expect(half.metrics.clv_expected).toBeNull();
    // an infinite population mean spend (q ≤ 1) is not a value
    const heavy = customerClv(
      model,
      { grossMargin: '10', orders: 1, history: { x: 0, txDays: 0, tDays: 10, zbar: '0.00' } },
      { bgnbd, gammaGamma: { p: 1, q: 0.9, gamma: 10 } },
    );
    expect(heavy.probabilistic?.expectedSpend).toBeNull();
    expect(heavy.metrics.clv_expected).toBeNull();
  });
});
