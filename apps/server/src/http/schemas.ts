import { z } from 'zod';

/** Shared API schemas: pagination, ids, versions. */
export const zId = z.uuid();
export const zIdParams = z.strictObject({ id: z.uuid() });
export const zVersion = z.number().int().min(1);
export const zVersionQuery = z.strictObject({ version: z.coerce.number().int().min(1) });
export const zIsoDate = z.iso.datetime({ offset: true });

export const MAX_PAGE_SIZE = 200;
export const zPageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(500).optional(),
};

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** Keyset cursor: opaque base64url of the sort values of the last row. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch {}
  return null;
}

/**
 * A keyset page from `limit + 1` fetched rows: the extra row only tells that more follow; the
 * cursor holds the sort values of the last row shown.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
  cursorOf: (row: R) => unknown[],
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}
