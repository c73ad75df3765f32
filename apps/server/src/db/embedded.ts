import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded database: PostgreSQL compiled to WASM (PGlite), served in-process on a private Unix
 * socket so the rest of KAM speaks the ordinary `pg` protocol exactly as against a server.
 * See docs/decisions/0002-embedded-database.md.
 */
export interface EmbeddedPostgres {
  /** Connection settings for `pg`. */
  connection: { host: string; port: number; database: string; user: string };
  pglite: PGlite;
  stop(): Promise<void>;
}

export async function startEmbedded(opts: {
  dataDir?: string; // undefined = in memory
  loadDataDir?: Blob | File;
  maxConnections: number;
}): Promise<EmbeddedPostgres> {
  let dataDir: string | undefined;
  if (opts.dataDir) {
    dataDir = resolve(opts.dataDir, 'pg');
    mkdirSync(dataDir, { recursive: true });
  }
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    extensions: { pg_trgm },
  });
  // Unix socket paths are limited to ~100 bytes: keep it short, in the temp folder.
  const socketDir = mkdtempSync(join(tmpdir(), 'kam-'));
  const port = 5432;
  const server = new PGLiteSocketServer({
    db: pglite,
    path: join(socketDir, `.s.PGSQL.${port}`),
    maxConnections: opts.maxConnections,
  });
  await server.start();
  return {
    connection: { host: socketDir, port, database: 'postgres', user: 'postgres' },
    pglite,
    async stop() {
      await server.stop();
      await pglite.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
