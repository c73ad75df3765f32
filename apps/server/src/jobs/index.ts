import type { Database } from '../db/database.js';
import { InlineQueue } from './inline.js';
import { PgBossQueue, type PgBossQueueOptions } from './pgboss.js';
import type { JobQueue } from './queue.js';

export { InlineQueue } from './inline.js';
export { PgBossQueue, type PgBossQueueOptions } from './pgboss.js';
export type { Job, JobHandler, JobQueue, SendOptions } from './queue.js';
export { SCHEDULED_FOR, type ScheduleOptions, SYSTEM_TENANT_ID } from './scheduler.js';

export interface CreateQueueOptions {
  /** `pgboss`: jobs in PostgreSQL (production, either database mode); `inline`: in-process (tests). */
  driver: 'pgboss' | 'inline';
  pgboss?: PgBossQueueOptions;
}

/** The job queue of a process. Call `start(roles)` after registering handlers and schedules, `stop()` before closing the database. */
export function createQueue(db: Database, opts: CreateQueueOptions): JobQueue {
  return opts.driver === 'inline' ? new InlineQueue() : new PgBossQueue(db, opts.pgboss);
}
