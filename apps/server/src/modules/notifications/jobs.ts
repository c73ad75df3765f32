import type { Database } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { dispatchNotifications } from './channels.js';

export const DISPATCH_NOTIFICATIONS_JOB = 'notifications.dispatch';

/** Every minute: hand new notifications to the registered delivery channels (none yet: a no-op). */
export async function registerNotificationJobs(jobs: JobQueue, db: Database): Promise<void> {
  await jobs.work(DISPATCH_NOTIFICATIONS_JOB, async () => {
    await dispatchNotifications(db);
  });
  await jobs.schedule(DISPATCH_NOTIFICATIONS_JOB, '* * * * *', {}, { tz: 'Asia/Shanghai' });
}
