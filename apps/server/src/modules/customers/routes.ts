import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import { customerSummary, customerTimeline } from './insights.js';
import { assignCustomer, mergeCustomers, ownershipHistory, transferCustomers } from './ownership.js';
import { createSavedView, deleteSavedView, listSavedViews, updateSavedView } from './saved-views.js';
import {
  zAssign,
  zCustomer,
  zCustomerCreate,
  zCustomerListQuery,
  zCustomerPatch,
  zDuplicateCheck,
  zDuplicateReport,
  zMerge,
  zOwnershipEntry,
  zSavedView,
  zSavedViewCreate,
  zSavedViewPatch,
  zSummary,
  zTeamAdd,
  zTeamCandidate,
  zTeamCandidatesQuery,
  zTeamMember,
  zTeamPatch,
  zTimelineItem,
  zTimelineQuery,
  zTransfer,
  zTransferResult,
} from './schemas.js';
import {
  checkDuplicates,
  createCustomer,
  deleteCustomer,
  getCustomer,
  listCustomers,
  restoreCustomer,
  updateCustomer,
} from './service.js';
import { addTeamMember, listTeam, listTeamCandidates, removeTeamMember, updateTeamMember } from './team.js';

export { zCustomerFilter, zCustomerListQuery } from './schemas.js';

const tags = ['customers'];
const zMemberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });

export const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/customers',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Customers I may see (data scope or account team), filtered, sorted, keyset pages',
        querystring: zCustomerListQuery,
        response: { 200: page(zCustomer) },
      },
    },
    async (req) => listCustomers(req.ctx, req.query),
  );

  app.post(
    '/customers/check-duplicates',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary:
          'Live duplicate check: exact conflicts and similar names (invisible ones reveal only the owner)',
        body: zDuplicateCheck,
        response: { 200: zDuplicateReport },
      },
    },
    async (req) => checkDuplicates(req.ctx, req.body),
  );

  app.post(
    '/customers/transfer',
    {
      config: { permission: 'customer.assign' },
      schema: {
        tags,
        summary:
          'Bulk transfer / handover of one owner’s customers (with their open next steps) to another user',
        body: zTransfer,
        response: { 200: zTransferResult },
      },
    },
    async (req) => transferCustomers(req.ctx, req.body),
  );

  app.get(
    '/customers/:id',
    {
      config: { permission: 'customer.view' },
      schema: { tags, summary: 'One customer', params: zIdParams, response: { 200: zCustomer } },
    },
    async (req) => getCustomer(req.ctx, req.params.id),
  );

  app.post(
    '/customers',
    {
      config: { permission: 'customer.create' },
      schema: {
        tags,
        summary: 'Create a customer (duplicate-checked; the owner defaults to me)',
        body: zCustomerCreate,
        response: { 201: zCustomer },
      },
    },
    async (req, reply) => reply.status(201).send(await createCustomer(req.ctx, req.body)),
  );

  app.patch(
    '/customers/:id',
    {
      config: { permission: 'customer.edit' },
      schema: {
        tags,
        summary: 'Edit a customer’s master data (null clears a field)',
        params: zIdParams,
        body: zCustomerPatch,
        response: { 200: zCustomer },
      },
    },
    async (req) => updateCustomer(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/customers/:id',
    {
      config: { permission: 'customer.delete' },
      schema: {
        tags,
        summary: 'Delete a customer (soft: it can be restored)',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteCustomer(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/customers/:id/restore',
    {
      config: { permission: 'customer.delete' },
      schema: {
        tags,
        summary: 'Restore a deleted customer (re-checks the duplicate keys)',
        params: zIdParams,
        body: z.strictObject({ version: zVersion }),
        response: { 200: zCustomer },
      },
    },
    async (req) => restoreCustomer(req.ctx, req.params.id, req.body.version),
  );

  app.post(
    '/customers/:id/merge',
    {
      config: { permission: 'customer.delete' },
      schema: {
        tags,
        summary: 'Merge another customer into this one (moves everything attached; the other is deleted)',
        params: zIdParams,
        body: zMerge,
        response: { 200: zCustomer },
      },
    },
    async (req) => mergeCustomers(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/customers/:id/assign',
    {
      config: { permission: 'customer.assign' },
      schema: {
        tags,
        summary: 'Give the customer to another owner (recorded in its ownership history)',
        params: zIdParams,
        body: zAssign,
        response: { 200: zCustomer },
      },
    },
    async (req) => assignCustomer(req.ctx, req.params.id, req.body),
  );

  app.get(
    '/customers/:id/ownership-history',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Every change of owner, newest first',
        params: zIdParams,
        querystring: z.strictObject(zPageQuery),
        response: { 200: page(zOwnershipEntry) },
      },
    },
    async (req) => ownershipHistory(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/customers/:id/summary',
    {
      config: { permission: 'customer.view' },
      schema: { tags, summary: 'Key figures of a customer', params: zIdParams, response: { 200: zSummary } },
    },
    async (req) => customerSummary(req.ctx, req.params.id),
  );

  app.get(
    '/customers/:id/timeline',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Follow-ups, orders, payments, service records, ownership and changes, newest first',
        params: zIdParams,
        querystring: zTimelineQuery,
        response: { 200: page(zTimelineItem) },
      },
    },
    async (req) => customerTimeline(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/customers/:id/team',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'The account team (owner first)',
        params: zIdParams,
        querystring: z.strictObject(zPageQuery),
        response: { 200: page(zTeamMember) },
      },
    },
    async (req) => listTeam(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/customers/:id/team/candidates',
    {
      config: { permission: 'customer.edit' },
      schema: {
        tags,
        summary:
          'Active users who may join the account team (any department; name, department and roles only)',
        params: zIdParams,
        querystring: zTeamCandidatesQuery,
        response: { 200: z.object({ items: z.array(zTeamCandidate) }) },
      },
    },
    async (req) => listTeamCandidates(req.ctx, req.params.id, req.query),
  );

  app.post(
    '/customers/:id/team',
    {
      config: { permission: 'customer.edit' },
      schema: {
        tags,
        summary: 'Add a member to the account team',
        params: zIdParams,
        body: zTeamAdd,
        response: { 201: zTeamMember },
      },
    },
    async (req, reply) => reply.status(201).send(await addTeamMember(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/customers/:id/team/:userId',
    {
      config: { permission: 'customer.edit' },
      schema: {
        tags,
        summary: 'Change a member’s team role or access',
        params: zMemberParams,
        body: zTeamPatch,
        response: { 200: zTeamMember },
      },
    },
    async (req) => updateTeamMember(req.ctx, req.params.id, req.params.userId, req.body),
  );

  app.delete(
    '/customers/:id/team/:userId',
    {
      config: { permission: 'customer.edit' },
      schema: {
        tags,
        summary: 'Remove a member from the account team (not the owner)',
        params: zMemberParams,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await removeTeamMember(req.ctx, req.params.id, req.params.userId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/saved-views',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'My saved customer-list views',
        querystring: z.strictObject(zPageQuery),
        response: { 200: page(zSavedView) },
      },
    },
    async (req) => listSavedViews(req.ctx, req.query),
  );

  app.post(
    '/saved-views',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Save a customer-list view',
        body: zSavedViewCreate,
        response: { 201: zSavedView },
      },
    },
    async (req, reply) => reply.status(201).send(await createSavedView(req.ctx, req.body)),
  );

  app.patch(
    '/saved-views/:id',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Rename a saved view or change its filters',
        params: zIdParams,
        body: zSavedViewPatch,
        response: { 200: zSavedView },
      },
    },
    async (req) => updateSavedView(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/saved-views/:id',
    {
      config: { permission: 'customer.view' },
      schema: {
        tags,
        summary: 'Delete one of my saved views',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteSavedView(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
