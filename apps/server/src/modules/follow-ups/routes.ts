import { FOLLOW_UP_TYPES, zDate, zDateTime, zFollowUpType } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zId, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import { zBoolQuery, zText } from '../customer-records.js';
import {
  completeNextStep,
  createFollowUp,
  deleteFollowUp,
  getFollowUp,
  listFollowUps,
  updateFollowUp,
} from './service.js';

/** A follow-up record (跟进记录). */
export const zFollowUp = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  type: z.enum(FOLLOW_UP_TYPES),
  at: z.string(),
  authorId: z.string().nullable(),
  authorName: z.string().nullable(),
  /** the contacts involved (those that still exist), by name */
  contacts: z.array(z.object({ id: z.string(), name: z.string() })),
  summary: z.string(),
  outcome: z.string().nullable(),
  nextStep: z.string().nullable(),
  nextStepDate: z.string().nullable().describe('YYYY-MM-DD'),
  /** who owes the next step (the author at first) */
  nextStepOwnerId: z.string().nullable(),
  nextStepOwnerName: z.string().nullable(),
  nextStepDoneAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

const MAX_CONTACTS = 50;
const zSummary = z.string().trim().min(1).max(2000);
const fields = {
  contactIds: z.array(zId).max(MAX_CONTACTS).optional().describe('contacts of the same customer'),
  outcome: zText(2000).nullable().optional(),
  nextStep: zText(500).nullable().optional().describe('needs nextStepDate'),
  nextStepDate: zDate.nullable().optional(),
};

const tags = ['follow-ups'];

export const followUpRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/follow-ups',
    {
      config: { permission: 'follow_up.view' },
      schema: {
        tags,
        summary: 'Follow-ups of the customers I may see, newest first; or my open next steps',
        querystring: z.strictObject({
          ...zPageQuery,
          customerId: zId.optional(),
          authorId: zId.optional(),
          type: zFollowUpType.optional(),
          from: zDateTime.optional().describe('at or after this time'),
          to: zDateTime.optional().describe('before this time'),
          pendingNextStep: zBoolQuery
            .optional()
            .describe('true: only the open next steps I owe, soonest next-step date first'),
        }),
        response: { 200: page(zFollowUp) },
      },
    },
    async (req) => listFollowUps(req.ctx, req.query),
  );

  app.get(
    '/follow-ups/:id',
    {
      config: { permission: 'follow_up.view' },
      schema: { tags, summary: 'One follow-up', params: zIdParams, response: { 200: zFollowUp } },
    },
    async (req) => getFollowUp(req.ctx, req.params.id),
  );

  app.post(
    '/follow-ups',
    {
      config: { permission: 'follow_up.create' },
      schema: {
        tags,
        summary: 'Log a follow-up (I am the author; I owe its next step)',
        body: z.strictObject({
          customerId: zId,
          type: zFollowUpType,
          at: zDateTime.optional().describe('default now'),
          summary: zSummary,
          ...fields,
        }),
        response: { 201: zFollowUp },
      },
    },
    async (req, reply) => reply.status(201).send(await createFollowUp(req.ctx, req.body)),
  );

  // The author may correct their own follow-up with the right to log follow-ups on the customer;
  // anyone else needs follow_up.edit there (checked on the customer by the service).
  app.patch(
    '/follow-ups/:id',
    {
      config: { permission: 'follow_up.view' },
      schema: {
        tags,
        summary: 'Change a follow-up: its author, or anyone with follow_up.edit on the customer',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          type: zFollowUpType.optional(),
          at: zDateTime.optional(),
          summary: zSummary.optional(),
          ...fields,
        }),
        response: { 200: zFollowUp },
      },
    },
    async (req) => updateFollowUp(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/follow-ups/:id/complete-next-step',
    {
      config: { permission: 'follow_up.view' },
      schema: {
        tags,
        summary: 'Mark the next step done: who owes it or the author, or anyone with follow_up.edit',
        params: zIdParams,
        body: z.strictObject({ version: zVersion }),
        response: { 200: zFollowUp },
      },
    },
    async (req) => completeNextStep(req.ctx, req.params.id, req.body.version),
  );

  app.delete(
    '/follow-ups/:id',
    {
      config: { permission: 'follow_up.delete' },
      schema: {
        tags,
        summary: 'Delete a follow-up',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteFollowUp(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
