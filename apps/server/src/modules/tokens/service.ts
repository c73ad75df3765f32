import { randomUUID } from 'node:crypto';
import { PERMISSION_KEYS, type PermissionKey, permissionsExceeding } from '@kam/domain';
import { denyRecord } from '../../access/deny.js';
import { inTenant, type ServiceContext } from '../../context.js';
import { AppError } from '../../http/errors.js';
import { writeAudit } from '../audit/writer.js';
import { newSecret, sha256 } from '../auth/crypto.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo.js';

/** Working (unrevoked, unexpired) tokens one user may have at a time. */
export const MAX_ACTIVE_TOKENS = 50;
/** How many of a user's tokens the list shows (newest first, revoked and expired included). */
export const TOKEN_LIST_LIMIT = 200;
export const TOKEN_PREFIX = 'kam_';

export interface ApiToken {
  id: string;
  name: string;
  /** The first 8 characters after `kam_`, to recognise a token; not enough to use it. */
  prefix: string;
  permissions: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function present(row: repo.TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    permissions: row.permissions,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: iso(row.last_used_at),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
  };
}

export async function listOwnTokens(ctx: ServiceContext): Promise<{ items: ApiToken[] }> {
  const rows = await inTenant(ctx, (tx) => repo.listUserTokens(tx, ctx.actor.userId, TOKEN_LIST_LIMIT));
  return { items: rows.map(present) };
}

/**
 * Creates a personal API token. Rules: only from a signed-in session (a token cannot mint tokens);
 * the permissions must be keys the user holds right now (and stay bounded by the user's current
 * rights and status whenever the token is used); an expiry, when given, lies in the future; at most
 * MAX_ACTIVE_TOKENS working tokens per user. The secret is returned once and stored only as SHA-256.
 */
export async function createToken(
  ctx: ServiceContext,
  input: { name: string; permissions: PermissionKey[]; expiresAt?: string | undefined },
): Promise<{ token: ApiToken; secret: string }> {
  const { actor } = ctx;
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= ctx.now.getTime()) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: [{ path: 'body.expiresAt', code: 'OUT_OF_RANGE', message: 'OUT_OF_RANGE' }],
      },
    );
  }
  const requested = new Set(input.permissions);
  const permissions = PERMISSION_KEYS.filter((key) => requested.has(key));
  const exceeding = permissionsExceeding(actor, permissions);
  if (exceeding.length > 0) throw new AppError('TOKEN_PERMISSION_EXCEEDED', {}, { permissions: exceeding });

  const secret = `${TOKEN_PREFIX}${newSecret()}`;
  const prefix = secret.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 8);
  return inTenant(ctx, async (tx) => {
    if ((await repo.countActiveTokens(tx, actor.userId, ctx.now)) >= MAX_ACTIVE_TOKENS) {
      throw new AppError('CONFLICT', {}, { reason: 'TOO_MANY_TOKENS', max: MAX_ACTIVE_TOKENS });
    }
    const row = await repo.insertToken(tx, {
      id: randomUUID(),
      userId: actor.userId,
      name: input.name,
      prefix,
      hash: sha256(secret),
      permissions,
      expiresAt,
      now: ctx.now,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'api_token.create',
      entityType: 'api_token',
      entityId: row.id,
      details: { name: row.name, prefix, permissions, expiresAt: iso(expiresAt) },
    });
    return { token: present(row), secret };
  });
}

/** Revokes one of the user's own tokens (idempotent); other users' tokens answer 404. */
export async function revokeOwnToken(ctx: ServiceContext, id: string): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const row = await repo.lockUserToken(tx, id, ctx.actor.userId);
    // Another user's token is out of scope: 404 as if it did not exist, but recorded.
    if (!row) throw denyRecord('api_token', id, (await repo.tokenExists(tx, id)) ? 'invisible' : 'missing');
    if (row.revoked_at) return;
    await repo.revokeToken(tx, id, ctx.now);
    await writeAudit(tx, auditWho(ctx), {
      action: 'api_token.revoke',
      entityType: 'api_token',
      entityId: id,
      details: { name: row.name, prefix: row.prefix },
    });
  });
}
