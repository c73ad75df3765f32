import type { Tx } from '../../db/database.js';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, permissions, created_at, last_used_at, expires_at, revoked_at';

/** A user's tokens, newest first (bounded: see MAX_ACTIVE_TOKENS and the list limit). */
export async function listUserTokens(tx: Tx, userId: string, limit: number): Promise<TokenRow[]> {
  const { rows } = await tx.query<TokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE tenant_id = kam_tenant() AND user_id = $1
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [userId, limit],
  );
  return rows;
}

/** Tokens of the user that still work (not revoked, not expired). */
export async function countActiveTokens(tx: Tx, userId: string, now: Date): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM api_tokens WHERE tenant_id = kam_tenant() AND user_id = $1
       AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
    [userId, now],
  );
  return rows[0]?.n ?? 0;
}

export async function insertToken(
  tx: Tx,
  t: {
    id: string;
    userId: string;
    name: string;
    prefix: string;
    hash: string;
    permissions: string[];
    expiresAt: Date | null;
    now: Date;
  },
): Promise<TokenRow> {
  const { rows } = await tx.query<TokenRow>(
    `INSERT INTO api_tokens (tenant_id, id, user_id, name, prefix, token_hash, permissions, created_at, expires_at)
     VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [t.id, t.userId, t.name, t.prefix, t.hash, t.permissions, t.now, t.expiresAt],
  );
  return rows[0]!;
}

/** The user's own token, locked; null for unknown ids and other users' tokens. */
export async function lockUserToken(tx: Tx, id: string, userId: string): Promise<TokenRow | null> {
  const { rows } = await tx.query<TokenRow>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE tenant_id = kam_tenant() AND id = $1 AND user_id = $2 FOR UPDATE`,
    [id, userId],
  );
  return rows[0] ?? null;
}

export async function revokeToken(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.query(
    'UPDATE api_tokens SET revoked_at = $2 WHERE tenant_id = kam_tenant() AND id = $1 AND revoked_at IS NULL',
    [id, now],
  );
}

/** Whether a token with this id exists in the organisation (whoever owns it). */
export async function tokenExists(tx: Tx, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('SELECT 1 FROM api_tokens WHERE tenant_id = kam_tenant() AND id = $1', [
    id,
  ]);
  return rowCount === 1;
}
