import { randomUUID } from 'node:crypto';
import type { SecurityPolicy } from '@kam/domain';
import type { Tx } from '../../db/database.js';
import { newSecret, sha256 } from './crypto.js';

export interface NewSession {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Creates a session; only the token's hash is stored. */
export async function createSession(
  tx: Tx,
  args: {
    tenantId: string;
    userId: string;
    ip: string | null;
    userAgent: string | null;
    now: Date;
    policy: SecurityPolicy;
  },
): Promise<NewSession> {
  const token = newSecret();
  const csrfToken = newSecret();
  const id = randomUUID();
  const expiresAt = new Date(args.now.getTime() + args.policy.sessionAbsoluteHours * 3_600_000);
  await tx.query(
    `INSERT INTO sessions (tenant_id, id, user_id, token_hash, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
    [
      args.tenantId,
      id,
      args.userId,
      sha256(token),
      csrfToken,
      args.ip,
      args.userAgent?.slice(0, 500) ?? null,
      args.now,
      expiresAt,
    ],
  );
  return { id, token, csrfToken, expiresAt };
}

/** Revokes a user's sessions, optionally keeping one (the caller's). Returns how many ended. */
export async function revokeUserSessions(
  tx: Tx,
  userId: string,
  now: Date,
  exceptSessionId?: string | null,
): Promise<number> {
  const { rowCount } = await tx.query(
    `UPDATE sessions SET revoked_at = $2
     WHERE tenant_id = kam_tenant() AND user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
    [userId, now, exceptSessionId ?? null],
  );
  return rowCount ?? 0;
}
