import {
  applyFieldRules,
  can,
  type ErrorCode,
  effectiveFieldRules,
  effectiveScope,
  errorMessage,
  type FieldRules,
  normalizeCompanyName,
  normalizeTags,
  provinceOfCity,
  readonlyViolations,
} from '@kam/domain';
import type { z } from 'zod';
import { customerFor } from '../../access/customer-guard.js';
import {
  type CustomerScopeBranch,
  customerScopeBranches,
  customerScopeSql,
} from '../../access/customer-scope.js';
import { scopePredicate } from '../../access/scope-sql.js';
import { Params } from '../../access/sql.js';
import { inTenant, readInTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo/customers.js';
import { insertOwnership } from './repo/ownership.js';
import { putOwnerOnTeam } from './repo/team.js';
import type {
  CustomerCreate,
  CustomerListQuery,
  CustomerPatch,
  CustomerSort,
  zConflict,
  zCustomer,
  zDuplicateReport,
  zSimilar,
} from './schemas.js';

export type Customer = z.infer<typeof zCustomer>;
export type DuplicateReport = z.infer<typeof zDuplicateReport>;
type Conflict = z.infer<typeof zConflict>;
type Similar = z.infer<typeof zSimilar>;

/** Trigram similarity on the normalised name from which a live customer counts as a close match. */
export const SIMILARITY_THRESHOLD = 0.6;

const AUDITED = [
  'name',
  'creditCode',
  'industry',
  'provinceCode',
  'cityCode',
  'sizeBand',
  'source',
  'website',
  'address',
  'tags',
  'status',
  'ownerId',
  'notes',
] as const;

// ——— presentation and field rules ——————————————————————————————————————————————————————————

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** What of a customer an actor sees: its field rules, and whether tiers (`tiering.view`). */
export interface CustomerViewer {
  rules: FieldRules;
  withTier: boolean;
}

export function customerViewer(actor: ServiceContext['actor']): CustomerViewer {
  return { rules: effectiveFieldRules(actor, 'customer'), withTier: can(actor, 'tiering.view') };
}

/** A customer as the API returns it: field rules applied, the tier of record only for those who see tiers. */
export function presentCustomer(row: repo.CustomerRow, { rules, withTier }: CustomerViewer): Customer {
  const guarded = applyFieldRules(
    'customer',
    {
      creditCode: row.credit_code,
      website: row.website,
      address: row.address,
      notes: row.notes,
      revenue12m: row.revenue_12m,
    },
    rules,
  );
  return {
    id: row.id,
    name: row.name,
    ...guarded,
    industry: row.industry,
    provinceCode: row.province_code,
    cityCode: row.city_code,
    sizeBand: row.size_band,
    source: row.source,
    tags: row.tags,
    status: row.status,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    departmentId: row.department_id,
    departmentName: row.department_name,
    lastFollowUpAt: iso(row.last_follow_up_at),
    orders12m: row.orders_12m,
    lastOrderAt: row.last_order_at,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at.toISOString(),
    deletedAt: iso(row.deleted_at),
    mergedIntoId: row.merged_into_id,
    version: row.version,
    ...(withTier
      ? {
          tier:
            row.tier_of_record === null
              ? null
              : {
                  id: row.tier_of_record.id,
                  name: row.tier_of_record.name ?? row.tier_of_record.id,
                  overridden: row.tier_of_record.overridden,
                },
        }
      : {}),
  } as Customer;
}

export function fieldError(ctx: ServiceContext, path: string, code: ErrorCode) {
  return { fields: [{ path, code, message: errorMessage(code, ctx.actor.locale) }] };
}

/**
 * Field rules forbid writing a field the actor may not fully see or edit. On create only hidden and
 * masked fields count (a readonly field may still be set initially).
 */
function assertWritable(ctx: ServiceContext, fields: string[], creating = false): void {
  const rules = effectiveFieldRules(ctx.actor, 'customer');
  const relevant = creating
    ? Object.fromEntries(Object.entries(rules).filter(([, r]) => r !== 'readonly'))
    : rules;
  const violations = readonlyViolations(relevant, fields);
  if (violations.length > 0) {
    const message = errorMessage('FORBIDDEN', ctx.actor.locale);
    throw new AppError(
      'FORBIDDEN',
      {},
      { fields: violations.map((f) => ({ path: `body.${f}`, code: 'FORBIDDEN', message })) },
      { entityType: 'customer', reason: 'field_rule' },
    );
  }
}

const auditState = (v: repo.CustomerValues & { ownerId: string | null }) => ({
  name: v.name,
  creditCode: v.creditCode,
  industry: v.industry,
  provinceCode: v.provinceCode,
  cityCode: v.cityCode,
  sizeBand: v.sizeBand,
  source: v.source,
  website: v.website,
  address: v.address,
  tags: v.tags,
  status: v.status,
  ownerId: v.ownerId,
  notes: v.notes,
});

function valuesOf(row: repo.CustomerRow): repo.CustomerValues {
  return {
    name: row.name,
    nameNorm: normalizeCompanyName(row.name),
    creditCode: row.credit_code,
    industry: row.industry,
    provinceCode: row.province_code,
    cityCode: row.city_code,
    sizeBand: row.size_band,
    source: row.source,
    website: row.website,
    address: row.address,
    tags: row.tags,
    status: row.status,
    notes: row.notes,
  };
}

/** Province and city agree: the province is derived from a city given alone; a mismatch is a 400. */
function resolveRegion(
  ctx: ServiceContext,
  province: string | null,
  city: string | null,
  provinceGiven: boolean,
): { provinceCode: string | null; cityCode: string | null } {
  if (city === null) return { provinceCode: province, cityCode: null };
  const derived = provinceOfCity(city);
  if (!derived)
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.cityCode', 'REGION_INVALID'));
  if (province === null || (!provinceGiven && province !== derived))
    return { provinceCode: derived, cityCode: city };
  if (province !== derived) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.cityCode', 'REGION_INVALID'));
  }
  return { provinceCode: province, cityCode: city };
}

// ——— duplicates (decision 0010) ———————————————————————————————————————————————————————————

interface DuplicateProbe {
  nameNorm?: string | undefined;
  creditCode?: string | null | undefined;
  excludeId?: string | undefined;
}

/** Exact conflicts on the unique keys among live customers, with what the actor may learn of them. */
async function findConflicts(tx: Tx, ctx: ServiceContext, probe: DuplicateProbe): Promise<Conflict[]> {
  if (!probe.nameNorm && !probe.creditCode) return [];
  const p = new Params();
  const rows = await repo.selectConflicts(tx, p, {
    nameNorm: probe.nameNorm ?? null,
    creditCode: probe.creditCode ?? null,
    excludeId: probe.excludeId ?? null,
    view: customerScopeSql(ctx.actor, 'customer', 'view', p) ?? 'FALSE',
  });
  const out: Conflict[] = [];
  for (const field of ['creditCode', 'name'] as const) {
    const r = rows.find((x) => (field === 'creditCode' ? x.by_code : x.by_name));
    if (!r) continue;
    out.push(
      r.visible
        ? { field, ownerName: r.owner_name, existing: { id: r.id, name: r.name, ownerName: r.owner_name } }
        : { field, ownerName: r.owner_name },
    );
  }
  return out;
}

/** Live customers with a similar normalised name (trigram index via `%`): visible ones, and a count of the rest. */
async function findSimilar(
  tx: Tx,
  ctx: ServiceContext,
  nameNorm: string,
  excludeId: string | undefined,
): Promise<{ similar: Similar[]; hidden: number }> {
  const p = new Params();
  const rows = await repo.selectSimilar(tx, p, {
    nameNorm,
    excludeId: excludeId ?? null,
    threshold: SIMILARITY_THRESHOLD,
    view: customerScopeSql(ctx.actor, 'customer', 'view', p) ?? 'FALSE',
  });
  const visible = rows.filter((r) => r.visible);
  return {
    similar: visible.slice(0, 10).map((r) => ({
      id: r.id,
      name: r.name,
      ownerName: r.owner_name,
      similarity: Math.round(r.sim * 100) / 100,
    })),
    hidden: rows.length - visible.length,
  };
}

function conflictError(c: Conflict): AppError {
  if (c.existing) {
    return new AppError(
      'CUSTOMER_DUPLICATE',
      { reason: c.existing.name },
      { field: c.field, existing: c.existing },
    );
  }
  return new AppError(
    'CUSTOMER_DUPLICATE_OWNED',
    { owner: c.ownerName ?? '—' },
    { field: c.field, ownerName: c.ownerName },
  );
}

/**
 * Duplicate prevention of a write: exact conflicts are refused; close matches are refused unless
 * overridden with a reason (`checkSimilar` false skips them: restore, or an unchanged name).
 */
async function assertNoDuplicates(
  tx: Tx,
  ctx: ServiceContext,
  probe: DuplicateProbe,
  checkSimilar: { override: string | undefined } | null,
): Promise<string[]> {
  const [conflict] = await findConflicts(tx, ctx, probe);
  if (conflict) throw conflictError(conflict);
  if (!checkSimilar || !probe.nameNorm) return [];
  const { similar, hidden } = await findSimilar(tx, ctx, probe.nameNorm, probe.excludeId);
  if (similar.length + hidden === 0) return [];
  if (checkSimilar.override === undefined) {
    throw new AppError('CUSTOMER_SIMILAR', {}, { similar, similarHiddenCount: hidden });
  }
  return similar.map((s) => s.id);
}

/**
 * Runs a write that may hit the customers' unique keys inside a savepoint: a concurrent duplicate
 * (the index is the final arbiter) becomes the same 409 the pre-check gives.
 */
async function guardUnique<T>(
  tx: Tx,
  ctx: ServiceContext,
  probe: DuplicateProbe,
  write: () => Promise<T>,
): Promise<T> {
  const out = await repo.withUniqueGuard(tx, write);
  if ('ok' in out) return out.ok;
  const conflicts = await findConflicts(tx, ctx, probe);
  const c = conflicts.find((x) => x.field === out.duplicate) ?? conflicts[0];
  if (c) throw conflictError(c);
  throw new AppError('CONFLICT', {}, { reason: 'CUSTOMER_DUPLICATE', field: out.duplicate });
}

export async function checkDuplicates(
  ctx: ServiceContext,
  input: { name?: string | undefined; creditCode?: string | undefined; excludeId?: string | undefined },
): Promise<DuplicateReport> {
  const nameNorm = input.name === undefined ? undefined : normalizeCompanyName(input.name);
  return inTenant(ctx, async (tx) => {
    const conflicts = await findConflicts(tx, ctx, {
      nameNorm,
      creditCode: input.creditCode,
      excludeId: input.excludeId,
    });
    const { similar, hidden } = nameNorm
      ? await findSimilar(tx, ctx, nameNorm, input.excludeId)
      : { similar: [], hidden: 0 };
    return { conflicts, similar, similarHiddenCount: hidden };
  });
}

// ——— reading ————————————————————————————————————————————————————————————————————————————

async function reload(tx: Tx, ctx: ServiceContext, id: string): Promise<Customer> {
  const row = await repo.getCustomer(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  return presentCustomer(row, customerViewer(ctx.actor));
}

export async function getCustomer(ctx: ServiceContext, id: string): Promise<Customer> {
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, id, 'customer', 'view');
    return reload(tx, ctx, id);
  });
}

/**
 * One page of the customer list: only customers in the actor's `customer.view` scope (or, for the
 * deleted bin, `customer.delete` scope), field rules applied. Reusable page by page (exports).
 */
export async function listCustomers(
  ctx: ServiceContext,
  q: CustomerListQuery,
): Promise<{ items: Customer[]; nextCursor: string | null }> {
  const action = q.deleted ? 'delete' : 'view';
  const sort: CustomerSort = q.sort ?? 'name';
  // tiers are shown, and filtered on, only for those who may see tiers
  const viewer = customerViewer(ctx.actor);
  if (q.tier && !viewer.withTier) {
    throw new AppError('FORBIDDEN', { permission: 'tiering.view' }, undefined, {
      permission: 'tiering.view',
    });
  }
  // In pinyin order without a search term, a restricted scope is read part by part, each from an
  // ordered index (see selectCustomerPage); otherwise as one predicate next to the sort's index.
  let p = new Params();
  const branches =
    sort === 'name' && !q.q && !q.deleted ? customerScopeBranches(ctx.actor, 'customer', action, p) : 'all';
  let scope: string | CustomerScopeBranch[] | null;
  if (Array.isArray(branches) && branches.length > 0) scope = branches;
  else {
    p = new Params();
    scope = customerScopeSql(ctx.actor, 'customer', action, p);
  }
  if (scope === null) {
    const permission = `customer.${action}`;
    throw new AppError('FORBIDDEN', { permission }, undefined, { permission });
  }
  const desc = (q.order ?? (sort !== 'name' ? 'desc' : 'asc')) === 'desc';
  let after: [string, string] | null = null;
  if (q.cursor) {
    const raw = decodeCursor(q.cursor, 2);
    if (!raw || typeof raw[0] !== 'string' || typeof raw[1] !== 'string' || !/^[0-9a-f-]{36}$/.test(raw[1])) {
      throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
    }
    after = [raw[0], raw[1]];
  }
  // The search matches contact numbers only for a viewer who may see them unmasked.
  const contactRules = effectiveFieldRules(ctx.actor, 'contact');
  const contactNumbers = {
    mobile: contactRules.mobile === undefined,
    phone: contactRules.phone === undefined,
  };
  const rows = await readInTenant(ctx, (tx) =>
    repo.selectCustomerPage(tx, p, {
      scope,
      filter: q,
      contactNumbers,
      sort,
      desc,
      after,
      limit: q.limit + 1,
    }),
  );
  return toPage(
    rows,
    q.limit,
    (r) => presentCustomer(r, viewer),
    (last) => [last.sort_key ?? '', last.id],
  );
}

// ——— writing ————————————————————————————————————————————————————————————————————————————

/**
 * Whether the actor may give a customer to `ownerId`: `customer.<action>` in scope for a customer
 * owned by that user in that user's department. The owner must be active.
 */
async function ownerAllowed(
  tx: Tx,
  ctx: ServiceContext,
  ownerId: string,
  actions: ('create' | 'assign')[],
  field: string,
): Promise<{ id: string; display_name: string; department_id: string | null }> {
  const owner = await repo.findActiveUser(tx, ownerId);
  if (!owner) throw new AppError('OWNER_INVALID', {}, fieldError(ctx, field, 'OWNER_INVALID'));
  for (const action of actions) {
    const scope = effectiveScope(ctx.actor, 'customer', action);
    if (!scope) {
      const permission = `customer.${action}`;
      throw new AppError('FORBIDDEN', { permission }, undefined, { permission });
    }
    const p = new Params();
    const pred = scopePredicate(
      scope,
      ctx.actor.userId,
      { self: ['u.id'], department: 'u.department_id' },
      p,
    );
    const ok = await repo.userInScope(tx, p, ownerId, pred);
    if (!ok) {
      throw new AppError('FORBIDDEN', {}, fieldError(ctx, field, 'FORBIDDEN'), {
        entityType: 'user',
        entityId: ownerId,
        reason: 'out_of_scope',
      });
    }
  }
  return owner;
}

export async function createCustomer(ctx: ServiceContext, input: CustomerCreate): Promise<Customer> {
  const given = Object.entries(input)
    .filter(([k, v]) => v !== undefined && k !== 'duplicateOverride' && k !== 'ownerId')
    .map(([k]) => k);
  assertWritable(ctx, given, true);
  const region = resolveRegion(
    ctx,
    input.provinceCode ?? null,
    input.cityCode ?? null,
    input.provinceCode != null,
  );
  const values: repo.CustomerValues = {
    name: input.name,
    nameNorm: normalizeCompanyName(input.name),
    creditCode: input.creditCode ?? null,
    industry: input.industry ?? null,
    ...region,
    sizeBand: input.sizeBand ?? null,
    source: input.source ?? null,
    website: input.website ?? null,
    address: input.address || null,
    tags: normalizeTags(input.tags ?? []),
    status: input.status ?? 'prospect',
    notes: input.notes || null,
  };
  return inTenant(ctx, async (tx) => {
    const ownerId = input.ownerId ?? ctx.actor.userId;
    const owner = await ownerAllowed(
      tx,
      ctx,
      ownerId,
      ownerId === ctx.actor.userId ? ['create'] : ['create', 'assign'],
      'body.ownerId',
    );
    const probe = { nameNorm: values.nameNorm, creditCode: values.creditCode };
    const similarIds = await assertNoDuplicates(tx, ctx, probe, {
      override: input.duplicateOverride?.reason,
    });
    const id = timeUuid();
    await guardUnique(tx, ctx, probe, () =>
      repo.insertCustomer(tx, {
        ...values,
        id,
        ownerId,
        departmentId: owner.department_id,
        actorId: ctx.actor.userId,
        now: ctx.now,
      }),
    );
    await putOwnerOnTeam(tx, [id], ownerId, ctx.actor.userId, ctx.now);
    await insertOwnership(tx, {
      customerId: id,
      kind: 'create',
      fromOwnerId: null,
      toOwnerId: ownerId,
      fromDepartmentId: null,
      toDepartmentId: owner.department_id,
      reason: null,
      actorId: ctx.actor.userId,
      now: ctx.now,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.create',
      entityType: 'customer',
      entityId: id,
      changes: diffChanges(null, auditState({ ...values, ownerId }), AUDITED),
      details: input.duplicateOverride
        ? { duplicateOverride: { reason: input.duplicateOverride.reason, similarIds } }
        : null,
    });
    return reload(tx, ctx, id);
  });
}

export async function updateCustomer(
  ctx: ServiceContext,
  id: string,
  input: CustomerPatch,
): Promise<Customer> {
  return inTenant(ctx, async (tx) => {
    const ref = await customerFor(tx, ctx.actor, id, 'customer', 'edit', { lock: 'update' });
    if (ref.version !== input.version) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    }
    const row = (await repo.getCustomer(tx, id))!;
    const before = valuesOf(row);
    const pick = <K extends keyof repo.CustomerValues>(k: K, v: repo.CustomerValues[K] | undefined) =>
      v === undefined ? before[k] : v;
    const region =
      input.provinceCode !== undefined || input.cityCode !== undefined
        ? resolveRegion(
            ctx,
            pick('provinceCode', input.provinceCode),
            pick('cityCode', input.cityCode),
            input.provinceCode !== undefined,
          )
        : { provinceCode: before.provinceCode, cityCode: before.cityCode };
    const name = input.name ?? before.name;
    const after: repo.CustomerValues = {
      name,
      nameNorm: normalizeCompanyName(name),
      creditCode: pick('creditCode', input.creditCode),
      industry: pick('industry', input.industry),
      ...region,
      sizeBand: pick('sizeBand', input.sizeBand),
      source: pick('source', input.source),
      website: pick('website', input.website),
      address: input.address === undefined ? before.address : input.address || null,
      tags: input.tags === undefined ? before.tags : normalizeTags(input.tags),
      status: pick('status', input.status),
      notes: input.notes === undefined ? before.notes : input.notes || null,
    };
    const changes = diffChanges(
      auditState({ ...before, ownerId: row.owner_id }),
      auditState({ ...after, ownerId: row.owner_id }),
      AUDITED,
    );
    if (changes.length === 0) return presentCustomer(row, customerViewer(ctx.actor));
    assertWritable(
      ctx,
      changes.map((c) => c.field),
    );
    const probe = {
      nameNorm: after.nameNorm !== before.nameNorm ? after.nameNorm : undefined,
      creditCode: after.creditCode !== before.creditCode ? after.creditCode : undefined,
      excludeId: id,
    };
    const similarIds = await assertNoDuplicates(
      tx,
      ctx,
      probe,
      probe.nameNorm ? { override: input.duplicateOverride?.reason } : null,
    );
    const updated = await guardUnique(tx, ctx, probe, () =>
      repo.updateCustomer(tx, id, input.version, after, ctx.actor.userId, ctx.now),
    );
    if (!updated) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.update',
      entityType: 'customer',
      entityId: id,
      changes,
      details: input.duplicateOverride
        ? { duplicateOverride: { reason: input.duplicateOverride.reason, similarIds } }
        : null,
    });
    return reload(tx, ctx, id);
  });
}

export async function deleteCustomer(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const ref = await customerFor(tx, ctx.actor, id, 'customer', 'delete', { lock: 'update' });
    if (ref.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    const ok = await repo.setDeleted(
      tx,
      id,
      version,
      { at: ctx.now, by: ctx.actor.userId },
      ctx.actor.userId,
      ctx.now,
    );
    if (!ok) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.delete',
      entityType: 'customer',
      entityId: id,
      changes: [{ field: 'deletedAt', before: null, after: ctx.now.toISOString() }],
      details: { name: ref.name },
    });
  });
}

export async function restoreCustomer(ctx: ServiceContext, id: string, version: number): Promise<Customer> {
  return inTenant(ctx, async (tx) => {
    const ref = await customerFor(tx, ctx.actor, id, 'customer', 'delete', {
      lock: 'update',
      includeDeleted: true,
    });
    if (ref.deleted_at === null) throw new AppError('CUSTOMER_NOT_DELETED');
    const row = (await repo.getCustomer(tx, id))!;
    if (row.merged_into_id !== null) {
      throw new AppError('CONFLICT', {}, { reason: 'CUSTOMER_MERGED', mergedIntoId: row.merged_into_id });
    }
    if (ref.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    const probe = { nameNorm: normalizeCompanyName(row.name), creditCode: row.credit_code, excludeId: id };
    await assertNoDuplicates(tx, ctx, probe, null);
    const ok = await guardUnique(tx, ctx, probe, () =>
      repo.setDeleted(tx, id, version, null, ctx.actor.userId, ctx.now),
    );
    if (!ok) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.restore',
      entityType: 'customer',
      entityId: id,
      changes: [{ field: 'deletedAt', before: row.deleted_at?.toISOString() ?? null, after: null }],
    });
    return reload(tx, ctx, id);
  });
}
