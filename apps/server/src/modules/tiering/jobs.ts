import { errorMessage, todayInShanghai } from '@kam/domain';
import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { dropStage, failAbandonedRuns } from './repo.js';
import { executeFullRun, executeSimulation, rescoreCustomers, takeQueued } from './runner.js';
import {
  type RunJobData,
  TIERING_RUN_JOB,
  TIERING_SIMULATE_JOB,
  TIERING_TRIGGERED_JOB,
  type TriggeredJobData,
} from './service.js';

export const TIERING_SCHEDULED_JOB = 'tiering.scheduled';
export const TIERING_WATCHDOG_JOB = 'tiering.watchdog';
/** A queued or running run without a heartbeat for this long has lost its worker (chunks take seconds). */
export const STALLED_RUN_MINUTES = 5;
/** Hand-overs of one run before it fails (a run that kills its worker must not be retried forever). */
export const MAX_RUN_ATTEMPTS = 3;
/** Customers per transaction of the triggered re-score job. */
export const TRIGGERED_BATCH = 100;

/**
 * Drains a tenant's re-score queue (filled by large orders, new complaints, manual metric changes and
 * overrides): batches of customers, each batch one transaction that takes them off the queue and
 * re-scores them with the statistics of each model's last full run.
 */
export async function processTriggered(db: Database, tenantId: string, now = new Date()): Promise<number> {
  const asOf = todayInShanghai(now);
  let total = 0;
  for (;;) {
    const n = await db.withTenant(tenantId, async (tx) => {
      const queued = await takeQueued(tx, TRIGGERED_BATCH);
      const byReason = new Map<string, string[]>();
      for (const q of queued) byReason.set(q.reason, [...(byReason.get(q.reason) ?? []), q.customerId]);
      for (const [reason, ids] of byReason) await rescoreCustomers(tx, ids, asOf, reason);
      return queued.length;
    });
    total += n;
    if (n < TRIGGERED_BATCH) return total;
  }
}

/**
 * The watchdog (every minute): runs queued or running whose heartbeat is older than
 * `STALLED_RUN_MINUTES` lost their worker (a crash, a restart, a job lost with an in-process queue).
 * Each is handed to a worker again — a full run continues after its last committed chunk, a simulation
 * starts over (it writes nothing until its single statement completes) — up to `MAX_RUN_ATTEMPTS`
 * times; then it fails with the reason. Returns the runs handed out again.
 */
export async function recoverStalledRuns(
  db: Database,
  jobs: JobQueue,
  staleMinutes = STALLED_RUN_MINUTES,
  /** Only these organisations (default: every one). */
  only?: readonly string[],
): Promise<{ tenantId: string; runId: string; kind: string }[]> {
  const out: { tenantId: string; runId: string; kind: string }[] = [];
  for (const tenantId of only ?? (await tenants(db))) {
    const stalled = await db.withTenant(tenantId, async (tx) => {
      const { rows: failed } = await tx.query<{ id: string }>(
        `UPDATE tier_runs SET status = 'failed', finished_at = now(),
           error = replace($3, '{attempts}', attempts::text),
           error_code = 'TIERING_RUN_STALLED', error_params = jsonb_build_object('attempts', attempts)
         WHERE tenant_id = kam_tenant() AND status IN ('queued', 'running') AND kind IN ('full', 'simulation')
           AND coalesce(heartbeat_at, created_at) < now() - make_interval(mins => $1) AND attempts >= $2
         RETURNING id`,
        // the technical text is the catalogue's English message (its placeholder filled per run)
        [staleMinutes, MAX_RUN_ATTEMPTS, errorMessage('TIERING_RUN_STALLED', 'en')],
      );
      for (const r of failed) await dropStage(tx, r.id);
      const { rows } = await tx.query<{ id: string; kind: string; attempts: number }>(
        `UPDATE tier_runs SET attempts = attempts + 1, heartbeat_at = now()
         WHERE tenant_id = kam_tenant() AND status IN ('queued', 'running') AND kind IN ('full', 'simulation')
           AND coalesce(heartbeat_at, created_at) < now() - make_interval(mins => $1)
         RETURNING id, kind, attempts`,
        [staleMinutes],
      );
      return rows;
    });
    for (const r of stalled) {
      await jobs.send<RunJobData>(
        r.kind === 'full' ? TIERING_RUN_JOB : TIERING_SIMULATE_JOB,
        { tenantId, runId: r.id },
        { singletonKey: `${r.id}:${r.attempts}`, retryLimit: 0 },
      );
      out.push({ tenantId, runId: r.id, kind: r.kind });
    }
  }
  return out;
}

/** A full run stopped between chunks at shutdown: released at once to the next watchdog pass. */
async function releaseRun(db: Database, tenantId: string, runId: string): Promise<void> {
  await db.withTenant(tenantId, (tx) =>
    tx.query(
      `UPDATE tier_runs SET heartbeat_at = '-infinity' WHERE tenant_id = kam_tenant() AND id = $1 AND status = 'running'`,
      [runId],
    ),
  );
}

async function tenants(db: Database): Promise<string[]> {
  return db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM kam_sys.tenant_directory ORDER BY tenant_id',
    );
    return rows.map((r) => r.tenant_id);
  });
}

/**
 * The schedules (03:00 Asia/Shanghai): for every tenant, a full run of each published model whose
 * schedule falls on today — `daily` every day, `weekly` on Mondays (weeks start on Monday),
 * `monthly` on the 1st — and that has no run queued or running. The run's trigger reason is the
 * schedule. Returns the runs started.
 */
export async function startScheduledRuns(
  db: Database,
  jobs: JobQueue,
  now = new Date(),
  /** Only these organisations (default: every one). */
  only?: readonly string[],
): Promise<number> {
  const asOf = todayInShanghai(now);
  let started = 0;
  for (const tenantId of only ?? (await tenants(db))) {
    const runIds = await db.withTenant(tenantId, async (tx) => {
      await failAbandonedRuns(tx, null);
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, as_of, trigger_reason)
         SELECT kam_tenant(), gen_random_uuid(), m.id, m.published_version, v.definition, 'full', $1, m.schedule
         FROM tier_models m
         JOIN tier_model_versions v ON v.tenant_id = m.tenant_id AND v.model_id = m.id AND v.version_no = m.published_version
         WHERE m.tenant_id = kam_tenant() AND m.kind IN ('weighted', 'criteria', 'rfm', 'clv')
           AND (m.schedule = 'daily' OR (m.schedule = 'weekly' AND extract(isodow FROM $1::date) = 1)
                OR (m.schedule = 'monthly' AND extract(day FROM $1::date) = 1))
           AND NOT EXISTS (SELECT 1 FROM tier_runs r WHERE r.tenant_id = kam_tenant() AND r.model_id = m.id
                             AND r.kind = 'full' AND r.status IN ('queued', 'running'))
         RETURNING id`,
        [asOf],
      );
      return rows.map((r) => r.id);
    });
    for (const runId of runIds) {
      await jobs.send<RunJobData>(
        TIERING_RUN_JOB,
        { tenantId, runId },
        { singletonKey: runId, retryLimit: 0 },
      );
      started++;
    }
  }
  return started;
}

/** `shutdown`: aborted when the process stops — a full run in progress stops after its current chunk. */
export async function registerTieringJobs(
  jobs: JobQueue,
  db: Database,
  shutdown?: AbortSignal,
): Promise<void> {
  await jobs.work<RunJobData>(TIERING_RUN_JOB, async (job) => {
    await executeFullRun(db, job.data.tenantId, job.data.runId, undefined, { signal: shutdown });
    if (shutdown?.aborted) await releaseRun(db, job.data.tenantId, job.data.runId);
  });
  await jobs.work<RunJobData>(TIERING_SIMULATE_JOB, async (job) => {
    await executeSimulation(db, job.data.tenantId, job.data.runId);
  });
  await jobs.work<TriggeredJobData>(TIERING_TRIGGERED_JOB, async (job) => {
    const ids = job.data.tenantId ? [job.data.tenantId] : await tenants(db);
    for (const tenantId of ids) await processTriggered(db, tenantId);
  });
  await jobs.work(TIERING_SCHEDULED_JOB, async () => {
    await startScheduledRuns(db, jobs);
  });
  await jobs.work(TIERING_WATCHDOG_JOB, async () => {
    await recoverStalledRuns(db, jobs);
  });
  // Nightly full runs after the customers' aggregate refresh (01:15); triggered re-scores every minute
  // (large orders and complaints are queued by database triggers, whatever wrote them).
  await jobs.schedule(TIERING_SCHEDULED_JOB, '0 3 * * *', {}, { tz: 'Asia/Shanghai' });
  await jobs.schedule(TIERING_TRIGGERED_JOB, '* * * * *', {}, { tz: 'Asia/Shanghai' });
  await jobs.schedule(TIERING_WATCHDOG_JOB, '* * * * *', {}, { tz: 'Asia/Shanghai' });
}
