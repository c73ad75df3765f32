/**
 * API schemas of the tiering capability (OpenAPI is generated from them). Model definitions travel as
 * JSON objects in the shape of @kam/domain `TieringModel` (docs/tiering.md); the service validates
 * them with `validateTieringModel` and answers 400 with one field error per problem.
 */
import { z } from 'zod';
import { zIsoDate } from '../../http/schemas.js';

const zLabel = z.object({ zh: z.string(), en: z.string() });
const zDecimalText = z.string().describe('decimal string, e.g. "87.50"');

export const MODEL_KINDS = ['weighted', 'criteria', 'rfm', 'clv'] as const;
export const RUN_KINDS = ['full', 'triggered', 'simulation'] as const;
/** When a published model's full runs start by themselves: 03:00 Asia/Shanghai every day, on Mondays, on the 1st. */
export const RUN_SCHEDULES = ['none', 'daily', 'weekly', 'monthly'] as const;
export type RunSchedule = (typeof RUN_SCHEDULES)[number];
export const zSchedule = z
  .enum(RUN_SCHEDULES)
  .describe(
    'full runs by themselves at 03:00 Asia/Shanghai: never, every day, Mondays, the 1st of the month',
  );
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export const TEMPLATES = ['b2b_criteria', 'weighted_basic', 'rfm_classic'] as const;

export const zDefinition = z
  .record(z.string(), z.unknown())
  .describe('a tier model definition: weighted, criteria, rfm or clv (see docs/tiering.md)');

export const zMetric = z.object({
  key: z.string(),
  kind: z.enum(['money', 'count', 'days', 'years', 'ratio', 'score', 'category']),
  label: zLabel,
  windowDays: z.number().int().nullable(),
  manual: z.boolean(),
  categories: z.array(z.string()).nullable(),
  available: z.boolean().describe('computed by the server (models may use it)'),
});

export const zTier = z.object({ id: z.string(), name: z.string() });

export const zModelSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(MODEL_KINDS),
  publishedVersion: z.number().int().nullable(),
  hasDraft: z.boolean(),
  tierOfRecord: z.boolean(),
  schedule: zSchedule,
  updatedAt: z.string(),
  version: z.number().int(),
});

export const zModelVersion = z.object({
  versionNo: z.number().int(),
  note: z.string().nullable(),
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
  publishedByName: z.string().nullable(),
});

export const zModelDetail = zModelSummary.extend({
  draft: zDefinition.nullable(),
  draftUpdatedAt: z.string().nullable(),
  published: zDefinition.nullable(),
  /** tiers of the published version (else of the draft), highest first */
  tiers: z.array(zTier),
  versions: z.array(zModelVersion),
});

export const zRun = z.object({
  id: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  modelVersion: z.number().int().nullable().describe('null: the draft (simulations)'),
  kind: z.enum(RUN_KINDS),
  status: z.enum(RUN_STATUSES),
  asOf: z.string().describe('YYYY-MM-DD'),
  total: z.number().int().nullable(),
  processed: z.number().int(),
  changed: z.number().int(),
  triggerReason: z.string().nullable(),
  customerId: z.string().nullable(),
  error: z.string().nullable().describe("why it failed, in the reader's language"),
  errorCode: z
    .string()
    .nullable()
    .describe('the stable code of the failure (e.g. TIERING_RUN_STALLED, JOB_FAILED)'),
  requestedBy: z.string().nullable(),
  requestedByName: z.string().nullable().describe('who started it (null: the schedule or a trigger)'),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const zSample = z.object({
  customerId: z.string(),
  name: z.string(),
  score: zDecimalText.nullable(),
  rawTier: z.string(),
  decidedBy: z.string(),
  metrics: z.record(z.string(), z.string().nullable()),
  breakdown: z.unknown(),
  detail: z.unknown(),
});

export const zSimulation = z.object({
  baselineModelId: z.string().nullable(),
  baselineTiers: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .optional()
    .describe("the baseline model's tiers, highest first (absent in results stored before it was recorded)"),
  population: z.number().int(),
  tiers: z.array(z.string()),
  matrix: z.array(z.object({ from: z.string().nullable(), to: z.string(), count: z.number().int() })),
  before: z.array(z.object({ tier: z.string().nullable(), count: z.number().int() })),
  after: z.array(z.object({ tier: z.string(), count: z.number().int() })),
  samples: z.array(z.object({ from: z.string().nullable(), to: z.string(), customers: z.array(zSample) })),
});

export const zRunDetail = zRun.extend({
  statistics: z.unknown().nullable().describe('population statistics the normalisers used'),
  simulation: zSimulation.nullable(),
});

export const zSettings = z.object({
  recordModelId: z.string().nullable(),
  largeOrderAmount: zDecimalText,
  version: z.number().int(),
  updatedAt: z.string(),
});

const zAppliedRule = z.looseObject({ kind: z.string() });

export const zDimensionBreakdown = z.object({
  key: z.string(),
  name: z.string(),
  metric: z.string(),
  value: z.string().nullable(),
  missing: z.boolean(),
  normalised: zDecimalText,
  weight: zDecimalText,
  contribution: zDecimalText,
});

export const zCriteriaTrace = z.object({
  tier: z.string(),
  holds: z.boolean(),
  satisfied: z.number().int(),
  required: z.number().int(),
  conditions: z.array(
    z.object({
      metric: z.string(),
      op: z.string(),
      value: z.unknown(),
      actual: z.string().nullable(),
      holds: z.boolean(),
    }),
  ),
});

/** A CLV model's result for one customer, each factor stated (decision 0019; null values: hidden or missing). */
export const zClvResult = z.object({
  historical: z
    .object({
      grossMargin: zDecimalText.nullable().describe('G: signed gross margin in the window'),
      orders: z.number().int().describe('n: confirmed orders in the window'),
      windowDays: z.number().int().describe('W'),
      marginPerPurchase: zDecimalText.nullable().describe('G / n'),
      purchasesPerYear: zDecimalText.describe('n · 365 / W'),
      lifetimeYears: zDecimalText.describe('L'),
      clv: zDecimalText.nullable().describe('G · 365 · L / W'),
      hidden: z.boolean().describe('money figures left out by the reader’s field rules (order gross margin)'),
    })
    .nullable(),
  probabilistic: z
    .object({
      x: z.number().int().describe('repeat purchase days after the first'),
      txDays: z.number().int(),
      tDays: z.number().int(),
      tx: zDecimalText.describe('t_x in time units'),
      T: zDecimalText.describe('T in time units'),
      zbar: zDecimalText.nullable().describe('mean value of a repeat purchase day'),
      timeUnitDays: z.number().int(),
      horizonUnits: z.number().int(),
      marginRate: zDecimalText,
      expectedPurchases: zDecimalText.nullable().describe('E[Y(h) | x, t_x, T] (BG/NBD)'),
      pAlive: zDecimalText.nullable().describe('P(alive | x, t_x, T) (BG/NBD)'),
      expectedSpend: zDecimalText.nullable().describe('E[Z | x, z̄] (Gamma-Gamma)'),
      clv: zDecimalText.nullable().describe('expected purchases × expected spend × margin rate'),
      hidden: z.boolean().describe('spend figures left out by the reader’s field rules (customer revenue)'),
    })
    .nullable()
    .describe('null: the customer never bought'),
  paramsRun: z.string().describe('the full run whose fitted parameters were used'),
  notFitted: z.array(
    z.object({
      part: z.enum(['bgnbd', 'gammaGamma']),
      code: z.string(),
      params: z.object({ min: z.number().int(), found: z.number().int() }),
    }),
  ),
});

export const zDecision = z.object({
  modelId: z.string(),
  modelName: z.string(),
  kind: z.enum(MODEL_KINDS),
  tierOfRecord: z.boolean(),
  modelVersion: z.number().int().nullable(),
  runId: z.string(),
  asOf: z.string(),
  tier: z.string(),
  tierName: z.string(),
  rawTier: z.string(),
  score: zDecimalText.nullable(),
  decidedBy: z.string(),
  since: z.string().nullable(),
  metrics: z.record(z.string(), z.string().nullable()),
  breakdown: z.array(zDimensionBreakdown),
  criteria: z.array(zCriteriaTrace).nullable(),
  rfm: z.unknown().nullable(),
  appliedRules: z.array(zAppliedRule),
  hysteresis: z.object({ tier: z.string(), belowCount: z.number().int() }),
  thresholds: z.array(z.object({ id: z.string(), name: z.string(), minScore: zDecimalText })).nullable(),
  boundaryRule: zLabel,
  clv: zClvResult.nullable().describe('CLV models: the values with their factors'),
});

export const zOverride = z.object({
  id: z.string(),
  modelId: z.string(),
  tier: z.string(),
  until: z.string().nullable(),
  reason: z.string(),
  approvalRequestId: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});

export const zCustomerTiering = z.object({
  customerId: z.string(),
  decisions: z.array(zDecision),
  overrides: z.array(zOverride),
});

export const zHistoryEntry = z.object({
  id: z.string(),
  modelId: z.string(),
  modelName: z.string(),
  modelVersion: z.number().int().nullable(),
  runId: z.string().nullable(),
  fromTier: z.string().nullable(),
  toTier: z.string(),
  reason: z.string(),
  decidedBy: z.string().nullable(),
  changedAt: z.string(),
});

export const zManualMetric = z.object({
  metric: z.string(),
  label: zLabel,
  kind: z.string(),
  categories: z.array(z.string()).nullable(),
  value: z.string().nullable(),
  setBy: z.string().nullable(),
  setByName: z.string().nullable(),
  setAt: zIsoDate.nullable(),
  version: z.number().int().nullable().describe('null: never set (send null to set it the first time)'),
});

export const zManualMetricsBody = z.strictObject({
  values: z
    .record(
      z.string(),
      z.strictObject({
        value: z.union([z.string().max(64), z.number(), z.null()]).describe('null clears the value'),
        version: z.number().int().min(1).nullable().describe('the version read; null when not set yet'),
      }),
    )
    .refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 20, { message: 'REQUIRED' }),
});

export const zDistribution = z.object({
  metric: z.string(),
  kind: z.enum(['number', 'category']),
  total: z.number().int().describe('live customers'),
  missing: z.number().int().describe('customers without a value'),
  min: zDecimalText.nullable(),
  max: zDecimalText.nullable(),
  breakpoints: z.array(zDecimalText).describe('b₀…b₁₀₀ as a full run would compute them'),
  buckets: z.array(
    z.object({ bucket: z.number().int(), count: z.number().int(), from: zDecimalText, to: zDecimalText }),
  ),
  categories: z.array(z.object({ value: z.string(), count: z.number().int() })),
});

export const MIGRATION_INTERVALS = ['month', 'week'] as const;
export const MIGRATION_DIRECTIONS = ['up', 'down', 'new', 'other'] as const;

/** Tenant-wide counts only (no customer data): decision 0016 "Tier counts". */
export const zTierDistribution = z.object({
  modelId: z.string(),
  lastFullRunAt: zIsoDate.nullable().describe('when the last completed full run of the model finished'),
  total: z.number().int().describe('customers with a current tier under the model'),
  items: z
    .array(z.object({ tier: z.string(), name: z.string(), count: z.number().int() }))
    .describe('the published tiers highest first (zero counts included), then any other tier still held'),
});

export const zTierMigrations = z.object({
  modelId: z.string(),
  interval: z.enum(MIGRATION_INTERVALS),
  from: z.string().describe('YYYY-MM-DD (Asia/Shanghai), inclusive'),
  to: z.string().describe('YYYY-MM-DD (Asia/Shanghai), inclusive'),
  periods: z
    .array(z.string())
    .describe('start date of every period from `from` to `to` (weeks start on Monday)'),
  tiers: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .describe('the published tiers, highest first'),
  items: z.array(
    z.object({
      period: z.string(),
      fromTier: z.string().nullable().describe('null: the customer had no tier under the model before'),
      toTier: z.string(),
      direction: z
        .enum(MIGRATION_DIRECTIONS)
        .describe('up/down against the published tier order; new: first tier; other: a tier not published'),
      count: z.number().int(),
    }),
  ),
});
