import { validateName, zFieldRule, zGrant, zValidated } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import { createRole, deleteRole, getRole, listRoles, permissionCatalog, updateRole } from './service.js';

const zLabel = z.object({ zh: z.string(), en: z.string() });

const zCatalog = z.object({
  actions: z.array(z.object({ key: z.string(), label: zLabel })),
  scopes: z.array(z.object({ key: z.string(), label: zLabel })),
  resources: z.array(
    z.object({
      key: z.string(),
      label: zLabel,
      scoped: z.boolean().describe('record resource: every grant carries a data scope'),
      actions: z.array(z.string()),
      fields: z.array(
        z.object({
          key: z.string(),
          label: zLabel,
          sensitivity: z.enum(['mobile', 'email', 'text', 'none']),
        }),
      ),
    }),
  ),
});

const zGrantOut = z.object({
  resource: z.string(),
  action: z.string(),
  scope: z.string().optional(),
  departmentIds: z.array(z.string()).readonly().optional(),
});
const zFieldRuleOut = z.object({
  resource: z.string(),
  field: z.string(),
  rule: z.enum(['hidden', 'masked', 'readonly']),
});

export const zRole = z.object({
  id: z.string(),
  key: z.string().nullable().describe('built-in role key; null for custom roles'),
  builtin: z.boolean().describe('built-in roles are read-only (copy them to adjust)'),
  name: z.string(),
  description: z.string(),
  userCount: z.number().int(),
  version: z.number().int(),
  grants: z.array(zGrantOut),
  fieldRules: z.array(zFieldRuleOut),
});

const zRoleName = zValidated((s) => validateName(s), 'NAME_INVALID');
const zDescription = z
  .string()
  .max(500, 'TOO_LONG')
  .transform((s) => s.trim());
const zGrants = z.array(zGrant).max(200, 'OUT_OF_RANGE');
const zFieldRules = z.array(zFieldRule).max(200, 'OUT_OF_RANGE');

const zCreateBody = z
  .strictObject({
    name: zRoleName,
    description: zDescription.optional(),
    grants: zGrants.optional(),
    fieldRules: zFieldRules.optional(),
    copyFromRoleId: z.uuid().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.copyFromRoleId) return;
    for (const key of ['grants', 'fieldRules'] as const) {
      if (body[key] === undefined)
        ctx.addIssue({ code: 'custom', message: 'REQUIRED', path: [key], input: undefined });
    }
  })
  .describe(
    '`grants` and `fieldRules` are required unless `copyFromRoleId` names a role (built-in or custom) to copy: ' +
      'then whichever of the two is omitted is copied from that role, and a given one replaces it. ' +
      'The new role may not exceed the editor’s own rights (403 ROLE_GRANT_EXCEEDED).',
  );

const zUpdateBody = z.strictObject({
  version: zVersion,
  name: zRoleName,
  description: zDescription,
  grants: zGrants,
  fieldRules: zFieldRules,
});

export const roleRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/permission-catalog',
    {
      config: { permission: null },
      schema: {
        tags: ['roles'],
        summary: 'The permission catalogue: actions, data scopes, resources with their actions and fields',
        response: { 200: zCatalog },
      },
    },
    async () => permissionCatalog(),
  );

  app.get(
    '/roles',
    {
      config: { permission: 'role.view' },
      schema: {
        tags: ['roles'],
        summary: 'Roles by name, with the number of users holding each',
        // Roles are configuration, few per organisation: one page holds them all.
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          cursor: zPageQuery.cursor,
        }),
        response: { 200: page(zRole) },
      },
    },
    async (req) => listRoles(req.ctx, req.query),
  );

  app.get(
    '/roles/:id',
    {
      config: { permission: 'role.view' },
      schema: { tags: ['roles'], summary: 'One role', params: zIdParams, response: { 200: zRole } },
    },
    async (req) => getRole(req.ctx, req.params.id),
  );

  app.post(
    '/roles',
    {
      config: { permission: 'role.configure' },
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role (optionally as a copy of another role)',
        body: zCreateBody,
        response: { 201: zRole },
      },
    },
    async (req, reply) => reply.status(201).send(await createRole(req.ctx, req.body)),
  );

  app.put(
    '/roles/:id',
    {
      config: { permission: 'role.configure' },
      schema: {
        tags: ['roles'],
        summary: 'Replace a custom role; its holders get the new rights at their next request',
        params: zIdParams,
        body: zUpdateBody,
        response: { 200: zRole },
      },
    },
    async (req) => updateRole(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'role.configure' },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role that no user holds',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteRole(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
