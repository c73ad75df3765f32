import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when the suite runs against a PostgreSQL server: the throwaway database of this run. */
    kamDatabaseUrl: string | null;
    /** Otherwise: a migrated embedded data-dir snapshot each test file starts from. */
    kamSnapshotPath: string | null;
  }
}

/**
 * Prepares the database the server tests run on, once per run: with KAM_TEST_PG_URL a throwaway
 * database on that server (dropped afterwards), else a migrated embedded snapshot.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.KAM_TEST_PG_URL;
  if (serverUrl) {
    const name = `kam_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const db = await Database.open({ url: url.toString(), poolSize: 2 });
    await migrate(db);
    await db.close();
    project.provide('kamDatabaseUrl', url.toString());
    project.provide('kamSnapshotPath', null);
    return async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const db = await Database.open({ poolSize: 2 });
  await migrate(db);
  const dump = await db.dumpDataDir();
  const dir = mkdtempSync(join(tmpdir(), 'kam-snap-'));
  const file = join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(dump));
  await db.close();
  project.provide('kamDatabaseUrl', null);
  project.provide('kamSnapshotPath', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
