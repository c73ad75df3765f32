import {
  checkPassword,
  isLockActive,
  lockoutState,
  NO_FAILURES,
  type PasswordViolation,
  type SecurityPolicy,
} from '@kam/domain';
import type { Actor, RequestMeta, ServiceContext } from '../../context.js';
import type { Database, Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { type AuditWho, writeAudit } from '../audit/writer.js';
import { loadActorForUser } from './actor.js';
import { hashPassword, verifyPassword } from './crypto.js';
import { createSession, type NewSession, revokeUserSessions } from './sessions.js';

export const DEFAULT_ORGANIZATION = 'default';

interface LoginUserRow {
  id: string;
  login: string;
  display_name: string;
  status: 'active' | 'disabled' | 'locked';
  password_hash: string | null;
  failed_login_count: number;
  failed_window_start: Date | null;
  locked_at: Date | null;
  tenant_id: string;
  security_policy: SecurityPolicy;
}

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
  const found = await db.withLookup({ organization }, async (tx, setTenant) => {
    const t = await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM tenants WHERE slug = $1', [
      organization,
    ]);
    const tenantId = t.rows[0]?.tenant_id;
    if (!tenantId) return null;
    await setTenant(tenantId);
    const u = await tx.query<LoginUserRow>(
      `SELECT u.id, u.login, u.display_name, u.status, u.password_hash, u.failed_login_count,
              u.failed_window_start, u.locked_at, u.tenant_id, t.security_policy
       FROM users u JOIN tenants t ON t.tenant_id = u.tenant_id
       WHERE u.tenant_id = kam_tenant() AND lower(u.login) = lower($1)`,
      [input.login],
    );
    return { tenantId, user: u.rows[0] ?? null };
  });
  const passwordOk = await verifyPassword(found?.user?.password_hash ?? null, input.password);
  if (!found) throw new AppError('AUTH_INVALID_CREDENTIALS');

  const outcome = await db.withTenant(found.tenantId, async (tx) => {
    if (!found.user) {
      await writeAudit(tx, who(found.tenantId, meta), {
        action: 'auth.login_failed',
        result: 'failure',
        details: { login: input.login.slice(0, 64), reason: 'unknown_login' },
      });
      return { error: 'AUTH_INVALID_CREDENTIALS' as const };
    }
    // Re-read under lock: concurrent attempts must count every failure.
    const { rows } = await tx.query<LoginUserRow>(
      `SELECT u.id, u.login, u.display_name, u.status, u.password_hash, u.failed_login_count,
              u.failed_window_start, u.locked_at, u.tenant_id, t.security_policy
       FROM users u JOIN tenants t ON t.tenant_id = u.tenant_id
       WHERE u.tenant_id = kam_tenant() AND u.id = $1 FOR UPDATE OF u`,
      [found.user.id],
    );
    const user = rows[0]!;
    const policy = user.security_policy;
    const audit = who(found.tenantId, meta, { id: user.id, name: user.display_name });
    if (user.status === 'disabled') {
      await writeAudit(tx, audit, {
        action: 'auth.login_failed',
        result: 'failure',
        entityType: 'user',
        entityId: user.id,
        details: { reason: 'disabled' },
      });
      return { error: 'AUTH_DISABLED' as const };
    }
    if (user.status === 'locked') {
      if (user.locked_at && isLockActive(user.locked_at, now, policy)) {
        await writeAudit(tx, audit, {
          action: 'auth.login_failed',
          result: 'failure',
          entityType: 'user',
          entityId: user.id,
          details: { reason: 'locked' },
        });
        return { error: 'AUTH_LOCKED' as const };
      }
      // The lockout period has passed: the account unlocks itself.
      await tx.query(
        `UPDATE users SET status = 'active', locked_at = NULL, failed_login_count = 0, failed_window_start = NULL,
           version = version + 1, updated_at = $2 WHERE tenant_id = kam_tenant() AND id = $1`,
        [user.id, now],
      );
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
      const counter = next.lock ? NO_FAILURES : next.counter;
      await tx.query(
        `UPDATE users SET failed_login_count = $2, failed_window_start = $3,
           status = CASE WHEN $4 THEN 'locked' ELSE status END,
           locked_at = CASE WHEN $4 THEN $5::timestamptz ELSE locked_at END,
           version = CASE WHEN $4 THEN version + 1 ELSE version END
         WHERE tenant_id = kam_tenant() AND id = $1`,
        [user.id, counter.failures, counter.windowStart, next.lock, now],
      );
      await writeAudit(tx, audit, {
        action: 'auth.login_failed',
        result: 'failure',
        entityType: 'user',
        entityId: user.id,
        details: { reason: 'bad_password', failures: next.counter.failures },
      });
      if (next.lock) {
        await writeAudit(tx, audit, {
          action: 'auth.lockout',
          result: 'failure',
          entityType: 'user',
          entityId: user.id,
          details: { failures: next.counter.failures, windowMinutes: policy.lockoutWindowMinutes },
        });
        return { error: 'AUTH_LOCKED' as const };
      }
      return { error: 'AUTH_INVALID_CREDENTIALS' as const };
    }
    await tx.query(
      `UPDATE users SET failed_login_count = 0, failed_window_start = NULL, last_login_at = $2
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [user.id, now],
    );
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
  });
  if ('error' in outcome && outcome.error) throw new AppError(outcome.error);
  if (!('session' in outcome)) throw new AppError('INTERNAL');
  return outcome;
}

export async function logout(ctx: ServiceContext, everywhere: boolean): Promise<void> {
  const { actor } = ctx;
  await ctx.db.withTenant(actor.tenantId, async (tx) => {
    if (everywhere) {
      await revokeUserSessions(tx, actor.userId, ctx.now);
    } else if (actor.sessionId) {
      await tx.query('UPDATE sessions SET revoked_at = $2 WHERE tenant_id = kam_tenant() AND id = $1', [
        actor.sessionId,
        ctx.now,
      ]);
    }
    await writeAudit(tx, auditWho(ctx), {
      action: everywhere ? 'auth.logout_all' : 'auth.logout',
      entityType: 'user',
      entityId: actor.userId,
    });
  });
}

export function auditWho(ctx: ServiceContext): AuditWho {
  return who(ctx.actor.tenantId, ctx.meta, { id: ctx.actor.userId, name: ctx.actor.displayName });
}

/** Rejects a new password that breaks the policy or reuses one of the last N. */
export async function assertPasswordAcceptable(
  tx: Tx,
  args: { userId: string; login: string; password: string; policy: SecurityPolicy },
): Promise<void> {
  const violations: PasswordViolation[] = checkPassword(args.password, {
    login: args.login,
    policy: args.policy,
  });
  if (violations.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: violations.map((code) => ({
          path: 'body.newPassword',
          code,
          message: code,
          params: {
            min:
              code === 'PASSWORD_TOO_SHORT' ? args.policy.passwordMinLength : args.policy.passwordMinClasses,
            max: 128,
          },
        })),
      },
    );
  }
  if (args.policy.passwordHistory > 0) {
    const { rows } = await tx.query<{ hash: string }>(
      `SELECT hash FROM password_history WHERE tenant_id = kam_tenant() AND user_id = $1
       ORDER BY created_at DESC LIMIT $2`,
      [args.userId, args.policy.passwordHistory],
    );
    for (const r of rows) {
      if (await verifyPassword(r.hash, args.password)) {
        throw new AppError(
          'VALIDATION_FAILED',
          {},
          {
            fields: [
              {
                path: 'body.newPassword',
                code: 'PASSWORD_REUSED',
                message: 'PASSWORD_REUSED',
                params: { count: args.policy.passwordHistory },
              },
            ],
          },
        );
      }
    }
  }
}

/** Stores a new password hash, keeps the history, and sets or clears the forced-change flag. */
export async function setPassword(
  tx: Tx,
  args: { userId: string; hash: string; mustChange: boolean; now: Date },
): Promise<void> {
  await tx.query(
    `UPDATE users SET password_hash = $2, password_changed_at = $3, must_change_password = $4,
       version = version + 1, updated_at = $3
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [args.userId, args.hash, args.now, args.mustChange],
  );
  await tx.query('INSERT INTO password_history (tenant_id, user_id, hash) VALUES (kam_tenant(), $1, $2)', [
    args.userId,
    args.hash,
  ]);
}

/** The signed-in user changes their own password; every other session of theirs ends. */
export async function changeOwnPassword(
  ctx: ServiceContext,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const { actor } = ctx;
  const row = await ctx.db.withTenant(actor.tenantId, async (tx) => {
    const { rows } = await tx.query<{ password_hash: string | null; security_policy: SecurityPolicy }>(
      `SELECT u.password_hash, t.security_policy FROM users u JOIN tenants t ON t.tenant_id = u.tenant_id
       WHERE u.tenant_id = kam_tenant() AND u.id = $1`,
      [actor.userId],
    );
    return rows[0]!;
  });
  if (!(await verifyPassword(row.password_hash, input.currentPassword))) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: [
          {
            path: 'body.currentPassword',
            code: 'CURRENT_PASSWORD_INCORRECT',
            message: 'CURRENT_PASSWORD_INCORRECT',
          },
        ],
      },
    );
  }
  const hash = await hashPassword(input.newPassword);
  await ctx.db.withTenant(actor.tenantId, async (tx) => {
    await assertPasswordAcceptable(tx, {
      userId: actor.userId,
      login: actor.login,
      password: input.newPassword,
      policy: row.security_policy,
    });
    if (await verifyPassword(row.password_hash, input.newPassword)) {
      throw new AppError(
        'VALIDATION_FAILED',
        {},
        {
          fields: [
            {
              path: 'body.newPassword',
              code: 'PASSWORD_REUSED',
              message: 'PASSWORD_REUSED',
              params: { count: 1 },
            },
          ],
        },
      );
    }
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
