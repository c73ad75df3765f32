// Benchmark: the customer list (GET /api/v1/customers) at the size of the tenant (1M
// customers, 10M orders, 5M follow-ups — bench/generate-tenant.mjs) for an account manager, a
// department head and a sales director; first page and a deep page (the cursor after following
// up to 20 pages); two filters each. Every KAM measurement is paired with a reference measured in
// the same run: the same page query hand-written on the same pool, served by a plain Fastify route
// without authentication, permission evaluation, schema validation or field rules. Reports p50/p99
// latency and throughput (autocannon, 16 connections, loopback) and the EXPLAIN (ANALYZE, BUFFERS)
// of the statement KAM actually ran for each page (captured from the pool).
//
// Targets (issue 4): p99 < 50 ms, throughput ≥ 50 % of the reference.

import { literal } from '../apps/server/dist/db/inline-params.js';
import { buildApp } from '../apps/server/dist/http/app.js';
import { createQueue } from '../apps/server/dist/jobs/index.js';
import { BENCH_PASSWORD, BENCH_SLUG } from './generate-tenant.mjs';
import { DURATION_S, load } from './lib.mjs';
import { openBenchTenant } from './tenant.mjs';

const DEEP_PAGES = Number(process.env.KAM_BENCH_DEEP_PAGES ?? 20);
const LIMIT = 50;

const COLUMNS = `c.id, c.name, c.name_pinyin, c.credit_code, c.industry, c.province_code, c.city_code,
  c.size_band, c.source, c.website, c.address, c.tags, c.status, c.owner_id, ow.display_name AS owner_name,
  c.department_id, dp.name AS department_name, c.notes, c.last_follow_up_at, c.revenue_12m::text AS revenue_12m,
  c.orders_12m, to_char(c.last_order_at, 'YYYY-MM-DD') AS last_order_at, c.created_by, c.created_at, c.updated_by,
  c.updated_at, c.deleted_at, c.merged_into_id, c.version`;

/**
 * A naive hand-written page query — scope (own customers, or the department subtree) or account
 * team, the filter, the keyset position, sorted by pinyin name — used to check that KAM's list
 * returns the same rows. The timing reference is KAM's own page statement run directly.
 */
function referenceQuery(s) {
  const values = [s.actor.id];
  const add = (v) => {
    values.push(v);
    return `$${values.length}`;
  };
  const scope =
    s.role === 'am'
      ? 'c.owner_id = $1'
      : `c.department_id IN (SELECT id FROM departments WHERE tenant_id = kam_tenant() AND path && ${add([s.actor.department_id])}::uuid[])`;
  const where = [
    `(${scope} OR c.id = ANY(ARRAY(SELECT customer_id FROM customer_team WHERE tenant_id = kam_tenant() AND user_id = $1)))`,
    'c.deleted_at IS NULL',
  ];
  const f = s.filter.params;
  if (f.status) where.push(`c.status = ANY(${add([f.status])}::text[])`);
  if (f.industry) where.push(`c.industry = ANY(${add([f.industry])}::text[])`);
  if (f.departmentId) {
    where.push(
      `c.department_id IN (SELECT id FROM departments WHERE tenant_id = kam_tenant() AND path @> ARRAY[${add(f.departmentId)}::uuid])`,
    );
  }
  if (f.lastFollowUpBefore) where.push(`c.last_follow_up_at < ${add(f.lastFollowUpBefore)}::timestamptz`);
  if (s.after) where.push(`(c.name_pinyin, c.id) > (${add(s.after[0])}, ${add(s.after[1])}::uuid)`);
  const sql = `SELECT ${COLUMNS}
    FROM customers c
    LEFT JOIN users ow ON ow.tenant_id = kam_tenant() AND ow.id = c.owner_id
    LEFT JOIN departments dp ON dp.tenant_id = kam_tenant() AND dp.id = c.department_id
    WHERE c.tenant_id = kam_tenant() AND ${where.join(' AND ')}
    ORDER BY c.name_pinyin, c.id LIMIT ${LIMIT + 1}`;
  return { sql, values };
}

function decode(cursor) {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
}

/**
 * The plan KAM's page statement runs with: prepared and executed as Database.readOnce does, past the
 * plan cache's five custom plans, so the EXPLAIN shows the plan PostgreSQL settled on (a generic
 * plan shows `$n` in its conditions).
 */
async function explain(db, tenantId, stmt) {
  const args = stmt.values.length ? `(${stmt.values.map(literal).join(', ')})` : '';
  const { rows } = await db.withTenant(tenantId, async (tx) => {
    await tx.query(`PREPARE kam_bench_explain AS ${stmt.text}`);
    try {
      for (let i = 0; i < 6; i++) await tx.query(`EXECUTE kam_bench_explain${args}`);
      return await tx.query(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE kam_bench_explain${args}`);
    } finally {
      await tx.query('DEALLOCATE kam_bench_explain');
    }
  });
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

export async function run({ log = () => {} } = {}) {
  const t = await openBenchTenant({ log, poolSize: 10 });
  const { db, tenantId, actors } = t;
  try {
    // the statement that reads a customer-list page, to EXPLAIN it and to run it as the reference:
    // what the list service hands Database.readOnce (its text and values), which runs it as a
    // prepared statement of the session in one message
    const capture = {
      on: false,
      last: null,
      take() {
        const last = capture.last;
        capture.last = null;
        return last;
      },
    };
    const readOnce = db.readOnce.bind(db);
    db.readOnce = (tenant, fn) =>
      readOnce(tenant, (tx) =>
        fn({
          query(text, values) {
            if (capture.on && /FROM customers c\b/.test(text)) capture.last = { text, values: values ?? [] };
            return tx.query(text, values);
          },
        }),
      );
    const jobs = createQueue(db, { driver: 'inline' });
    const app = await buildApp({
      config: { trustProxy: false, cookieSecure: 'never', loginRateLimit: 1000, logLevel: 'silent' },
      db,
      jobs,
      serveWeb: false,
    });
    const references = new Map();
    app.get('/bench/reference/:key', { config: { public: true } }, async (req) => {
      const q = references.get(req.params.key);
      // as KAM reads a page: one statement in one round trip with the tenant set (Database.readOnce)
      const { rows } = await db.readOnce(tenantId, (tx) => tx.query(q.sql, q.values));
      const items = rows.slice(0, LIMIT);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > LIMIT
            ? Buffer.from(JSON.stringify([last.name_pinyin, last.id])).toString('base64url')
            : null,
      };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${app.server.address().port}`;

    const cookies = {};
    for (const [role, user] of [
      ['am', actors.am],
      ['head', actors.head],
      ['director', actors.director],
    ]) {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: user.login, password: BENCH_PASSWORD, organization: BENCH_SLUG }),
      });
      if (res.status !== 200) throw new Error(`login ${user.login}: ${res.status} ${await res.text()}`);
      cookies[role] = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
    }

    // "Not followed up for 90 days" in the filter's department subtree: the actor's branch, or for
    // the director the region (their whole scope).
    const before = `${new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10)}T00:00:00+08:00`;
    const filters = (role) => [
      { key: 'active-C', label: 'status=active & industry=C', params: { status: 'active', industry: 'C' } },
      {
        key: 'dept-stale',
        label: `department subtree & lastFollowUpBefore=${before}`,
        params: {
          departmentId: role === 'director' ? actors.regionId : actors.branchId,
          includeSubtree: 'true',
          lastFollowUpBefore: before,
        },
      },
    ];
    const scenarios = [];
    for (const role of ['am', 'head', 'director']) {
      for (const filter of filters(role)) {
        const qs = new URLSearchParams({ ...filter.params, limit: String(LIMIT) });
        const first = `${base}/api/v1/customers?${qs}`;
        // follow the cursor
        let url = first;
        let depth = 0;
        let cursor = null;
        for (; depth < DEEP_PAGES; depth++) {
          const res = await fetch(url, { headers: { cookie: cookies[role] } });
          if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
          const body = await res.json();
          if (!body.nextCursor) break;
          cursor = body.nextCursor;
          url = `${first}&cursor=${encodeURIComponent(cursor)}`;
        }
        const actor = { am: actors.am, head: actors.head, director: actors.director }[role];
        scenarios.push({ role, actor, filter, page: 'first', url: first, after: null });
        if (cursor) {
          scenarios.push({
            role,
            actor,
            filter,
            page: `deep (page ${depth + 1})`,
            url,
            after: decode(cursor),
          });
        }
      }
    }

    const results = [];
    for (const s of scenarios) {
      const key = `${s.role}.${s.filter.key}.${s.page.startsWith('deep') ? 'deep' : 'first'}`;
      // The same rows as a naive hand-written page query (a correctness check of the list).
      references.set(key, referenceQuery(s));
      const refUrl = `${base}/bench/reference/${key}`;
      const kamBody = await (await fetch(s.url, { headers: { cookie: cookies[s.role] } })).json();
      const refBody = await (await fetch(refUrl)).json();
      const same =
        kamBody.items.length === refBody.items.length &&
        kamBody.items.every((x, i) => x.id === refBody.items[i].id);
      // The statement KAM runs for this page, explained — and, as the reference, the very same
      // statement run directly on the pool: what KAM's layers (authentication, permission
      // evaluation, validation, field rules) add is exactly the difference.
      capture.on = true;
      await fetch(s.url, { headers: { cookie: cookies[s.role] } });
      capture.on = false;
      const stmt = capture.take();
      const plan = stmt ? await explain(db, tenantId, stmt) : '(statement not captured)';
      if (stmt) references.set(key, { sql: stmt.text, values: stmt.values });
      // warm-up, then the pair
      await load(refUrl, { seconds: 1 });
      await load(s.url, { headers: { cookie: cookies[s.role] }, seconds: 1 });
      const reference = await load(refUrl);
      const kam = await load(s.url, { headers: { cookie: cookies[s.role] } });
      log(
        `${key}: KAM p50 ${kam.p50} p99 ${kam.p99} ms ${kam.rps.toFixed(0)} req/s | reference p50 ${reference.p50} p99 ${reference.p99} ms ${reference.rps.toFixed(0)} req/s | rows ${kamBody.items.length}${same ? '' : ' (DIFFERENT ROWS)'}`,
      );
      results.push({
        key,
        role: s.role,
        filter: s.filter.label,
        page: s.page,
        rows: kamBody.items.length,
        sameRows: same,
        kam,
        reference,
        plan,
      });
    }
    await app.close();
    return {
      database: db.kind,
      seconds: DURATION_S,
      counts: t.counts,
      generation: t.generation,
      actors: {
        am: { login: actors.am.login, customers: actors.am.customers },
        head: actors.head.login,
        director: actors.director.login,
      },
      results,
    };
  } finally {
    await db.close();
    await t.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ log: (s) => console.log(s) });
  for (const x of r.results) console.log(`\n## ${x.key}\n${x.plan}`);
}
