import { describe, expect, it } from 'vitest';
import { timeUuid } from './ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered record ids (UUID version 7 layout)', () => {
  it('carry the milliseconds in the first 48 bits, version 7 and the RFC 4122 variant', () => {
    const now = Date.UTC(2026, 11, 1, 3, 4, 5, 678);
    const id = timeUuid(now);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
    expect(timeUuid(0)).toMatch(/^00000000-0000-7/);
  });

  it('sort by creation time across milliseconds, and are distinct within one', () => {
    const base = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 200 }, (_, i) => timeUuid(base + i * 7));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 10_000 }, () => timeUuid(base)));
    expect(same.size).toBe(10_000);
    for (const id of same) expect(id.startsWith(ids[0]!.slice(0, 13))).toBe(true);
  });
});
