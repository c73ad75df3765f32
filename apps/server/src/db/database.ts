import { createHash } from 'node:crypto';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbedded } from './embedded.js';
import { inlineParams, literal } from './inline-params.js';

// bigint (int8) as JS number is unsafe; KAM keeps them as strings unless a column is known small.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

/** The database role every tenant-data statement runs as: not the owner, cannot bypass RLS. */
export const APP_ROLE = 'kam_app';

/** A client inside a transaction. Repositories receive this and nothing else. */
export interface Tx {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * Statements without parameters sent as ONE simple-protocol message (one round trip) in the caller's
 * transaction. Each is a statement of its own with its own snapshot (read committed), so a later one
 * sees what an earlier one waited for — a lock, say. Returns each statement's result, in order.
 */
export async function statementsInOneMessage<R extends pg.QueryResultRow[]>(
  tx: Tx,
  texts: readonly string[],
): Promise<{ [K in keyof R]: pg.QueryResult<R[K]> }> {
  const out: unknown = await tx.query(texts.join(';\n'));
  const results = Array.isArray(out) ? out : [out];
  if (results.length !== texts.length) {
    throw new Error(`expected ${texts.length} results from one message, got ${results.length}`);
  }
  return results as { [K in keyof R]: pg.QueryResult<R[K]> };
}

/** At most this many `readOnce` statements are prepared per database session (`preparedRead`). */
export const READ_STATEMENTS_PER_SESSION = 200;

/** A statement of `Database.lookupOnce`: a fixed name and text whose one parameter `$1` is the lookup key. */
export interface PreparedLookup {
  /** SQL identifier, unique per statement text (`kam_` prefix). */
  name: string;
  text: string;
}

export interface DatabaseOptions {
  url?: string | undefined;
  dataDir?: string | undefined;
  poolSize: number;
  /** For tests: start the embedded database from a data-dir snapshot, in memory. */
  snapshot?: Blob | ArrayBuffer | Uint8Array | undefined;
  /**
   * The embedded database's thread ended without `close()` (every query fails from then on). Default:
   * reported on stderr; `kam start` exits instead (startKam), so that a supervisor starts it again.
   */
  onEmbeddedCrash?: ((error: Error) => void) | undefined;
}

/**
 * The one gateway to PostgreSQL. Tenant data is only reachable through `withTenant`, which opens a
 * transaction, drops to the application role and sets the tenant for that transaction only;
 * PostgreSQL's row-level security then hides every other tenant's rows.
 */
export class Database {
  private constructor(
    readonly pool: pg.Pool,
    readonly kind: 'embedded' | 'server',
    private readonly embedded: EmbeddedPostgres | undefined,
  ) {}

  static async open(opts: DatabaseOptions): Promise<Database> {
    if (opts.url) {
      const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize });
      pool.on('error', () => {}); // idle client errors surface on the next query
      return new Database(pool, 'server', undefined);
    }
    const embedded = await startEmbedded({
      dataDir: opts.snapshot ? undefined : opts.dataDir,
      loadDataDir: opts.snapshot,
      maxConnections: opts.poolSize + 10,
      onCrash: opts.onEmbeddedCrash,
    });
    const pool = new pg.Pool({ ...embedded.connection, max: opts.poolSize });
    pool.on('error', () => {});
    return new Database(pool, 'embedded', embedded);
  }

  /**
   * The embedded database's data folder as an uncompressed tar (a snapshot for tests, loaded with
   * `snapshot`). The engine runs in a worker thread (decision 0018), so this is a message to it.
   */
  async dumpDataDir(): Promise<ArrayBuffer> {
    if (!this.embedded) throw new Error('dumpDataDir: only the embedded database has a data-dir snapshot');
    return this.embedded.dumpDataDir();
  }

  /** Run `fn` in one transaction as the application role with the tenant set. */
  async withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction(fn, { role: APP_ROLE, 'kam.tenant_id': tenantId });
  }

  /**
   * Run `fn` as the application role with no tenant yet, only a lookup key: RLS lets such a
   * transaction see the session / token whose hash it knows, or the organisation whose slug it
   * names — nothing else. The first statement finds that row and switches the transaction to its
   * tenant (`set_config('kam.tenant_id', …, true)`).
   */
  async withLookup<T>(
    lookup: { hash?: string; organization?: string },
    fn: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    return this.transaction(fn, {
      role: APP_ROLE,
      'kam.lookup_hash': lookup.hash ?? '',
      'kam.tenant_lookup': lookup.organization ?? '',
    });
  }

  /**
   * `withLookup` in one round trip: `BEGIN`, the settings, the statements and `COMMIT` go to the
   * server as one simple-protocol message — for the lookups every request starts with (session and
   * token resolution), where three round trips would cost more than the statements. Each statement
   * is a prepared statement of the connection (`PREPARE name(text) AS text`, its one parameter `$1`
   * the lookup key), prepared on the connection's first use, so the per-request work is execution
   * only — no parsing or planning. Returns each statement's rows.
   */
  async lookupOnce(
    lookup: { hash?: string; organization?: string },
    statements: readonly PreparedLookup[],
    key: string,
  ): Promise<pg.QueryResultRow[][]> {
    const client = await this.pool.connect();
    try {
      await this.prepare(client, statements);
      const quote = (v: string) => client.escapeLiteral(v);
      const results = (await client.query(
        [
          `BEGIN; SELECT set_config('role', '${APP_ROLE}', true), set_config('kam.lookup_hash', ${quote(lookup.hash ?? '')}, true), set_config('kam.tenant_lookup', ${quote(lookup.organization ?? '')}, true)`,
          ...statements.map((st) => `EXECUTE ${st.name}(${quote(key)})`),
          'COMMIT',
        ].join(';\n'),
      )) as unknown as pg.QueryResult[];
      return results.slice(2, 2 + statements.length).map((r) => r.rows);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Prepared statements live in a database session: one per pooled connection on a server, one
   * for the whole embedded engine (its connections share one session). Each is prepared once per
   * session, in a message of its own, so a failure leaves nothing half-known.
   */
  private readonly preparedIn = new WeakMap<object, Map<string, Promise<void>>>();

  private preparedOf(client: pg.PoolClient): Map<string, Promise<void>> {
    const session: object = this.kind === 'embedded' ? this : client;
    let done = this.preparedIn.get(session);
    if (!done) {
      done = new Map();
      this.preparedIn.set(session, done);
    }
    return done;
  }

  private async prepare(client: pg.PoolClient, statements: readonly PreparedLookup[]): Promise<void> {
    const done = this.preparedOf(client);
    for (const st of statements) {
      let ready = done.get(st.name);
      if (!ready) {
        ready = client.query(`PREPARE ${st.name}(text) AS ${st.text}`).then(() => undefined);
        done.set(st.name, ready);
        ready.catch(() => done.delete(st.name));
      }
      await ready;
    }
  }

  /** Texts PostgreSQL refused to prepare (readOnce then writes their values in as literals). */
  private readonly unpreparable = new Set<string>();

  /**
   * The name of `text` prepared in the client's session (`PREPARE name AS text`, parameter types
   * inferred from their use, as for any parameterised statement), or null: not preparable, or the
   * session already holds READ_STATEMENTS_PER_SESSION of them (a bound on the server's memory; the
   * texts are few — one per combination of list filters and sort — but not fixed).
   */
  private async preparedRead(client: pg.PoolClient, text: string): Promise<string | null> {
    if (this.unpreparable.has(text)) return null;
    const done = this.preparedOf(client);
    const name = `kam_read_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
    let ready = done.get(name);
    if (!ready) {
      if (done.size >= READ_STATEMENTS_PER_SESSION) return null;
      ready = client.query(`PREPARE ${name} AS ${text}`).then(() => undefined);
      done.set(name, ready);
    }
    try {
      await ready;
      return name;
    } catch (err) {
      done.delete(name);
      // refused as a statement (e.g. a parameter whose type nothing determines): never again; any
      // other failure (the connection) is the caller's
      if (!String((err as { code?: unknown }).code ?? '').startsWith('42')) throw err;
      this.unpreparable.add(text);
      return null;
    }
  }

  /**
   * `withTenant` for a read of exactly one statement, in one round trip: `BEGIN READ ONLY`, the
   * settings, the statement and `COMMIT` go to the server as one simple-protocol message instead of
   * three round trips — for the list pages every screen opens with. The statement is a prepared
   * statement of the session (`preparedRead`), run as `EXECUTE name(values as literals)`: parsed
   * once, and planned once when PostgreSQL finds its generic plan as good as the per-value ones (the
   * plan cache's own choice, after five executions), instead of parsed and planned on every page —
   * which took as long as running it. A text that cannot be prepared has its values written into it
   * as literals (`inline-params.ts`). `fn` gets a `Tx` that takes one query; a second one is an error.
   */
  async readOnce<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let used = false;
    const tx: Tx = {
      query: async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => {
        if (used) throw new Error('readOnce: one statement per transaction');
        used = true;
        const q = (v: string) => client.escapeLiteral(v);
        const name = await this.preparedRead(client, text);
        const statement =
          name === null
            ? inlineParams(text, values)
            : values.length === 0
              ? `EXECUTE ${name}`
              : `EXECUTE ${name}(${values.map(literal).join(', ')})`;
        const results = (await client.query(
          `BEGIN READ ONLY; SELECT set_config('role', '${APP_ROLE}', true), set_config('kam.tenant_id', ${q(tenantId)}, true);\n${statement};\nCOMMIT`,
        )) as unknown as pg.QueryResult<R>[];
        return results[2]!;
      },
    };
    try {
      return await fn(tx);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Run `fn` as the connecting (owner) role, for infrastructure tables in the kam_sys schema only
   * (migrations, scheduler). Tenant tables stay behind forced RLS for this role too.
   */
  async withSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  /**
   * One transaction on a pooled connection. `BEGIN` and the transaction-local settings (role,
   * tenant, lookup key — `set_config(…, true)` is `SET LOCAL`) go to the server as one
   * simple-protocol message: one round trip instead of two on every request. The values are
   * quoted by the driver's `escapeLiteral`, never concatenated raw.
   */
  private async transaction<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    settings: Record<string, string> = {},
  ): Promise<T> {
    const client = await this.pool.connect();
    try {
      const local = Object.entries(settings).map(
        ([name, value]) => `set_config(${client.escapeLiteral(name)}, ${client.escapeLiteral(value)}, true)`,
      );
      await client.query(local.length ? `BEGIN; SELECT ${local.join(', ')}` : 'BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.embedded?.stop();
  }
}
