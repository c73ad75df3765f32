import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { denyRecord } from '../../access/deny.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo/saved-views.js';
import type { CustomerFilter, zSavedView } from './schemas.js';
import { fieldError } from './service.js';

export type SavedView = z.infer<typeof zSavedView>;

const present = (r: repo.ViewRow): SavedView => ({
  id: r.id,
  name: r.name,
  filters: r.filters,
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

function nameTaken(ctx: ServiceContext, err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint === repo.VIEW_NAME_KEY) {
    throw new AppError(
      'CONFLICT',
      {},
      { reason: 'SAVED_VIEW_NAME_TAKEN', ...fieldError(ctx, 'body.name', 'CONFLICT') },
    );
  }
  throw err;
}

/** The actor's own view (another user's answers 404 like a missing one). */
async function ownView(tx: Tx, ctx: ServiceContext, id: string): Promise<repo.ViewRow> {
  const row = await repo.findViewForUpdate(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  if (row.user_id !== ctx.actor.userId) throw denyRecord('saved_view', id, 'invisible');
  return row;
}

export async function listSavedViews(
  ctx: ServiceContext,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: SavedView[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 2);
  if (q.cursor && (!raw || typeof raw[0] !== 'string' || typeof raw[1] !== 'string')) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  const after = raw ? ([raw[0], raw[1]] as [string, string]) : null;
  const rows = await inTenant(ctx, (tx) => repo.selectViewPage(tx, ctx.actor.userId, after, q.limit + 1));
  return toPage(rows, q.limit, present, (r) => [r.name_key, r.id]);
}

export async function createSavedView(
  ctx: ServiceContext,
  input: { name: string; filters: CustomerFilter },
): Promise<SavedView> {
  return inTenant(ctx, async (tx) => {
    const id = randomUUID();
    const row = await repo
      .insertView(tx, {
        id,
        userId: ctx.actor.userId,
        name: input.name,
        filters: input.filters,
        now: ctx.now,
      })
      .catch((err) => nameTaken(ctx, err));
    await writeAudit(tx, auditWho(ctx), {
      action: 'saved_view.create',
      entityType: 'saved_view',
      entityId: id,
      details: { name: input.name },
    });
    return present(row);
  });
}

export async function updateSavedView(
  ctx: ServiceContext,
  id: string,
  input: { version: number; name?: string | undefined; filters?: CustomerFilter | undefined },
): Promise<SavedView> {
  return inTenant(ctx, async (tx) => {
    const before = await ownView(tx, ctx, id);
    if (before.version !== input.version) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    const row = await repo
      .updateView(tx, id, input.version, {
        name: input.name ?? before.name,
        filters: input.filters ?? before.filters,
        now: ctx.now,
      })
      .catch((err) => nameTaken(ctx, err));
    if (!row) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'saved_view.update',
      entityType: 'saved_view',
      entityId: id,
      changes:
        input.name !== undefined && input.name !== before.name
          ? [{ field: 'name', before: before.name, after: input.name }]
          : null,
    });
    return present(row);
  });
}

export async function deleteSavedView(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const before = await ownView(tx, ctx, id);
    if (before.version !== version)
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    await repo.deleteView(tx, id);
    await writeAudit(tx, auditWho(ctx), {
      action: 'saved_view.delete',
      entityType: 'saved_view',
      entityId: id,
      details: { name: before.name },
    });
  });
}
