/**
 * # Scientific tiering (科学分级) — pure domain core
 *
 * Everything here is pure (no I/O, no clock); the server computes metrics set-based, supplies
 * population statistics, persists decisions and history. See `README.md` beside this file for the maths
 * and the CDNOW verification.
 *
 * - `metrics.ts` — the metric catalogue (`TIERING_METRICS`): the one place a metric is declared.
 * - `model.ts` — model definitions as data (`WeightedModel`, `CriteriaModel`, `RfmModel`, `ClvModel`),
 *   floors/caps, hysteresis (defaults `DEFAULT_HYSTERESIS`), overrides; zod schemas and
 *   `validateTieringModel` with stable error codes; `THRESHOLD_BOUNDARY_RULE` (zh/en) for the UI;
 *   `B2B_CRITERIA_TEMPLATE`.
 * - `normalisers.ts` — metric value → 0–100 score with 2 decimals, exact, half-up: linear, log, bands,
 *   percentile (sorted population or stored breakpoints), inverted, category.
 * - `score.ts` — `decideTier(model, metrics, previous, context)`: weighted score with its breakdown or
 *   criteria trace, floors, hysteresis, caps, override, `decidedBy` and `appliedRules`.
 * - `rfm.ts` — RFM bins (tie-safe, recency inverted) and the eight segments.
 * - `clv.ts` — historical CLV (exact), BG/NBD and Gamma-Gamma (likelihoods, expectations, P(alive),
 *   maximum-likelihood fits); `numeric.ts` — log-gamma, ₂F₁, Nelder–Mead.
 */
export * from './clv.js';
export type { Dec } from './decimal.js';
export { dec, formatDec, mul, round, toDec } from './decimal.js';
export * from './metrics.js';
export * from './model.js';
export * from './normalisers.js';
export * from './numeric.js';
export * from './rfm.js';
export * from './score.js';
