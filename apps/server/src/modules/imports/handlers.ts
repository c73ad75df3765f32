import {
  type CustomerBoundResource,
  effectiveScope,
  type ImportType,
  normalizeCompanyName,
  pinyinKey,
} from '@kam/domain';
import { customerScopeSql } from '../../access/customer-scope.js';
import { scopePredicate } from '../../access/scope-sql.js';
import { Params } from '../../access/sql.js';
import type { ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import type { RowProblem } from './cells.js';
import type { ImportRow } from './repo.js';

/**
 * Per record type: the keys that make two rows of a file duplicates, the set-based server checks
 * of a chunk (users and customers named in the rows, duplicates in the database, scope), and the
 * set-based writes of a batch. Every query here handles a whole chunk: no per-row statements.
 */

export type Policy = 'skip' | 'update' | 'create';

export interface ParsedRow {
  rowNo: number;
  /** the original cells, for the report and the error file */
  raw: (string | number | boolean | null)[];
  /** validated values by field key (empty when the row has problems) */
  values: Record<string, unknown>;
  /** fields whose cell was not empty (an 'update' changes only these) */
  present: Set<string>;
  problems: RowProblem[];
  /** a matching record in the database (not an error: the duplicate policy decides) */
  duplicate: {
    field: string;
    code: string;
    params: Record<string, string | number>;
    matchId: string | null;
    editable: boolean;
  } | null;
  /** resolved by `resolve` */
  ownerId?: string;
  /** customers: the owner's department (the new customer's owning department), read by `resolve` */
  ownerDepartmentId?: string | null;
  customerId?: string;
}

export interface WriteResult {
  created: number;
  updated: number;
  skipped: number;
}

export interface TypeHandler {
  /** [field, key] pairs: a later row with the same key duplicates the first one */
  fileKeys(row: ParsedRow): [string, string][];
  resolve(tx: Tx, ctx: ServiceContext, imp: ImportRow, rows: ParsedRow[]): Promise<void>;
  write(tx: Tx, ctx: ServiceContext, imp: ImportRow, rows: ParsedRow[], policy: Policy): Promise<WriteResult>;
}

const ok = (r: ParsedRow) => r.problems.length === 0;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const problem = (
  r: ParsedRow,
  field: string | null,
  code: string,
  params: Record<string, string | number> = {},
) => r.problems.push({ field, code, params });

// ——— shared resolution ————————————————————————————————————————————————————————————————————————

interface UserHit {
  id: string;
  department_id: string | null;
}

/**
 * Active users named by login (case-insensitive) or display name. A login wins; a display name that
 * two active users share names nobody (reported as not found, with the name).
 */
async function resolveUsers(tx: Tx, names: string[]): Promise<Map<string, UserHit>> {
  const out = new Map<string, UserHit>();
  const unique = [...new Set(names)];
  if (unique.length === 0) return out;
  const { rows } = await tx.query<{
    id: string;
    login: string;
    display_name: string;
    department_id: string | null;
  }>(
    `SELECT id, login, display_name, department_id FROM users
     WHERE tenant_id = kam_tenant() AND status = 'active'
       AND (lower(login) = ANY($1::text[]) OR display_name = ANY($2::text[]))`,
    [unique.map((n) => n.toLowerCase()), unique],
  );
  for (const name of unique) {
    const byLogin = rows.find((u) => u.login.toLowerCase() === name.toLowerCase());
    const byName = rows.filter((u) => u.display_name === name);
    const hit = byLogin ?? (byName.length === 1 ? byName[0] : undefined);
    if (hit) out.set(name, { id: hit.id, department_id: hit.department_id });
  }
  return out;
}

/** Resolves `values[field]` (a user) of the rows to `ownerId`; empty → the actor. */
async function resolveUserField(
  tx: Tx,
  ctx: ServiceContext,
  rows: ParsedRow[],
  field: string,
): Promise<void> {
  const live = rows.filter(ok);
  const users = await resolveUsers(
    tx,
    live.map((r) => str(r.values[field])).filter((v): v is string => v !== null),
  );
  for (const r of live) {
    const name = str(r.values[field]);
    if (name === null) r.ownerId = ctx.actor.userId;
    else {
      const hit = users.get(name);
      if (hit) r.ownerId = hit.id;
      else problem(r, field, 'USER_NOT_FOUND_BY_NAME', { name });
    }
  }
}

const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * `SELECT <columns> FROM customers c` for the live customers whose credit code is one of `cc` or whose
 * normalised name is one of `nn`, found by one probe of a unique index per key (a customer found by
 * both comes twice). Written as `credit_code = ANY(…) OR name_norm = ANY(…)`, the planner prices a
 * chunk's thousand keys above a scan and reads every customer of the tenant (72 ms per chunk at
 * 100,000 customers, growing with the tenant); a LATERAL subquery with LIMIT cannot be flattened into
 * a join, so each key stays one probe of customers_credit_code_key / customers_name_norm_key (6 ms per
 * chunk; both keys are unique among live customers, so LIMIT 1 loses nothing). The columns are read
 * inside the probe: `c.id IN (probes)` around it may be planned as a subplan run once per customer.
 */
function liveCustomersByKey(p: Params, cc: string[], nn: string[], columns: string): string {
  const probe = (column: string, keys: string[]) =>
    `SELECT m.* FROM unnest(${p.add(keys)}::text[]) AS k(v)
       CROSS JOIN LATERAL (SELECT ${columns} FROM customers c
         WHERE c.tenant_id = kam_tenant() AND c.deleted_at IS NULL AND c.${column} = k.v LIMIT 1) m`;
  return `${probe('credit_code', cc)} UNION ALL ${probe('name_norm', nn)}`;
}

/** A customer reference's lookup key: a credit code, or the normalised name. */
function customerKey(text: string): { cc: string } | { nn: string } {
  const upper = text.normalize('NFKC').trim().toUpperCase();
  return CREDIT_CODE.test(upper) ? { cc: upper } : { nn: normalizeCompanyName(text) };
}

/**
 * Resolves `values.customer` (credit code or exact normalised name) of the rows to `customerId`
 * where the actor may do `resource.action` on that customer (scope or account team). Not found or
 * not visible → CUSTOMER_NOT_FOUND_BY_KEY (nothing revealed); visible but not allowed → FORBIDDEN.
 */
async function resolveCustomerRefs(
  tx: Tx,
  ctx: ServiceContext,
  rows: ParsedRow[],
  resource: CustomerBoundResource,
): Promise<void> {
  const live = rows.filter(ok);
  const keys = live.map((r) => customerKey(String(r.values.customer)));
  const cc = [...new Set(keys.flatMap((k) => ('cc' in k ? [k.cc] : [])))];
  const nn = [...new Set(keys.flatMap((k) => ('nn' in k ? [k.nn] : [])))];
  if (live.length === 0) return;
  const p = new Params();
  const allowed = customerScopeSql(ctx.actor, resource, 'create', p, 'c', 'probe') ?? 'FALSE';
  const visible = customerScopeSql(ctx.actor, resource, 'view', p, 'c', 'probe') ?? 'FALSE';
  const { rows: found } = await tx.query<{
    id: string;
    credit_code: string | null;
    name_norm: string;
    allowed: boolean;
    visible: boolean;
  }>(
    liveCustomersByKey(
      p,
      cc,
      nn,
      `c.id, c.credit_code, c.name_norm, ${allowed} AS allowed, ${visible} AS visible`,
    ),
    p.values,
  );
  const byCc = new Map(found.filter((c) => c.credit_code).map((c) => [c.credit_code!, c]));
  const byNn = new Map(found.map((c) => [c.name_norm, c]));
  live.forEach((r, i) => {
    const k = keys[i]!;
    const hit = 'cc' in k ? byCc.get(k.cc) : byNn.get(k.nn);
    if (!hit || (!hit.visible && !hit.allowed)) {
      problem(r, 'customer', 'CUSTOMER_NOT_FOUND_BY_KEY', { key: String(r.values.customer) });
    } else if (!hit.allowed) problem(r, 'customer', 'FORBIDDEN');
    else r.customerId = hit.id;
  });
}

/**
 * One audit entry per committed batch (the records of a batch are written set-based). The pipeline
 * writes it as the batch transaction's last statement: the audit chain's row lock per tenant is then
 * held only while the batch commits, so two batches committed concurrently overlap everything else.
 */
export async function auditBatch(
  tx: Tx,
  ctx: ServiceContext,
  imp: ImportRow,
  rows: ParsedRow[],
  result: WriteResult,
): Promise<void> {
  await writeAudit(tx, auditWho(ctx), {
    action: 'import.batch',
    entityType: 'import',
    entityId: imp.id,
    details: {
      type: imp.type,
      fileName: imp.file_name,
      firstRow: rows[0]?.rowNo ?? null,
      lastRow: rows.at(-1)?.rowNo ?? null,
      ...result,
    },
  });
}

/**
 * Rows the policy does not create: duplicates are skipped, updated (when the actor may edit the
 * match) or — for 'create' — rejected, since an exact duplicate cannot exist twice.
 */
function splitByPolicy(
  rows: ParsedRow[],
  policy: Policy,
  exactCode: string,
): { inserts: ParsedRow[]; updates: ParsedRow[]; skipped: number } {
  const inserts: ParsedRow[] = [];
  const updates: ParsedRow[] = [];
  let skipped = 0;
  for (const r of rows) {
    if (!ok(r)) continue;
    if (!r.duplicate) {
      inserts.push(r);
      continue;
    }
    const d = r.duplicate;
    if (policy === 'skip') skipped++;
    else if (policy === 'create') problem(r, d.field, d.matchId ? exactCode : d.code, d.params);
    else if (!d.editable) problem(r, d.field, d.matchId ? 'FORBIDDEN' : d.code, d.matchId ? {} : d.params);
    else updates.push(r);
  }
  return { inserts, updates, skipped };
}

/** SET clause of a set-based update: a column takes the row's value only where the row had it. */
function setPresent(cols: [column: string, field: string][]): string {
  return cols
    .map(([col, field]) => `${col} = CASE WHEN '${field}' = ANY(r.present) THEN r.${col} ELSE t.${col} END`)
    .join(', ');
}

// ——— customers ————————————————————————————————————————————————————————————————————————————————

const CUSTOMER_UPDATABLE: [string, string][] = [
  ['credit_code', 'creditCode'],
  ['industry', 'industry'],
  ['province_code', 'region'],
  ['city_code', 'region'],
  ['size_band', 'sizeBand'],
  ['source', 'source'],
  ['website', 'website'],
  ['address', 'address'],
  ['tags', 'tags'],
  ['status', 'status'],
  ['notes', 'notes'],
];

const customers: TypeHandler = {
  fileKeys(r) {
    const keys: [string, string][] = [];
    const cc = str(r.values.creditCode);
    if (cc) keys.push(['creditCode', `cc:${cc}`]);
    keys.push(['name', `nn:${normalizeCompanyName(String(r.values.name))}`]);
    return keys;
  },

  async resolve(tx, ctx, _imp, rows) {
    await resolveUserField(tx, ctx, rows, 'owner');
    // The new customer (owned by that user, in that user's department) must be in the import scope.
    const scope = effectiveScope(ctx.actor, 'customer', 'import');
    const owners = [...new Set(rows.filter(ok).map((r) => r.ownerId!))];
    if (owners.length) {
      const p = new Params();
      const pred = scope
        ? scopePredicate(scope, ctx.actor.userId, { self: ['u.id'], department: 'u.department_id' }, p)
        : 'FALSE';
      const { rows: allowed } = await tx.query<{ id: string; department_id: string | null; ok: boolean }>(
        `SELECT u.id, u.department_id, ${pred} AS ok FROM users u
         WHERE u.tenant_id = kam_tenant() AND u.id = ANY(${p.add(owners)}::uuid[])`,
        p.values,
      );
      const okOwners = new Map(allowed.filter((u) => u.ok).map((u) => [u.id, u.department_id]));
      for (const r of rows.filter(ok)) {
        if (!okOwners.has(r.ownerId!)) problem(r, 'owner', 'FORBIDDEN');
        else r.ownerDepartmentId = okOwners.get(r.ownerId!) ?? null;
      }
    }
    // Duplicates in the database: same credit code, else same normalised name (live customers).
    const live = rows.filter(ok);
    if (live.length === 0) return;
    const cc = live.map((r) => str(r.values.creditCode)).filter((v): v is string => v !== null);
    const nn = live.map((r) => normalizeCompanyName(String(r.values.name)));
    const p = new Params();
    const visible = customerScopeSql(ctx.actor, 'customer', 'view', p, 'c', 'probe') ?? 'FALSE';
    const editable = customerScopeSql(ctx.actor, 'customer', 'edit', p, 'c', 'probe') ?? 'FALSE';
    const { rows: found } = await tx.query<{
      id: string;
      name: string;
      credit_code: string | null;
      name_norm: string;
      owner_name: string | null;
      visible: boolean;
      editable: boolean;
    }>(
      liveCustomersByKey(
        p,
        cc,
        nn,
        `c.id, c.name, c.credit_code, c.name_norm,
         (SELECT ow.display_name FROM users ow WHERE ow.tenant_id = kam_tenant() AND ow.id = c.owner_id) AS owner_name,
         ${visible} AS visible, ${editable} AS editable`,
      ),
      p.values,
    );
    const byCc = new Map(found.filter((c) => c.credit_code).map((c) => [c.credit_code!, c]));
    const byNn = new Map(found.map((c) => [c.name_norm, c]));
    live.forEach((r, i) => {
      const code = str(r.values.creditCode);
      const viaCc = code ? byCc.get(code) : undefined;
      const hit = viaCc ?? byNn.get(nn[i]!);
      if (!hit) return;
      const field = viaCc ? 'creditCode' : 'name';
      r.duplicate = hit.visible
        ? {
            field,
            code: 'CUSTOMER_DUPLICATE',
            params: { reason: hit.name },
            matchId: hit.id,
            editable: hit.editable,
          }
        : {
            field,
            code: 'CUSTOMER_DUPLICATE_OWNED',
            params: { owner: hit.owner_name ?? '-' },
            matchId: null,
            editable: false,
          };
    });
  },

  async write(tx, ctx, imp, rows, policy) {
    const { inserts, updates, skipped } = splitByPolicy(rows, policy, 'CUSTOMER_DUPLICATE');
    const record = (r: ParsedRow, id: string) => {
      const v = r.values;
      const region = v.region as { provinceCode: string | null; cityCode: string | null } | undefined;
      return {
        id,
        name: v.name,
        name_norm: normalizeCompanyName(String(v.name)),
        name_pinyin: pinyinKey(String(v.name)),
        credit_code: str(v.creditCode),
        industry: str(v.industry),
        province_code: region?.provinceCode ?? null,
        city_code: region?.cityCode ?? null,
        size_band: str(v.sizeBand),
        source: str(v.source),
        website: str(v.website),
        address: str(v.address),
        tags: (v.tags as string[] | undefined) ?? [],
        status: str(v.status) ?? 'prospect',
        owner_id: r.ownerId,
        department_id: r.ownerDepartmentId ?? null,
        notes: str(v.notes),
        present: [...r.present],
      };
    };
    const cols = `id uuid, name text, name_norm text, name_pinyin text, credit_code text, industry text,
      province_code text, city_code text, size_band text, source text, website text, address text, tags text[],
      status text, owner_id uuid, department_id uuid, notes text, present text[]`;
    if (inserts.length) {
      // One statement for the customers, their owner's team row and the ownership history: the batch's
      // JSON is parsed once; the owners' departments were read by `resolve`, in this transaction (the
      // foreign keys of the team and history rows are checked at the end of the statement, after the
      // customers are in).
      await tx.query(
        `WITH r AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${cols})
         ), ins AS (
           INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, credit_code, industry, province_code,
             city_code, size_band, source, website, address, tags, status, owner_id, department_id, notes,
             created_by, updated_by, created_at, updated_at)
           SELECT kam_tenant(), r.id, r.name, r.name_norm, r.name_pinyin, r.credit_code, r.industry, r.province_code,
                  r.city_code, r.size_band, r.source, r.website, r.address, r.tags, r.status, r.owner_id,
                  r.department_id, r.notes, $2, $2, $3, $3
           FROM r
           RETURNING id, owner_id, department_id
         ), team AS (
           INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access, added_by, added_at)
           SELECT kam_tenant(), ins.id, ins.owner_id, 'owner', 'read_write', $2, $3 FROM ins
         )
         INSERT INTO customer_ownership_history (tenant_id, id, customer_id, kind, to_owner_id, to_department_id,
           reason, changed_by, changed_at)
         SELECT kam_tenant(), kam_time_uuid(), ins.id, 'import', ins.owner_id, ins.department_id, $4, $2, $3
         FROM ins`,
        [
          JSON.stringify(inserts.map((r) => record(r, timeUuid()))),
          ctx.actor.userId,
          ctx.now,
          `import: ${imp.file_name}`,
        ],
      );
    }
    if (updates.length) {
      const data = JSON.stringify(updates.map((r) => record(r, r.duplicate!.matchId!)));
      await tx.query(
        `UPDATE customers t SET ${setPresent(CUSTOMER_UPDATABLE)},
           version = t.version + 1, updated_by = $2, updated_at = $3
         FROM jsonb_to_recordset($1::jsonb) AS r(${cols})
         WHERE t.tenant_id = kam_tenant() AND t.id = r.id`,
        [data, ctx.actor.userId, ctx.now],
      );
    }
    const result = { created: inserts.length, updated: updates.length, skipped };
    return result;
  },
};

// ——— contacts —————————————————————————————————————————————————————————————————————————————————

const CONTACT_UPDATABLE: [string, string][] = [
  ['title', 'title'],
  ['department', 'department'],
  ['phone', 'phone'],
  ['email', 'email'],
  ['wechat', 'wechat'],
  ['decision_role', 'decisionRole'],
  ['attitude', 'attitude'],
  ['birthday', 'birthday'],
  ['notes', 'notes'],
];

const contacts: TypeHandler = {
  fileKeys(r) {
    const key = `${String(r.values.customer).toLowerCase()}|${String(r.values.name)}|${str(r.values.mobile) ?? ''}`;
    return [['name', `ct:${key}`]];
  },

  async resolve(tx, ctx, _imp, rows) {
    await resolveCustomerRefs(tx, ctx, rows, 'contact');
    // A contact of the same customer with the same name (and mobile, when given) exists already.
    const live = rows.filter(ok);
    if (live.length === 0) return;
    const p = new Params();
    const editable = customerScopeSql(ctx.actor, 'contact', 'edit', p, 'c', 'probe') ?? 'FALSE';
    const { rows: found } = await tx.query<{
      id: string;
      customer_id: string;
      name: string;
      mobile: string | null;
      editable: boolean;
    }>(
      `SELECT ct.id, ct.customer_id, ct.name, ct.mobile, ${editable} AS editable
       FROM contacts ct JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = ct.customer_id
       WHERE ct.tenant_id = kam_tenant() AND ct.customer_id = ANY(${p.add([...new Set(live.map((r) => r.customerId!))])}::uuid[])
         AND ct.name = ANY(${p.add([...new Set(live.map((r) => String(r.values.name)))])}::text[])`,
      p.values,
    );
    for (const r of live) {
      const mobile = str(r.values.mobile);
      const hit = found.find(
        (c) =>
          c.customer_id === r.customerId &&
          c.name === r.values.name &&
          (mobile === null || c.mobile === mobile),
      );
      if (hit) {
        r.duplicate = {
          field: 'name',
          code: 'IMPORT_RECORD_EXISTS',
          params: { name: hit.name },
          matchId: hit.id,
          editable: hit.editable,
        };
      }
    }
  },

  async write(tx, ctx, _imp, rows, policy) {
    const { inserts, updates, skipped } = splitByPolicy(rows, policy, 'IMPORT_RECORD_EXISTS');
    const record = (r: ParsedRow, id: string, ord = 0) => {
      const v = r.values;
      return {
        id,
        ord,
        customer_id: r.customerId,
        name: v.name,
        name_pinyin: pinyinKey(String(v.name)),
        title: str(v.title),
        department: str(v.department),
        mobile: str(v.mobile),
        phone: str(v.phone),
        email: str(v.email),
        wechat: str(v.wechat),
        decision_role: str(v.decisionRole),
        attitude: str(v.attitude),
        birthday: str(v.birthday),
        notes: str(v.notes),
        is_primary: v.isPrimary === true,
        present: [...r.present],
      };
    };
    const cols = `id uuid, ord int, customer_id uuid, name text, name_pinyin text, title text, department text, mobile text,
      phone text, email text, wechat text, decision_role text, attitude text, birthday date, notes text,
      is_primary boolean, present text[]`;
    if (inserts.length) {
      // One primary contact per customer: a row asking for it gets it only when the customer has none
      // yet and it is the first such row of the batch.
      await tx.query(
        `INSERT INTO contacts (tenant_id, id, customer_id, name, name_pinyin, title, department, mobile, phone, email,
           wechat, decision_role, attitude, birthday, notes, is_primary, created_by, created_at, updated_at)
         SELECT kam_tenant(), r.id, r.customer_id, r.name, r.name_pinyin, r.title, r.department, r.mobile, r.phone,
                r.email, r.wechat, r.decision_role, r.attitude, r.birthday, r.notes,
                r.is_primary AND r.n = 1 AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.tenant_id = kam_tenant()
                  AND x.customer_id = r.customer_id AND x.is_primary),
                $2, $3, $3
         FROM (SELECT r.*, row_number() OVER (PARTITION BY r.customer_id, r.is_primary ORDER BY r.ord) AS n
               FROM jsonb_to_recordset($1::jsonb) AS r(${cols})) r`,
        [JSON.stringify(inserts.map((r, i) => record(r, timeUuid(), i))), ctx.actor.userId, ctx.now],
      );
    }
    if (updates.length) {
      await tx.query(
        `UPDATE contacts t SET ${setPresent(CONTACT_UPDATABLE)}, version = t.version + 1, updated_at = $2
         FROM jsonb_to_recordset($1::jsonb) AS r(${cols})
         WHERE t.tenant_id = kam_tenant() AND t.id = r.id`,
        [JSON.stringify(updates.map((r) => record(r, r.duplicate!.matchId!))), ctx.now],
      );
    }
    const result = { created: inserts.length, updated: updates.length, skipped };
    return result;
  },
};

// ——— orders (with one payment per row) ———————————————————————————————————————————————————————

const ORDER_UPDATABLE: [string, string][] = [
  ['ordered_at', 'orderedAt'],
  ['amount', 'amount'],
  ['gross_margin', 'grossMargin'],
  ['product_line', 'productLine'],
  ['status', 'status'],
];

const orders: TypeHandler = {
  fileKeys(r) {
    return [['orderNo', `on:${String(r.values.orderNo).toLowerCase()}`]];
  },

  async resolve(tx, ctx, _imp, rows) {
    await resolveCustomerRefs(tx, ctx, rows, 'order');
    const live = rows.filter(ok);
    if (live.length === 0) return;
    const p = new Params();
    const visible = customerScopeSql(ctx.actor, 'order', 'view', p, 'c', 'probe') ?? 'FALSE';
    const editable = customerScopeSql(ctx.actor, 'order', 'edit', p, 'c', 'probe') ?? 'FALSE';
    const { rows: found } = await tx.query<{
      id: string;
      order_no: string;
      visible: boolean;
      editable: boolean;
    }>(
      `SELECT o.id, o.order_no, ${visible} AS visible, ${editable} AS editable
       FROM orders o JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = o.customer_id
       WHERE o.tenant_id = kam_tenant() AND lower(o.order_no) = ANY(${p.add(live.map((r) => String(r.values.orderNo).toLowerCase()))}::text[])`,
      p.values,
    );
    const byNo = new Map(found.map((o) => [o.order_no.toLowerCase(), o]));
    for (const r of live) {
      const hit = byNo.get(String(r.values.orderNo).toLowerCase());
      if (!hit) continue;
      // An order number taken by an order the actor cannot see is simply taken.
      if (!hit.visible) problem(r, 'orderNo', 'ORDER_NO_TAKEN');
      else {
        r.duplicate = {
          field: 'orderNo',
          code: 'ORDER_NO_TAKEN',
          params: {},
          matchId: hit.id,
          editable: hit.editable,
        };
      }
    }
  },

  async write(tx, ctx, _imp, rows, policy) {
    const { inserts, updates, skipped } = splitByPolicy(rows, policy, 'ORDER_NO_TAKEN');
    const record = (r: ParsedRow, id: string) => {
      const v = r.values;
      const paid = str(v.paidAmount);
      return {
        id,
        order_no: String(v.orderNo),
        customer_id: r.customerId,
        ordered_at: v.orderedAt,
        amount: v.amount,
        gross_margin: str(v.grossMargin),
        product_line: str(v.productLine),
        status: str(v.status) ?? 'confirmed',
        // a payment when a paid amount is given: received on paidAt (if given), due on dueDate
        pay_amount: paid,
        due_date: paid ? (str(v.dueDate) ?? str(v.paidAt) ?? v.orderedAt) : null,
        paid_at: paid ? str(v.paidAt) : null,
        present: [...r.present],
      };
    };
    const cols = `id uuid, order_no text, customer_id uuid, ordered_at date, amount numeric, gross_margin numeric,
      product_line text, status text, pay_amount numeric, due_date date, paid_at date, present text[]`;
    if (inserts.length) {
      // Orders and their payments in one statement (the batch's JSON parsed once; the payments' foreign
      // key to the order is checked at the end of the statement).
      await tx.query(
        `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${cols})),
         ins AS (
           INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount, gross_margin, product_line,
             status, created_by, created_at, updated_at)
           SELECT kam_tenant(), r.id, r.order_no, r.customer_id, r.ordered_at, r.amount, r.gross_margin, r.product_line,
                  r.status, $2, $3, $3
           FROM r
         )
         INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date, paid_at, created_by,
           created_at, updated_at)
         SELECT kam_tenant(), kam_time_uuid(), r.id, r.customer_id, r.pay_amount, r.due_date, r.paid_at, $2, $3, $3
         FROM r
         WHERE r.pay_amount IS NOT NULL`,
        [JSON.stringify(inserts.map((r) => record(r, timeUuid()))), ctx.actor.userId, ctx.now],
      );
    }
    if (updates.length) {
      await tx.query(
        `UPDATE orders t SET ${setPresent(ORDER_UPDATABLE)}, version = t.version + 1, updated_at = $2
         FROM jsonb_to_recordset($1::jsonb) AS r(${cols})
         WHERE t.tenant_id = kam_tenant() AND t.id = r.id`,
        [JSON.stringify(updates.map((r) => record(r, r.duplicate!.matchId!))), ctx.now],
      );
    }
    const result = { created: inserts.length, updated: updates.length, skipped };
    return result;
  },
};

// ——— follow-ups and service records (always new records) ——————————————————————————————————————

const followUps: TypeHandler = {
  fileKeys: () => [],
  async resolve(tx, ctx, _imp, rows) {
    await resolveCustomerRefs(tx, ctx, rows, 'follow_up');
    await resolveUserField(tx, ctx, rows, 'author');
  },
  async write(tx, ctx, _imp, rows) {
    const inserts = rows.filter(ok);
    if (inserts.length) {
      const data = inserts.map((r) => ({
        id: timeUuid(),
        customer_id: r.customerId,
        type: r.values.type,
        at: r.values.at,
        author_id: r.ownerId,
        summary: r.values.summary,
        outcome: str(r.values.outcome),
        next_step: str(r.values.nextStep),
        next_step_date: str(r.values.nextStepDate),
      }));
      await tx.query(
        `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, summary, outcome, next_step,
           next_step_date, next_step_owner_id, created_at, updated_at)
         SELECT kam_tenant(), r.id, r.customer_id, r.type, r.at, r.author_id, r.summary, r.outcome, r.next_step,
                r.next_step_date, CASE WHEN r.next_step_date IS NOT NULL THEN r.author_id END, $2, $2
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, customer_id uuid, type text, at timestamptz, author_id uuid,
           summary text, outcome text, next_step text, next_step_date date)`,
        [JSON.stringify(data), ctx.now],
      );
    }
    const result = { created: inserts.length, updated: 0, skipped: 0 };
    return result;
  },
};

const serviceRecords: TypeHandler = {
  fileKeys: () => [],
  async resolve(tx, ctx, _imp, rows) {
    await resolveCustomerRefs(tx, ctx, rows, 'service_record');
  },
  async write(tx, ctx, _imp, rows) {
    const inserts = rows.filter(ok);
    if (inserts.length) {
      const data = inserts.map((r) => ({
        id: timeUuid(),
        customer_id: r.customerId,
        type: r.values.type,
        severity: str(r.values.severity) ?? 'medium',
        title: r.values.title,
        description: str(r.values.description),
        opened_at: r.values.openedAt,
        closed_at: str(r.values.closedAt),
        satisfaction: typeof r.values.satisfaction === 'number' ? r.values.satisfaction : null,
      }));
      await tx.query(
        `INSERT INTO service_records (tenant_id, id, customer_id, type, severity, title, description, opened_at,
           closed_at, satisfaction, created_by, created_at, updated_at)
         SELECT kam_tenant(), r.id, r.customer_id, r.type, r.severity, r.title, r.description, r.opened_at,
                r.closed_at, r.satisfaction, $2, $3, $3
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, customer_id uuid, type text, severity text, title text,
           description text, opened_at timestamptz, closed_at timestamptz, satisfaction smallint)`,
        [JSON.stringify(data), ctx.actor.userId, ctx.now],
      );
    }
    const result = { created: inserts.length, updated: 0, skipped: 0 };
    return result;
  },
};

export const HANDLERS: Record<ImportType, TypeHandler> = {
  customers,
  contacts,
  orders,
  follow_ups: followUps,
  service_records: serviceRecords,
};
