import type { TeamAccess, TeamRole } from '@kam/domain';
import type { z } from 'zod';
import { customerFor } from '../../access/customer-guard.js';
import { inTenant, type ServiceContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import { findActiveUser } from './repo/customers.js';
import * as repo from './repo/team.js';
import type { zTeamCandidate, zTeamMember } from './schemas.js';
import { fieldError } from './service.js';

export type TeamMember = z.infer<typeof zTeamMember>;
export type TeamCandidate = z.infer<typeof zTeamCandidate>;

const present = (r: repo.MemberRow): TeamMember => ({
  userId: r.user_id,
  displayName: r.display_name,
  teamRole: r.team_role,
  access: r.access,
  addedAt: r.added_at.toISOString(),
  addedBy: r.added_by,
});

/** The account team: the owner first, then by name (keyset: rank, name, user id). */
export async function listTeam(
  ctx: ServiceContext,
  customerId: string,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: TeamMember[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 3);
  if (
    q.cursor &&
    (!raw || typeof raw[0] !== 'number' || typeof raw[1] !== 'string' || typeof raw[2] !== 'string')
  ) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  const after = raw ? ([raw[0], raw[1], raw[2]] as [number, string, string]) : null;
  const rows = await inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'view');
    return repo.selectTeamPage(tx, customerId, after, q.limit + 1);
  });
  return toPage(rows, q.limit, present, (r) => [r.rank, r.name_pinyin, r.user_id]);
}

/**
 * Users who may be added to the account team (active, not on it yet) matching `q`: anyone of the
 * organisation, since support staff of other departments are staffed onto teams — for an actor who
 * may edit this customer, and showing only name, department and roles.
 */
export async function listTeamCandidates(
  ctx: ServiceContext,
  customerId: string,
  q: { q?: string | undefined; limit: number },
): Promise<{ items: TeamCandidate[] }> {
  const rows = await inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'edit');
    return repo.selectCandidates(tx, customerId, q.q ? q.q : null, q.limit);
  });
  return {
    items: rows.map((r) => ({
      id: r.id,
      displayName: r.display_name,
      departmentName: r.department_name,
      roles: r.roles,
    })),
  };
}

export async function addTeamMember(
  ctx: ServiceContext,
  customerId: string,
  input: { userId: string; teamRole: TeamRole; access: TeamAccess },
): Promise<TeamMember> {
  if (input.teamRole === 'owner') throw new AppError('TEAM_OWNER_FIXED');
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'edit', { lock: 'update' });
    const user = await findActiveUser(tx, input.userId);
    if (!user) throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.userId', 'OWNER_INVALID'));
    const added = await repo.insertMember(tx, {
      customerId,
      userId: input.userId,
      teamRole: input.teamRole,
      access: input.access,
      actorId: ctx.actor.userId,
      now: ctx.now,
    });
    if (!added) throw new AppError('TEAM_MEMBER_EXISTS');
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.team.add',
      entityType: 'customer',
      entityId: customerId,
      changes: [
        {
          field: 'team',
          before: null,
          after: { userId: input.userId, teamRole: input.teamRole, access: input.access },
        },
      ],
      details: { userId: input.userId, displayName: user.display_name },
    });
    return present((await repo.findMember(tx, customerId, input.userId))!);
  });
}

export async function updateTeamMember(
  ctx: ServiceContext,
  customerId: string,
  userId: string,
  input: { teamRole?: TeamRole | undefined; access?: TeamAccess | undefined },
): Promise<TeamMember> {
  if (input.teamRole === 'owner') throw new AppError('TEAM_OWNER_FIXED');
  return inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'edit', { lock: 'update' });
    const before = await repo.findMember(tx, customerId, userId);
    if (!before) throw new AppError('NOT_FOUND');
    if (before.team_role === 'owner') throw new AppError('TEAM_OWNER_FIXED');
    const teamRole = input.teamRole ?? before.team_role;
    const access = input.access ?? before.access;
    if (teamRole === before.team_role && access === before.access) return present(before);
    await repo.updateMember(tx, customerId, userId, teamRole, access);
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.team.update',
      entityType: 'customer',
      entityId: customerId,
      changes: [
        {
          field: 'team',
          before: { userId, teamRole: before.team_role, access: before.access },
          after: { userId, teamRole, access },
        },
      ],
      details: { userId, displayName: before.display_name },
    });
    return present({ ...before, team_role: teamRole, access });
  });
}

export async function removeTeamMember(
  ctx: ServiceContext,
  customerId: string,
  userId: string,
): Promise<void> {
  await inTenant(ctx, async (tx) => {
    await customerFor(tx, ctx.actor, customerId, 'customer', 'edit', { lock: 'update' });
    const before = await repo.findMember(tx, customerId, userId);
    if (!before) throw new AppError('NOT_FOUND');
    if (before.team_role === 'owner') throw new AppError('TEAM_OWNER_FIXED');
    await repo.deleteMember(tx, customerId, userId);
    await writeAudit(tx, auditWho(ctx), {
      action: 'customer.team.remove',
      entityType: 'customer',
      entityId: customerId,
      changes: [
        { field: 'team', before: { userId, teamRole: before.team_role, access: before.access }, after: null },
      ],
      details: { userId, displayName: before.display_name },
    });
  });
}
