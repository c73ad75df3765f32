import type { Database } from '../db/database.js';
import type { JobQueue } from '../jobs/queue.js';
import { registerBuiltinApprovalEffects } from './approvals/builtin.js';
import { registerApprovalJobs } from './approvals/jobs.js';
import { verifyTenantChain } from './audit/verify.js';
import { writeAudit } from './audit/writer.js';
import { registerCustomerJobs } from './customers/jobs.js';
import { registerImportJobs } from './imports/jobs.js';
import { registerNotificationJobs } from './notifications/jobs.js';
import { registerTierChangeEffect } from './tiering/approval.js';
import { registerTieringJobs } from './tiering/jobs.js';

export const AUDIT_VERIFY_JOB = 'audit.verify-chains';

/**
 * Background work of every capability. Every process registers the same handlers and schedules; the
 * worker role runs handlers, the scheduler role sends each scheduled slot exactly once. `shutdown` is
 * aborted when the process stops, so long jobs can stop at a safe point and be resumed elsewhere.
 */
export async function registerJobs(jobs: JobQueue, db: Database, shutdown?: AbortSignal): Promise<void> {
  // Nightly: verify every organisation's audit chain and record the outcome in that chain.
  await jobs.work(AUDIT_VERIFY_JOB, async () => {
    await verifyAllChains(db);
  });
  await jobs.schedule(AUDIT_VERIFY_JOB, '30 2 * * *', {}, { tz: 'Asia/Shanghai' });
  await registerCustomerJobs(jobs, db);
  await registerImportJobs(jobs, db);
  registerTierChangeEffect();
  await registerTieringJobs(jobs, db, shutdown);
  registerBuiltinApprovalEffects();
  await registerApprovalJobs(jobs, db);
  await registerNotificationJobs(jobs, db);
}

export async function verifyAllChains(db: Database): Promise<{ tenantId: string; ok: boolean }[]> {
  const tenants = await db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM kam_sys.tenant_directory ORDER BY tenant_id',
    );
    return rows.map((r) => r.tenant_id);
  });
  const results: { tenantId: string; ok: boolean }[] = [];
  for (const tenantId of tenants) {
    const ok = await db.withTenant(tenantId, async (tx) => {
      const v = await verifyTenantChain(tx);
      await writeAudit(
        tx,
        { tenantId, actorId: null, actorName: 'system', ip: null, userAgent: null, requestId: null },
        {
          action: 'audit.verify',
          result: v.ok ? 'success' : 'failure',
          details: { checked: v.checked, firstBroken: v.firstBroken },
        },
      );
      return v.ok;
    });
    results.push({ tenantId, ok });
  }
  return results;
}
