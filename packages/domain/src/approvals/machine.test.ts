import { describe, expect, it } from 'vitest';
import { buildApprovalFacts } from './conditions.js';
import type { ApprovalFlowVersion } from './definition.js';
import {
  type ApprovalEnvironment,
  type ApprovalEvent,
  type ApprovalRequestState,
  type ApprovalResult,
  createApprovalRequest,
  currentApprovers,
  reduceApproval,
} from './machine.js';
import { orgSnapshot } from './resolve.js';

// root (ceo) └ sales (director) └ east (leadE): am1, am2
const env: ApprovalEnvironment = {
  org: orgSnapshot({
    departments: [
      { id: 'root', parentId: null, headUserId: 'ceo' },
      { id: 'sales', parentId: 'root', headUserId: 'director' },
      { id: 'east', parentId: 'sales', headUserId: 'leadE' },
    ],
    users: [
      { id: 'ceo', departmentId: 'root', active: true, roleIds: [] },
      { id: 'director', departmentId: 'sales', active: true, roleIds: ['r-director'] },
      { id: 'leadE', departmentId: 'east', active: true, roleIds: [] },
      { id: 'am1', departmentId: 'east', active: true, roleIds: [] },
      { id: 'am2', departmentId: 'east', active: true, roleIds: [] },
      { id: 'f1', departmentId: 'root', active: true, roleIds: ['r-finance'] },
      { id: 'f2', departmentId: 'root', active: true, roleIds: ['r-finance'] },
    ],
  }),
};

/** The example: department head always; the director when the discount exceeds 10 %. */
const discountFlow: ApprovalFlowVersion = {
  flowId: 'flow-discount',
  version: 1,
  requestType: 'discount',
  steps: [
    { id: 'head', name: '部门负责人', approvers: [{ kind: 'requester_department_head' }], mode: 'any' },
    {
      id: 'director',
      name: '销售总监',
      approvers: [{ kind: 'department_head_levels_up', levels: 1 }],
      mode: 'any',
      condition: { field: 'discountPercent', op: 'gt', value: '10' },
    },
  ],
};

const T0 = '2026-03-10T08:00:00.000Z';
let clock = 0;
const at = () => new Date(Date.parse(T0) + ++clock * 60_000).toISOString();

function ok(result: ApprovalResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}`);
  return result;
}

function draft(flow: ApprovalFlowVersion = discountFlow, requesterId = 'am1') {
  return ok(createApprovalRequest({ requestType: flow.requestType, requesterId, flow })).state;
}

function submit(state: ApprovalRequestState, discountPercent: string, by = state.requesterId) {
  return reduceApproval(
    state,
    {
      type: 'submit',
      by,
      at: at(),
      payload: { quoteId: 'q1', discountPercent },
      facts: buildApprovalFacts({ requesterId: by }, { discountPercent }),
      reason: '战略客户续约',
      requesterDepartmentId: 'east',
    },
    env,
  );
}

/** An event without its time (distributes over the union, unlike a plain Omit). */
type Untimed<E> = E extends unknown ? Omit<E, 'at'> : never;
const act = (state: ApprovalRequestState, event: Untimed<ApprovalEvent>, e = env) =>
  reduceApproval(state, { ...event, at: at() } as ApprovalEvent, e);
const approve = (s: ApprovalRequestState, by: string) => act(s, { type: 'approve', by });

describe('the issue example', () => {
  it('a 25 % discount passes the department head and then the director', () => {
    const submitted = ok(submit(draft(), '25'));
    expect(submitted.state.status).toBe('pending');
    expect(submitted.state.steps.map((s) => s.status)).toEqual(['active', 'waiting']);
    expect(submitted.commands).toEqual([
      { type: 'notify_approvers', userIds: ['leadE'], stepId: 'head', reason: 'step_started' },
    ]);
    const afterHead = ok(approve(submitted.state, 'leadE'));
    expect(afterHead.state.status).toBe('pending');
    expect(currentApprovers(afterHead.state)).toEqual(['director']);
    expect(afterHead.commands).toEqual([
      { type: 'notify_approvers', userIds: ['director'], stepId: 'director', reason: 'step_started' },
    ]);
    const done = ok(approve(afterHead.state, 'director'));
    expect(done.state.status).toBe('approved');
    expect(done.state.effectApplied).toBe(true);
    expect(done.commands).toEqual([
      { type: 'apply_effect', requestType: 'discount', payload: { quoteId: 'q1', discountPercent: '25' } },
      { type: 'notify_requester', userId: 'am1', reason: 'approved' },
    ]);
    expect(done.state.history.map((h) => [h.action, h.by, h.stepId])).toEqual([
      ['submitted', 'am1', undefined],
      ['approved', 'leadE', 'head'],
      ['approved', 'director', 'director'],
    ]);
  });

  it('a 5 % discount passes only the head (the director step is skipped)', () => {
    const submitted = ok(submit(draft(), '5'));
    expect(submitted.state.steps.map((s) => s.status)).toEqual(['active', 'skipped']);
    const done = ok(approve(submitted.state, 'leadE'));
    expect(done.state.status).toBe('approved');
    expect(done.commands.filter((c) => c.type === 'apply_effect')).toHaveLength(1);
  });

  it('exactly at the limit (10 and 10.00) the director step is skipped', () => {
    expect(ok(submit(draft(), '10.00')).state.steps[1]?.status).toBe('skipped');
    expect(ok(submit(draft(), '10.01')).state.steps[1]?.status).toBe('waiting');
  });

  it('a rejection at step 2 stops the flow and notifies the requester', () => {
    const s1 = ok(approve(ok(submit(draft(), '25')).state, 'leadE')).state;
    expect(act(s1, { type: 'reject', by: 'director', reason: '  ' } as never)).toEqual({
      ok: false,
      code: 'APPROVAL_REASON_REQUIRED',
      params: {},
    });
    const rejected = ok(act(s1, { type: 'reject', by: 'director', reason: '折扣过高' } as never));
    expect(rejected.state.status).toBe('rejected');
    expect(rejected.state.steps.map((s) => s.status)).toEqual(['approved', 'rejected']);
    expect(rejected.commands).toEqual([
      { type: 'notify_requester', userId: 'am1', reason: 'rejected', stepId: 'director' },
    ]);
    expect(rejected.state.history.at(-1)).toMatchObject({
      action: 'rejected',
      by: 'director',
      text: '折扣过高',
    });
    // Nothing further can happen to it.
    expect(approve(rejected.state, 'director')).toMatchObject({
      ok: false,
      code: 'APPROVAL_ALREADY_DECIDED',
    });
  });

  it('a rejection at step 1 cancels the steps never reached', () => {
    const rejected = ok(
      act(ok(submit(draft(), '25')).state, { type: 'reject', by: 'leadE', reason: 'no' } as never),
    );
    expect(rejected.state.steps.map((s) => s.status)).toEqual(['rejected', 'cancelled']);
  });
});

describe('或签 versus 会签', () => {
  const financeFlow = (mode: 'any' | 'all'): ApprovalFlowVersion => ({
    flowId: 'f',
    version: 1,
    requestType: 'contract',
    steps: [{ id: 'finance', name: '财务', approvers: [{ kind: 'role', roleId: 'r-finance' }], mode }],
  });

  it('或签: the first approval completes the step; the others are no longer needed', () => {
    const s = ok(submit(draft(financeFlow('any')), '0')).state;
    expect(currentApprovers(s)).toEqual(['f1', 'f2']);
    const done = ok(approve(s, 'f2'));
    expect(done.state.status).toBe('approved');
    expect(done.state.steps[0]?.seats.map((seat) => seat.status)).toEqual(['not_required', 'approved']);
    expect(approve(done.state, 'f1')).toMatchObject({ ok: false, code: 'APPROVAL_ALREADY_DECIDED' });
  });

  it('会签: every approver must approve; a second vote by the same person is refused', () => {
    const s = ok(submit(draft(financeFlow('all')), '0')).state;
    const half = ok(approve(s, 'f1'));
    expect(half.state.status).toBe('pending');
    expect(half.commands).toEqual([]);
    expect(currentApprovers(half.state)).toEqual(['f2']);
    expect(approve(half.state, 'f1')).toMatchObject({ ok: false, code: 'APPROVAL_ALREADY_VOTED' });
    const done = ok(approve(half.state, 'f2'));
    expect(done.state.status).toBe('approved');
    expect(done.commands.filter((c) => c.type === 'apply_effect')).toHaveLength(1);
  });

  it('会签: one rejection rejects the request', () => {
    const half = ok(approve(ok(submit(draft(financeFlow('all')), '0')).state, 'f1')).state;
    const rejected = ok(act(half, { type: 'reject', by: 'f2', reason: '预算不足' } as never));
    expect(rejected.state.status).toBe('rejected');
    expect(rejected.commands.some((c) => c.type === 'apply_effect')).toBe(false);
  });
});

describe('who may decide', () => {
  it('nobody approves their own request, even when the flow names them', () => {
    const flow: ApprovalFlowVersion = {
      ...discountFlow,
      steps: [
        {
          id: 's',
          name: 'S',
          approvers: [
            { kind: 'user', userId: 'am1' },
            { kind: 'user', userId: 'am2' },
          ],
          mode: 'any',
        },
      ],
    };
    const s = ok(submit(draft(flow), '1')).state;
    expect(currentApprovers(s)).toEqual(['am2']);
    expect(approve(s, 'am1')).toMatchObject({ ok: false, code: 'APPROVAL_SELF_APPROVAL' });
  });

  it('someone who is not a current approver gets APPROVAL_NOT_APPROVER', () => {
    const s = ok(submit(draft(), '25')).state;
    expect(approve(s, 'director')).toEqual({ ok: false, code: 'APPROVAL_NOT_APPROVER', params: {} });
    expect(approve(s, 'ghost')).toMatchObject({ ok: false, code: 'APPROVAL_NOT_APPROVER' });
  });

  it('only the requester submits; a draft cannot be decided', () => {
    expect(submit(draft(), '5', 'am2')).toMatchObject({ ok: false, code: 'APPROVAL_NOT_REQUESTER' });
    expect(approve(draft(), 'leadE')).toMatchObject({ ok: false, code: 'APPROVAL_STATE_INVALID' });
    const s = ok(submit(draft(), '5')).state;
    expect(submit(s, '5')).toMatchObject({ ok: false, code: 'APPROVAL_STATE_INVALID' });
  });

  it('submit needs a reason; a flow for another request type cannot be pinned', () => {
    const r = reduceApproval(
      draft(),
      {
        type: 'submit',
        by: 'am1',
        at: T0,
        payload: {},
        facts: {},
        reason: '',
        requesterDepartmentId: 'east',
      },
      env,
    );
    expect(r).toMatchObject({ ok: false, code: 'APPROVAL_REASON_REQUIRED' });
    expect(
      createApprovalRequest({ requestType: 'contract', requesterId: 'am1', flow: discountFlow }),
    ).toMatchObject({
      ok: false,
      code: 'APPROVAL_REQUEST_TYPE_INVALID',
    });
  });

  it('a step without any approver refuses the submit with the step name', () => {
    const flow: ApprovalFlowVersion = {
      ...discountFlow,
      steps: [{ id: 's', name: '客户负责人', approvers: [{ kind: 'customer_owner' }], mode: 'any' }],
    };
    expect(submit(draft(flow), '1')).toEqual({
      ok: false,
      code: 'APPROVAL_NO_APPROVER',
      params: { step: '客户负责人' },
    });
  });

  it('a step whose approvers left before it starts fails the decision that would start it', () => {
    const s = ok(submit(draft(), '25')).state;
    const gone: ApprovalEnvironment = {
      org: orgSnapshot({
        departments: [...env.org.departments.values()],
        users: [...env.org.users.values()].map((u) =>
          u.id === 'director' || u.id === 'ceo' ? { ...u, active: false } : u,
        ),
      }),
    };
    expect(act(s, { type: 'approve', by: 'leadE' }, gone)).toMatchObject({
      ok: false,
      code: 'APPROVAL_NO_APPROVER',
      params: { step: '销售总监' },
    });
  });

  it('a delegate decides while the window covers the decision time, for the approver', () => {
    const delegated: ApprovalEnvironment = {
      org: {
        ...env.org,
        delegations: [
          { fromUserId: 'leadE', toUserId: 'am2', from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
        ],
      },
    };
    const s = ok(
      reduceApproval(
        draft(),
        {
          type: 'submit',
          by: 'am1',
          at: T0,
          payload: {},
          facts: { discountPercent: '5' },
          reason: 'r',
          requesterDepartmentId: 'east',
        },
        delegated,
      ),
    ).state;
    expect(currentApprovers(s)).toEqual(['am2']);
    expect(approve(s, 'leadE')).toMatchObject({ ok: false, code: 'APPROVAL_NOT_APPROVER' });
    const done = ok(approve(s, 'am2'));
    expect(done.state.status).toBe('approved');
    expect(done.state.history.at(-1)).toMatchObject({ action: 'approved', by: 'am2', onBehalfOf: ['leadE'] });
  });
});

describe('return, resubmit, withdraw, comment', () => {
  it('return sends it back; resubmit starts a new round with the new payload', () => {
    const s = ok(approve(ok(submit(draft(), '25')).state, 'leadE')).state;
    expect(act(s, { type: 'return', by: 'director', reason: '' } as never)).toMatchObject({
      code: 'APPROVAL_REASON_REQUIRED',
    });
    const returned = ok(act(s, { type: 'return', by: 'director', reason: '请降到 5%' } as never));
    expect(returned.state.status).toBe('returned');
    expect(returned.commands).toEqual([
      { type: 'notify_requester', userId: 'am1', reason: 'returned', stepId: 'director' },
    ]);
    expect(approve(returned.state, 'director')).toMatchObject({ code: 'APPROVAL_STATE_INVALID' });
    expect(act(returned.state, { type: 'resubmit', by: 'am2' } as never)).toMatchObject({
      code: 'APPROVAL_NOT_REQUESTER',
    });
    const again = ok(
      act(returned.state, {
        type: 'resubmit',
        by: 'am1',
        payload: { quoteId: 'q1', discountPercent: '5' },
        facts: { discountPercent: '5' },
        reason: '已调整为 5%',
        requesterDepartmentId: 'east',
      } as never),
    );
    expect(again.state.round).toBe(2);
    expect(again.state.steps.map((s) => s.status)).toEqual(['active', 'skipped']);
    const done = ok(approve(again.state, 'leadE'));
    expect(done.state.status).toBe('approved');
    expect(done.commands).toContainEqual({
      type: 'apply_effect',
      requestType: 'discount',
      payload: { quoteId: 'q1', discountPercent: '5' },
    });
    expect(done.state.history.map((h) => `${h.round}:${h.action}`)).toEqual([
      '1:submitted',
      '1:approved',
      '1:returned',
      '2:resubmitted',
      '2:approved',
    ]);
  });

  it('the requester withdraws while pending; the current approvers are told', () => {
    const s = ok(submit(draft(), '25')).state;
    expect(act(s, { type: 'withdraw', by: 'leadE' })).toMatchObject({ code: 'APPROVAL_NOT_REQUESTER' });
    const w = ok(act(s, { type: 'withdraw', by: 'am1', reason: '客户取消' } as never));
    expect(w.state.status).toBe('withdrawn');
    expect(w.state.steps.map((x) => x.status)).toEqual(['withdrawn', 'cancelled']);
    expect(w.commands).toEqual([
      { type: 'notify_approvers', userIds: ['leadE'], stepId: 'head', reason: 'withdrawn' },
    ]);
    // The approval racing the withdrawal, serialised after it, gets a stable code.
    expect(approve(w.state, 'leadE')).toEqual({ ok: false, code: 'APPROVAL_ALREADY_DECIDED', params: {} });
  });

  it('withdraw after the decision is refused; withdraw of a returned request is allowed', () => {
    const approved = ok(approve(ok(submit(draft(), '5')).state, 'leadE')).state;
    expect(act(approved, { type: 'withdraw', by: 'am1' })).toMatchObject({
      code: 'APPROVAL_ALREADY_DECIDED',
    });
    const returned = ok(
      act(ok(submit(draft(), '5')).state, { type: 'return', by: 'leadE', reason: 'x' } as never),
    ).state;
    expect(ok(act(returned, { type: 'withdraw', by: 'am1' })).state.status).toBe('withdrawn');
    expect(act(draft(), { type: 'withdraw', by: 'am1' })).toMatchObject({ code: 'APPROVAL_STATE_INVALID' });
  });

  it('racing decisions: the second one gets APPROVAL_ALREADY_DECIDED and the effect is applied once', () => {
    const s = ok(submit(draft(), '5')).state;
    const first = ok(approve(s, 'leadE'));
    expect(approve(first.state, 'leadE')).toMatchObject({ code: 'APPROVAL_ALREADY_DECIDED' });
    expect(act(first.state, { type: 'reject', by: 'leadE', reason: 'x' } as never)).toMatchObject({
      code: 'APPROVAL_ALREADY_DECIDED',
    });
  });

  it('comments by participants notify the others; outsiders cannot comment', () => {
    const s = ok(submit(draft(), '25')).state;
    expect(act(s, { type: 'comment', by: 'ceo', text: 'hi' } as never)).toMatchObject({
      code: 'APPROVAL_NOT_PARTICIPANT',
    });
    expect(act(s, { type: 'comment', by: 'am1', text: ' ' } as never)).toMatchObject({ code: 'REQUIRED' });
    expect(act(s, { type: 'comment', by: 'am1', text: 'x'.repeat(2001) } as never)).toMatchObject({
      code: 'TOO_LONG',
      params: { max: 2000 },
    });
    const byRequester = ok(act(s, { type: 'comment', by: 'am1', text: '请尽快' } as never));
    expect(byRequester.commands).toEqual([
      { type: 'notify_approvers', userIds: ['leadE'], stepId: 'head', reason: 'comment' },
    ]);
    const byApprover = ok(act(s, { type: 'comment', by: 'leadE', text: '看一下合同' } as never));
    expect(byApprover.commands).toEqual([{ type: 'notify_requester', userId: 'am1', reason: 'comment' }]);
    expect(byApprover.state.status).toBe('pending');
    expect(byApprover.state.history.at(-1)).toMatchObject({
      action: 'commented',
      by: 'leadE',
      stepId: 'head',
    });
  });
});

describe('pinned versions', () => {
  it('the reducer only reads the version the request started with', () => {
    const flow = structuredClone(discountFlow);
    const s = ok(submit(draft(flow), '25')).state;
    // The flow is edited mid-flight (a new version drops the director step); the request is unaffected.
    flow.steps.pop();
    flow.version = 2;
    expect(s.flow.version).toBe(1);
    const afterHead = ok(approve(s, 'leadE'));
    expect(afterHead.state.status).toBe('pending');
    expect(currentApprovers(afterHead.state)).toEqual(['director']);
  });

  it('never mutates the input state', () => {
    const s = ok(submit(draft(), '25')).state;
    const before = JSON.stringify(s);
    approve(s, 'leadE');
    act(s, { type: 'withdraw', by: 'am1' });
    expect(JSON.stringify(s)).toBe(before);
  });

  it('a request no step applies to is approved on submit, with its effect', () => {
    const flow: ApprovalFlowVersion = { ...discountFlow, steps: [discountFlow.steps[1]!] };
    const r = ok(submit(draft(flow), '5'));
    expect(r.state.status).toBe('approved');
    expect(r.commands.map((c) => c.type)).toEqual(['apply_effect', 'notify_requester']);
  });
});

describe('timeouts', () => {
  const timed: ApprovalFlowVersion = {
    ...discountFlow,
    steps: [{ ...discountFlow.steps[0]!, timeLimitHours: 24, escalateOnTimeout: true }],
  };

  it('schedules a timer; on timeout reminds and escalates to the next head up', () => {
    const submitted = ok(
      reduceApproval(
        draft(timed),
        {
          type: 'submit',
          by: 'am1',
          at: T0,
          payload: {},
          facts: {},
          reason: 'r',
          requesterDepartmentId: 'east',
        },
        env,
      ),
    );
    expect(submitted.commands).toContainEqual({
      type: 'schedule_timeout',
      stepId: 'head',
      round: 1,
      dueAt: '2026-03-11T08:00:00.000Z',
    });
    const s = submitted.state;
    const early = { type: 'timeout', stepId: 'head', round: 1, at: '2026-03-11T07:59:59.000Z' } as const;
    expect(reduceApproval(s, early, env)).toMatchObject({ code: 'APPROVAL_TIMEOUT_STALE' });
    expect(reduceApproval(s, { ...early, at: '2026-03-11T08:00:00.000Z', round: 2 }, env)).toMatchObject({
      code: 'APPROVAL_TIMEOUT_STALE',
    });
    const t1 = ok(reduceApproval(s, { ...early, at: '2026-03-11T08:00:00.000Z' }, env));
    expect(t1.commands).toEqual([
      { type: 'notify_approvers', userIds: ['leadE'], stepId: 'head', reason: 'reminder' },
      { type: 'notify_approvers', userIds: ['director'], stepId: 'head', reason: 'escalated' },
      { type: 'schedule_timeout', stepId: 'head', round: 1, dueAt: '2026-03-12T08:00:00.000Z' },
    ]);
    expect(currentApprovers(t1.state)).toEqual(['director', 'leadE']);
    const t2 = ok(reduceApproval(t1.state, { ...early, at: '2026-03-12T08:00:00.000Z' }, env));
    expect(currentApprovers(t2.state)).toEqual(['ceo', 'director', 'leadE']);
    // The top of the tree: reminders only.
    const t3 = ok(reduceApproval(t2.state, { ...early, at: '2026-03-13T08:00:00.000Z' }, env));
    expect(t3.commands.map((c) => c.type)).toEqual(['notify_approvers', 'schedule_timeout']);
    // The escalation target decides for the seat.
    const done = ok(approve(t2.state, 'director'));
    expect(done.state.status).toBe('approved');
    expect(done.state.history.at(-1)).toMatchObject({ by: 'director', onBehalfOf: ['leadE'] });
    expect(reduceApproval(done.state, { ...early, at: '2026-03-20T00:00:00.000Z' }, env)).toMatchObject({
      code: 'APPROVAL_TIMEOUT_STALE',
    });
  });

  it('without escalation a timeout only reminds', () => {
    const flow: ApprovalFlowVersion = {
      ...discountFlow,
      steps: [{ ...discountFlow.steps[0]!, timeLimitHours: 1 }],
    };
    const s = ok(
      reduceApproval(
        draft(flow),
        {
          type: 'submit',
          by: 'am1',
          at: T0,
          payload: {},
          facts: {},
          reason: 'r',
          requesterDepartmentId: 'east',
        },
        env,
      ),
    ).state;
    const t = ok(
      reduceApproval(s, { type: 'timeout', stepId: 'head', round: 1, at: '2026-03-10T09:00:00.000Z' }, env),
    );
    expect(t.commands.map((c) => c.type)).toEqual(['notify_approvers', 'schedule_timeout']);
    expect(currentApprovers(t.state)).toEqual(['leadE']);
    expect(t.state.history.at(-1)).toMatchObject({ action: 'timed_out', by: null });
  });
});
