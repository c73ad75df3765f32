import { z } from 'zod';
import type { LocalizedText } from '../i18n.js';
import { type DomainIssue, validateDocument } from '../validation/result.js';
import { add, cmp, type Dec, dec, formatDec, formatDecTrimmed, HUNDRED, toDec, ZERO } from './decimal.js';
import { METRIC_KEY_PATTERN } from './metrics.js';

/**
 * Tier model definitions as data (what the model editor saves; never evaluated as code). Four kinds:
 * `weighted` and `criteria` assign tiers (one of them is the tenant's tier of record), `rfm` and `clv`
 * produce scores, segments and values that are themselves metrics (see `metrics.ts`).
 *
 * All decimals (weights, bounds, thresholds, scores) are canonical decimal strings, compared and
 * summed exactly. Scores are on 0–100 with at most 2 decimals.
 */

// ---------------------------------------------------------------------------------------------------------
// Types

/** A tier as listed by a model. `id` is stable (history refers to it), `name` is what people read. */
export interface TierDef {
  id: string;
  name: string;
}

/** Linear between bounds, clamped: `min` → 0, `max` → 100, straight line between. */
export interface LinearNormaliser {
  kind: 'linear';
  min: string;
  max: string;
}

/** Logarithmic between bounds (0 ≤ min < max), clamped: `100·(ln(1+v) − ln(1+min)) / (ln(1+max) − ln(1+min))`. */
export interface LogNormaliser {
  kind: 'log';
  min: string;
  max: string;
}

/** Percentile rank of the value within the tenant's population (see `normalisers.ts`). */
export interface PercentileNormaliser {
  kind: 'percentile';
}

/** Steps: the first band (listed from the highest `atLeast` down) with `value ≥ atLeast` gives its score. */
export interface BandsNormaliser {
  kind: 'bands';
  bands: { atLeast: string; score: string }[];
  /** Score below the lowest band. */
  otherwise: string;
}

/** `100 − inner score`: for risk-like metrics where more is worse (complaints, overdue days). */
export interface InvertedNormaliser {
  kind: 'inverted';
  of: LinearNormaliser | LogNormaliser | PercentileNormaliser;
}

/** A fixed score per category value (`high` → 100, `medium` → 60, …); other values get `otherwise`. */
export interface CategoryNormaliser {
  kind: 'category';
  categories: { value: string; score: string }[];
  otherwise: string;
}

export type Normaliser =
  | LinearNormaliser
  | LogNormaliser
  | PercentileNormaliser
  | BandsNormaliser
  | InvertedNormaliser
  | CategoryNormaliser;
export type NormaliserKind = Normaliser['kind'];

export interface Dimension {
  /** Stable within the model, e.g. `contribution`. */
  key: string;
  name: string;
  /** A metric key from the catalogue (`revenue_12m`). */
  metric: string;
  normaliser: Normaliser;
  /** Percent, at most 2 decimals; all weights of a model sum to exactly 100. */
  weight: string;
  /** Normalised score when the metric has no value for a customer (default `"0"`). */
  missingScore: string;
}

/** A tier of a weighted model: a score ≥ `minScore` (and below the next tier's) lands here. */
export interface ThresholdTier extends TierDef {
  minScore: string;
}

export const COMPARISON_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in', 'not_in'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * A condition on one metric. `gt/gte/lt/lte` compare decimals exactly; `eq/ne/in/not_in` compare numerically
 * when both sides are decimals, else as text (booleans as `true`/`false`). A missing metric makes the
 * condition false — whatever the operator, `ne` and `not_in` included (fail closed).
 */
export type MetricCondition =
  | { metric: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: string }
  | { metric: string; op: 'eq' | 'ne'; value: string | boolean }
  | { metric: string; op: 'in' | 'not_in'; value: string[] };

/** Conditions combined: all of them, any of them, or at least `atLeast` of them. */
export interface ConditionGroup {
  combine: 'all' | 'any' | 'at_least';
  /** Only for `at_least`: 1 ≤ k ≤ number of conditions. */
  atLeast?: number;
  conditions: MetricCondition[];
}

/** A tier of a criteria model. */
export interface CriteriaTier extends TierDef {
  when: ConditionGroup;
}

/** Floor (`⇒ at least tier`) or cap (`⇒ at most tier`) while a condition holds. */
export interface TierRule {
  id: string;
  name: string;
  when: ConditionGroup;
  tier: string;
}

/**
 * Against flapping: an upgrade applies at once; a downgrade only when the customer has been below its
 * tier for `downgradeAfterRuns` consecutive runs (this one included), or at once when the score falls more
 * than `downgradeMargin` points below the lower threshold of its current tier (weighted models only;
 * `null` = no margin rule). `downgradeAfterRuns: 1` switches hysteresis off.
 */
export interface HysteresisSettings {
  downgradeAfterRuns: number;
  downgradeMargin: string | null;
}

/** Defaults: a downgrade waits for 3 consecutive runs below, or happens at once 5 points below the threshold. */
export const DEFAULT_HYSTERESIS: HysteresisSettings = { downgradeAfterRuns: 3, downgradeMargin: '5' };

export interface TierRules {
  floors: TierRule[];
  caps: TierRule[];
  hysteresis: HysteresisSettings;
}

export interface WeightedModel extends TierRules {
  kind: 'weighted';
  dimensions: Dimension[];
  /** Highest first; `minScore` strictly decreasing; the last one is `"0"`. */
  tiers: ThresholdTier[];
}

export interface CriteriaModel extends TierRules {
  kind: 'criteria';
  /** Highest first; evaluated in this order, the first match wins. */
  tiers: CriteriaTier[];
  /** Everyone who matches no tier; the lowest tier. */
  defaultTier: TierDef;
}

/** RFM: recency, frequency, monetary over a window, scored in bins and segmented (see `rfm.ts`). */
export interface RfmModel {
  kind: 'rfm';
  /** Window for frequency and monetary, in days (default 365). */
  windowDays: number;
  /** Bins per dimension (default 5 = quintiles), 2–10. */
  bins: number;
  metrics: { recency: string; frequency: string; monetary: string };
  /** High/low against the tenant average of the raw `values` (default) or of the bin `scores`. */
  segmentBasis: 'values' | 'scores';
}

/** CLV settings (see `clv.ts`). */
export interface ClvModel {
  kind: 'clv';
  historical: {
    /** Window the margin and purchase rate are measured over, in days (default 365). */
    windowDays: number;
    /** Expected remaining lifetime, years (default `"3"`). */
    lifetimeYears: string;
  };
  probabilistic: {
    /** Length of one time unit of the BG/NBD model, days (default 7: weeks, as in the literature). */
    timeUnitDays: number;
    /** Horizon of the expected purchases, in time units (default 52). */
    horizonUnits: number;
    /** Share of spend that is margin, 0–1 (default `"1"`: CLV in revenue). */
    marginRate: string;
  };
}

export type TierModel = WeightedModel | CriteriaModel;
export type TieringModel = TierModel | RfmModel | ClvModel;
export type TieringModelKind = TieringModel['kind'];

/** A manual tier (approved through the approval engine): holds through `until` (inclusive) or until revoked. */
export interface TierOverride {
  tier: string;
  /** Last day it holds, `YYYY-MM-DD`; `null` = until revoked. */
  until: string | null;
  reason?: string;
}

/**
 * The boundary rule, shown next to thresholds in the editor and on the breakdown: a score exactly equal to
 * a threshold belongs to the higher tier.
 */
export const THRESHOLD_BOUNDARY_RULE: LocalizedText = {
  zh: '得分恰好等于某一级的下限时，归入该级（较高的一级）：例如 A ≥ 80、B ≥ 60 时，80.00 分为 A，79.99 分为 B。',
  en: 'A score exactly equal to a tier’s lower threshold belongs to that (higher) tier: with A ≥ 80 and B ≥ 60, 80.00 is A and 79.99 is B.',
};

/** Tiers of a tier model, highest first (for criteria models the default tier is last). */
export function modelTiers(model: TierModel): TierDef[] {
  if (model.kind === 'weighted') return model.tiers.map(({ id, name }) => ({ id, name }));
  return [...model.tiers.map(({ id, name }) => ({ id, name })), { ...model.defaultTier }];
}

/** Sum of the dimension weights, exact (`"100"` for a valid model). */
export function weightSum(dimensions: readonly Pick<Dimension, 'weight'>[]): string {
  return formatDecTrimmed(dimensions.reduce<Dec>((s, d) => add(s, dec(d.weight)), ZERO));
}

// ---------------------------------------------------------------------------------------------------------
// Schemas

/** A validation problem with a stable code, params and the path to the offending value. */
export type TieringIssue = DomainIssue;

export const TIER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const MAX_DIMENSIONS = 30;
export const MAX_TIERS = 20;
export const MAX_CONDITIONS = 30;
export const MAX_RULES = 20;
export const MAX_BANDS = 30;
export const MAX_CATEGORIES = 50;
const TEXT_MAX = 200;

const requiredString = () =>
  z.string({
    error: (issue) =>
      issue.code === 'invalid_type' ? (issue.input === undefined ? 'REQUIRED' : 'INVALID_VALUE') : undefined,
  });

const zTierId = requiredString().regex(TIER_ID_PATTERN, { error: 'CODE_INVALID' });
const zName = requiredString().trim().min(1, { error: 'REQUIRED' }).max(64);
const zMetricKey = z
  .string({ error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'TIERING_METRIC_INVALID') })
  .regex(METRIC_KEY_PATTERN, { error: 'TIERING_METRIC_INVALID' });

interface DecimalOptions {
  min?: string;
  max?: string;
  maxDecimals?: number;
}

/**
 * A decimal as a JSON string or number → canonical text (`"33.3"` stays `"33.3"`; `5` → `"5"`); `INVALID_VALUE`
 * when not a plain decimal, `OUT_OF_RANGE` outside [min, max] or with more than `maxDecimals` decimals.
 */
export function zDecimal(opts: DecimalOptions = {}) {
  return z
    .union([z.string(), z.number()], {
      error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'INVALID_VALUE'),
    })
    .transform((input, ctx) => {
      const d = toDec(input);
      if (d === null) {
        ctx.addIssue({ code: 'custom', message: 'INVALID_VALUE', input });
        return z.NEVER;
      }
      const text = formatDec(d);
      const fracLength = text.includes('.') ? (text.replace(/0+$/, '').split('.')[1]?.length ?? 0) : 0;
      const tooPrecise = opts.maxDecimals !== undefined && fracLength > opts.maxDecimals;
      if (
        tooPrecise ||
        (opts.min !== undefined && cmp(d, dec(opts.min)) < 0) ||
        (opts.max !== undefined && cmp(d, dec(opts.max)) > 0)
      ) {
        ctx.addIssue({ code: 'custom', message: 'OUT_OF_RANGE', input });
        return z.NEVER;
      }
      return formatDecTrimmed(d);
    });
}

/** A score on 0–100 with at most 2 decimals. */
const zScore = () => zDecimal({ min: '0', max: '100', maxDecimals: 2 });

const zBounds = <K extends 'linear' | 'log'>(kind: K) =>
  z.strictObject({ kind: z.literal(kind), min: zDecimal(), max: zDecimal() }).superRefine((n, ctx) => {
    if (cmp(dec(n.min), dec(n.max)) >= 0 || (kind === 'log' && cmp(dec(n.min), ZERO) < 0)) {
      ctx.addIssue({ code: 'custom', message: 'TIERING_BOUNDS_INVALID', path: ['max'], input: n });
    }
  });

const zLinear = zBounds('linear');
const zLog = zBounds('log');
const zPercentile = z.strictObject({ kind: z.literal('percentile') });

const zBands = z
  .strictObject({
    kind: z.literal('bands'),
    bands: z
      .array(z.strictObject({ atLeast: zDecimal(), score: zScore() }), { error: 'REQUIRED' })
      .min(1, { error: 'REQUIRED' })
      .max(MAX_BANDS, { error: 'OUT_OF_RANGE' }),
    otherwise: zScore().default('0'),
  })
  .superRefine((n, ctx) => {
    n.bands.forEach((band, i) => {
      const prev = n.bands[i - 1];
      if (prev && cmp(dec(band.atLeast), dec(prev.atLeast)) >= 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'TIERING_BANDS_INVALID',
          path: ['bands', i, 'atLeast'],
          input: band,
        });
      }
    });
  });

const zCategory = z
  .strictObject({
    kind: z.literal('category'),
    categories: z
      .array(z.strictObject({ value: requiredString().min(1).max(TEXT_MAX), score: zScore() }), {
        error: 'REQUIRED',
      })
      .min(1, { error: 'REQUIRED' })
      .max(MAX_CATEGORIES, { error: 'OUT_OF_RANGE' }),
    otherwise: zScore().default('0'),
  })
  .superRefine((n, ctx) => {
    const seen = new Set<string>();
    n.categories.forEach((c, i) => {
      if (seen.has(c.value)) {
        ctx.addIssue({
          code: 'custom',
          message: 'TIERING_CATEGORY_DUPLICATE',
          path: ['categories', i, 'value'],
          params: { value: c.value },
          input: c,
        });
      }
      seen.add(c.value);
    });
  });

const zInverted = z.strictObject({
  kind: z.literal('inverted'),
  of: z.discriminatedUnion('kind', [zLinear, zLog, zPercentile], { error: 'INVALID_VALUE' }),
});

export const zNormaliser = z.discriminatedUnion(
  'kind',
  [zLinear, zLog, zPercentile, zBands, zInverted, zCategory],
  {
    error: 'INVALID_VALUE',
  },
) as unknown as z.ZodType<Normaliser, unknown>;

export const zDimension = z.strictObject({
  key: zTierId,
  name: zName,
  metric: zMetricKey,
  normaliser: zNormaliser,
  weight: zDecimal({ min: '0', max: '100', maxDecimals: 2 }),
  missingScore: zScore().default('0'),
}) as unknown as z.ZodType<Dimension, unknown>;

const zConditionValue = z.union([z.string().min(1).max(TEXT_MAX), z.number(), z.boolean()]);

export const zMetricCondition = z
  .strictObject({
    metric: zMetricKey,
    op: z.enum(COMPARISON_OPS, { error: 'INVALID_VALUE' }),
    value: z.union(
      [
        zConditionValue,
        z
          .array(z.union([z.string().min(1).max(TEXT_MAX), z.number()]))
          .min(1)
          .max(200),
      ],
      {
        error: (issue) => (issue.input === undefined ? 'REQUIRED' : 'INVALID_VALUE'),
      },
    ),
  })
  .transform((c, ctx): MetricCondition => {
    const bad = () => {
      ctx.addIssue({ code: 'custom', message: 'INVALID_VALUE', path: ['value'], input: c.value });
      return z.NEVER;
    };
    const text = (v: unknown): string | null => {
      if (typeof v === 'number') {
        const d = toDec(v);
        return d === null ? null : formatDecTrimmed(d);
      }
      return typeof v === 'string' ? v : null;
    };
    switch (c.op) {
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const d = toDec(c.value);
        return d === null ? bad() : { metric: c.metric, op: c.op, value: formatDecTrimmed(d) };
      }
      case 'eq':
      case 'ne': {
        if (typeof c.value === 'boolean') return { metric: c.metric, op: c.op, value: c.value };
        const v = Array.isArray(c.value) ? null : text(c.value);
        return v === null ? bad() : { metric: c.metric, op: c.op, value: v };
      }
      case 'in':
      case 'not_in': {
        const list = Array.isArray(c.value) ? c.value : [c.value];
        const out = list.map(text);
        if (out.some((v) => v === null)) return bad();
        return { metric: c.metric, op: c.op, value: [...new Set(out as string[])] };
      }
    }
  });

export const zConditionGroup = z
  .strictObject({
    combine: z.enum(['all', 'any', 'at_least'], { error: 'INVALID_VALUE' }),
    atLeast: z
      .number({ error: 'TIERING_AT_LEAST_INVALID' })
      .int({ error: 'TIERING_AT_LEAST_INVALID' })
      .optional(),
    conditions: z
      .array(zMetricCondition, { error: 'REQUIRED' })
      .min(1, { error: 'REQUIRED' })
      .max(MAX_CONDITIONS, { error: 'OUT_OF_RANGE' }),
  })
  .superRefine((g, ctx) => {
    const n = g.conditions.length;
    if (g.combine === 'at_least' && (g.atLeast === undefined || g.atLeast < 1 || g.atLeast > n)) {
      ctx.addIssue({
        code: 'custom',
        message: 'TIERING_AT_LEAST_INVALID',
        path: ['atLeast'],
        params: { max: n },
        input: g.atLeast,
      });
    }
    if (g.combine !== 'at_least' && g.atLeast !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'UNKNOWN_PROPERTY',
        path: ['atLeast'],
        params: { name: 'atLeast' },
        input: g,
      });
    }
  }) as unknown as z.ZodType<ConditionGroup, unknown>;

const zTierRule = z.strictObject({ id: zTierId, name: zName, when: zConditionGroup, tier: zTierId });

export const zHysteresis = z
  .strictObject({
    downgradeAfterRuns: z
      .number({ error: 'OUT_OF_RANGE' })
      .int({ error: 'OUT_OF_RANGE' })
      .min(1, { error: 'OUT_OF_RANGE' })
      .max(24, { error: 'OUT_OF_RANGE' })
      .default(DEFAULT_HYSTERESIS.downgradeAfterRuns),
    downgradeMargin: zScore().nullable().default(DEFAULT_HYSTERESIS.downgradeMargin),
  })
  .default({ ...DEFAULT_HYSTERESIS }) as unknown as z.ZodType<HysteresisSettings, unknown>;

const ruleFields = {
  floors: z.array(zTierRule).max(MAX_RULES, { error: 'OUT_OF_RANGE' }).default([]),
  caps: z.array(zTierRule).max(MAX_RULES, { error: 'OUT_OF_RANGE' }).default([]),
  hysteresis: zHysteresis,
};

const zThresholdTier = z.strictObject({ id: zTierId, name: zName, minScore: zScore() });
const zCriteriaTier = z.strictObject({ id: zTierId, name: zName, when: zConditionGroup });
const zTierDef = z.strictObject({ id: zTierId, name: zName });

type Ctx = z.core.$RefinementCtx<unknown>;

function checkTierIds(ids: { id: string; path: (string | number)[] }[], ctx: Ctx): Set<string> {
  const seen = new Set<string>();
  for (const { id, path } of ids) {
    if (seen.has(id)) {
      ctx.addIssue({ code: 'custom', message: 'TIERING_TIER_DUPLICATE', path, params: { id }, input: id });
    }
    seen.add(id);
  }
  return seen;
}

function checkRules(model: { floors: TierRule[]; caps: TierRule[] }, tiers: Set<string>, ctx: Ctx): void {
  for (const list of ['floors', 'caps'] as const) {
    const seen = new Set<string>();
    model[list].forEach((rule, i) => {
      if (!tiers.has(rule.tier)) {
        ctx.addIssue({
          code: 'custom',
          message: 'TIERING_TIER_UNKNOWN',
          path: [list, i, 'tier'],
          params: { id: rule.tier },
          input: rule.tier,
        });
      }
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: 'custom',
          message: 'TIERING_RULE_DUPLICATE',
          path: [list, i, 'id'],
          params: { id: rule.id },
          input: rule.id,
        });
      }
      seen.add(rule.id);
    });
  }
}

export const zWeightedModel = z
  .strictObject({
    kind: z.literal('weighted'),
    dimensions: z
      .array(zDimension, { error: 'REQUIRED' })
      .min(1, { error: 'REQUIRED' })
      .max(MAX_DIMENSIONS, { error: 'OUT_OF_RANGE' }),
    tiers: z
      .array(zThresholdTier, { error: 'REQUIRED' })
      .min(1, { error: 'REQUIRED' })
      .max(MAX_TIERS, { error: 'OUT_OF_RANGE' }),
    ...ruleFields,
  })
  .superRefine((m, ctx) => {
    const keys = new Set<string>();
    m.dimensions.forEach((d, i) => {
      if (keys.has(d.key)) {
        ctx.addIssue({
          code: 'custom',
          message: 'TIERING_DIMENSION_DUPLICATE',
          path: ['dimensions', i, 'key'],
          params: { key: d.key },
          input: d.key,
        });
      }
      keys.add(d.key);
    });
    const sum = m.dimensions.reduce<Dec>((s, d) => add(s, dec(d.weight)), ZERO);
    if (cmp(sum, HUNDRED) !== 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'TIERING_WEIGHTS_SUM',
        path: ['dimensions'],
        params: { sum: formatDecTrimmed(sum) },
        input: m.dimensions,
      });
    }
    m.tiers.forEach((t, i) => {
      const prev = m.tiers[i - 1];
      const last = i === m.tiers.length - 1;
      if (
        (prev && cmp(dec(t.minScore), dec(prev.minScore)) >= 0) ||
        (last && cmp(dec(t.minScore), ZERO) !== 0)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: 'TIERING_THRESHOLDS_INVALID',
          path: ['tiers', i, 'minScore'],
          input: t.minScore,
        });
      }
    });
    const ids = checkTierIds(
      m.tiers.map((t, i) => ({ id: t.id, path: ['tiers', i, 'id'] })),
      ctx,
    );
    checkRules(m, ids, ctx);
  }) as unknown as z.ZodType<WeightedModel, unknown>;

export const zCriteriaModel = z
  .strictObject({
    kind: z.literal('criteria'),
    tiers: z
      .array(zCriteriaTier, { error: 'REQUIRED' })
      .min(1, { error: 'REQUIRED' })
      .max(MAX_TIERS, { error: 'OUT_OF_RANGE' }),
    defaultTier: zTierDef,
    ...ruleFields,
  })
  .superRefine((m, ctx) => {
    const ids = checkTierIds(
      [
        ...m.tiers.map((t, i) => ({ id: t.id, path: ['tiers', i, 'id'] })),
        { id: m.defaultTier.id, path: ['defaultTier', 'id'] },
      ],
      ctx,
    );
    checkRules(m, ids, ctx);
  }) as unknown as z.ZodType<CriteriaModel, unknown>;

export const zRfmModel = z.strictObject({
  kind: z.literal('rfm'),
  windowDays: z
    .number({ error: 'OUT_OF_RANGE' })
    .int({ error: 'OUT_OF_RANGE' })
    .min(1, { error: 'OUT_OF_RANGE' })
    .max(3660, { error: 'OUT_OF_RANGE' })
    .default(365),
  bins: z
    .number({ error: 'OUT_OF_RANGE' })
    .int({ error: 'OUT_OF_RANGE' })
    .min(2, { error: 'OUT_OF_RANGE' })
    .max(10, { error: 'OUT_OF_RANGE' })
    .default(5),
  metrics: z
    .strictObject({
      recency: zMetricKey.default('recency_days'),
      frequency: zMetricKey.default('order_count'),
      monetary: zMetricKey.default('revenue_12m'),
    })
    .default({ recency: 'recency_days', frequency: 'order_count', monetary: 'revenue_12m' }),
  segmentBasis: z.enum(['values', 'scores'], { error: 'INVALID_VALUE' }).default('values'),
}) as unknown as z.ZodType<RfmModel, unknown>;

const zInt = (min: number, max: number, def: number) =>
  z
    .number({ error: 'OUT_OF_RANGE' })
    .int({ error: 'OUT_OF_RANGE' })
    .min(min, { error: 'OUT_OF_RANGE' })
    .max(max, { error: 'OUT_OF_RANGE' })
    .default(def);

export const zClvModel = z.strictObject({
  kind: z.literal('clv'),
  historical: z
    .strictObject({
      windowDays: zInt(1, 3660, 365),
      lifetimeYears: zDecimal({ min: '0', max: '100', maxDecimals: 2 }).default('3'),
    })
    .default({ windowDays: 365, lifetimeYears: '3' }),
  probabilistic: z
    .strictObject({
      timeUnitDays: zInt(1, 366, 7),
      horizonUnits: zInt(1, 10_000, 52),
      marginRate: zDecimal({ min: '0', max: '1', maxDecimals: 4 }).default('1'),
    })
    .default({ timeUnitDays: 7, horizonUnits: 52, marginRate: '1' }),
}) as unknown as z.ZodType<ClvModel, unknown>;

/** Any model; issue messages are stable `ERRORS` codes with params. */
export const zTieringModel = z.discriminatedUnion(
  'kind',
  [
    zWeightedModel as unknown as typeof zPercentile,
    zCriteriaModel as unknown as typeof zPercentile,
    zRfmModel as unknown as typeof zPercentile,
    zClvModel as unknown as typeof zPercentile,
  ],
  { error: 'INVALID_VALUE' },
) as unknown as z.ZodType<TieringModel, unknown>;

export const zTierOverride = z.strictObject({
  tier: zTierId,
  until: z
    .string({ error: 'DATE_INVALID' })
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'DATE_INVALID' })
    .nullable(),
  reason: z.string().max(500).optional(),
}) as unknown as z.ZodType<TierOverride, unknown>;

/**
 * Validates a model as the editor saves it. Weighted: 1–30 dimensions with unique keys, valid normalisers,
 * weights (≤ 2 decimals) summing to exactly 100 (`TIERING_WEIGHTS_SUM`), 1–20 tiers with unique ids and
 * strictly decreasing thresholds ending at 0 (`TIERING_THRESHOLDS_INVALID`). Criteria: tiers with condition
 * groups (`TIERING_AT_LEAST_INVALID` when k is not within 1…n) and a default tier. Floors and caps must name
 * tiers of the model (`TIERING_TIER_UNKNOWN`). Returns the normalised model with defaults filled in.
 */
export function validateTieringModel(
  input: unknown,
): { ok: true; value: TieringModel } | { ok: false; issues: TieringIssue[] } {
  return validateDocument(zTieringModel, input);
}

/**
 * The B2B template of `PRODUCT.md` as a ready criteria model: Strategic (战略客户) — annual purchases > ¥10M,
 * repurchase rate > 60 %, high industry influence, > 3 years of cooperation; Key (重点客户) — ¥2M–10M, 30–60 %,
 * medium influence, 1–3 years; Potential (潜力客户) — ¥0.5M–2M, < 30 %, medium or low, < 1 year; Normal
 * (普通客户) otherwise. Evaluated from the top down, so each tier states only its lower limits: Strategic and
 * Key need at least 3 of their 4 conditions (one may miss: a ¥12M customer of 2.9 years is still strategic);
 * Potential needs ¥0.5M or high growth potential (its "< 30 %, < 1 year" only describe the typical
 * profile — a higher rate or a longer relation never makes a customer less than potential). Floors/caps are
 * left for the tenant to add.
 */
export const B2B_CRITERIA_TEMPLATE: CriteriaModel = {
  kind: 'criteria',
  tiers: [
    {
      id: 'strategic',
      name: '战略客户',
      when: {
        combine: 'at_least',
        atLeast: 3,
        conditions: [
          { metric: 'revenue_12m', op: 'gt', value: '10000000' },
          { metric: 'repurchase_rate', op: 'gt', value: '0.6' },
          { metric: 'industry_influence', op: 'eq', value: 'high' },
          { metric: 'cooperation_years', op: 'gt', value: '3' },
        ],
      },
    },
    {
      id: 'key',
      name: '重点客户',
      when: {
        combine: 'at_least',
        atLeast: 3,
        conditions: [
          { metric: 'revenue_12m', op: 'gte', value: '2000000' },
          { metric: 'repurchase_rate', op: 'gte', value: '0.3' },
          { metric: 'industry_influence', op: 'in', value: ['high', 'medium'] },
          { metric: 'cooperation_years', op: 'gte', value: '1' },
        ],
      },
    },
    {
      id: 'potential',
      name: '潜力客户',
      when: {
        combine: 'any',
        conditions: [
          { metric: 'revenue_12m', op: 'gte', value: '500000' },
          { metric: 'growth_potential', op: 'eq', value: 'high' },
        ],
      },
    },
  ],
  defaultTier: { id: 'normal', name: '普通客户' },
  floors: [],
  caps: [],
  hysteresis: { ...DEFAULT_HYSTERESIS, downgradeMargin: null },
};
