import { createHash, randomUUID } from 'node:crypto';
import {
  type ErrorCode,
  errorMessage,
  IMPORT_FIELDS,
  type ImportType,
  isBlankRow,
  isErrorCode,
  type Locale,
  suggestMapping,
} from '@kam/domain';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, encodeCursor } from '../../http/schemas.js';
import { failureMessage } from '../../jobs/failure.js';
import type { JobQueue } from '../../jobs/queue.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import { toCellValue } from './cells.js';
import * as repo from './repo.js';
import {
  detectFormat,
  EncodingSniffer,
  fillMerges,
  isFormulaWithoutResult,
  type MergeRange,
  readMerges,
  readRows,
  type SheetCell,
  SheetError,
  type SheetRow,
} from './sheet.js';

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** The header is looked for in the first rows (titles above it are common). */
const HEADER_SEARCH_ROWS = 10;
const PREVIEW_ROWS = 5;

export const IMPORT_VALIDATE_JOB = 'imports.validate';
export const IMPORT_COMMIT_JOB = 'imports.commit';

export interface ImportJobData {
  tenantId: string;
  importId: string;
}

/** An import as the API returns it. */
export interface ImportView {
  id: string;
  type: ImportType;
  status: repo.ImportStatus;
  fileName: string;
  fileFormat: 'xlsx' | 'csv';
  encoding: 'utf8' | 'gbk' | null;
  size: number;
  headerRow: number;
  headers: string[];
  preview: (string | number | boolean | null)[][];
  /** the chosen mapping, or (before it is set) the suggestion: saved template first, else by header synonyms */
  mapping: Record<string, string | null>;
  duplicatePolicy: repo.DuplicatePolicy | null;
  totalRows: number | null;
  processedRows: number;
  validRows: number;
  errorRows: number;
  duplicateRows: number;
  createdRows: number;
  updatedRows: number;
  skippedRows: number;
  failedRows: number;
  /** why it failed, in the reader's language */
  error: string | null;
  errorCode: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function presentImport(row: repo.ImportRow, locale: Locale): ImportView {
  return {
    id: row.id,
    type: row.type as ImportType,
    status: row.status,
    fileName: row.file_name,
    fileFormat: row.file_format,
    encoding: row.encoding,
    size: Number(row.size),
    headerRow: row.header_row,
    headers: row.headers,
    preview: row.preview,
    mapping: row.mapping ?? {},
    duplicatePolicy: row.duplicate_policy,
    totalRows: row.total_rows,
    processedRows: row.processed_rows,
    validRows: row.valid_rows,
    errorRows: row.invalid_rows,
    duplicateRows: row.duplicate_rows,
    createdRows: row.created_count,
    updatedRows: row.updated_count,
    skippedRows: row.skipped_count,
    failedRows: row.failed_count,
    error: failureMessage(row, locale),
    errorCode: row.error_code,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** A cell for display (preview, error report): text, number or boolean. */
export function displayCell(cell: SheetCell | undefined): string | number | boolean | null {
  if (cell === undefined || cell === null) return null;
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (isFormulaWithoutResult(cell)) return `=${cell.formula}`;
  return cell;
}

const headerText = (cell: SheetCell | undefined): string => {
  const v = displayCell(cell);
  return v === null ? '' : String(v).replace(/\s+/g, ' ').trim();
};

export function headerSignature(headers: string[]): string {
  const norm = headers.map((h) => h.normalize('NFKC').toLowerCase().replace(/\s+/g, ''));
  return createHash('sha256').update(JSON.stringify(norm)).digest('hex');
}

function mappedCount(type: ImportType, headers: string[]): number {
  return suggestMapping(type, headers).filter((v) => v !== null).length;
}

/**
 * The header row: among the first rows, the one whose non-empty cells best match the known header
 * synonyms of the record type (ties: the upper one). A title row above the header (often merged
 * across the columns) matches nothing and is passed over. No match at all: the first non-empty row.
 */
export function detectHeader(
  type: ImportType,
  rows: SheetRow[],
): { rowNo: number; headers: string[] } | null {
  let best: { rowNo: number; headers: string[]; score: number } | null = null;
  for (const row of rows.slice(0, HEADER_SEARCH_ROWS)) {
    const headers = row.cells.map(headerText);
    if (headers.every((h) => h === '')) continue;
    const score = mappedCount(type, headers);
    if (!best || score > best.score) best = { rowNo: row.rowNo, headers, score };
  }
  if (!best) return null;
  // Trailing empty header cells carry no column.
  let end = best.headers.length;
  while (end > 0 && best.headers[end - 1] === '') end--;
  return { rowNo: best.rowNo, headers: best.headers.slice(0, end) };
}

function fileError(reason: string, locale: Locale, cause?: unknown): AppError {
  // What the reader choked on (e.g. "invalid zip data"), for support; the message stays the user's.
  const detail = cause instanceof Error ? { cause: cause.message.slice(0, 300) } : undefined;
  return new AppError('IMPORT_FILE_INVALID', { reason: FILE_REASONS[reason]?.[locale] ?? reason }, detail);
}

const FILE_REASONS: Record<string, Record<Locale, string>> = {
  xls: {
    'zh-CN': '不支持旧版 .xls 格式，请另存为 .xlsx 或 .csv',
    en: 'the old .xls format is not supported; save as .xlsx or .csv',
  },
  corrupt: {
    'zh-CN': '文件已损坏或不是有效的 Excel 文件',
    en: 'the file is damaged or not a valid Excel file',
  },
  empty: { 'zh-CN': '文件为空或没有表头', en: 'the file is empty or has no header row' },
  no_sheet: { 'zh-CN': '工作簿中没有工作表', en: 'the workbook has no worksheet' },
  too_large: { 'zh-CN': '文件超过 50 MB', en: 'the file is larger than 50 MB' },
};

// ——— upload ——————————————————————————————————————————————————————————————————————————————

/**
 * Stores the uploaded file in ≤ 1 MB chunks (one short transaction each, never the whole file in
 * memory), then reads its first rows: format, CSV encoding, worksheet, merged ranges, header row,
 * preview and the suggested mapping. Audited as `import.upload`.
 */
export async function uploadImport(
  ctx: ServiceContext,
  input: { type: ImportType; fileName: string },
  body: AsyncIterable<Buffer>,
): Promise<ImportView> {
  const id = randomUUID();
  const sniffer = new EncodingSniffer();
  let format: 'xlsx' | 'csv' | null = null;
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const flush = async (final: boolean) => {
    while (pendingBytes >= repo.CHUNK_SIZE || (final && pendingBytes > 0)) {
      const all = Buffer.concat(pending);
      const chunk = all.subarray(0, repo.CHUNK_SIZE);
      const rest = all.subarray(chunk.length);
      pending = rest.length ? [rest] : [];
      pendingBytes = rest.length;
      if (format === null) {
        try {
          format = detectFormat(chunk);
        } catch (err) {
          if (err instanceof SheetError) throw fileError(err.reason, ctx.actor.locale);
          throw err;
        }
        const f = format;
        await inTenant(ctx, async (tx) => {
          await repo.insertImport(tx, {
            id,
            type: input.type,
            fileName: input.fileName,
            format: f,
            createdBy: ctx.actor.userId,
            now: ctx.now,
          });
          await repo.appendChunk(tx, id, seq++, Buffer.from(chunk));
        });
      } else {
        const s = seq++;
        await inTenant(ctx, (tx) => repo.appendChunk(tx, id, s, Buffer.from(chunk)));
      }
    }
  };

  try {
    for await (const part of body) {
      size += part.length;
      if (size > MAX_UPLOAD_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
      sniffer.push(part);
      pending.push(part);
      pendingBytes += part.length;
      await flush(false);
    }
    await flush(true);
    if (format === null) throw fileError('empty', ctx.actor.locale);
    return await analyse(ctx, id, input.type, format, size, sniffer.finish());
  } catch (err) {
    if (format !== null) await inTenant(ctx, (tx) => repo.deleteImport(tx, id)).catch(() => {});
    if (err instanceof SheetError) throw fileError(err.reason, ctx.actor.locale, err.cause);
    throw err;
  }
}

async function analyse(
  ctx: ServiceContext,
  id: string,
  type: ImportType,
  format: 'xlsx' | 'csv',
  size: number,
  sniffed: 'utf8' | 'gbk',
): Promise<ImportView> {
  const encoding = format === 'csv' ? sniffed : null;
  const src = repo.fileSource(ctx.db, ctx.actor.tenantId, id, size);
  let sheetNo: number | null = null;
  const first: SheetRow[] = [];
  for await (const row of readRows(src, {
    format,
    encoding,
    onSheet: (n) => {
      sheetNo = n;
    },
  })) {
    first.push(row);
    if (first.length >= HEADER_SEARCH_ROWS + PREVIEW_ROWS * 4) break;
  }
  let merges: MergeRange[] = [];
  if (format === 'xlsx' && sheetNo !== null) {
    merges = await readMerges(src, sheetNo);
    // The rows read so far, as the sheet shows them (merged cells carry their master value).
    first.splice(0, first.length, ...fillMerges(first, merges));
  }
  const header = detectHeader(type, first);
  if (!header) throw new SheetError('empty');
  const preview = first
    .filter((r) => r.rowNo > header.rowNo && !isBlankRow(r.cells.map(toCellValue)))
    .slice(0, PREVIEW_ROWS)
    .map((r) => header.headers.map((_, i) => displayCell(r.cells[i])));
  const signature = headerSignature(header.headers);
  return inTenant(ctx, async (tx) => {
    const saved = await repo.findTemplate(tx, ctx.actor.userId, type, signature);
    const mapping =
      saved && mappingFits(type, saved, header.headers.length) ? saved : suggested(type, header.headers);
    await repo.updateImport(
      tx,
      id,
      {
        status: 'uploaded',
        encoding,
        size,
        sheet_no: sheetNo,
        merges,
        header_row: header.rowNo,
        headers: header.headers,
        preview: JSON.stringify(preview),
        mapping,
      } as Partial<Record<keyof repo.ImportRow, unknown>>,
      ctx.now,
    );
    await writeAudit(tx, auditWho(ctx), {
      action: 'import.upload',
      entityType: 'import',
      entityId: id,
      details: { type, fileName: (await repo.getImport(tx, id, null))!.file_name, format, encoding, size },
    });
    return presentImport((await repo.getImport(tx, id, null))!, ctx.actor.locale);
  });
}

function suggested(type: ImportType, headers: string[]): Record<string, string | null> {
  const s = suggestMapping(type, headers);
  const out: Record<string, string | null> = {};
  headers.forEach((_, i) => {
    out[String(i)] = s[i] ?? null;
  });
  return out;
}

function mappingFits(type: ImportType, mapping: Record<string, string | null>, columns: number): boolean {
  const keys = new Set(IMPORT_FIELDS[type].map((f) => f.key));
  return Object.entries(mapping).every(
    ([col, key]) => Number(col) < columns && (key === null || keys.has(key)),
  );
}

// ——— reading and managing an import —————————————————————————————————————————————————————————

/** The actor's own import, optionally locked; anyone else's (or none) answers 404. */
export async function ownImport(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  lock = false,
): Promise<repo.ImportRow> {
  const row = await repo.getImport(tx, id, ctx.actor.userId, lock);
  if (row) return row;
  const exists = await repo.importExists(tx, id);
  throw new AppError(
    'NOT_FOUND',
    {},
    undefined,
    exists ? { entityType: 'import', entityId: id, reason: 'out_of_scope' } : undefined,
  );
}

export async function getImport(ctx: ServiceContext, id: string): Promise<ImportView> {
  return inTenant(ctx, async (tx) => presentImport(await ownImport(tx, ctx, id), ctx.actor.locale));
}

export async function listImports(
  ctx: ServiceContext,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: ImportView[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 2);
  if (q.cursor && (!raw || typeof raw[0] !== 'string' || typeof raw[1] !== 'string')) {
    throw new AppError('VALIDATION_FAILED', {}, fieldErr(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  const rows = await inTenant(ctx, (tx) =>
    repo.listImports(tx, ctx.actor.userId, q.limit + 1, raw as [string, string] | null),
  );
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => presentImport(r, ctx.actor.locale)),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
  };
}

export function fieldErr(
  ctx: ServiceContext,
  path: string,
  code: ErrorCode,
  params?: Record<string, string | number>,
) {
  return {
    fields: [
      { path, code, message: errorMessage(code, ctx.actor.locale, params), ...(params ? { params } : {}) },
    ],
  };
}

function assertVersion(row: repo.ImportRow, version: number): void {
  if (row.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
}

function assertStatus(row: repo.ImportRow, allowed: repo.ImportStatus[]): void {
  if (!allowed.includes(row.status)) throw new AppError('IMPORT_STATE_INVALID', { state: row.status });
}

/**
 * Sets the column mapping: each column index to a field of the record type or null (not imported).
 * Every required field must be mapped, no field twice. Optionally saved as the user's template for
 * files with the same headers. Resets a finished dry run (its result no longer applies).
 */
export async function setMapping(
  ctx: ServiceContext,
  id: string,
  input: { version: number; mapping: Record<string, string | null>; saveAsTemplate?: boolean | undefined },
): Promise<ImportView> {
  return inTenant(ctx, async (tx) => {
    const row = await ownImport(tx, ctx, id, true);
    assertVersion(row, input.version);
    assertStatus(row, ['uploaded', 'mapped', 'validated']);
    const type = row.type as ImportType;
    const fields = IMPORT_FIELDS[type];
    const byKey = new Map(fields.map((f) => [f.key, f]));
    const mapping: Record<string, string | null> = {};
    const seen = new Map<string, string>();
    const problems: { path: string; code: ErrorCode; params?: Record<string, string | number> }[] = [];
    for (const [col, key] of Object.entries(input.mapping)) {
      const index = Number(col);
      if (!Number.isInteger(index) || index < 0 || index >= row.headers.length) {
        problems.push({ path: `body.mapping.${col}`, code: 'OUT_OF_RANGE' });
        continue;
      }
      if (key === null) {
        mapping[String(index)] = null;
        continue;
      }
      if (!byKey.has(key)) {
        problems.push({ path: `body.mapping.${col}`, code: 'INVALID_VALUE' });
        continue;
      }
      if (seen.has(key)) {
        problems.push({
          path: `body.mapping.${col}`,
          code: 'DUPLICATE_IN_FILE',
          params: { row: row.headers[Number(seen.get(key))] ?? '' },
        });
        continue;
      }
      seen.set(key, col);
      mapping[String(index)] = key;
    }
    const missing = fields.filter((f) => f.required && !seen.has(f.key));
    if (problems.length || missing.length) {
      const labels = missing.map((f) => (ctx.actor.locale === 'en' ? f.label.en : f.label.zh));
      throw new AppError(
        'IMPORT_MAPPING_INVALID',
        { reason: labels.length ? labels.join(ctx.actor.locale === 'en' ? ', ' : '、') : '-' },
        {
          missing: missing.map((f) => f.key),
          fields: [
            ...problems.map((p) => ({
              path: p.path,
              code: p.code,
              message: '',
              ...(p.params ? { params: p.params } : {}),
            })),
            ...missing.map((f) => ({
              path: `body.mapping`,
              code: 'REQUIRED',
              message: '',
              params: { field: f.key },
            })),
          ],
        },
      );
    }
    await repo.clearIssues(tx, id, 'validate');
    await repo.updateImport(
      tx,
      id,
      {
        mapping,
        status: 'mapped',
        total_rows: null,
        processed_rows: 0,
        valid_rows: 0,
        invalid_rows: 0,
        duplicate_rows: 0,
      },
      ctx.now,
    );
    if (input.saveAsTemplate) {
      await repo.saveTemplate(tx, {
        userId: ctx.actor.userId,
        type,
        signature: headerSignature(row.headers),
        headers: row.headers,
        mapping,
        now: ctx.now,
      });
    }
    return presentImport((await repo.getImport(tx, id, null))!, ctx.actor.locale);
  });
}

/** Starts the dry run in the background (`imports.validate`). */
export async function startValidation(
  ctx: ServiceContext,
  jobs: JobQueue,
  id: string,
  version: number,
): Promise<ImportView> {
  const view = await inTenant(ctx, async (tx) => {
    const row = await ownImport(tx, ctx, id, true);
    assertVersion(row, version);
    assertStatus(row, ['mapped', 'validated']);
    await repo.clearIssues(tx, id, 'validate');
    await repo.updateImport(
      tx,
      id,
      {
        status: 'validating',
        processed_rows: 0,
        valid_rows: 0,
        invalid_rows: 0,
        duplicate_rows: 0,
        error: null,
        error_code: null,
        error_params: null,
        started_at: ctx.now,
        finished_at: null,
      },
      ctx.now,
    );
    return presentImport((await repo.getImport(tx, id, null))!, ctx.actor.locale);
  });
  await jobs.send(
    IMPORT_VALIDATE_JOB,
    { tenantId: ctx.actor.tenantId, importId: id } satisfies ImportJobData,
    {
      singletonKey: id,
    },
  );
  return view;
}

/** Starts the import in the background (`imports.commit`) with the chosen duplicate policy. */
export async function startCommit(
  ctx: ServiceContext,
  jobs: JobQueue,
  id: string,
  input: { version: number; duplicatePolicy: repo.DuplicatePolicy },
): Promise<ImportView> {
  const view = await inTenant(ctx, async (tx) => {
    const row = await ownImport(tx, ctx, id, true);
    assertVersion(row, input.version);
    assertStatus(row, ['validated']);
    await repo.updateImport(
      tx,
      id,
      {
        status: 'importing',
        duplicate_policy: input.duplicatePolicy,
        processed_rows: 0,
        created_count: 0,
        updated_count: 0,
        skipped_count: 0,
        failed_count: 0,
        error: null,
        error_code: null,
        error_params: null,
        started_at: ctx.now,
        finished_at: null,
      },
      ctx.now,
    );
    return presentImport((await repo.getImport(tx, id, null))!, ctx.actor.locale);
  });
  await jobs.send(IMPORT_COMMIT_JOB, { tenantId: ctx.actor.tenantId, importId: id } satisfies ImportJobData, {
    singletonKey: id,
  });
  return view;
}

/**
 * Cancels an import that has not finished. A running dry run or import stops at its next chunk;
 * batches already committed stay (they are complete records) and are counted.
 */
export async function cancelImport(ctx: ServiceContext, id: string, version: number): Promise<ImportView> {
  return inTenant(ctx, async (tx) => {
    const row = await ownImport(tx, ctx, id, true);
    assertVersion(row, version);
    assertStatus(row, ['uploaded', 'mapped', 'validating', 'validated', 'importing']);
    await repo.updateImport(tx, id, { status: 'cancelled', finished_at: ctx.now }, ctx.now);
    await writeAudit(tx, auditWho(ctx), {
      action: 'import.cancel',
      entityType: 'import',
      entityId: id,
      details: { type: row.type, fileName: row.file_name, previousStatus: row.status },
    });
    return presentImport((await repo.getImport(tx, id, null))!, ctx.actor.locale);
  });
}

export interface IssueView {
  rowNumber: number;
  kind: 'error' | 'duplicate';
  field: string | null;
  /** the header of the field's column */
  column: string | null;
  /** the cell's value as read */
  value: string | number | boolean | null;
  code: string;
  message: string;
  params: Record<string, string | number>;
  matchId: string | null;
}

/** Row errors and duplicates of the dry run (`phase` validate) or of the import (commit), by row. */
export async function listIssues(
  ctx: ServiceContext,
  id: string,
  q: {
    phase?: repo.Phase | undefined;
    kind?: 'error' | 'duplicate' | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<{ items: IssueView[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 2);
  if (q.cursor && (!raw || typeof raw[0] !== 'number' || typeof raw[1] !== 'number')) {
    throw new AppError('VALIDATION_FAILED', {}, fieldErr(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  return inTenant(ctx, async (tx) => {
    const row = await ownImport(tx, ctx, id);
    const phase = q.phase ?? defaultPhase(row);
    const rows = await repo.listIssues(tx, id, phase, {
      kind: q.kind,
      limit: q.limit + 1,
      after: raw as [number, number] | null,
    });
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => presentIssue(ctx.actor.locale, row, r)),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.row_no, last.seq]) : null,
    };
  });
}

export function defaultPhase(row: repo.ImportRow): repo.Phase {
  return row.duplicate_policy !== null &&
    ['importing', 'completed', 'failed', 'cancelled'].includes(row.status)
    ? 'commit'
    : 'validate';
}

export function presentIssue(
  locale: Locale,
  imp: repo.ImportRow,
  r: repo.IssueRow & { raw_row?: unknown[] | null },
): IssueView {
  const col = r.field === null ? -1 : columnOf(imp, r.field);
  const raw = (r.raw_row ?? r.raw) as (string | number | boolean | null)[] | null;
  return {
    rowNumber: r.row_no,
    kind: r.kind,
    field: r.field,
    column: col >= 0 ? (imp.headers[col] ?? null) : null,
    value: col >= 0 && raw ? (raw[col] ?? null) : null,
    code: r.code,
    message: isCode(r.code) ? errorMessage(r.code, locale, r.params) : r.code,
    params: r.params,
    matchId: r.match_id,
  };
}

const isCode = (code: string): code is ErrorCode => isErrorCode(code);

export function columnOf(imp: repo.ImportRow, field: string): number {
  for (const [col, key] of Object.entries(imp.mapping ?? {})) if (key === field) return Number(col);
  return -1;
}
