import { timingSafeEqual } from 'node:crypto';
import { can, type Locale, type PermissionKey } from '@kam/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, ServiceContext } from '../context.js';
import type { Database } from '../db/database.js';
import { AppError } from '../http/errors.js';
import { resolveApiToken, resolveSession } from '../modules/auth/actor.js';

export const SESSION_COOKIE = 'kam_session';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** true: reachable without signing in. */
    public?: boolean;
    /**
     * What the route requires: a permission key, or null for "any signed-in user" (own data only).
     * Every non-public route must say which — a route without it fails at start-up.
     */
    permission?: PermissionKey | null;
    /** Reachable while the user must change their password (the change itself, logout, /me). */
    allowDuringPasswordChange?: boolean;
    /**
     * Only for a signed-in person, not an API token: managing one's own sessions, password,
     * profile and tokens is not something an integration does.
     */
    sessionOnly?: boolean;
  }
  interface FastifyInstance {
    /** Every /api route with its declared access rule, for the permission-matrix test and docs. */
    kamRoutes: RouteAccess[];
  }
  interface FastifyRequest {
    actor: Actor | null;
    locale: Locale;
    /** The service context of a signed-in request; throws on public routes. */
    ctx: ServiceContext;
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  public: boolean;
  permission: PermissionKey | null;
}

export function requestLocale(req: FastifyRequest, actor: Actor | null): Locale {
  const header = String(req.headers['accept-language'] ?? '')
    .trim()
    .toLowerCase();
  if (header.startsWith('en')) return 'en';
  if (header.startsWith('zh')) return 'zh-CN';
  return actor?.locale ?? 'zh-CN';
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The single place where requests are authenticated and route-level permissions enforced.
 * Record-level scope is enforced in SQL by `scopePredicate` (access/scope-sql.ts), field rules by
 * `access/fields.ts`; both take the actor this guard establishes.
 */
export function installGuard(app: FastifyInstance, db: Database, clock: () => Date): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'zh-CN');

  const routes: RouteAccess[] = [];
  app.decorate('kamRoutes', routes);
  app.addHook('onRoute', (route) => {
    const cfg = route.config as { public?: boolean; permission?: PermissionKey | null } | undefined;
    if (!route.url.startsWith('/api/')) return;
    if (route.url.startsWith('/api/v1/') && !cfg?.public && cfg?.permission === undefined) {
      throw new Error(
        `Route ${route.method} ${route.url} must declare config.permission (or null) or public`,
      );
    }
    for (const method of [route.method].flat()) {
      if (
        method === 'HEAD' ||
        ((route.schema as { hide?: boolean } | undefined)?.hide === true &&
          !route.url.endsWith('openapi.json'))
      )
        continue;
      routes.push({
        method,
        url: route.url,
        public: cfg?.public === true,
        permission: cfg?.permission ?? null,
      });
    }
  });

  app.addHook('onRequest', async (req) => {
    req.locale = requestLocale(req, null);
    const cfg = req.routeOptions.config;
    if (!req.url.startsWith('/api/v1/') || cfg.public) return;

    const now = clock();
    const authz = req.headers.authorization;
    let resolution: Awaited<ReturnType<typeof resolveSession>> | undefined;
    if (authz?.startsWith('Bearer ')) {
      resolution = await resolveApiToken(db, authz.slice(7).trim(), now);
    } else {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) resolution = await resolveSession(db, cookie, now);
    }
    if (!resolution) throw new AppError('AUTH_REQUIRED');
    if ('error' in resolution) throw new AppError(resolution.error);
    const actor = resolution.actor;
    req.actor = actor;
    req.locale = requestLocale(req, actor);

    if (actor.via === 'session' && MUTATING.has(req.method)) {
      const header = req.headers['x-csrf-token'];
      if (typeof header !== 'string' || !actor.csrfToken || !sameSecret(header, actor.csrfToken)) {
        throw new AppError('CSRF_INVALID', {}, undefined, { reason: 'csrf' });
      }
    }
    if (cfg.sessionOnly && actor.via !== 'session') {
      throw new AppError('FORBIDDEN', {}, undefined, { reason: 'session_only' });
    }
    if ((actor.mustChangePassword || actor.passwordExpired) && !cfg.allowDuringPasswordChange) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED');
    }
    const permission = cfg.permission;
    if (permission && !can(actor, permission)) {
      throw new AppError('FORBIDDEN', { permission }, undefined, { permission });
    }
  });

  app.decorateRequest('ctx', {
    getter(this: FastifyRequest): ServiceContext {
      if (!this.actor) throw new Error('request.ctx used on a route without a signed-in actor');
      return {
        actor: this.actor,
        db,
        now: clock(),
        meta: {
          ip: this.ip ?? null,
          userAgent: typeof this.headers['user-agent'] === 'string' ? this.headers['user-agent'] : null,
          requestId: String(this.id),
        },
      };
    },
  });
}
