import { type Locale, pinyinKey, type SecurityPolicy } from '@kam/domain';
import type { Tx } from '../../db/database.js';

/** All SQL of sign-in, passwords and the signed-in user's own account. */

export interface LoginUserRow {
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

const LOGIN_USER = `
  SELECT u.id, u.login, u.display_name, u.status, u.password_hash, u.failed_login_count,
         u.failed_window_start, u.locked_at, u.tenant_id, t.security_policy
  FROM users u JOIN tenants t ON t.tenant_id = u.tenant_id
  WHERE u.tenant_id = kam_tenant()`;

/** In a lookup transaction: the organisation by sign-in code, switching the transaction to it. */
export async function enterTenantBySlug(tx: Tx, slug: string): Promise<string | null> {
  const { rows } = await tx.query<{ tenant_id: string }>(
    `SELECT tenant_id, set_config('kam.tenant_id', tenant_id::text, true) FROM tenants WHERE slug = $1`,
    [slug],
  );
  return rows[0]?.tenant_id ?? null;
}

export async function findLoginUser(tx: Tx, login: string): Promise<LoginUserRow | null> {
  const { rows } = await tx.query<LoginUserRow>(`${LOGIN_USER} AND lower(u.login) = lower($1)`, [login]);
  return rows[0] ?? null;
}

/** Re-read under a row lock, so concurrent attempts count every failure. */
export async function lockLoginUser(tx: Tx, id: string): Promise<LoginUserRow> {
  const { rows } = await tx.query<LoginUserRow>(`${LOGIN_USER} AND u.id = $1 FOR UPDATE OF u`, [id]);
  return rows[0]!;
}

export async function unlockUser(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE users SET status = 'active', locked_at = NULL, failed_login_count = 0, failed_window_start = NULL,
       version = version + 1, updated_at = $2 WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, now],
  );
}

export async function recordLoginFailure(
  tx: Tx,
  id: string,
  counter: { failures: number; windowStart: Date | null },
  lock: boolean,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE users SET failed_login_count = $2, failed_window_start = $3,
       status = CASE WHEN $4 THEN 'locked' ELSE status END,
       locked_at = CASE WHEN $4 THEN $5::timestamptz ELSE locked_at END,
       version = CASE WHEN $4 THEN version + 1 ELSE version END
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, counter.failures, counter.windowStart, lock, now],
  );
}

export async function recordLoginSuccess(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE users SET failed_login_count = 0, failed_window_start = NULL, last_login_at = $2
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [id, now],
  );
}

export async function endSession(tx: Tx, sessionId: string, now: Date): Promise<void> {
  await tx.query('UPDATE sessions SET revoked_at = $2 WHERE tenant_id = kam_tenant() AND id = $1', [
    sessionId,
    now,
  ]);
}

export async function passwordState(
  tx: Tx,
  userId: string,
): Promise<{ password_hash: string | null; security_policy: SecurityPolicy }> {
  const { rows } = await tx.query<{ password_hash: string | null; security_policy: SecurityPolicy }>(
    `SELECT u.password_hash, t.security_policy FROM users u JOIN tenants t ON t.tenant_id = u.tenant_id
     WHERE u.tenant_id = kam_tenant() AND u.id = $1`,
    [userId],
  );
  return rows[0]!;
}

export async function recentPasswordHashes(tx: Tx, userId: string, count: number): Promise<string[]> {
  const { rows } = await tx.query<{ hash: string }>(
    `SELECT hash FROM password_history WHERE tenant_id = kam_tenant() AND user_id = $1
     ORDER BY created_at DESC LIMIT $2`,
    [userId, count],
  );
  return rows.map((r) => r.hash);
}

export async function storePassword(
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

export interface MeRow {
  email: string | null;
  mobile: string | null;
  roles: { id: string; key: string | null; name: string }[];
  policy: SecurityPolicy;
}

export async function meDetails(tx: Tx, userId: string): Promise<MeRow> {
  const { rows } = await tx.query<MeRow>(
    `SELECT u.email, u.mobile, t.security_policy AS policy,
       coalesce((SELECT json_agg(json_build_object('id', r.id, 'key', r.key, 'name', r.name) ORDER BY r.name)
                 FROM user_roles ur JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
                 WHERE ur.tenant_id = u.tenant_id AND ur.user_id = u.id), '[]') AS roles
     FROM users u JOIN tenants t ON t.tenant_id = u.tenant_id
     WHERE u.tenant_id = kam_tenant() AND u.id = $1`,
    [userId],
  );
  return rows[0]!;
}

export async function updateProfile(
  tx: Tx,
  userId: string,
  change: { locale?: Locale | undefined; displayName?: string | undefined },
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE users SET locale = coalesce($2, locale), display_name = coalesce($3, display_name),
       name_pinyin = coalesce($5, name_pinyin), version = version + 1, updated_at = $4
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [
      userId,
      change.locale ?? null,
      change.displayName ?? null,
      now,
      change.displayName ? pinyinKey(change.displayName) : null,
    ],
  );
}

export interface SessionRow {
  id: string;
  created_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export async function activeSessions(tx: Tx, userId: string, now: Date): Promise<SessionRow[]> {
  const { rows } = await tx.query<SessionRow>(
    `SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions
     WHERE tenant_id = kam_tenant() AND user_id = $1 AND revoked_at IS NULL AND expires_at > $2
     ORDER BY last_seen_at DESC LIMIT 100`,
    [userId, now],
  );
  return rows;
}
