/**
 * Delegations: while I am away (first to last day, inclusive, Asia/Shanghai), my delegate decides in
 * my place. Applied when a step starts (approver resolution, one hop); seats already resolved keep
 * their holders. Everyone manages only their own delegations.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage, type Locale, todayInShanghai } from '@kam/domain';
import type { z } from 'zod';
import { inTenant, type ServiceContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo.js';
import type { zDelegation } from './schemas.js';

export type Delegation = z.infer<typeof zDelegation>;

function present(row: repo.DelegationRow, names: Map<string, repo.UserNameRow>): Delegation {
  const n = names.get(row.to_user_id);
  return {
    id: row.id,
    delegate: {
      id: row.to_user_id,
      displayName: n?.display_name ?? '—',
      departmentName: n?.department_name ?? null,
    },
    startDate: row.start_date,
    endDate: row.end_date,
    note: row.note,
    active: row.active,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listDelegations(ctx: ServiceContext, includePast: boolean): Promise<Delegation[]> {
  return inTenant(ctx, async (tx) => {
    const rows = await repo.delegationsOf(tx, ctx.actor.userId, todayInShanghai(ctx.now), includePast);
    const names = await repo.userNames(
      tx,
      rows.map((r) => r.to_user_id),
    );
    return rows.map((r) => present(r, names));
  });
}

export async function createDelegation(
  ctx: ServiceContext,
  input: { delegateId: string; startDate: string; endDate: string; note?: string | undefined },
  locale: Locale,
): Promise<Delegation> {
  const invalid = () =>
    new AppError(
      'APPROVAL_DELEGATE_INVALID',
      {},
      {
        fields: [
          {
            path: 'body.delegateId',
            code: 'APPROVAL_DELEGATE_INVALID',
            message: errorMessage('APPROVAL_DELEGATE_INVALID', locale),
          },
        ],
      },
    );
  if (input.delegateId === ctx.actor.userId) throw invalid();
  const today = todayInShanghai(ctx.now);
  if (input.endDate < today) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: [
          { path: 'body.endDate', code: 'OUT_OF_RANGE', message: errorMessage('OUT_OF_RANGE', locale) },
        ],
      },
    );
  }
  return inTenant(ctx, async (tx) => {
    const delegate = await repo.activeUser(tx, input.delegateId);
    if (!delegate || delegate.status === 'disabled') throw invalid();
    const row = await repo.insertDelegation(
      tx,
      {
        id: randomUUID(),
        from: ctx.actor.userId,
        to: input.delegateId,
        startDate: input.startDate,
        endDate: input.endDate,
        note: input.note || null,
        now: ctx.now,
      },
      today,
    );
    const names = await repo.userNames(tx, [row.to_user_id]);
    await writeAudit(tx, auditWho(ctx), {
      action: 'approval_delegation.create',
      entityType: 'approval_delegation',
      entityId: row.id,
      changes: [
        { field: 'delegateId', before: null, after: row.to_user_id },
        { field: 'startDate', before: null, after: row.start_date },
        { field: 'endDate', before: null, after: row.end_date },
      ],
      details: { delegateName: names.get(row.to_user_id)?.display_name ?? null, note: row.note },
    });
    return present(row, names);
  });
}

/** Ends one of my delegations (removes it); someone else's answers 404. */
export async function deleteDelegation(ctx: ServiceContext, id: string): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const row = await repo.deleteDelegation(tx, id, ctx.actor.userId, todayInShanghai(ctx.now));
    if (!row) {
      if (await repo.delegationExists(tx, id))
        throw new AppError('NOT_FOUND', {}, undefined, {
          entityType: 'approval_delegation',
          entityId: id,
          reason: 'out_of_scope',
        });
      throw new AppError('NOT_FOUND');
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'approval_delegation.delete',
      entityType: 'approval_delegation',
      entityId: row.id,
      changes: [{ field: 'delegateId', before: row.to_user_id, after: null }],
      details: { startDate: row.start_date, endDate: row.end_date },
    });
  });
}
