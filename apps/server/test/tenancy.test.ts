import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE } from '../src/db/database.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let a: TestOrg;
let b: TestOrg;

beforeAll(async () => {
  env = await createTestEnv();
  a = await createTestOrg(env, { demo: true });
  b = await createTestOrg(env, { demo: true });
});
afterAll(() => env.close());

/** Tables the application role may read (the audit chain heads are reachable only through functions). */
async function appReadableTables(): Promise<string[]> {
  const all = await tenantTables();
  const readable = await env.db.withSystem((tx) =>
    tx.query<{ t: string }>(
      `SELECT t FROM unnest($1::text[]) t WHERE has_table_privilege('kam_app', t, 'SELECT')`,
      [all],
    ),
  );
  return readable.rows.map((r) => r.t);
}

async function tenantTables(): Promise<string[]> {
  return env.db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    return rows.map((r) => r.table_name);
  });
}

describe('schema invariants (hold for every migration, present and future)', () => {
  it('every table has tenant_id, and every primary and unique key starts with it', async () => {
    const tables = await tenantTables();
    expect(tables.length).toBeGreaterThanOrEqual(10);
    const keys = await env.db.withSystem(async (tx) => {
      const { rows } = await tx.query<{
        table_name: string;
        index_name: string;
        first_column: string | null;
        is_primary: boolean;
      }>(
        `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisprimary AS is_primary,
                (SELECT attname FROM pg_attribute WHERE attrelid = t.oid AND attnum = ix.indkey[0]) AS first_column
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND ix.indisunique`,
      );
      return rows;
    });
    for (const table of tables) {
      const cols = await env.db.withSystem((tx) =>
        tx.query(
          `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'tenant_id'`,
          [table],
        ),
      );
      expect(cols.rowCount, `${table} has tenant_id`).toBe(1);
    }
    // The tenant directory's slug is the one documented global key (docs/decisions/0004).
    const offending = keys.filter(
      (k) => k.first_column !== 'tenant_id' && k.index_name !== 'tenants_slug_key',
    );
    expect(offending).toEqual([]);
  });

  it('every table has row-level security enabled and forced', async () => {
    const rows = await env.db.withSystem(async (tx) => {
      const r = await tx.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
      );
      return r.rows;
    });
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const r of rows)
      expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, true]);
  });

  it('the application role neither owns the tables nor can bypass RLS', async () => {
    const role = await env.db.withSystem((tx) =>
      tx.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
        'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1',
        [APP_ROLE],
      ),
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await env.db.withSystem((tx) =>
      tx.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`, [APP_ROLE]),
    );
    expect(owned.rowCount).toBe(0);
  });
});

describe('row-level security', () => {
  it('a query without a tenant context sees nothing, in every table', async () => {
    const readable = await appReadableTables();
    expect(readable).not.toContain('audit_chain_heads');
    for (const table of readable) {
      const n = await env.db.withSystem(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${APP_ROLE}`);
        const r = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
        return r.rows[0]!.n;
      });
      expect(n, table).toBe(0);
    }
  });

  it('a tenant context sees only its own rows and cannot write into another tenant', async () => {
    for (const table of await appReadableTables()) {
      const foreign = await env.db.withTenant(a.tenantId, (tx) =>
        tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id <> $1`, [
          a.tenantId,
        ]),
      );
      expect(foreign.rows[0]!.n, table).toBe(0);
    }
    const write = env.db.withTenant(a.tenantId, (tx) =>
      tx.query(
        `INSERT INTO departments (tenant_id, id, parent_id, name, path)
                VALUES ($1, gen_random_uuid(), $2, 'intruder', ARRAY[$2::uuid])`,
        [b.tenantId, b.rootDepartmentId],
      ),
    );
    await expect(write).rejects.toThrow(/row-level security/);
    const update = await env.db.withTenant(a.tenantId, (tx) =>
      tx.query(`UPDATE users SET display_name = 'hacked' WHERE tenant_id = $1`, [b.tenantId]),
    );
    expect(update.rowCount).toBe(0);
  });
});

describe('parallel query', () => {
  // PGlite has no parallel workers: the server database only
  it.runIf(process.env.KAM_TEST_PG_URL)(
    'statements under row-level security may run in parallel workers, which see the tenant of the transaction',
    async () => {
      const counts = (parallel: boolean) =>
        env.db.withTenant(a.tenantId, async (tx) => {
          if (parallel)
            await tx.query(`SELECT set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true),
              set_config('min_parallel_table_scan_size', '0', true), set_config('enable_indexscan', 'off', true),
              set_config('enable_indexonlyscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`);
          const plan = await tx.query<{ 'QUERY PLAN': string }>(
            'EXPLAIN (COSTS OFF) SELECT count(*) FROM users',
          );
          const { rows } = await tx.query<{ n: number; foreign: number }>(
            `SELECT count(*)::int AS n, count(*) FILTER (WHERE tenant_id <> $1)::int AS foreign FROM users`,
            [a.tenantId],
          );
          return { plan: plan.rows.map((r) => r['QUERY PLAN']).join('\n'), ...rows[0]! };
        });
      const serial = await counts(false);
      const parallel = await counts(true);
      expect(parallel.plan).toMatch(/Gather/);
      expect(parallel.n).toBeGreaterThan(0);
      expect(parallel).toMatchObject({ n: serial.n, foreign: 0 });
    },
  );
});

describe('one-message reads (readOnce, the list pages)', () => {
  const COUNT = `SELECT count(*)::int AS n, count(*) FILTER (WHERE tenant_id <> $1::uuid)::int AS foreign,
      (SELECT count(*)::int FROM pg_prepared_statements WHERE name LIKE 'kam_read_%' AND statement LIKE '%FILTER (WHERE tenant_id <>%') AS prepared
    FROM users`;
  const read = (tenantId: string) =>
    env.db.readOnce(
      tenantId,
      async (tx) =>
        (await tx.query<{ n: number; foreign: number; prepared: number }>(COUNT, [tenantId])).rows[0]!,
    );

  it('run as a prepared statement of the session, whose cached plan never shows one tenant another’s rows', async () => {
    const own = {
      a: (
        await env.db.withTenant(a.tenantId, (tx) =>
          tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users'),
        )
      ).rows[0]!.n,
      b: (
        await env.db.withTenant(b.tenantId, (tx) =>
          tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users'),
        )
      ).rows[0]!.n,
    };
    // past the plan cache's five custom plans, alternating tenants on the same statement
    for (let i = 0; i < 8; i++) {
      const org = i % 2 === 0 ? a : b;
      const r = await read(org.tenantId);
      expect(r).toEqual({ n: i % 2 === 0 ? own.a : own.b, foreign: 0, prepared: 1 });
    }
  });

  it('a statement PostgreSQL cannot prepare runs with its values written in', async () => {
    // `$1` alone has no type to infer: PREPARE refuses it (42P18); as a literal it is text
    for (let i = 0; i < 2; i++) {
      const r = await env.db.readOnce(a.tenantId, (tx) =>
        tx.query<{ v: string }>('SELECT $1 AS v', ["it's"]),
      );
      expect(r.rows[0]!.v).toBe("it's");
    }
  });
});

describe('API isolation', () => {
  it('an admin of one organisation cannot see or change the other through the API', async () => {
    const admin = await Client.signIn(env, a.slug, 'admin', ADMIN_PASSWORD);
    const bUser = await env.db.withTenant(b.tenantId, (tx) =>
      tx.query<{ id: string }>(`SELECT id FROM users WHERE tenant_id = kam_tenant() AND login = 'manager'`),
    );
    const bUserId = bUser.rows[0]!.id;
    const users = await admin.get('/api/v1/users?limit=200');
    expect(users.status).toBe(200);
    expect(users.body.items.map((u: { id: string }) => u.id)).not.toContain(bUserId);
    expect((await admin.get(`/api/v1/users/${bUserId}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/departments/${b.rootDepartmentId}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/roles/${b.roleIds.super_admin}`)).status).toBe(404);
    const depts = await admin.get('/api/v1/departments?limit=1000');
    expect(depts.body.items.map((d: { id: string }) => d.id)).not.toContain(b.rootDepartmentId);
    const patch = await admin.patch(`/api/v1/departments/${b.rootDepartmentId}`, {
      version: 1,
      name: 'taken over',
    });
    expect(patch.status).toBe(404);
    // A's users cannot sign in to B.
    expect((await new Client(env, b.slug).login('admin', 'wrong')).status).toBe(401);
  });

  it('a session of one organisation is worthless against the other organisation’s records', async () => {
    const bAdmin = await Client.signIn(env, b.slug, 'admin', ADMIN_PASSWORD);
    const log = await bAdmin.get('/api/v1/audit-logs?limit=200');
    expect(log.status).toBe(200);
    for (const e of log.body.items as { actorName: string | null; details: unknown }[]) {
      expect(JSON.stringify(e)).not.toContain(a.slug);
    }
  });
});
