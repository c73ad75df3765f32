import type { Action, FollowUpType } from '@kam/domain';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import {
  assertVersion,
  cursorOf,
  fieldError,
  guardCustomer,
  guardRecord,
  isIsoDate,
  isIsoTime,
  isUuid,
  visibleCustomerJoin,
} from '../customer-records.js';
import * as repo from './repo.js';

/** A follow-up record (跟进记录) as the API returns it. */
export interface FollowUp {
  id: string;
  customerId: string;
  customerName: string;
  type: FollowUpType;
  at: string;
  authorId: string | null;
  authorName: string | null;
  contacts: { id: string; name: string }[];
  summary: string;
  outcome: string | null;
  nextStep: string | null;
  nextStepDate: string | null;
  nextStepOwnerId: string | null;
  nextStepOwnerName: string | null;
  nextStepDoneAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const AUDITED = [
  'type',
  'at',
  'contactIds',
  'summary',
  'outcome',
  'nextStep',
  'nextStepDate',
] as const satisfies readonly (keyof repo.FollowUpFields)[];

function present(row: repo.FollowUpRow): FollowUp {
  return {
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    type: row.type,
    at: row.at.toISOString(),
    authorId: row.author_id,
    authorName: row.author_name,
    contacts: row.contacts,
    summary: row.summary,
    outcome: row.outcome,
    nextStep: row.next_step,
    nextStepDate: row.next_step_date,
    nextStepOwnerId: row.next_step_owner_id,
    nextStepOwnerName: row.next_step_owner_name,
    nextStepDoneAt: row.next_step_done_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

const stateOf = (row: repo.FollowUpRow): repo.FollowUpFields => ({
  type: row.type,
  at: row.at.toISOString(),
  contactIds: row.contacts.map((c) => c.id),
  summary: row.summary,
  outcome: row.outcome,
  nextStep: row.next_step,
  nextStepDate: row.next_step_date,
});

async function reload(tx: Tx, id: string): Promise<FollowUp> {
  const row = await repo.getFollowUp(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  return present(row);
}

/** Every contact named must be a contact of the follow-up's customer (400 on the unknown ones). */
async function assertContacts(tx: Tx, ctx: ServiceContext, customerId: string, ids: string[]): Promise<void> {
  const known = await repo.contactsOfCustomer(tx, customerId, ids);
  const fields: FieldError[] = [];
  ids.forEach((id, i) => {
    if (!known.has(id)) fields.push(...fieldError(ctx, `body.contactIds.${i}`, 'NOT_FOUND').fields);
  });
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', {}, { fields });
}

/** A next step goes with its date: one without the other is 400 REQUIRED on the missing one. */
function assertNextStep(ctx: ServiceContext, nextStep: string | null, nextStepDate: string | null): void {
  if (nextStep !== null && nextStepDate === null) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.nextStepDate', 'REQUIRED'));
  }
  if (nextStep === null && nextStepDate !== null) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.nextStep', 'REQUIRED'));
  }
}

/**
 * The customer of a follow-up, locked, when the actor may change it: its author (or, for completing
 * the next step, the one who owes it) needs the right to log follow-ups on the customer; anyone
 * else needs `follow_up.edit` there.
 */
async function guardChange(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  mine: (row: { author_id: string | null; next_step_owner_id: string | null }) => boolean,
) {
  const { rows } = await tx.query<{ author_id: string | null; next_step_owner_id: string | null }>(
    'SELECT author_id, next_step_owner_id FROM follow_ups WHERE tenant_id = kam_tenant() AND id = $1',
    [id],
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND');
  const action: Action = mine(row) ? 'create' : 'edit';
  const customer = await guardRecord(tx, ctx, 'follow_ups', 'follow_up', id, 'follow_up', action, 'update');
  const before = await repo.getFollowUp(tx, id);
  if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
  return { customer, before };
}

const isFollowUpKey = (v: unknown[]): v is repo.FollowUpKey => isIsoTime(v[0]) && isUuid(v[1]);
const isNextStepKey = (v: unknown[]): v is repo.NextStepKey => isIsoDate(v[0]) && isUuid(v[1]);

/**
 * Follow-ups of the customers the actor may see, newest first; with `pendingNextStep` the actor's
 * own open next steps instead, soonest first.
 */
export async function listFollowUps(
  ctx: ServiceContext,
  q: {
    limit: number;
    cursor?: string | undefined;
    customerId?: string | undefined;
    authorId?: string | undefined;
    type?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    pendingNextStep?: boolean | undefined;
  },
): Promise<{ items: FollowUp[]; nextCursor: string | null }> {
  const pending = q.pendingNextStep === true;
  const after = pending
    ? cursorOf(ctx, q.cursor, isNextStepKey, 2)
    : cursorOf(ctx, q.cursor, isFollowUpKey, 2);
  const rows = await inTenant(ctx, (tx) => {
    const p = new Params();
    const join = visibleCustomerJoin(ctx, 'follow_up', 'f', p);
    return repo.listFollowUps(tx, p, join, {
      customerId: q.customerId,
      authorId: q.authorId,
      type: q.type,
      from: q.from,
      to: q.to,
      pendingFor: pending ? ctx.actor.userId : undefined,
      limit: q.limit + 1,
      after,
    });
  });
  return toPage(rows, q.limit, present, (last) =>
    pending ? [last.next_step_date, last.id] : [last.at_key, last.id],
  );
}

export async function getFollowUp(ctx: ServiceContext, id: string): Promise<FollowUp> {
  return inTenant(ctx, async (tx) => {
    await guardRecord(tx, ctx, 'follow_ups', 'follow_up', id, 'follow_up', 'view');
    return reload(tx, id);
  });
}

export async function createFollowUp(
  ctx: ServiceContext,
  input: {
    customerId: string;
    type: FollowUpType;
    at?: string | undefined;
    contactIds?: string[] | undefined;
    summary: string;
    outcome?: string | null | undefined;
    nextStep?: string | null | undefined;
    nextStepDate?: string | null | undefined;
  },
): Promise<FollowUp> {
  const fields: repo.FollowUpFields = {
    type: input.type,
    at: input.at ?? ctx.now.toISOString(),
    contactIds: [...new Set(input.contactIds ?? [])],
    summary: input.summary,
    outcome: input.outcome ?? null,
    nextStep: input.nextStep ?? null,
    nextStepDate: input.nextStepDate ?? null,
  };
  assertNextStep(ctx, fields.nextStep, fields.nextStepDate);
  return inTenant(ctx, async (tx) => {
    // Locked for update: the trigger on follow_ups updates the customer's last follow-up time.
    const customer = await guardCustomer(tx, ctx, input.customerId, 'follow_up', 'create', {
      lock: 'update',
      bodyPath: 'body.customerId',
    });
    await assertContacts(tx, ctx, customer.id, fields.contactIds);
    const id = timeUuid();
    await repo.insertFollowUp(tx, {
      ...fields,
      id,
      customerId: customer.id,
      authorId: ctx.actor.userId,
      now: ctx.now,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'follow_up.create',
      entityType: 'follow_up',
      entityId: id,
      changes: diffChanges(null, fields, AUDITED),
      details: { customerId: customer.id, type: fields.type },
    });
    return reload(tx, id);
  });
}

export async function updateFollowUp(
  ctx: ServiceContext,
  id: string,
  input: {
    version: number;
    type?: FollowUpType | undefined;
    at?: string | undefined;
    contactIds?: string[] | undefined;
    summary?: string | undefined;
    outcome?: string | null | undefined;
    nextStep?: string | null | undefined;
    nextStepDate?: string | null | undefined;
  },
): Promise<FollowUp> {
  return inTenant(ctx, async (tx) => {
    const { customer, before } = await guardChange(tx, ctx, id, (r) => r.author_id === ctx.actor.userId);
    assertVersion(before, input.version);
    const old = stateOf(before);
    const next = { ...input, contactIds: input.contactIds && [...new Set(input.contactIds)] };
    const patch: Partial<repo.FollowUpFields> = {};
    for (const field of AUDITED) {
      const value = next[field];
      if (value !== undefined && JSON.stringify(value) !== JSON.stringify(old[field])) {
        Object.assign(patch, { [field]: value });
      }
    }
    if (Object.keys(patch).length === 0) return reload(tx, id);
    const after = { ...old, ...patch };
    assertNextStep(ctx, after.nextStep, after.nextStepDate);
    if (patch.contactIds) await assertContacts(tx, ctx, customer.id, patch.contactIds);
    const stepChanged = patch.nextStep !== undefined || patch.nextStepDate !== undefined;
    const owner = after.nextStep === null ? null : (before.next_step_owner_id ?? ctx.actor.userId);
    if (
      !(await repo.updateFollowUp(
        tx,
        id,
        customer.id,
        input.version,
        patch,
        { changed: stepChanged, ownerId: owner },
        ctx.now,
      ))
    ) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'follow_up.update',
      entityType: 'follow_up',
      entityId: id,
      changes: diffChanges(old, after, AUDITED),
      details: { customerId: customer.id },
    });
    return reload(tx, id);
  });
}

/** Marks the follow-up's next step done (409 CONFLICT when there is no open next step). */
export async function completeNextStep(ctx: ServiceContext, id: string, version: number): Promise<FollowUp> {
  return inTenant(ctx, async (tx) => {
    const me = ctx.actor.userId;
    const { customer, before } = await guardChange(
      tx,
      ctx,
      id,
      (r) => r.next_step_owner_id === me || r.author_id === me,
    );
    assertVersion(before, version);
    if (before.next_step === null || before.next_step_done_at !== null) {
      throw new AppError('CONFLICT', {}, { reason: 'NO_OPEN_NEXT_STEP' });
    }
    if (!(await repo.completeNextStep(tx, id, version, ctx.now))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'follow_up.complete_next_step',
      entityType: 'follow_up',
      entityId: id,
      changes: [{ field: 'nextStepDoneAt', before: null, after: ctx.now.toISOString() }],
      details: { customerId: customer.id, nextStep: before.next_step },
    });
    return reload(tx, id);
  });
}

export async function deleteFollowUp(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const customer = await guardRecord(
      tx,
      ctx,
      'follow_ups',
      'follow_up',
      id,
      'follow_up',
      'delete',
      'update',
    );
    const before = await repo.getFollowUp(tx, id);
    if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
    assertVersion(before, version);
    if (!(await repo.deleteFollowUp(tx, id, customer.id, version))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'follow_up.delete',
      entityType: 'follow_up',
      entityId: id,
      changes: diffChanges(stateOf(before), null, AUDITED),
      details: { customerId: customer.id, type: before.type },
    });
  });
}
