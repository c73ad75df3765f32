// Benchmark: the scoped user list (GET /api/v1/users) for a sales director, against a reference
// endpoint that runs the same page query hand-written on the same pool without KAM's layers
// (authentication, permission evaluation, field rules, schema validation). Reports latency
// percentiles and throughput under concurrent load, and the plan of the list query.
//
// Tenant: 100 departments (10 regions × 9 branches + support), 2,000 users, generated set-based.
// Database: KAM_BENCH_DATABASE_URL (a throwaway database is created there) or embedded (in memory).
// Load: autocannon, 16 connections, KAM_BENCH_SECONDS (8) per measurement after a 1 s warm-up.
import { randomUUID } from 'node:crypto';
import { migrate } from '../apps/server/dist/db/migrate.js';
import { buildApp } from '../apps/server/dist/http/app.js';
import { createQueue } from '../apps/server/dist/jobs/index.js';
import { hashPassword } from '../apps/server/dist/modules/auth/crypto.js';
import { createOrganization } from '../apps/server/dist/modules/organization/bootstrap.js';
import { load, openBenchDatabase } from './lib.mjs';

async function seed(db) {
  const org = await createOrganization(db, { slug: 'bench', name: 'Bench Co', adminPassword: 'Bench#2026x' });
  const hash = await hashPassword('Bench#2026x');
  await db.withTenant(org.tenantId, async (tx) => {
    // 10 regions under the root, 9 branches under each.
    await tx.query(
      `INSERT INTO departments (tenant_id, id, parent_id, name, path)
       SELECT kam_tenant(), id, $1, 'Region ' || n, ARRAY[$1::uuid, id]
       FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 10) n) r`,
      [org.rootDepartmentId],
    );
    await tx.query(
      `INSERT INTO departments (tenant_id, id, parent_id, name, path)
       SELECT kam_tenant(), gen_random_uuid() AS id, r.id, r.name || ' / Branch ' || b, r.path
       FROM departments r CROSS JOIN generate_series(1, 9) b
       WHERE r.tenant_id = kam_tenant() AND r.parent_id = $1`,
      [org.rootDepartmentId],
    );
    await tx.query(
      `UPDATE departments SET path = path || id WHERE tenant_id = kam_tenant() AND cardinality(path) = 2 AND name LIKE '%Branch%'`,
    );
    // 2,000 users spread over the branches, account managers.
    await tx.query(
      `INSERT INTO users (tenant_id, id, login, display_name, email, mobile, department_id, password_hash)
       SELECT kam_tenant(), gen_random_uuid(), 'user' || n, '用户' || n, 'user' || n || '@bench.example',
              '+86138' || lpad(n::text, 8, '0'), d.id, $1
       FROM generate_series(1, 2000) n
       JOIN LATERAL (SELECT id FROM departments WHERE tenant_id = kam_tenant() AND name LIKE '%Branch%'
                     ORDER BY id OFFSET (n % 90) LIMIT 1) d ON true`,
      [hash],
    );
    await tx.query(
      `INSERT INTO user_roles (tenant_id, user_id, role_id)
       SELECT kam_tenant(), id, $1 FROM users WHERE tenant_id = kam_tenant() AND login LIKE 'user%'`,
      [org.roleIds.account_manager],
    );
    // The director of Region 1.
    await tx.query(
      `INSERT INTO users (tenant_id, id, login, display_name, department_id, password_hash, password_changed_at)
       SELECT kam_tenant(), $1, 'director', '总监', id, $2, now() FROM departments
       WHERE tenant_id = kam_tenant() AND name = 'Region 1'`,
      [randomUUID(), hash],
    );
    await tx.query(
      `INSERT INTO user_roles (tenant_id, user_id, role_id)
       SELECT kam_tenant(), id, $1 FROM users WHERE tenant_id = kam_tenant() AND login = 'director'`,
      [org.roleIds.sales_director],
    );
  });
  await db.withSystem((tx) => tx.query('ANALYZE'));
  return org;
}

export async function run() {
  const { db, drop } = await openBenchDatabase({ poolSize: 10 });
  try {
    await migrate(db);
    const org = await seed(db);
    const jobs = createQueue(db, { driver: 'inline' });
    const app = await buildApp({
      config: { trustProxy: false, cookieSecure: 'never', loginRateLimit: 1000, logLevel: 'silent' },
      db,
      jobs,
      serveWeb: false,
    });
    // Reference: the same first page (director's subtree, sorted by name) hand-written on the same pool.
    const { rows: dirRows } = await db.withTenant(org.tenantId, (tx) =>
      tx.query(`SELECT d.path FROM users u JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id
                WHERE u.tenant_id = kam_tenant() AND u.login = 'director'`),
    );
    const subtreeRoot = dirRows[0].path.at(-1);
    // The same page as KAM returns: users in the subtree by name, with department name and roles.
    const REFERENCE_SQL = `WITH page AS (
         SELECT u.id, u.login, u.display_name, u.email, u.mobile, u.status, u.department_id, u.version
         FROM users u WHERE u.tenant_id = kam_tenant()
           AND u.department_id IN (SELECT id FROM departments WHERE tenant_id = kam_tenant() AND path && ARRAY[$1::uuid])
         ORDER BY u.display_name, u.id LIMIT 50)
       SELECT p.*, d.name AS department_name,
         (SELECT json_agg(json_build_object('id', r.id, 'key', r.key, 'name', r.name))
          FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
          WHERE ur.tenant_id = kam_tenant() AND ur.user_id = p.id) AS roles
       FROM page p LEFT JOIN departments d ON d.tenant_id = kam_tenant() AND d.id = p.department_id
       ORDER BY p.display_name, p.id`;
    app.get('/bench/reference', { config: { public: true } }, async () => {
      const { rows } = await db.withTenant(org.tenantId, (tx) => tx.query(REFERENCE_SQL, [subtreeRoot]));
      return { items: rows, nextCursor: null };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${app.server.address().port}`;
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'director', password: 'Bench#2026x', organization: 'bench' }),
    });
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const listUrl = `${base}/api/v1/users?limit=50&sort=displayName&includeSubtree=true`;
    // warm up
    await load(`${base}/bench/reference`, { seconds: 1 });
    await load(listUrl, { headers: { cookie }, seconds: 1 });
    const reference = await load(`${base}/bench/reference`);
    const kam = await load(listUrl, { headers: { cookie } });
    const plan = await db.withTenant(org.tenantId, (tx) =>
      tx.query(`EXPLAIN ${REFERENCE_SQL}`, [subtreeRoot]),
    );
    await app.close();
    return {
      database: db.kind,
      reference,
      kam,
      plan: plan.rows.map((r) => r['QUERY PLAN']).join('\n'),
    };
  } finally {
    await db.close();
    await drop();
  }
}
