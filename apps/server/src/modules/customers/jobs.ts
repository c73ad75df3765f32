import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { allTenantIds, customerIdsAfter, refreshOrderFigures } from './repo/customers.js';

export const REFRESH_AGGREGATES_JOB = 'customers.refresh-aggregates';
/** Customers per statement (and per transaction): never one long transaction over a whole tenant. */
export const REFRESH_CHUNK = 50_000;

/**
 * Recomputes every customer's rolling 12-month order figures (`kam_refresh_customer_orders`, the
 * function the order triggers use) — the window moves every day. Tenant by tenant, in chunks of
 * customer ids (keyset on id), each chunk its own short transaction. `onlyTenants`: those tenants
 * alone (a test's, in a database other tests fill).
 */
export async function refreshAllCustomerAggregates(
  db: Database,
  chunk = REFRESH_CHUNK,
  onlyTenants?: readonly string[],
): Promise<{ tenants: number; customers: number }> {
  const tenants = onlyTenants ?? (await db.withSystem(allTenantIds));
  let customers = 0;
  for (const tenantId of tenants) {
    let after: string | null = null;
    for (;;) {
      const last: string | null = await db.withTenant(tenantId, async (tx) => {
        const ids = await customerIdsAfter(tx, after, chunk);
        if (ids.length === 0) return null;
        await refreshOrderFigures(tx, ids);
        customers += ids.length;
        return ids.length < chunk ? null : ids[ids.length - 1]!;
      });
      if (last === null) break;
      after = last;
    }
  }
  return { tenants: tenants.length, customers };
}

export async function registerCustomerJobs(jobs: JobQueue, db: Database): Promise<void> {
  await jobs.work(REFRESH_AGGREGATES_JOB, async () => {
    await refreshAllCustomerAggregates(db);
  });
  await jobs.schedule(REFRESH_AGGREGATES_JOB, '15 1 * * *', {}, { tz: 'Asia/Shanghai' });
}
