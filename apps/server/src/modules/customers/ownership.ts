import { effectiveScope } from '@kam/domain';
import type { z } from 'zod';
import { customerFor } from '../../access/customer-guard.js';
import { customerScopeSql } from '../../access/customer-scope.js';
import { scopePredicate } from '../../access/scope-sql.js';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as customersRepo from './repo/customers.js';
import * as repo from './repo/ownership.js';
import * as teamRepo from './repo/team.js';
import type { zOwnershipEntry, zTransferResult } from './schemas.js';
import { type Customer, fieldError, getCustomer } from './service.js';

export type OwnershipEntry = z.infer<typeof zOwnershipEntry>;
export type TransferResult = z.infer<typeof zTransferResult>;

/**
 * The new owner: an active user whose department lies within the actor's `customer.assign` scope
 * (as if the customer were already theirs).
 */
async function newOwner(
  tx: Tx,
  ctx: ServiceContext,
  ownerId: string,
  field: string,
): Promise<{ id: string; display_name: string; department_id: string | null }> {
  const owner = await customersRepo.findActiveUser(tx, ownerId);
  if (!owner) throw new AppError('OWNER_INVALID', {}, fieldError(ctx, field, 'OWNER_INVALID'));
  const scope = effectiveScope(ctx.actor, 'customer', 'assign');
  const p = new Params();
  const pred = scope
    ? scopePredicate(scope, ctx.actor.userId, { self: ['u.id'], department: 'u.department_id' }, p)
    : 'FALSE';
  const ok = await customersRepo.userInScope(tx, p, ownerId, pred);
  if (!ok) {
    throw new AppError('FORBIDDEN', {}, fieldError(ctx, field, 'FORBIDDEN'), {
      entityType: 'user',
      entityId: ownerId,
      reason: 'out_of_scope',
    });
  }
  return owner;
}

export async function assignCustomer(
  ctx: ServiceContext,
  id: string,
  input: { ownerId: string; reason: string; version: number; includeOpenFollowUps: boolean },
): Promise<Customer> {
  await inTenant(ctx, async (tx) => {
    const ref = await customerFor(tx, ctx.actor, id, 'customer', 'assign', { lock: 'update' });
    if (ref.version !== input.version)
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    const owner = await newOwner(tx, ctx, input.ownerId, 'body.ownerId');
    if (ref.owner_id === owner.id && ref.department_id === owner.department_id) return;
    const from = ref.owner_id ? await customersRepo.findUser(tx, ref.owner_id) : null;
    const kind = from && from.status === 'disabled' ? 'handover' : 'assign';
    const updated = await repo.setOwner(
      tx,
      id,
      input.version,
      { id: owner.id, departmentId: owner.department_id },
      ctx.actor.userId,
      ctx.now,
    );
    if (!updated) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: ref.version });
    if (ref.owner_id && ref.owner_id !== owner.id) await teamRepo.removeFromTeams(tx, [id], ref.owner_id);
    await teamRepo.putOwnerOnTeam(tx, [id], owner.id, ctx.actor.userId, ctx.now);
    const moved =
      input.includeOpenFollowUps && ref.owner_id && ref.owner_id !== owner.id
        ? await repo.moveOpenFollowUps(tx, [id], ref.owner_id, owner.id, ctx.now)
        : 0;
    await repo.insertOwnership(tx, {
      customerId: id,
      kind,
      fromOwnerId: ref.owner_id,
      toOwnerId: owner.id,
      fromDepartmentId: ref.department_id,
      toDepartmentId: owner.department_id,
      reason: input.reason,
      actorId: ctx.actor.userId,
      now: ctx.now,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.assign',
      entityType: 'customer',
      entityId: id,
      changes: [
        { field: 'ownerId', before: ref.owner_id, after: owner.id },
        ...(ref.department_id !== owner.department_id
          ? [{ field: 'departmentId', before: ref.department_id, after: owner.department_id }]
          : []),
      ],
      details: {
        kind,
        reason: input.reason,
        fromOwnerName: from?.display_name ?? null,
        toOwnerName: owner.display_name,
        followUpsMoved: moved,
      },
    });
  });
  return getCustomer(ctx, id);
}

/**
 * Bulk transfer / handover: all (or the listed) live customers of `fromOwnerId` that the actor may
 * assign go to `toOwnerId` — set-based, in one transaction, one summary audit entry.
 */
export async function transferCustomers(
  ctx: ServiceContext,
  input: {
    fromOwnerId: string;
    toOwnerId: string;
    customerIds?: string[] | undefined;
    reason: string;
    includeOpenFollowUps: boolean;
  },
): Promise<TransferResult> {
  if (input.fromOwnerId === input.toOwnerId) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.toOwnerId', 'CONFLICT'));
  }
  return inTenant(ctx, async (tx) => {
    const from = await customersRepo.findUser(tx, input.fromOwnerId);
    if (!from) throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.fromOwnerId', 'NOT_FOUND'));
    const to = await newOwner(tx, ctx, input.toOwnerId, 'body.toOwnerId');
    const kind = from.status === 'disabled' ? 'handover' : 'transfer';
    const p = new Params();
    const scope = customerScopeSql(ctx.actor, 'customer', 'assign', p) ?? 'FALSE';
    const ids = await repo.transferOwned(tx, p, {
      scope,
      fromOwnerId: input.fromOwnerId,
      customerIds: input.customerIds,
      to: { id: to.id, departmentId: to.department_id },
      kind,
      reason: input.reason,
      actorId: ctx.actor.userId,
      now: ctx.now,
    });
    if (input.customerIds && ids.length !== new Set(input.customerIds).size) {
      // Some listed customers are not fromOwner's, deleted, or outside the actor's assign scope.
      throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.customerIds', 'NOT_FOUND'));
    }
    let followUpsMoved = 0;
    if (ids.length > 0) {
      await teamRepo.removeFromTeams(tx, ids, input.fromOwnerId);
      await teamRepo.putOwnerOnTeam(tx, ids, to.id, ctx.actor.userId, ctx.now);
      if (input.includeOpenFollowUps) {
        followUpsMoved = await repo.moveOpenFollowUps(tx, ids, input.fromOwnerId, to.id, ctx.now);
      }
      await writeAudit(tx, auditWho(ctx), {
        action: 'customer.transfer',
        entityType: 'customer',
        entityId: null,
        details: {
          kind,
          fromOwnerId: input.fromOwnerId,
          fromOwnerName: from.display_name,
          toOwnerId: to.id,
          toOwnerName: to.display_name,
          reason: input.reason,
          count: ids.length,
          customerIds: ids,
          followUpsMoved,
        },
      });
    }
    return { count: ids.length, customerIds: ids, followUpsMoved, kind };
  });
}

export async function ownershipHistory(
  ctx: ServiceContext,
  id: string,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: OwnershipEntry[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 2);
  if (q.cursor && (!raw || typeof raw[0] !== 'string' || typeof raw[1] !== 'string')) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  const after = raw ? ([raw[0], raw[1]] as [string, string]) : null;
  const rows = await inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, id, 'customer', 'view', { includeDeleted: true });
    return repo.selectHistoryPage(tx, id, after, q.limit + 1);
  });
  return toPage(
    rows,
    q.limit,
    (r) => ({
      id: r.id,
      kind: r.kind,
      fromOwnerId: r.from_owner_id,
      fromOwnerName: r.from_owner_name,
      toOwnerId: r.to_owner_id,
      toOwnerName: r.to_owner_name,
      fromDepartmentId: r.from_department_id,
      toDepartmentId: r.to_department_id,
      reason: r.reason,
      changedBy: r.changed_by,
      changedByName: r.changed_by_name,
      changedAt: r.changed_at.toISOString(),
    }),
    (r) => [r.at_key, r.id],
  );
}

export async function mergeCustomers(
  ctx: ServiceContext,
  id: string,
  input: { sourceId: string; version: number; sourceVersion: number; reason: string },
): Promise<Customer> {
  if (input.sourceId === id) throw new AppError('MERGE_SAME_CUSTOMER');
  await inTenant(ctx, async (tx) => {
    // Lock both in id order, so that two opposite merges cannot deadlock.
    const [first, second] = [id, input.sourceId].sort();
    const refs = new Map<string, Awaited<ReturnType<typeof customerFor>>>();
    for (const x of [first!, second!]) {
      refs.set(x, await customerFor(tx, ctx.actor, x, 'customer', 'delete', { lock: 'update' }));
    }
    const target = refs.get(id)!;
    const source = refs.get(input.sourceId)!;
    if (target.version !== input.version) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: target.version });
    }
    if (source.version !== input.sourceVersion) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: source.version, sourceId: source.id });
    }
    const moved = await repo.moveAttachments(tx, input.sourceId, id, ctx.actor.userId, ctx.now);
    const merged = await repo.markMerged(tx, input.sourceId, id, ctx.actor.userId, ctx.now);
    const filledFields = await repo.fillFromMerged(tx, input.sourceId, id, ctx.actor.userId, ctx.now);
    await repo.insertOwnership(tx, {
      customerId: id,
      kind: 'merge',
      fromOwnerId: source.owner_id,
      toOwnerId: target.owner_id,
      fromDepartmentId: source.department_id,
      toDepartmentId: target.department_id,
      reason: input.reason,
      actorId: ctx.actor.userId,
      now: ctx.now,
    });
    const details = {
      reason: input.reason,
      keptId: id,
      keptName: target.name,
      mergedId: input.sourceId,
      mergedName: source.name,
      moved,
      filledFields,
    };
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.merge',
      entityType: 'customer',
      entityId: id,
      details,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.merged_into',
      entityType: 'customer',
      entityId: input.sourceId,
      changes: [
        { field: 'deletedAt', before: null, after: ctx.now.toISOString() },
        { field: 'mergedIntoId', before: null, after: id },
      ],
      details: { ...details, creditCode: merged.creditCode },
    });
  });
  return getCustomer(ctx, id);
}
