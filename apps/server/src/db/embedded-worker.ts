import { parentPort, workerData } from 'node:worker_threads';
import { type Engine, openEngine } from './embedded-engine.js';

/**
 * The embedded database's worker thread (started by `startEmbedded` in embedded.ts): it opens the
 * engine and its socket server here, so a heavy statement keeps this thread busy and not the one
 * that serves HTTP. The application reaches the engine over the Unix socket only; this port carries
 * just start-up, snapshots and stop. Decision 0018.
 */

/** What the worker is started with (`workerData`). */
export interface WorkerStart {
  dataDir: string | undefined;
  /** Snapshot bytes, transferred (not copied) from the main thread. */
  loadDataDir: ArrayBuffer | undefined;
  socketPath: string;
  maxConnections: number;
}

export type WorkerRequest = { id: number; op: 'dump' | 'stop' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'reply'; id: number; ok: true; value?: ArrayBuffer }
  | { type: 'reply'; id: number; ok: false; error: unknown };

const port = parentPort;
if (!port)
  throw new Error('embedded-worker runs as a worker thread, started by startEmbedded (db/embedded.ts)');
const start = workerData as WorkerStart;

// A failure here rejects the module, so the worker emits 'error' with the engine's own error and
// startEmbedded rejects with it.
const engine: Engine = await openEngine({
  dataDir: start.dataDir,
  loadDataDir: start.loadDataDir ? new Blob([start.loadDataDir]) : undefined,
  socketPath: start.socketPath,
  maxConnections: start.maxConnections,
});

port.on('message', async ({ id, op }: WorkerRequest) => {
  try {
    if (op === 'dump') {
      const dump = await engine.pglite.dumpDataDir('none');
      const value = await dump.arrayBuffer();
      port.postMessage({ type: 'reply', id, ok: true, value } satisfies WorkerMessage, [value]);
    } else {
      await engine.stop();
      port.postMessage({ type: 'reply', id, ok: true } satisfies WorkerMessage);
    }
  } catch (err) {
    // An Error always clones (name, message, stack); an arbitrary thrown value might not.
    const error = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'reply', id, ok: false, error } satisfies WorkerMessage);
  }
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
