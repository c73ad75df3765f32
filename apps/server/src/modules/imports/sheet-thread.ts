import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../threads/entry.js';
import { type ByteSource, inGroups, type ReadOptions, readRows, SheetError, type SheetRow } from './sheet.js';
import type { FromSheetWorker, SheetWorkerStart, ToSheetWorker } from './sheet-worker.js';

/** Files from this size on are read on a worker thread; smaller ones on the calling thread. */
export const THREAD_MIN_BYTES = 512 * 1024;

export interface GroupOptions extends ReadOptions {
  /** rows per group (the last one may be shorter) */
  groupRows: number;
  /** 'auto': a worker thread from THREAD_MIN_BYTES on; 'always' / 'never' force it (tests) */
  thread?: 'auto' | 'always' | 'never';
}

/**
 * The rows of the file in order, in groups, as `readRows` gives them — read on a worker thread
 * (sheet-worker.ts) for files of THREAD_MIN_BYTES or more. Parsing a 100,000-row .xlsx costs ~6 s
 * of CPU and leaves much garbage; on its own thread that overlaps the row checks of the dry run
 * instead of adding to them. Byte ranges are read here from `src` and transferred on request. A
 * failed read is thrown as itself, a file that cannot be read as its SheetError. Stopping early ends
 * the worker.
 */
export async function* readRowGroups(src: ByteSource, opts: GroupOptions): AsyncGenerator<SheetRow[]> {
  const { groupRows, thread = 'auto', onSheet, ...read } = opts;
  if (thread === 'never' || (thread === 'auto' && src.size < THREAD_MIN_BYTES)) {
    yield* inGroups(readRows(src, { ...read, ...(onSheet ? { onSheet } : {}) }), groupRows);
    return;
  }

  const start: SheetWorkerStart = { size: src.size, opts: read, groupRows };
  const entry = workerEntry(import.meta.url, './sheet-worker');
  const worker = new Worker(entry.url, {
    workerData: start,
    ...(entry.execArgv ? { execArgv: entry.execArgv } : {}),
  });
  const inbox: (Exclude<FromSheetWorker, { type: 'read' }> | { type: 'exit'; error: Error })[] = [];
  let wake: (() => void) | null = null;
  const deliver = (m: (typeof inbox)[number]) => {
    inbox.push(m);
    wake?.();
    wake = null;
  };
  let readFailure: Error | null = null;
  const send = (m: ToSheetWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);
  worker.on('message', (m: FromSheetWorker) => {
    if (m.type !== 'read') return deliver(m);
    src.read(m.offset, m.length).then(
      (b) => {
        // a copy of exactly the range: `b` may be a view of a larger buffer, which must not move
        const bytes = new Uint8Array(b).buffer;
        send({ type: 'bytes', id: m.id, bytes }, [bytes]);
      },
      (err: unknown) => {
        readFailure ??= err instanceof Error ? err : new Error(String(err));
        send({ type: 'bytes', id: m.id, failed: readFailure.message });
      },
    );
  });
  let crash: Error | undefined;
  worker.on('error', (err) => {
    crash ??= err;
  });
  worker.on('exit', (code) =>
    deliver({
      type: 'exit',
      error: crash ?? new Error(`the spreadsheet reader's thread exited (code ${code})`),
    }),
  );

  try {
    for (;;) {
      const m = inbox.shift();
      if (!m) {
        await new Promise<void>((w) => (wake = w));
        continue;
      }
      if (m.type === 'sheet') onSheet?.(m.sheetNo);
      else if (m.type === 'rows') {
        send({ type: 'more' });
        yield m.rows;
      } else if (m.type === 'done') return;
      else if (m.type === 'error')
        throw readFailure ?? (m.reason ? new SheetError(m.reason) : new Error(m.message));
      else throw readFailure ?? m.error;
    }
  } finally {
    await worker.terminate();
  }
}
