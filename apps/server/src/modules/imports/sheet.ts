import { createRequire, Module } from 'node:module';
import { dirname, sep } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createInflateRaw } from 'node:zlib';
import type ExcelJSModule from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';

/**
 * The spreadsheet adapter: the only module that knows exceljs, papaparse and iconv-lite (decision
 * 0011). Everything reads and writes through it as plain rows of plain cells, streaming: a file is
 * never held in memory as a whole.
 */

/** A formula cell whose file holds no computed result (e.g. written by a program, never opened in Excel). */
export interface FormulaWithoutResult {
  formula: string;
}
/** One cell as read: text, number, boolean, a date (xlsx date-formatted cells), empty, or a formula without result. */
export type SheetCell = string | number | boolean | Date | null | FormulaWithoutResult;

export interface SheetRow {
  /** the row number as the user sees it (Excel: the row header; CSV: the record number) */
  rowNo: number;
  /** by column index, 0 = column A */
  cells: SheetCell[];
}

/** A merged range: rows 1-based inclusive, columns 0-based inclusive. */
export interface MergeRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/**
 * exceljs 4.4 with its XML reader fixed. Its streaming reader decodes every chunk of a zip entry to
 * text on its own (`lib/utils/parse-sax.js`: one shared TextDecoder, no `stream: true`), so a
 * Chinese character whose UTF-8 bytes straddle two chunks turns into U+FFFD — silently, in names
 * and any other text. This loads a private copy of exceljs whose parse-sax decodes each entry with
 * its own streaming decoder (any copy loaded elsewhere is left alone).
 */
function loadExcelJs(): typeof ExcelJSModule {
  const req = createRequire(import.meta.url);
  const root = dirname(req.resolve('exceljs/package.json'));
  const parseSaxPath = req.resolve('exceljs/lib/utils/parse-sax.js');
  const { SaxesParser } = createRequire(parseSaxPath)('saxes') as {
    SaxesParser: new () => {
      on(event: string, fn: (value: unknown) => void): void;
      write(text: string): void;
    };
  };
  async function* parseSax(iterable: AsyncIterable<Buffer | string>) {
    const parser = new SaxesParser();
    const decoder = new TextDecoder('utf-8');
    let error: unknown;
    let events: { eventType: string; value: unknown }[] = [];
    parser.on('error', (err) => {
      error = err;
    });
    for (const type of ['opentag', 'text', 'closetag']) {
      parser.on(type, (value) => events.push({ eventType: type, value }));
    }
    for await (const chunk of iterable) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
      if (error) throw error;
      yield events;
      events = [];
    }
    const rest = decoder.decode();
    if (rest) {
      parser.write(rest);
      if (error) throw error;
      yield events;
    }
  }
  for (const key of Object.keys(req.cache)) if (key.startsWith(root + sep)) delete req.cache[key];
  const fixed = new Module(parseSaxPath);
  fixed.filename = parseSaxPath;
  fixed.loaded = true;
  fixed.exports = parseSax;
  req.cache[parseSaxPath] = fixed;
  const excel = req('exceljs') as typeof ExcelJSModule;
  for (const key of Object.keys(req.cache)) if (key.startsWith(root + sep)) delete req.cache[key];
  return excel;
}

const ExcelJS = loadExcelJs();

export type FileFormat = 'xlsx' | 'csv';
export type CsvEncoding = 'utf8' | 'gbk';

export function isFormulaWithoutResult(cell: SheetCell): cell is FormulaWithoutResult {
  return typeof cell === 'object' && cell !== null && !(cell instanceof Date);
}

export class SheetError extends Error {
  constructor(readonly reason: 'xls' | 'corrupt' | 'empty' | 'no_sheet') {
    super(reason);
  }
}

/** xlsx by the zip signature; the old binary .xls is refused; anything else is read as CSV. */
export function detectFormat(head: Buffer): FileFormat {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'xlsx';
  if (head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0) throw new SheetError('xls');
  return 'csv';
}

/**
 * Streaming UTF-8 check for CSV: fed every chunk of the upload. UTF-8 (with or without BOM) when
 * every byte sequence is valid, else GBK (read as its superset GB18030) — the two encodings Chinese
 * spreadsheets are saved in.
 */
export class EncodingSniffer {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private valid = true;

  push(chunk: Buffer): void {
    if (!this.valid) return;
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.valid = false;
    }
  }

  finish(): CsvEncoding {
    if (this.valid) {
      try {
        this.decoder.decode();
      } catch {
        this.valid = false;
      }
    }
    return this.valid ? 'utf8' : 'gbk';
  }
}

// ——— reading ——————————————————————————————————————————————————————————————————————————————

function cellOf(value: unknown): SheetCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('formula' in v || 'sharedFormula' in v) {
      if (v.result === undefined || v.result === null || Number.isNaN(v.result)) {
        return { formula: String(v.formula ?? v.sharedFormula ?? '') };
      }
      return cellOf(v.result);
    }
    if (Array.isArray(v.richText)) {
      return cellOf((v.richText as { text?: string }[]).map((r) => r.text ?? '').join(''));
    }
    if ('text' in v) return cellOf(v.text);
    if ('error' in v) return String(v.error);
  }
  return String(value);
}

/** Fills the cells a merged range covers with its top-left (master) value, as the sheet shows it. */
class MergeFiller {
  private readonly masters = new Map<MergeRange, SheetCell>();
  constructor(private readonly merges: MergeRange[]) {}

  apply(row: SheetRow): SheetRow {
    if (this.merges.length === 0) return row;
    for (const m of this.merges) {
      if (row.rowNo < m.top || row.rowNo > m.bottom) continue;
      if (row.rowNo === m.top) this.masters.set(m, row.cells[m.left] ?? null);
      const master = this.masters.get(m) ?? null;
      for (let c = m.left; c <= m.right; c++) {
        if (c === m.left && row.rowNo === m.top) continue;
        while (row.cells.length <= c) row.cells.push(null);
        row.cells[c] = master;
      }
      if (row.rowNo === m.bottom) this.masters.delete(m);
    }
    return row;
  }
}

/** Rows already read, as the sheet shows them: merged cells carry their master value. */
export function fillMerges(rows: SheetRow[], merges: MergeRange[]): SheetRow[] {
  const filler = new MergeFiller(merges);
  return rows.map((r) => filler.apply({ rowNo: r.rowNo, cells: [...r.cells] }));
}

export interface ReadOptions {
  format: FileFormat;
  encoding?: CsvEncoding | null;
  /** xlsx: the worksheet number (xl/worksheets/sheetN.xml); default the first one in the file */
  sheetNo?: number | null;
  merges?: MergeRange[];
  /** called once with the worksheet read (xlsx) */
  onSheet?: (sheetNo: number) => void;
}

/** The rows of the file, in order, streaming. Rows absent from an xlsx file are simply not yielded. */
export async function* readRows(src: ByteSource, opts: ReadOptions): AsyncGenerator<SheetRow> {
  const filler = new MergeFiller(opts.merges ?? []);
  const dir = opts.format === 'xlsx' ? await zipDirectory(src) : null;
  const input = dir ? Readable.from(inReadingOrder(src, dir)) : src.stream(0, src.size);
  const source = dir
    ? readXlsx(
        input,
        opts,
        dir.entries.some((e) => e.name === 'xl/sharedStrings.xml'),
      )
    : readCsv(input, opts.encoding ?? 'utf8');
  try {
    for await (const row of source) yield filler.apply(row);
  } finally {
    input.destroy();
  }
}

async function* readXlsx(
  input: Readable,
  opts: ReadOptions,
  hasSharedStrings: boolean,
): AsyncGenerator<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // styles tell date-formatted numbers (dates) from plain numbers
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // Without a shared-strings part, "no shared strings" is known from the start: exceljs would
  // otherwise wait for one and park every worksheet in a temporary file (see inReadingOrder).
  if (!hasSharedStrings) (reader as unknown as { sharedStrings: unknown[] }).sharedStrings = [];
  let found = false;
  try {
    for await (const sheet of reader) {
      const id = Number((sheet as unknown as { id: string | number }).id);
      if (found || (opts.sheetNo != null && id !== opts.sheetNo)) {
        for await (const _ of sheet) {
          // an unread worksheet must still be drained for the zip stream to move on
        }
        continue;
      }
      found = true;
      opts.onSheet?.(id);
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: SheetCell[] = [];
        for (let c = 1; c < values.length; c++) cells.push(cellOf(values[c]));
        yield { rowNo: row.number, cells };
      }
      break;
    }
  } catch (err) {
    if (err instanceof SheetError) throw err;
    throw Object.assign(new SheetError('corrupt'), { cause: err });
  }
  if (!found) throw new SheetError('no_sheet');
}

async function* readCsv(input: Readable, encoding: CsvEncoding): AsyncGenerator<SheetRow> {
  const decoder = iconv.decodeStream(encoding === 'gbk' ? 'gb18030' : 'utf8', { stripBOM: true });
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: false });
  const out = pipeline(input, decoder, parser, () => {});
  let rowNo = 0;
  for await (const record of out as AsyncIterable<string[]>) {
    rowNo++;
    yield { rowNo, cells: record.map((v) => (v === '' ? null : v)) };
  }
}

/** `items` in arrays of `size` (the last one may be shorter), streaming. */
export async function* inGroups<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let group: T[] = [];
  for await (const item of items) {
    group.push(item);
    if (group.length === size) {
      yield group;
      group = [];
    }
  }
  if (group.length) yield group;
}

// ——— merged ranges (xlsx) ————————————————————————————————————————————————————————————————————

/** Random access to the stored file (the chunk store), for reading the zip directory. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** the bytes [from, to) as a stream */
  stream(from: number, to: number): Readable;
}

function colIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

const MAX_MERGES = 5000;

/**
 * The merged ranges of worksheet `sheetNo`. exceljs's streaming reader skips `<mergeCells>` (it
 * comes after the rows), so the worksheet's zip entry is located through the zip directory and
 * scanned once more, inflating as it streams. At most MAX_MERGES ranges are kept.
 */
export async function readMerges(src: ByteSource, sheetNo: number): Promise<MergeRange[]> {
  const entry = await findZipEntry(src, `xl/worksheets/sheet${sheetNo}.xml`);
  if (!entry) return [];
  const raw = src.stream(entry.dataStart, entry.dataStart + entry.compressedSize);
  const stream = entry.method === 8 ? pipeline(raw, createInflateRaw(), () => {}) : raw;
  const merges: MergeRange[] = [];
  const re = /<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/g;
  const text = new StringDecoder('utf8');
  let tail = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const s = tail + text.write(chunk);
    let last = 0;
    for (const m of s.matchAll(re)) {
      if (merges.length < MAX_MERGES) {
        const [, c1, r1, c2 = c1!, r2 = r1!] = m;
        merges.push({
          top: Number(r1),
          left: colIndex(c1!),
          bottom: Number(r2),
          right: colIndex(c2),
        });
      }
      last = m.index + m[0].length;
    }
    // keep a possibly cut tag for the next chunk
    tail = s.slice(Math.max(last, s.length - 300));
  }
  return merges;
}

interface ZipEntry {
  method: number;
  compressedSize: number;
  dataStart: number;
}

interface ZipDirectoryEntry {
  name: string;
  method: number;
  compressedSize: number;
  localOffset: number;
}

/** The zip's central directory: its entries and where the directory starts. */
async function zipDirectory(src: ByteSource): Promise<{ entries: ZipDirectoryEntry[]; cdOffset: number }> {
  const tailLen = Math.min(src.size, 22 + 65_535);
  const tail = await src.read(src.size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new SheetError('corrupt');
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset + cdSize > src.size) throw new SheetError('corrupt');
  const cd = await src.read(cdOffset, cdSize);
  const entries: ZipDirectoryEntry[] = [];
  let p = 0;
  while (p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50) {
    const nameLen = cd.readUInt16LE(p + 28);
    entries.push({
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      localOffset: cd.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
  }
  return { entries, cdOffset };
}

async function findZipEntry(src: ByteSource, name: string): Promise<ZipEntry | null> {
  const entry = (await zipDirectory(src)).entries.find((e) => e.name === name);
  if (!entry) return null;
  const local = await src.read(entry.localOffset, 30);
  if (local.readUInt32LE(0) !== 0x04034b50) throw new SheetError('corrupt');
  const dataStart = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  return { method: entry.method, compressedSize: entry.compressedSize, dataStart };
}

/** The parts a worksheet is read with, in the order they must come before it. */
const READ_FIRST = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/styles.xml', 'xl/sharedStrings.xml'];

/**
 * The file's zip entries (each as its raw bytes: local header, data, data descriptor) with the
 * workbook's relationships, the workbook, its styles and shared strings moved before everything
 * else. exceljs's streaming reader reads a worksheet in one pass only when those came first; for a
 * worksheet that comes earlier — Excel writes them first, other programs do not — it dereferenced
 * the unread workbook ("Cannot read properties of undefined (reading 'sheets')"), read dates as
 * plain numbers, or, through its temporary-file path, lost the entries after the worksheet. In this
 * order it never takes that path. Nothing is decompressed here; a streaming reader ignores the
 * central directory, which is left out.
 */
async function* inReadingOrder(
  src: ByteSource,
  dir: { entries: ZipDirectoryEntry[]; cdOffset: number },
): AsyncGenerator<Buffer> {
  const byOffset = [...dir.entries].sort((a, b) => a.localOffset - b.localOffset);
  const ranges = byOffset.map((e, i) => ({
    name: e.name,
    from: e.localOffset,
    to: byOffset[i + 1]?.localOffset ?? dir.cdOffset,
  }));
  const rank = (name: string) => {
    const i = READ_FIRST.indexOf(name);
    return i < 0 ? READ_FIRST.length : i;
  };
  ranges.sort((a, b) => rank(a.name) - rank(b.name) || a.from - b.from);
  for (const r of ranges) {
    if (r.to < r.from || r.to > src.size) throw new SheetError('corrupt');
    for await (const chunk of src.stream(r.from, r.to)) yield chunk as Buffer;
  }
}

// ——— writing ——————————————————————————————————————————————————————————————————————————————

export interface ColumnSpec {
  header: string;
  width?: number;
  /** Excel number format: '@' text, a date format, a ¥ amount format */
  numFmt?: string;
}

/**
 * A streaming .xlsx writer into `output`: rows are committed as they are added, so an export of
 * 100,000 rows never holds the workbook in memory.
 */
export class XlsxStreamWriter {
  private readonly wb: ExcelJSModule.stream.xlsx.WorkbookWriter;

  constructor(output: NodeJS.WritableStream) {
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: output as unknown as import('node:stream').Stream,
      useStyles: true,
      useSharedStrings: false,
    });
  }

  sheet(name: string, columns: ColumnSpec[]): SheetWriter {
    const ws = this.wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = columns.map((c, i) => ({
      key: String(i),
      width: c.width ?? Math.max(12, Math.min(40, c.header.length * 2 + 4)),
      ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
    }));
    const header = ws.addRow(columns.map((c) => c.header));
    header.font = { bold: true };
    header.commit();
    return {
      add(values: (string | number | Date | null)[]) {
        ws.addRow(values).commit();
      },
      done() {
        ws.commit();
      },
    };
  }

  async finish(): Promise<void> {
    await this.wb.commit();
  }
}

export interface SheetWriter {
  add(values: (string | number | Date | null)[]): void;
  done(): void;
}
