import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type ByteSource, readRows, SheetError, type SheetRow } from './sheet.js';
import { readRowGroups, THREAD_MIN_BYTES } from './sheet-thread.js';

/**
 * A stored file as the chunk store gives it: random reads, ranges streamed in pieces; reads counted.
 * A read covering byte `failAt` fails (the worksheet's data, past the zip directory's reads).
 */
function sourceOf(file: Buffer, failAt?: number): ByteSource & { reads: number } {
  const src = {
    size: file.length,
    reads: 0,
    async read(offset: number, length: number) {
      src.reads++;
      if (failAt !== undefined && offset <= failAt && offset + length > failAt)
        throw new Error('chunk 3 missing');
      return file.subarray(offset, offset + length);
    },
    stream(from: number, to: number) {
      const pieces: Buffer[] = [];
      for (let p = from; p < to; p += 65_536) pieces.push(file.subarray(p, Math.min(to, p + 65_536)));
      return Readable.from(pieces);
    },
  };
  return src;
}

const ROWS = 12_000;

let built: Promise<Buffer> | undefined;
/** An .xlsx (built once) of ROWS data rows below a merged title row: text, numbers, dates, formulas with and without result. */
function workbook(): Promise<Buffer> {
  built ??= build();
  return built;
}

async function build(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('客户');
  ws.addRow(['客户清单（2026）']);
  ws.mergeCells('A1:E1');
  ws.addRow(['客户名称', '签约日期', '金额', '合计', '备注']);
  for (let i = 0; i < ROWS; i++) {
    ws.addRow([
      `杭州澜璟${i}供应链管理有限公司`,
      new Date(Date.UTC(2025, i % 12, 1 + (i % 28))),
      i * 10.5,
      i % 100 === 0 ? { formula: `C${i + 3}*2` } : { formula: `C${i + 3}*2`, result: i * 21 },
      i % 7 === 0 ? null : `第${i}行 & <备注>`,
    ]);
  }
  ws.getColumn(2).numFmt = 'yyyy-mm-dd';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function collect(groups: AsyncGenerator<SheetRow[]>): Promise<{ rows: SheetRow[]; sizes: number[] }> {
  const rows: SheetRow[] = [];
  const sizes: number[] = [];
  for await (const g of groups) {
    sizes.push(g.length);
    rows.push(...g);
  }
  return { rows, sizes };
}

describe('reading a file on a worker thread', () => {
  it('gives the same rows, in the same groups, as reading on the calling thread', async () => {
    const file = await workbook();
    expect(file.length).toBeGreaterThan(THREAD_MIN_BYTES / 2);
    const merges = [{ top: 1, left: 0, bottom: 1, right: 4 }];
    const inThread = await collect(
      readRowGroups(sourceOf(file), { format: 'xlsx', merges, groupRows: 1000, thread: 'never' }),
    );
    let sheet = 0;
    const src = sourceOf(file);
    const offThread = await collect(
      readRowGroups(src, {
        format: 'xlsx',
        merges,
        groupRows: 1000,
        thread: 'always',
        onSheet: (n) => (sheet = n),
      }),
    );
    expect(sheet).toBe(1);
    expect(src.reads).toBeGreaterThan(0); // the worker read through the source, not a copy of the file
    expect(offThread.sizes).toEqual([...Array(12).fill(1000), 2]);
    expect(offThread.rows).toEqual(inThread.rows);
    const plain: SheetRow[] = [];
    for await (const row of readRows(sourceOf(file), { format: 'xlsx', merges })) plain.push(row);
    expect(offThread.rows).toEqual(plain);
    // what the rows hold, as sent across threads
    expect(offThread.rows[0]).toEqual({ rowNo: 1, cells: Array(5).fill('客户清单（2026）') });
    expect(offThread.rows[3]).toEqual({
      rowNo: 4,
      cells: ['杭州澜璟1供应链管理有限公司', new Date(Date.UTC(2025, 1, 2)), 10.5, 21, '第1行 & <备注>'],
    });
    expect(offThread.rows[2]!.cells[3]).toEqual({ formula: 'C3*2' });
    expect(offThread.rows[2]!.cells[1]).toBeInstanceOf(Date);
    expect(offThread.rows.at(-1)!.rowNo).toBe(ROWS + 2);
  });

  it('reads a GBK-encoded CSV on the thread', async () => {
    const text = [
      '客户名称,城市',
      ...Array.from({ length: 3000 }, (_, i) => `深圳市骏驰${i}科技有限公司,深圳`),
    ].join('\r\n');
    const { rows } = await collect(
      readRowGroups(sourceOf(iconv.encode(text, 'gbk')), {
        format: 'csv',
        encoding: 'gbk',
        groupRows: 500,
        thread: 'always',
      }),
    );
    expect(rows).toHaveLength(3001);
    expect(rows[2]).toEqual({ rowNo: 3, cells: ['深圳市骏驰1科技有限公司', '深圳'] });
  });

  it('ends the thread when the reader stops early', async () => {
    const file = await workbook();
    const groups = readRowGroups(sourceOf(file), { format: 'xlsx', groupRows: 1000, thread: 'always' });
    const first = await groups.next();
    expect(first.value).toHaveLength(1000);
    await groups.return(undefined);
    expect(await groups.next()).toEqual({ done: true, value: undefined });
  });

  it('throws the failed read itself, and a file that is not a spreadsheet as SheetError', async () => {
    const file = await workbook();
    await expect(
      collect(readRowGroups(sourceOf(file, 100_000), { format: 'xlsx', groupRows: 1000, thread: 'always' })),
    ).rejects.toThrow('chunk 3 missing');
    const broken = Buffer.concat([file.subarray(0, 4), Buffer.alloc(5000, 7)]);
    const err = await collect(
      readRowGroups(sourceOf(broken), { format: 'xlsx', groupRows: 1000, thread: 'always' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SheetError);
    expect((err as SheetError).reason).toBe('corrupt');
  });
});
