import type { ActorContext, Locale } from '@kam/domain';
import type { Database, Tx } from './db/database.js';

/** Who is acting: a signed-in user (session) or an integration (API token) acting for a user. */
export interface Actor extends ActorContext {
  tenantId: string;
  userId: string;
  login: string;
  displayName: string;
  departmentId: string | null;
  /** ids of the actor's department and its ancestors, root first */
  departmentPath: string[];
  locale: Locale;
  via: 'session' | 'token';
  sessionId: string | null;
  tokenId: string | null;
  csrfToken: string | null;
  mustChangePassword: boolean;
  passwordExpired: boolean;
  organization: { id: string; name: string };
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/** What a service needs to act for a request. Services never see HTTP. */
export interface ServiceContext {
  actor: Actor;
  meta: RequestMeta;
  db: Database;
  now: Date;
}

export function inTenant<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.withTenant(ctx.actor.tenantId, fn);
}

/** `inTenant` for a read of exactly one statement, in one round trip (`Database.readOnce`). */
export function readInTenant<T>(ctx: ServiceContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.db.readOnce(ctx.actor.tenantId, fn);
}
