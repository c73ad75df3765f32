import {
  checkPassword,
  effectiveFieldRules,
  effectiveScope,
  isLockActive,
  type Locale,
  lockoutState,
  NO_FAILURES,
  PERMISSION_KEYS,
  parsePermissionKey,
  RESOURCES,
} from '@kam/domain';
import type { Actor, RequestMeta, ServiceContext } from '../../context.js';
import type { Database, Tx } from '../../db/database.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { type AuditWho, writeAudit } from '../audit/writer.js';
import { loadActorForUser } from './actor.js';
import { hashPassword, verifyPassword } from './crypto.js';
import * as repo from './repo.js';
import { createSession, type NewSession, revokeUserSessions } from './sessions.js';

export const DEFAULT_ORGANIZATION = 'default';

export interface LoginResult {
  actor: Actor;
  session: NewSession;
}

const who = (tenantId: string, meta: RequestMeta, actor?: { id: string; name: string } | null): AuditWho => ({
  tenantId,
  actorId: actor?.id ?? null,
  actorName: actor?.name ?? null,
  ip: meta.ip,
  userAgent: meta.userAgent,
  requestId: meta.requestId,
});

export function auditWho(ctx: ServiceContext): AuditWho {
  return who(ctx.actor.tenantId, ctx.meta, { id: ctx.actor.userId, name: ctx.actor.displayName });
}

type LoginError = 'AUTH_INVALID_CREDENTIALS' | 'AUTH_LOCKED' | 'AUTH_DISABLED';

/**
 * Password sign-in. The password is verified outside any transaction (argon2 takes tens of ms);
 * the outcome — failure counting and lockout, or the new session — is written in a second one,
 * and failures are committed before the error is returned.
 */
export async function login(
  db: Database,
  input: { login: string; password: string; organization?: string | undefined },
  meta: RequestMeta,
  now: Date,
): Promise<LoginResult> {
  const organization = (input.organization ?? DEFAULT_ORGANIZATION).toLowerCase();
  const found = await db.withLookup({ organization }, async (tx) => {
    const tenantId = await repo.enterTenantBySlug(tx, organization);
    return tenantId ? { tenantId, user: await repo.findLoginUser(tx, input.login) } : null;
  });
  // Unknown organisations and logins cost one argon2 verification too: timing reveals nothing.
  const passwordOk = await verifyPassword(found?.user?.password_hash ?? null, input.password);
  if (!found) throw new AppError('AUTH_INVALID_CREDENTIALS');

  const outcome = await db.withTenant(
    found.tenantId,
    async (tx): Promise<LoginResult | { error: LoginError }> => {
      if (!found.user) {
        await writeAudit(tx, who(found.tenantId, meta), {
          action: 'auth.login_failed',
          result: 'failure',
          details: { login: input.login.slice(0, 64), reason: 'unknown_login' },
        });
        return { error: 'AUTH_INVALID_CREDENTIALS' };
      }
      const user = await repo.lockLoginUser(tx, found.user.id);
      const policy = user.security_policy;
      const audit = who(found.tenantId, meta, { id: user.id, name: user.display_name });
      const failed = (reason: string, details: Record<string, unknown> = {}) =>
        writeAudit(tx, audit, {
          action: 'auth.login_failed',
          result: 'failure',
          entityType: 'user',
          entityId: user.id,
          details: { reason, ...details },
        });

      if (user.status === 'disabled') {
        await failed('disabled');
        return { error: 'AUTH_DISABLED' };
      }
      if (user.status === 'locked') {
        if (isLockActive(user.locked_at, now, policy)) {
          await failed('locked');
          return { error: 'AUTH_LOCKED' };
        }
        // The lockout period has passed: the account unlocks itself.
        await repo.unlockUser(tx, user.id, now);
        user.failed_login_count = 0;
        user.failed_window_start = null;
        await writeAudit(tx, audit, {
          action: 'auth.unlock',
          entityType: 'user',
          entityId: user.id,
          details: { reason: 'lockout_expired' },
        });
      }
      if (!passwordOk) {
        const next = lockoutState(
          { failures: user.failed_login_count, windowStart: user.failed_window_start },
          now,
          policy,
        );
        await repo.recordLoginFailure(tx, user.id, next.lock ? NO_FAILURES : next.counter, next.lock, now);
        await failed('bad_password', { failures: next.counter.failures });
        if (!next.lock) return { error: 'AUTH_INVALID_CREDENTIALS' };
        await writeAudit(tx, audit, {
          action: 'auth.lockout',
          result: 'failure',
          entityType: 'user',
          entityId: user.id,
          details: { failures: next.counter.failures, windowMinutes: policy.lockoutWindowMinutes },
        });
        return { error: 'AUTH_LOCKED' };
      }
      await repo.recordLoginSuccess(tx, user.id, now);
      const session = await createSession(tx, {
        tenantId: found.tenantId,
        userId: user.id,
        ip: meta.ip,
        userAgent: meta.userAgent,
        now,
        policy,
      });
      await writeAudit(tx, audit, {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        details: { sessionId: session.id },
      });
      const actor = await loadActorForUser(tx, user.id, now, {
        via: 'session',
        sessionId: session.id,
        tokenId: null,
        csrfToken: session.csrfToken,
      });
      return { actor: actor!, session };
    },
  );
  if ('error' in outcome) throw new AppError(outcome.error);
  return outcome;
}

export async function logout(ctx: ServiceContext, everywhere: boolean): Promise<void> {
  const { actor } = ctx;
  await ctx.db.withTenant(actor.tenantId, async (tx) => {
    if (everywhere) await revokeUserSessions(tx, actor.userId, ctx.now);
    else if (actor.sessionId) await repo.endSession(tx, actor.sessionId, ctx.now);
    await writeAudit(tx, auditWho(ctx), {
      action: everywhere ? 'auth.logout_all' : 'auth.logout',
      entityType: 'user',
      entityId: actor.userId,
    });
  });
}

const passwordError = (field: FieldError): AppError =>
  new AppError('VALIDATION_FAILED', {}, { fields: [field] });

/** Rejects a new password that breaks the policy or reuses one of the last N. */
export async function assertPasswordAcceptable(
  tx: Tx,
  args: { userId: string; login: string; password: string; policy: repo.LoginUserRow['security_policy'] },
): Promise<void> {
  const violations = checkPassword(args.password, { login: args.login, policy: args.policy });
  if (violations.length > 0) {
    const params = { min: args.policy.passwordMinLength, max: 128 };
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: violations.map((code) => ({
          path: 'body.newPassword',
          code,
          message: code,
          params:
            code === 'PASSWORD_TOO_FEW_CLASSES' ? { ...params, min: args.policy.passwordMinClasses } : params,
        })),
      },
    );
  }
  if (args.policy.passwordHistory > 0) {
    for (const hash of await repo.recentPasswordHashes(tx, args.userId, args.policy.passwordHistory)) {
      if (await verifyPassword(hash, args.password)) {
        throw passwordError({
          path: 'body.newPassword',
          code: 'PASSWORD_REUSED',
          message: '',
          params: { count: args.policy.passwordHistory },
        });
      }
    }
  }
}

/** Stores a new password hash, keeps the history, and sets or clears the forced-change flag. */
export const setPassword = repo.storePassword;

/** The signed-in user changes their own password; every other session of theirs ends. */
export async function changeOwnPassword(
  ctx: ServiceContext,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const { actor } = ctx;
  const state = await ctx.db.withTenant(actor.tenantId, (tx) => repo.passwordState(tx, actor.userId));
  if (!(await verifyPassword(state.password_hash, input.currentPassword))) {
    throw passwordError({ path: 'body.currentPassword', code: 'CURRENT_PASSWORD_INCORRECT', message: '' });
  }
  if (await verifyPassword(state.password_hash, input.newPassword)) {
    throw passwordError({
      path: 'body.newPassword',
      code: 'PASSWORD_REUSED',
      message: '',
      params: { count: 1 },
    });
  }
  const hash = await hashPassword(input.newPassword);
  await ctx.db.withTenant(actor.tenantId, async (tx) => {
    await assertPasswordAcceptable(tx, {
      userId: actor.userId,
      login: actor.login,
      password: input.newPassword,
      policy: state.security_policy,
    });
    await setPassword(tx, { userId: actor.userId, hash, mustChange: false, now: ctx.now });
    const ended = await revokeUserSessions(tx, actor.userId, ctx.now, actor.sessionId);
    await writeAudit(tx, auditWho(ctx), {
      action: 'auth.password_change',
      entityType: 'user',
      entityId: actor.userId,
      details: { sessionsEnded: ended },
    });
  });
}

/** What the UI needs to show the signed-in user and hide what they may not do. */
export async function describeMe(ctx: ServiceContext, actor: Actor = ctx.actor) {
  const row = await ctx.db.withTenant(actor.tenantId, (tx) => repo.meDetails(tx, actor.userId));
  const permissions: string[] = [];
  const scopes: Record<string, { all: boolean; self: boolean; departments: string[]; subtrees: string[] }> =
    {};
  for (const key of PERMISSION_KEYS) {
    const { resource, action } = parsePermissionKey(key);
    const scope = effectiveScope(actor, resource, action);
    if (!scope) continue;
    permissions.push(key);
    scopes[key] = { ...scope, departments: [...scope.departments], subtrees: [...scope.subtrees] };
  }
  const fieldRules: Record<string, Record<string, 'hidden' | 'masked' | 'readonly'>> = {};
  for (const resource of RESOURCES) {
    const rules = effectiveFieldRules(actor, resource);
    if (Object.keys(rules).length > 0) fieldRules[resource] = rules;
  }
  return {
    id: actor.userId,
    login: actor.login,
    displayName: actor.displayName,
    email: row.email,
    mobile: row.mobile,
    departmentId: actor.departmentId,
    locale: actor.locale,
    mustChangePassword: actor.mustChangePassword,
    passwordExpired: actor.passwordExpired,
    organization: actor.organization,
    roles: row.roles,
    permissions,
    scopes,
    fieldRules,
    csrfToken: actor.csrfToken,
    passwordPolicy: {
      minLength: row.policy.passwordMinLength,
      minClasses: row.policy.passwordMinClasses,
      disallowLogin: row.policy.passwordDisallowLogin,
    },
  };
}

/** The signed-in user changes their language or display name. */
export async function updateMe(
  ctx: ServiceContext,
  change: { locale?: Locale | undefined; displayName?: string | undefined },
) {
  const { actor } = ctx;
  const updated = await ctx.db.withTenant(actor.tenantId, async (tx) => {
    const before = { locale: actor.locale, displayName: actor.displayName };
    await repo.updateProfile(tx, actor.userId, change, ctx.now);
    const changes = (['locale', 'displayName'] as const)
      .filter((k) => change[k] !== undefined && change[k] !== before[k])
      .map((field) => ({ field, before: before[field], after: change[field] }));
    if (changes.length > 0) {
      await writeAudit(tx, auditWho(ctx), {
        action: 'user.update_self',
        entityType: 'user',
        entityId: actor.userId,
        changes,
      });
    }
    const { via, sessionId, tokenId, csrfToken } = actor;
    return loadActorForUser(tx, actor.userId, ctx.now, { via, sessionId, tokenId, csrfToken });
  });
  return describeMe(ctx, updated!);
}

export async function listMySessions(ctx: ServiceContext) {
  const rows = await ctx.db.withTenant(ctx.actor.tenantId, (tx) =>
    repo.activeSessions(tx, ctx.actor.userId, ctx.now),
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
      ip: r.ip,
      userAgent: r.user_agent,
      current: r.id === ctx.actor.sessionId,
    })),
  };
}
