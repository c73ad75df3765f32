import { describe, expect, it } from 'vitest';
import { MemorySlotStore, SCHEDULED_FOR, Scheduler, SYSTEM_TENANT_ID } from './scheduler.js';

type Sent = { name: string; data: Record<string, unknown> };

function setup(opts: { store?: MemorySlotStore; fail?: () => boolean } = {}) {
  const sent: Sent[] = [];
  const store = opts.store ?? new MemorySlotStore();
  const errors: unknown[] = [];
  let n = 0;
  const scheduler = new Scheduler({
    store,
    send: async (name, data) => {
      if (opts.fail?.()) throw new Error('send failed');
      sent.push({ name, data: data as Record<string, unknown> });
      return `job-${++n}`;
    },
    now: () => {
      throw new Error('tests pass the time to tick()');
    },
    onError: (err) => errors.push(err),
  });
  const slots = () => sent.map((s) => s.data[SCHEDULED_FOR]);
  return { scheduler, sent, store, errors, slots };
}

const at = (iso: string) => new Date(iso);

describe('Scheduler', () => {
  it('fires each due slot once, whatever the tick rhythm', async () => {
    const { scheduler, sent, slots } = setup();
    scheduler.add('report', '*/15 * * * * *', { kind: 'r' }, { tz: 'UTC' });
    await scheduler.tick(at('2026-03-01T10:00:00.200Z')); // start-up: last minute
    expect(slots()).toEqual([
      '2026-03-01T09:59:15.000Z',
      '2026-03-01T09:59:30.000Z',
      '2026-03-01T09:59:45.000Z',
      '2026-03-01T10:00:00.000Z',
    ]);
    await scheduler.tick(at('2026-03-01T10:00:00.900Z')); // nothing new
    await scheduler.tick(at('2026-03-01T10:00:14.999Z'));
    expect(sent).toHaveLength(4);
    await scheduler.tick(at('2026-03-01T10:00:15.000Z')); // exactly on the slot
    await scheduler.tick(at('2026-03-01T10:00:15.001Z'));
    await scheduler.tick(at('2026-03-01T10:00:46.000Z')); // a late tick catches both missed slots
    expect(slots().slice(4)).toEqual([
      '2026-03-01T10:00:15.000Z',
      '2026-03-01T10:00:30.000Z',
      '2026-03-01T10:00:45.000Z',
    ]);
    expect(sent.every((s) => s.name === 'report' && s.data.kind === 'r')).toBe(true);
  });

  it('never backfills beyond the catch-up window', async () => {
    const { scheduler, slots } = setup();
    scheduler.add('minutely', '* * * * *', {}, { tz: 'UTC' });
    await scheduler.tick(at('2026-03-01T10:00:30Z'));
    expect(slots()).toEqual(['2026-03-01T10:00:00.000Z']);
    // The process stalls (or sleeps) for a day: only the last minute is fired, not 1440 slots.
    await scheduler.tick(at('2026-03-02T10:00:30Z'));
    expect(slots()).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-02T10:00:00.000Z']);
  });

  it('evaluates the pattern in the time zone (default Asia/Shanghai)', async () => {
    const { scheduler, sent } = setup();
    scheduler.add('nightly', '0 2 * * *'); // default tz
    scheduler.add('nightly-utc', '0 2 * * *', {}, { tz: 'UTC' });
    await scheduler.tick(at('2026-03-01T17:59:59.900Z'));
    expect(sent).toEqual([]);
    await scheduler.tick(at('2026-03-01T18:00:00.500Z')); // 02:00 in Shanghai (UTC+8)
    expect(sent).toEqual([{ name: 'nightly', data: { [SCHEDULED_FOR]: '2026-03-01T18:00:00.000Z' } }]);
    for (let t = Date.parse('2026-03-01T18:00:30Z'); t <= Date.parse('2026-03-02T02:00:30Z'); t += 30_000) {
      await scheduler.tick(new Date(t));
    }
    expect(sent.map((s) => [s.name, s.data[SCHEDULED_FOR]])).toEqual([
      ['nightly', '2026-03-01T18:00:00.000Z'],
      ['nightly-utc', '2026-03-02T02:00:00.000Z'],
    ]);
  });

  it('lets only one of several instances send a slot', async () => {
    const store = new MemorySlotStore(); // stands in for kam_sys.schedule_runs
    const a = setup({ store });
    const b = setup({ store });
    for (const s of [a, b]) s.scheduler.add('sync', '*/10 * * * * *', {}, { tz: 'UTC' });
    let last = 0;
    for (
      let i = 0, t = Date.parse('2026-03-01T10:00:00Z');
      t < Date.parse('2026-03-01T10:02:00Z');
      i++, t += 700
    ) {
      // the two instances tick at different moments and in either order
      const [first, second] = i % 2 ? [a, b] : [b, a];
      last = t + 300;
      await Promise.all([first.scheduler.tick(new Date(t)), second.scheduler.tick(new Date(last))]);
    }
    const fired = [...(a.slots() as string[]), ...(b.slots() as string[])].sort();
    expect(a.sent.length).toBeGreaterThan(0);
    expect(b.sent.length).toBeGreaterThan(0);
    // every 10 s from the start-up window (09:59:10) to the last tick, each exactly once
    const expected: string[] = [];
    for (let s = Date.parse('2026-03-01T09:59:10Z'); s <= last; s += 10_000)
      expected.push(new Date(s).toISOString());
    expect(fired).toEqual(expected);
  });

  it('retries a slot whose send failed on the next tick', async () => {
    let failing = true;
    const { scheduler, slots, errors, store } = setup({ fail: () => failing });
    scheduler.add('flaky', '0 * * * * *', {}, { tz: 'UTC' });
    await scheduler.tick(at('2026-03-01T10:00:05Z'));
    expect(slots()).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(store.claims.size).toBe(0); // the claim was released
    failing = false;
    await scheduler.tick(at('2026-03-01T10:00:06Z'));
    expect(slots()).toEqual(['2026-03-01T10:00:00.000Z']);
  });

  it('claims per tenant and records job ids', async () => {
    const { scheduler, store, sent } = setup();
    const tenant = '11111111-1111-4111-8111-111111111111';
    scheduler.add('digest', '0 9 * * *', { t: 'sys' });
    scheduler.add('digest', '0 9 * * *', { t: tenant }, { tenantId: tenant });
    const fired = await scheduler.tick(at('2026-03-02T01:00:10Z')); // 09:00 Shanghai
    expect(fired.map((f) => f.tenantId).sort()).toEqual([SYSTEM_TENANT_ID, tenant].sort());
    expect(sent).toHaveLength(2);
    expect([...store.claims.values()].map((c) => c.jobId).sort()).toEqual(['job-1', 'job-2']);
    expect(() => scheduler.add('digest', '0 9 * * *')).toThrow(/already registered/);
  });

  it('rejects bad patterns and time zones at registration', () => {
    const { scheduler } = setup();
    expect(() => scheduler.add('a', '* * *')).toThrow();
    expect(() => scheduler.add('b', '* * * * * * *')).toThrow(); // no year field
    expect(() => scheduler.add('c', '0 2 * * *', {}, { tz: 'Mars/Olympus' })).toThrow();
    expect(scheduler.schedules).toEqual([]);
  });

  it('prunes claims older than the retention', async () => {
    const { scheduler, store } = setup();
    scheduler.add('m', '* * * * *', {}, { tz: 'UTC' });
    await scheduler.tick(at('2026-03-01T10:00:30Z'));
    expect(store.claims.size).toBe(1);
    await scheduler.tick(at('2026-03-09T10:00:30Z')); // > 7 days and > 1 h later
    expect([...store.claims.values()].map((c) => c.slot.toISOString())).toEqual(['2026-03-09T10:00:00.000Z']);
  });

  it('ticks on its own timer once started, and stops', async () => {
    const sent: string[] = [];
    const scheduler = new Scheduler({
      store: new MemorySlotStore(),
      send: async (_name, data) => {
        sent.push((data as Record<string, string>)[SCHEDULED_FOR]!);
        return null;
      },
      tickMs: 100,
      catchUpMs: 150,
    });
    scheduler.add('fast', '* * * * * *', {}, { tz: 'UTC' });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 1300));
    await scheduler.stop();
    const count = sent.length;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(new Set(sent).size).toBe(count);
    await new Promise((r) => setTimeout(r, 1100));
    expect(sent.length).toBe(count);
  });
});
