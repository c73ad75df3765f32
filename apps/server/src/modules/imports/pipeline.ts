import { can, type ImportType, isBlankCell, isBlankRow } from '@kam/domain';
import type { Actor, ServiceContext } from '../../context.js';
import type { Database, Tx } from '../../db/database.js';
import { failure, type RecordedFailure, recordedFailure } from '../../jobs/failure.js';
import { writeAudit } from '../audit/writer.js';
import { loadWorkerActor } from '../auth/actor.js';
import { auditWho } from '../auth/service.js';
import { checkRow, type RowProblem, toCellValue } from './cells.js';
import { auditBatch, HANDLERS, type ParsedRow, type Policy, type WriteResult } from './handlers.js';
import * as repo from './repo.js';
import { displayCell } from './service.js';
import { inGroups, type SheetRow } from './sheet.js';
import { readRowGroups } from './sheet-thread.js';

/** Rows per checkpointed batch of the import, and per checked chunk of the dry run. */
export const BATCH_ROWS = 1000;
/** Batches committed (and dry-run chunks checked) at once on the PostgreSQL server, one connection each. */
export const COMMIT_LANES = 2;

/** Thrown inside a batch transaction to roll it back when the import was cancelled meanwhile. */
class Cancelled extends Error {}

async function jobContext(
  db: Database,
  tenantId: string,
  imp: repo.ImportRow,
  jobId: string,
): Promise<ServiceContext> {
  const now = new Date();
  const actor = await loadWorkerActor(db, tenantId, imp.created_by, now);
  return {
    actor: actor as Actor,
    db,
    now,
    meta: { ip: null, userAgent: 'kam-worker', requestId: `job:${jobId}` },
  };
}

/**
 * The non-blank data rows below the header, in groups of BATCH_ROWS (deterministic: the file never
 * changes). A large file is read on a worker thread (readRowGroups).
 */
function batchesOf(db: Database, tenantId: string, imp: repo.ImportRow): AsyncGenerator<SheetRow[]> {
  const src = repo.fileSource(db, tenantId, imp.id, Number(imp.size));
  async function* dataRows(): AsyncGenerator<SheetRow> {
    for await (const group of readRowGroups(src, {
      format: imp.file_format,
      encoding: imp.encoding,
      sheetNo: imp.sheet_no,
      merges: imp.merges,
      groupRows: BATCH_ROWS,
    })) {
      for (const row of group) {
        if (row.rowNo > imp.header_row && !isBlankRow(row.cells.map(toCellValue))) yield row;
      }
    }
  }
  return inGroups(dataRows(), BATCH_ROWS);
}

/**
 * Reads one item ahead: while the caller awaits the database with a batch, the next batch is read
 * and parsed (the file's XML parsing and the row validation overlap the batch's SQL). At most two
 * batches are in memory. Stopping early waits for the read in flight, then closes the source.
 */
export async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  const pull = () => {
    const p = source.next();
    p.catch(() => {}); // surfaced where it is awaited
    return p;
  };
  let next = pull();
  let finished = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        finished = true;
        return;
      }
      next = pull();
      yield r.value;
    }
  } finally {
    if (!finished) {
      await next.then(
        () => undefined,
        () => undefined,
      );
      await source.return(undefined);
    }
  }
}

/** The file's batches, parsed (`seen` spans the whole file, so batches are parsed in order). */
async function* parsedBatches(
  db: Database,
  tenantId: string,
  imp: repo.ImportRow,
  seen: Map<string, number>,
): AsyncGenerator<ParsedRow[]> {
  for await (const batch of batchesOf(db, tenantId, imp)) yield parseBatch(imp, batch, seen);
}

/**
 * Field values of each row by the mapping, checked by the domain's row validator; a formula without
 * result in a mapped cell is reported as such. Then duplicates inside the file (`seen` spans the
 * whole file: first occurrence wins, later ones name its row).
 */
function parseBatch(imp: repo.ImportRow, rows: SheetRow[], seen: Map<string, number>): ParsedRow[] {
  const type = imp.type as ImportType;
  const handler = HANDLERS[type];
  const mapping = Object.entries(imp.mapping ?? {}).filter((e): e is [string, string] => e[1] !== null);
  return rows.map((row) => {
    const cells: Record<string, ReturnType<typeof toCellValue>> = {};
    const present = new Set<string>();
    for (const [col, field] of mapping) {
      const cell = toCellValue(row.cells[Number(col)]);
      cells[field] = cell;
      if (!isBlankCell(cell)) present.add(field);
    }
    const checked = checkRow(type, cells);
    const problems: RowProblem[] = checked.errors;
    const parsed: ParsedRow = {
      rowNo: row.rowNo,
      raw: row.cells.map(displayCell),
      values: checked.values,
      present,
      problems,
      duplicate: null,
    };
    if (problems.length === 0) {
      const keys = handler.fileKeys(parsed);
      for (const [field, key] of keys) {
        const first = seen.get(key);
        if (first !== undefined) {
          parsed.problems.push({ field, code: 'DUPLICATE_IN_FILE', params: { row: first } });
          break;
        }
      }
      if (parsed.problems.length === 0) for (const [, key] of keys) seen.set(key, row.rowNo);
    }
    return parsed;
  });
}

function issuesOf(rows: ParsedRow[]): repo.RowIssue[] {
  const out: repo.RowIssue[] = [];
  for (const r of rows) {
    for (const p of r.problems) {
      out.push({ rowNo: r.rowNo, kind: 'error', field: p.field, code: p.code, params: p.params, raw: r.raw });
    }
    if (r.problems.length === 0 && r.duplicate) {
      out.push({
        rowNo: r.rowNo,
        kind: 'duplicate',
        field: r.duplicate.field,
        code: r.duplicate.code,
        params: r.duplicate.params,
        matchId: r.duplicate.matchId,
        raw: r.raw,
      });
    }
  }
  return out;
}

async function loadImport(db: Database, tenantId: string, importId: string): Promise<repo.ImportRow | null> {
  return db.withTenant(tenantId, (tx) => repo.getImport(tx, importId, null));
}

async function fail(
  db: Database,
  tenantId: string,
  importId: string,
  from: repo.ImportStatus,
  why: RecordedFailure,
) {
  await db.withTenant(tenantId, async (tx) => {
    if ((await repo.currentStatus(tx, importId)) !== from) return;
    await repo.updateImport(
      tx,
      importId,
      {
        status: 'failed',
        error: why.text,
        error_code: why.code,
        error_params: why.params,
        finished_at: new Date(),
      },
      new Date(),
    );
  });
}

/** The actor still exists, is active and still holds `customer.import`. */
function stillAllowed(ctx: ServiceContext | null): ctx is ServiceContext {
  return ctx !== null && ctx.actor !== null && can(ctx.actor, 'customer.import');
}

// ——— staging ——————————————————————————————————————————————————————————————————————————————————

/** The stored form of a parsed, validated, normalised row (the import's input: no second parse). */
interface StagedData {
  raw: ParsedRow['raw'];
  values: ParsedRow['values'];
  present: string[];
  problems: ParsedRow['problems'];
}

function staged(r: ParsedRow): repo.StagedRow {
  const data: StagedData = { raw: r.raw, values: r.values, present: [...r.present], problems: r.problems };
  return {
    rowNo: r.rowNo,
    outcome: r.problems.length ? 'error' : r.duplicate ? 'duplicate' : 'valid',
    matchId: r.problems.length ? null : (r.duplicate?.matchId ?? null),
    data,
  };
}

/**
 * A staged row as the import's checks and writes take it: the dry run's errors stay; references,
 * owners and duplicates are resolved again against the data as it is now (it may have changed since).
 */
function unstaged(row: { row_no: number; data: unknown }): ParsedRow {
  const d = row.data as StagedData;
  return {
    rowNo: row.row_no,
    raw: d.raw,
    values: d.values,
    present: new Set(d.present),
    problems: d.problems,
    duplicate: null,
  };
}

// ——— the planner's view of the tenant's customers ————————————————————————————————————————————————

/** How far the tenant's live customers may outgrow the planner's figure for them: twice, plus this. */
const STATS_SLACK = 1000;

/**
 * Keeps PostgreSQL's figure for the tenant's number of customers close to the truth while an import
 * runs. The duplicate checks and the customer references probe a unique index once per key; while
 * the statistics still say the tenant has a few customers (as it had when they were last taken —
 * autovacuum analyses late in a large shared table, and the embedded database never), the planner
 * prices reading all of the tenant's customers through any of its small indexes as low as the
 * probe, and may take it: a chunk's 1,000 probes into a 20,000-customer tenant then took ~1 s
 * instead of ~6 ms, growing with every batch the import added. So when the real number exceeds
 * twice the planner's (+ STATS_SLACK), `ANALYZE customers (tenant_id, deleted_at)` (~0.5 s at a
 * million customers); checked when a phase starts and again whenever the import has doubled the tenant
 * since the last check — a few times per import at most.
 */
class TenantCustomerStats {
  private rows = 0;
  private next = 0;
  private checking: Promise<void> | null = null;

  private constructor(
    private readonly db: Database,
    private readonly tenantId: string,
  ) {}

  static async checked(db: Database, tenantId: string): Promise<TenantCustomerStats> {
    const stats = new TenantCustomerStats(db, tenantId);
    await stats.check();
    return stats;
  }

  /** `created` customers were added (by a committed batch). */
  async added(created: number): Promise<void> {
    this.rows += created;
    if (this.rows > this.next && !this.checking) {
      this.checking = this.check().finally(() => {
        this.checking = null;
      });
      await this.checking;
    }
  }

  private async check(): Promise<void> {
    const { rows, estimate } = await this.db.withTenant(this.tenantId, (tx) =>
      repo.liveCustomerCounts(tx, this.tenantId),
    );
    if (rows > 2 * estimate + STATS_SLACK) await repo.analyzeCustomerTenants(this.db);
    this.rows = rows;
    this.next = 2 * rows + STATS_SLACK;
  }
}

// ——— the dry run ——————————————————————————————————————————————————————————————————————————————

/**
 * `imports.validate`: streams the file, checks every row (domain validator, then set-based server
 * checks per chunk: users, customers referenced, duplicates in the file and in the database) and
 * records the outcome per row and stages every row (import_rows: what the import reads). Nothing else
 * is written. A large file is read on a worker thread; on the PostgreSQL server two chunks' transactions
 * run at once. Progress per chunk (counts added by each); stops when cancelled.
 */
export async function runValidation(
  db: Database,
  tenantId: string,
  importId: string,
  jobId = 'inline',
): Promise<void> {
  const imp = await loadImport(db, tenantId, importId);
  if (imp?.status !== 'validating') return;
  const ctx = await jobContext(db, tenantId, imp, jobId);
  if (!stillAllowed(ctx))
    return fail(db, tenantId, importId, 'validating', failure('IMPORT_NOT_ALLOWED_ANYMORE'));
  const handler = HANDLERS[imp.type as ImportType];
  const seen = new Map<string, number>();
  const counts = { processed: 0, valid: 0, invalid: 0, duplicates: 0 };
  try {
    await TenantCustomerStats.checked(db, tenantId);
    await db.withTenant(tenantId, async (tx) => {
      await repo.clearIssues(tx, importId, 'validate');
      await repo.clearStagedRows(tx, importId);
      // a resumed dry run starts over, its counters too (each chunk adds its own)
      await repo.setProgress(tx, importId, {
        processed_rows: 0,
        valid_rows: 0,
        invalid_rows: 0,
        duplicate_rows: 0,
      });
    });

    /** One chunk, one transaction: the server checks, its issues, its staged rows, its counts. */
    const checkChunk = (no: number, rows: ParsedRow[]) =>
      db.withTenant(tenantId, async (tx) => {
        if ((await repo.batchStatus(tx, importId)) !== 'validating') return false;
        await handler.resolve(tx, ctx, imp, rows);
        await repo.insertIssues(tx, importId, 'validate', issuesOf(rows));
        await repo.stageRows(tx, importId, no, rows.map(staged));
        const add = { processed: rows.length, valid: 0, invalid: 0, duplicates: 0 };
        for (const r of rows) {
          if (r.problems.length) add.invalid++;
          else {
            add.valid++;
            if (r.duplicate) add.duplicates++;
          }
        }
        // the last statement: the import's row is what concurrent chunks share
        await repo.addDryRunCounts(tx, importId, add);
        counts.processed += add.processed;
        counts.valid += add.valid;
        counts.invalid += add.invalid;
        counts.duplicates += add.duplicates;
        return true;
      });

    // The file is read and checked in order (`seen` spans it); on the PostgreSQL server the chunks'
    // transactions run two at a time (the database checks of one chunk do not depend on another's),
    // so the row checks of the next chunk overlap two chunks' SQL. One at a time on the embedded one.
    const lanes = db.kind === 'server' ? COMMIT_LANES : 1;
    const inFlight = new Set<Promise<boolean>>();
    let stopped = false;
    let failed: unknown = null;
    const track = (p: Promise<boolean>) => {
      const t = p.then(
        (goOn) => {
          if (!goOn) stopped = true;
          return goOn;
        },
        (err: unknown) => {
          failed ??= err;
          stopped = true;
          return false;
        },
      );
      inFlight.add(t);
      void t.finally(() => inFlight.delete(t));
    };
    let batchNo = 0;
    try {
      for await (const rows of readAhead(parsedBatches(db, tenantId, imp, seen))) {
        while (inFlight.size >= lanes && !stopped) await Promise.race(inFlight);
        if (stopped) break;
        track(checkChunk(++batchNo, rows));
      }
    } finally {
      // also when reading the file failed: no chunk may still write after the import is failed
      await Promise.all(inFlight);
    }
    if (failed) throw failed;
    if (stopped) return;
    await db.withTenant(tenantId, async (tx) => {
      if ((await repo.currentStatus(tx, importId)) !== 'validating') return;
      await repo.setProgress(tx, importId, { total_rows: counts.processed });
      await repo.updateImport(tx, importId, { status: 'validated', finished_at: new Date() }, new Date());
    });
  } catch (err) {
    await fail(db, tenantId, importId, 'validating', recordedFailure(err));
  }
}

// ——— the import ——————————————————————————————————————————————————————————————————————————————

/**
 * `imports.commit`: reads the dry run's staged rows (import_rows, no second parse of the file) batch
 * by batch, each batch ONE transaction: its staged rows, its checkpoint row in import_batches (the
 * primary key stops a second worker from committing the same batch), then the set-based server checks
 * against the current data, the records, the rejected rows, the counters and the audit entry. Batches
 * already in import_batches are skipped, so a restarted job resumes where the previous one stopped —
 * also across gaps (two batches are committed at once on the PostgreSQL server).
 *
 * A batch whose transaction fails (e.g. a unique key taken by a concurrent edit) is rolled back as a
 * whole; its rows are then reported as failed with the reason and a 'failed' checkpoint, and the
 * import goes on with the next batch. The import fails as a whole only when reading the file or the
 * database fails outside a batch; committed batches stay (they are complete) and a retry resumes.
 */
export async function runCommit(
  db: Database,
  tenantId: string,
  importId: string,
  jobId = 'inline',
): Promise<void> {
  const imp = await loadImport(db, tenantId, importId);
  if (imp?.status !== 'importing') return;
  const ctx = await jobContext(db, tenantId, imp, jobId);
  if (!stillAllowed(ctx))
    return fail(db, tenantId, importId, 'importing', failure('IMPORT_NOT_ALLOWED_ANYMORE'));
  const handler = HANDLERS[imp.type as ImportType];
  const policy = (imp.duplicate_policy ?? 'skip') as Policy;
  const done = new Set(
    (await db.withTenant(tenantId, (tx) => repo.listBatches(tx, importId))).map((b) => b.batch_no),
  );
  const batches = await db.withTenant(tenantId, (tx) => repo.stagedBatchCount(tx, importId));
  if (batches === 0 && (imp.total_rows ?? 0) > 0) {
    // validated before rows were staged (or pruned meanwhile): the dry run must be repeated
    return fail(db, tenantId, importId, 'importing', failure('IMPORT_DRY_RUN_STALE'));
  }
  const todo = Array.from({ length: batches }, (_, i) => i + 1).filter((n) => !done.has(n));
  const stats = await TenantCustomerStats.checked(db, tenantId);
  let cancelled = false;

  /**
   * One batch, one transaction (retried once when PostgreSQL aborted it for a deadlock): the records
   * it created, or null when it was not committed.
   */
  const commitBatch = async (no: number): Promise<number | null> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await db.withTenant(tenantId, async (tx) => {
          if ((await repo.batchStatus(tx, importId)) !== 'importing') throw new Cancelled();
          const rows = (await repo.stagedBatch(tx, importId, no)).map(unstaged);
          await repo.insertBatch(tx, importId, {
            batch_no: no,
            first_row: rows[0]!.rowNo,
            last_row: rows.at(-1)!.rowNo,
            status: 'committed',
            created_count: 0,
            updated_count: 0,
            skipped_count: 0,
            failed_count: 0,
          });
          await handler.resolve(tx, ctx, imp, rows);
          const result: WriteResult = await handler.write(tx, ctx, imp, rows, policy);
          await repo.insertIssues(
            tx,
            importId,
            'commit',
            issuesOf(rows).filter((i) => i.kind === 'error'),
          );
          await tx.query(
            `UPDATE import_batches SET created_count = $3, updated_count = $4, skipped_count = $5, failed_count = $6
             WHERE tenant_id = kam_tenant() AND import_id = $1 AND batch_no = $2`,
            [
              importId,
              no,
              result.created,
              result.updated,
              result.skipped,
              rows.filter((r) => r.problems.length).length,
            ],
          );
          // The two statements that lock rows shared by concurrent batches (the import, the tenant's
          // audit chain head) come last, in the order every other writer of an import uses.
          await progress(tx, importId);
          await auditBatch(tx, ctx, imp, rows, result);
          return result.created;
        });
        return created;
      } catch (err) {
        if (err instanceof Cancelled) {
          cancelled = true;
          return null;
        }
        const e = err as { code?: string; constraint?: string };
        // Another worker committed this batch meanwhile: nothing to do.
        if (e.code === '23505' && e.constraint === 'import_batches_pkey') return null;
        if ((e.code === '40P01' || e.code === '40001') && attempt < 2) continue;
        await db.withTenant(tenantId, async (tx) => {
          if ((await repo.currentStatus(tx, importId)) !== 'importing') return;
          const rows = (await repo.stagedBatch(tx, importId, no)).map(unstaged);
          const first = rows[0]!.rowNo;
          const last = rows.at(-1)!.rowNo;
          await repo.insertBatch(tx, importId, {
            batch_no: no,
            first_row: first,
            last_row: last,
            status: 'failed',
            created_count: 0,
            updated_count: 0,
            skipped_count: 0,
            failed_count: rows.length,
          });
          const reason = batchFailureReason(err);
          await repo.insertIssues(
            tx,
            importId,
            'commit',
            rows.map((r) => ({
              rowNo: r.rowNo,
              kind: 'error' as const,
              field: null,
              code: 'IMPORT_BATCH_FAILED',
              params: { first, last, reason },
              raw: r.raw,
            })),
          );
          await progress(tx, importId);
        });
        return null;
      }
    }
  };

  // Batches are independent (duplicates inside the file were settled by the dry run, each has its
  // own checkpoint), so on the PostgreSQL server two are committed at once, on two connections:
  // one's Node work overlaps the other's SQL. The embedded database is one engine: one at a time.
  // Customers only — other types touch shared rows (a customer's aggregates, its primary contact).
  const lanes = db.kind === 'server' && imp.type === 'customers' ? COMMIT_LANES : 1;
  let next = 0;
  const lane = async () => {
    while (!cancelled && next < todo.length) {
      const created = await commitBatch(todo[next++]!);
      if (created && imp.type === 'customers') await stats.added(created);
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
    if (cancelled) return;
    await db.withTenant(tenantId, async (tx) => {
      const row = await repo.getImport(tx, importId, null, true);
      if (row?.status !== 'importing') return;
      await progress(tx, importId, true);
      await repo.updateImport(tx, importId, { status: 'completed', finished_at: new Date() }, new Date());
      const after = (await repo.getImport(tx, importId, null))!;
      await writeAudit(tx, auditWho(ctx), {
        action: 'import.commit',
        entityType: 'import',
        entityId: importId,
        details: {
          type: row.type,
          fileName: row.file_name,
          duplicatePolicy: policy,
          rows: after.total_rows,
          created: after.created_count,
          updated: after.updated_count,
          skipped: after.skipped_count,
          failed: after.failed_count,
        },
      });
    });
  } catch (err) {
    await fail(db, tenantId, importId, 'importing', recordedFailure(err));
  }
}

function batchFailureReason(err: unknown): string {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505') return `unique:${e.constraint ?? ''}`;
  if (e.code) return `${e.code}: ${(e.message ?? '').slice(0, 200)}`;
  return (e.message ?? String(err)).slice(0, 200);
}

/** The import's counters from its checkpoints (so a resumed import counts every batch once). */
async function progress(tx: Tx, importId: string, final = false): Promise<void> {
  await tx.query(
    `UPDATE imports i SET processed_rows = b.created + b.updated + b.skipped + b.failed,
       total_rows = CASE WHEN $2 THEN b.created + b.updated + b.skipped + b.failed ELSE i.total_rows END,
       created_count = b.created, updated_count = b.updated, skipped_count = b.skipped, failed_count = b.failed
     FROM (SELECT coalesce(sum(created_count), 0)::int AS created, coalesce(sum(updated_count), 0)::int AS updated,
                  coalesce(sum(skipped_count), 0)::int AS skipped, coalesce(sum(failed_count), 0)::int AS failed
           FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1) b
     WHERE i.tenant_id = kam_tenant() AND i.id = $1`,
    [importId, final],
  );
}
