import { Cron } from 'croner';
import type { Database, Tx } from '../db/database.js';

/**
 * The cron scheduler shared by the queue drivers.
 *
 * Every process registers the same schedules in memory (the same code runs everywhere). Each
 * scheduler instance ticks once a second, computes with croner the slots that came due since its
 * previous tick and, for each slot, claims it in `kam_sys.schedule_runs` with
 * `INSERT … ON CONFLICT DO NOTHING RETURNING`: only the instance whose insert wins sends the job, in
 * the same transaction as the claim. So however many instances run against one PostgreSQL, a slot is
 * sent exactly once (a failed send rolls the claim back and another instance, or the next tick, takes
 * the slot). Slots older than `catchUpMs` (default one minute) are never fired: a restart catches up
 * the last minute, a process that was down for hours does not replay them.
 */

/** The tenant id of system-wide schedules (per-tenant schedules pass their own). */
export const SYSTEM_TENANT_ID = '00000000-0000-0000-0000-000000000000';
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** Key added to the data of every scheduled job: the slot (ISO time) it was sent for. */
export const SCHEDULED_FOR = 'scheduledFor';

export interface ScheduleOptions {
  /** IANA time zone the cron pattern is evaluated in (default Asia/Shanghai). */
  tz?: string;
  /** Per-tenant schedule: slots are claimed per tenant (default: system-wide, the nil uuid). */
  tenantId?: string;
}

export interface ScheduleEntry {
  readonly name: string;
  readonly cron: string;
  readonly tz: string;
  readonly tenantId: string;
  readonly data: object;
}

/** Where slots are claimed: the database (all instances) or memory (the inline test driver). */
export interface SlotStore {
  /**
   * Claims `slot` of `entry`; when this caller wins, calls `send` (inside the claiming transaction,
   * which it receives) and records the job id. Returns whether this caller claimed the slot.
   */
  claim(
    entry: ScheduleEntry,
    slot: Date,
    send: (tx: Tx | undefined) => Promise<string | null>,
  ): Promise<{ claimed: boolean; jobId: string | null }>;
  /** Forgets claims of slots before `before`. */
  prune(before: Date): Promise<void>;
}

/** Claims in `kam_sys.schedule_runs` (infrastructure table, owner role via `withSystem`). */
export class DatabaseSlotStore implements SlotStore {
  constructor(private readonly db: Database) {}

  claim(entry: ScheduleEntry, slot: Date, send: (tx: Tx | undefined) => Promise<string | null>) {
    // One short transaction on one connection: the claim, the job insert (pg-boss through this same
    // transaction) and the job id. Nothing here touches another pool connection (embedded mode).
    return this.db.withSystem(async (tx) => {
      const key = [entry.tenantId, entry.name, slot];
      const { rowCount } = await tx.query(
        `INSERT INTO kam_sys.schedule_runs (tenant_id, schedule, slot) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING slot`,
        key,
      );
      if (!rowCount) return { claimed: false, jobId: null };
      const jobId = await send(tx);
      await tx.query(
        'UPDATE kam_sys.schedule_runs SET job_id = $4 WHERE tenant_id = $1 AND schedule = $2 AND slot = $3',
        [...key, jobId],
      );
      return { claimed: true, jobId };
    });
  }

  async prune(before: Date): Promise<void> {
    await this.db.withSystem((tx) => tx.query('DELETE FROM kam_sys.schedule_runs WHERE slot < $1', [before]));
  }
}

/** Claims in memory: one process only (inline driver, unit tests). */
export class MemorySlotStore implements SlotStore {
  /** Claimed slots: `tenantId|name|ISO slot` → job id. */
  readonly claims = new Map<string, { slot: Date; jobId: string | null }>();

  async claim(entry: ScheduleEntry, slot: Date, send: (tx: Tx | undefined) => Promise<string | null>) {
    const key = `${entry.tenantId}|${entry.name}|${slot.toISOString()}`;
    if (this.claims.has(key)) return { claimed: false, jobId: null };
    this.claims.set(key, { slot, jobId: null });
    try {
      const jobId = await send(undefined);
      this.claims.set(key, { slot, jobId });
      return { claimed: true, jobId };
    } catch (err) {
      this.claims.delete(key);
      throw err;
    }
  }

  async prune(before: Date): Promise<void> {
    for (const [key, { slot }] of this.claims) if (slot < before) this.claims.delete(key);
  }
}

export interface SchedulerOptions {
  store: SlotStore;
  /** Sends the job of a claimed slot, inside the claiming transaction when there is one. */
  send: (name: string, data: object, tx: Tx | undefined) => Promise<string | null>;
  /** The clock (injectable for tests). */
  now?: () => Date;
  /** Tick period of the loop started by `start()` (default 1000 ms). */
  tickMs?: number;
  /** Slots older than this are never fired, at start-up or after a stall (default 60 s). */
  catchUpMs?: number;
  /** Claims older than this are pruned (default 7 days). */
  retentionMs?: number;
  /** How often pruning runs (default hourly). */
  pruneEveryMs?: number;
  onError?: (err: unknown) => void;
}

/** A slot this instance claimed and sent. */
export interface FiredSlot {
  name: string;
  tenantId: string;
  slot: Date;
  jobId: string | null;
}

interface Entry extends ScheduleEntry {
  pattern: Cron;
  /** Slots up to here are done (claimed by this or another instance). */
  cursor: Date | undefined;
}

const DAY_MS = 86_400_000;

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => Date;
  private readonly tickMs: number;
  private readonly catchUpMs: number;
  private readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly onError: (err: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Ticks run one after another, whether from the loop or called directly. */
  private chain: Promise<unknown> = Promise.resolve();
  private lastPrune: number | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.tickMs = opts.tickMs ?? 1000;
    this.catchUpMs = opts.catchUpMs ?? 60_000;
    this.retentionMs = opts.retentionMs ?? 7 * DAY_MS;
    this.pruneEveryMs = opts.pruneEveryMs ?? 3_600_000;
    this.onError = opts.onError ?? ((err) => console.error('[jobs] scheduler:', err));
    if (this.catchUpMs >= this.retentionMs) throw new Error('catchUpMs must be shorter than retentionMs');
  }

  /**
   * Registers a schedule (validates the pattern and time zone now). `cron` has 5 fields (minutes) or
   * 6 (with seconds). A name is registered once per tenant.
   */
  add(name: string, cron: string, data: object = {}, opts: ScheduleOptions = {}): ScheduleEntry {
    const tz = opts.tz ?? DEFAULT_TIME_ZONE;
    const tenantId = opts.tenantId ?? SYSTEM_TENANT_ID;
    const key = `${tenantId}|${name}`;
    if (this.entries.has(key)) throw new Error(`Schedule "${name}" is already registered`);
    new Intl.DateTimeFormat('en', { timeZone: tz }); // throws RangeError on an unknown time zone
    const pattern = new Cron(cron, { timezone: tz, paused: true, mode: '5-or-6-parts' });
    const entry: Entry = { name, cron, tz, tenantId, data, pattern, cursor: undefined };
    this.entries.set(key, entry);
    return { name, cron, tz, tenantId, data };
  }

  get schedules(): ScheduleEntry[] {
    return [...this.entries.values()].map(({ name, cron, tz, tenantId, data }) => ({
      name,
      cron,
      tz,
      tenantId,
      data,
    }));
  }

  /** Starts the tick loop (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
  }

  /** Stops the loop and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain.catch(() => {});
  }

  private arm(): void {
    if (!this.running) return;
    // Just after the next tick boundary, so a per-second slot fires promptly.
    const delay = this.tickMs - (this.now().getTime() % this.tickMs) + 10;
    this.timer = setTimeout(() => {
      this.tick()
        .catch(this.onError)
        .finally(() => this.arm());
    }, delay);
    this.timer.unref();
  }

  /**
   * Fires every slot that came due in (previous tick, now], at most `catchUpMs` back. Resolves to
   * the slots this instance claimed. Errors of one schedule are reported and retried next tick.
   */
  tick(now: Date = this.now()): Promise<FiredSlot[]> {
    const run = this.chain.then(() => this.runTick(now));
    this.chain = run.catch(() => {});
    return run;
  }

  private async runTick(now: Date): Promise<FiredSlot[]> {
    const fired: FiredSlot[] = [];
    const floor = new Date(now.getTime() - this.catchUpMs);
    for (const entry of this.entries.values()) {
      let from = entry.cursor && entry.cursor > floor ? entry.cursor : floor;
      try {
        for (;;) {
          const slot = entry.pattern.nextRun(from);
          if (!slot || slot > now) break;
          const data = { ...entry.data, [SCHEDULED_FOR]: slot.toISOString() };
          const { claimed, jobId } = await this.opts.store.claim(entry, slot, (tx) =>
            this.opts.send(entry.name, data, tx),
          );
          if (claimed) fired.push({ name: entry.name, tenantId: entry.tenantId, slot, jobId });
          from = slot;
          entry.cursor = slot;
        }
        if (!entry.cursor || entry.cursor < now) entry.cursor = now;
      } catch (err) {
        this.onError(err);
      }
    }
    if (this.lastPrune === undefined || now.getTime() - this.lastPrune >= this.pruneEveryMs) {
      this.lastPrune = now.getTime();
      await this.opts.store.prune(new Date(now.getTime() - this.retentionMs)).catch(this.onError);
    }
    return fired;
  }
}
