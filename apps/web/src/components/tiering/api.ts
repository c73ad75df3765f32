import type {
  AppliedRule,
  ClvModel,
  ConditionGroup,
  CriteriaModel,
  Dimension,
  RfmModel,
  TieringModel,
  TieringModelKind,
  WeightedModel,
} from '@kam/domain';
import { http, type Query } from '../../api/api';
import type { LocalizedLabel, Page } from '../../api/types';

/**
 * Client of the tiering API (apps/server/src/modules/tiering/routes.ts + schemas.ts; docs/tiering.md).
 * Model definitions travel in the shape of @kam/domain `TieringModel`.
 */
export type {
  ClvModel,
  ConditionGroup,
  CriteriaModel,
  Dimension,
  RfmModel,
  TieringModel,
  TieringModelKind,
  WeightedModel,
};

export type MetricKind = 'money' | 'count' | 'days' | 'years' | 'ratio' | 'score' | 'category';

export interface TieringMetric {
  key: string;
  kind: MetricKind;
  label: LocalizedLabel;
  windowDays: number | null;
  manual: boolean;
  categories: string[] | null;
  /** computed by the server (models may use it) */
  available: boolean;
}

export interface TierRef {
  id: string;
  name: string;
}

/** When a published model's full runs start by themselves (03:00 Beijing time). */
export const RUN_SCHEDULES = ['none', 'daily', 'weekly', 'monthly'] as const;
export type RunSchedule = (typeof RUN_SCHEDULES)[number];

export interface ModelSummary {
  id: string;
  name: string;
  description: string | null;
  kind: TieringModelKind;
  publishedVersion: number | null;
  hasDraft: boolean;
  tierOfRecord: boolean;
  schedule: RunSchedule;
  updatedAt: string;
  version: number;
}

export interface ModelVersionInfo {
  versionNo: number;
  note: string | null;
  publishedAt: string;
  publishedBy: string | null;
  publishedByName: string | null;
}

export interface ModelDetail extends ModelSummary {
  draft: TieringModel | null;
  draftUpdatedAt: string | null;
  published: TieringModel | null;
  tiers: TierRef[];
  versions: ModelVersionInfo[];
}

export type RunKind = 'full' | 'triggered' | 'simulation';
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface Run {
  id: string;
  modelId: string;
  modelName: string;
  /** null: the draft (simulations) */
  modelVersion: number | null;
  kind: RunKind;
  status: RunStatus;
  asOf: string;
  total: number | null;
  processed: number;
  changed: number;
  triggerReason: string | null;
  customerId: string | null;
  /** why it failed, in the reader's language (from the server) */
  error: string | null;
  /** its stable code (e.g. JOB_FAILED) */
  errorCode: string | null;
  requestedBy: string | null;
  requestedByName: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** One dimension of a stored result (simulation samples): in the order of the model's dimensions. */
export interface StoredDimension {
  key: string;
  value: string | null;
  missing: boolean;
  normalised: string;
  contribution: string;
}

export interface SimulationSample {
  customerId: string;
  name: string;
  score: string | null;
  rawTier: string;
  decidedBy: string;
  metrics: Record<string, string | null>;
  breakdown: unknown;
  detail: unknown;
}

export interface Simulation {
  baselineModelId: string | null;
  /** the baseline model's tiers, highest first (absent in results stored before they were recorded) */
  baselineTiers?: TierRef[];
  population: number;
  tiers: string[];
  matrix: { from: string | null; to: string; count: number }[];
  before: { tier: string | null; count: number }[];
  after: { tier: string; count: number }[];
  samples: { from: string | null; to: string; customers: SimulationSample[] }[];
}

export interface RunDetail extends Run {
  statistics: unknown;
  simulation: Simulation | null;
}

export interface TieringSettings {
  recordModelId: string | null;
  largeOrderAmount: string;
  version: number;
  updatedAt: string;
}

export interface DimensionBreakdown {
  key: string;
  name: string;
  metric: string;
  value: string | null;
  missing: boolean;
  normalised: string;
  weight: string;
  contribution: string;
}

export interface CriteriaTraceEntry {
  tier: string;
  holds: boolean;
  satisfied: number;
  required: number;
  conditions: { metric: string; op: string; value: unknown; actual: string | null; holds: boolean }[];
}

export type DecidedBy = 'threshold' | 'criteria' | 'floor' | 'cap' | 'hysteresis' | 'override' | 'rfm';

export interface Decision {
  modelId: string;
  modelName: string;
  kind: TieringModelKind;
  tierOfRecord: boolean;
  modelVersion: number | null;
  runId: string;
  asOf: string;
  tier: string;
  tierName: string;
  rawTier: string;
  score: string | null;
  decidedBy: string;
  since: string | null;
  metrics: Record<string, string | null>;
  breakdown: DimensionBreakdown[];
  criteria: CriteriaTraceEntry[] | null;
  rfm: unknown;
  appliedRules: AppliedRule[];
  hysteresis: { tier: string; belowCount: number };
  thresholds: { id: string; name: string; minScore: string }[] | null;
  boundaryRule: LocalizedLabel;
  /** CLV models: the values with their factors (decision 0019). */
  clv: ClvResult | null;
}

/** Why a part of a CLV model was not fitted by a run. */
export interface ClvNotFitted {
  part: 'bgnbd' | 'gammaGamma';
  code: string;
  params: { min: number; found: number };
}

/** One customer's CLV (null values: hidden by field rules, or not computable). */
export interface ClvResult {
  historical: {
    grossMargin: string | null;
    orders: number;
    windowDays: number;
    marginPerPurchase: string | null;
    purchasesPerYear: string;
    lifetimeYears: string;
    clv: string | null;
    /** money figures left out by the reader's field rules */
    hidden: boolean;
  } | null;
  /** null: the customer never bought */
  probabilistic: {
    x: number;
    txDays: number;
    tDays: number;
    tx: string;
    T: string;
    zbar: string | null;
    timeUnitDays: number;
    horizonUnits: number;
    marginRate: string;
    expectedPurchases: string | null;
    pAlive: string | null;
    expectedSpend: string | null;
    clv: string | null;
    /** spend figures left out by the reader's field rules */
    hidden: boolean;
  } | null;
  paramsRun: string;
  notFitted: ClvNotFitted[];
}

/** A fit stored with a CLV run (`RunDetail.statistics.clv`). */
export interface ClvStoredFit<P> {
  params: P;
  logLikelihood: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  atBound: string[];
  observations: number;
  customers: number;
  ms: number;
}

/** `RunDetail.statistics.clv` of a CLV model's full run. */
export interface ClvStatistics {
  population: number;
  buyers: number;
  repeatCustomers: number;
  spendCustomers: number;
  bgnbd: ClvStoredFit<{ r: number; alpha: number; a: number; b: number }> | null;
  gammaGamma: ClvStoredFit<{ p: number; q: number; gamma: number }> | null;
  notFitted: ClvNotFitted[];
  settings: ClvModel;
  extractMs: number;
  fitMs: number;
}

export interface TierOverride {
  id: string;
  modelId: string;
  tier: string;
  until: string | null;
  reason: string;
  approvalRequestId: string | null;
  createdBy: string | null;
  createdAt: string;
  version: number;
}

export interface CustomerTiering {
  customerId: string;
  decisions: Decision[];
  overrides: TierOverride[];
}

export interface TierHistoryEntry {
  id: string;
  modelId: string;
  modelName: string;
  modelVersion: number | null;
  runId: string | null;
  fromTier: string | null;
  toTier: string;
  reason: string;
  decidedBy: string | null;
  changedAt: string;
}

export interface ManualMetric {
  metric: string;
  label: LocalizedLabel;
  kind: string;
  categories: string[] | null;
  value: string | null;
  setBy: string | null;
  setByName: string | null;
  setAt: string | null;
  /** null: never set */
  version: number | null;
}

/** `GET /tiering/metric-distribution` (tiering.configure): a metric over today's live customers. */
export interface MetricDistribution {
  metric: string;
  kind: 'number' | 'category';
  total: number;
  missing: number;
  min: string | null;
  max: string | null;
  breakpoints: string[];
  buckets: { bucket: number; count: number; from: string; to: string }[];
  categories: { value: string; count: number }[];
}

/** `GET /tiering/models/:id/distribution`: customers per current tier (tenant-wide counts). */
export interface TierDistribution {
  modelId: string;
  lastFullRunAt: string | null;
  total: number;
  items: { tier: string; name: string; count: number }[];
}

export type MigrationInterval = 'month' | 'week';
export type MigrationDirection = 'up' | 'down' | 'new' | 'other';

/** `GET /tiering/models/:id/migrations`: tier changes per period × from-tier × to-tier. */
export interface TierMigrations {
  modelId: string;
  interval: MigrationInterval;
  from: string;
  to: string;
  periods: string[];
  tiers: { id: string; name: string }[];
  items: {
    period: string;
    fromTier: string | null;
    toTier: string;
    direction: MigrationDirection;
    count: number;
  }[];
}

export type TemplateKey = 'b2b_criteria' | 'weighted_basic' | 'rfm_classic';

const enc = encodeURIComponent;

export const tieringApi = {
  metrics: () => http.get<{ items: TieringMetric[] }>('/tiering/metrics'),
  models: (query: { kind?: TieringModelKind; cursor?: string | null; limit?: number } = {}) =>
    http.get<Page<ModelSummary>>('/tiering/models', { ...query } as Query),
  model: (id: string) => http.get<ModelDetail>(`/tiering/models/${enc(id)}`),
  create: (body: {
    name: string;
    description?: string | null;
    definition: TieringModel;
    schedule?: RunSchedule;
  }) => http.post<ModelDetail>('/tiering/models', body),
  fromTemplate: (body: { template: TemplateKey; name?: string }) =>
    http.post<ModelDetail>('/tiering/models/from-template', body),
  saveDraft: (
    id: string,
    body: {
      version: number;
      name?: string;
      description?: string | null;
      definition?: TieringModel;
      schedule?: RunSchedule;
    },
  ) => http.put<ModelDetail>(`/tiering/models/${enc(id)}/draft`, body),
  publish: (id: string, body: { version: number; note?: string | null }) =>
    http.post<ModelDetail>(`/tiering/models/${enc(id)}/publish`, body),
  startRun: (id: string) => http.post<RunDetail>(`/tiering/models/${enc(id)}/runs`, {}),
  simulate: (id: string) => http.post<RunDetail>(`/tiering/models/${enc(id)}/simulations`, {}),
  runs: (query: {
    modelId?: string;
    kind?: RunKind;
    status?: RunStatus;
    cursor?: string | null;
    limit?: number;
  }) => http.get<Page<Run>>('/tiering/runs', { ...query } as Query),
  run: (id: string) => http.get<RunDetail>(`/tiering/runs/${enc(id)}`),
  settings: () => http.get<TieringSettings>('/tiering/settings'),
  putSettings: (body: { version: number; recordModelId: string | null; largeOrderAmount: string }) =>
    http.put<TieringSettings>('/tiering/settings', body),
  customer: (customerId: string) => http.get<CustomerTiering>(`/customers/${enc(customerId)}/tiering`),
  history: (customerId: string, query: { modelId?: string; cursor?: string | null; limit?: number } = {}) =>
    http.get<Page<TierHistoryEntry>>(`/customers/${enc(customerId)}/tier-history`, { ...query } as Query),
  manualMetrics: (customerId: string) =>
    http.get<{ items: ManualMetric[] }>(`/customers/${enc(customerId)}/manual-metrics`),
  setManualMetrics: (
    customerId: string,
    values: Record<string, { value: string | number | null; version: number | null }>,
  ) => http.patch<{ items: ManualMetric[] }>(`/customers/${enc(customerId)}/manual-metrics`, { values }),
  revokeOverride: (id: string, version: number) => http.del(`/tier-overrides/${enc(id)}`, { version }),
  metricDistribution: (metric: string, bins = 30) =>
    http.get<MetricDistribution>('/tiering/metric-distribution', { metric, bins }),
  distribution: (id: string) => http.get<TierDistribution>(`/tiering/models/${enc(id)}/distribution`),
  migrations: (id: string, query: { from?: string; to?: string; interval?: MigrationInterval } = {}) =>
    http.get<TierMigrations>(`/tiering/models/${enc(id)}/migrations`, { ...query } as Query),
};

/** Polls a run until it is completed or failed (progress via `onProgress`). Stops when `signal` aborts. */
export async function pollRun(
  id: string,
  onProgress: (run: RunDetail) => void,
  signal: AbortSignal,
  intervalMs = 700,
): Promise<RunDetail> {
  for (;;) {
    const run = await tieringApi.run(id);
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    onProgress(run);
    if (run.status === 'completed' || run.status === 'failed') return run;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
  }
}

export type { ConditionGroup as TierConditionGroup };
