import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

/** Versioned, forward-only SQL migrations: `apps/server/migrations/NNNN_name.sql`, each run once, in order. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const LOCK_KEY = 7_226_001; // pg_advisory_xact_lock key shared by all KAM instances

/** Applies pending migrations in one transaction each; concurrent instances wait for each other. */
export async function migrate(db: Database, migrations = listMigrations()): Promise<Migration[]> {
  return db.withSystem(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.query('CREATE SCHEMA IF NOT EXISTS kam_sys');
    await tx.query(`CREATE TABLE IF NOT EXISTS kam_sys.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM kam_sys.schema_migrations ORDER BY version',
    );
    const applied = new Map(rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const done = applied.get(m.version);
      if (done && done.checksum !== m.checksum) {
        throw new Error(
          `Migration ${m.version}_${m.name} was changed after it was applied; migrations are forward-only — add a new one instead.`,
        );
      }
    }
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const m of pending) {
      await tx.query(m.sql);
      await tx.query('INSERT INTO kam_sys.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
    }
    return pending;
  });
}
