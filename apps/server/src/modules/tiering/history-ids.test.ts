import { describe, expect, it } from 'vitest';
import { historyIds } from './runner.js';

/** The id of the n-th history row of a statement, as its SQL builds it: head || to_hex(base + n). */
function idOf(parts: { head: string; base: string }, n: number): string {
  const hex = BigInt.asUintN(64, BigInt(parts.base) + BigInt(n))
    .toString(16)
    .padStart(16, '0');
  const h = parts.head + hex;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

describe('history ids of a statement (UUID version 7 layout)', () => {
  const now = Date.UTC(2026, 11, 1, 3, 0, 0, 123);

  it('start with the milliseconds, then version 7; the variant is 10 for every row of a statement', () => {
    for (const random of [
      Buffer.alloc(8, 0),
      Buffer.alloc(8, 0xff),
      Buffer.from('0123456789abcdef', 'hex'),
    ]) {
      const parts = historyIds(now, random);
      expect(parts.head).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}$/);
      expect(Number.parseInt(parts.head.slice(0, 12), 16)).toBe(now);
      // the base is a bigint PostgreSQL accepts, and 2³² rows later the variant bits are still 10
      expect(BigInt(parts.base) >= -(2n ** 63n) && BigInt(parts.base) < 0n).toBe(true);
      for (const n of [1, 20_000, 2 ** 32 - 1]) {
        const id = idOf(parts, n);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    }
  });

  it('increase with the row number within a statement', () => {
    const parts = historyIds(now);
    const ids = [1, 2, 3, 10, 20_000].map((n) => idOf(parts, n));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('differ between statements in the same millisecond (random start)', () => {
    const a = historyIds(now, Buffer.from('0000000000000001', 'hex'));
    const b = historyIds(now, Buffer.from('0000000000000002', 'hex'));
    expect(a.head).toBe(b.head);
    expect(a.base).not.toBe(b.base);
    expect(BigInt(b.base) - BigInt(a.base)).toBe(2n ** 32n);
  });
});
