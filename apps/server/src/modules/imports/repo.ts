import { Readable } from 'node:stream';
import type { Database, Tx } from '../../db/database.js';
import type { ByteSource, MergeRange } from './sheet.js';

/** All SQL of the import tables (the record inserts of a batch live in commit.ts). */

export const CHUNK_SIZE = 1024 * 1024;

export const IMPORT_STATUSES = [
  'uploading',
  'uploaded',
  'mapped',
  'validating',
  'validated',
  'importing',
  'completed',
  'failed',
  'cancelled',
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type DuplicatePolicy = 'skip' | 'update' | 'create';
export type Phase = 'validate' | 'commit';

export interface ImportRow {
  id: string;
  type: string;
  file_name: string;
  file_format: 'xlsx' | 'csv';
  encoding: 'utf8' | 'gbk' | null;
  size: string;
  sheet_no: number | null;
  merges: MergeRange[];
  header_row: number;
  headers: string[];
  preview: (string | number | boolean | null)[][];
  status: ImportStatus;
  mapping: Record<string, string | null> | null;
  duplicate_policy: DuplicatePolicy | null;
  total_rows: number | null;
  processed_rows: number;
  valid_rows: number;
  invalid_rows: number;
  duplicate_rows: number;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  failed_count: number;
  error: string | null;
  error_code: string | null;
  error_params: unknown;
  created_by: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = `id, type, file_name, file_format, encoding, size, sheet_no, merges, header_row, headers, preview, status,
  mapping, duplicate_policy, total_rows, processed_rows, valid_rows, invalid_rows, duplicate_rows, created_count,
  updated_count, skipped_count, failed_count, error, error_code, error_params, created_by, version, created_at, updated_at, started_at,
  finished_at`;

export async function insertImport(
  tx: Tx,
  i: { id: string; type: string; fileName: string; format: 'xlsx' | 'csv'; createdBy: string; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO imports (tenant_id, id, type, file_name, file_format, size, status, created_by, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, 0, 'uploading', $5, $6, $6)`,
    [i.id, i.type, i.fileName, i.format, i.createdBy, i.now],
  );
}

export async function appendChunk(tx: Tx, importId: string, seq: number, data: Buffer): Promise<void> {
  await tx.query(
    `INSERT INTO import_file_chunks (tenant_id, import_id, seq, data) VALUES (kam_tenant(), $1, $2, $3)`,
    [importId, seq, data],
  );
}

export async function deleteImport(tx: Tx, id: string): Promise<void> {
  await tx.query('DELETE FROM imports WHERE tenant_id = kam_tenant() AND id = $1', [id]);
}

/** An import of `userId` (imports belong to the person who uploaded them), optionally locked. */
export async function getImport(
  tx: Tx,
  id: string,
  userId: string | null,
  lock = false,
): Promise<ImportRow | null> {
  const { rows } = await tx.query<ImportRow>(
    `SELECT ${COLUMNS} FROM imports
     WHERE tenant_id = kam_tenant() AND id = $1 AND ($2::uuid IS NULL OR created_by = $2)${lock ? ' FOR UPDATE' : ''}`,
    [id, userId],
  );
  return rows[0] ?? null;
}

export async function importExists(tx: Tx, id: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM imports WHERE tenant_id = kam_tenant() AND id = $1', [id]);
  return rows.length > 0;
}

/** My imports, newest first: keyset (created_at, id) descending. */
export async function listImports(
  tx: Tx,
  userId: string,
  limit: number,
  after: [string, string] | null,
): Promise<ImportRow[]> {
  const { rows } = await tx.query<ImportRow>(
    `SELECT ${COLUMNS} FROM imports
     WHERE tenant_id = kam_tenant() AND created_by = $1
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [userId, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}

/** Sets the given columns (snake_case keys) and bumps version and updated_at. */
export async function updateImport(
  tx: Tx,
  id: string,
  set: Partial<Record<keyof ImportRow, unknown>>,
  now: Date,
  expectVersion?: number,
): Promise<boolean> {
  const keys = Object.keys(set);
  const values = keys.map((k) => {
    const v = (set as Record<string, unknown>)[k];
    return k === 'merges' || k === 'headers' || k === 'mapping' || k === 'error_params'
      ? JSON.stringify(v)
      : v;
  });
  const assigns = keys.map((k, i) => `${k} = $${i + 4}`);
  const { rowCount } = await tx.query(
    `UPDATE imports SET ${[...assigns, 'version = version + 1', 'updated_at = $2'].join(', ')}
     WHERE tenant_id = kam_tenant() AND id = $1 AND ($3::int IS NULL OR version = $3)`,
    [id, now, expectVersion ?? null, ...values],
  );
  // The staged rows belong to one dry run: gone when it no longer applies (new mapping, repeated dry
  // run) or the import is over (completed, failed, cancelled).
  const status = (set as { status?: ImportStatus }).status;
  if ((rowCount ?? 0) > 0 && status && STAGE_ENDS.has(status)) await clearStagedRows(tx, id);
  return (rowCount ?? 0) > 0;
}

/** Progress counters only (no version bump: the user's version is about the import's settings). */
export async function setProgress(
  tx: Tx,
  id: string,
  p: Partial<
    Pick<
      ImportRow,
      | 'processed_rows'
      | 'total_rows'
      | 'valid_rows'
      | 'invalid_rows'
      | 'duplicate_rows'
      | 'created_count'
      | 'updated_count'
      | 'skipped_count'
      | 'failed_count'
    >
  >,
): Promise<void> {
  const keys = Object.keys(p);
  if (keys.length === 0) return;
  await tx.query(
    `UPDATE imports SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')}
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, ...keys.map((k) => (p as Record<string, unknown>)[k])],
  );
}

/** Adds a dry-run chunk's counts to the import's (chunks commit in any order, two at a time). */
export async function addDryRunCounts(
  tx: Tx,
  id: string,
  add: { processed: number; valid: number; invalid: number; duplicates: number },
): Promise<void> {
  await tx.query(
    `UPDATE imports SET processed_rows = processed_rows + $2, valid_rows = valid_rows + $3,
       invalid_rows = invalid_rows + $4, duplicate_rows = duplicate_rows + $5
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, add.processed, add.valid, add.invalid, add.duplicates],
  );
}

/**
 * The tenant's live customers: how many there are, and how many the planner believes there are (its
 * statistics of `customers.tenant_id`, as of the last ANALYZE).
 */
export async function liveCustomerCounts(
  tx: Tx,
  tenantId: string,
): Promise<{ rows: number; estimate: number }> {
  const { rows } = await tx.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM customers WHERE tenant_id = kam_tenant() AND deleted_at IS NULL',
  );
  const { rows: plan } = await tx.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    'EXPLAIN (FORMAT JSON) SELECT 1 FROM customers WHERE tenant_id = $1::uuid AND deleted_at IS NULL',
    [tenantId],
  );
  return { rows: rows[0]?.n ?? 0, estimate: plan[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0 };
}

/** Refreshes the planner's statistics of `customers.tenant_id` and `deleted_at` (as the tables' owner). */
export async function analyzeCustomerTenants(db: Database): Promise<void> {
  await db.withSystem((tx) => tx.query('ANALYZE customers (tenant_id, deleted_at)'));
}

export async function currentStatus(tx: Tx, id: string): Promise<ImportStatus | null> {
  const { rows } = await tx.query<{ status: ImportStatus }>(
    'SELECT status FROM imports WHERE tenant_id = kam_tenant() AND id = $1',
    [id],
  );
  return rows[0]?.status ?? null;
}

/**
 * The status, at the start of a batch transaction (dry-run chunk or import batch), which is then
 * committed without waiting for its WAL flush (synchronous_commit off, this transaction only). Safe
 * for both: a batch and its checkpoint row are one transaction, so a batch lost in a database crash
 * has lost its checkpoint too and is committed again on resume; a dry run that is resumed starts over.
 * The transaction that completes an import commits synchronously, which also makes every batch
 * before it durable.
 */
export async function batchStatus(tx: Tx, id: string): Promise<ImportStatus | null> {
  const { rows } = await tx.query<{ status: ImportStatus }>(
    `SELECT status, set_config('synchronous_commit', 'off', true) FROM imports
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id],
  );
  return rows[0]?.status ?? null;
}

// ——— row outcomes ——————————————————————————————————————————————————————————————————————————

export interface RowIssue {
  rowNo: number;
  kind: 'error' | 'duplicate';
  field: string | null;
  code: string;
  params?: Record<string, string | number>;
  matchId?: string | null;
  /** the row's original cells (stored with its first issue) */
  raw?: unknown[] | null;
}

/** One statement for a chunk's issues (jsonb_to_recordset). */
export async function insertIssues(
  tx: Tx,
  importId: string,
  phase: Phase,
  issues: RowIssue[],
): Promise<void> {
  if (issues.length === 0) return;
  const seqByRow = new Map<number, number>();
  const rows = issues.map((i) => {
    const seq = seqByRow.get(i.rowNo) ?? 0;
    seqByRow.set(i.rowNo, seq + 1);
    return {
      row_no: i.rowNo,
      seq,
      kind: i.kind,
      match_id: i.matchId ?? null,
      field: i.field,
      code: i.code,
      params: i.params ?? {},
      raw: seq === 0 ? (i.raw ?? null) : null,
    };
  });
  await tx.query(
    `INSERT INTO import_row_errors (tenant_id, import_id, phase, row_no, seq, kind, match_id, field, code, params, raw)
     SELECT kam_tenant(), $1, $2, r.row_no, r.seq, r.kind, r.match_id, r.field, r.code, r.params, r.raw
     FROM jsonb_to_recordset($3::jsonb) AS r(row_no int, seq int, kind text, match_id uuid, field text, code text,
       params jsonb, raw jsonb)`,
    [importId, phase, JSON.stringify(rows)],
  );
}

export async function clearIssues(tx: Tx, importId: string, phase: Phase): Promise<void> {
  await tx.query(
    'DELETE FROM import_row_errors WHERE tenant_id = kam_tenant() AND import_id = $1 AND phase = $2',
    [importId, phase],
  );
}

export interface IssueRow {
  row_no: number;
  seq: number;
  kind: 'error' | 'duplicate';
  match_id: string | null;
  field: string | null;
  code: string;
  params: Record<string, string | number>;
  raw: unknown[] | null;
}

export async function listIssues(
  tx: Tx,
  importId: string,
  phase: Phase,
  opts: { kind?: 'error' | 'duplicate' | undefined; limit: number; after: [number, number] | null },
): Promise<IssueRow[]> {
  const { rows } = await tx.query<IssueRow>(
    `SELECT row_no, seq, kind, match_id, field, code, params, raw FROM import_row_errors
     WHERE tenant_id = kam_tenant() AND import_id = $1 AND phase = $2 AND ($3::text IS NULL OR kind = $3)
       AND ($4::int IS NULL OR (row_no, seq) > ($4::int, $5::int))
     ORDER BY row_no, seq LIMIT $6`,
    [importId, phase, opts.kind ?? null, opts.after?.[0] ?? null, opts.after?.[1] ?? null, opts.limit],
  );
  return rows;
}

// ——— batches (the commit checkpoint) ——————————————————————————————————————————————————————————

export interface BatchRow {
  batch_no: number;
  first_row: number;
  last_row: number;
  status: 'committed' | 'failed';
  created_count: number;
  updated_count: number;
  skipped_count: number;
  failed_count: number;
}

export async function listBatches(tx: Tx, importId: string): Promise<BatchRow[]> {
  const { rows } = await tx.query<BatchRow>(
    `SELECT batch_no, first_row, last_row, status, created_count, updated_count, skipped_count, failed_count
     FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1 ORDER BY batch_no`,
    [importId],
  );
  return rows;
}

export async function insertBatch(tx: Tx, importId: string, b: BatchRow): Promise<void> {
  await tx.query(
    `INSERT INTO import_batches (tenant_id, import_id, batch_no, first_row, last_row, status, created_count,
       updated_count, skipped_count, failed_count)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      importId,
      b.batch_no,
      b.first_row,
      b.last_row,
      b.status,
      b.created_count,
      b.updated_count,
      b.skipped_count,
      b.failed_count,
    ],
  );
}

/** Imports left running by a stopped worker (resumed at start-up). */
export async function runningImports(
  db: Database,
): Promise<{ tenant_id: string; id: string; status: ImportStatus; created_by: string }[]> {
  const tenants = await db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM kam_sys.tenant_directory');
    return rows.map((r) => r.tenant_id);
  });
  const out: { tenant_id: string; id: string; status: ImportStatus; created_by: string }[] = [];
  for (const tenantId of tenants) {
    const rows = await db.withTenant(tenantId, async (tx) => {
      const r = await tx.query<{ tenant_id: string; id: string; status: ImportStatus; created_by: string }>(
        `SELECT tenant_id, id, status, created_by FROM imports
         WHERE tenant_id = kam_tenant() AND status IN ('validating', 'importing')`,
      );
      return r.rows;
    });
    out.push(...rows);
  }
  return out;
}

// ——— templates ————————————————————————————————————————————————————————————————————————————————

export async function findTemplate(
  tx: Tx,
  userId: string,
  type: string,
  signature: string,
): Promise<Record<string, string | null> | null> {
  const { rows } = await tx.query<{ mapping: Record<string, string | null> }>(
    `SELECT mapping FROM import_templates
     WHERE tenant_id = kam_tenant() AND user_id = $1 AND type = $2 AND header_signature = $3`,
    [userId, type, signature],
  );
  return rows[0]?.mapping ?? null;
}

export async function saveTemplate(
  tx: Tx,
  t: {
    userId: string;
    type: string;
    signature: string;
    headers: string[];
    mapping: Record<string, string | null>;
    now: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO import_templates (tenant_id, user_id, type, header_signature, headers, mapping, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, user_id, type, header_signature)
     DO UPDATE SET headers = EXCLUDED.headers, mapping = EXCLUDED.mapping, updated_at = EXCLUDED.updated_at`,
    [t.userId, t.type, t.signature, JSON.stringify(t.headers), JSON.stringify(t.mapping), t.now],
  );
}

// ——— the stored file ——————————————————————————————————————————————————————————————————————————

/**
 * The uploaded file as a byte source: chunks are read one short transaction at a time (never held
 * open while the caller works), so a reader can run beside batch transactions.
 */
export function fileSource(db: Database, tenantId: string, importId: string, size: number): ByteSource {
  const chunk = async (seq: number): Promise<Buffer> =>
    db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<{ data: Buffer }>(
        'SELECT data FROM import_file_chunks WHERE tenant_id = kam_tenant() AND import_id = $1 AND seq = $2',
        [importId, seq],
      );
      if (!rows[0]) throw new Error(`import ${importId}: chunk ${seq} missing`);
      return rows[0].data;
    });
  const range = async function* (from: number, to: number): AsyncGenerator<Buffer> {
    let pos = from;
    while (pos < to) {
      const seq = Math.floor(pos / CHUNK_SIZE);
      const data = await chunk(seq);
      const start = pos - seq * CHUNK_SIZE;
      const end = Math.min(data.length, to - seq * CHUNK_SIZE);
      if (end <= start) break;
      yield data.subarray(start, end);
      pos = seq * CHUNK_SIZE + end;
    }
  };
  return {
    size,
    async read(offset, length) {
      const parts: Buffer[] = [];
      for await (const b of range(offset, offset + length)) parts.push(b);
      return Buffer.concat(parts);
    },
    stream(from, to) {
      return Readable.from(range(from, to), { objectMode: false, highWaterMark: 1 });
    },
  };
}

// ——— staged rows (import_rows, migration 0009) ——————————————————————————————————————————————————

const STAGE_ENDS = new Set<ImportStatus>(['mapped', 'validating', 'completed', 'failed', 'cancelled']);

export interface StagedRow {
  rowNo: number;
  outcome: 'valid' | 'duplicate' | 'error';
  matchId: string | null;
  data: unknown;
}

/** One dry-run chunk's rows, set-based (one statement), in the chunk's transaction. */
export async function stageRows(tx: Tx, importId: string, batchNo: number, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO import_rows (tenant_id, import_id, batch_no, row_no, outcome, match_id, data)
     SELECT kam_tenant(), $1, $2, r.row_no, r.outcome, r.match_id, r.data
     FROM jsonb_to_recordset($3::jsonb) AS r(row_no int, outcome text, match_id uuid, data jsonb)`,
    [
      importId,
      batchNo,
      JSON.stringify(
        rows.map((r) => ({ row_no: r.rowNo, outcome: r.outcome, match_id: r.matchId, data: r.data })),
      ),
    ],
  );
}

/** The staged batch numbers of an import (1…n, the dry run's chunks). */
export async function stagedBatchCount(tx: Tx, importId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number | null }>(
    `SELECT max(batch_no) AS n FROM import_rows WHERE tenant_id = kam_tenant() AND import_id = $1`,
    [importId],
  );
  return rows[0]?.n ?? 0;
}

/** One batch's staged rows in file order (the primary key's range). */
export async function stagedBatch(
  tx: Tx,
  importId: string,
  batchNo: number,
): Promise<{ row_no: number; data: unknown }[]> {
  const { rows } = await tx.query<{ row_no: number; data: unknown }>(
    `SELECT row_no, data FROM import_rows
     WHERE tenant_id = kam_tenant() AND import_id = $1 AND batch_no = $2 ORDER BY row_no`,
    [importId, batchNo],
  );
  return rows;
}

export async function clearStagedRows(tx: Tx, importId: string): Promise<void> {
  await tx.query('DELETE FROM import_rows WHERE tenant_id = kam_tenant() AND import_id = $1', [importId]);
}

/**
 * Staged rows nobody will read: those of imports that are over (a crash between the last batch and
 * the cleanup), and of dry runs left unused for STAGE_KEEP_DAYS — such an import goes back to
 * 'mapped' (the dry run must be repeated before it can be imported).
 */
export const STAGE_KEEP_DAYS = 7;
export async function pruneStagedRows(db: Database, now: Date): Promise<void> {
  const tenants = await db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM kam_sys.tenant_directory');
    return rows.map((r) => r.tenant_id);
  });
  for (const tenantId of tenants) {
    await db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<{ id: string; status: ImportStatus }>(
        `SELECT i.id, i.status FROM imports i
         WHERE i.tenant_id = kam_tenant()
           AND EXISTS (SELECT 1 FROM import_rows r WHERE r.tenant_id = kam_tenant() AND r.import_id = i.id)
           AND (i.status NOT IN ('validating', 'validated', 'importing')
                OR (i.status = 'validated' AND i.updated_at < $1::timestamptz - make_interval(days => $2)))`,
        [now, STAGE_KEEP_DAYS],
      );
      for (const r of rows) {
        if (r.status === 'validated')
          await updateImport(
            tx,
            r.id,
            {
              status: 'mapped',
              total_rows: null,
              processed_rows: 0,
              valid_rows: 0,
              invalid_rows: 0,
              duplicate_rows: 0,
            },
            now,
          );
        else await clearStagedRows(tx, r.id);
      }
    });
  }
}
