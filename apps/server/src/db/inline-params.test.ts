import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { inlineParams, literal } from './inline-params.js';

describe('literals for one-message statements', () => {
  it('quotes text, doubling quotes; backslashes in the escape form', () => {
    expect(literal("O'Brien")).toBe("'O''Brien'");
    expect(literal('a\\b')).toBe("E'a\\\\b'");
    expect(literal(null)).toBe('NULL');
    expect(literal(undefined)).toBe('NULL');
    expect(literal(42)).toBe("'42'");
    expect(literal(true)).toBe("'true'");
    expect(literal(new Date('2026-11-30T08:00:00Z'))).toBe("'2026-11-30T08:00:00.000Z'");
    expect(() => literal(Number.NaN)).toThrow();
    expect(() => literal('a\0b')).toThrow();
  });

  it('writes arrays as array literals with every element quoted', () => {
    // array text {"a","b\"c",NULL,"d\\e","f'g"}, then quoted (backslashes doubled in the E'' form)
    expect(literal(['a', 'b"c', null, 'd\\e', "f'g"])).toBe(
      String.raw`E'{"a","b\\"c",NULL,"d\\\\e","f''g"}'`,
    );
    expect(literal([])).toBe("'{}'");
  });

  it('replaces $1 … $12 by position (no $1 inside $12)', () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i + 1}`);
    expect(inlineParams('SELECT $1, $12, $2', values)).toBe("SELECT 'v1', 'v12', 'v2'");
    expect(() => inlineParams('SELECT $3', ['a'])).toThrow(/\$3/);
  });
});

// The same values through PostgreSQL's parser: what the driver would bind is what arrives.
describe('inlined values round-trip through the database', () => {
  let db: Database;
  beforeAll(async () => {
    db = process.env.KAM_TEST_PG_URL
      ? await Database.open({ url: process.env.KAM_TEST_PG_URL, poolSize: 1 })
      : await Database.open({ poolSize: 1 });
  });
  afterAll(() => db?.close());

  const nasty = ["'; DROP TABLE x; --", 'a\\b', 'line\nbreak', '"quoted"', '{brace,comma}', '客户', '$1', ''];
  it('text, text arrays, numbers, booleans and NULL come back exactly', async () => {
    const values: unknown[] = [...nasty, nasty, [null, 'x'], 7, 2.5, false, null];
    const placeholders = values.map((_, i) => `$${i + 1}`);
    const sql = `SELECT ${placeholders
      .map((p, i) => {
        if (i < nasty.length) return `${p}::text AS c${i}`;
        if (i === nasty.length || i === nasty.length + 1) return `${p}::text[] AS c${i}`;
        if (i === nasty.length + 2) return `${p}::int AS c${i}`;
        if (i === nasty.length + 3) return `${p}::numeric::text AS c${i}`;
        if (i === nasty.length + 4) return `${p}::boolean AS c${i}`;
        return `${p}::text AS c${i}`;
      })
      .join(', ')}`;
    const { rows } = await db.pool.query(inlineParams(sql, values));
    expect(Object.values(rows[0]!)).toEqual([...nasty, nasty, [null, 'x'], 7, '2.5', false, null]);
  });
});
