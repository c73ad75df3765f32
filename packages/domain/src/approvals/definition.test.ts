import { describe, expect, it } from 'vitest';
import { ERRORS } from '../errors.js';
import {
  type ApprovalFlow,
  isRequestType,
  referencedFields,
  validateApprovalFlow,
  zApprovalFlow,
} from './definition.js';

const step = (over: Record<string, unknown> = {}) => ({
  id: 'head',
  name: '部门负责人',
  approvers: [{ kind: 'requester_department_head' }],
  mode: 'any',
  ...over,
});

const flow = (steps: unknown[], requestType = 'discount') => ({ requestType, steps });

function codes(input: unknown) {
  const r = validateApprovalFlow(input);
  if (r.ok) return [];
  return r.issues.map((i) => `${i.path.join('.')}:${i.code}`);
}

const nested = (depth: number): unknown =>
  depth === 1 ? { field: 'amount', op: 'gte', value: '1' } : { not: nested(depth - 1) };

describe('flow definition schema', () => {
  it('accepts the issue example and normalises condition values', () => {
    const r = validateApprovalFlow(
      flow([
        step(),
        step({
          id: 'director',
          name: '销售总监',
          approvers: [
            { kind: 'role', roleId: 'r-director' },
            { kind: 'department_head_levels_up', levels: 2 },
          ],
          mode: 'all',
          condition: {
            all: [
              { field: 'discountPercent', op: 'gt', value: 10 },
              { field: 'targetTier', op: 'in', value: ['A', 'A', 'S'] },
              { field: 'departmentPath', op: 'in_subtree', value: 'd-sales' },
              { field: 'urgent', op: 'eq', value: true },
            ],
          },
          timeLimitHours: 24,
          escalateOnTimeout: true,
        }),
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.steps[1]?.condition).toEqual({
      all: [
        { field: 'discountPercent', op: 'gt', value: '10' },
        { field: 'targetTier', op: 'in', value: ['A', 'S'] },
        { field: 'departmentPath', op: 'in_subtree', value: ['d-sales'] },
        { field: 'urgent', op: 'eq', value: true },
      ],
    });
    expect(referencedFields(r.value)).toEqual(['departmentPath', 'discountPercent', 'targetTier', 'urgent']);
  });

  it('accepts every approver kind and custom request types', () => {
    const approvers = [
      { kind: 'user', userId: 'u1' },
      { kind: 'role', roleId: 'r1' },
      { kind: 'requester_department_head' },
      { kind: 'department_head_levels_up', levels: 10 },
      { kind: 'customer_owner' },
      { kind: 'customer_executive_sponsor' },
    ];
    expect(codes(flow([step({ approvers })], 'contracts.renewal'))).toEqual([]);
    for (const t of [
      'tier_change',
      'ownership_transfer',
      'discount',
      'contract',
      'customer_creation',
      'quote',
    ])
      expect(isRequestType(t), t).toBe(true);
    for (const t of ['', 'Discount', '1abc', 'a b', 'a.b.c', 'x'.repeat(40)])
      expect(isRequestType(t), t).toBe(false);
  });

  it('rejects a flow without steps, a step without approvers and duplicate step ids', () => {
    expect(codes(flow([]))).toEqual(['steps:APPROVAL_NO_STEPS']);
    expect(codes({ requestType: 'discount' })).toEqual(['steps:APPROVAL_NO_STEPS']);
    expect(codes(flow([step({ approvers: [] })]))).toEqual(['steps.0.approvers:APPROVAL_STEP_NO_APPROVERS']);
    const dup = validateApprovalFlow(flow([step(), step({ name: 'again' })]));
    expect(dup).toEqual({
      ok: false,
      issues: [{ path: ['steps', 1, 'id'], code: 'APPROVAL_STEP_ID_DUPLICATE', params: { id: 'head' } }],
    });
  });

  it('bounds condition nesting at 5 levels', () => {
    expect(codes(flow([step({ condition: nested(5) })]))).toEqual([]);
    const r = validateApprovalFlow(flow([step({ condition: nested(6) })]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      {
        path: ['steps', 0, 'condition', 'not', 'not', 'not', 'not'],
        code: 'APPROVAL_CONDITION_TOO_DEEP',
        params: { max: 5 },
      },
    ]);
    // A hostile, very deep input is cut off at the limit without recursing further.
    expect(codes(flow([step({ condition: nested(10_000) })]))).toEqual([
      'steps.0.condition.not.not.not.not:APPROVAL_CONDITION_TOO_DEEP',
    ]);
  });

  it('rejects malformed conditions with a precise path', () => {
    const bad = (condition: unknown) => codes(flow([step({ condition })]));
    expect(bad({ field: 'amount', op: 'gt', value: 'abc' })).toEqual([
      'steps.0.condition.value:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: 'amount', op: 'gte', value: '025' })).toEqual([
      'steps.0.condition.value:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: 'amount', op: 'between', value: '1' })).toEqual([
      'steps.0.condition.op:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: '__proto__', op: 'eq', value: '1' })).toEqual([
      'steps.0.condition.field:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: 'a.constructor', op: 'eq', value: '1' })).toEqual([
      'steps.0.condition.field:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: 'tier', op: 'in', value: [] })).toEqual([
      'steps.0.condition.value:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: 'tier', op: 'eq', value: ['A'] })).toEqual([
      'steps.0.condition.value:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad({ field: 'tier', op: 'eq', value: 'A', extra: 1 })).toEqual([
      'steps.0.condition.extra:UNKNOWN_PROPERTY',
    ]);
    expect(bad({ all: [] })).toEqual(['steps.0.condition.all:APPROVAL_CONDITION_INVALID']);
    expect(bad({ all: [{ field: 'a', op: 'eq', value: 'x' }], any: [] })).toEqual([
      'steps.0.condition:APPROVAL_CONDITION_INVALID',
    ]);
    expect(bad('amount > 5')).toEqual(['steps.0.condition:APPROVAL_CONDITION_INVALID']);
    expect(
      bad({
        any: [
          { field: 'a', op: 'eq', value: 'x' },
          { field: 'b', op: 'lt', value: 'y' },
        ],
      }),
    ).toEqual(['steps.0.condition.any.1.value:APPROVAL_CONDITION_INVALID']);
  });

  it('checks approver specs, mode, time limits and names', () => {
    expect(codes(flow([step({ approvers: [{ kind: 'department_head_levels_up', levels: 0 }] })]))).toEqual([
      'steps.0.approvers.0.levels:OUT_OF_RANGE',
    ]);
    expect(codes(flow([step({ approvers: [{ kind: 'department_head_levels_up', levels: 11 }] })]))).toEqual([
      'steps.0.approvers.0.levels:OUT_OF_RANGE',
    ]);
    expect(codes(flow([step({ approvers: [{ kind: 'user' }] })]))).toEqual([
      'steps.0.approvers.0.userId:REQUIRED',
    ]);
    expect(codes(flow([step({ approvers: [{ kind: 'nobody' }] })]))).toEqual([
      'steps.0.approvers.0.kind:INVALID_VALUE',
    ]);
    expect(codes(flow([step({ approvers: [{ kind: 'user', userId: 'u', x: 1 }] })]))).toEqual([
      'steps.0.approvers.0.x:UNKNOWN_PROPERTY',
    ]);
    expect(codes(flow([step({ mode: 'majority' })]))).toEqual(['steps.0.mode:INVALID_VALUE']);
    expect(codes(flow([step({ timeLimitHours: 0 })]))).toEqual(['steps.0.timeLimitHours:OUT_OF_RANGE']);
    expect(codes(flow([step({ timeLimitHours: 1.5 })]))).toEqual(['steps.0.timeLimitHours:OUT_OF_RANGE']);
    expect(codes(flow([step({ escalateOnTimeout: true })]))).toEqual(['steps.0.timeLimitHours:REQUIRED']);
    expect(codes(flow([step({ name: ' ' })]))).toEqual(['steps.0.name:REQUIRED']);
    expect(codes(flow([step({ name: undefined })]))).toEqual(['steps.0.name:REQUIRED']);
    const long = validateApprovalFlow(flow([step({ name: 'x'.repeat(65) })]));
    expect(long.ok || long.issues).toEqual([
      { path: ['steps', 0, 'name'], code: 'TOO_LONG', params: { max: 64 } },
    ]);
    expect(codes(flow([step({ id: '-x' })]))).toEqual(['steps.0.id:CODE_INVALID']);
    expect(codes(flow([step()], 'Bad Type'))).toEqual(['requestType:APPROVAL_REQUEST_TYPE_INVALID']);
    expect(codes({ ...flow([step()]), extra: 1 })).toEqual(['extra:UNKNOWN_PROPERTY']);
  });

  it('uses only codes from the error catalogue, as zod messages too', () => {
    const r = zApprovalFlow.safeParse(flow([step({ approvers: [], condition: nested(7) })]));
    expect(r.success).toBe(false);
    for (const issue of r.error?.issues ?? [])
      expect(Object.hasOwn(ERRORS, issue.message), issue.message).toBe(true);
  });

  it('referencedFields works on a single condition and on flows without conditions', () => {
    const f: ApprovalFlow = { requestType: 'discount', steps: [step() as never] };
    expect(referencedFields(f)).toEqual([]);
    expect(referencedFields(undefined)).toEqual([]);
    expect(
      referencedFields({
        any: [{ field: 'b', op: 'eq', value: 'x' }, { not: { field: 'a', op: 'lt', value: '1' } }],
      }),
    ).toEqual(['a', 'b']);
  });
});
