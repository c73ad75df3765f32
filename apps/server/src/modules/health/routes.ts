import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['embedded', 'server']),
            version: z.string(),
          }),
          503: z.object({
            status: z.literal('unavailable'),
            database: z.enum(['embedded', 'server']),
            version: z.string(),
          }),
        },
      },
    },
    async (_req, reply) => {
      const { db } = app.deps;
      const version = process.env.npm_package_version ?? '0.1.0';
      try {
        await db.pool.query('SELECT 1');
        return { status: 'ok' as const, database: db.kind, version };
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, database: db.kind, version });
      }
    },
  );

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
};
