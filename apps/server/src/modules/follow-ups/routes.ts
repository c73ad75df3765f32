import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

export const followUpRoutes: FastifyPluginAsyncZod = async () => {};
