import { zSecurityPolicy } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zVersion } from '../../http/schemas.js';
import { getSecurityPolicy, securityPolicyPresets, updateSecurityPolicy } from './service.js';

const zPolicyOut = z.object({
  passwordMinLength: z.number().int(),
  passwordMinClasses: z.number().int(),
  passwordDisallowLogin: z.boolean(),
  passwordMaxAgeDays: z.number().int(),
  passwordHistory: z.number().int(),
  lockoutThreshold: z.number().int(),
  lockoutWindowMinutes: z.number().int(),
  lockoutDurationMinutes: z.number().int(),
  sessionIdleMinutes: z.number().int(),
  sessionAbsoluteHours: z.number().int(),
  forceChangeOnFirstLogin: z.boolean(),
});

const zPolicyView = z.object({
  policy: zPolicyOut,
  preset: z.enum(['default', 'mlps2', 'custom']).describe('the preset the policy equals, else custom'),
  version: z.number().int(),
});

export const organizationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/security-policy',
    {
      config: { permission: 'tenant.view' },
      schema: {
        tags: ['organization'],
        summary: 'The organisation security policy (passwords, lockout, session timeouts)',
        response: { 200: zPolicyView },
      },
    },
    async (req) => getSecurityPolicy(req.ctx),
  );

  app.get(
    '/security-policy/presets',
    {
      config: { permission: 'tenant.view' },
      schema: {
        tags: ['organization'],
        summary: 'The built-in policy presets: default and MLPS 2.0 (等保 2.0 level 3)',
        response: { 200: z.object({ default: zPolicyOut, mlps2: zPolicyOut }) },
      },
    },
    async () => securityPolicyPresets(),
  );

  app.put(
    '/security-policy',
    {
      config: { permission: 'tenant.configure' },
      schema: {
        tags: ['organization'],
        summary: 'Replace the security policy; applies immediately (also to running sessions)',
        body: z.strictObject({ version: zVersion, policy: zSecurityPolicy }),
        response: { 200: zPolicyView },
      },
    },
    async (req) => updateSecurityPolicy(req.ctx, req.body),
  );
};
