import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { type ByteSource, inGroups, type ReadOptions, readRows, SheetError, type SheetRow } from './sheet.js';

/**
 * The spreadsheet reader's worker thread (started by `readRowGroups` in sheet-thread.ts): it runs
 * `readRows` — unzipping, XML or CSV parsing, cells — here, so the garbage of parsing a large file is
 * collected on this thread and the dry run's thread only checks rows. The stored file stays where it
 * is: the worker asks for byte ranges, the starting thread reads them from the chunk store and
 * transfers them. Rows go back in groups, at most GROUPS_AHEAD not yet taken. Decision 0011.
 */

/** What the worker is started with (`workerData`). */
export interface SheetWorkerStart {
  size: number;
  opts: Omit<ReadOptions, 'onSheet'>;
  groupRows: number;
}

/** Messages to the worker: a range's bytes (or why they could not be read), or "send more rows". */
export type ToSheetWorker =
  | { type: 'bytes'; id: number; bytes: ArrayBuffer }
  | { type: 'bytes'; id: number; failed: string }
  | { type: 'more' };

/** Messages from the worker. */
export type FromSheetWorker =
  | { type: 'read'; id: number; offset: number; length: number }
  | { type: 'sheet'; sheetNo: number }
  | { type: 'rows'; rows: SheetRow[] }
  | { type: 'done' }
  | { type: 'error'; reason: SheetError['reason'] | null; message: string };

/** Groups of rows sent and not yet taken by the reading thread (bounds the memory held in messages). */
const GROUPS_AHEAD = 2;
/** Bytes per read: the chunk store's chunk size, reads aligned to it fetch one chunk each. */
const READ_STEP = 1024 * 1024;

const port = parentPort;
if (!port)
  throw new Error('sheet-worker runs as a worker thread, started by readRowGroups (sheet-thread.ts)');
const start = workerData as SheetWorkerStart;
const post = (m: FromSheetWorker) => port.postMessage(m);

const pending = new Map<number, { ok: (b: Buffer) => void; fail: (e: Error) => void }>();
let nextId = 0;
let credits = GROUPS_AHEAD;
let wake: (() => void) | null = null;

port.on('message', (m: ToSheetWorker) => {
  if (m.type === 'more') {
    credits++;
    wake?.();
    wake = null;
    return;
  }
  const p = pending.get(m.id);
  pending.delete(m.id);
  if ('failed' in m) p?.fail(new Error(m.failed));
  else p?.ok(Buffer.from(m.bytes));
});

function read(offset: number, length: number): Promise<Buffer> {
  const id = nextId++;
  return new Promise((ok, fail) => {
    pending.set(id, { ok, fail });
    post({ type: 'read', id, offset, length });
  });
}

const src: ByteSource = {
  size: start.size,
  read,
  stream(from, to) {
    return Readable.from(
      (async function* () {
        for (let pos = from; pos < to; ) {
          const end = Math.min(to, (Math.floor(pos / READ_STEP) + 1) * READ_STEP);
          yield await read(pos, end - pos);
          pos = end;
        }
      })(),
      { objectMode: false, highWaterMark: 1 },
    );
  },
};

async function send(rows: SheetRow[]): Promise<void> {
  while (credits === 0) await new Promise<void>((w) => (wake = w));
  credits--;
  post({ type: 'rows', rows });
}

try {
  const rows = readRows(src, { ...start.opts, onSheet: (sheetNo) => post({ type: 'sheet', sheetNo }) });
  for await (const group of inGroups(rows, start.groupRows)) await send(group);
  post({ type: 'done' });
} catch (err) {
  post({
    type: 'error',
    reason: err instanceof SheetError ? err.reason : null,
    message: err instanceof Error ? err.message : String(err),
  });
}
// The starting thread ends this worker when it has the last message (or stops reading early).
