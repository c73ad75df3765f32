import { add, cmp, type Dec, dec, div, formatDec, HUNDRED, mul, round, sub, toDec, ZERO } from './decimal.js';
import type {
  ConditionGroup,
  CriteriaModel,
  HysteresisSettings,
  MetricCondition,
  TierModel,
  TierOverride,
  TierRule,
  WeightedModel,
} from './model.js';
import { modelTiers } from './model.js';
import {
  categoryText,
  type MetricValue,
  type MetricValues,
  normalise,
  type Populations,
  SCORE_SCALE,
} from './normalisers.js';

/**
 * Scoring and tier decisions. `decideTier` is the one entry point the server calls per customer; the
 * pieces (`weightedScore`, `tierFromScore`, `evaluateConditionGroup`, `criteriaTier`, `applyFloorsAndCaps`,
 * `hysteresisStep`, `activeOverride`) are exported for previews and tests.
 *
 * Order of a decision (each step's outcome is recorded in `appliedRules`):
 * 1. raw tier — weighted: the score's tier by thresholds (a score equal to a threshold belongs to the higher
 *    tier); criteria: the first tier from the top whose condition group holds, else the default tier;
 * 2. floors — `⇒ at least X`: the tier is raised to the highest floor whose condition holds;
 * 3. hysteresis — against the previous run's held tier: upgrades apply at once; a downgrade waits for
 *    `downgradeAfterRuns` consecutive runs below, unless the score is more than `downgradeMargin` points
 *    below the current tier's threshold (weighted models);
 * 4. caps — `⇒ at most Y`: the tier is lowered to the lowest cap whose condition holds. Caps come after
 *    hysteresis and after floors: a cap is a hard limit that applies at once and wins over a floor;
 * 5. override — an approved manual tier, active through its `until` date (inclusive) or until revoked,
 *    replaces the result. The hysteresis state still follows the model, so the model tier resumes when the
 *    override ends.
 * `decidedBy` names the last step that changed the tier (override > cap > hysteresis > floor >
 * threshold/criteria).
 */

/** One dimension of the breakdown ("why is this customer B?"). */
export interface DimensionBreakdown {
  key: string;
  name: string;
  metric: string;
  /** The metric value as supplied (`null` when missing). */
  value: MetricValue;
  /** The metric had no readable value; `normalised` is the dimension's `missingScore`. */
  missing: boolean;
  /** Normalised score, 0–100, 2 decimals (`"87.50"`). */
  normalised: string;
  /** Weight in percent, as defined (`"33.33"`). */
  weight: string;
  /** `normalised × weight / 100`, exact (at most 6 decimals, at least 2: `"29.163700"` is `"29.1637"`). */
  contribution: string;
}

/** The weighted score: the exact sum of contributions rounded half-up to 2 decimals. */
export interface WeightedScore {
  score: string;
  /** The unrounded exact sum. */
  exact: string;
  breakdown: DimensionBreakdown[];
}

/** Text with at least 2 and at most the needed decimals: `29.163700` → `"29.1637"`, `30` → `"30.00"`. */
function formatMin2(d: Dec): string {
  const text = formatDec(d.scale < 2 ? round(d, 2) : d);
  return text.replace(/(\.\d\d\d*?)0+$/, '$1');
}

/** Weighted score of one customer; `populations` must hold every metric a percentile dimension uses. */
export function weightedScore(
  model: Pick<WeightedModel, 'dimensions'>,
  metrics: MetricValues,
  populations: Populations = {},
): WeightedScore {
  let total: Dec = ZERO;
  const breakdown = model.dimensions.map((d): DimensionBreakdown => {
    const value = metrics[d.metric] ?? null;
    const n = normalise(d.normaliser, value, populations[d.metric], d.metric);
    const normalised = n ?? round(dec(d.missingScore), SCORE_SCALE);
    const contribution = div(
      mul(normalised, dec(d.weight)),
      HUNDRED,
      normalised.scale + dec(d.weight).scale + 2,
    );
    total = add(total, contribution);
    return {
      key: d.key,
      name: d.name,
      metric: d.metric,
      value,
      missing: n === null,
      normalised: formatDec(normalised),
      weight: d.weight,
      contribution: formatMin2(contribution),
    };
  });
  return { score: formatDec(round(total, SCORE_SCALE)), exact: formatMin2(total), breakdown };
}

/**
 * The tier of a score: the first tier (highest first) with `score ≥ minScore`. A score equal to a threshold
 * belongs to the higher tier (`THRESHOLD_BOUNDARY_RULE`). Valid models end at 0, so every score 0–100 has a
 * tier; a negative score (impossible from normalisers) falls to the lowest tier.
 */
export function tierFromScore(tiers: WeightedModel['tiers'], score: string | Dec): string {
  const s = typeof score === 'string' ? dec(score) : score;
  const hit = tiers.find((t) => cmp(s, dec(t.minScore)) >= 0) ?? tiers[tiers.length - 1];
  if (!hit) throw new RangeError('a weighted model needs at least one tier');
  return hit.id;
}

function valueText(value: MetricValue): string | null {
  return categoryText(value);
}

function equalValues(metricValue: MetricValue, expected: string | boolean): boolean {
  const a = toDec(typeof metricValue === 'boolean' ? null : metricValue);
  const b = typeof expected === 'boolean' ? null : toDec(expected);
  if (a !== null && b !== null) return cmp(a, b) === 0;
  return valueText(metricValue) === String(expected);
}

/**
 * Whether one condition holds. Missing metrics (`null`/`undefined`) never satisfy any condition, `ne` and
 * `not_in` included; an ordering comparison on a non-decimal value is false.
 */
export function evaluateMetricCondition(condition: MetricCondition, metrics: MetricValues): boolean {
  const value = metrics[condition.metric];
  if (value === null || value === undefined) return false;
  switch (condition.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = typeof value === 'boolean' ? null : toDec(value);
      if (v === null) return false;
      const c = cmp(v, dec(condition.value));
      if (condition.op === 'gt') return c > 0;
      if (condition.op === 'gte') return c >= 0;
      if (condition.op === 'lt') return c < 0;
      return c <= 0;
    }
    case 'eq':
      return equalValues(value, condition.value);
    case 'ne':
      return !equalValues(value, condition.value);
    case 'in':
      return condition.value.some((x) => equalValues(value, x));
    case 'not_in':
      return !condition.value.some((x) => equalValues(value, x));
  }
}

export interface ConditionGroupResult {
  holds: boolean;
  /** Per condition, in order. */
  conditions: { condition: MetricCondition; value: MetricValue; holds: boolean }[];
  /** How many hold, and how many were needed (`all` = n, `any` = 1, `at_least` = k). */
  satisfied: number;
  required: number;
}

/** `all` — every condition; `any` — at least one; `at_least` — at least `atLeast` of them. */
export function evaluateConditionGroup(group: ConditionGroup, metrics: MetricValues): ConditionGroupResult {
  const conditions = group.conditions.map((condition) => ({
    condition,
    value: metrics[condition.metric] ?? null,
    holds: evaluateMetricCondition(condition, metrics),
  }));
  const satisfied = conditions.filter((c) => c.holds).length;
  const required =
    group.combine === 'all'
      ? conditions.length
      : group.combine === 'any'
        ? 1
        : (group.atLeast ?? conditions.length);
  return { holds: satisfied >= required, conditions, satisfied, required };
}

/** A criteria tier's trace: tiers evaluated from the top down, up to the one that matched. */
export interface CriteriaTrace {
  tier: string;
  result: ConditionGroupResult;
}

/** Criteria tier: the first tier from the top whose group holds, else the default tier. */
export function criteriaTier(
  model: Pick<CriteriaModel, 'tiers' | 'defaultTier'>,
  metrics: MetricValues,
): { tier: string; trace: CriteriaTrace[] } {
  const trace: CriteriaTrace[] = [];
  for (const t of model.tiers) {
    const result = evaluateConditionGroup(t.when, metrics);
    trace.push({ tier: t.id, result });
    if (result.holds) return { tier: t.id, trace };
  }
  return { tier: model.defaultTier.id, trace };
}

/** A rule that took part in a decision. */
export type AppliedRule =
  /** A floor or cap whose condition held; `changed` when it moved the tier. */
  | { kind: 'floor' | 'cap'; id: string; name: string; tier: string; changed: boolean }
  /**
   * Hysteresis, whenever the candidate tier is below the previous held tier: `held` (the downgrade waits;
   * `belowCount` of `downgradeAfterRuns` runs so far), `runs` (downgraded after enough runs) or `margin`
   * (downgraded at once, the score being more than the margin below the threshold).
   */
  | {
      kind: 'hysteresis';
      outcome: 'held' | 'runs' | 'margin';
      from: string;
      to: string;
      belowCount: number;
      downgradeAfterRuns: number;
    }
  | { kind: 'override'; tier: string; until: string | null; reason?: string }
  /** The override names a tier the model does not have (model changed since): it is ignored. */
  | { kind: 'override_ignored'; tier: string }
  /** The previous tier is not in the model (model changed since): hysteresis starts afresh. */
  | { kind: 'previous_unknown'; tier: string };

/** Ranks of tiers, 0 = highest. */
function rankOf(tiers: readonly string[]): Map<string, number> {
  return new Map(tiers.map((t, i) => [t, i]));
}

/**
 * Floors then caps on `tier` (tiers highest first): the highest floor that holds raises the tier to it; then the
 * lowest cap that holds lowers the tier to it. Returns the tier after each stage and every rule that held.
 */
export function applyFloorsAndCaps(
  tiers: readonly string[],
  tier: string,
  rules: { floors: readonly TierRule[]; caps: readonly TierRule[] },
  metrics: MetricValues,
): { floored: string; capped: string; applied: AppliedRule[] } {
  const { floored, floorRules } = applyFloorsOnly(tiers, tier, rules.floors, metrics);
  const { capped, capRules } = applyCaps(tiers, floored, rules.caps, metrics);
  return { floored, capped, applied: [...floorRules, ...capRules] };
}

function applyFloorsOnly(
  tiers: readonly string[],
  tier: string,
  floors: readonly TierRule[],
  metrics: MetricValues,
): { floored: string; floorRules: AppliedRule[] } {
  const rank = rankOf(tiers);
  let best = rank.get(tier) ?? tiers.length - 1;
  const holding = floors.filter((f) => rank.has(f.tier) && evaluateConditionGroup(f.when, metrics).holds);
  for (const f of holding) best = Math.min(best, rank.get(f.tier) as number);
  const floored = tiers[best] as string;
  const top = holding.find((f) => f.tier === floored);
  const floorRules: AppliedRule[] = holding.map((f) => ({
    kind: 'floor',
    id: f.id,
    name: f.name,
    tier: f.tier,
    changed: floored !== tier && f === top,
  }));
  return { floored, floorRules };
}

function applyCaps(
  tiers: readonly string[],
  tier: string,
  caps: readonly TierRule[],
  metrics: MetricValues,
): { capped: string; capRules: AppliedRule[] } {
  const rank = rankOf(tiers);
  let worst = rank.get(tier) ?? tiers.length - 1;
  const holding = caps.filter((c) => rank.has(c.tier) && evaluateConditionGroup(c.when, metrics).holds);
  for (const c of holding) worst = Math.max(worst, rank.get(c.tier) as number);
  const capped = tiers[worst] as string;
  const bottom = holding.find((c) => c.tier === capped);
  const capRules: AppliedRule[] = holding.map((c) => ({
    kind: 'cap',
    id: c.id,
    name: c.name,
    tier: c.tier,
    changed: capped !== tier && c === bottom,
  }));
  return { capped, capRules };
}

/** What a run stores per customer for the next run's hysteresis. */
export interface HysteresisState {
  /** The held tier (after floors and hysteresis, before caps and override). */
  tier: string;
  /** Consecutive runs so far in which the candidate tier was below `tier` (0 when not below). */
  belowCount: number;
}

export interface HysteresisResult extends HysteresisState {
  outcome: 'initial' | 'same' | 'upgrade' | 'held' | 'runs' | 'margin';
}

/**
 * One hysteresis step. `tiers` highest first; `candidate` the tier this run's data gives (after floors);
 * `margin`, for weighted models, the run's score and the lower threshold of the previous tier.
 * - no previous state (or its tier left the model) → `initial`: the candidate, count 0;
 * - candidate equal → `same`; higher → `upgrade` at once; count 0;
 * - lower: if `score < threshold − downgradeMargin` (strictly more than the margin below) → `margin`,
 *   downgrade at once; else count + 1, and when it reaches `downgradeAfterRuns` → `runs`, downgrade to the
 *   candidate with count 0; otherwise `held`: the previous tier stays, with the new count.
 */
export function hysteresisStep(
  tiers: readonly string[],
  previous: HysteresisState | null,
  candidate: string,
  settings: HysteresisSettings,
  margin?: { score: Dec; previousThreshold: Dec },
): HysteresisResult {
  const rank = rankOf(tiers);
  const prevRank = previous ? rank.get(previous.tier) : undefined;
  const candRank = rank.get(candidate);
  if (candRank === undefined) throw new RangeError(`unknown tier ${candidate}`);
  if (!previous || prevRank === undefined) return { tier: candidate, belowCount: 0, outcome: 'initial' };
  if (candRank === prevRank) return { tier: candidate, belowCount: 0, outcome: 'same' };
  if (candRank < prevRank) return { tier: candidate, belowCount: 0, outcome: 'upgrade' };
  if (
    settings.downgradeMargin !== null &&
    margin &&
    cmp(margin.score, sub(margin.previousThreshold, dec(settings.downgradeMargin))) < 0
  ) {
    return { tier: candidate, belowCount: 0, outcome: 'margin' };
  }
  const count = Math.max(0, previous.belowCount) + 1;
  if (count >= settings.downgradeAfterRuns) return { tier: candidate, belowCount: 0, outcome: 'runs' };
  return { tier: previous.tier, belowCount: count, outcome: 'held' };
}

/** The override if active on `asOf` (`YYYY-MM-DD`): `until` null, or `asOf ≤ until`. */
export function activeOverride(override: TierOverride | null | undefined, asOf: string): TierOverride | null {
  if (!override) return null;
  return override.until === null || asOf <= override.until ? override : null;
}

export interface TierContext {
  /** The run's date, `YYYY-MM-DD` (for overrides). */
  asOf: string;
  /** The customer's approved manual tier, if any. */
  override?: TierOverride | null;
  /** Percentile populations per metric (from this run, or the last full run for a triggered re-score). */
  populations?: Populations;
}

export type DecidedBy = 'threshold' | 'criteria' | 'floor' | 'cap' | 'hysteresis' | 'override';

export interface TierDecision {
  /** The tier of record after every rule. */
  tier: string;
  /** The tier from the score thresholds or the criteria alone. */
  rawTier: string;
  /** Weighted models: the score (2 decimals). */
  score?: string;
  /** Weighted models: per-dimension breakdown; criteria models: `[]`. */
  breakdown: DimensionBreakdown[];
  /** Criteria models: the tiers evaluated top-down up to the match, with each condition's result. */
  criteria?: CriteriaTrace[];
  decidedBy: DecidedBy;
  appliedRules: AppliedRule[];
  /** Store this and pass it as `previous` next run. */
  hysteresis: HysteresisState;
}

/**
 * The tier of one customer under a tier model. Pure and deterministic: the same inputs always give the same
 * decision (no clock: the date is `context.asOf`). See the module comment for the order of the steps.
 */
export function decideTier(
  model: TierModel,
  metrics: MetricValues,
  previous: HysteresisState | null,
  context: TierContext,
): TierDecision {
  const tiers = modelTiers(model).map((t) => t.id);
  const appliedRules: AppliedRule[] = [];
  let rawTier: string;
  let score: string | undefined;
  let breakdown: DimensionBreakdown[] = [];
  let criteria: CriteriaTrace[] | undefined;
  if (model.kind === 'weighted') {
    const ws = weightedScore(model, metrics, context.populations);
    score = ws.score;
    breakdown = ws.breakdown;
    rawTier = tierFromScore(model.tiers, score);
  } else {
    const ct = criteriaTier(model, metrics);
    rawTier = ct.tier;
    criteria = ct.trace;
  }

  const { floored, floorRules } = applyFloorsOnly(tiers, rawTier, model.floors, metrics);
  appliedRules.push(...floorRules);

  const knownPrevious = previous && tiers.includes(previous.tier) ? previous : null;
  if (previous && !knownPrevious) appliedRules.push({ kind: 'previous_unknown', tier: previous.tier });
  let margin: { score: Dec; previousThreshold: Dec } | undefined;
  if (model.kind === 'weighted' && score !== undefined && knownPrevious) {
    const prevTier = model.tiers.find((t) => t.id === knownPrevious.tier);
    if (prevTier) margin = { score: dec(score), previousThreshold: dec(prevTier.minScore) };
  }
  const h = hysteresisStep(tiers, knownPrevious, floored, model.hysteresis, margin);
  if ((h.outcome === 'held' || h.outcome === 'runs' || h.outcome === 'margin') && knownPrevious) {
    appliedRules.push({
      kind: 'hysteresis',
      outcome: h.outcome,
      from: knownPrevious.tier,
      to: h.tier,
      belowCount: h.belowCount,
      downgradeAfterRuns: model.hysteresis.downgradeAfterRuns,
    });
  }

  const { capped, capRules } = applyCaps(tiers, h.tier, model.caps, metrics);
  appliedRules.push(...capRules);

  let tier = capped;
  let decidedBy: DecidedBy = model.kind === 'weighted' ? 'threshold' : 'criteria';
  if (floored !== rawTier) decidedBy = 'floor';
  if (h.tier !== floored) decidedBy = 'hysteresis';
  if (capped !== h.tier) decidedBy = 'cap';

  const override = activeOverride(context.override, context.asOf);
  if (override) {
    if (tiers.includes(override.tier)) {
      appliedRules.push({
        kind: 'override',
        tier: override.tier,
        until: override.until,
        ...(override.reason !== undefined ? { reason: override.reason } : {}),
      });
      tier = override.tier;
      decidedBy = 'override';
    } else appliedRules.push({ kind: 'override_ignored', tier: override.tier });
  }

  return {
    tier,
    rawTier,
    ...(score !== undefined ? { score } : {}),
    breakdown,
    ...(criteria ? { criteria } : {}),
    decidedBy,
    appliedRules,
    hysteresis: { tier: h.tier, belowCount: h.belowCount },
  };
}
