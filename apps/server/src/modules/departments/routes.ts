import { zDepartmentCode, zDepartmentName } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zId, zIdParams, zVersion, zVersionQuery } from '../../http/schemas.js';
import {
  createDepartment,
  deleteDepartment,
  getDepartment,
  listDepartments,
  moveDepartment,
  updateDepartment,
} from './service.js';

/** A department; `name`, `code`, `headUserId`/`headName` are absent when a field rule hides them. */
export const zDepartment = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string().optional(),
  code: z.string().nullable().optional(),
  headUserId: z.string().nullable().optional(),
  headName: z.string().nullable().optional(),
  /** ancestor ids from the root down to this department, inclusive */
  path: z.array(z.string()),
  /** users directly in this department (any status) */
  userCount: z.number().int(),
  version: z.number().int(),
});

/** The whole tree usually fits one page, hence the larger page size than other lists. */
export const MAX_DEPARTMENT_PAGE = 1000;

const tags = ['departments'];

export const departmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/departments',
    {
      config: { permission: 'department.view' },
      schema: {
        tags,
        summary: 'Departments in my view scope, by depth then name',
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(MAX_DEPARTMENT_PAGE).default(MAX_DEPARTMENT_PAGE),
          cursor: z.string().max(500).optional(),
        }),
        response: { 200: page(zDepartment) },
      },
    },
    async (req) => listDepartments(req.ctx, req.query),
  );

  app.get(
    '/departments/:id',
    {
      config: { permission: 'department.view' },
      schema: { tags, summary: 'One department', params: zIdParams, response: { 200: zDepartment } },
    },
    async (req) => getDepartment(req.ctx, req.params.id),
  );

  app.post(
    '/departments',
    {
      config: { permission: 'department.create' },
      schema: {
        tags,
        summary: 'Create a department under a parent within my create scope',
        body: z.strictObject({
          name: zDepartmentName,
          parentId: zId,
          code: zDepartmentCode.nullable().optional(),
          headUserId: zId.nullable().optional(),
        }),
        response: { 201: zDepartment },
      },
    },
    async (req, reply) => reply.status(201).send(await createDepartment(req.ctx, req.body)),
  );

  app.patch(
    '/departments/:id',
    {
      config: { permission: 'department.edit' },
      schema: {
        tags,
        summary: 'Rename a department, change its code or head (null clears)',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          name: zDepartmentName.optional(),
          code: zDepartmentCode.nullable().optional(),
          headUserId: zId.nullable().optional(),
        }),
        response: { 200: zDepartment },
      },
    },
    async (req) => updateDepartment(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/departments/:id/move',
    {
      config: { permission: 'department.edit' },
      schema: {
        tags,
        summary: 'Move a department with its whole subtree under another parent',
        params: zIdParams,
        body: z.strictObject({ version: zVersion, parentId: zId }),
        response: { 200: zDepartment },
      },
    },
    async (req) => moveDepartment(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/departments/:id',
    {
      config: { permission: 'department.delete' },
      schema: {
        tags,
        summary: 'Delete an empty department (no sub-departments, no users)',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteDepartment(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
