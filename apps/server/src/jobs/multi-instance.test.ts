import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { PgBossQueue } from './pgboss.js';
import { SCHEDULED_FOR } from './scheduler.js';

/**
 * Two KAM instances (each: worker + scheduler) against one PostgreSQL server: every per-second slot
 * is sent once and handled once. Needs a server: KAM_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres
 */
const serverUrl = process.env.KAM_TEST_PG_URL;

describe.skipIf(!serverUrl)('two instances on one PostgreSQL server', () => {
  const name = `kam_jobs_${randomBytes(4).toString('hex')}`;
  const dbs: Database[] = [];
  const queues: PgBossQueue[] = [];

  async function admin(sql: string) {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    for (let i = 0; i < 2; i++) dbs.push(await Database.open({ url: url.toString(), poolSize: 4 }));
    await Promise.all(dbs.map((db) => migrate(db))); // concurrent start-up, as in a rollout
  });

  afterAll(async () => {
    for (const q of queues) await q.stop().catch(() => {});
    for (const db of dbs) await db.close().catch(() => {});
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('sends and handles each slot of a per-second schedule exactly once', async () => {
    const handled = new Map<string, string[]>(); // slot → instances that handled it
    const byInstance = [0, 0];
    for (const [i, db] of dbs.entries()) {
      const q = new PgBossQueue(db, { pollingIntervalSeconds: 0.5, stopTimeoutMs: 5000 });
      queues.push(q);
      // The same code registers the same schedule and handler in every instance.
      await q.schedule('test.every-second', '* * * * * *', { source: 'cron' }, { tz: 'UTC' });
      await q.work<{ source: string; scheduledFor: string }>('test.every-second', async (job) => {
        expect(job.data.source).toBe('cron');
        const slot = job.data[SCHEDULED_FOR];
        handled.set(slot, [...(handled.get(slot) ?? []), `instance${i}`]);
        byInstance[i]!++;
        await new Promise((r) => setTimeout(r, 20));
      });
    }
    // Both start at once: pg-boss installs its schema under a lock, the loser's script fails and
    // must not poison its connection.
    await Promise.all(queues.map((q) => q.start({ worker: true, scheduler: true })));
    await new Promise((r) => setTimeout(r, 5000));
    await Promise.all(queues.map((q) => q.stop()));

    const { rows } = await dbs[0]!.pool.query<{ slot: Date; job_id: string | null }>(
      `SELECT slot, job_id FROM kam_sys.schedule_runs WHERE schedule = 'test.every-second' ORDER BY slot`,
    );
    // The start-up window (one minute back) plus ~5 s of ticking, without a gap.
    expect(rows.length).toBeGreaterThanOrEqual(60);
    for (let k = 1; k < rows.length; k++) {
      expect(rows[k]!.slot.getTime() - rows[k - 1]!.slot.getTime()).toBe(1000);
    }
    expect(rows.every((r) => r.job_id)).toBe(true);
    // pg-boss holds exactly one job per slot.
    const jobs = await dbs[0]!.pool.query<{ slot: string; n: string; handled: string }>(
      `SELECT data->>'scheduledFor' AS slot, count(*) AS n,
              count(*) FILTER (WHERE state = 'completed') AS handled
         FROM pgboss.job WHERE name = 'test.every-second' GROUP BY 1`,
    );
    expect(jobs.rows).toHaveLength(rows.length);
    expect(jobs.rows.every((j) => j.n === '1')).toBe(true);
    // Each slot handled once; at most the last one or two, sent just before stop, still queued.
    for (const [slot, who] of handled) expect(who, slot).toHaveLength(1);
    const slots = rows.map((r) => r.slot.toISOString());
    for (const slot of handled.keys()) expect(slots).toContain(slot);
    const unhandled = slots.filter((s) => !handled.has(s));
    expect(unhandled.length).toBeLessThanOrEqual(2);
    expect(unhandled.every((s) => s >= slots[slots.length - 3]!)).toBe(true);
    expect(
      jobs.rows
        .filter((j) => j.handled === '1')
        .map((j) => j.slot)
        .sort(),
    ).toEqual([...handled.keys()].sort());
    // Both workers took part.
    expect(byInstance[0]).toBeGreaterThan(0);
    expect(byInstance[1]).toBeGreaterThan(0);
  });
});
