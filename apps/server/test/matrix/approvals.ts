import { randomUUID } from 'node:crypto';
import {
  type ApprovalFlowVersion,
  type ApprovalRequestState,
  type ApprovalStep,
  buildApprovalFacts,
  createApprovalRequest,
  orgSnapshot,
  reduceApproval,
  todayInShanghai,
} from '@kam/domain';
import { unique } from '../support/matrix-fixtures.js';
import { type Entry, list, one, rec, type Target } from '../support/matrix-table.js';

/**
 * Permission-matrix rows of the approvals capability (decision 0014) and in-app notifications.
 *
 * Built-in rights: `approval_flow.view/configure` — super admin and sales director;
 * `approval_request.create` (submit, resubmit) — super admin, director, head, account manager. Every
 * other request route is open to any signed-in user and limited to the requests they take part in:
 * "in" is a request where the actor holds the pending seat (or, for withdraw/resubmit, is the
 * requester); "out" is a request between two other users (吴磊 → 周婷), which answers 404 and is
 * recorded as a denial. Delegations and notifications: "in" = mine, "out" = 吴磊's.
 */

/** Appends a version of `type`'s flow with these steps (creating the flow) and makes it current. */
async function flowVersion(t: Target, type: string, steps: ApprovalStep[]): Promise<ApprovalFlowVersion> {
  const existing = await t.fx.sql<{ id: string; current_version: number }>(
    `SELECT id, current_version FROM approval_flows WHERE tenant_id = kam_tenant() AND request_type = $1`,
    [type],
  );
  const flowId = existing[0]?.id ?? randomUUID();
  const version = (existing[0]?.current_version ?? 0) + 1;
  if (!existing[0]) {
    await t.fx.sql(
      `INSERT INTO approval_flows (tenant_id, id, request_type, current_version) VALUES (kam_tenant(), $1, $2, 1)`,
      [flowId, type],
    );
  }
  const flow = { requestType: type, steps };
  await t.fx.sql(
    `INSERT INTO approval_flow_versions (tenant_id, flow_id, version, definition) VALUES (kam_tenant(), $1, $2, $3)`,
    [flowId, version, JSON.stringify(flow)],
  );
  await t.fx.sql(
    `UPDATE approval_flows SET current_version = $2 WHERE tenant_id = kam_tenant() AND id = $1`,
    [flowId, version],
  );
  return { ...flow, flowId, version };
}

/**
 * A fresh discount request of `requesterId` on a new "in" customer, pending with `approverId` on its
 * one step (built with the domain reducer, as the server would store it); `returned`: the approver
 * returned it.
 */
async function approvalRequest(
  t: Target,
  requesterId: string,
  approverId: string,
  returned = false,
): Promise<string> {
  const flow = await flowVersion(t, 'discount', [
    { id: 'check', name: '审核', approvers: [{ kind: 'user', userId: approverId }], mode: 'any' },
  ]);
  const customer = await t.fx.customer('in');
  const env = {
    org: orgSnapshot({
      departments: [],
      users: [requesterId, approverId].map((id) => ({ id, departmentId: null, active: true, roleIds: [] })),
    }),
    customer: null,
  };
  const at = new Date().toISOString();
  const draft = createApprovalRequest({ requestType: 'discount', requesterId, flow });
  if (!draft.ok) throw new Error(draft.code);
  const payload = { discountPercent: '20' };
  let result = reduceApproval(
    draft.state,
    {
      type: 'submit',
      by: requesterId,
      at,
      payload,
      facts: buildApprovalFacts({ requestType: 'discount' }, payload),
      reason: '矩阵申请',
      requesterDepartmentId: null,
    },
    env,
  );
  if (!result.ok) throw new Error(result.code);
  if (returned) {
    result = reduceApproval(result.state, { type: 'return', by: approverId, at, reason: '请补充' }, env);
    if (!result.ok) throw new Error(result.code);
  }
  const state: ApprovalRequestState = result.state;
  const step = state.currentStep === null ? null : state.steps[state.currentStep]!;
  const id = randomUUID();
  await t.fx.sql(
    `INSERT INTO approval_requests (tenant_id, id, request_type, flow_id, flow_version, requester_id, customer_id,
       status, round, payload, state, current_step_id, current_step_name)
     VALUES (kam_tenant(), $1, 'discount', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      flow.flowId,
      flow.version,
      requesterId,
      customer.id,
      state.status,
      state.round,
      JSON.stringify(payload),
      JSON.stringify(state),
      step?.stepId ?? null,
      step?.name ?? null,
    ],
  );
  await t.fx.sql(
    `INSERT INTO approval_inbox (tenant_id, user_id, box, request_id, at) VALUES (kam_tenant(), $1, $2, $3, now())`,
    [approverId, returned ? 'processed' : 'todo', id],
  );
  return id;
}

/** "in": the actor decides (吴磊 asks); "out": 吴磊 asks 周婷 — the actor has no part in it. */
const toDecide = (t: Target) =>
  t.where === 'in'
    ? approvalRequest(t, t.bystander, t.actorId)
    : approvalRequest(t, t.bystander, t.fx.userIds['south.head']!);

/** "in": the actor's own request (吴磊 decides); "out": 吴磊's request to 周婷. */
const ownRequest = (t: Target, returned = false) =>
  t.where === 'in'
    ? approvalRequest(t, t.actorId, t.bystander, returned)
    : approvalRequest(t, t.bystander, t.fx.userIds['south.head']!, returned);

async function delegation(t: Target, fromUserId: string): Promise<string> {
  const id = randomUUID();
  const today = todayInShanghai(new Date());
  await t.fx.sql(
    `INSERT INTO approval_delegations (tenant_id, id, from_user_id, to_user_id, start_date, end_date)
     VALUES (kam_tenant(), $1, $2, $3, $4::date, $4::date + 3)`,
    [id, fromUserId, t.fx.userIds['south.head']!, today],
  );
  return id;
}

async function notification(t: Target, userId: string): Promise<string> {
  const id = randomUUID();
  await t.fx.sql(
    `INSERT INTO notifications (tenant_id, id, user_id, kind, data) VALUES (kam_tenant(), $1, $2, 'approval.step_started', '{}')`,
    [id, userId],
  );
  return id;
}

const contractSteps = (t: Target): ApprovalStep[] => [
  {
    id: 'head',
    name: `主管-${unique()}`,
    approvers: [{ kind: 'requester_department_head' }, { kind: 'user', userId: t.fx.userIds.director! }],
    mode: 'any',
  },
];

export const APPROVALS_MATRIX: Record<string, Entry> = {
  // ——— flow definitions ———
  'GET /api/v1/approval-flows/meta': one(200, 200, 200, 200, 200, 200, 200, 200),
  'GET /api/v1/approval-flows': one(200, 200, 403, 403, 403, 403, 403, 403),
  'GET /api/v1/approval-flows/:type': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: () => ({ type: 'contract' }),
  },
  'GET /api/v1/approval-flows/:type/versions/:version': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: async (t) => ({
      type: 'contract',
      version: String((await flowVersion(t, 'contract', contractSteps(t))).version),
    }),
  },
  'PUT /api/v1/approval-flows/:type': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: async (t) => {
      const rows = await t.fx.sql<{ current_version: number }>(
        `SELECT current_version FROM approval_flows WHERE tenant_id = kam_tenant() AND request_type = 'contract'`,
      );
      return {
        type: 'contract',
        body: {
          flow: { requestType: 'contract', steps: contractSteps(t) },
          expectedVersion: rows[0]?.current_version ?? null,
        },
      };
    },
  },

  // ——— requests ———
  // a discount on the case's customer; the flow's approvers (super admin role or the head) never
  // leave a step empty. "out" customers are invisible to all but the super admin.
  'POST /api/v1/approval-requests': {
    ...rec('201/201', '201/404', '201/404', '201/404', '403', '403', '403', '403'),
    req: async (t) => {
      await flowVersion(t, 'discount', [
        {
          id: 'check',
          name: '审核',
          approvers: [
            { kind: 'role', roleId: t.fx.org.roleIds.super_admin },
            { kind: 'user', userId: t.fx.userIds.head! },
          ],
          mode: 'any',
        },
      ]);
      const customer = await t.fx.customer(t.where);
      return {
        body: {
          type: 'discount',
          customerId: customer.id,
          payload: { discountPercent: '12' },
          reason: '矩阵',
        },
      };
    },
  },
  'GET /api/v1/approval-requests': {
    ...list('in', 'in', 'in', 'in', 'in', 'in', 'in', 'in'),
    list: async (t) => ({
      query: 'box=todo&limit=200',
      inId: await approvalRequest(t, t.bystander, t.actorId),
      outId: await approvalRequest(t, t.bystander, t.fx.userIds['south.head']!),
    }),
  },
  'GET /api/v1/approval-requests/counts': one(200, 200, 200, 200, 200, 200, 200, 200),
  'GET /api/v1/approval-requests/:id': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await toDecide(t) }),
  },
  'POST /api/v1/approval-requests/:id/approve': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await toDecide(t), body: { comment: '同意' } }),
  },
  'POST /api/v1/approval-requests/:id/reject': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await toDecide(t), body: { reason: '不同意' } }),
  },
  'POST /api/v1/approval-requests/:id/return': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await toDecide(t), body: { reason: '请补充' } }),
  },
  'POST /api/v1/approval-requests/:id/comments': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await toDecide(t), body: { text: '请看附件' } }),
  },
  'POST /api/v1/approval-requests/:id/withdraw': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await ownRequest(t), body: {} }),
  },
  // resubmitting is submitting again: approval_request.create, and the customer must still be visible
  'POST /api/v1/approval-requests/:id/resubmit': {
    ...rec('200/404', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({
      id: await ownRequest(t, true),
      body: { payload: { discountPercent: '10' }, reason: '已补充' },
    }),
  },

  // ——— delegations: own only ———
  'GET /api/v1/approval-delegations': {
    ...list('in', 'in', 'in', 'in', 'in', 'in', 'in', 'in'),
    list: async (t) => ({ inId: await delegation(t, t.actorId), outId: await delegation(t, t.bystander) }),
  },
  'POST /api/v1/approval-delegations': {
    ...one(201, 201, 201, 201, 201, 201, 201, 201),
    req: (t) => {
      const today = todayInShanghai(new Date());
      return { body: { delegateId: t.bystander, startDate: today, endDate: today } };
    },
  },
  'DELETE /api/v1/approval-delegations/:id': {
    ...rec('204/404', '204/404', '204/404', '204/404', '204/404', '204/404', '204/404', '204/404'),
    req: async (t) => ({ id: await delegation(t, t.where === 'in' ? t.actorId : t.bystander) }),
  },

  // ——— in-app notifications: own only ———
  'GET /api/v1/notifications': {
    ...list('in', 'in', 'in', 'in', 'in', 'in', 'in', 'in'),
    list: async (t) => ({
      query: 'limit=200',
      inId: await notification(t, t.actorId),
      outId: await notification(t, t.bystander),
    }),
  },
  'POST /api/v1/notifications/:id/read': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404'),
    req: async (t) => ({ id: await notification(t, t.where === 'in' ? t.actorId : t.bystander) }),
  },
  'POST /api/v1/notifications/read-all': one(200, 200, 200, 200, 200, 200, 200, 200),
};
