import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';

export async function registerCustomerJobs(_jobs: JobQueue, _db: Database): Promise<void> {}
