import {
  effectiveFieldRules,
  effectiveScope,
  LOCALES,
  PERMISSION_KEYS,
  parsePermissionKey,
  RESOURCES,
  type SecurityPolicy,
} from '@kam/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../access/guard.js';
import type { Actor, ServiceContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { writeAudit } from '../audit/writer.js';
import { loadActorForUser } from './actor.js';
import { auditWho, changeOwnPassword, login, logout } from './service.js';

const zScope = z.object({
  all: z.boolean(),
  self: z.boolean(),
  departments: z.array(z.string()),
  subtrees: z.array(z.string()),
});

export const zMe = z.object({
  id: z.string(),
  login: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  departmentId: z.string().nullable(),
  locale: z.enum(LOCALES),
  mustChangePassword: z.boolean(),
  passwordExpired: z.boolean(),
  organization: z.object({ id: z.string(), name: z.string() }),
  roles: z.array(z.object({ id: z.string(), key: z.string().nullable(), name: z.string() })),
  permissions: z.array(z.string()),
  scopes: z.record(z.string(), zScope),
  fieldRules: z.record(z.string(), z.record(z.string(), z.enum(['hidden', 'masked', 'readonly']))),
  csrfToken: z.string().nullable(),
  /** The organisation's password rules, for the live checklist of the password-change form. */
  passwordPolicy: z.object({ minLength: z.number(), minClasses: z.number(), disallowLogin: z.boolean() }),
});
type Me = z.infer<typeof zMe>;

/** What the UI needs to show the signed-in user and hide what they may not do. */
async function presentMe(ctx: ServiceContext, actor: Actor): Promise<Me> {
  const row = await ctx.db.withTenant(actor.tenantId, async (tx) => {
    const { rows } = await tx.query<{
      email: string | null;
      mobile: string | null;
      roles: { id: string; key: string | null; name: string }[];
      policy: SecurityPolicy;
    }>(
      `SELECT u.email, u.mobile, (SELECT t.security_policy FROM tenants t WHERE t.tenant_id = u.tenant_id) AS policy,
         coalesce((SELECT json_agg(json_build_object('id', r.id, 'key', r.key, 'name', r.name) ORDER BY r.name)
                   FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
                   WHERE ur.tenant_id = u.tenant_id AND ur.user_id = u.id), '[]') AS roles
       FROM users u WHERE u.tenant_id = kam_tenant() AND u.id = $1`,
      [actor.userId],
    );
    return rows[0]!;
  });
  const permissions: string[] = [];
  const scopes: Me['scopes'] = {};
  for (const key of PERMISSION_KEYS) {
    const { resource, action } = parsePermissionKey(key);
    const scope = effectiveScope(actor, resource, action);
    if (!scope) continue;
    permissions.push(key);
    scopes[key] = { ...scope, departments: [...scope.departments], subtrees: [...scope.subtrees] };
  }
  const fieldRules: Me['fieldRules'] = {};
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

function cookieSecure(req: FastifyRequest): boolean {
  const mode = req.server.deps.config.cookieSecure;
  return mode === 'always' || (mode === 'auto' && req.protocol === 'https');
}

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieSecure(req),
    expires: expiresAt,
  });
}

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/auth/login',
    {
      config: {
        public: true,
        rateLimit: { max: app.deps.config.loginRateLimit, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with login name and password; sets the session cookie',
        body: z.strictObject({
          login: z.string().min(1).max(64),
          password: z.string().min(1).max(256),
          organization: z.string().min(1).max(63).optional(),
        }),
        response: { 200: z.object({ user: zMe, csrfToken: z.string() }) },
      },
    },
    async (req, reply) => {
      const meta = {
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        requestId: String(req.id),
      };
      const now = app.deps.clock?.() ?? new Date();
      const { actor, session } = await login(app.deps.db, req.body, meta, now);
      req.actor = actor;
      setSessionCookie(req, reply, session.token, session.expiresAt);
      return { user: await presentMe(req.ctx, actor), csrfToken: session.csrfToken };
    },
  );

  const ending = { permission: null, allowDuringPasswordChange: true, sessionOnly: true } as const;
  app.post(
    '/auth/logout',
    { config: ending, schema: { tags: ['auth'], summary: 'End this session', response: { 204: z.null() } } },
    async (req, reply) => {
      await logout(req.ctx, false);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/auth/logout-all',
    {
      config: ending,
      schema: { tags: ['auth'], summary: 'End all my sessions on every device', response: { 204: z.null() } },
    },
    async (req, reply) => {
      await logout(req.ctx, true);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/auth/password',
    {
      config: ending,
      schema: {
        tags: ['auth'],
        summary: 'Change my password (ends my other sessions)',
        body: z.strictObject({
          currentPassword: z.string().min(1).max(256),
          newPassword: z.string().min(1).max(256),
        }),
        response: { 200: z.object({ csrfToken: z.string().nullable() }) },
      },
    },
    async (req) => {
      await changeOwnPassword(req.ctx, req.body);
      return { csrfToken: req.ctx.actor.csrfToken };
    },
  );

  app.get(
    '/me',
    {
      config: { permission: null, allowDuringPasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user with their permissions',
        response: { 200: zMe },
      },
    },
    async (req) => presentMe(req.ctx, req.ctx.actor),
  );

  app.patch(
    '/me',
    {
      config: { permission: null, sessionOnly: true },
      schema: {
        tags: ['auth'],
        summary: 'Update my language or display name',
        body: z.strictObject({
          locale: z.enum(LOCALES).optional(),
          displayName: z.string().trim().min(1).max(64).optional(),
        }),
        response: { 200: zMe },
      },
    },
    async (req) => {
      const ctx = req.ctx;
      const actor = await ctx.db.withTenant(ctx.actor.tenantId, async (tx) => {
        const before = { locale: ctx.actor.locale, displayName: ctx.actor.displayName };
        await tx.query(
          `UPDATE users SET locale = coalesce($2, locale), display_name = coalesce($3, display_name),
             version = version + 1, updated_at = $4 WHERE tenant_id = kam_tenant() AND id = $1`,
          [ctx.actor.userId, req.body.locale ?? null, req.body.displayName ?? null, ctx.now],
        );
        const changes = Object.entries(req.body)
          .filter(([k, v]) => v !== undefined && before[k as keyof typeof before] !== v)
          .map(([field, after]) => ({ field, before: before[field as keyof typeof before], after }));
        if (changes.length > 0) {
          await writeAudit(tx, auditWho(ctx), {
            action: 'user.update_self',
            entityType: 'user',
            entityId: ctx.actor.userId,
            changes,
          });
        }
        const { via, sessionId, tokenId, csrfToken } = ctx.actor;
        return loadActorForUser(tx, ctx.actor.userId, ctx.now, { via, sessionId, tokenId, csrfToken });
      });
      return presentMe(ctx, { ...actor!, tokenPermissions: ctx.actor.tokenPermissions });
    },
  );

  app.get(
    '/sessions',
    {
      config: { permission: null, sessionOnly: true },
      schema: {
        tags: ['auth'],
        summary: 'My active sessions',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                createdAt: z.string(),
                lastSeenAt: z.string(),
                ip: z.string().nullable(),
                userAgent: z.string().nullable(),
                current: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const ctx = req.ctx;
      const rows = await ctx.db.withTenant(ctx.actor.tenantId, async (tx) => {
        const { rows } = await tx.query<{
          id: string;
          created_at: Date;
          last_seen_at: Date;
          ip: string | null;
          user_agent: string | null;
        }>(
          `SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions
           WHERE tenant_id = kam_tenant() AND user_id = $1 AND revoked_at IS NULL AND expires_at > $2
           ORDER BY last_seen_at DESC LIMIT 100`,
          [ctx.actor.userId, ctx.now],
        );
        return rows;
      });
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
    },
  );
};
