/** All SQL of the tiering capability except the scoring statements (compile.ts, runner.ts). */
import { errorMessage } from '@kam/domain';
import { Params } from '../../access/sql.js';
import type { Tx } from '../../db/database.js';
import { isUuid } from '../customer-records.js';
import type { StoredResultColumns } from './present.js';
import type { RunSchedule } from './schemas.js';

export interface ModelRow {
  id: string;
  name: string;
  description: string | null;
  kind: 'weighted' | 'criteria' | 'rfm' | 'clv';
  draft: Record<string, unknown> | null;
  draft_updated_at: Date | null;
  published_version: number | null;
  published: Record<string, unknown> | null;
  schedule: RunSchedule;
  tier_of_record: boolean;
  version: number;
  updated_at: Date;
}

const MODEL_COLUMNS = `m.id, m.name, m.description, m.kind, m.draft, m.draft_updated_at, m.published_version,
  v.definition AS published, m.schedule, m.version, m.updated_at,
  coalesce(s.record_model_id = m.id, false) AS tier_of_record`;
const MODEL_FROM = `tier_models m
  LEFT JOIN tier_model_versions v ON v.tenant_id = m.tenant_id AND v.model_id = m.id AND v.version_no = m.published_version
  LEFT JOIN tier_settings s ON s.tenant_id = m.tenant_id`;

export async function selectModel(tx: Tx, id: string, lock = false): Promise<ModelRow | null> {
  const { rows } = await tx.query<ModelRow>(
    `SELECT ${MODEL_COLUMNS} FROM ${MODEL_FROM}
     WHERE m.tenant_id = kam_tenant() AND m.id = $1${lock ? ' FOR NO KEY UPDATE OF m' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export async function selectModels(
  tx: Tx,
  q: { kind?: string; after?: [string, string] | null; limit: number },
): Promise<ModelRow[]> {
  const p = new Params();
  const where = ['m.tenant_id = kam_tenant()'];
  if (q.kind) where.push(`m.kind = ${p.add(q.kind)}`);
  if (q.after) where.push(`(m.name, m.id) > (${p.add(q.after[0])}, ${p.add(q.after[1])}::uuid)`);
  const { rows } = await tx.query<ModelRow>(
    `SELECT ${MODEL_COLUMNS} FROM ${MODEL_FROM} WHERE ${where.join(' AND ')}
     ORDER BY m.name, m.id LIMIT ${p.add(q.limit + 1)}`,
    p.values,
  );
  return rows;
}

export async function insertModel(
  tx: Tx,
  m: {
    id: string;
    name: string;
    description: string | null;
    kind: string;
    draft: unknown;
    schedule: RunSchedule;
    userId: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO tier_models (tenant_id, id, name, description, kind, draft, draft_updated_by, draft_updated_at,
       schedule, created_by)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, now(), $7, $6)`,
    [m.id, m.name, m.description, m.kind, JSON.stringify(m.draft), m.userId, m.schedule],
  );
}

export async function updateModel(
  tx: Tx,
  id: string,
  version: number,
  set: {
    name?: string;
    description?: string | null;
    draft?: unknown;
    schedule?: RunSchedule;
    userId: string;
  },
): Promise<boolean> {
  const p = new Params();
  const cols: string[] = [];
  if (set.name !== undefined) cols.push(`name = ${p.add(set.name)}`);
  if (set.description !== undefined) cols.push(`description = ${p.add(set.description)}`);
  if (set.schedule !== undefined) cols.push(`schedule = ${p.add(set.schedule)}`);
  if (set.draft !== undefined) {
    cols.push(`draft = ${p.add(set.draft === null ? null : JSON.stringify(set.draft))}::jsonb`);
    cols.push(`draft_updated_by = ${p.add(set.userId)}::uuid`, 'draft_updated_at = now()');
  }
  const res = await tx.query(
    `UPDATE tier_models SET ${[...cols, 'version = version + 1', 'updated_at = now()'].join(', ')}
     WHERE tenant_id = kam_tenant() AND id = ${p.add(id)} AND version = ${p.add(version)}`,
    p.values,
  );
  return (res.rowCount ?? 0) > 0;
}

/** Publishes the draft as the next immutable version; the draft is cleared. */
export async function publishDraft(tx: Tx, id: string, userId: string, note: string | null): Promise<number> {
  const { rows } = await tx.query<{ version_no: number }>(
    `INSERT INTO tier_model_versions (tenant_id, model_id, version_no, definition, note, published_by)
     SELECT kam_tenant(), m.id, coalesce(m.published_version, 0) + 1, m.draft, $3, $2
     FROM tier_models m WHERE m.tenant_id = kam_tenant() AND m.id = $1 AND m.draft IS NOT NULL
     RETURNING version_no`,
    [id, userId, note],
  );
  const versionNo = rows[0]!.version_no;
  await tx.query(
    `UPDATE tier_models SET published_version = $2, draft = NULL, version = version + 1, updated_at = now()
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, versionNo],
  );
  return versionNo;
}

export interface VersionRow {
  version_no: number;
  note: string | null;
  published_at: Date;
  published_by: string | null;
  published_by_name: string | null;
}

export async function selectVersions(tx: Tx, modelId: string): Promise<VersionRow[]> {
  const { rows } = await tx.query<VersionRow>(
    `SELECT v.version_no, v.note, v.published_at, v.published_by, u.display_name AS published_by_name
     FROM tier_model_versions v
     LEFT JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.published_by
     WHERE v.tenant_id = kam_tenant() AND v.model_id = $1 ORDER BY v.version_no DESC LIMIT 200`,
    [modelId],
  );
  return rows;
}

// ——— runs ————————————————————————————————————————————————————————————————————————————————

export interface RunListRow {
  id: string;
  model_id: string;
  model_name: string;
  model_version: number | null;
  kind: 'full' | 'triggered' | 'simulation';
  status: 'queued' | 'running' | 'completed' | 'failed';
  as_of: string;
  total: number | null;
  processed: number;
  changed: number;
  trigger_reason: string | null;
  customer_id: string | null;
  error: string | null;
  error_code: string | null;
  error_params: unknown;
  requested_by: string | null;
  requested_by_name: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  statistics?: unknown;
  definition?: unknown;
  result?: unknown;
}

const RUN_COLUMNS = `r.id, r.model_id, m.name AS model_name, r.model_version, r.kind, r.status, r.as_of::text AS as_of,
  r.total, r.processed, r.changed, r.trigger_reason, r.customer_id, r.error, r.error_code, r.error_params, r.requested_by, r.created_at,
  r.started_at, r.finished_at,
  (SELECT u.display_name FROM users u WHERE u.tenant_id = r.tenant_id AND u.id = r.requested_by) AS requested_by_name`;

export async function insertRun(
  tx: Tx,
  r: {
    id: string;
    modelId: string;
    modelVersion: number | null;
    definition: unknown;
    kind: string;
    asOf: string;
    userId: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, as_of, requested_by)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7)`,
    [r.id, r.modelId, r.modelVersion, JSON.stringify(r.definition), r.kind, r.asOf, r.userId],
  );
}

/** Hours after which a queued or running run counts as abandoned (its worker died): marked failed. */
export const ABANDONED_RUN_HOURS = 6;

export async function failAbandonedRuns(tx: Tx, modelId: string | null): Promise<void> {
  const { rows } = await tx.query<{ id: string }>(
    `UPDATE tier_runs SET status = 'failed', finished_at = now(), error = $2,
       error_code = 'TIERING_RUN_ABANDONED', error_params = jsonb_build_object('hours', ${ABANDONED_RUN_HOURS})
     WHERE tenant_id = kam_tenant() AND status IN ('queued', 'running') AND ($1::uuid IS NULL OR model_id = $1::uuid)
       AND coalesce(started_at, created_at) < now() - interval '${ABANDONED_RUN_HOURS} hours'
     RETURNING id`,
    [modelId, errorMessage('TIERING_RUN_ABANDONED', 'en', { hours: ABANDONED_RUN_HOURS })],
  );
  for (const r of rows) await dropStage(tx, r.id);
}

/** The table of a full run's staged metrics (migration 0019): `kam_work.tier_run_<id without dashes>`. */
export function stageTable(runId: string): string {
  if (!isUuid(runId)) throw new RangeError(`not a run id: ${runId}`);
  return `kam_work.tier_run_${runId.replace(/-/g, '').toLowerCase()}`;
}

/** Drops a run's staged metrics, if any (the run completed or failed). */
export async function dropStage(tx: Tx, runId: string): Promise<void> {
  await tx.query(`DROP TABLE IF EXISTS ${stageTable(runId)}`);
}

export async function activeRunOf(tx: Tx, modelId: string, kind: string): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(
    `SELECT id FROM tier_runs WHERE tenant_id = kam_tenant() AND model_id = $1 AND kind = $2
       AND status IN ('queued', 'running') LIMIT 1`,
    [modelId, kind],
  );
  return rows[0]?.id ?? null;
}

export async function selectRun(tx: Tx, id: string): Promise<RunListRow | null> {
  const { rows } = await tx.query<RunListRow>(
    `SELECT ${RUN_COLUMNS}, r.statistics, r.result, r.definition
     FROM tier_runs r JOIN tier_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
     WHERE r.tenant_id = kam_tenant() AND r.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function selectRuns(
  tx: Tx,
  q: { modelId?: string; kind?: string; status?: string; after?: [string, string] | null; limit: number },
): Promise<RunListRow[]> {
  const p = new Params();
  const where = ['r.tenant_id = kam_tenant()'];
  if (q.modelId) where.push(`r.model_id = ${p.add(q.modelId)}::uuid`);
  if (q.kind) where.push(`r.kind = ${p.add(q.kind)}`);
  if (q.status) where.push(`r.status = ${p.add(q.status)}`);
  if (q.after)
    where.push(`(r.created_at, r.id) < (${p.add(q.after[0])}::timestamptz, ${p.add(q.after[1])}::uuid)`);
  const { rows } = await tx.query<RunListRow>(
    `SELECT ${RUN_COLUMNS}, to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
     FROM tier_runs r JOIN tier_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
     WHERE ${where.join(' AND ')}
     ORDER BY r.created_at DESC, r.id DESC LIMIT ${p.add(q.limit + 1)}`,
    p.values,
  );
  return rows;
}

// ——— settings ———————————————————————————————————————————————————————————————————————————————

export interface SettingsRow {
  record_model_id: string | null;
  large_order_amount: string;
  version: number;
  updated_at: Date;
}

export async function selectSettings(tx: Tx, lock = false): Promise<SettingsRow> {
  await tx.query(
    `INSERT INTO tier_settings (tenant_id) VALUES (kam_tenant()) ON CONFLICT (tenant_id) DO NOTHING`,
  );
  const { rows } = await tx.query<SettingsRow>(
    `SELECT record_model_id, large_order_amount::text AS large_order_amount, version, updated_at
     FROM tier_settings WHERE tenant_id = kam_tenant()${lock ? ' FOR UPDATE' : ''}`,
  );
  return rows[0]!;
}

export async function updateSettings(
  tx: Tx,
  version: number,
  s: { recordModelId: string | null; largeOrderAmount: string; userId: string },
): Promise<boolean> {
  const res = await tx.query(
    `UPDATE tier_settings SET record_model_id = $1, large_order_amount = $2, updated_by = $3,
       version = version + 1, updated_at = now()
     WHERE tenant_id = kam_tenant() AND version = $4`,
    [s.recordModelId, s.largeOrderAmount, s.userId, version],
  );
  return (res.rowCount ?? 0) > 0;
}

// ——— per customer ———————————————————————————————————————————————————————————————————————————

/**
 * One customer's result of one model: weighted, criteria and RFM results in the compact columns
 * (`CompactResult`; `metrics`, `breakdown` and `detail` are NULL — present.ts `expandResult`), CLV
 * results and results written before migration 0018 in the documents.
 */
export interface ResultRow extends StoredResultColumns {
  model_id: string;
  model_name: string;
  kind: 'weighted' | 'criteria' | 'rfm' | 'clv';
  tier_of_record: boolean;
  run_id: string;
  model_version: number | null;
  definition: unknown;
  as_of: string;
  score: string | null;
  raw_tier: string;
  tier: string;
  decided_by: string;
  held_tier: string | null;
  below_count: number | null;
  since: Date | null;
}

/** The latest result of every model for one customer (tier of record first). */
export async function selectResults(tx: Tx, customerId: string): Promise<ResultRow[]> {
  const { rows } = await tx.query<ResultRow>(
    `SELECT r.model_id, m.name AS model_name, m.kind, coalesce(s.record_model_id = m.id, false) AS tier_of_record,
       r.run_id, r.model_version, ru.definition, r.as_of::text AS as_of, r.metrics, r.score::text AS score,
       r.raw_tier, r.tier, r.decided_by, r.breakdown, r.detail, c.held_tier, c.below_count, c.since,
       r.metric_values, r.scores::text[] AS scores, r.flags, r.steps, r.hysteresis, r.previous_tier,
       r.override_id, o.tier AS override_tier, o.until::text AS override_until, o.reason AS override_reason
     FROM tier_results r
     JOIN tier_models m ON m.tenant_id = r.tenant_id AND m.id = r.model_id
     JOIN tier_runs ru ON ru.tenant_id = r.tenant_id AND ru.id = r.run_id
     LEFT JOIN tier_current c ON c.tenant_id = r.tenant_id AND c.model_id = r.model_id AND c.customer_id = r.customer_id
     LEFT JOIN tier_settings s ON s.tenant_id = r.tenant_id
     LEFT JOIN tier_overrides o ON o.tenant_id = r.tenant_id AND o.id = r.override_id
     WHERE r.tenant_id = kam_tenant() AND r.customer_id = $1
     ORDER BY coalesce(s.record_model_id = m.id, false) DESC, m.name, m.id`,
    [customerId],
  );
  return rows;
}

export interface OverrideRow {
  id: string;
  customer_id: string;
  model_id: string;
  tier: string;
  until: string | null;
  reason: string;
  approval_request_id: string | null;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
  version: number;
}

const OVERRIDE_COLUMNS = `id, customer_id, model_id, tier, until::text AS until, reason, approval_request_id, created_by,
  created_at, revoked_at, version`;

export async function selectLiveOverrides(tx: Tx, customerId: string): Promise<OverrideRow[]> {
  const { rows } = await tx.query<OverrideRow>(
    `SELECT ${OVERRIDE_COLUMNS} FROM tier_overrides
     WHERE tenant_id = kam_tenant() AND customer_id = $1 AND revoked_at IS NULL
     ORDER BY created_at DESC, id DESC LIMIT 50`,
    [customerId],
  );
  return rows;
}

export async function selectOverride(tx: Tx, id: string, lock = false): Promise<OverrideRow | null> {
  const { rows } = await tx.query<OverrideRow>(
    `SELECT ${OVERRIDE_COLUMNS} FROM tier_overrides WHERE tenant_id = kam_tenant() AND id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export interface HistoryRow {
  id: string;
  model_id: string;
  model_name: string;
  model_version: number | null;
  run_id: string | null;
  from_tier: string | null;
  to_tier: string;
  reason: string;
  decided_by: string | null;
  changed_at: Date;
  cursor_at: string;
}

export async function selectHistory(
  tx: Tx,
  customerId: string,
  q: { modelId?: string; after?: [string, string] | null; limit: number },
): Promise<HistoryRow[]> {
  const p = new Params();
  const where = ['h.tenant_id = kam_tenant()', `h.customer_id = ${p.add(customerId)}::uuid`];
  if (q.modelId) where.push(`h.model_id = ${p.add(q.modelId)}::uuid`);
  if (q.after)
    where.push(`(h.changed_at, h.id) < (${p.add(q.after[0])}::timestamptz, ${p.add(q.after[1])}::uuid)`);
  const { rows } = await tx.query<HistoryRow>(
    `SELECT h.id, h.model_id, m.name AS model_name, h.model_version, h.run_id, h.from_tier, h.to_tier, h.reason,
       h.decided_by, h.changed_at,
       to_char(h.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
     FROM tier_history h JOIN tier_models m ON m.tenant_id = h.tenant_id AND m.id = h.model_id
     WHERE ${where.join(' AND ')}
     ORDER BY h.changed_at DESC, h.id DESC LIMIT ${p.add(q.limit + 1)}`,
    p.values,
  );
  return rows;
}

export interface ManualMetricRow {
  metric: string;
  value: string;
  set_by: string | null;
  set_by_name: string | null;
  set_at: Date;
  version: number;
}

export async function selectManualMetrics(tx: Tx, customerId: string): Promise<ManualMetricRow[]> {
  const { rows } = await tx.query<ManualMetricRow>(
    `SELECT mm.metric, mm.value, mm.set_by, u.display_name AS set_by_name, mm.set_at, mm.version
     FROM customer_manual_metrics mm LEFT JOIN users u ON u.tenant_id = mm.tenant_id AND u.id = mm.set_by
     WHERE mm.tenant_id = kam_tenant() AND mm.customer_id = $1`,
    [customerId],
  );
  return rows;
}

export async function upsertManualMetric(
  tx: Tx,
  customerId: string,
  metric: string,
  value: string,
  userId: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO customer_manual_metrics (tenant_id, customer_id, metric, value, set_by, set_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, now())
     ON CONFLICT (tenant_id, customer_id, metric) DO UPDATE SET value = excluded.value, set_by = excluded.set_by,
       set_at = excluded.set_at, version = customer_manual_metrics.version + 1`,
    [customerId, metric, value, userId],
  );
}

export async function deleteManualMetric(tx: Tx, customerId: string, metric: string): Promise<void> {
  await tx.query(
    'DELETE FROM customer_manual_metrics WHERE tenant_id = kam_tenant() AND customer_id = $1 AND metric = $2',
    [customerId, metric],
  );
}

/** Queues a customer for a triggered re-score (one row per customer; the newest reason wins). */
export async function queueRescore(tx: Tx, customerId: string, reason: string): Promise<void> {
  await tx.query(
    `INSERT INTO tier_rescore_queue (tenant_id, customer_id, reason) VALUES (kam_tenant(), $1, $2)
     ON CONFLICT (tenant_id, customer_id) DO UPDATE SET reason = excluded.reason, requested_at = now()`,
    [customerId, reason],
  );
}
