/** HTTP contract of in-app notifications (my own notifications only). */
import { z } from 'zod';
import { zPageQuery } from '../../http/schemas.js';

export const zNotificationListQuery = z.strictObject({
  unread: z
    .preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean().optional())
    .describe('true: unread only'),
  ...zPageQuery,
});

/**
 * One in-app notification. `title` and `body` are in the reader's language; `kind` and `data` let the
 * UI link it (e.g. `kind: 'approval.step_started'`, `entityType: 'approval_request'`, `entityId`).
 */
export const zNotification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  /** who caused it; null for the system (time limits) */
  actorName: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

export const zNotificationPage = z.object({
  items: z.array(zNotification),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});

export const zReadAllResult = z.object({ updated: z.number().int() });
