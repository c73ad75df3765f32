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
});
