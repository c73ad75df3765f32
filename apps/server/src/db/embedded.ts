import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../threads/entry.js';
import type { WorkerMessage, WorkerRequest, WorkerStart } from './embedded-worker.js';

/**
 * The embedded database: PostgreSQL compiled to WASM (PGlite), served on a private Unix socket so the
 * rest of KAM speaks the ordinary `pg` protocol exactly as against a server
 * (docs/decisions/0002-embedded-database.md). The engine runs in a worker thread of its own
 * (embedded-worker.ts → embedded-engine.ts): PGlite executes a statement synchronously on the thread
 * that owns it, and that must not be the thread serving HTTP (decision 0018).
 */
export interface EmbeddedPostgres {
  /** Connection settings for `pg`. */
  connection: { host: string; port: number; database: string; user: string };
  /** The engine's data folder as an uncompressed tar (PGlite `dumpDataDir`), e.g. a snapshot for tests. */
  dumpDataDir(): Promise<ArrayBuffer>;
  /** The thread running the engine (diagnostics; tests end it to simulate a crash). */
  readonly worker: Worker;
  /** Stops the socket server and closes the engine in the worker, then ends the worker. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Parent of the data folder (`<dataDir>/pg`); undefined = in memory. */
  dataDir?: string | undefined;
  /** Start in memory from a data-dir snapshot (the bytes are copied and handed to the worker). */
  loadDataDir?: Blob | ArrayBuffer | Uint8Array | undefined;
  maxConnections: number;
  /**
   * Called once when the engine's thread ends without `stop()` (crash, fatal engine error). Its
   * socket is gone then, so every pooled query fails (none waits forever). Default: log to stderr.
   */
  onCrash?: ((error: Error) => void) | undefined;
}

async function snapshotBytes(src: EmbeddedOptions['loadDataDir']): Promise<ArrayBuffer | undefined> {
  if (!src) return undefined;
  if (src instanceof Blob) return src.arrayBuffer();
  // A copy: it is transferred to the worker, and the caller's buffer must stay usable.
  return new Uint8Array(src instanceof ArrayBuffer ? new Uint8Array(src) : src).buffer;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const onCrash =
    opts.onCrash ?? ((err: Error) => console.error('KAM: the embedded database stopped unexpectedly:', err));
  const loadDataDir = await snapshotBytes(opts.loadDataDir);
  // Unix socket paths are limited to ~100 bytes: keep it short, in the temp folder.
  const socketDir = mkdtempSync(join(tmpdir(), 'kam-'));
  const port = 5432;
  const start: WorkerStart = {
    dataDir: opts.dataDir ? resolve(opts.dataDir, 'pg') : undefined,
    loadDataDir,
    socketPath: join(socketDir, `.s.PGSQL.${port}`),
    maxConnections: opts.maxConnections,
  };
  const entry = workerEntry(import.meta.url, './embedded-worker');
  let worker: Worker;
  try {
    worker = new Worker(entry.url, {
      workerData: start,
      transferList: loadDataDir ? [loadDataDir] : [],
      ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
    });
  } catch (err) {
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }

  // The worker's uncaught error (engine, module load): what start-up rejects with, or what a crash reports.
  let crash: Error | undefined;
  worker.on('error', (err) => {
    crash ??= asError(err);
  });

  // Start-up: 'ready', or an exit (after its error) without it.
  try {
    await new Promise<void>((ready, fail) => {
      const done = () => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.type !== 'ready') return;
        done();
        ready();
      };
      const onExit = (code: number) => {
        done();
        fail(crash ?? new Error(`the embedded database's worker exited (code ${code}) while starting`));
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
    });
  } catch (err) {
    rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }

  // Running: replies to requests; an exit without stop() is a crash — fail what waits, report it.
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: ArrayBuffer | undefined) => void; reject: (e: Error) => void }
  >();
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let ended: Error | undefined;
  worker.on('message', (m: WorkerMessage) => {
    if (m.type !== 'reply') return;
    const request = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) request?.resolve(m.value);
    else request?.reject(asError(m.error));
  });
  worker.on('exit', (code) => {
    ended = crash ?? new Error(`the embedded database's worker exited (code ${code})`);
    for (const request of pending.values()) request.reject(ended);
    pending.clear();
    if (stopping) return;
    rmSync(socketDir, { recursive: true, force: true });
    onCrash(ended);
  });
  const request = (op: WorkerRequest['op']) =>
    new Promise<ArrayBuffer | undefined>((resolve, reject) => {
      if (ended) return reject(new Error('the embedded database is not running', { cause: ended }));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op } satisfies WorkerRequest);
    });

  return {
    connection: { host: socketDir, port, database: 'postgres', user: 'postgres' },
    worker,
    async dumpDataDir() {
      const dump = await request('dump');
      if (!dump) throw new Error('the embedded database returned no data-dir dump');
      return dump;
    },
    stop() {
      stopped ??= (async () => {
        if (ended) return; // crashed: reported already, nothing left to stop
        stopping = true;
        try {
          await request('stop');
        } finally {
          await worker.terminate();
          rmSync(socketDir, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
  };
}
