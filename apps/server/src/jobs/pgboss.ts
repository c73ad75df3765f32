import PgBoss from 'pg-boss';
import type { Database, Tx } from '../db/database.js';
import type { JobHandler, JobQueue, SendOptions } from './queue.js';
import { DatabaseSlotStore, type ScheduleOptions, Scheduler, type SchedulerOptions } from './scheduler.js';

export interface PgBossQueueOptions {
  /** pg-boss's own schema, created and migrated by pg-boss on start (default `pgboss`). */
  schema?: string;
  /** Idle polling period of each worker; a worker that just ran a job fetches again at once (default 2 s, min 0.5). */
  pollingIntervalSeconds?: number;
  /** A job running longer than this is failed (and retried); pg-boss's own default is 15 min (default 1 h). */
  expireInSeconds?: number;
  /** Default retries of a failed job (default 2, so three attempts). */
  retryLimit?: number;
  /** Delay before a retry, doubled (with jitter) on each further retry when `retryBackoff` (default 30 s, backoff on). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** How often one instance runs pg-boss maintenance: expire stuck jobs, archive, delete (default 120 s). */
  maintenanceIntervalSeconds?: number;
  /** How long `stop()` waits for running handlers before failing them (default 30 s). */
  stopTimeoutMs?: number;
  /** Scheduler settings (clock, tick period, catch-up window). */
  scheduler?: Pick<SchedulerOptions, 'now' | 'tickMs' | 'catchUpMs' | 'retentionMs' | 'pruneEveryMs'>;
  onError?: (err: unknown) => void;
}

/** Session advisory lock around pg-boss DDL (schema install/upgrade, queue creation); migrations use 7226001. */
const DDL_LOCK_KEY = 7_226_002;

type BossDb = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * The production job queue: pg-boss 10 on KAM's own `pg.Pool` (pg-boss's `db` option), so it runs
 * unchanged on a PostgreSQL server and on the embedded database. pg-boss's own cron (`schedule`) is
 * off: recurring jobs go through `Scheduler` and `kam_sys.schedule_runs`.
 *
 * Roles: every process starts pg-boss (to send); only the worker role polls (one worker per job
 * name per process, which fetches again right after a job and otherwise every polling interval);
 * only the scheduler role ticks. Handlers registered with `work` before or after `start` are kept
 * and run when the worker role is on.
 */
export class PgBossQueue implements JobQueue {
  private boss: PgBoss | undefined;
  private readonly handlers = new Map<string, JobHandler<object>>();
  /** Worker ids by job name (worker role only). */
  private readonly workers = new Map<string, string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Handlers running now. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly scheduler: Scheduler;
  private readonly schema: string;
  private readonly onError: (err: unknown) => void;
  private roles = { worker: false, scheduler: false };
  private ddl: Promise<unknown> = Promise.resolve();
  private state: 'new' | 'starting' | 'started' | 'stopping' | 'stopped' = 'new';

  constructor(
    private readonly db: Database,
    private readonly opts: PgBossQueueOptions = {},
  ) {
    this.schema = opts.schema ?? 'pgboss';
    this.onError = opts.onError ?? ((err) => console.error('[jobs]', err));
    this.scheduler = new Scheduler({
      ...opts.scheduler,
      store: new DatabaseSlotStore(db),
      send: async (name, data, tx) => {
        const id = await this.boss!.send(name, data, tx ? { db: txDb(tx) } : {});
        // pg-boss answers null (no error) for a queue that does not exist: keep the slot unclaimed.
        if (!id) throw new Error(`pg-boss did not accept scheduled job "${name}"`);
        return id;
      },
      onError: this.onError,
    });
  }

  /** pg-boss's SQL runs on KAM's pool, one statement (or one multi-statement script) per call. */
  private readonly sql: BossDb = {
    executeSql: (text, values) => {
      const run = this.runSql(text, values);
      this.inflight.add(run);
      const forget = () => this.inflight.delete(run);
      run.then(forget, forget);
      return run;
    },
  };

  private async runSql(text: string, values?: unknown[]) {
    const client = await this.db.pool.connect();
    let broken = false;
    try {
      return await client.query(text, values);
    } catch (err) {
      // pg-boss sends scripts like `BEGIN; …; COMMIT;`: a failure in the middle leaves the session
      // in an aborted transaction, which would poison the pooled connection (and, on the embedded
      // database, block every other connection). Roll it back before releasing.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async start(roles: { worker: boolean; scheduler: boolean }): Promise<void> {
    if (this.state !== 'new') throw new Error(`PgBossQueue cannot start: it is ${this.state}`);
    this.state = 'starting';
    this.roles = { ...roles };
    const o = this.opts;
    const boss = new PgBoss({
      db: this.sql as PgBoss.Db,
      schema: this.schema,
      migrate: true, // pg-boss creates/upgrades its schema under an advisory lock
      schedule: false, // no pg-boss cron: KAM's Scheduler sends recurring jobs
      supervise: roles.worker || roles.scheduler, // maintenance runs on background processes only
      maintenanceIntervalSeconds: o.maintenanceIntervalSeconds ?? 120,
      pollingIntervalSeconds: o.pollingIntervalSeconds ?? 2,
      expireInSeconds: o.expireInSeconds ?? 3600,
      retryLimit: o.retryLimit ?? 2,
      retryDelay: o.retryDelaySeconds ?? 30,
      retryBackoff: o.retryBackoff ?? true,
    });
    boss.on('error', (err) => this.onError(err));
    try {
      await this.exclusively(() => boss.start());
    } catch (err) {
      this.state = 'new';
      throw err;
    }
    this.boss = boss;
    this.state = 'started';
    if (roles.worker) {
      for (const name of this.handlers.keys()) await this.startWorker(name);
    }
    if (roles.scheduler) {
      for (const s of this.scheduler.schedules) await this.ensureQueue(s.name);
      this.scheduler.start();
    }
  }

  /**
   * pg-boss DDL is not safe to run concurrently on a server: instances starting together race to
   * install its schema (`CREATE SCHEMA IF NOT EXISTS` can fail on a stale catalog snapshot despite
   * its advisory lock), and two `createQueue` calls deadlock (each holds the queue table while
   * attaching a partition with a foreign key to it). Run it one call at a time, under a session
   * lock held on a separate connection. The embedded database has one process and one backend.
   */
  private exclusively<T>(fn: () => Promise<T>): Promise<T> {
    if (this.db.kind === 'embedded') return fn();
    // One at a time in this process too, so the lock never holds more than one pooled connection.
    const run = this.ddl.then(() => this.underLock(fn));
    this.ddl = run.catch(() => {});
    return run;
  }

  private async underLock<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.db.pool.connect();
    let broken = false;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [DDL_LOCK_KEY]);
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [DDL_LOCK_KEY]).catch(() => {
        broken = true; // closing the connection releases the lock
      });
      client.release(broken);
    }
  }

  async stop(): Promise<void> {
    if (this.state !== 'started') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    await this.scheduler.stop();
    // Graceful: stop fetching, wait for running handlers (then fail what is left), keep our pool.
    await this.boss?.stop({
      graceful: true,
      wait: true,
      close: false,
      timeout: this.opts.stopTimeoutMs ?? 30_000,
    });
    // pg-boss does not await a job's completion update, and a fetch that was under way when it
    // stopped can still hand out a job: let all of it settle before the pool may close.
    do {
      await Promise.allSettled([...this.inflight, ...this.running]);
      await new Promise((r) => setImmediate(r));
    } while (this.inflight.size || this.running.size);
    this.workers.clear();
    this.state = 'stopped';
  }

  async send<T extends object>(name: string, data: T, opts: SendOptions = {}): Promise<string | null> {
    const boss = this.started();
    await this.ensureQueue(name);
    const options: PgBoss.SendOptions = {};
    if (opts.startAfter) options.startAfter = opts.startAfter;
    if (opts.retryLimit !== undefined) options.retryLimit = opts.retryLimit;
    let id: string | null;
    if (opts.singletonKey === undefined) {
      id = await boss.send(name, data, options);
    } else {
      const key = opts.singletonKey;
      options.singletonKey = key;
      // pg-boss's standard queues do not enforce singleton keys: check and insert under a lock on
      // (name, key), in one transaction, so concurrent senders on any instance see each other.
      id = await this.db.withSystem(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [name, key]);
        const { rowCount } = await tx.query(
          `SELECT 1 FROM ${this.schema}.job WHERE name = $1 AND singleton_key = $2 AND state < 'completed' LIMIT 1`,
          [name, key],
        );
        return rowCount ? null : boss.send(name, data, { ...options, db: txDb(tx) });
      });
    }
    const worker = this.workers.get(name);
    if (id && worker && !(opts.startAfter && opts.startAfter.getTime() > Date.now()))
      boss.notifyWorker(worker);
    return id;
  }

  async work<T extends object>(name: string, handler: JobHandler<T>): Promise<void> {
    if (this.handlers.has(name)) throw new Error(`A handler for job "${name}" is already registered`);
    this.handlers.set(name, handler as JobHandler<object>);
    if (this.state === 'started' && this.roles.worker) await this.startWorker(name);
  }

  async schedule(name: string, cron: string, data: object = {}, opts: ScheduleOptions = {}): Promise<void> {
    this.scheduler.add(name, cron, data, opts);
    if (this.state === 'started' && this.roles.scheduler) await this.ensureQueue(name);
  }

  /** A job's pg-boss record (state, retries, output), for operators and tests. */
  getJob(name: string, id: string): Promise<PgBoss.JobWithMetadata<object> | null> {
    return this.started().getJobById(name, id, { includeArchive: true });
  }

  private started(): PgBoss {
    if (this.state !== 'started' || !this.boss) throw new Error(`PgBossQueue is not started (${this.state})`);
    return this.boss;
  }

  /** pg-boss 10 requires a queue to exist before jobs are sent to or fetched from it. */
  private ensureQueue(name: string): Promise<void> {
    let created = this.queues.get(name);
    if (!created) {
      const boss = this.started();
      created = (async () => {
        if (!(await boss.getQueue(name))) await this.exclusively(() => boss.createQueue(name));
      })();
      created.catch(() => this.queues.delete(name));
      this.queues.set(name, created);
    }
    return created;
  }

  private async startWorker(name: string): Promise<void> {
    if (this.workers.has(name)) return;
    const boss = this.started();
    await this.ensureQueue(name);
    let workerId: string | undefined;
    workerId = await boss.work<object>(name, async ([job]) => {
      if (!job) return;
      // A fetch under way when stop() began may still deliver a job: fail it (it is retried later,
      // as pg-boss does with jobs still active at shutdown) rather than run it while shutting down.
      if (this.state !== 'started') throw new Error('KAM job queue shut down before the job started');
      const handler = this.handlers.get(name);
      if (!handler) throw new Error(`No handler for job "${name}"`);
      const run = handler({ id: job.id, name: job.name, data: job.data });
      this.running.add(run);
      try {
        await run;
      } finally {
        this.running.delete(run);
        // There may be more: fetch again right away instead of after the polling interval.
        if (workerId && this.state === 'started') boss.notifyWorker(workerId);
      }
    });
    this.workers.set(name, workerId);
  }
}

/** pg-boss's `db` option for one call: run its SQL inside the caller's transaction. */
function txDb(tx: Tx): PgBoss.Db {
  return { executeSql: (text, values) => tx.query(text, values) };
}
