/**
 * Time limits. A pending request whose current step has a time limit carries `next_due_at` (the
 * step's `dueAt` from the reducer's `schedule_timeout`). Every five minutes the sweep feeds each
 * overdue request the reducer's `timeout` event: reminders to the undecided approvers and, with
 * `escalateOnTimeout`, the next head up added to each undecided seat; the reducer sets the next due
 * time. One short transaction per request, under its row lock, so a decision racing the sweep wins
 * or loses cleanly (a stale timer is a no-op).
 */
import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AuditWho } from '../audit/writer.js';
import * as repo from './repo.js';
import { timeoutRequest } from './service.js';

export const APPROVAL_TIMEOUTS_JOB = 'approvals.timeouts';
const BATCH = 100;

export async function sweepApprovalTimeouts(
  db: Database,
  now: Date = new Date(),
): Promise<{ tenants: number; timedOut: number }> {
  const tenants = await db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM kam_sys.tenant_directory ORDER BY tenant_id',
    );
    return rows.map((r) => r.tenant_id);
  });
  let timedOut = 0;
  for (const tenantId of tenants) {
    const who: AuditWho = {
      tenantId,
      actorId: null,
      actorName: 'system',
      ip: null,
      userAgent: null,
      requestId: null,
    };
    const seen = new Set<string>();
    for (;;) {
      const ids = (await db.withTenant(tenantId, (tx) => repo.dueRequestIds(tx, now, BATCH))).filter(
        (id) => !seen.has(id),
      );
      if (ids.length === 0) break;
      for (const id of ids) {
        seen.add(id);
        if (await db.withTenant(tenantId, (tx) => timeoutRequest(tx, who, id, now))) timedOut += 1;
      }
      if (ids.length < BATCH) break;
    }
  }
  return { tenants: tenants.length, timedOut };
}

export async function registerApprovalJobs(jobs: JobQueue, db: Database): Promise<void> {
  await jobs.work(APPROVAL_TIMEOUTS_JOB, async () => {
    await sweepApprovalTimeouts(db);
  });
  await jobs.schedule(APPROVAL_TIMEOUTS_JOB, '*/5 * * * *', {}, { tz: 'Asia/Shanghai' });
}
