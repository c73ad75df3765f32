/**
 * The job queue and scheduler seam. Capabilities (imports, tiering runs, reminders, notifications)
 * enqueue work and register handlers through this interface only; the production driver keeps jobs
 * in PostgreSQL (pg-boss), the inline driver runs them in-process for tests.
 */
export interface Job<T> {
  id: string;
  name: string;
  data: T;
}

export interface SendOptions {
  /** At most one queued/active job with this key per job name. */
  singletonKey?: string;
  startAfter?: Date;
  retryLimit?: number;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface JobQueue {
  /** Enqueue a job; resolves to its id (null when a singleton with the same key is already queued). */
  send<T extends object>(name: string, data: T, opts?: SendOptions): Promise<string | null>;
  /** Register the handler for a job name (processes that run the worker role call it). */
  work<T extends object>(name: string, handler: JobHandler<T>): Promise<void>;
  /**
   * Register a recurring job: `cron` in 5 fields (minute resolution) or 6 (with seconds),
   * evaluated in `tz` (default Asia/Shanghai). Across all instances each slot is sent exactly once.
   */
  schedule(name: string, cron: string, data?: object, opts?: { tz?: string }): Promise<void>;
  start(roles: { worker: boolean; scheduler: boolean }): Promise<void>;
  stop(): Promise<void>;
}
