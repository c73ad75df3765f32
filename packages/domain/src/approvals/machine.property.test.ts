import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApprovalFlowVersion, ApprovalStep, ApproverSpec } from './definition.js';
import {
  type ApprovalEnvironment,
  type ApprovalEvent,
  type ApprovalRequestState,
  createApprovalRequest,
  reduceApproval,
} from './machine.js';
import { orgSnapshot } from './resolve.js';

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];

/** A small random organisation: a department chain with random heads, random roles, delegations. */
const envArb: fc.Arbitrary<ApprovalEnvironment> = fc
  .record({
    heads: fc.array(fc.option(fc.constantFrom(...USERS), { nil: null }), { minLength: 1, maxLength: 4 }),
    userDepts: fc.array(fc.nat(3), { minLength: USERS.length, maxLength: USERS.length }),
    roles: fc.array(fc.subarray(['r1', 'r2']), { minLength: USERS.length, maxLength: USERS.length }),
    inactive: fc.subarray(USERS),
    delegations: fc.array(fc.record({ from: fc.constantFrom(...USERS), to: fc.constantFrom(...USERS) }), {
      maxLength: 3,
    }),
  })
  .map(({ heads, userDepts, roles, inactive, delegations }) => ({
    org: orgSnapshot({
      departments: heads.map((head, i) => ({
        id: `d${i}`,
        parentId: i === 0 ? null : `d${i - 1}`,
        headUserId: head,
      })),
      users: USERS.map((id, i) => ({
        id,
        departmentId: `d${Math.min(userDepts[i] ?? 0, heads.length - 1)}`,
        active: !inactive.includes(id),
        roleIds: roles[i] ?? [],
      })),
      delegations: delegations.map((d) => ({
        fromUserId: d.from,
        toUserId: d.to,
        from: '2026-01-01T00:00:00Z',
        to: '2027-01-01T00:00:00Z',
      })),
    }),
    customer: { ownerId: 'u1', executiveSponsorIds: ['u2', 'u0'] },
  }));

const specArb: fc.Arbitrary<ApproverSpec> = fc.oneof(
  fc.constantFrom(...USERS).map((userId) => ({ kind: 'user' as const, userId })),
  fc.constantFrom('r1', 'r2').map((roleId) => ({ kind: 'role' as const, roleId })),
  fc.constant({ kind: 'requester_department_head' as const }),
  fc.integer({ min: 1, max: 3 }).map((levels) => ({ kind: 'department_head_levels_up' as const, levels })),
  fc.constant({ kind: 'customer_owner' as const }),
  fc.constant({ kind: 'customer_executive_sponsor' as const }),
);

const flowArb: fc.Arbitrary<ApprovalFlowVersion> = fc
  .array(
    fc.record({
      approvers: fc.array(specArb, { minLength: 1, maxLength: 3 }),
      mode: fc.constantFrom<'any' | 'all'>('any', 'all'),
      threshold: fc.option(fc.constantFrom('0', '10', '25'), { nil: undefined }),
      timed: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((steps) => ({
    flowId: 'f',
    version: 1,
    requestType: 'discount',
    steps: steps.map(
      (s, i): ApprovalStep => ({
        id: `s${i}`,
        name: `Step ${i}`,
        approvers: s.approvers,
        mode: s.mode,
        ...(s.threshold === undefined
          ? {}
          : { condition: { field: 'discountPercent', op: 'gt' as const, value: s.threshold } }),
        ...(s.timed ? { timeLimitHours: 1, escalateOnTimeout: true } : {}),
      }),
    ),
  }));

type Step = { kind: string; by: string; pct: string; stepIndex: number };
const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(
    'approve',
    'approve',
    'approve',
    'approve',
    'reject',
    'return',
    'withdraw',
    'comment',
    'submit',
    'resubmit',
    'timeout',
  ),
  by: fc.constantFrom(...USERS),
  pct: fc.constantFrom('5', '10', '25', '30'),
  stepIndex: fc.nat(3),
});

function toEvent(step: Step, state: ApprovalRequestState, t: number): ApprovalEvent {
  const at = new Date(Date.parse('2026-03-01T00:00:00Z') + t * 3_600_000).toISOString();
  switch (step.kind) {
    case 'submit':
    case 'resubmit':
      return {
        type: step.kind,
        by: step.by,
        at,
        payload: { discountPercent: step.pct },
        facts: { discountPercent: step.pct },
        reason: 'r',
        requesterDepartmentId: 'd3',
      };
    case 'reject':
    case 'return':
      return { type: step.kind, by: step.by, at, reason: 'because' };
    case 'comment':
      return { type: 'comment', by: step.by, at, text: 'note' };
    case 'timeout':
      return { type: 'timeout', stepId: `s${step.stepIndex}`, round: state.round, at };
    case 'withdraw':
      return { type: 'withdraw', by: step.by, at };
    default:
      return { type: 'approve', by: step.by, at };
  }
}

describe('approval state machine properties', () => {
  it('apply_effect is emitted at most once over any event sequence, and only with approval', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        envArb,
        flowArb,
        fc.constantFrom(...USERS),
        fc.array(stepArb, { maxLength: 40 }),
        (env, flow, requester, steps) => {
          const created = createApprovalRequest({ requestType: 'discount', requesterId: requester, flow });
          if (!created.ok) throw new Error('create failed');
          let state = created.state;
          let applied = 0;
          // Bias towards progress: submit as the requester first.
          const all = [{ kind: 'submit', by: requester, pct: '30', stepIndex: 0 }, ...steps];
          all.forEach((step, t) => {
            const result = reduceApproval(state, toEvent(step, state, t), env);
            if (!result.ok) return;
            applied += result.commands.filter((c) => c.type === 'apply_effect').length;
            state = result.state;
          });
          seen.add(state.status);
          expect(applied).toBeLessThanOrEqual(1);
          expect(applied === 1).toBe(state.status === 'approved');
          expect(state.effectApplied).toBe(state.status === 'approved');
        },
      ),
      { numRuns: 300 },
    );
    // The generators reach every outcome, so the property is not vacuous.
    expect([...seen].sort()).toEqual(['approved', 'draft', 'pending', 'rejected', 'returned', 'withdrawn']);
  });

  it('no request is ever approved (or decided) by its requester', () => {
    fc.assert(
      fc.property(
        envArb,
        flowArb,
        fc.constantFrom(...USERS),
        fc.array(stepArb, { maxLength: 40 }),
        (env, flow, requester, steps) => {
          const created = createApprovalRequest({ requestType: 'discount', requesterId: requester, flow });
          if (!created.ok) throw new Error('create failed');
          let state = created.state;
          const all = [{ kind: 'submit', by: requester, pct: '30', stepIndex: 0 }, ...steps];
          all.forEach((step, t) => {
            const result = reduceApproval(state, toEvent(step, state, t), env);
            if (result.ok) state = result.state;
            for (const s of state.steps) {
              for (const seat of s.seats) {
                expect(seat.holders).not.toContain(requester);
                expect(seat.decidedBy).not.toBe(requester);
              }
            }
          });
          for (const entry of state.history) {
            if (['approved', 'rejected', 'returned'].includes(entry.action))
              expect(entry.by).not.toBe(requester);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a failed event leaves the state untouched, and final states never change', () => {
    fc.assert(
      fc.property(envArb, flowArb, fc.array(stepArb, { maxLength: 30 }), (env, flow, steps) => {
        const created = createApprovalRequest({ requestType: 'discount', requesterId: 'u3', flow });
        if (!created.ok) throw new Error('create failed');
        let state = created.state;
        const all = [{ kind: 'submit', by: 'u3', pct: '30', stepIndex: 0 }, ...steps];
        all.forEach((step, t) => {
          const before = JSON.stringify(state);
          const wasFinal = ['approved', 'rejected', 'withdrawn'].includes(state.status);
          const result = reduceApproval(state, toEvent(step, state, t), env);
          expect(JSON.stringify(state)).toBe(before);
          if (result.ok) {
            if (wasFinal) expect(result.state.status).toBe(state.status);
            state = result.state;
          }
        });
      }),
      { numRuns: 200 },
    );
  });
});
