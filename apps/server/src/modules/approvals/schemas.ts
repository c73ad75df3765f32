/**
 * HTTP contract of the approval engine (审批流): flow definitions, requests, inbox, delegations.
 * Notifications have their own file (`modules/notifications/schemas.ts`).
 *
 * Conventions: JSON camelCase, ids are uuids, timestamps ISO strings, amounts and percentages decimal
 * strings (`"25"`, `"120000.00"`), labels `{ zh, en }`, lists `{ items, nextCursor }` (keyset pages).
 * The UI builds against this file; keep it accurate.
 */
import {
  MAX_APPROVAL_HEAD_LEVELS,
  MAX_APPROVAL_STEPS,
  MAX_APPROVAL_TEXT_LENGTH,
  MAX_APPROVERS_PER_STEP,
  MAX_CONDITION_DEPTH,
  MAX_TIME_LIMIT_HOURS,
  zApprovalFlow,
  zDate,
  zMoney,
  zRequestType,
} from '@kam/domain';
import { z } from 'zod';
import { zId, zPageQuery } from '../../http/schemas.js';

export const zLabel = z.object({ zh: z.string(), en: z.string() });

/** A user as approvals show them: name and department only (no contact data). */
export const zUserRef = z.object({
  id: z.string(),
  displayName: z.string(),
  departmentName: z.string().nullable(),
});
export type UserRef = z.output<typeof zUserRef>;

// ---------------------------------------------------------------------------------------------------
// Flow definitions

export const CONDITION_FIELD_KINDS = ['decimal', 'text', 'text_list', 'boolean', 'department_path'] as const;

/** A field a condition may test (payload field of a request type, or a context field). */
export const zConditionFieldMeta = z.object({
  name: z.string(),
  kind: z.enum(CONDITION_FIELD_KINDS),
  label: zLabel,
  /** closed value sets (e.g. tiers): the values and their labels */
  options: z.array(z.object({ value: z.string(), label: zLabel })).optional(),
});

export const zRequestTypeMeta = z.object({
  type: z.string(),
  label: zLabel,
  /** `required`: a request names a customer (`customerId`); `none`: it must not (customer creation) */
  customer: z.enum(['required', 'none']),
  /** payload fields conditions may use (in addition to the context fields) */
  payloadFields: z.array(zConditionFieldMeta),
});

export const APPROVER_KINDS = [
  'user',
  'role',
  'requester_department_head',
  'department_head_levels_up',
  'customer_owner',
  'customer_executive_sponsor',
] as const;

export const zApprovalFlowsMeta = z.object({
  /** request types registered on this server (built-in ones and those capabilities added) */
  types: z.array(zRequestTypeMeta),
  /** context fields every flow may use (requester, department path, customer …) */
  contextFields: z.array(zConditionFieldMeta),
  approverKinds: z.array(z.object({ kind: z.enum(APPROVER_KINDS), label: zLabel })),
  operators: z.array(
    z.object({ op: z.string(), label: zLabel, kinds: z.array(z.enum(CONDITION_FIELD_KINDS)) }),
  ),
  limits: z.object({
    maxSteps: z.literal(MAX_APPROVAL_STEPS),
    maxApproversPerStep: z.literal(MAX_APPROVERS_PER_STEP),
    maxConditionDepth: z.literal(MAX_CONDITION_DEPTH),
    maxTimeLimitHours: z.literal(MAX_TIME_LIMIT_HOURS),
    maxHeadLevels: z.literal(MAX_APPROVAL_HEAD_LEVELS),
    maxTextLength: z.literal(MAX_APPROVAL_TEXT_LENGTH),
  }),
});

/**
 * A flow as stored and returned (the domain `ApprovalFlow` shape; see `@kam/domain` `definition.ts`).
 * Conditions are structured data: `{ all: [...] } | { any: [...] } | { not: c } | { field, op, value }`.
 */
export const zApproverSpecOut = z.object({
  kind: z.enum(APPROVER_KINDS),
  userId: z.string().optional(),
  roleId: z.string().optional(),
  levels: z.number().int().optional(),
});
export const zApprovalStepOut = z.object({
  id: z.string(),
  name: z.string(),
  approvers: z.array(zApproverSpecOut),
  mode: z.enum(['any', 'all']).describe('any = 或签 (one approval suffices), all = 会签 (everyone)'),
  condition: z.unknown().optional().describe('structured condition; absent = the step always applies'),
  timeLimitHours: z.number().int().optional(),
  escalateOnTimeout: z.boolean().optional(),
});
export const zApprovalFlowOut = z.object({
  requestType: z.string(),
  steps: z.array(zApprovalStepOut),
});

/** One row of the flow list: every registered request type, configured or not. */
export const zApprovalFlowSummary = z.object({
  type: z.string(),
  label: zLabel,
  /** null: no flow saved yet (requests of this type cannot be submitted) */
  version: z.number().int().nullable(),
  steps: z.array(
    z.object({ id: z.string(), name: z.string(), mode: z.enum(['any', 'all']), conditional: z.boolean() }),
  ),
  updatedAt: z.string().nullable(),
  updatedBy: zUserRef.nullable(),
});

export const zApprovalFlowVersionInfo = z.object({
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: zUserRef.nullable(),
  /** requests pinned to this version that are still pending or returned */
  openRequests: z.number().int(),
});

export const zApprovalFlowDetail = z.object({
  type: z.string(),
  label: zLabel,
  /** the current version; null when none has been saved (flow is then null) */
  version: z.number().int().nullable(),
  flow: zApprovalFlowOut.nullable(),
  /** names of the users and roles the flow refers to, for display */
  refs: z.object({
    users: z.array(zUserRef),
    roles: z.array(z.object({ id: z.string(), name: z.string() })),
  }),
  /** condition fields used by the flow that the request type does not know (editor warning) */
  unknownFields: z.array(z.string()),
  versions: z.array(zApprovalFlowVersionInfo).describe('newest first'),
});

export const zFlowTypeParams = z.strictObject({ type: zRequestType });
export const zFlowVersionParams = z.strictObject({
  type: zRequestType,
  version: z.coerce.number().int().min(1),
});

/** Saving creates the next immutable version. `expectedVersion`: the current version (null when none) → 409 when stale. */
export const zApprovalFlowSave = z.strictObject({
  flow: zApprovalFlow,
  expectedVersion: z.number().int().min(1).nullable(),
});

// ---------------------------------------------------------------------------------------------------
// Payloads of the built-in request types (tier_change is registered by the tiering capability)

const zPercent = z
  .string({ error: 'INVALID_VALUE' })
  .trim()
  .regex(/^(100(\.0{1,2})?|[1-9]?\d(\.\d{1,2})?)$/, { error: 'OUT_OF_RANGE' })
  .refine((v) => Number(v) > 0, { error: 'OUT_OF_RANGE' })
  .describe('percentage 0 < x ≤ 100, at most two decimals, e.g. "25" or "12.5"');
const zReference = z.string().trim().min(1).max(100);

/** `discount`: record-only until quotes exist — the approved request is the record (decision 0014). */
export const zDiscountPayload = z.strictObject({
  discountPercent: zPercent,
  amount: zMoney.optional().describe('deal amount before discount, CNY decimal string'),
  reference: zReference.optional().describe('quote or opportunity number'),
  note: z.string().trim().max(500).optional(),
});

/** `contract`: record-only until contracts exist — the approved request is the record (decision 0014). */
export const zContractPayload = z
  .strictObject({
    title: z.string().trim().min(1).max(200),
    reference: zReference.describe('contract number'),
    amount: zMoney.describe('contract value, CNY decimal string'),
    startDate: zDate.optional(),
    endDate: zDate.optional(),
    note: z.string().trim().max(500).optional(),
  })
  .refine((v) => !v.startDate || !v.endDate || v.startDate <= v.endDate, {
    error: 'DATE_RANGE_INVALID',
    path: ['endDate'],
  });

/** `ownership_transfer`: the customer (request `customerId`) goes to `toOwnerId` when approved. */
export const zOwnershipTransferPayload = z.strictObject({
  toOwnerId: zId,
  includeOpenFollowUps: z.boolean().default(true),
});

// `customer_creation`: the payload is the body of `POST /customers` (see customers/schemas.ts
// `zCustomerCreate`); the customer is created with its duplicate checks when the request is approved.

// ---------------------------------------------------------------------------------------------------
// Requests

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'returned', 'withdrawn'] as const;
export const APPROVAL_BOXES = ['todo', 'submitted', 'processed'] as const;
const zText = z.string().trim().max(MAX_APPROVAL_TEXT_LENGTH);

export const zApprovalRequestCreate = z.strictObject({
  type: zRequestType,
  customerId: zId.optional().describe('required by every type except customer_creation'),
  payload: z.record(z.string(), z.unknown()).describe('validated by the request type'),
  reason: zText.min(1),
});

export const zApprovalListQuery = z.strictObject({
  box: z.enum(APPROVAL_BOXES).default('todo'),
  status: z.enum(APPROVAL_STATUSES).optional(),
  type: zRequestType.optional(),
  ...zPageQuery,
});

export const zCustomerRef = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
});

/** A row of the inbox. */
export const zApprovalRequestListItem = z.object({
  id: z.string(),
  type: z.string(),
  typeLabel: zLabel,
  status: z.enum(APPROVAL_STATUSES),
  /** one line in the reader's language, e.g. "折扣 25%（报价 Q-102）" */
  summary: z.string(),
  requester: zUserRef,
  customer: zCustomerRef.nullable(),
  /** the step waiting for a decision (pending requests) */
  currentStep: z.object({ id: z.string(), name: z.string(), dueAt: z.string().nullable() }).nullable(),
  round: z.number().int(),
  submittedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** box=todo: since when it waits for me; box=processed: my last decision; else submittedAt */
  boxAt: z.string(),
});

export const zApproverSeatOut = z.object({
  /** who may decide this seat (the approver, delegates, escalation targets) */
  holders: z.array(zUserRef),
  /** the approvers the seat stands for (the resolved user or the delegators) */
  actsFor: z.array(zUserRef),
  status: z.enum(['pending', 'approved', 'rejected', 'returned', 'not_required']),
  decidedBy: zUserRef.nullable(),
  decidedAt: z.string().nullable(),
  escalations: z.number().int(),
});

export const zApprovalStepStateOut = z.object({
  stepId: z.string(),
  name: z.string(),
  mode: z.enum(['any', 'all']),
  status: z.enum([
    'waiting',
    'skipped',
    'active',
    'approved',
    'rejected',
    'returned',
    'withdrawn',
    'cancelled',
  ]),
  seats: z.array(zApproverSeatOut),
  startedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  timeouts: z.number().int(),
});

export const zApprovalHistoryOut = z.object({
  at: z.string(),
  /** null: the system (time limits) */
  by: zUserRef.nullable(),
  action: z.enum([
    'submitted',
    'resubmitted',
    'approved',
    'rejected',
    'returned',
    'withdrawn',
    'commented',
    'timed_out',
  ]),
  round: z.number().int(),
  stepId: z.string().nullable(),
  stepName: z.string().nullable(),
  /** decisions taken as a delegate or escalation target: the approvers decided for */
  onBehalfOf: z.array(zUserRef),
  text: z.string().nullable(),
  /** time limits: who the step escalated to */
  escalatedTo: z.array(zUserRef),
});

/**
 * A request in full. Everyone who takes part (requester, approvers of any round) may read it, even
 * without access to the customer: they see the customer's name and owner here, nothing more of it.
 */
export const zApprovalRequestDetail = zApprovalRequestListItem.extend({
  reason: z.string(),
  payload: z.record(z.string(), z.unknown()),
  flowVersion: z.number().int(),
  steps: z.array(zApprovalStepStateOut).describe('the plan of the current round, in flow order'),
  history: z.array(zApprovalHistoryOut).describe('every round, oldest first'),
  /** set once when the approved request's effect has been carried out */
  effectAppliedAt: z.string().nullable(),
  /** what the reader may do now */
  can: z.object({
    approve: z.boolean(),
    reject: z.boolean(),
    return: z.boolean(),
    withdraw: z.boolean(),
    resubmit: z.boolean(),
    comment: z.boolean(),
  }),
  version: z.number().int(),
});

export const zApproveBody = z.strictObject({ comment: zText.optional() });
export const zReasonBody = z.strictObject({ reason: zText.min(1) });
export const zWithdrawBody = z.strictObject({ reason: zText.optional() });
export const zResubmitBody = z.strictObject({
  payload: z.record(z.string(), z.unknown()),
  reason: zText.min(1),
});
export const zCommentBody = z.strictObject({ text: zText.min(1) });

export const zApprovalCounts = z.object({
  /** pending requests waiting for my decision */
  todo: z.number().int(),
  /** my own requests still pending */
  submittedPending: z.number().int(),
  /** my returned requests (waiting for me to resubmit or withdraw) */
  submittedReturned: z.number().int(),
  unreadNotifications: z.number().int(),
});

// ---------------------------------------------------------------------------------------------------
// Delegations (my own: while I am away, `delegate` decides for me)

export const zDelegation = z.object({
  id: z.string(),
  delegate: zUserRef,
  /** first and last day, inclusive (Asia/Shanghai) */
  startDate: z.string(),
  endDate: z.string(),
  note: z.string().nullable(),
  active: z.boolean().describe('today is within the range'),
  createdAt: z.string(),
});

export const zDelegationCreate = z
  .strictObject({
    delegateId: zId,
    startDate: zDate,
    endDate: zDate,
    note: z.string().trim().max(200).optional(),
  })
  .refine((v) => v.startDate <= v.endDate, { error: 'DATE_RANGE_INVALID', path: ['endDate'] });

export const zDelegationListQuery = z.strictObject({
  /** true: also ranges that have ended */
  includePast: z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v),
    z.boolean().default(false),
  ),
});
