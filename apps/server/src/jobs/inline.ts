import { randomUUID } from 'node:crypto';
import type { Job, JobHandler, JobQueue, SendOptions } from './queue.js';
import { type FiredSlot, MemorySlotStore, type ScheduleOptions, Scheduler } from './scheduler.js';

export interface SentJob {
  id: string;
  name: string;
  data: object;
  opts: SendOptions;
  state: 'delayed' | 'queued' | 'active' | 'completed' | 'failed';
  attempts: number;
  error?: unknown;
}

const DEFAULT_RETRY_LIMIT = 2; // as pg-boss

/**
 * The in-process driver for tests. `send` queues the job and runs it soon after, one job at a time
 * in send order, with a JSON copy of the data (as pg-boss would store it); `drain()` awaits every
 * runnable job (including jobs those jobs send) and rejects if any failed. A failing job is retried
 * at once up to its `retryLimit` (default 2, as pg-boss). A singleton key is refused (null) while a
 * job with that key is delayed, queued or running. Jobs wait until a handler for their name exists.
 *
 * Time is the test's: a job with `startAfter` in the future is held until `tick(now)` reaches it, and
 * schedules fire only through `tick(now)` (the shared `Scheduler` with an in-memory slot store, so the
 * same slot rules apply; the one-minute catch-up window included). `start`/`stop` start no timers.
 */
export class InlineQueue implements JobQueue {
  /** Every accepted job, in send order, with its current state (assert on this). */
  readonly sent: SentJob[] = [];
  private readonly handlers = new Map<string, JobHandler<object>>();
  private readonly scheduler: Scheduler;
  private pump: Promise<void> | null = null;
  private unreported: SentJob[] = [];
  private readonly now: () => Date;

  constructor(opts: { now?: () => Date; catchUpMs?: number } = {}) {
    this.now = opts.now ?? (() => new Date());
    this.scheduler = new Scheduler({
      store: new MemorySlotStore(),
      send: (name, data) => this.send(name, data),
      now: this.now,
      catchUpMs: opts.catchUpMs,
      onError: () => {}, // a failing send surfaces from tick()
    });
  }

  async send<T extends object>(name: string, data: T, opts: SendOptions = {}): Promise<string | null> {
    const key = opts.singletonKey;
    if (
      key !== undefined &&
      this.sent.some(
        (j) =>
          j.name === name && j.opts.singletonKey === key && j.state !== 'completed' && j.state !== 'failed',
      )
    ) {
      return null;
    }
    const job: SentJob = {
      id: randomUUID(),
      name,
      data: JSON.parse(JSON.stringify(data)),
      opts: { ...opts },
      state: opts.startAfter && opts.startAfter > this.now() ? 'delayed' : 'queued',
      attempts: 0,
    };
    this.sent.push(job);
    this.kick();
    return job.id;
  }

  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    if (this.handlers.has(name)) throw new Error(`A handler for job "${name}" is already registered`);
    this.handlers.set(name, handler as JobHandler<object>);
    this.kick();
  }

  async schedule(name: string, cron: string, data: object = {}, opts: ScheduleOptions = {}): Promise<void> {
    this.scheduler.add(name, cron, data, opts);
  }

  /**
   * Advances the test's time: releases delayed jobs due by `now` and fires the schedule slots due
   * since the previous tick (at most one minute back). Resolves to the slots fired.
   */
  async tick(now: Date = this.now()): Promise<FiredSlot[]> {
    for (const j of this.sent) {
      if (j.state === 'delayed' && j.opts.startAfter && j.opts.startAfter <= now) j.state = 'queued';
    }
    const fired = await this.scheduler.tick(now);
    this.kick();
    return fired;
  }

  /** Waits until no runnable job is left; rejects if any job failed since the previous drain. */
  async drain(): Promise<void> {
    while (this.pump) await this.pump;
    const failed = this.unreported;
    this.unreported = [];
    if (failed.length) {
      const list = failed.map(
        (j) => `${j.name} (${j.id}): ${String((j.error as Error)?.message ?? j.error)}`,
      );
      throw new AggregateError(
        failed.map((j) => j.error),
        `${failed.length} job(s) failed: ${list.join('; ')}`,
      );
    }
  }

  async start(_roles: { worker: boolean; scheduler: boolean }): Promise<void> {}

  /** Waits for the jobs that can run (failures stay visible in `sent`). */
  async stop(): Promise<void> {
    while (this.pump) await this.pump;
  }

  private kick(): void {
    if (this.pump) return;
    this.pump = (async () => {
      await Promise.resolve(); // never run a handler inside the caller's `send`
      for (;;) {
        const job = this.sent.find((j) => j.state === 'queued' && this.handlers.has(j.name));
        if (!job) break;
        await this.run(job);
      }
    })().finally(() => {
      this.pump = null;
      if (this.sent.some((j) => j.state === 'queued' && this.handlers.has(j.name))) this.kick();
    });
  }

  private async run(job: SentJob): Promise<void> {
    const handler = this.handlers.get(job.name)!;
    const retryLimit = job.opts.retryLimit ?? DEFAULT_RETRY_LIMIT;
    job.state = 'active';
    for (;;) {
      job.attempts++;
      try {
        const copy: Job<object> = { id: job.id, name: job.name, data: JSON.parse(JSON.stringify(job.data)) };
        await handler(copy);
        job.state = 'completed';
        delete job.error;
        return;
      } catch (err) {
        job.error = err;
        if (job.attempts > retryLimit) {
          job.state = 'failed';
          this.unreported.push(job);
          return;
        }
      }
    }
  }
}
