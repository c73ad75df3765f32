import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zIdParams } from '../../http/schemas.js';
import { createDelegation, deleteDelegation, listDelegations } from './delegations.js';
import { flowsMeta, getFlow, getFlowVersion, listFlows, saveFlow } from './flows.js';
import {
  zApprovalCounts,
  zApprovalFlowDetail,
  zApprovalFlowOut,
  zApprovalFlowSave,
  zApprovalFlowSummary,
  zApprovalFlowsMeta,
  zApprovalListQuery,
  zApprovalRequestCreate,
  zApprovalRequestDetail,
  zApprovalRequestListItem,
  zApproveBody,
  zCommentBody,
  zDelegation,
  zDelegationCreate,
  zDelegationListQuery,
  zFlowTypeParams,
  zFlowVersionParams,
  zReasonBody,
  zResubmitBody,
  zUserRef,
  zWithdrawBody,
} from './schemas.js';
import {
  actOnRequest,
  getRequest,
  listRequests,
  requestCounts,
  resubmitRequest,
  submitRequest,
} from './service.js';

const flowTags = ['approval flows'];
const tags = ['approvals'];

/**
 * Approval flows (configure: `approval_flow.*`), requests (submit: `approval_request.create`;
 * everything else is open to every signed-in user and limited to the requests they take part in),
 * and delegations (own only).
 */
export const approvalRoutes: FastifyPluginAsyncZod = async (app) => {
  // ——— flow definitions ———
  app.get(
    '/approval-flows/meta',
    {
      config: { permission: null },
      schema: {
        tags: flowTags,
        summary:
          'Request types (with payload condition fields), context fields, approver kinds, operators, limits',
        response: { 200: zApprovalFlowsMeta },
      },
    },
    async () => flowsMeta(),
  );

  app.get(
    '/approval-flows',
    {
      config: { permission: 'approval_flow.view' },
      schema: {
        tags: flowTags,
        summary: 'One row per request type: current version and its steps',
        response: { 200: z.object({ items: z.array(zApprovalFlowSummary) }) },
      },
    },
    async (req) => ({ items: await listFlows(req.ctx) }),
  );

  app.get(
    '/approval-flows/:type',
    {
      config: { permission: 'approval_flow.view' },
      schema: {
        tags: flowTags,
        summary: 'The current flow of a request type, its versions and the users/roles it names',
        params: zFlowTypeParams,
        response: { 200: zApprovalFlowDetail },
      },
    },
    async (req) => getFlow(req.ctx, req.params.type),
  );

  app.get(
    '/approval-flows/:type/versions/:version',
    {
      config: { permission: 'approval_flow.view' },
      schema: {
        tags: flowTags,
        summary: 'One saved (immutable) version of a flow',
        params: zFlowVersionParams,
        response: {
          200: z.object({
            type: z.string(),
            version: z.number().int(),
            flow: zApprovalFlowOut,
            createdAt: z.string(),
            createdBy: zUserRef.nullable(),
            refs: zApprovalFlowDetail.shape.refs,
          }),
        },
      },
    },
    async (req) => getFlowVersion(req.ctx, req.params.type, req.params.version),
  );

  app.put(
    '/approval-flows/:type',
    {
      config: { permission: 'approval_flow.configure' },
      schema: {
        tags: flowTags,
        summary: 'Save a flow as the next immutable version (running requests keep theirs); 409 when stale',
        params: zFlowTypeParams,
        body: zApprovalFlowSave,
        response: { 200: zApprovalFlowDetail },
      },
    },
    async (req) => saveFlow(req.ctx, req.params.type, req.body, req.locale),
  );

  // ——— requests ———
  app.post(
    '/approval-requests',
    {
      config: { permission: 'approval_request.create' },
      schema: {
        tags,
        summary: 'Submit a request (runs on the current flow version to the end)',
        body: zApprovalRequestCreate,
        response: { 201: zApprovalRequestDetail },
      },
    },
    async (req, reply) => reply.status(201).send(await submitRequest(req.ctx, req.body, req.locale)),
  );

  app.get(
    '/approval-requests',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'My inbox: box=todo (waiting for me), submitted (mine), processed (decided by me)',
        querystring: zApprovalListQuery,
        response: { 200: page(zApprovalRequestListItem) },
      },
    },
    async (req) => listRequests(req.ctx, req.query, req.locale),
  );

  app.get(
    '/approval-requests/counts',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'Counts for the app shell: to approve, my pending/returned requests, unread notifications',
        response: { 200: zApprovalCounts },
      },
    },
    async (req) => requestCounts(req.ctx),
  );

  app.get(
    '/approval-requests/:id',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'A request in full (requester and approvers only): payload, steps, seats, history',
        params: zIdParams,
        response: { 200: zApprovalRequestDetail },
      },
    },
    async (req) => getRequest(req.ctx, req.params.id, req.locale),
  );

  const decision = (
    path: string,
    summary: string,
    body: z.ZodType,
    toInput: (b: never) => Parameters<typeof actOnRequest>[2],
  ) =>
    app.post(
      `/approval-requests/:id/${path}`,
      {
        config: { permission: null },
        schema: { tags, summary, params: zIdParams, body, response: { 200: zApprovalRequestDetail } },
      },
      async (req) => actOnRequest(req.ctx, req.params.id, toInput(req.body as never), req.locale),
    );

  decision(
    'approve',
    'Approve (as an approver of the current step)',
    zApproveBody,
    (b: z.output<typeof zApproveBody>) => ({
      type: 'approve',
      comment: b.comment,
    }),
  );
  decision(
    'reject',
    'Reject with a reason: the request ends',
    zReasonBody,
    (b: z.output<typeof zReasonBody>) => ({
      type: 'reject',
      reason: b.reason,
    }),
  );
  decision(
    'return',
    'Return to the requester for changes, with a reason',
    zReasonBody,
    (b: z.output<typeof zReasonBody>) => ({ type: 'return', reason: b.reason }),
  );
  decision(
    'withdraw',
    'Withdraw my pending or returned request',
    zWithdrawBody,
    (b: z.output<typeof zWithdrawBody>) => ({ type: 'withdraw', reason: b.reason }),
  );
  decision(
    'comments',
    'Comment (requester and approvers)',
    zCommentBody,
    (b: z.output<typeof zCommentBody>) => ({
      type: 'comment',
      text: b.text,
    }),
  );

  app.post(
    '/approval-requests/:id/resubmit',
    {
      config: { permission: 'approval_request.create' },
      schema: {
        tags,
        summary: 'Resubmit my returned request with a changed payload (a new round, same flow version)',
        params: zIdParams,
        body: zResubmitBody,
        response: { 200: zApprovalRequestDetail },
      },
    },
    async (req) => resubmitRequest(req.ctx, req.params.id, req.body, req.locale),
  );

  // ——— delegations (own) ———
  app.get(
    '/approval-delegations',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'My delegations (current and future; includePast=true: all)',
        querystring: zDelegationListQuery,
        response: { 200: z.object({ items: z.array(zDelegation) }) },
      },
    },
    async (req) => ({ items: await listDelegations(req.ctx, req.query.includePast) }),
  );

  app.post(
    '/approval-delegations',
    {
      config: { permission: null },
      schema: {
        tags,
        summary: 'While I am away (first to last day), my delegate decides for me',
        body: zDelegationCreate,
        response: { 201: zDelegation },
      },
    },
    async (req, reply) => reply.status(201).send(await createDelegation(req.ctx, req.body, req.locale)),
  );

  app.delete(
    '/approval-delegations/:id',
    {
      config: { permission: null },
      schema: { tags, summary: 'End one of my delegations', params: zIdParams, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await deleteDelegation(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
