import { pinyinKey } from '@kam/domain';
import type { CustomerScopeBranch } from '../../../access/customer-scope.js';
import type { Params } from '../../../access/sql.js';
import type { Tx } from '../../../db/database.js';
import type { CustomerFilter, CustomerSort } from '../schemas.js';

/** A customer row with its owner's and department's names (one join each). */
export interface CustomerRow {
  id: string;
  name: string;
  name_pinyin: string;
  credit_code: string | null;
  industry: string | null;
  province_code: string | null;
  city_code: string | null;
  size_band: string | null;
  source: string | null;
  website: string | null;
  address: string | null;
  tags: string[];
  status: string;
  owner_id: string | null;
  owner_name: string | null;
  department_id: string | null;
  department_name: string | null;
  notes: string | null;
  last_follow_up_at: Date | null;
  revenue_12m: string;
  orders_12m: number;
  last_order_at: string | null;
  created_by: string | null;
  created_at: Date;
  updated_by: string | null;
  updated_at: Date;
  deleted_at: Date | null;
  merged_into_id: string | null;
  version: number;
  /** the tier of record (CUSTOMER_COLUMNS); null when the customer has none */
  tier_of_record: { id: string; name: string | null; overridden: boolean } | null;
  /** the sort value of the list's order, as text (exact keyset position) */
  sort_key?: string | null;
}

/** The tenant's tier-of-record model (tier_settings; at most one row per tenant, an InitPlan). */
const RECORD_MODEL = '(SELECT ts.record_model_id FROM tier_settings ts WHERE ts.tenant_id = kam_tenant())';

/**
 * The names of the tier-of-record model's tiers, keyed `"<version>:<tier id>"`, as its versions' definitions
 * give them (a tier of `tiers`, else the `defaultTier`): one jsonb object per statement (an InitPlan, whatever
 * the number of rows), where reading the definition of the deciding version per row took ~0.2 ms of a 1.2 ms
 * list page (decision 0029).
 */
const RECORD_TIER_NAMES = `(SELECT jsonb_object_agg(v.version_no::text || ':' || (t.tier ->> 'id'), t.tier -> 'name' ORDER BY t.pos)
   FROM tier_model_versions v
   CROSS JOIN LATERAL (
     SELECT v.definition -> 'defaultTier' AS tier, 0 AS pos WHERE jsonb_typeof(v.definition -> 'defaultTier') = 'object'
     UNION ALL
     SELECT x, 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v.definition -> 'tiers') = 'array'
       THEN v.definition -> 'tiers' ELSE '[]'::jsonb END) x) t
   WHERE v.tenant_id = kam_tenant() AND v.model_id = ${RECORD_MODEL} AND t.tier ->> 'id' IS NOT NULL)`;

/**
 * The columns of a customer as the API shows it. The tier of record (the current tier under the tenant's
 * tier-of-record model, its name as the model version that decided it gives it, and whether an approved
 * manual change decided it) is a subquery per row — one primary-key lookup in `tier_current`, which holds
 * all three (decision 0029) — rather than a join in every list statement: joined, a list page took 3–4 s
 * on the embedded database at 100,000 customers (as a subquery 20–30 ms; bench/tiering.mjs, list without
 * a run).
 */
export const CUSTOMER_COLUMNS = `c.id, c.name, c.name_pinyin, c.credit_code, c.industry, c.province_code, c.city_code,
  c.size_band, c.source, c.website, c.address, c.tags, c.status, c.owner_id, ow.display_name AS owner_name,
  c.department_id, dp.name AS department_name, c.notes, c.last_follow_up_at, c.revenue_12m::text AS revenue_12m,
  c.orders_12m, to_char(c.last_order_at, 'YYYY-MM-DD') AS last_order_at, c.created_by, c.created_at, c.updated_by,
  c.updated_at, c.deleted_at, c.merged_into_id, c.version,
  (SELECT json_build_object('id', tcur.tier,
      'name', ${RECORD_TIER_NAMES} -> (tcur.model_version::text || ':' || tcur.tier),
      'overridden', tcur.overridden)
   FROM tier_current tcur
   WHERE tcur.tenant_id = kam_tenant() AND tcur.model_id = ${RECORD_MODEL} AND tcur.customer_id = c.id) AS tier_of_record`;

export const CUSTOMER_JOINS = `LEFT JOIN users ow ON ow.tenant_id = kam_tenant() AND ow.id = c.owner_id
  LEFT JOIN departments dp ON dp.tenant_id = kam_tenant() AND dp.id = c.department_id`;

export async function getCustomer(tx: Tx, id: string): Promise<CustomerRow | null> {
  const { rows } = await tx.query<CustomerRow>(
    `SELECT ${CUSTOMER_COLUMNS} FROM customers c ${CUSTOMER_JOINS}
     WHERE c.tenant_id = kam_tenant() AND c.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

const SORT_EXPR: Record<CustomerSort, { expr: string; cast: string }> = {
  name: { expr: 'c.name_pinyin', cast: 'text' },
  createdAt: { expr: 'c.created_at', cast: 'timestamptz' },
  updatedAt: { expr: 'c.updated_at', cast: 'timestamptz' },
  lastFollowUpAt: { expr: `coalesce(c.last_follow_up_at, '-infinity'::timestamptz)`, cast: 'timestamptz' },
  revenue12m: { expr: 'c.revenue_12m', cast: 'numeric' },
};

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `x` taken literally in a regular expression. */
const regexLiteral = (s: string) => s.replace(/[\\^$.|?*+()[\]{}-]/g, (c) => `\\${c}`);

/** Which contact numbers the search may match (only those the viewer sees unmasked). */
export interface ContactNumbers {
  mobile: boolean;
  phone: boolean;
}

/**
 * The search term `q` as a condition on the customers row `c`.
 *
 * A phone-like term (only digits and separators, ≥ 4 digits) matches credit code and contact mobile /
 * phone: a UNION of id sets, each read from its own trigram index. A phone matches with its dashes
 * ignored (`ct.phone ~ 'd-*d-*…'`, the form the trigram index serves, where
 * `replace(ct.phone, '-', '')` would be a scan).
 *
 * Any other term matches on the row itself, so that the planner may either OR the indexes together
 * (a rare term) or walk the list's sort index and stop at the page (a common one, like a city):
 * - the name, for a term of ≥ 2 characters through the character-bigram index (migration 0008):
 *   `kam_bigrams(name) @> kam_bigrams(term)` is implied by `name ILIKE '%term%'`, the ILIKE rechecks
 *   (written first: in a filter it is the cheap, selective test). A one-character term has no
 *   bigram and matches by ILIKE alone — a scan of the tenant, bounded by the page's LIMIT on the
 *   sort index;
 * - the name pinyin, for ≥ 3 Latin letters / digits (spaces ignored; the trigram index);
 * - the credit code, for ≥ 3 letters / digits (the trigram index).
 * Shorter Latin terms match the name only: a 1–2-letter infix yields no trigram.
 */
function searchSql(q: string, contactNumbers: ContactNumbers, live: boolean, p: Params): string {
  const digits = q.replace(/\D/g, '');
  if (/^[\d\s+()-]+$/.test(q) && digits.length >= 4) {
    const own = (cond: string) => `SELECT s.id FROM customers s WHERE s.tenant_id = kam_tenant() AND ${cond}`;
    const contacts = (cond: string) =>
      `SELECT ct.customer_id FROM contacts ct WHERE ct.tenant_id = kam_tenant() AND ${cond}`;
    const sets = [own(`s.credit_code LIKE ${p.add(`%${digits}%`)}`)];
    if (contactNumbers.mobile) sets.push(contacts(`ct.mobile LIKE ${p.add(`%${digits}%`)}`));
    if (contactNumbers.phone) {
      sets.push(contacts(`ct.phone ~ ${p.add([...digits].map(regexLiteral).join('-*'))}`));
    }
    return `c.id IN (${sets.join(' UNION ')})`;
  }
  const like = p.add(`%${likeLiteral(q)}%`);
  const arms = [
    // the partial bigram index covers live customers only; the deleted list reads few rows anyway
    live && [...q].length >= 2
      ? `(c.name ILIKE ${like} AND kam_bigrams(c.name) @> kam_bigrams(${p.add(q)}::text))`
      : `c.name ILIKE ${like}`,
  ];
  const compact = q.toLowerCase().replace(/\s+/g, '');
  if (/^[0-9a-z]{3,}$/.test(compact)) {
    arms.push(`c.name_pinyin LIKE ${p.add(`%${compact}%`)}`);
    if (/^[0-9a-z]+$/i.test(q)) arms.push(`c.credit_code ILIKE ${like}`);
  }
  return `(${arms.join(' OR ')})`;
}

/**
 * `column` is one of `values`: a single value as `= $n` (estimated from the column's statistics of
 * that value, and an equality the planner can match to an index), several as `= ANY($n)`.
 */
function oneOf(column: string, values: string[], p: Params): string {
  return values.length === 1
    ? `${column} = ${p.add(values[0])}::text`
    : `${column} = ANY(${p.add(values)}::text[])`;
}

/** The WHERE conditions of a filter (scope not included). */
function filterSql(f: CustomerFilter, contactNumbers: ContactNumbers, p: Params): string[] {
  const where: string[] = [f.deleted ? 'c.deleted_at IS NOT NULL' : 'c.deleted_at IS NULL'];
  if (f.q) where.push(searchSql(f.q, contactNumbers, !f.deleted, p));
  if (f.ownerId) where.push(`c.owner_id = ${p.add(f.ownerId)}::uuid`);
  if (f.departmentId) {
    const d = p.add(f.departmentId);
    where.push(
      f.includeSubtree
        ? `c.department_id = ANY(ARRAY(SELECT sd.id FROM departments sd WHERE sd.tenant_id = kam_tenant() AND sd.path @> ARRAY[${d}::uuid]))`
        : `c.department_id = ${d}::uuid`,
    );
  }
  if (f.industry) where.push(oneOf('c.industry', f.industry, p));
  if (f.provinceCode) where.push(`c.province_code = ${p.add(f.provinceCode)}`);
  if (f.cityCode) where.push(`c.city_code = ${p.add(f.cityCode)}`);
  if (f.status) where.push(oneOf('c.status', f.status, p));
  if (f.tags) where.push(`c.tags && ${p.add(f.tags)}::text[]`);
  if (f.lastFollowUpBefore) where.push(`c.last_follow_up_at < ${p.add(f.lastFollowUpBefore)}::timestamptz`);
  if (f.lastFollowUpAfter) where.push(`c.last_follow_up_at >= ${p.add(f.lastFollowUpAfter)}::timestamptz`);
  if (f.revenueMin) where.push(`c.revenue_12m >= ${p.add(f.revenueMin)}::numeric`);
  if (f.revenueMax) where.push(`c.revenue_12m <= ${p.add(f.revenueMax)}::numeric`);
  if (f.tier) {
    where.push(`EXISTS (SELECT 1 FROM tier_current ft WHERE ft.tenant_id = kam_tenant()
      AND ft.model_id = ${RECORD_MODEL} AND ft.customer_id = c.id AND ${oneOf('ft.tier', f.tier, p)})`);
  }
  return where;
}

/**
 * One page of the list in one statement: `scope` is the actor's scope predicate (built on `p`), or
 * its OR-ed parts (`customerScopeBranches`, for the pinyin order only), then the filter, then the
 * keyset position `after` = [sort value as text, id].
 */
export async function selectCustomerPage(
  tx: Tx,
  p: Params,
  args: {
    scope: string | CustomerScopeBranch[];
    filter: CustomerFilter;
    contactNumbers: ContactNumbers;
    sort: CustomerSort;
    desc: boolean;
    after: [string, string] | null;
    limit: number;
  },
): Promise<CustomerRow[]> {
  const sort = SORT_EXPR[args.sort];
  const where = filterSql(args.filter, args.contactNumbers, p);
  if (args.after) {
    where.push(
      `(${sort.expr}, c.id) ${args.desc ? '<' : '>'} (${p.add(args.after[0])}::${sort.cast}, ${p.add(args.after[1])}::uuid)`,
    );
  }
  const dir = args.desc ? 'DESC' : 'ASC';
  // the page first, then the owner / department names of its rows only: joined before the LIMIT,
  // a misestimated match count (a rare search term) turns them into a scan of users per match
  const order = `ORDER BY ${sort.expr} ${dir}, c.id ${dir}`;
  const limit = p.add(args.limit);
  if (typeof args.scope !== 'string') {
    // Each part of the scope as its own ordered branch of at most `limit` rows — own customers from
    // customers_owner_name_idx, each department of the scope from customers_department_idx
    // (LATERAL, one ordered range per department), the account team by primary key — merged (a
    // customer in several parts once) and cut to the page.
    const filter = where.join(' AND ');
    const branches = args.scope.map((b) => {
      const page = (cond: string) => `SELECT c.id, ${sort.expr} AS sort_value FROM customers c
         WHERE c.tenant_id = kam_tenant() AND ${cond} AND ${filter} ${order} LIMIT ${limit}`;
      return b.departments
        ? `(SELECT b.id, b.sort_value FROM ${b.departments} sdx CROSS JOIN LATERAL (${page(b.where)}) b)`
        : `(${page(b.where)})`;
    });
    const { rows } = await tx.query<CustomerRow>(
      `WITH page AS (
         SELECT u.id FROM (${branches.join('\n UNION ')}) u
         ORDER BY u.sort_value ${dir}, u.id ${dir} LIMIT ${limit})
       SELECT ${CUSTOMER_COLUMNS}, (${sort.expr})::text AS sort_key
       FROM page JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = page.id
       ${CUSTOMER_JOINS}
       ${order}`,
      p.values,
    );
    return rows;
  }
  const { rows } = await tx.query<CustomerRow>(
    `SELECT ${CUSTOMER_COLUMNS}, c.sort_key
     FROM (SELECT c.*, (${sort.expr})::text AS sort_key FROM customers c
           WHERE c.tenant_id = kam_tenant() AND ${args.scope} AND ${where.join(' AND ')}
           ${order} LIMIT ${limit}) c
     ${CUSTOMER_JOINS}
     ${order}`,
    p.values,
  );
  return rows;
}

export interface CustomerValues {
  name: string;
  nameNorm: string;
  creditCode: string | null;
  industry: string | null;
  provinceCode: string | null;
  cityCode: string | null;
  sizeBand: string | null;
  source: string | null;
  website: string | null;
  address: string | null;
  tags: string[];
  status: string;
  notes: string | null;
}

export async function insertCustomer(
  tx: Tx,
  c: CustomerValues & {
    id: string;
    ownerId: string;
    departmentId: string | null;
    actorId: string;
    now: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, credit_code, industry, province_code,
       city_code, size_band, source, website, address, tags, status, owner_id, department_id, notes,
       created_by, updated_by, created_at, updated_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $19)`,
    [
      c.id,
      c.name,
      c.nameNorm,
      pinyinKey(c.name),
      c.creditCode,
      c.industry,
      c.provinceCode,
      c.cityCode,
      c.sizeBand,
      c.source,
      c.website,
      c.address,
      c.tags,
      c.status,
      c.ownerId,
      c.departmentId,
      c.notes,
      c.actorId,
      c.now,
    ],
  );
}

/** Writes all master-data columns; `false` when the version no longer matches. */
export async function updateCustomer(
  tx: Tx,
  id: string,
  version: number,
  c: CustomerValues,
  actorId: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE customers SET name = $3, name_norm = $4, name_pinyin = $5, credit_code = $6, industry = $7,
       province_code = $8, city_code = $9, size_band = $10, source = $11, website = $12, address = $13,
       tags = $14, status = $15, notes = $16, updated_by = $17, updated_at = $18, version = version + 1
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [
      id,
      version,
      c.name,
      c.nameNorm,
      pinyinKey(c.name),
      c.creditCode,
      c.industry,
      c.provinceCode,
      c.cityCode,
      c.sizeBand,
      c.source,
      c.website,
      c.address,
      c.tags,
      c.status,
      c.notes,
      actorId,
      now,
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function setDeleted(
  tx: Tx,
  id: string,
  version: number,
  deleted: { at: Date; by: string } | null,
  actorId: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE customers SET deleted_at = $3, deleted_by = $4, updated_by = $5, updated_at = $6, version = version + 1
     WHERE tenant_id = kam_tenant() AND id = $1 AND version = $2`,
    [id, version, deleted?.at ?? null, deleted?.by ?? null, actorId, now],
  );
  return (rowCount ?? 0) > 0;
}

/** An active user with their department (owners and team members must be active). */
export async function findActiveUser(
  tx: Tx,
  id: string,
): Promise<{ id: string; display_name: string; department_id: string | null } | null> {
  const { rows } = await tx.query<{ id: string; display_name: string; department_id: string | null }>(
    `SELECT id, display_name, department_id FROM users
     WHERE tenant_id = kam_tenant() AND id = $1 AND status = 'active'`,
    [id],
  );
  return rows[0] ?? null;
}

export async function findUser(
  tx: Tx,
  id: string,
): Promise<{ id: string; display_name: string; status: string; department_id: string | null } | null> {
  const { rows } = await tx.query<{
    id: string;
    display_name: string;
    status: string;
    department_id: string | null;
  }>(`SELECT id, display_name, status, department_id FROM users WHERE tenant_id = kam_tenant() AND id = $1`, [
    id,
  ]);
  return rows[0] ?? null;
}

// ——— duplicates ————————————————————————————————————————————————————————————————————————————

export interface ConflictRow {
  id: string;
  name: string;
  owner_name: string | null;
  by_code: boolean;
  by_name: boolean;
  visible: boolean;
}

/**
 * Live customers holding one of the unique keys (other than `excludeId`); `visible` is the actor's
 * `customer.view` scope predicate `view` (built on `p`).
 */
export async function selectConflicts(
  tx: Tx,
  p: Params,
  args: { nameNorm: string | null; creditCode: string | null; excludeId: string | null; view: string },
): Promise<ConflictRow[]> {
  const cc = p.add(args.creditCode);
  const nn = p.add(args.nameNorm);
  const ex = p.add(args.excludeId);
  const { rows } = await tx.query<ConflictRow>(
    `SELECT c.id, c.name, ow.display_name AS owner_name,
            coalesce(c.credit_code = ${cc}::text, false) AS by_code,
            coalesce(c.name_norm = ${nn}::text, false) AS by_name, ${args.view} AS visible
     FROM customers c LEFT JOIN users ow ON ow.tenant_id = kam_tenant() AND ow.id = c.owner_id
     WHERE c.tenant_id = kam_tenant() AND c.deleted_at IS NULL
       AND (c.credit_code = ${cc}::text OR c.name_norm = ${nn}::text)
       AND c.id IS DISTINCT FROM ${ex}::uuid`,
    p.values,
  );
  return rows;
}

export interface SimilarRow {
  id: string;
  name: string;
  owner_name: string | null;
  sim: number;
  visible: boolean;
}

/**
 * Up to 50 live customers whose normalised name is at least `threshold` similar to `nameNorm` (not
 * equal), best first, read from the trigram index via `%`; `visible` as in `selectConflicts`.
 */
export async function selectSimilar(
  tx: Tx,
  p: Params,
  args: { nameNorm: string; excludeId: string | null; threshold: number; view: string },
): Promise<SimilarRow[]> {
  await tx.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(args.threshold)]);
  const n = p.add(args.nameNorm);
  const ex = p.add(args.excludeId);
  const t = p.add(args.threshold);
  const { rows } = await tx.query<SimilarRow>(
    `SELECT c.id, c.name, ow.display_name AS owner_name, similarity(c.name_norm, ${n}::text)::float8 AS sim,
            ${args.view} AS visible
     FROM customers c LEFT JOIN users ow ON ow.tenant_id = kam_tenant() AND ow.id = c.owner_id
     WHERE c.tenant_id = kam_tenant() AND c.name_norm % ${n}::text AND c.deleted_at IS NULL
       AND similarity(c.name_norm, ${n}::text) >= ${t}::float4
       AND c.name_norm <> ${n}::text AND c.id IS DISTINCT FROM ${ex}::uuid
     ORDER BY sim DESC, c.id
     LIMIT 50`,
    p.values,
  );
  return rows;
}

/** The unique indexes of live customers (a 23505 on one of them is a duplicate customer). */
export const UNIQUE_KEYS = {
  customers_credit_code_key: 'creditCode',
  customers_name_norm_key: 'name',
} as const;

/**
 * Runs `write` inside a savepoint; a unique violation on one of `UNIQUE_KEYS` rolls back to it and
 * is answered as `{ duplicate: field }` (the transaction stays usable), anything else is rethrown.
 */
export async function withUniqueGuard<T>(
  tx: Tx,
  write: () => Promise<T>,
): Promise<{ ok: T } | { duplicate: (typeof UNIQUE_KEYS)[keyof typeof UNIQUE_KEYS] }> {
  await tx.query('SAVEPOINT customer_unique');
  try {
    const out = await write();
    await tx.query('RELEASE SAVEPOINT customer_unique');
    return { ok: out };
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    if (e.code === '23505' && e.constraint !== undefined && e.constraint in UNIQUE_KEYS) {
      await tx.query('ROLLBACK TO SAVEPOINT customer_unique');
      return { duplicate: UNIQUE_KEYS[e.constraint as keyof typeof UNIQUE_KEYS] };
    }
    throw err;
  }
}

// ——— owners ————————————————————————————————————————————————————————————————————————————————

/** Whether the user `userId` satisfies `pred`, a scope predicate over `u` (built on `p`). */
export async function userInScope(tx: Tx, p: Params, userId: string, pred: string): Promise<boolean> {
  const id = p.add(userId);
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT ${pred} AS ok FROM users u WHERE u.tenant_id = kam_tenant() AND u.id = ${id}::uuid`,
    p.values,
  );
  return rows[0]?.ok === true;
}

// ——— rolling aggregates (jobs.ts) ————————————————————————————————————————————————————————————

/** Every organisation (system transaction). */
export async function allTenantIds(tx: Tx): Promise<string[]> {
  const { rows } = await tx.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM kam_sys.tenant_directory ORDER BY tenant_id',
  );
  return rows.map((r) => r.tenant_id);
}

/** The next `limit` customer ids after `after` (keyset on id). */
export async function customerIdsAfter(tx: Tx, after: string | null, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ ids: string[] }>(
    `SELECT ARRAY(SELECT id FROM customers WHERE tenant_id = kam_tenant() AND ($1::uuid IS NULL OR id > $1::uuid)
                  ORDER BY id LIMIT $2) AS ids`,
    [after, limit],
  );
  return rows[0]?.ids ?? [];
}

/** Recomputes the rolling 12-month order figures of these customers (the order triggers' function). */
export async function refreshOrderFigures(tx: Tx, ids: string[]): Promise<void> {
  await tx.query('SELECT kam_refresh_customer_orders($1::uuid[])', [ids]);
}
