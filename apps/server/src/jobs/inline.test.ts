import { describe, expect, it } from 'vitest';
import { InlineQueue } from './inline.js';
import type { Job } from './queue.js';

describe('InlineQueue', () => {
  it('runs the handler with the data, after send returns, and drain awaits it', async () => {
    const q = new InlineQueue();
    const seen: Job<{ n: number; at: string }>[] = [];
    await q.work<{ n: number; at: string }>('echo', async (job) => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push(job);
    });
    const id = await q.send('echo', { n: 1, at: new Date('2026-01-01T00:00:00Z') });
    expect(seen).toEqual([]); // asynchronous, not inside send
    await q.drain();
    // the data arrives as JSON, as it would from PostgreSQL (a Date becomes a string)
    expect(seen).toEqual([{ id, name: 'echo', data: { n: 1, at: '2026-01-01T00:00:00.000Z' } }]);
    expect(q.sent).toMatchObject([{ id, name: 'echo', state: 'completed', attempts: 1 }]);
  });

  it('runs jobs one at a time in send order, including jobs sent by handlers', async () => {
    const q = new InlineQueue();
    const log: string[] = [];
    let active = 0;
    await q.work<{ n: number }>('step', async (job) => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${job.data.n}`);
      await new Promise((r) => setTimeout(r, 5));
      if (job.data.n === 1) await q.send('step', { n: 3 });
      log.push(`end ${job.data.n}`);
      active--;
    });
    await q.send('step', { n: 1 });
    await q.send('step', { n: 2 });
    await q.drain();
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('honours singleton keys while a job is pending', async () => {
    const q = new InlineQueue();
    const ran: number[] = [];
    await q.work<{ n: number }>('single', async (job) => {
      ran.push(job.data.n);
    });
    const first = await q.send('single', { n: 1 }, { singletonKey: 'k' });
    expect(first).not.toBeNull();
    expect(await q.send('single', { n: 2 }, { singletonKey: 'k' })).toBeNull();
    expect(await q.send('single', { n: 3 }, { singletonKey: 'other' })).not.toBeNull();
    expect(await q.send('other-name', { n: 4 }, { singletonKey: 'k' })).not.toBeNull();
    await q.drain();
    expect(ran).toEqual([1, 3]);
    expect(await q.send('single', { n: 5 }, { singletonKey: 'k' })).not.toBeNull(); // free again
    await q.drain();
    expect(ran).toEqual([1, 3, 5]);
    expect(q.sent.map((j) => j.data)).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('keeps a job until a handler for its name is registered', async () => {
    const q = new InlineQueue();
    await q.send('later', { x: 1 });
    await q.drain(); // nothing runnable
    expect(q.sent[0]?.state).toBe('queued');
    const got: unknown[] = [];
    await q.work('later', async (job) => {
      got.push(job.data);
    });
    await q.drain();
    expect(got).toEqual([{ x: 1 }]);
  });

  it('retries a failing job up to retryLimit and reports it from drain', async () => {
    const q = new InlineQueue();
    let attempts = 0;
    await q.work('fail', async () => {
      attempts++;
      throw new Error('boom');
    });
    await q.send('fail', {}, { retryLimit: 1 });
    await expect(q.drain()).rejects.toThrow(/1 job\(s\) failed: fail .*boom/);
    expect(attempts).toBe(2);
    expect(q.sent[0]).toMatchObject({ state: 'failed', attempts: 2 });
    await q.drain(); // reported once
    await q.send('fail', {});
    await expect(q.drain()).rejects.toThrow(/boom/);
    expect(attempts).toBe(5); // default retryLimit 2, as pg-boss
  });

  it('holds delayed jobs and fires schedules only when the test advances time', async () => {
    let now = new Date('2026-03-01T17:59:30Z');
    const q = new InlineQueue({ now: () => now });
    const ran: Record<string, unknown>[] = [];
    await q.work<Record<string, unknown>>('nightly', async (job) => {
      ran.push(job.data);
    });
    await q.schedule('nightly', '0 2 * * *', { scope: 'all' }); // Asia/Shanghai by default
    await q.send('nightly', { delayed: true }, { startAfter: new Date('2026-03-01T18:00:10Z') });
    await q.drain();
    expect(ran).toEqual([]);
    expect(await q.tick()).toEqual([]);
    now = new Date('2026-03-01T18:00:05Z');
    const fired = await q.tick();
    expect(fired.map((f) => f.slot.toISOString())).toEqual(['2026-03-01T18:00:00.000Z']);
    await q.drain();
    expect(ran).toEqual([{ scope: 'all', scheduledFor: '2026-03-01T18:00:00.000Z' }]);
    await q.tick(new Date('2026-03-01T18:00:20Z'));
    await q.drain();
    expect(ran).toEqual([{ scope: 'all', scheduledFor: '2026-03-01T18:00:00.000Z' }, { delayed: true }]);
  });
});
