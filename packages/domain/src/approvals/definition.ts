import { z } from 'zod';
import { type DomainIssue, validateDocument } from '../validation/result.js';
import { asDecimal } from './decimal.js';

/**
 * Approval flow definitions: what a sales director builds in the flow editor, stored as JSON data and
 * never evaluated as code. A flow belongs to one request type; saving it creates a new immutable
 * version (`ApprovalFlowVersion`), and a request runs to the end on the version it was submitted with.
 */

/** Request types the product ships with. */
export const BUILTIN_REQUEST_TYPES = [
  'tier_change',
  'ownership_transfer',
  'discount',
  'contract',
  'customer_creation',
] as const;
export type BuiltinRequestType = (typeof BUILTIN_REQUEST_TYPES)[number];

/**
 * Built-in and custom request types (a capability registers its own, e.g. `quote` or
 * `contracts.renewal`): lower-case words of `a-z0-9_`, optionally dot-separated, at most 64 characters.
 */
export const REQUEST_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31})?$/;
export type RequestType = BuiltinRequestType | (string & {});

export function isRequestType(value: string): value is RequestType {
  return REQUEST_TYPE_PATTERN.test(value);
}

/** Who approves a step. Resolved against the organisation when the step starts (`resolve.ts`). */
export type ApproverSpec =
  | { kind: 'user'; userId: string }
  | { kind: 'role'; roleId: string }
  /** The head of the requester's department (walking up past departments without an eligible head). */
  | { kind: 'requester_department_head' }
  /** The head of the department `levels` above the requester's (1 = the parent department's head). */
  | { kind: 'department_head_levels_up'; levels: number }
  | { kind: 'customer_owner' }
  | { kind: 'customer_executive_sponsor' };
export type ApproverKind = ApproverSpec['kind'];

/** 或签 (`any`): the first approval completes the step. 会签 (`all`): every resolved approver must approve. */
export type StepMode = 'any' | 'all';

export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'in_subtree'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/**
 * A comparison on one fact. Values are normalised by the schema:
 * - `eq`/`ne`: a string or boolean (numbers become decimal strings; decimals compare numerically);
 * - `gt`/`gte`/`lt`/`lte`: a decimal string such as `"25000.00"` or `"25"`;
 * - `in`/`not_in`: a non-empty list of strings (decimals compare numerically);
 * - `in_subtree`: a non-empty list of department ids; holds when the fact (a department path,
 *   root → leaf) contains one of them.
 */
export type ConditionLeaf =
  | { field: string; op: 'eq' | 'ne'; value: string | boolean }
  | { field: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: string }
  | { field: string; op: 'in' | 'not_in'; value: string[] }
  | { field: string; op: 'in_subtree'; value: string[] };

/** Structured rules: groups (`all` = AND, `any` = OR, `not`) of comparisons, at most `MAX_CONDITION_DEPTH` deep. */
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | ConditionLeaf;

export interface ApprovalStep {
  /** Stable within the flow (history and timers refer to it), e.g. `head` or `director`. */
  id: string;
  name: string;
  approvers: ApproverSpec[];
  mode: StepMode;
  /** The step applies only when this holds for the request's facts; absent = always. */
  condition?: Condition;
  /** Hours after the step starts before reminders go out (and, with `escalateOnTimeout`, escalation). */
  timeLimitHours?: number;
  /** On timeout, also add the next head up above each undecided approver. Needs `timeLimitHours`. */
  escalateOnTimeout?: boolean;
}

/** The content of a flow: what the editor saves. */
export interface ApprovalFlow {
  requestType: RequestType;
  steps: ApprovalStep[];
}

/** One immutable saved version of a flow; a request pins exactly one. */
export interface ApprovalFlowVersion extends ApprovalFlow {
  flowId: string;
  version: number;
}

export const MAX_APPROVAL_STEPS = 20;
export const MAX_APPROVERS_PER_STEP = 20;
export const MAX_CONDITION_DEPTH = 5;
export const MAX_CONDITION_CHILDREN = 50;
export const MAX_CONDITION_LIST = 200;
export const MAX_TIME_LIMIT_HOURS = 24 * 365;
export const MAX_APPROVAL_HEAD_LEVELS = 10;

/** Field names: identifiers, optionally dotted into the payload (`payload.lines`), no prototype keys. */
export const CONDITION_FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,4}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

export function isConditionField(value: string): boolean {
  return CONDITION_FIELD_PATTERN.test(value) && !value.split('.').some((s) => FORBIDDEN_SEGMENTS.has(s));
}

/** A validation problem with a stable code and the path to the offending value. */
export type ApprovalIssue = DomainIssue;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SHORT_TEXT_MAX = 200;

function scalarValue(value: unknown): string | boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return asDecimal(value);
  if (typeof value === 'string' && value.length > 0 && value.length <= SHORT_TEXT_MAX) return value;
  return null;
}

function listValue(value: unknown, normalise: (item: unknown) => string | null): string[] | null {
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_CONDITION_LIST) return null;
  const out: string[] = [];
  for (const item of items) {
    const text = normalise(item);
    if (text === null) return null;
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

const textItem = (item: unknown): string | null => {
  if (typeof item === 'number') return asDecimal(item);
  return typeof item === 'string' && item.length > 0 && item.length <= SHORT_TEXT_MAX ? item : null;
};

/**
 * Checks and normalises a condition (hand-written rather than a recursive zod schema, so that depth is
 * bounded before recursing and every problem gets a precise code and path). Returns the normalised
 * condition, or `null` after pushing at least one issue.
 */
export function parseCondition(
  input: unknown,
  issues: ApprovalIssue[],
  path: (string | number)[] = [],
  depth = 1,
): Condition | null {
  if (!isPlainObject(input)) {
    issues.push({ path, code: 'APPROVAL_CONDITION_INVALID' });
    return null;
  }
  const keys = Object.keys(input);
  const group = keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any' || keys[0] === 'not');
  if (!group && keys.some((k) => k === 'all' || k === 'any' || k === 'not')) {
    issues.push({ path, code: 'APPROVAL_CONDITION_INVALID' });
    return null;
  }
  if (group && depth >= MAX_CONDITION_DEPTH) {
    issues.push({ path, code: 'APPROVAL_CONDITION_TOO_DEEP', params: { max: MAX_CONDITION_DEPTH } });
    return null;
  }
  if (group && keys[0] === 'not') {
    const inner = parseCondition(input.not, issues, [...path, 'not'], depth + 1);
    return inner === null ? null : { not: inner };
  }
  if (group) {
    const key = keys[0] as 'all' | 'any';
    const children = input[key];
    if (!Array.isArray(children) || children.length === 0 || children.length > MAX_CONDITION_CHILDREN) {
      issues.push({ path: [...path, key], code: 'APPROVAL_CONDITION_INVALID' });
      return null;
    }
    const parsed = children.map((child, i) => parseCondition(child, issues, [...path, key, i], depth + 1));
    if (parsed.some((c) => c === null)) return null;
    return key === 'all' ? { all: parsed as Condition[] } : { any: parsed as Condition[] };
  }
  return parseLeaf(input, issues, path);
}

function parseLeaf(
  input: Record<string, unknown>,
  issues: ApprovalIssue[],
  path: (string | number)[],
): ConditionLeaf | null {
  const unknown = Object.keys(input).filter((k) => k !== 'field' && k !== 'op' && k !== 'value');
  if (unknown.length > 0) {
    for (const name of unknown)
      issues.push({ path: [...path, name], code: 'UNKNOWN_PROPERTY', params: { name } });
    return null;
  }
  const { field, op, value } = input;
  if (typeof field !== 'string' || !isConditionField(field)) {
    issues.push({ path: [...path, 'field'], code: 'APPROVAL_CONDITION_INVALID' });
    return null;
  }
  if (typeof op !== 'string' || !(CONDITION_OPS as readonly string[]).includes(op)) {
    issues.push({ path: [...path, 'op'], code: 'APPROVAL_CONDITION_INVALID' });
    return null;
  }
  const bad = (): null => {
    issues.push({ path: [...path, 'value'], code: 'APPROVAL_CONDITION_INVALID' });
    return null;
  };
  switch (op as ConditionOp) {
    case 'eq':
    case 'ne': {
      const v = scalarValue(value);
      return v === null ? bad() : { field, op: op as 'eq' | 'ne', value: v };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = asDecimal(value);
      return v === null ? bad() : { field, op: op as 'gt' | 'gte' | 'lt' | 'lte', value: v };
    }
    case 'in':
    case 'not_in': {
      const v = listValue(value, textItem);
      return v === null ? bad() : { field, op: op as 'in' | 'not_in', value: v };
    }
    case 'in_subtree': {
      const v = listValue(value, (item) =>
        typeof item === 'string' && item.length > 0 && item.length <= SHORT_TEXT_MAX ? item : null,
      );
      return v === null ? bad() : { field, op: 'in_subtree', value: v };
    }
  }
}

/** Every field a condition (or every condition of a flow) refers to, sorted and deduplicated. */
export function referencedFields(source: Condition | ApprovalFlow | undefined): string[] {
  const out = new Set<string>();
  const visit = (c: Condition) => {
    if ('all' in c) c.all.forEach(visit);
    else if ('any' in c) c.any.forEach(visit);
    else if ('not' in c) visit(c.not);
    else out.add(c.field);
  };
  if (source === undefined) return [];
  if ('steps' in source) {
    for (const step of source.steps) if (step.condition) visit(step.condition);
  } else visit(source);
  return [...out].sort();
}

/** `REQUIRED` when missing; other problems keep zod's own issue (mapped by `validateApprovalFlow`). */
const requiredString = () =>
  z.string({
    error: (issue) =>
      issue.code === 'invalid_type' ? (issue.input === undefined ? 'REQUIRED' : 'INVALID_VALUE') : undefined,
  });

const zId = requiredString().min(1, { error: 'REQUIRED' }).max(64, { error: 'INVALID_VALUE' });

/** An approver spec; unknown kinds and extra properties are rejected. */
export const zApproverSpec = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('user'), userId: zId }),
    z.strictObject({ kind: z.literal('role'), roleId: zId }),
    z.strictObject({ kind: z.literal('requester_department_head') }),
    z.strictObject({
      kind: z.literal('department_head_levels_up'),
      levels: z
        .number({ error: 'OUT_OF_RANGE' })
        .int({ error: 'OUT_OF_RANGE' })
        .min(1, { error: 'OUT_OF_RANGE' })
        .max(MAX_APPROVAL_HEAD_LEVELS, { error: 'OUT_OF_RANGE' }),
    }),
    z.strictObject({ kind: z.literal('customer_owner') }),
    z.strictObject({ kind: z.literal('customer_executive_sponsor') }),
  ],
  { error: 'INVALID_VALUE' },
);

/** A condition (see `parseCondition`); issue messages are stable codes. */
export const zCondition = z.unknown().transform((input, ctx): Condition => {
  const issues: ApprovalIssue[] = [];
  const parsed = parseCondition(input, issues);
  for (const issue of issues) {
    ctx.addIssue({ code: 'custom', message: issue.code, path: issue.path, params: issue.params, input });
  }
  return parsed ?? (z.NEVER as Condition);
});

export const zRequestType = z
  .string({ error: 'APPROVAL_REQUEST_TYPE_INVALID' })
  .regex(REQUEST_TYPE_PATTERN, { error: 'APPROVAL_REQUEST_TYPE_INVALID' });

export const zApprovalStep = z
  .strictObject({
    id: requiredString().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, { error: 'CODE_INVALID' }),
    name: requiredString().trim().min(1, { error: 'REQUIRED' }).max(64),
    approvers: z
      .array(zApproverSpec, { error: 'APPROVAL_STEP_NO_APPROVERS' })
      .min(1, { error: 'APPROVAL_STEP_NO_APPROVERS' })
      .max(MAX_APPROVERS_PER_STEP, { error: 'OUT_OF_RANGE' }),
    mode: z.enum(['any', 'all'], { error: 'INVALID_VALUE' }),
    condition: zCondition.optional(),
    timeLimitHours: z
      .number({ error: 'OUT_OF_RANGE' })
      .int({ error: 'OUT_OF_RANGE' })
      .min(1, { error: 'OUT_OF_RANGE' })
      .max(MAX_TIME_LIMIT_HOURS, { error: 'OUT_OF_RANGE' })
      .optional(),
    escalateOnTimeout: z.boolean({ error: 'INVALID_VALUE' }).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.escalateOnTimeout && step.timeLimitHours === undefined) {
      ctx.addIssue({ code: 'custom', message: 'REQUIRED', path: ['timeLimitHours'], input: step });
    }
  });

/**
 * A flow as saved by the editor: a valid request type and 1–20 steps with unique ids, each with 1–20
 * approvers and an optional condition at most 5 levels deep. Issue messages are stable `ERRORS` codes
 * (`APPROVAL_NO_STEPS`, `APPROVAL_STEP_ID_DUPLICATE`, `APPROVAL_STEP_NO_APPROVERS`,
 * `APPROVAL_CONDITION_INVALID`, `APPROVAL_CONDITION_TOO_DEEP`, …) with their params.
 */
export const zApprovalFlow = z
  .strictObject({
    requestType: zRequestType,
    steps: z
      .array(zApprovalStep, { error: 'APPROVAL_NO_STEPS' })
      .min(1, { error: 'APPROVAL_NO_STEPS' })
      .max(MAX_APPROVAL_STEPS, { error: 'OUT_OF_RANGE' }),
  })
  .superRefine((flow, ctx) => {
    const seen = new Set<string>();
    flow.steps.forEach((step, i) => {
      if (seen.has(step.id)) {
        ctx.addIssue({
          code: 'custom',
          message: 'APPROVAL_STEP_ID_DUPLICATE',
          path: ['steps', i, 'id'],
          params: { id: step.id },
          input: step.id,
        });
      }
      seen.add(step.id);
    });
  }) as unknown as z.ZodType<ApprovalFlow, unknown>;

/** Validates a flow; on failure, every problem with its code, params and path. */
export function validateApprovalFlow(
  input: unknown,
): { ok: true; value: ApprovalFlow } | { ok: false; issues: ApprovalIssue[] } {
  return validateDocument(zApprovalFlow, input);
}
