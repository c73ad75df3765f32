import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { zIdParams } from '../../http/schemas.js';
import { zNotification, zNotificationListQuery, zNotificationPage, zReadAllResult } from './schemas.js';
import { listNotifications, markAllNotificationsRead, markNotificationRead } from './service.js';

const tags = ['notifications'];

/** My in-app notifications: any signed-in user, own notifications only. */
export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notifications',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'My notifications, newest first (unread=true: unread only), with the unread count',
        querystring: zNotificationListQuery,
        response: { 200: zNotificationPage },
      },
    },
    async (req) => listNotifications(req.ctx, req.query, req.locale),
  );

  app.post(
    '/notifications/read-all',
    {
      config: { permission: null },
      schema: { tags, summary: 'Mark all my notifications read', response: { 200: zReadAllResult } },
    },
    async (req) => markAllNotificationsRead(req.ctx),
  );

  app.post(
    '/notifications/:id/read',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'Mark one of my notifications read',
        params: zIdParams,
        response: { 200: zNotification },
      },
    },
    async (req) => markNotificationRead(req.ctx, req.params.id, req.locale),
  );
};
