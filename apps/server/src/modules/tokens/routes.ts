import { PERMISSION_KEYS, type PermissionKey, validateName, zValidated } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zIdParams, zIsoDate } from '../../http/schemas.js';
import { createToken, listOwnTokens, revokeOwnToken } from './service.js';

const zToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('first 8 characters after `kam_`, to recognise the token'),
  permissions: z.array(z.string()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const zPermissionKey = z.enum(PERMISSION_KEYS as [PermissionKey, ...PermissionKey[]], {
  error: 'PERMISSION_INVALID',
});

export const apiTokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api-tokens',
    {
      config: { permission: null },
      schema: {
        tags: ['api-tokens'],
        summary: 'My API tokens (newest first, revoked and expired included)',
        response: { 200: z.object({ items: z.array(zToken) }) },
      },
    },
    async (req) => listOwnTokens(req.ctx),
  );

  app.post(
    '/api-tokens',
    {
      config: { permission: 'api_token.create', sessionOnly: true },
      schema: {
        tags: ['api-tokens'],
        summary: 'Create a personal API token; the secret is shown only in this response',
        description:
          'Use it as `Authorization: Bearer <secret>`. The token can use only the listed permissions, and never ' +
          'more than its owner currently holds; it stops working when revoked, expired, or when the owner is ' +
          'disabled. A token cannot create tokens. Permissions the owner lacks → 400 TOKEN_PERMISSION_EXCEEDED.',
        body: z.strictObject({
          name: zValidated((s) => validateName(s), 'NAME_INVALID'),
          permissions: z
            .array(zPermissionKey)
            .min(1, 'REQUIRED')
            .max(PERMISSION_KEYS.length * 2, 'OUT_OF_RANGE'),
          expiresAt: zIsoDate.optional().describe('ISO date-time in the future; omitted = no expiry'),
        }),
        response: { 201: z.object({ token: zToken, secret: z.string() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await createToken(req.ctx, req.body)),
  );

  app.delete(
    '/api-tokens/:id',
    {
      config: { permission: null },
      schema: {
        tags: ['api-tokens'],
        summary: 'Revoke one of my API tokens',
        params: zIdParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await revokeOwnToken(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
