/**
 * Use cases of scientific tiering (科学分级, decision 0016): models (draft → immutable published
 * versions, templates, the tier of record), runs (full / simulation through the job queue), the
 * breakdown and history of one customer, manual metrics and overrides.
 *
 * Permissions: route-level `tiering.view` / `tiering.create` (run) / `tiering.configure`; everything
 * about one customer goes through `customerFor` (data scope or account team), so a user only ever sees
 * breakdowns of customers they may see. Manual metrics are scoped like a customer edit.
 */
import { randomUUID } from 'node:crypto';
import {
  B2B_CRITERIA_TEMPLATE,
  type DomainIssue,
  effectiveFieldRules,
  errorMessage,
  type Locale,
  THRESHOLD_BOUNDARY_RULE,
  type TieringModel,
  tieringMetric,
  toDec,
  todayInShanghai,
  validateTieringModel,
} from '@kam/domain';
import { customerFor } from '../../access/customer-guard.js';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { decodeCursor, encodeCursor } from '../../http/schemas.js';
import { failureMessage } from '../../jobs/failure.js';
import type { JobQueue } from '../../jobs/queue.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import { presentClvDecision } from './clv-run.js';
import { MANUAL_METRICS, METRIC_SQL, metricCatalogue, metricsSql } from './metrics.js';
import {
  appliedRules,
  presentBreakdown,
  presentCriteria,
  resultDocuments,
  type StoredDimension,
  tierName,
} from './present.js';
import * as repo from './repo.js';
import {
  namedTiers,
  rescoreCustomers,
  runnableModel,
  type SimulationResult,
  setForManyCustomers,
  tierIds,
} from './runner.js';
import type { RunSchedule } from './schemas.js';

export const TIERING_RUN_JOB = 'tiering.run';
export const TIERING_SIMULATE_JOB = 'tiering.simulate';
export const TIERING_TRIGGERED_JOB = 'tiering.triggered';

export interface RunJobData {
  tenantId: string;
  runId: string;
}
export interface TriggeredJobData {
  tenantId?: string;
}

const today = (ctx: ServiceContext) => todayInShanghai(ctx.now);

// ——— validation ————————————————————————————————————————————————————————————————————————————

function fields(ctx: ServiceContext, prefix: string, issues: DomainIssue[]): FieldError[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path].join('.'),
    code: i.code,
    message: errorMessage(i.code, ctx.actor.locale, i.params),
    ...(i.params ? { params: { ...i.params } } : {}),
  }));
}

/**
 * The definition validated by the domain, plus what only the server knows: every metric a model reads
 * must be computed by the server (metrics.ts), numeric normalisers and ordering conditions need a
 * numeric metric, percentile ranks a numeric one.
 */
export function validateDefinition(
  ctx: ServiceContext,
  input: unknown,
  prefix = 'body.definition',
): TieringModel {
  const v = validateTieringModel(input);
  if (!v.ok) throw new AppError('VALIDATION_FAILED', {}, { fields: fields(ctx, prefix, v.issues) });
  const model = v.value;
  if (model.kind === 'clv') return model;
  const issues: DomainIssue[] = [];
  const need = (metric: string, path: (string | number)[], numeric: boolean) => {
    const sql = METRIC_SQL[metric];
    if (!sql || !tieringMetric(metric))
      issues.push({ path, code: 'TIERING_METRIC_UNAVAILABLE', params: { metric } });
    else if (numeric && sql.type !== 'numeric')
      issues.push({ path, code: 'TIERING_METRIC_UNAVAILABLE', params: { metric } });
  };
  const group = (when: { conditions: { metric: string; op: string }[] }, path: (string | number)[]) => {
    for (const [i, c] of when.conditions.entries()) {
      need(c.metric, [...path, 'when', 'conditions', i, 'metric'], ['gt', 'gte', 'lt', 'lte'].includes(c.op));
    }
  };
  if (model.kind === 'rfm') {
    for (const k of ['recency', 'frequency', 'monetary'] as const)
      need(model.metrics[k], ['metrics', k], true);
  } else {
    if (model.kind === 'weighted') {
      for (const [i, d] of model.dimensions.entries()) {
        need(d.metric, ['dimensions', i, 'metric'], d.normaliser.kind !== 'category');
      }
    } else {
      for (const [i, t] of model.tiers.entries()) group(t.when, ['tiers', i]);
    }
    for (const [i, r] of model.floors.entries()) group(r.when, ['floors', i]);
    for (const [i, r] of model.caps.entries()) group(r.when, ['caps', i]);
  }
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', {}, { fields: fields(ctx, prefix, issues) });
  return model;
}

// ——— metric distributions (the model editor's histogram) ——————————————————————————————————————

/**
 * How a metric is distributed over the tenant's live customers today: numbers as a histogram of `bins`
 * equal-width buckets between the minimum and the maximum, with the percentile breakpoints a run would
 * use; categories as counts per value. One set-based statement; for people who configure models.
 */
export async function metricDistribution(ctx: ServiceContext, q: { metric: string; bins: number }) {
  const sql = METRIC_SQL[q.metric];
  if (!sql) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: fields(ctx, 'querystring', [
          { path: ['metric'], code: 'TIERING_METRIC_UNAVAILABLE', params: { metric: q.metric } },
        ]),
      },
    );
  }
  return inTenant(ctx, async (tx) => {
    await setForManyCustomers(tx);
    const p = new Params();
    const m = metricsSql([q.metric], { asOf: today(ctx), customers: { kind: 'all' } }, p);
    const v = `m."${q.metric}"`;
    if (sql.type === 'text') {
      const { rows } = await tx.query<{ value: string | null; count: number }>(
        `WITH m AS MATERIALIZED (${m}) SELECT ${v} AS value, count(*)::int AS count FROM m GROUP BY 1 ORDER BY 2 DESC, 1`,
        p.values,
      );
      const present = rows.filter((r) => r.value !== null);
      return {
        metric: q.metric,
        kind: 'category' as const,
        total: rows.reduce((s, r) => s + r.count, 0),
        missing: rows.find((r) => r.value === null)?.count ?? 0,
        min: null,
        max: null,
        breakpoints: [],
        buckets: [],
        categories: present.map((r) => ({ value: r.value as string, count: r.count })),
      };
    }
    const bins = p.add(q.bins);
    const { rows } = await tx.query<{
      total: number;
      n: number;
      lo: string | null;
      hi: string | null;
      breakpoints: string[];
      buckets: { bucket: number; count: number; from: string; to: string }[] | null;
    }>(
      `WITH m AS MATERIALIZED (${m}),
       s AS (SELECT count(*)::int AS total, count(${v})::int AS n, min(${v}) AS lo, max(${v}) AS hi FROM m)
       SELECT s.total, s.n, s.lo::text AS lo, s.hi::text AS hi,
         (SELECT coalesce(array_agg(r.v::text ORDER BY g.i), '{}'::text[])
            FROM generate_series(0, 100) g(i)
            JOIN (SELECT ${v} AS v, row_number() OVER (ORDER BY ${v}) AS rn, count(*) OVER () AS c FROM m
                  WHERE ${v} IS NOT NULL) r ON r.rn = (2 * (r.c - 1) * g.i + 100) / 200 + 1) AS breakpoints,
         (SELECT jsonb_agg(jsonb_build_object('bucket', h.b, 'count', h.c,
                   'from', round(s.lo + (s.hi - s.lo) * (h.b - 1) / ${bins}::int, 2)::text,
                   'to', round(s.lo + (s.hi - s.lo) * h.b / ${bins}::int, 2)::text) ORDER BY h.b)
            FROM (SELECT CASE WHEN s.hi = s.lo THEN 1 ELSE least(width_bucket(${v}, s.lo, s.hi, ${bins}::int), ${bins}::int) END AS b,
                         count(*)::int AS c
                  FROM m WHERE ${v} IS NOT NULL GROUP BY 1) h) AS buckets
       FROM s`,
      p.values,
    );
    const r = rows[0]!;
    return {
      metric: q.metric,
      kind: 'number' as const,
      total: r.total,
      missing: r.total - r.n,
      min: r.lo,
      max: r.hi,
      breakpoints: r.breakpoints,
      buckets: r.buckets ?? [],
      categories: [],
    };
  });
}

// ——— models ———————————————————————————————————————————————————————————————————————————————

export function listMetrics() {
  return { items: metricCatalogue() };
}

function presentSummary(row: repo.ModelRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    publishedVersion: row.published_version,
    hasDraft: row.draft !== null,
    tierOfRecord: row.tier_of_record,
    schedule: row.schedule,
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

function tiersOf(definition: Record<string, unknown> | null): { id: string; name: string }[] {
  if (!definition) return [];
  const v = validateTieringModel(definition);
  if (!v.ok || v.value.kind === 'clv') return [];
  return namedTiers(v.value);
}

async function presentDetail(tx: Tx, row: repo.ModelRow) {
  const versions = await repo.selectVersions(tx, row.id);
  return {
    ...presentSummary(row),
    draft: row.draft,
    draftUpdatedAt: row.draft_updated_at?.toISOString() ?? null,
    published: row.published,
    tiers: tiersOf(row.published ?? row.draft),
    versions: versions.map((v) => ({
      versionNo: v.version_no,
      note: v.note,
      publishedAt: v.published_at.toISOString(),
      publishedBy: v.published_by,
      publishedByName: v.published_by_name,
    })),
  };
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** A list's cursor: two text parts (sort key and id), or a 400 on the cursor field. */
function pageCursor(ctx: ServiceContext, cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  const raw = decodeCursor(cursor, 2);
  if (!raw?.every(isText)) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: [
          {
            path: 'querystring.cursor',
            code: 'OUT_OF_RANGE',
            message: errorMessage('OUT_OF_RANGE', ctx.actor.locale),
          },
        ],
      },
    );
  }
  return raw as [string, string];
}

export async function listModels(ctx: ServiceContext, q: { kind?: string; cursor?: string; limit: number }) {
  const after = pageCursor(ctx, q.cursor);
  const rows = await inTenant(ctx, (tx) => repo.selectModels(tx, { kind: q.kind, after, limit: q.limit }));
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(presentSummary),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}

async function modelOr404(tx: Tx, id: string, lock = false): Promise<repo.ModelRow> {
  const row = await repo.selectModel(tx, id, lock);
  if (!row) throw new AppError('NOT_FOUND');
  return row;
}

export async function getModel(ctx: ServiceContext, id: string) {
  return inTenant(ctx, async (tx) => presentDetail(tx, await modelOr404(tx, id)));
}

function nameTaken(err: unknown): boolean {
  return (err as { code?: string; constraint?: string })?.constraint === 'tier_models_name_key';
}

export async function createModel(
  ctx: ServiceContext,
  body: { name: string; description?: string | null; definition: unknown; schedule?: RunSchedule },
) {
  const model = validateDefinition(ctx, body.definition);
  const id = randomUUID();
  try {
    return await inTenant(ctx, async (tx) => {
      await repo.insertModel(tx, {
        id,
        name: body.name,
        description: body.description ?? null,
        kind: model.kind,
        draft: model,
        schedule: body.schedule ?? 'daily',
        userId: ctx.actor.userId,
      });
      await writeAudit(tx, auditWho(ctx), {
        action: 'tiering_model.create',
        entityType: 'tier_model',
        entityId: id,
        details: { name: body.name, kind: model.kind },
      });
      return presentDetail(tx, await modelOr404(tx, id));
    });
  } catch (err) {
    if (nameTaken(err)) throw new AppError('TIERING_MODEL_NAME_TAKEN');
    throw err;
  }
}

/** A weighted model with five data dimensions and the manual strategic value: A ≥ 80, B ≥ 60, C ≥ 40, D. */
export const WEIGHTED_TEMPLATE = {
  kind: 'weighted',
  dimensions: [
    {
      key: 'contribution',
      name: '贡献度',
      metric: 'revenue_12m',
      normaliser: { kind: 'percentile' },
      weight: '30',
    },
    {
      key: 'growth',
      name: '成长性',
      metric: 'revenue_growth',
      normaliser: { kind: 'linear', min: '-0.2', max: '0.5' },
      weight: '15',
      missingScore: '30',
    },
    {
      key: 'loyalty',
      name: '忠诚度',
      metric: 'repurchase_rate',
      normaliser: { kind: 'linear', min: '0', max: '0.75' },
      weight: '20',
    },
    {
      key: 'activity',
      name: '活跃度',
      metric: 'follow_ups_90d',
      normaliser: { kind: 'linear', min: '0', max: '6' },
      weight: '15',
    },
    {
      key: 'strategic',
      name: '战略价值',
      metric: 'strategic_value',
      normaliser: { kind: 'linear', min: '1', max: '5' },
      weight: '20',
      missingScore: '25',
    },
  ],
  tiers: [
    { id: 'A', name: 'A', minScore: '80' },
    { id: 'B', name: 'B', minScore: '60' },
    { id: 'C', name: 'C', minScore: '40' },
    { id: 'D', name: 'D', minScore: '0' },
  ],
};

const TEMPLATES = {
  b2b_criteria: { name: '大客户分级（B2B 模板）', definition: B2B_CRITERIA_TEMPLATE },
  weighted_basic: { name: '加权评分（A/B/C/D 模板）', definition: WEIGHTED_TEMPLATE },
  rfm_classic: { name: 'RFM 客户分群', definition: { kind: 'rfm' } },
} as const;

export async function createFromTemplate(
  ctx: ServiceContext,
  body: { template: keyof typeof TEMPLATES; name?: string },
) {
  const t = TEMPLATES[body.template];
  return createModel(ctx, { name: body.name ?? t.name, definition: t.definition });
}

export async function saveDraft(
  ctx: ServiceContext,
  id: string,
  body: {
    version: number;
    name?: string;
    description?: string | null;
    definition?: unknown;
    schedule?: RunSchedule;
  },
) {
  const model = body.definition === undefined ? undefined : validateDefinition(ctx, body.definition);
  try {
    return await inTenant(ctx, async (tx) => {
      const row = await modelOr404(tx, id, true);
      if (row.version !== body.version)
        throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
      if (model && model.kind !== row.kind) {
        throw new AppError(
          'VALIDATION_FAILED',
          {},
          {
            fields: fields(ctx, 'body.definition', [{ path: ['kind'], code: 'TIERING_MODEL_KIND_FIXED' }]),
          },
        );
      }
      await repo.updateModel(tx, id, body.version, {
        name: body.name,
        description: body.description,
        draft: model,
        schedule: body.schedule,
        userId: ctx.actor.userId,
      });
      const after = await modelOr404(tx, id);
      await writeAudit(tx, auditWho(ctx), {
        action: 'tiering_model.edit',
        entityType: 'tier_model',
        entityId: id,
        changes: diffChanges(
          { name: row.name, description: row.description, schedule: row.schedule, draft: row.draft },
          { name: after.name, description: after.description, schedule: after.schedule, draft: after.draft },
          ['name', 'description', 'schedule', 'draft'],
        ),
      });
      return presentDetail(tx, after);
    });
  } catch (err) {
    if (nameTaken(err)) throw new AppError('TIERING_MODEL_NAME_TAKEN');
    throw err;
  }
}

export async function publishModel(
  ctx: ServiceContext,
  id: string,
  body: { version: number; note?: string | null },
) {
  return inTenant(ctx, async (tx) => {
    const row = await modelOr404(tx, id, true);
    if (row.version !== body.version)
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
    if (row.draft === null) throw new AppError('TIERING_NO_DRAFT');
    validateDefinition(ctx, row.draft, 'draft');
    const versionNo = await repo.publishDraft(tx, id, ctx.actor.userId, body.note ?? null);
    await writeAudit(tx, auditWho(ctx), {
      action: 'tiering_model.publish',
      entityType: 'tier_model',
      entityId: id,
      details: { versionNo, note: body.note ?? null },
    });
    return presentDetail(tx, await modelOr404(tx, id));
  });
}

// ——— runs —————————————————————————————————————————————————————————————————————————————————

type RunRow = repo.RunListRow;

function presentRun(r: RunRow, locale: Locale) {
  return {
    id: r.id,
    modelId: r.model_id,
    modelName: r.model_name,
    modelVersion: r.model_version,
    kind: r.kind,
    status: r.status,
    asOf: r.as_of,
    total: r.total,
    processed: r.processed,
    changed: r.changed,
    triggerReason: r.trigger_reason,
    customerId: r.customer_id,
    error: failureMessage(r, locale),
    errorCode: r.error_code,
    requestedBy: r.requested_by,
    requestedByName: r.requested_by_name,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

function presentRunDetail(r: RunRow, hidden: ReadonlySet<string>, locale: Locale) {
  const result = r.kind === 'simulation' ? ((r.result as SimulationResult | null) ?? null) : null;
  return {
    ...presentRun(r, locale),
    statistics: r.statistics ?? null,
    simulation: result && hidden.size > 0 ? redactSamples(result, r.definition, hidden) : result,
  };
}

/** Sample customers of a simulation without the figures the actor's field rules hide (see `hiddenMetrics`). */
function redactSamples(
  result: SimulationResult,
  definition: unknown,
  hidden: ReadonlySet<string>,
): SimulationResult {
  const v = validateTieringModel(definition);
  const dims = v.ok && v.value.kind === 'weighted' ? v.value.dimensions.map((d) => d.metric) : [];
  return {
    ...result,
    samples: result.samples.map((cell) => ({
      ...cell,
      customers: cell.customers.map((c) => ({
        ...c,
        metrics: Object.fromEntries(Object.entries(c.metrics).map(([k, x]) => [k, hidden.has(k) ? null : x])),
        breakdown: Array.isArray(c.breakdown)
          ? (c.breakdown as StoredDimension[]).map((d, i) =>
              hidden.has(dims[i] ?? '') ? { ...d, value: null } : d,
            )
          : c.breakdown,
      })),
    })),
  };
}

/**
 * Starts a full run of the published version (`kind: 'full'`) or a simulation of the draft (or, without
 * a draft, of the published version). The run row is written here; the job queue executes it, so the
 * request returns at once (202) and HTTP keeps serving.
 */
export async function startRun(ctx: ServiceContext, jobs: JobQueue, id: string, kind: 'full' | 'simulation') {
  const run = await queueRun(ctx, id, kind);
  await jobs.send<RunJobData>(
    kind === 'full' ? TIERING_RUN_JOB : TIERING_SIMULATE_JOB,
    { tenantId: ctx.actor.tenantId, runId: run.id },
    { singletonKey: run.id, retryLimit: 0 },
  );
  return presentRunDetail(run, hiddenMetrics(ctx.actor), ctx.actor.locale);
}

/**
 * A run of the model's published version (`full`) or of its draft (`simulation`), queued — validated,
 * recorded and audited — for a worker to execute (`startRun` hands it to the job queue).
 */
export async function queueRun(ctx: ServiceContext, id: string, kind: 'full' | 'simulation') {
  const runId = randomUUID();
  return inTenant(ctx, async (tx) => {
    const row = await modelOr404(tx, id, true);
    const definition = kind === 'full' ? row.published : (row.draft ?? row.published);
    if (!definition) throw new AppError(kind === 'full' ? 'TIERING_NOT_PUBLISHED' : 'TIERING_NO_DRAFT');
    // a CLV model has no tiers: no migration matrix to preview (decision 0019)
    if (row.kind === 'clv' && kind === 'simulation') throw new AppError('TIERING_SIMULATION_UNSUPPORTED');
    validateDefinition(ctx, definition, kind === 'full' ? 'published' : 'draft');
    await repo.failAbandonedRuns(tx, id);
    if (await repo.activeRunOf(tx, id, kind)) throw new AppError('TIERING_RUN_IN_PROGRESS');
    const version = kind === 'full' || row.draft === null ? row.published_version : null;
    await repo.insertRun(tx, {
      id: runId,
      modelId: id,
      modelVersion: version,
      definition,
      kind,
      asOf: today(ctx),
      userId: ctx.actor.userId,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: kind === 'full' ? 'tiering_run.start' : 'tiering_run.simulate',
      entityType: 'tier_run',
      entityId: runId,
      details: { modelId: id, modelVersion: version },
    });
    return (await repo.selectRun(tx, runId))!;
  });
}

export async function listRuns(
  ctx: ServiceContext,
  q: { modelId?: string; kind?: string; status?: string; cursor?: string; limit: number },
) {
  const after = pageCursor(ctx, q.cursor);
  const rows = await inTenant(ctx, (tx) => repo.selectRuns(tx, { ...q, after }));
  const page = rows.slice(0, q.limit);
  const last = page.at(-1) as (RunRow & { cursor_at: string }) | undefined;
  return {
    items: page.map((r) => presentRun(r, ctx.actor.locale)),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.cursor_at, last.id]) : null,
  };
}

export async function getRun(ctx: ServiceContext, id: string) {
  return inTenant(ctx, async (tx) => {
    const r = await repo.selectRun(tx, id);
    if (!r) throw new AppError('NOT_FOUND');
    return presentRunDetail(r, hiddenMetrics(ctx.actor), ctx.actor.locale);
  });
}

// ——— tier counts: distribution and migrations (tenant-wide aggregates, decision 0016) ————————————

function publishedTiers(ctx: ServiceContext, row: repo.ModelRow): { id: string; name: string }[] {
  if (!row.published || row.kind === 'clv') return [];
  return namedTiers(runnableModel(row.published), ctx.actor.locale === 'en' ? 'en' : 'zh-CN');
}

/** Customers per current tier of a model: one GROUP BY over `tier_current` (index `tier_current_tier_idx`). */
export async function modelDistribution(ctx: ServiceContext, id: string) {
  return inTenant(ctx, async (tx) => {
    const model = await modelOr404(tx, id);
    const { rows } = await tx.query<{ tier: string; count: number }>(
      `SELECT tier, count(*)::int AS count FROM tier_current
       WHERE tenant_id = kam_tenant() AND model_id = $1 GROUP BY tier ORDER BY tier`,
      [id],
    );
    const { rows: last } = await tx.query<{ finished_at: Date | null }>(
      `SELECT max(finished_at) AS finished_at FROM tier_runs
       WHERE tenant_id = kam_tenant() AND model_id = $1 AND kind = 'full' AND status = 'completed'`,
      [id],
    );
    const counts = new Map(rows.map((r) => [r.tier, r.count]));
    const tiers = publishedTiers(ctx, model);
    const known = new Set(tiers.map((t) => t.id));
    const items = [
      ...tiers.map((t) => ({ tier: t.id, name: t.name, count: counts.get(t.id) ?? 0 })),
      ...rows.filter((r) => !known.has(r.tier)).map((r) => ({ tier: r.tier, name: r.tier, count: r.count })),
    ];
    return {
      modelId: id,
      lastFullRunAt: last[0]?.finished_at?.toISOString() ?? null,
      total: rows.reduce((n, r) => n + r.count, 0),
      items,
    };
  });
}

/** `to` minus 11 periods (month: the first of the month; week: the same weekday), as YYYY-MM-DD. */
function defaultFrom(to: string, interval: 'month' | 'week'): string {
  const d = new Date(`${to}T00:00:00Z`);
  if (interval === 'month')
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 11, 1)).toISOString().slice(0, 10);
  return new Date(d.getTime() - 77 * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Tier changes of a model per period (Asia/Shanghai dates) × from-tier × to-tier, from `tier_history`
 * (index `tier_history_model_idx`: model, time), with the direction against the published tier order.
 */
export async function modelMigrations(
  ctx: ServiceContext,
  id: string,
  q: { from?: string | undefined; to?: string | undefined; interval: 'month' | 'week' },
) {
  const to = q.to ?? today(ctx);
  const from = q.from ?? defaultFrom(to, q.interval);
  if (from > to) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      { fields: fields(ctx, 'querystring', [{ path: ['to'], code: 'DATE_RANGE_INVALID' }]) },
    );
  }
  return inTenant(ctx, async (tx) => {
    const model = await modelOr404(tx, id);
    const { rows: periods } = await tx.query<{ period: string }>(
      `SELECT to_char(g, 'YYYY-MM-DD') AS period
       FROM generate_series(date_trunc($1, $2::date::timestamp), date_trunc($1, $3::date::timestamp),
                            ('1 ' || $1)::interval) g`,
      [q.interval, from, to],
    );
    const { rows } = await tx.query<{
      period: string;
      from_tier: string | null;
      to_tier: string;
      count: number;
    }>(
      `SELECT to_char(date_trunc($4, h.changed_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS period,
              h.from_tier, h.to_tier, count(*)::int AS count
       FROM tier_history h
       WHERE h.tenant_id = kam_tenant() AND h.model_id = $1
         AND h.changed_at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')
         AND h.changed_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
       GROUP BY 1, 2, 3
       ORDER BY 1, 2 NULLS FIRST, 3`,
      [id, from, to, q.interval],
    );
    const tiers = publishedTiers(ctx, model);
    const rank = new Map(tiers.map((t, i) => [t.id, i]));
    const direction = (a: string | null, b: string): 'up' | 'down' | 'new' | 'other' => {
      if (a === null) return 'new';
      const ra = rank.get(a);
      const rb = rank.get(b);
      if (ra === undefined || rb === undefined || ra === rb) return 'other';
      return rb < ra ? 'up' : 'down';
    };
    return {
      modelId: id,
      interval: q.interval,
      from,
      to,
      periods: periods.map((p) => p.period),
      tiers,
      items: rows.map((r) => ({
        period: r.period,
        fromTier: r.from_tier,
        toTier: r.to_tier,
        direction: direction(r.from_tier, r.to_tier),
        count: r.count,
      })),
    };
  });
}

// ——— settings ————————————————————————————————————————————————————————————————————————————

function presentSettings(s: repo.SettingsRow) {
  return {
    recordModelId: s.record_model_id,
    largeOrderAmount: s.large_order_amount,
    version: s.version,
    updatedAt: s.updated_at.toISOString(),
  };
}

export async function getSettings(ctx: ServiceContext) {
  return inTenant(ctx, async (tx) => presentSettings(await repo.selectSettings(tx)));
}

export async function putSettings(
  ctx: ServiceContext,
  body: { version: number; recordModelId: string | null; largeOrderAmount: string },
) {
  return inTenant(ctx, async (tx) => {
    const before = await repo.selectSettings(tx, true);
    if (before.version !== body.version)
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    if (body.recordModelId !== null) {
      const m = await repo.selectModel(tx, body.recordModelId);
      if (!m || m.published_version === null || (m.kind !== 'weighted' && m.kind !== 'criteria')) {
        throw new AppError(
          'TIERING_RECORD_MODEL_INVALID',
          {},
          {
            fields: [
              {
                path: 'body.recordModelId',
                code: 'TIERING_RECORD_MODEL_INVALID',
                message: errorMessage('TIERING_RECORD_MODEL_INVALID', ctx.actor.locale),
              },
            ],
          },
        );
      }
    }
    await repo.updateSettings(tx, body.version, {
      recordModelId: body.recordModelId,
      largeOrderAmount: body.largeOrderAmount,
      userId: ctx.actor.userId,
    });
    const after = await repo.selectSettings(tx);
    await writeAudit(tx, auditWho(ctx), {
      action: 'tiering_settings.edit',
      entityType: 'tier_settings',
      entityId: ctx.actor.tenantId,
      changes: diffChanges(
        { recordModelId: before.record_model_id, largeOrderAmount: before.large_order_amount },
        { recordModelId: after.record_model_id, largeOrderAmount: after.large_order_amount },
        ['recordModelId', 'largeOrderAmount'],
      ),
    });
    return presentSettings(after);
  });
}

// ——— one customer ————————————————————————————————————————————————————————————————————————————

/** A stored result as the decision the domain would describe. */
/**
 * Metrics that show a field a field rule may hide (or mask): revenue figures are the customer's
 * `revenue12m`, the margin is the order's `grossMargin`. Their values are left out of a breakdown for
 * an actor whose rules hide or mask the field (the scores derived from them stay: they are the tier's
 * explanation, not the figure).
 */
const GUARDED_METRICS: Record<string, { resource: 'customer' | 'order'; field: string }> = {
  revenue_12m: { resource: 'customer', field: 'revenue12m' },
  revenue_growth: { resource: 'customer', field: 'revenue12m' },
  avg_order_value: { resource: 'customer', field: 'revenue12m' },
  gross_margin: { resource: 'order', field: 'grossMargin' },
  // CLV (clv-run.ts): the historical value is margins, the expected value spend
  clv_historical: { resource: 'order', field: 'grossMargin' },
  clv_expected: { resource: 'customer', field: 'revenue12m' },
};

export function hiddenMetrics(actor: ServiceContext['actor']): Set<string> {
  const hidden = new Set<string>();
  const rules = {
    customer: effectiveFieldRules(actor, 'customer'),
    order: effectiveFieldRules(actor, 'order'),
  };
  for (const [metric, g] of Object.entries(GUARDED_METRICS)) {
    const rule = rules[g.resource][g.field];
    if (rule === 'hidden' || rule === 'masked') hidden.add(metric);
  }
  return hidden;
}

export function presentDecision(
  row: repo.ResultRow,
  locale: 'zh-CN' | 'en',
  hidden: ReadonlySet<string> = new Set(),
) {
  // CLV results keep their documents (clv-run.ts)
  if (row.kind === 'clv') return presentClvDecision({ ...row, metrics: row.metrics ?? {} }, locale, hidden);
  const model = runnableModel(row.definition);
  const stored = resultDocuments(model, row);
  const detail = stored.detail;
  const metrics = Object.fromEntries(
    Object.entries(stored.metrics).map(([k, v]) => [k, hidden.has(k) ? null : v]),
  ) as Record<string, string | null>;
  const base = {
    modelId: row.model_id,
    modelName: row.model_name,
    kind: row.kind,
    tierOfRecord: row.tier_of_record,
    modelVersion: row.model_version,
    runId: row.run_id,
    asOf: row.as_of,
    tier: row.tier,
    tierName: tierName(model, row.tier, locale),
    rawTier: row.raw_tier,
    score: row.score,
    decidedBy: row.decided_by,
    since: row.since?.toISOString() ?? null,
    metrics,
    hysteresis: { tier: row.held_tier ?? row.tier, belowCount: row.below_count ?? 0 },
    boundaryRule: THRESHOLD_BOUNDARY_RULE,
    clv: null,
  };
  if (model.kind === 'rfm') {
    return {
      ...base,
      breakdown: [],
      criteria: null,
      rfm: stored.breakdown,
      appliedRules: [],
      thresholds: null,
    };
  }
  return {
    ...base,
    breakdown:
      model.kind === 'weighted'
        ? presentBreakdown(model, stored.breakdown as StoredDimension[]).map((d) =>
            hidden.has(d.metric) ? { ...d, value: null } : d,
          )
        : [],
    criteria: model.kind === 'criteria' ? presentCriteria(model, detail, metrics) : null,
    rfm: null,
    appliedRules: appliedRules(model, row.raw_tier, detail) as unknown as { kind: string }[],
    thresholds: model.kind === 'weighted' ? model.tiers.map((t) => ({ ...t })) : null,
  };
}

function presentOverride(o: repo.OverrideRow) {
  return {
    id: o.id,
    modelId: o.model_id,
    tier: o.tier,
    until: o.until,
    reason: o.reason,
    approvalRequestId: o.approval_request_id,
    createdBy: o.created_by,
    createdAt: o.created_at.toISOString(),
    version: o.version,
  };
}

/** "Why is this customer B?": the latest result of every model, with breakdown, rules and overrides. */
export async function customerTiering(ctx: ServiceContext, customerId: string) {
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'view');
    const rows = await repo.selectResults(tx, customerId);
    const overrides = await repo.selectLiveOverrides(tx, customerId);
    return {
      customerId,
      decisions: rows.map((r) =>
        presentDecision(r, ctx.actor.locale === 'en' ? 'en' : 'zh-CN', hiddenMetrics(ctx.actor)),
      ),
      overrides: overrides.map(presentOverride),
    };
  });
}

export async function customerTierHistory(
  ctx: ServiceContext,
  customerId: string,
  q: { modelId?: string; cursor?: string; limit: number },
) {
  const after = pageCursor(ctx, q.cursor);
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'view');
    const rows = await repo.selectHistory(tx, customerId, { ...q, after });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((h) => ({
        id: h.id,
        modelId: h.model_id,
        modelName: h.model_name,
        modelVersion: h.model_version,
        runId: h.run_id,
        fromTier: h.from_tier,
        toTier: h.to_tier,
        reason: h.reason,
        decidedBy: h.decided_by,
        changedAt: h.changed_at.toISOString(),
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.cursor_at, last.id]) : null,
    };
  });
}

// ——— manual metrics ——————————————————————————————————————————————————————————————————————————

function presentManual(rows: repo.ManualMetricRow[]) {
  const byKey = new Map(rows.map((r) => [r.metric, r]));
  return {
    items: MANUAL_METRICS.map((m) => {
      const r = byKey.get(m.key);
      return {
        metric: m.key,
        label: m.label,
        kind: m.kind,
        categories: m.categories ? [...m.categories] : null,
        value: r?.value ?? null,
        setBy: r?.set_by ?? null,
        setByName: r?.set_by_name ?? null,
        setAt: r?.set_at.toISOString() ?? null,
        version: r?.version ?? null,
      };
    }),
  };
}

export async function getManualMetrics(ctx: ServiceContext, customerId: string) {
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'view');
    return presentManual(await repo.selectManualMetrics(tx, customerId));
  });
}

/** The stored text of a manual metric value, or the field error. Strategic value: integer 1–5. */
function manualValue(key: string, value: string | number): string | null {
  const def = MANUAL_METRICS.find((m) => m.key === key);
  if (!def) return null;
  if (def.kind === 'category') {
    return typeof value === 'string' && def.categories?.includes(value) ? value : null;
  }
  const d = toDec(value);
  if (d === null || (d.scale > 0 && d.units % 10n ** BigInt(d.scale) !== 0n)) return null;
  const n = Number(d.units / 10n ** BigInt(d.scale));
  return Number.isInteger(n) && n >= 1 && n <= 5 ? String(n) : null;
}

/**
 * Sets (or clears, with `null`) manual metrics of a customer the actor may edit. Each value carries the
 * version it was read with (null: not set yet): a stale one answers 409. The customer is queued for a
 * triggered re-score, run by a job right after the change commits.
 */
export async function setManualMetrics(
  ctx: ServiceContext,
  jobs: JobQueue,
  customerId: string,
  body: { values: Record<string, { value: string | number | null; version: number | null }> },
) {
  const errors: FieldError[] = [];
  const normalised: [string, string | null, number | null][] = [];
  for (const [key, { value, version }] of Object.entries(body.values)) {
    const path = `body.values.${key}`;
    if (!MANUAL_METRICS.some((m) => m.key === key)) {
      errors.push({
        path,
        code: 'UNKNOWN_PROPERTY',
        message: errorMessage('UNKNOWN_PROPERTY', ctx.actor.locale, { name: key }),
        params: { name: key },
      });
      continue;
    }
    const text = value === null ? null : manualValue(key, value);
    if (value !== null && text === null) {
      errors.push({
        path: `${path}.value`,
        code: 'INVALID_VALUE',
        message: errorMessage('INVALID_VALUE', ctx.actor.locale),
      });
      continue;
    }
    normalised.push([key, text, version]);
  }
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', {}, { fields: errors });
  const result = await inTenant(ctx, async (tx) => {
    // the customer's row lock serialises concurrent changes of its manual metrics (versions checked after it)
    await customerFor(tx, ctx.actor, customerId, 'customer', 'edit', { lock: 'update' });
    const before = await repo.selectManualMetrics(tx, customerId);
    const byKey = new Map(before.map((r) => [r.metric, r]));
    for (const [key, , version] of normalised) {
      const current = byKey.get(key)?.version ?? null;
      if (current !== version)
        throw new AppError('VERSION_CONFLICT', {}, { metric: key, currentVersion: current });
    }
    const changes = [];
    for (const [key, text] of normalised) {
      const old = byKey.get(key)?.value ?? null;
      if (old === text) continue;
      if (text === null) await repo.deleteManualMetric(tx, customerId, key);
      else await repo.upsertManualMetric(tx, customerId, key, text, ctx.actor.userId);
      changes.push({ field: key, before: old, after: text });
    }
    if (changes.length > 0) {
      await repo.queueRescore(tx, customerId, 'manual_metric');
      await writeAudit(tx, auditWho(ctx), {
        action: 'customer.manual_metrics',
        entityType: 'customer',
        entityId: customerId,
        changes,
      });
    }
    return {
      out: presentManual(await repo.selectManualMetrics(tx, customerId)),
      changed: changes.length > 0,
    };
  });
  if (result.changed) {
    await jobs.send<TriggeredJobData>(TIERING_TRIGGERED_JOB, { tenantId: ctx.actor.tenantId });
  }
  return result.out;
}

// ——— overrides —————————————————————————————————————————————————————————————————————————————

/**
 * Applies an approved manual tier (the approval engine's `tier_change` effect calls this in the
 * decision's transaction): replaces a live override of the same customer and model and re-scores the
 * customer in that same transaction (history, outbox), so the tier of record follows at once.
 */
export async function applyOverride(
  tx: Tx,
  ctx: ServiceContext,
  o: {
    customerId: string;
    modelId: string;
    tier: string;
    until: string | null;
    reason: string;
    approvalRequestId: string | null;
  },
): Promise<string> {
  const model = await repo.selectModel(tx, o.modelId);
  if (!model?.published) throw new AppError('TIERING_NOT_PUBLISHED');
  const tiers = tierIds(runnableModel(model.published));
  if (!tiers.includes(o.tier)) throw new AppError('TIERING_TIER_UNKNOWN', { id: o.tier });
  await tx.query(
    `UPDATE tier_overrides SET revoked_at = now(), revoked_by = $3, version = version + 1
     WHERE tenant_id = kam_tenant() AND customer_id = $1 AND model_id = $2 AND revoked_at IS NULL`,
    [o.customerId, o.modelId, ctx.actor.userId],
  );
  const id = randomUUID();
  await tx.query(
    `INSERT INTO tier_overrides (tenant_id, id, customer_id, model_id, tier, until, reason, approval_request_id, created_by)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, o.customerId, o.modelId, o.tier, o.until, o.reason, o.approvalRequestId, ctx.actor.userId],
  );
  // Re-scored here, in the decision's transaction, with the statistics of each model's last full run
  // (the triggered single-customer path): the tier of record shows the override as soon as it commits.
  await rescoreCustomers(tx, [o.customerId], today(ctx), 'override');
  await writeAudit(tx, auditWho(ctx), {
    action: 'tiering_override.create',
    entityType: 'tier_override',
    entityId: id,
    details: {
      customerId: o.customerId,
      modelId: o.modelId,
      tier: o.tier,
      until: o.until,
      approvalRequestId: o.approvalRequestId,
    },
  });
  return id;
}

/**
 * Revokes a live override (tiering.configure, on a customer the actor may see); the customer is re-scored
 * in the same transaction, so the model tier resumes at once.
 */
export async function revokeOverride(ctx: ServiceContext, id: string, version: number) {
  await inTenant(ctx, async (tx) => {
    const o = await repo.selectOverride(tx, id, true);
    if (!o) throw new AppError('NOT_FOUND');
    await customerFor(tx, ctx.actor, o.customer_id, 'customer', 'view');
    if (o.revoked_at !== null) throw new AppError('NOT_FOUND');
    if (o.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: o.version });
    await tx.query(
      `UPDATE tier_overrides SET revoked_at = now(), revoked_by = $2, version = version + 1
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [id, ctx.actor.userId],
    );
    await rescoreCustomers(tx, [o.customer_id], today(ctx), 'override_revoked');
    await writeAudit(tx, auditWho(ctx), {
      action: 'tiering_override.revoke',
      entityType: 'tier_override',
      entityId: id,
      details: { customerId: o.customer_id, modelId: o.model_id, tier: o.tier },
    });
  });
}
