import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { PgBossQueue } from './pgboss.js';
import type { Job } from './queue.js';
import { SCHEDULED_FOR } from './scheduler.js';

/** pg-boss on the embedded database (in-memory PGlite behind the socket, as in production). */

const FAST = {
  pollingIntervalSeconds: 0.5,
  retryDelaySeconds: 0,
  retryBackoff: false,
  stopTimeoutMs: 5000,
} as const;

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('PgBossQueue on the embedded database', () => {
  let db: Database;
  let queue: PgBossQueue;
  const seen: Job<{ n: number }>[] = [];
  let attempts = 0;

  beforeAll(async () => {
    db = await Database.open({ poolSize: 5 });
    await migrate(db);
    queue = new PgBossQueue(db, FAST);
    // Registered before start…
    await queue.work<{ n: number }>('test.echo', async (job) => {
      seen.push(job);
    });
    await queue.start({ worker: true, scheduler: false });
    // …and after.
    await queue.work('test.fail', async () => {
      attempts++;
      throw new Error('boom');
    });
  });

  afterAll(async () => {
    await queue?.stop();
    await db?.close();
  });

  it('creates its schema on start', async () => {
    const { rows } = await db.pool.query(`SELECT to_regclass('pgboss.job') AS t`);
    expect(rows[0].t).toBe('pgboss.job');
  });

  it('runs a sent job on the worker with its data', async () => {
    const id = await queue.send('test.echo', { n: 42 });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => seen.some((j) => j.id === id));
    const job = seen.find((j) => j.id === id)!;
    expect(job).toEqual({ id, name: 'test.echo', data: { n: 42 } });
    await waitFor(async () => (await queue.getJob('test.echo', id!))?.state === 'completed');
  });

  it('drains a backlog without waiting a polling interval for each job', async () => {
    const web = new PgBossQueue(db, FAST); // another process sends: no local wake-up of the worker
    await web.start({ worker: false, scheduler: false });
    try {
      const before = seen.length;
      for (let n = 0; n < 10; n++) await web.send('test.echo', { n });
      const started = Date.now();
      await waitFor(() => seen.length >= before + 10);
      expect(Date.now() - started).toBeLessThan(3000); // one poll per job would take ≥ 4.5 s
    } finally {
      await web.stop();
    }
  });

  it('retries a failing handler per retryLimit, then fails the job', async () => {
    const id = await queue.send('test.fail', {}, { retryLimit: 1 }); // the default is 2
    await waitFor(async () => (await queue.getJob('test.fail', id!))?.state === 'failed');
    const job = await queue.getJob('test.fail', id!);
    expect(attempts).toBe(2); // first attempt + 1 retry
    expect(job?.retryCount).toBe(1);
    expect(job?.retryLimit).toBe(1);
    expect(job?.output).toMatchObject({ message: 'boom' });
    await new Promise((r) => setTimeout(r, 1200)); // and no further attempt
    expect(attempts).toBe(2);
  });

  it('refuses a second job with the same singleton key while one is pending', async () => {
    const web = new PgBossQueue(db, FAST); // a web-only process: sends, never works
    await web.start({ worker: false, scheduler: false });
    try {
      const first = await web.send('test.single', { n: 1 }, { singletonKey: 'k' });
      expect(first).not.toBeNull();
      expect(await web.send('test.single', { n: 2 }, { singletonKey: 'k' })).toBeNull();
      expect(await web.send('test.single', { n: 3 }, { singletonKey: 'other' })).not.toBeNull();
      expect(await web.send('test.single', { n: 4 })).not.toBeNull();
      // The worker process picks it up once it registers a handler; then the key is free again.
      const done: number[] = [];
      await queue.work<{ n: number }>('test.single', async (job) => {
        done.push(job.data.n);
      });
      await waitFor(() => done.length === 3);
      await waitFor(async () => (await web.getJob('test.single', first!))?.state === 'completed');
      expect(await web.send('test.single', { n: 5 }, { singletonKey: 'k' })).not.toBeNull();
      await waitFor(() => done.includes(5));
    } finally {
      await web.stop();
    }
  });

  it('keeps handlers of a process without the worker role registered but idle', async () => {
    const web = new PgBossQueue(db, FAST);
    let ran = 0;
    await web.work('test.webonly', async () => {
      ran++;
    });
    await web.start({ worker: false, scheduler: false });
    try {
      const id = await web.send('test.webonly', {});
      await new Promise((r) => setTimeout(r, 1500)); // three polling intervals
      expect(ran).toBe(0);
      expect((await web.getJob('test.webonly', id!))?.state).toBe('created');
    } finally {
      await web.stop();
    }
  });

  it('sends each due schedule slot once through schedule_runs', async () => {
    const sched = new PgBossQueue(db, { ...FAST, scheduler: { catchUpMs: 1000 } });
    const slots: string[] = [];
    await sched.schedule('test.tick', '* * * * * *', { kind: 'tick' }, { tz: 'UTC' });
    await sched.work<{ kind: string; scheduledFor: string }>('test.tick', async (job) => {
      expect(job.data.kind).toBe('tick');
      slots.push(job.data[SCHEDULED_FOR]);
    });
    await sched.start({ worker: true, scheduler: true });
    await waitFor(() => slots.length >= 2);
    await sched.stop();
    const { rows } = await db.pool.query<{ slot: Date; job_id: string | null }>(
      `SELECT slot, job_id FROM kam_sys.schedule_runs WHERE schedule = 'test.tick' ORDER BY slot`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(r.job_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.slot.getUTCMilliseconds()).toBe(0);
    }
    expect(new Set(slots).size).toBe(slots.length);
    for (const s of slots) expect(rows.map((r) => r.slot.toISOString())).toContain(s);
  });

  it('waits for a running handler on stop', async () => {
    const q = new PgBossQueue(db, FAST);
    let finished = false;
    let started = false;
    await q.work('test.slow', async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 700));
      finished = true;
    });
    await q.start({ worker: true, scheduler: false });
    const id = await q.send('test.slow', {});
    await waitFor(() => started);
    await q.stop();
    expect(finished).toBe(true);
    const check = new PgBossQueue(db, FAST);
    await check.start({ worker: false, scheduler: false });
    expect((await check.getJob('test.slow', id!))?.state).toBe('completed');
    await check.stop();
  });
});
