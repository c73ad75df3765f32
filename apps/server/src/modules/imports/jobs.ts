import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { runCommit, runValidation } from './pipeline.js';
import { pruneStagedRows, runningImports } from './repo.js';
import { IMPORT_COMMIT_JOB, IMPORT_VALIDATE_JOB, type ImportJobData } from './service.js';

/**
 * The import jobs. A commit is resumable: a retried job (pg-boss retries a job whose worker died
 * once it expires) skips the batches already checkpointed. Every five minutes the scheduler also
 * re-sends the jobs of imports left in 'validating' / 'importing' with no queued or running job (a
 * singleton key per import keeps it to one; two workers on one import cannot commit a batch twice —
 * the checkpoint's primary key).
 */
export async function registerImportJobs(jobs: JobQueue, db: Database): Promise<void> {
  await jobs.work<ImportJobData>(IMPORT_VALIDATE_JOB, async (job) => {
    await runValidation(db, job.data.tenantId, job.data.importId, job.id);
  });
  await jobs.work<ImportJobData>(IMPORT_COMMIT_JOB, async (job) => {
    await runCommit(db, job.data.tenantId, job.data.importId, job.id);
  });
  // Imports whose worker died are picked up again (and so also right after a restart); staged rows
  // nobody will read are pruned.
  await jobs.work(IMPORT_RESUME_JOB, async () => {
    await resumeImports(jobs, db);
    await pruneStagedRows(db, new Date());
  });
  await jobs.schedule(IMPORT_RESUME_JOB, '*/5 * * * *', {}, { tz: 'Asia/Shanghai' });
}

export const IMPORT_RESUME_JOB = 'imports.resume';

/** Re-queues the imports a stopped worker left running (called when the worker role starts). */
export async function resumeImports(jobs: JobQueue, db: Database): Promise<number> {
  const running = await runningImports(db);
  for (const r of running) {
    await jobs.send<ImportJobData>(
      r.status === 'importing' ? IMPORT_COMMIT_JOB : IMPORT_VALIDATE_JOB,
      { tenantId: r.tenant_id, importId: r.id },
      { singletonKey: r.id },
    );
  }
  return running.length;
}
