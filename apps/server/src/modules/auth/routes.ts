import { LOCALES } from '@kam/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SESSION_COOKIE } from '../../access/guard.js';
import { changeOwnPassword, describeMe, listMySessions, login, logout, updateMe } from './service.js';

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
      return { user: await describeMe(req.ctx, actor), csrfToken: session.csrfToken };
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
    async (req) => describeMe(req.ctx),
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
    async (req) => updateMe(req.ctx, req.body),
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
    async (req) => listMySessions(req.ctx),
  );
};
