import {
  type FieldRule,
  type Grant,
  isPasswordExpired,
  isSessionExpired,
  type Locale,
  type PermissionKey,
  type SecurityPolicy,
} from '@kam/domain';
import type { Actor } from '../../context.js';
import type { Database, PreparedLookup, Tx } from '../../db/database.js';
import { sha256 } from './crypto.js';

interface ActorRow {
  tenant_id: string;
  user_id: string;
  login: string;
  display_name: string;
  department_id: string | null;
  department_path: string[] | null;
  locale: Locale;
  status: 'active' | 'disabled' | 'locked';
  must_change_password: boolean;
  password_changed_at: Date | null;
  tenant_name: string;
  security_policy: SecurityPolicy;
  roles: { roleId: string; grants: Grant[]; fieldRules: FieldRule[] }[];
}

/** The user columns, department path, organisation policy and roles of a user, in one statement. */
const ACTOR_SELECT = `
  u.tenant_id, u.id AS user_id, u.login, u.display_name, u.department_id, d.path AS department_path,
  u.locale, u.status, u.must_change_password, u.password_changed_at,
  t.name AS tenant_name, t.security_policy,
  coalesce((SELECT json_agg(json_build_object('roleId', r.id, 'grants', r.grants, 'fieldRules', r.field_rules))
            FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
            WHERE ur.tenant_id = u.tenant_id AND ur.user_id = u.id), '[]') AS roles`;
const ACTOR_JOINS = `
  JOIN tenants t ON t.tenant_id = u.tenant_id
  LEFT JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id`;

/** Session resolution: switch the transaction to the session's tenant, then read it with its user. */
const SESSION_LOOKUP: readonly PreparedLookup[] = [
  {
    name: 'kam_session_tenant',
    text: `SELECT set_config('kam.tenant_id', tenant_id::text, true) FROM sessions WHERE token_hash = $1`,
  },
  {
    name: 'kam_session_actor',
    text: `SELECT s.id AS session_id, s.csrf_token, s.created_at, s.last_seen_at, s.revoked_at, ${ACTOR_SELECT}
     FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id ${ACTOR_JOINS}
     WHERE s.tenant_id = kam_tenant() AND s.token_hash = $1`,
  },
];

/** API token resolution, the same way. */
const TOKEN_LOOKUP: readonly PreparedLookup[] = [
  {
    name: 'kam_token_tenant',
    text: `SELECT set_config('kam.tenant_id', tenant_id::text, true) FROM api_tokens WHERE token_hash = $1`,
  },
  {
    name: 'kam_token_actor',
    text: `SELECT k.id AS token_id, k.permissions, k.expires_at, k.revoked_at, k.last_used_at, ${ACTOR_SELECT}
     FROM api_tokens k JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.user_id ${ACTOR_JOINS}
     WHERE k.tenant_id = kam_tenant() AND k.token_hash = $1`,
  },
];

function toActor(
  row: ActorRow,
  now: Date,
  via: Pick<Actor, 'via' | 'sessionId' | 'tokenId' | 'csrfToken'> & { tokenPermissions?: PermissionKey[] },
): Actor {
  return {
    tenantId: row.tenant_id,
    userId: row.user_id,
    login: row.login,
    displayName: row.display_name,
    departmentId: row.department_id,
    departmentPath: row.department_path ?? [],
    locale: row.locale,
    roles: row.roles,
    mustChangePassword: row.must_change_password,
    passwordExpired:
      row.password_changed_at !== null &&
      isPasswordExpired(row.password_changed_at, now, row.security_policy),
    organization: { id: row.tenant_id, name: row.tenant_name },
    ...via,
  };
}

export async function loadActorForUser(
  tx: Tx,
  userId: string,
  now: Date,
  via: Pick<Actor, 'via' | 'sessionId' | 'tokenId' | 'csrfToken'>,
): Promise<Actor | null> {
  const { rows } = await tx.query<ActorRow>(
    `SELECT ${ACTOR_SELECT} FROM users u ${ACTOR_JOINS} WHERE u.tenant_id = kam_tenant() AND u.id = $1`,
    [userId],
  );
  return rows[0] ? toActor(rows[0], now, via) : null;
}

/**
 * A user as the actor of work outside any request — a background job acting for whoever started it, the
 * demo's install acting as its super admin: no session, no token. Null when the user is gone.
 */
export function loadWorkerActor(
  db: Database,
  tenantId: string,
  userId: string,
  now: Date,
): Promise<Actor | null> {
  return db.withTenant(tenantId, (tx) =>
    loadActorForUser(tx, userId, now, { via: 'session', sessionId: null, tokenId: null, csrfToken: null }),
  );
}

export type Resolution = { actor: Actor } | { error: 'SESSION_EXPIRED' | 'AUTH_REQUIRED' };

/** Resolves a session cookie value: checks revocation, idle and absolute expiry, user status. */
export async function resolveSession(db: Database, token: string, now: Date): Promise<Resolution> {
  const hash = sha256(token);
  // One round trip: find the tenant of the secret and switch the transaction to it, then read the
  // session with its user, department path, roles and organisation policy.
  const [found, rows] = (await db.lookupOnce({ hash }, SESSION_LOOKUP, hash)) as [unknown[], SessionRow[]];
  if (found.length !== 1) return { error: 'AUTH_REQUIRED' };
  const row = rows[0];
  if (!row || row.revoked_at) return { error: 'SESSION_EXPIRED' };
  // Idle and absolute limits come from the organisation's current policy, so a stricter policy
  // applies to running sessions at once.
  const session = { createdAt: row.created_at, lastSeenAt: row.last_seen_at };
  if (row.status !== 'active' || isSessionExpired(session, now, row.security_policy)) {
    await db.withTenant(row.tenant_id, (tx) =>
      tx.query('UPDATE sessions SET revoked_at = $2 WHERE tenant_id = kam_tenant() AND id = $1', [
        row.session_id,
        now,
      ]),
    );
    return { error: 'SESSION_EXPIRED' };
  }
  // Touch at most every 30 s: enough precision for the idle timeout, few writes.
  if (now.getTime() - row.last_seen_at.getTime() > 30_000) {
    await db.withTenant(row.tenant_id, (tx) =>
      tx.query('UPDATE sessions SET last_seen_at = $2 WHERE tenant_id = kam_tenant() AND id = $1', [
        row.session_id,
        now,
      ]),
    );
  }
  return {
    actor: toActor(row, now, {
      via: 'session',
      sessionId: row.session_id,
      tokenId: null,
      csrfToken: row.csrf_token,
    }),
  };
}

type SessionRow = ActorRow & {
  session_id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  revoked_at: Date | null;
};

type TokenRow = ActorRow & {
  token_id: string;
  permissions: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

/** Resolves an API token (`Authorization: Bearer kam_…`). */
export async function resolveApiToken(db: Database, token: string, now: Date): Promise<Resolution> {
  const hash = sha256(token);
  // One round trip, as for sessions.
  const [found, rows] = (await db.lookupOnce({ hash }, TOKEN_LOOKUP, hash)) as [unknown[], TokenRow[]];
  if (found.length !== 1) return { error: 'AUTH_REQUIRED' };
  const row = rows[0];
  if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now) || row.status !== 'active') {
    return { error: 'AUTH_REQUIRED' };
  }
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 30_000) {
    await db.withTenant(row.tenant_id, (tx) =>
      tx.query('UPDATE api_tokens SET last_used_at = $2 WHERE tenant_id = kam_tenant() AND id = $1', [
        row.token_id,
        now,
      ]),
    );
  }
  const actor = toActor(row, now, {
    via: 'token',
    sessionId: null,
    tokenId: row.token_id,
    csrfToken: null,
  });
  // A token never needs the interactive password change; it is bounded by its own permissions.
  return {
    actor: {
      ...actor,
      mustChangePassword: false,
      passwordExpired: false,
      tokenPermissions: row.permissions as PermissionKey[],
    },
  };
}
