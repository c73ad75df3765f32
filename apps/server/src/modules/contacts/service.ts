import {
  applyFieldRules,
  type ContactAttitude,
  type DecisionRole,
  effectiveFieldRules,
  type FieldRules,
  maskEmail,
  maskMobile,
} from '@kam/domain';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import { AppError } from '../../http/errors.js';
import { toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import {
  assertVersion,
  assertWritable,
  cursorOf,
  given,
  guardCustomer,
  guardRecord,
  isText,
  isUuid,
  likeEscape,
  visibleCustomerJoin,
} from '../customer-records.js';
import * as repo from './repo.js';

/**
 * A contact as the API returns it. `mobile`, `phone`, `email`, `wechat`, `birthday` follow the
 * caller's field rules on contacts: absent when hidden, masked when masked (`139****5678`).
 */
export interface Contact {
  id: string;
  customerId: string;
  customerName: string;
  name: string;
  title: string | null;
  department: string | null;
  mobile?: string | null;
  phone?: string | null;
  email?: string | null;
  wechat?: string | null;
  birthday?: string | null;
  decisionRole: DecisionRole | null;
  attitude: ContactAttitude | null;
  notes: string | null;
  isPrimary: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type ContactInput = {
  [K in keyof repo.ContactFields]?: repo.ContactFields[K] | undefined;
};

const AUDITED = [
  'name',
  'title',
  'department',
  'mobile',
  'phone',
  'email',
  'wechat',
  'decisionRole',
  'attitude',
  'birthday',
  'notes',
  'isPrimary',
] as const satisfies readonly (keyof repo.ContactFields)[];

/** Contact data in the audit trail is masked like it is for support staff. */
const SENSITIVE = {
  mobile: (v: unknown) => maskMobile(v as string | null),
  phone: (v: unknown) => maskMobile(v as string | null),
  email: (v: unknown) => maskEmail(v as string | null),
};

function present(row: repo.ContactRow, rules: FieldRules): Contact {
  const shown = applyFieldRules(
    'contact',
    { mobile: row.mobile, phone: row.phone, email: row.email, wechat: row.wechat, birthday: row.birthday },
    rules,
  );
  return {
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    name: row.name,
    title: row.title,
    department: row.department,
    ...shown,
    decisionRole: row.decision_role,
    attitude: row.attitude,
    notes: row.notes,
    isPrimary: row.is_primary,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

const stateOf = (row: repo.ContactRow): repo.ContactFields => ({
  name: row.name,
  title: row.title,
  department: row.department,
  mobile: row.mobile,
  phone: row.phone,
  email: row.email,
  wechat: row.wechat,
  decisionRole: row.decision_role,
  attitude: row.attitude,
  birthday: row.birthday,
  notes: row.notes,
  isPrimary: row.is_primary,
});

async function reload(tx: Tx, ctx: ServiceContext, id: string): Promise<Contact> {
  const row = await repo.getContact(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  return present(row, effectiveFieldRules(ctx.actor, 'contact'));
}

/** Demotes the customer's other primary contact, audited as a change of that contact. */
async function demoteOtherPrimary(tx: Tx, ctx: ServiceContext, customerId: string, keepId: string) {
  const demoted = await repo.demotePrimary(tx, customerId, keepId, ctx.now);
  if (!demoted) return;
  await writeAudit(tx, auditWho(ctx), {
    action: 'contact.update',
    entityType: 'contact',
    entityId: demoted.id,
    changes: [{ field: 'isPrimary', before: true, after: false }],
    details: { customerId, name: demoted.name, primaryNow: keepId },
  });
}

const isCustomerKey = (v: unknown[]): v is repo.CustomerContactKey =>
  typeof v[0] === 'boolean' && isText(v[1]) && isUuid(v[2]);
const isContactKey = (v: unknown[]): v is repo.ContactKey => isText(v[0]) && isUuid(v[1]);

/** A customer's contacts: the primary contact first, then by name (pinyin). */
export async function listCustomerContacts(
  ctx: ServiceContext,
  customerId: string,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: Contact[]; nextCursor: string | null }> {
  const after = cursorOf(ctx, q.cursor, isCustomerKey, 3);
  const rules = effectiveFieldRules(ctx.actor, 'contact');
  const rows = await inTenant(ctx, async (tx) => {
    await guardCustomer(tx, ctx, customerId, 'contact', 'view');
    return repo.listCustomerContacts(tx, customerId, q.limit + 1, after);
  });
  return toPage(
    rows,
    q.limit,
    (r) => present(r, rules),
    (last) => [last.is_primary, last.name_pinyin, last.id],
  );
}

/**
 * Contacts of every customer the actor may see, by name. `q` matches the name and its pinyin, and
 * — only for callers who see mobiles unmasked — the digits of the mobile.
 */
export async function listContacts(
  ctx: ServiceContext,
  q: {
    limit: number;
    cursor?: string | undefined;
    customerId?: string | undefined;
    q?: string | undefined;
    decisionRole?: string | undefined;
  },
): Promise<{ items: Contact[]; nextCursor: string | null }> {
  const after = cursorOf(ctx, q.cursor, isContactKey, 2);
  const rules = effectiveFieldRules(ctx.actor, 'contact');
  const text = q.q?.normalize('NFKC').trim();
  let mobilePattern: string | undefined;
  if (text && rules.mobile === undefined) {
    const digits = text.replace(/[\s+-]/g, '');
    if (/^\d{3,}$/.test(digits)) mobilePattern = `%${digits}%`;
  }
  const rows = await inTenant(ctx, (tx) => {
    const p = new Params();
    const join = visibleCustomerJoin(ctx, 'contact', 'x', p);
    return repo.listContacts(tx, p, join, {
      customerId: q.customerId,
      decisionRole: q.decisionRole,
      namePattern: text ? `%${likeEscape(text)}%` : undefined,
      mobilePattern,
      limit: q.limit + 1,
      after,
    });
  });
  return toPage(
    rows,
    q.limit,
    (r) => present(r, rules),
    (last) => [last.name_pinyin, last.id],
  );
}

export async function getContact(ctx: ServiceContext, id: string): Promise<Contact> {
  return inTenant(ctx, async (tx) => {
    await guardRecord(tx, ctx, 'contacts', 'contact', id, 'contact', 'view');
    return reload(tx, ctx, id);
  });
}

export async function createContact(
  ctx: ServiceContext,
  input: ContactInput & { customerId: string; name: string },
): Promise<Contact> {
  assertWritable(ctx, 'contact', given(input, ['customerId', 'name']), true);
  return inTenant(ctx, async (tx) => {
    // The customer row lock serialises the primary-contact switch of concurrent writers.
    const customer = await guardCustomer(tx, ctx, input.customerId, 'contact', 'create', {
      lock: 'update',
      bodyPath: 'body.customerId',
    });
    const id = timeUuid();
    const fields: repo.ContactFields = {
      name: input.name,
      title: input.title ?? null,
      department: input.department ?? null,
      mobile: input.mobile ?? null,
      phone: input.phone ?? null,
      email: input.email ?? null,
      wechat: input.wechat ?? null,
      decisionRole: input.decisionRole ?? null,
      attitude: input.attitude ?? null,
      birthday: input.birthday ?? null,
      notes: input.notes ?? null,
      isPrimary: input.isPrimary ?? false,
    };
    if (fields.isPrimary) await demoteOtherPrimary(tx, ctx, customer.id, id);
    await repo.insertContact(tx, {
      ...fields,
      id,
      customerId: customer.id,
      createdBy: ctx.actor.userId,
      now: ctx.now,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'contact.create',
      entityType: 'contact',
      entityId: id,
      changes: diffChanges(null, fields, AUDITED, SENSITIVE),
      details: { customerId: customer.id, name: fields.name },
    });
    return reload(tx, ctx, id);
  });
}

export async function updateContact(
  ctx: ServiceContext,
  id: string,
  input: ContactInput & { version: number },
): Promise<Contact> {
  return inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'contacts', 'contact', id, 'contact', 'edit', 'update');
    const before = await repo.getContact(tx, id);
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, input.version);
    const old = stateOf(before);
    const patch: Partial<repo.ContactFields> = {};
    for (const field of AUDITED) {
      const value = input[field];
      if (value !== undefined && value !== old[field]) Object.assign(patch, { [field]: value });
    }
    if (Object.keys(patch).length === 0) return reload(tx, ctx, id);
    assertWritable(ctx, 'contact', Object.keys(patch));
    if (patch.isPrimary === true) await demoteOtherPrimary(tx, ctx, customer.id, id);
    if (!(await repo.updateContact(tx, id, customer.id, input.version, patch, ctx.now))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'contact.update',
      entityType: 'contact',
      entityId: id,
      changes: diffChanges(old, { ...old, ...patch }, AUDITED, SENSITIVE),
      details: { customerId: customer.id, name: patch.name ?? old.name },
    });
    return reload(tx, ctx, id);
  });
}

export async function deleteContact(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const customer = await guardRecord(tx, ctx, 'contacts', 'contact', id, 'contact', 'delete', 'update');
    const before = await repo.getContact(tx, id);
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, version);
    if (!(await repo.deleteContact(tx, id, customer.id, version))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'contact.delete',
      entityType: 'contact',
      entityId: id,
      changes: diffChanges(stateOf(before), null, AUDITED, SENSITIVE),
      details: { customerId: customer.id, name: before.name },
    });
  });
}
