/**
 * Flow definitions: one flow per request type and organisation, saved as immutable versions.
 * Saving checks the structure (domain `zApprovalFlow`, in the route schema), that the flow belongs to
 * the type, that named users and roles exist, and the optimistic `expectedVersion`; it writes the next
 * version and an `approval_flow.update` audit entry with the whole before/after definition.
 */
import { randomUUID } from 'node:crypto';
import {
  type APPROVAL_CONTEXT_FIELDS,
  type ApprovalFlow,
  type ErrorCode,
  errorMessage,
  type Locale,
  MAX_APPROVAL_HEAD_LEVELS,
  MAX_APPROVAL_STEPS,
  MAX_APPROVAL_TEXT_LENGTH,
  MAX_APPROVERS_PER_STEP,
  MAX_CONDITION_DEPTH,
  MAX_TIME_LIMIT_HOURS,
  referencedFields,
} from '@kam/domain';
import type { z } from 'zod';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import { approvalEffect, approvalEffects, type ServerApprovalEffect } from './registry.js';
import * as repo from './repo.js';
import type {
  zApprovalFlowDetail,
  zApprovalFlowOut,
  zApprovalFlowSummary,
  zApprovalFlowsMeta,
  zConditionFieldMeta,
} from './schemas.js';

type Meta = z.infer<typeof zApprovalFlowsMeta>;
type FieldMeta = z.infer<typeof zConditionFieldMeta>;

const CONTEXT_FIELDS: Record<(typeof APPROVAL_CONTEXT_FIELDS)[number], Omit<FieldMeta, 'name'>> = {
  requestType: { kind: 'text', label: { zh: '审批类型', en: 'Request type' } },
  requesterId: { kind: 'text', label: { zh: '申请人', en: 'Requester' } },
  requesterDepartmentId: { kind: 'text', label: { zh: '申请人部门', en: "Requester's department" } },
  departmentPath: {
    kind: 'department_path',
    label: { zh: '申请人部门（含上级）', en: "Requester's department (and above)" },
  },
  customerId: { kind: 'text', label: { zh: '客户', en: 'Customer' } },
  customerTier: { kind: 'text', label: { zh: '客户等级', en: 'Customer tier' } },
};

/** Context fields the server fills today (customer tier comes with the tiering capability's facts). */
const FILLED_CONTEXT = [
  'requestType',
  'requesterId',
  'requesterDepartmentId',
  'departmentPath',
  'customerId',
] as const;

const APPROVER_LABELS: Meta['approverKinds'] = [
  { kind: 'user', label: { zh: '指定成员', en: 'A named user' } },
  { kind: 'role', label: { zh: '指定角色', en: 'A role' } },
  { kind: 'requester_department_head', label: { zh: '申请人部门负责人', en: "Requester's department head" } },
  {
    kind: 'department_head_levels_up',
    label: { zh: '申请人上 N 级部门负责人', en: 'Department head N levels up' },
  },
  { kind: 'customer_owner', label: { zh: '客户负责人', en: "The customer's owner" } },
  {
    kind: 'customer_executive_sponsor',
    label: { zh: '客户高层联络人（客户团队）', en: "The customer's executive sponsor (account team)" },
  },
];

const OPERATORS: Meta['operators'] = [
  { op: 'eq', label: { zh: '等于', en: 'equals' }, kinds: ['decimal', 'text', 'boolean'] },
  { op: 'ne', label: { zh: '不等于', en: 'does not equal' }, kinds: ['decimal', 'text', 'boolean'] },
  { op: 'gt', label: { zh: '大于', en: 'greater than' }, kinds: ['decimal'] },
  { op: 'gte', label: { zh: '大于等于', en: 'at least' }, kinds: ['decimal'] },
  { op: 'lt', label: { zh: '小于', en: 'less than' }, kinds: ['decimal'] },
  { op: 'lte', label: { zh: '小于等于', en: 'at most' }, kinds: ['decimal'] },
  { op: 'in', label: { zh: '属于', en: 'is one of' }, kinds: ['decimal', 'text'] },
  { op: 'not_in', label: { zh: '不属于', en: 'is none of' }, kinds: ['decimal', 'text'] },
  {
    op: 'in_subtree',
    label: { zh: '在部门及其下级中', en: 'is within department' },
    kinds: ['department_path'],
  },
];

function payloadFields(effect: ServerApprovalEffect<unknown>): FieldMeta[] {
  return (effect.conditionFields ?? []).map((f) => ({
    name: f.name,
    kind: f.kind,
    label: f.label,
    ...(f.options ? { options: f.options.map((o) => ({ value: o.value, label: o.label })) } : {}),
  }));
}

export function flowsMeta(): Meta {
  return {
    types: approvalEffects().map((e) => ({
      type: e.type,
      label: e.label,
      customer: e.customer,
      payloadFields: payloadFields(e),
    })),
    contextFields: FILLED_CONTEXT.map((name) => ({ name, ...CONTEXT_FIELDS[name] })),
    approverKinds: APPROVER_LABELS,
    operators: OPERATORS,
    limits: {
      maxSteps: MAX_APPROVAL_STEPS,
      maxApproversPerStep: MAX_APPROVERS_PER_STEP,
      maxConditionDepth: MAX_CONDITION_DEPTH,
      maxTimeLimitHours: MAX_TIME_LIMIT_HOURS,
      maxHeadLevels: MAX_APPROVAL_HEAD_LEVELS,
      maxTextLength: MAX_APPROVAL_TEXT_LENGTH,
    },
  };
}

function registered(type: string): ServerApprovalEffect<unknown> {
  const effect = approvalEffect(type);
  if (!effect) throw new AppError('NOT_FOUND');
  return effect;
}

const userRefOf = (names: Map<string, repo.UserNameRow>, id: string | null) => {
  if (id === null) return null;
  const n = names.get(id);
  return { id, displayName: n?.display_name ?? '—', departmentName: n?.department_name ?? null };
};

export async function listFlows(ctx: ServiceContext): Promise<z.infer<typeof zApprovalFlowSummary>[]> {
  return inTenant(ctx, async (tx) => {
    const rows = await repo.allFlows(tx);
    const byType = new Map(rows.map((r) => [r.request_type, r]));
    const names = await repo.userNames(
      tx,
      rows.flatMap((r) => (r.updated_by ? [r.updated_by] : [])),
    );
    return approvalEffects().map((e) => {
      const row = byType.get(e.type);
      return {
        type: e.type,
        label: e.label,
        version: row?.current_version ?? null,
        steps: (row?.definition.steps ?? []).map((s) => ({
          id: s.id,
          name: s.name,
          mode: s.mode,
          conditional: s.condition !== undefined,
        })),
        updatedAt: row?.updated_at.toISOString() ?? null,
        updatedBy: row ? userRefOf(names, row.updated_by) : null,
      };
    });
  });
}

function unknownFields(effect: ServerApprovalEffect<unknown>, flow: ApprovalFlow): string[] {
  const known = new Set<string>([...FILLED_CONTEXT, ...(effect.conditionFields ?? []).map((f) => f.name)]);
  return referencedFields(flow).filter((f) => !known.has(f));
}

async function refsOf(tx: Tx, flow: ApprovalFlow | null) {
  const userIds: string[] = [];
  const roleIds: string[] = [];
  for (const step of flow?.steps ?? [])
    for (const a of step.approvers) {
      if (a.kind === 'user') userIds.push(a.userId);
      if (a.kind === 'role') roleIds.push(a.roleId);
    }
  const names = await repo.userNames(tx, userIds);
  return {
    users: [...new Set(userIds)].flatMap((id) => {
      const r = userRefOf(names, id);
      return r && names.has(id) ? [r] : [];
    }),
    roles: await repo.roleNames(tx, roleIds),
  };
}

async function detail(tx: Tx, type: string): Promise<z.infer<typeof zApprovalFlowDetail>> {
  const effect = registered(type);
  const row = await repo.flowByType(tx, type);
  const current = row ? await repo.flowVersion(tx, row.id, row.current_version) : null;
  const versions = row ? await repo.flowVersions(tx, row.id) : [];
  const names = await repo.userNames(
    tx,
    versions.flatMap((v) => (v.created_by ? [v.created_by] : [])),
  );
  const flow = current?.definition ?? null;
  return {
    type,
    label: effect.label,
    version: row?.current_version ?? null,
    flow: flow as z.infer<typeof zApprovalFlowOut> | null,
    refs: await refsOf(tx, flow),
    unknownFields: flow ? unknownFields(effect, flow) : [],
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: v.created_at.toISOString(),
      createdBy: userRefOf(names, v.created_by),
      openRequests: v.open_requests,
    })),
  };
}

export async function getFlow(ctx: ServiceContext, type: string) {
  return inTenant(ctx, (tx) => detail(tx, type));
}

export async function getFlowVersion(ctx: ServiceContext, type: string, version: number) {
  registered(type);
  return inTenant(ctx, async (tx) => {
    const row = await repo.flowByType(tx, type);
    const v = row ? await repo.flowVersion(tx, row.id, version) : null;
    if (!v) throw new AppError('NOT_FOUND');
    const names = await repo.userNames(tx, v.created_by ? [v.created_by] : []);
    return {
      type,
      version,
      flow: v.definition as z.infer<typeof zApprovalFlowOut>,
      createdAt: v.created_at.toISOString(),
      createdBy: userRefOf(names, v.created_by),
      refs: await refsOf(tx, v.definition),
    };
  });
}

const fieldErr = (path: string, code: ErrorCode, locale: Locale): FieldError => ({
  path,
  code,
  message: errorMessage(code, locale),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Named users and roles must exist in the organisation. */
async function checkReferences(tx: Tx, flow: ApprovalFlow, locale: Locale): Promise<void> {
  const userIds: string[] = [];
  const roleIds: string[] = [];
  for (const step of flow.steps)
    for (const a of step.approvers) {
      if (a.kind === 'user' && UUID.test(a.userId)) userIds.push(a.userId);
      if (a.kind === 'role' && UUID.test(a.roleId)) roleIds.push(a.roleId);
    }
  const users = await repo.existing(tx, 'users', userIds);
  const roles = await repo.existing(tx, 'roles', roleIds);
  const fields: FieldError[] = [];
  for (const [i, step] of flow.steps.entries()) {
    for (const [j, a] of step.approvers.entries()) {
      const at = `body.flow.steps.${i}.approvers.${j}`;
      if (a.kind === 'user' && !users.has(a.userId))
        fields.push(fieldErr(`${at}.userId`, 'INVALID_VALUE', locale));
      if (a.kind === 'role' && !roles.has(a.roleId))
        fields.push(fieldErr(`${at}.roleId`, 'INVALID_VALUE', locale));
    }
  }
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', {}, { fields });
}

export async function saveFlow(
  ctx: ServiceContext,
  type: string,
  input: { flow: ApprovalFlow; expectedVersion: number | null },
  locale: Locale,
) {
  registered(type);
  if (input.flow.requestType !== type) {
    throw new AppError(
      'VALIDATION_FAILED',
      {},
      {
        fields: [fieldErr('body.flow.requestType', 'APPROVAL_REQUEST_TYPE_INVALID', locale)],
      },
    );
  }
  return inTenant(ctx, async (tx) => {
    await checkReferences(tx, input.flow, locale);
    let row = await repo.flowByType(tx, type, true);
    const current = row?.current_version ?? null;
    if (current !== input.expectedVersion)
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: current });
    const before = row ? await repo.flowVersion(tx, row.id, row.current_version) : null;
    const flow: ApprovalFlow = { requestType: type, steps: input.flow.steps };
    let version: number;
    let flowId: string;
    if (!row) {
      const id = randomUUID();
      flowId = id;
      if (!(await repo.insertFlow(tx, id, type, ctx.actor.userId, ctx.now))) {
        row = await repo.flowByType(tx, type);
        throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row?.current_version ?? null });
      }
      version = 1;
      await repo.insertFlowVersion(tx, id, version, flow, ctx.actor.userId, ctx.now);
    } else {
      version = row.current_version + 1;
      flowId = row.id;
      await repo.insertFlowVersion(tx, row.id, version, flow, ctx.actor.userId, ctx.now);
      await repo.bumpFlow(tx, row.id, version, ctx.actor.userId, ctx.now);
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'approval_flow.update',
      entityType: 'approval_flow',
      entityId: flowId,
      changes: [{ field: 'steps', before: before?.definition.steps ?? null, after: flow.steps }],
      details: { requestType: type, version, previousVersion: current },
    });
    return detail(tx, type);
  });
}
