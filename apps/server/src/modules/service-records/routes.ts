import { SERVICE_SEVERITIES, SERVICE_TYPES, zDateTime, zServiceSeverity, zServiceType } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zId, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import { zBoolQuery, zText } from '../customer-records.js';
import {
  closeServiceRecord,
  createServiceRecord,
  deleteServiceRecord,
  getServiceRecord,
  listServiceRecords,
  reopenServiceRecord,
  updateServiceRecord,
} from './service.js';

/** A service record (服务记录): a ticket of a customer; open while `closedAt` is null. */
export const zServiceRecord = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  type: z.enum(SERVICE_TYPES),
  severity: z.enum(SERVICE_SEVERITIES),
  title: z.string(),
  description: z.string().nullable(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  satisfaction: z.number().int().nullable().describe('1–5, given when closed'),
  handlerId: z.string().nullable(),
  handlerName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

const zTitle = z.string().trim().min(1).max(200);
const fields = {
  severity: zServiceSeverity.optional().describe('default medium'),
  description: zText(5000).nullable().optional(),
  handlerId: zId.nullable().optional().describe('an active user'),
};

const tags = ['service-records'];

export const serviceRecordRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/service-records',
    {
      config: { permission: 'service_record.view' },
      schema: {
        tags,
        summary: 'Service records of the customers I may see, newest first',
        querystring: z.strictObject({
          ...zPageQuery,
          customerId: zId.optional(),
          type: zServiceType.optional(),
          severity: zServiceSeverity.optional(),
          open: zBoolQuery.optional().describe('true: open only; false: closed only'),
          from: zDateTime.optional().describe('opened at or after'),
          to: zDateTime.optional().describe('opened before'),
        }),
        response: { 200: page(zServiceRecord) },
      },
    },
    async (req) => listServiceRecords(req.ctx, req.query),
  );

  app.get(
    '/service-records/:id',
    {
      config: { permission: 'service_record.view' },
      schema: { tags, summary: 'One service record', params: zIdParams, response: { 200: zServiceRecord } },
    },
    async (req) => getServiceRecord(req.ctx, req.params.id),
  );

  app.post(
    '/service-records',
    {
      config: { permission: 'service_record.create' },
      schema: {
        tags,
        summary: 'Open a service record for a customer',
        body: z.strictObject({
          customerId: zId,
          type: zServiceType,
          title: zTitle,
          openedAt: zDateTime.optional().describe('default now'),
          ...fields,
        }),
        response: { 201: zServiceRecord },
      },
    },
    async (req, reply) => reply.status(201).send(await createServiceRecord(req.ctx, req.body)),
  );

  app.patch(
    '/service-records/:id',
    {
      config: { permission: 'service_record.edit' },
      schema: {
        tags,
        summary: 'Change a service record (only the given fields; null clears)',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          type: zServiceType.optional(),
          title: zTitle.optional(),
          openedAt: zDateTime.optional(),
          ...fields,
        }),
        response: { 200: zServiceRecord },
      },
    },
    async (req) => updateServiceRecord(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/service-records/:id/close',
    {
      config: { permission: 'service_record.edit' },
      schema: {
        tags,
        summary: 'Close a service record, optionally with a satisfaction score',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          closedAt: zDateTime.optional().describe('default now; not before openedAt'),
          satisfaction: z.number().int().min(1).max(5).optional(),
        }),
        response: { 200: zServiceRecord },
      },
    },
    async (req) => closeServiceRecord(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/service-records/:id/reopen',
    {
      config: { permission: 'service_record.edit' },
      schema: {
        tags,
        summary: 'Reopen a closed service record (clears its satisfaction score)',
        params: zIdParams,
        body: z.strictObject({ version: zVersion }),
        response: { 200: zServiceRecord },
      },
    },
    async (req) => reopenServiceRecord(req.ctx, req.params.id, req.body.version),
  );

  app.delete(
    '/service-records/:id',
    {
      config: { permission: 'service_record.delete' },
      schema: {
        tags,
        summary: 'Delete a service record',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteServiceRecord(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
