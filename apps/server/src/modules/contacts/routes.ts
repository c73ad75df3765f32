import {
  CONTACT_ATTITUDES,
  DECISION_ROLES,
  zContactAttitude,
  zDate,
  zDecisionRole,
  zDisplayName,
  zEmail,
  zMobile,
  zPhone,
} from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zId, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import { zText } from '../customer-records.js';
import {
  createContact,
  deleteContact,
  getContact,
  listContacts,
  listCustomerContacts,
  updateContact,
} from './service.js';

/**
 * A contact of a customer. `mobile`, `phone`, `email`, `wechat` and `birthday` follow the caller's
 * field rules: absent when hidden, masked when masked (support staff see `139****5678`).
 */
export const zContact = z.object({
  id: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  mobile: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  wechat: z.string().nullable().optional(),
  birthday: z.string().nullable().optional().describe('YYYY-MM-DD'),
  decisionRole: z.enum(DECISION_ROLES).nullable(),
  attitude: z.enum(CONTACT_ATTITUDES).nullable(),
  notes: z.string().nullable(),
  isPrimary: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

/** The editable fields; null clears an optional one. */
const fields = {
  title: zText(100).nullable().optional(),
  department: zText(100).nullable().optional(),
  mobile: zMobile.nullable().optional(),
  phone: zPhone.nullable().optional(),
  email: zEmail.nullable().optional(),
  wechat: zText(64).nullable().optional(),
  decisionRole: zDecisionRole.nullable().optional(),
  attitude: zContactAttitude.nullable().optional(),
  birthday: zDate.nullable().optional(),
  notes: zText(2000).nullable().optional(),
  isPrimary: z
    .boolean()
    .optional()
    .describe('true makes this the primary contact (the previous one is demoted)'),
};

const tags = ['contacts'];

export const contactRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/customers/:id/contacts',
    {
      config: { permission: 'contact.view' },
      schema: {
        tags,
        summary: "A customer's contacts: the primary contact first, then by name",
        params: zIdParams,
        querystring: z.strictObject(zPageQuery),
        response: { 200: page(zContact) },
      },
    },
    async (req) => listCustomerContacts(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/contacts',
    {
      config: { permission: 'contact.view' },
      schema: {
        tags,
        summary: 'Contacts of the customers I may see, by name; search by name, pinyin or mobile',
        querystring: z.strictObject({
          ...zPageQuery,
          customerId: zId.optional(),
          q: z
            .string()
            .max(100)
            .optional()
            .describe('name or pinyin; mobile digits when mobiles are not masked for me'),
          decisionRole: zDecisionRole.optional(),
        }),
        response: { 200: page(zContact) },
      },
    },
    async (req) => listContacts(req.ctx, req.query),
  );

  app.get(
    '/contacts/:id',
    {
      config: { permission: 'contact.view' },
      schema: { tags, summary: 'One contact', params: zIdParams, response: { 200: zContact } },
    },
    async (req) => getContact(req.ctx, req.params.id),
  );

  app.post(
    '/contacts',
    {
      config: { permission: 'contact.create' },
      schema: {
        tags,
        summary: 'Add a contact to a customer',
        body: z.strictObject({ customerId: zId, name: zDisplayName, ...fields }),
        response: { 201: zContact },
      },
    },
    async (req, reply) => reply.status(201).send(await createContact(req.ctx, req.body)),
  );

  app.patch(
    '/contacts/:id',
    {
      config: { permission: 'contact.edit' },
      schema: {
        tags,
        summary: 'Change a contact (only the given fields; null clears)',
        params: zIdParams,
        body: z.strictObject({ version: zVersion, name: zDisplayName.optional(), ...fields }),
        response: { 200: zContact },
      },
    },
    async (req) => updateContact(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/contacts/:id',
    {
      config: { permission: 'contact.delete' },
      schema: {
        tags,
        summary: 'Delete a contact',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteContact(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
