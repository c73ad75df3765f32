import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded engine itself: PGlite (PostgreSQL compiled to WASM) and the pglite-socket server that
 * serves it on a Unix socket, with our two fixes for pglite-socket 0.2.17. It runs on whichever
 * thread calls `openEngine` — in KAM that is the worker thread of `embedded-worker.ts`, never the
 * thread that serves HTTP (decision 0018). Keep this module free of other KAM imports: under Vitest
 * the worker loads it from source (see threads/ts-source-hooks.mjs).
 */
export interface EngineOptions {
  /** The engine's data folder, created when missing; undefined = in memory. */
  dataDir?: string | undefined;
  /** A data-dir snapshot (`dumpDataDir` tar) to start from, in memory. */
  loadDataDir?: Blob | undefined;
  /** The Unix socket the server listens on (`<dir>/.s.PGSQL.<port>`; keep it short, ~100 bytes max). */
  socketPath: string;
  maxConnections: number;
}

export interface Engine {
  pglite: PGlite;
  /** Closes the socket server (and its connections), then the engine. */
  stop(): Promise<void>;
}

export async function openEngine(opts: EngineOptions): Promise<Engine> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    extensions: { pg_trgm },
  });
  const server = new PGLiteSocketServer({
    db: messageGroupGate(pglite),
    path: opts.socketPath,
    maxConnections: opts.maxConnections,
  });
  try {
    keepQueueAliveOnThrow(server);
    await server.start();
  } catch (err) {
    await pglite.close().catch(() => {});
    throw err;
  }
  return {
    pglite,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}

/** Protocol message types that open an extended-protocol group (Parse, Bind, Describe, Execute, Close, Flush). */
const GROUP_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);
const SYNC = 0x53;
const SIMPLE_QUERY = 0x51;

/**
 * The socket server queues protocol messages of all connections and, outside a transaction, takes
 * them one *message* at a time from whichever connection is next. A statement outside a
 * transaction is a group of messages (Parse, Bind, Describe, Execute … Sync): interleaving two
 * groups makes one connection execute the other's unnamed portal, or find it gone ("portal does
 * not exist"). The server keeps a connection's turn while `isInTransaction()` is true, so this view
 * of the engine also answers true while a connection's message group is open — from its first
 * extended-protocol message up to its Sync. A ROLLBACK the server issues for a connection that went
 * away closes the group too.
 */
function messageGroupGate(pglite: PGlite): PGlite {
  let groupOpen = false;
  return new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'isInTransaction') return () => groupOpen || target.isInTransaction();
      if (prop === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0] ?? 0;
          if (GROUP_MESSAGES.has(type)) groupOpen = true;
          try {
            return await target.execProtocolRawStream(message, options);
          } finally {
            if (type === SYNC || type === SIMPLE_QUERY) groupOpen = false;
          }
        };
      }
      if (prop === 'exec') {
        return async (...args: Parameters<PGlite['exec']>) => {
          groupOpen = false;
          return target.exec(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface QueryQueue {
  processing: boolean;
  processQueue(): Promise<void>;
}

/**
 * pglite-socket 0.2.17 leaves its query queue marked "processing" when the engine throws while
 * running a message (the failing connection gets the error, but `processing` is never reset), so
 * every later statement of every connection waits forever (electric-sql/pglite#1046). This resets
 * the flag after such a throw and carries on with the queued messages of the other connections.
 */
function keepQueueAliveOnThrow(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function') {
    throw new Error('pglite-socket internals changed: review keepQueueAliveOnThrow (db/embedded-engine.ts)');
  }
  const original = queue.processQueue.bind(queue);
  queue.processQueue = async function processQueue(): Promise<void> {
    if (queue.processing) return original();
    await original();
    // A normal pass ends with processing = false; still true means a message threw mid-pass.
    if (queue.processing) {
      queue.processing = false;
      await queue.processQueue();
    }
  };
}
