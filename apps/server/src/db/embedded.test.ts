import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../modules/organization/bootstrap.js';
import { Database } from './database.js';
import { listMigrations, migrate } from './migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'kam-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded database', () => {
  it('keeps its data in the folder across restarts and migrates only once', async () => {
    let db = await Database.open({ dataDir: dir, poolSize: 3 });
    expect(db.kind).toBe('embedded');
    expect((await migrate(db)).length).toBe(listMigrations().length);
    const org = await createOrganization(db, {
      slug: 'persist',
      name: 'Persisted Co',
      adminPassword: 'Persist#2026',
    });
    await db.close();

    db = await Database.open({ dataDir: dir, poolSize: 3 });
    expect(await migrate(db)).toEqual([]);
    const name = await db.withTenant(org.tenantId, (tx) =>
      tx.query<{ name: string }>('SELECT name FROM tenants'),
    );
    expect(name.rows).toEqual([{ name: 'Persisted Co' }]);
    await db.close();
  });

  it('refuses to start when an applied migration was edited', async () => {
    const db = await Database.open({ dataDir: dir, poolSize: 2 });
    const edited = listMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(db, edited)).rejects.toThrow(/forward-only/);
    await db.close();
  });

  it('keeps concurrent statements of different connections apart (extended protocol, no transaction)', async () => {
    // Outside a transaction each connection sends Parse/Bind/Execute/Sync as separate messages;
    // another connection's messages must not slip in between (pg-boss and KAM share the engine).
    const db = await Database.open({ poolSize: 8 });
    try {
      const results = await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          // A different statement per query: an interleaved Parse would bind another's text.
          const { rows } = await db.pool.query<{ v: number; t: string }>(
            `SELECT $1::int AS v, 'q${i % 7}-' || $2::text AS t FROM generate_series(1, 50 + (${i} % 3) * 500) g
             WHERE g = 50`,
            [i, `row-${i}`],
          );
          return rows[0];
        }),
      );
      expect(results).toEqual(Array.from({ length: 400 }, (_, i) => ({ v: i, t: `q${i % 7}-row-${i}` })));
    } finally {
      await db.close();
    }
  });

  it('keeps serving other connections after the engine throws on one message', async () => {
    const db = await Database.open({ poolSize: 4 });
    try {
      const engine = db.pglite!;
      const original = engine.execProtocolRawStream.bind(engine);
      let thrown = false;
      engine.execProtocolRawStream = (async (message: Uint8Array, options: unknown) => {
        if (!thrown && Buffer.from(message).includes(Buffer.from('kam_boom'))) {
          thrown = true;
          throw new Error('engine failure');
        }
        return original(message, options as Parameters<typeof original>[1]);
      }) as typeof engine.execProtocolRawStream;
      await expect(db.pool.query("SELECT 'kam_boom'")).rejects.toThrow();
      expect(thrown).toBe(true);
      const after = await Promise.all(
        [1, 2, 3].map((i) => db.pool.query<{ v: number }>('SELECT $1::int AS v', [i])),
      );
      expect(after.map((r) => r.rows[0]?.v)).toEqual([1, 2, 3]);
    } finally {
      await db.close();
    }
  });
});
