/**
 * Approval requests: submit, decide, return, resubmit, withdraw, comment, read, inbox.
 *
 * Every change runs the same way, in one transaction: lock the request row (`SELECT … FOR UPDATE`,
 * so concurrent decisions and withdrawals serialise), load the organisation slice, run the pure
 * reducer (`reduceApproval`), store the new state and its projections, bring the inbox in line, carry
 * out the commands (the effect — exactly once —, notifications), and write the audit entry. Any
 * failure rolls all of it back: the request stays as it was.
 */
import { randomUUID } from 'node:crypto';
import {
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalFlowVersion,
  type ApprovalRequestState,
  type ApprovalResult,
  buildApprovalFacts,
  createApprovalRequest,
  currentApprovers,
  type ErrorCode,
  errorMessage,
  type Locale,
  type LocalizedText,
  orgSnapshot,
  reduceApproval,
} from '@kam/domain';
import type { z } from 'zod';
import { customerFor } from '../../access/customer-guard.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { decodeCursor, encodeCursor } from '../../http/schemas.js';
import { type AuditWho, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import { unreadNotifications } from '../notifications/service.js';
import { notifyCommands } from './notify.js';
import { loadEnvironment } from './org.js';
import { approvalEffect, boundContext, type EffectRequest, type ServerApprovalEffect } from './registry.js';
import * as repo from './repo.js';
import type {
  zApprovalCounts,
  zApprovalHistoryOut,
  zApprovalRequestDetail,
  zApprovalRequestListItem,
  zApprovalStepStateOut,
  zUserRef,
} from './schemas.js';

/** A timestamp as PostgreSQL prints it (`2026-11-30 06:19:44.123456+00`), in a keyset cursor. */
const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

export type ApprovalRequestDetail = z.infer<typeof zApprovalRequestDetail>;
export type ApprovalRequestListItem = z.infer<typeof zApprovalRequestListItem>;
type UserRef = z.infer<typeof zUserRef>;
type Status = ApprovalRequestListItem['status'];

const field = (
  path: string,
  code: ErrorCode,
  locale: Locale,
  params: Record<string, string | number> = {},
) => ({
  fields: [{ path, code, message: errorMessage(code, locale, params), params } satisfies FieldError],
});

// ——— request types ————————————————————————————————————————————————————————————————————————————

function effectOf(type: string, locale: Locale, path = 'body.type'): ServerApprovalEffect<unknown> {
  const effect = approvalEffect(type);
  if (!effect) {
    throw new AppError('VALIDATION_FAILED', {}, field(path, 'APPROVAL_REQUEST_TYPE_INVALID', locale));
  }
  return effect;
}

/** The effect's validation of a payload; problems become field errors under `body.payload`. */
function validPayload(effect: ServerApprovalEffect<unknown>, payload: unknown, locale: Locale): unknown {
  const v = effect.validate(payload);
  if (v.ok) return v.value;
  const details = v.details as { fields?: FieldError[] } | undefined;
  if (details?.fields) {
    const fields = details.fields.map((f) => ({
      ...f,
      path: `body.payload${f.path ? `.${f.path}` : ''}`,
    }));
    throw new AppError('VALIDATION_FAILED', {}, { fields });
  }
  throw new AppError('VALIDATION_FAILED', {}, field('body.payload', v.code, locale, v.params ?? {}));
}

function describe(
  effect: ServerApprovalEffect<unknown> | undefined,
  type: string,
  payload: unknown,
): LocalizedText {
  if (!effect) return { zh: type, en: type };
  try {
    return { zh: effect.describe(payload, 'zh-CN'), en: effect.describe(payload, 'en') };
  } catch {
    return { zh: effect.label.zh, en: effect.label.en };
  }
}

// ——— transitions ——————————————————————————————————————————————————————————————————————————————

function projection(state: ApprovalRequestState): repo.Projection {
  const step = state.currentStep === null ? undefined : state.steps[state.currentStep];
  return {
    status: state.status,
    round: state.round,
    payload: state.payload,
    currentStepId: step?.stepId ?? null,
    currentStepName: step?.name ?? null,
    nextDueAt: state.status === 'pending' ? (step?.dueAt ?? null) : null,
    finishedAt: state.finishedAt ?? null,
  };
}

const AUDIT_ACTION: Record<ApprovalEvent['type'], string> = {
  submit: 'approval_request.submit',
  resubmit: 'approval_request.resubmit',
  approve: 'approval_request.approve',
  reject: 'approval_request.reject',
  return: 'approval_request.return',
  withdraw: 'approval_request.withdraw',
  comment: 'approval_request.comment',
  timeout: 'approval_request.timeout',
};

function eventText(event: ApprovalEvent): string | null {
  switch (event.type) {
    case 'submit':
    case 'resubmit':
    case 'reject':
    case 'return':
      return event.reason;
    case 'approve':
      return event.comment ?? null;
    case 'withdraw':
      return event.reason ?? null;
    case 'comment':
      return event.text;
    case 'timeout':
      return null;
  }
}

/** Who acts: a user (with their service context) or the system (time limits). */
export type Acting = { kind: 'user'; ctx: ServiceContext } | { kind: 'system'; who: AuditWho; now: Date };

interface Stored {
  id: string;
  type: string;
  requesterId: string;
  customerId: string | null;
  before: ApprovalRequestState | null;
}

function failure(result: Extract<ApprovalResult, { ok: false }>): AppError {
  return new AppError(result.code, result.params as Record<string, string | number>);
}

/** The effect failed: the decision fails with `APPROVAL_EFFECT_FAILED`, naming the cause. */
function effectFailed(err: unknown, locale: Locale): AppError {
  const cause =
    err instanceof AppError
      ? { code: err.code, message: errorMessage(err.code, locale, err.params), details: err.details ?? null }
      : { code: 'INTERNAL' as const, message: errorMessage('INTERNAL', locale), details: null };
  const wrapped = new AppError('APPROVAL_EFFECT_FAILED', { reason: cause.message }, { cause });
  (wrapped as Error).cause = err;
  return wrapped;
}

/**
 * Stores a transition's outcome and carries out its commands, in the caller's transaction:
 * projections, inbox, the effect (exactly once), notifications, audit.
 */
async function commit(
  tx: Tx,
  acting: Acting,
  stored: Stored,
  event: ApprovalEvent,
  result: Extract<ApprovalResult, { ok: true }>,
  locale: Locale,
): Promise<void> {
  const { state, commands } = result;
  const now = acting.kind === 'user' ? acting.ctx.now : acting.now;
  const p = projection(state);
  if (stored.before === null) {
    await repo.insertRequest(tx, {
      id: stored.id,
      type: stored.type,
      flowId: state.flow.flowId,
      flowVersion: state.flow.version,
      requesterId: stored.requesterId,
      customerId: stored.customerId,
      state,
      now,
      projection: p,
    });
  } else {
    await repo.updateRequest(tx, stored.id, state, p, now);
  }
  await repo.syncTodo(tx, stored.id, currentApprovers(state), now);
  if (event.type === 'approve' || event.type === 'reject' || event.type === 'return') {
    await repo.markProcessed(tx, stored.id, event.by, now);
  }

  const effect = approvalEffect(stored.type);
  const apply = commands.find(
    (c): c is Extract<ApprovalCommand, { type: 'apply_effect' }> => c.type === 'apply_effect',
  );
  let outcome: Record<string, unknown> | null = null;
  if (apply) {
    if (acting.kind !== 'user' || !effect) throw new Error(`approval ${stored.id}: no effect to apply`);
    const request: EffectRequest<unknown> = {
      id: stored.id,
      type: stored.type,
      requesterId: stored.requesterId,
      customerId: stored.customerId,
      payload: apply.payload,
      reason: state.reason,
    };
    try {
      outcome = (await effect.apply(tx, request, boundContext(acting.ctx, tx))) ?? null;
    } catch (err) {
      throw effectFailed(err, locale);
    }
    await repo.recordEffect(tx, {
      requestId: stored.id,
      type: stored.type,
      by: acting.ctx.actor.userId,
      now,
      outcome,
    });
  }

  const names = await repo.userNames(tx, [stored.requesterId]);
  const actor =
    acting.kind === 'user' ? { id: acting.ctx.actor.userId, name: acting.ctx.actor.displayName } : null;
  await notifyCommands(
    tx,
    commands,
    {
      requestId: stored.id,
      requesterId: stored.requesterId,
      requesterName: names.get(stored.requesterId)?.display_name ?? '',
      typeLabel: effect?.label ?? { zh: stored.type, en: stored.type },
      summary: describe(effect, stored.type, state.payload),
      stepNames: new Map(state.steps.map((s) => [s.stepId, s.name])),
    },
    actor,
    eventText(event),
    now,
  );

  const last = state.history.at(-1);
  const who = acting.kind === 'user' ? auditWho(acting.ctx) : acting.who;
  const statusBefore = stored.before?.status ?? null;
  await writeAudit(tx, who, {
    action: AUDIT_ACTION[event.type],
    entityType: 'approval_request',
    entityId: stored.id,
    changes:
      statusBefore !== state.status ? [{ field: 'status', before: statusBefore, after: state.status }] : null,
    details: {
      requestType: stored.type,
      customerId: stored.customerId,
      round: state.round,
      flowVersion: state.flow.version,
      stepId: last?.stepId ?? null,
      text: eventText(event),
      onBehalfOf: last?.onBehalfOf ?? null,
      escalatedTo: last?.escalatedTo ?? null,
    },
  });
  if (apply) {
    await writeAudit(tx, who, {
      action: 'approval_request.effect_applied',
      entityType: 'approval_request',
      entityId: stored.id,
      details: { requestType: stored.type, customerId: stored.customerId, outcome },
    });
  }
}

// ——— reading access ————————————————————————————————————————————————————————————————————————————

/**
 * Who may read a request: the requester, anyone ever asked to decide it (any round; delegates and
 * escalation targets included), the approvers a delegate stands for, and whoever has it in an inbox.
 */
async function readable(tx: Tx, row: repo.RequestRow, userId: string): Promise<boolean> {
  const state = row.state;
  if (state.requesterId === userId || state.participants.includes(userId)) return true;
  if (state.steps.some((s) => s.seats.some((seat) => seat.actsFor.includes(userId)))) return true;
  return repo.inInbox(tx, row.id, userId);
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', {}, undefined, {
    entityType: 'approval_request',
    entityId: id,
    reason: 'out_of_scope',
  });
}

async function lockedReadable(tx: Tx, ctx: ServiceContext, id: string): Promise<repo.RequestRow> {
  const row = await repo.requestForUpdate(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  if (!(await readable(tx, row, ctx.actor.userId))) throw notFound(id);
  return row;
}

// ——— use cases ————————————————————————————————————————————————————————————————————————————————

function factsFor(
  effect: ServerApprovalEffect<unknown>,
  payload: unknown,
  ctx: ServiceContext,
  type: string,
  customerId: string | null,
) {
  const own = effect.facts ? effect.facts(payload) : (payload as Record<string, unknown>);
  return buildApprovalFacts(
    {
      requestType: type,
      requesterId: ctx.actor.userId,
      requesterDepartmentId: ctx.actor.departmentId,
      departmentPath: ctx.actor.departmentPath,
      customerId,
    },
    own,
  );
}

export async function submitRequest(
  ctx: ServiceContext,
  input: { type: string; customerId?: string | undefined; payload: Record<string, unknown>; reason: string },
  locale: Locale,
): Promise<ApprovalRequestDetail> {
  const effect = effectOf(input.type, locale);
  let payload = validPayload(effect, input.payload, locale);
  const customerId = input.customerId ?? null;
  if (effect.customer === 'required' && customerId === null)
    throw new AppError('VALIDATION_FAILED', {}, field('body.customerId', 'REQUIRED', locale));
  if (effect.customer === 'none' && customerId !== null)
    throw new AppError('VALIDATION_FAILED', {}, field('body.customerId', 'INVALID_VALUE', locale));
  const id = randomUUID();
  return inTenant(ctx, async (tx) => {
    if (customerId !== null) await customerFor(tx, ctx.actor, customerId, 'customer', 'view');
    const flowRow = await repo.flowByType(tx, input.type);
    const version = flowRow ? await repo.flowVersion(tx, flowRow.id, flowRow.current_version) : null;
    if (!flowRow || !version)
      throw new AppError('APPROVAL_FLOW_NOT_CONFIGURED', { type: localizeLabel(effect.label, locale) });
    const flow: ApprovalFlowVersion = {
      ...version.definition,
      flowId: flowRow.id,
      version: flowRow.current_version,
    };
    const request: EffectRequest<unknown> = {
      id,
      type: input.type,
      requesterId: ctx.actor.userId,
      customerId,
      payload,
      reason: input.reason,
    };
    payload = (await effect.prepare?.(tx, request, boundContext(ctx, tx))) ?? payload;
    const draft = createApprovalRequest({ requestType: input.type, requesterId: ctx.actor.userId, flow });
    if (!draft.ok) throw failure(draft);
    const env = await loadEnvironment(tx, { flow, at: ctx.now, requesterId: ctx.actor.userId, customerId });
    const event: ApprovalEvent = {
      type: 'submit',
      by: ctx.actor.userId,
      at: ctx.now.toISOString(),
      payload,
      facts: factsFor(effect, payload, ctx, input.type, customerId),
      reason: input.reason,
      requesterDepartmentId: ctx.actor.departmentId,
    };
    const result = reduceApproval(draft.state, event, env);
    if (!result.ok) throw failure(result);
    await commit(
      tx,
      { kind: 'user', ctx },
      { id, type: input.type, requesterId: ctx.actor.userId, customerId, before: null },
      event,
      result,
      locale,
    );
    return detailOf(tx, ctx, id, locale);
  });
}

export type DecisionInput =
  | { type: 'approve'; comment?: string | undefined }
  | { type: 'reject'; reason: string }
  | { type: 'return'; reason: string }
  | { type: 'withdraw'; reason?: string | undefined }
  | { type: 'comment'; text: string };

/** Runs `event` through the reducer on a request locked by the caller, commits it, returns the new detail. */
async function decide(
  tx: Tx,
  ctx: ServiceContext,
  row: repo.RequestRow,
  event: ApprovalEvent,
  env: Parameters<typeof reduceApproval>[2],
  locale: Locale,
): Promise<ApprovalRequestDetail> {
  const result = reduceApproval(row.state, event, env);
  if (!result.ok) throw failure(result);
  const stored = {
    id: row.id,
    type: row.request_type,
    requesterId: row.requester_id,
    customerId: row.customer_id,
    before: row.state,
  };
  await commit(tx, { kind: 'user', ctx }, stored, event, result, locale);
  return detailOf(tx, ctx, row.id, locale);
}

/** approve / reject / return / withdraw / comment on a request, under its row lock. */
export async function actOnRequest(
  ctx: ServiceContext,
  id: string,
  input: DecisionInput,
  locale: Locale,
): Promise<ApprovalRequestDetail> {
  return inTenant(ctx, async (tx) => {
    const row = await lockedReadable(tx, ctx, id);
    const by = ctx.actor.userId;
    const at = ctx.now.toISOString();
    const event: ApprovalEvent =
      input.type === 'approve'
        ? { type: 'approve', by, at, ...(input.comment ? { comment: input.comment } : {}) }
        : input.type === 'withdraw'
          ? { type: 'withdraw', by, at, ...(input.reason ? { reason: input.reason } : {}) }
          : input.type === 'comment'
            ? { type: 'comment', by, at, text: input.text }
            : { type: input.type, by, at, reason: input.reason };
    const env =
      input.type === 'approve'
        ? await loadEnvironment(tx, {
            flow: row.state.flow,
            at: ctx.now,
            requesterId: row.requester_id,
            customerId: row.customer_id,
          })
        : { org: orgSnapshot({ departments: [], users: [] }), customer: null };
    return decide(tx, ctx, row, event, env, locale);
  });
}

export async function resubmitRequest(
  ctx: ServiceContext,
  id: string,
  input: { payload: Record<string, unknown>; reason: string },
  locale: Locale,
): Promise<ApprovalRequestDetail> {
  return inTenant(ctx, async (tx) => {
    const row = await lockedReadable(tx, ctx, id);
    const effect = effectOf(row.request_type, locale, 'params.id');
    let payload = validPayload(effect, input.payload, locale);
    if (row.requester_id === ctx.actor.userId && row.status === 'returned') {
      if (row.customer_id !== null) await customerFor(tx, ctx.actor, row.customer_id, 'customer', 'view');
      payload =
        (await effect.prepare?.(
          tx,
          {
            id,
            type: row.request_type,
            requesterId: row.requester_id,
            customerId: row.customer_id,
            payload,
            reason: input.reason,
          },
          boundContext(ctx, tx),
        )) ?? payload;
    }
    const env = await loadEnvironment(tx, {
      flow: row.state.flow,
      at: ctx.now,
      requesterId: row.requester_id,
      customerId: row.customer_id,
    });
    const event: ApprovalEvent = {
      type: 'resubmit',
      by: ctx.actor.userId,
      at: ctx.now.toISOString(),
      payload,
      facts: factsFor(effect, payload, ctx, row.request_type, row.customer_id),
      reason: input.reason,
      requesterDepartmentId: ctx.actor.departmentId,
    };
    return decide(tx, ctx, row, event, env, locale);
  });
}

/**
 * The time limit of a pending request ran out: reminders and (if configured) escalation, by the
 * reducer's `timeout` event. Runs as the system; a stale timer (the request moved on) is a no-op.
 */
export async function timeoutRequest(tx: Tx, who: AuditWho, id: string, now: Date): Promise<boolean> {
  const row = await repo.requestForUpdate(tx, id);
  if (row?.status !== 'pending' || row.next_due_at === null || row.next_due_at > now) return false;
  const step = row.state.currentStep === null ? undefined : row.state.steps[row.state.currentStep];
  if (!step) return false;
  const holders = step.seats.flatMap((s) => [...s.holders, ...s.actsFor]);
  const env = await loadEnvironment(tx, {
    flow: row.state.flow,
    at: now,
    requesterId: row.requester_id,
    customerId: row.customer_id,
    userIds: holders,
  });
  const event: ApprovalEvent = {
    type: 'timeout',
    stepId: step.stepId,
    round: row.state.round,
    at: now.toISOString(),
  };
  const result = reduceApproval(row.state, event, env);
  if (!result.ok) return false;
  await commit(
    tx,
    { kind: 'system', who, now },
    {
      id,
      type: row.request_type,
      requesterId: row.requester_id,
      customerId: row.customer_id,
      before: row.state,
    },
    event,
    result,
    'zh-CN',
  );
  return true;
}

// ——— reading ———————————————————————————————————————————————————————————————————————————————————

function localizeLabel(label: LocalizedText, locale: Locale): string {
  return locale === 'zh-CN' ? label.zh : label.en;
}

function userRef(names: Map<string, repo.UserNameRow>, id: string): UserRef {
  const n = names.get(id);
  return { id, displayName: n?.display_name ?? '—', departmentName: n?.department_name ?? null };
}

function usersOf(state: ApprovalRequestState): string[] {
  const ids = new Set<string>([state.requesterId]);
  for (const step of state.steps)
    for (const seat of step.seats) {
      for (const u of seat.holders) ids.add(u);
      for (const u of seat.actsFor) ids.add(u);
      if (seat.decidedBy) ids.add(seat.decidedBy);
    }
  for (const h of state.history) {
    if (h.by) ids.add(h.by);
    for (const u of h.onBehalfOf ?? []) ids.add(u);
    for (const u of h.escalatedTo ?? []) ids.add(u);
  }
  return [...ids];
}

function listItem(
  row: repo.RequestRow,
  names: Map<string, repo.UserNameRow>,
  customer: { id: string; name: string; owner_id: string | null; owner_name: string | null } | null,
  boxAt: Date,
  locale: Locale,
): ApprovalRequestListItem {
  const effect = approvalEffect(row.request_type);
  const step = row.state.currentStep === null ? undefined : row.state.steps[row.state.currentStep];
  return {
    id: row.id,
    type: row.request_type,
    typeLabel: effect?.label ?? { zh: row.request_type, en: row.request_type },
    status: row.status as Status,
    summary: localizeLabel(describe(effect, row.request_type, row.payload), locale),
    requester: userRef(names, row.requester_id),
    customer: customer
      ? { id: customer.id, name: customer.name, ownerId: customer.owner_id, ownerName: customer.owner_name }
      : null,
    currentStep:
      row.status === 'pending' && step
        ? { id: step.stepId, name: step.name, dueAt: step.dueAt ?? null }
        : null,
    round: row.round,
    submittedAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    boxAt: boxAt.toISOString(),
  };
}

async function detailOf(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  locale: Locale,
): Promise<ApprovalRequestDetail> {
  const row = await repo.request(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  const state = row.state;
  const names = await repo.userNames(tx, usersOf(state));
  const customer = row.customer_id ? await repo.customerRef(tx, row.customer_id) : null;
  const me = ctx.actor.userId;
  const stepName = new Map(state.steps.map((s) => [s.stepId, s.name]));
  const ref = (u: string) => userRef(names, u);
  const steps: z.infer<typeof zApprovalStepStateOut>[] = state.steps.map((s) => ({
    stepId: s.stepId,
    name: s.name,
    mode: s.mode,
    status: s.status,
    seats: s.seats.map((seat) => ({
      holders: seat.holders.map(ref),
      actsFor: seat.actsFor.map(ref),
      status: seat.status,
      decidedBy: seat.decidedBy ? ref(seat.decidedBy) : null,
      decidedAt: seat.decidedAt ?? null,
      escalations: seat.escalations,
    })),
    startedAt: s.startedAt ?? null,
    dueAt: s.dueAt ?? null,
    finishedAt: s.finishedAt ?? null,
    timeouts: s.timeouts,
  }));
  const history: z.infer<typeof zApprovalHistoryOut>[] = state.history.map((h) => ({
    at: h.at,
    by: h.by ? ref(h.by) : null,
    action: h.action,
    round: h.round,
    stepId: h.stepId ?? null,
    stepName: h.stepId ? (stepName.get(h.stepId) ?? h.stepId) : null,
    onBehalfOf: (h.onBehalfOf ?? []).map(ref),
    text: h.text ?? null,
    escalatedTo: (h.escalatedTo ?? []).map(ref),
  }));
  const pendingSeat =
    state.status === 'pending' && me !== state.requesterId && currentApprovers(state).includes(me);
  const isRequester = me === state.requesterId;
  return {
    ...listItem(row, names, customer, row.created_at, locale),
    reason: state.reason,
    payload: (state.payload ?? {}) as Record<string, unknown>,
    flowVersion: row.flow_version,
    steps,
    history,
    effectAppliedAt: row.effect_applied_at?.toISOString() ?? null,
    can: {
      approve: pendingSeat,
      reject: pendingSeat,
      return: pendingSeat,
      withdraw: isRequester && (state.status === 'pending' || state.status === 'returned'),
      resubmit: isRequester && state.status === 'returned',
      comment: isRequester || state.participants.includes(me),
    },
    version: row.version,
  };
}

/**
 * One request in full, for its requester and everyone asked to decide it — also when they cannot
 * see its customer: they see the customer's name and owner and the payload, nothing more of it.
 */
export async function getRequest(
  ctx: ServiceContext,
  id: string,
  locale: Locale,
): Promise<ApprovalRequestDetail> {
  return inTenant(ctx, async (tx) => {
    const row = await repo.request(tx, id);
    if (!row) throw new AppError('NOT_FOUND');
    if (!(await readable(tx, row, ctx.actor.userId))) throw notFound(id);
    return detailOf(tx, ctx, id, locale);
  });
}

export async function listRequests(
  ctx: ServiceContext,
  q: {
    box: 'todo' | 'submitted' | 'processed';
    status?: Status | undefined;
    type?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
  locale: Locale,
): Promise<{ items: ApprovalRequestListItem[]; nextCursor: string | null }> {
  const raw = decodeCursor(q.cursor, 2);
  if (
    q.cursor &&
    (!raw ||
      typeof raw[0] !== 'string' ||
      !TIMESTAMP_KEY.test(raw[0]) ||
      typeof raw[1] !== 'string' ||
      !/^[0-9a-f-]{36}$/.test(raw[1]))
  ) {
    throw new AppError('VALIDATION_FAILED', {}, field('querystring.cursor', 'OUT_OF_RANGE', locale));
  }
  const after = raw ? ([raw[0], raw[1]] as [string, string]) : null;
  return inTenant(ctx, async (tx) => {
    const rows = await repo.selectPage(tx, {
      box: q.box,
      userId: ctx.actor.userId,
      status: q.status,
      type: q.type,
      after,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const names = await repo.userNames(
      tx,
      page.map((r) => r.requester_id),
    );
    const last = page.at(-1);
    return {
      items: page.map((r) =>
        listItem(
          r,
          names,
          r.customer_id && r.customer_name !== null
            ? {
                id: r.customer_id,
                name: r.customer_name,
                owner_id: r.customer_owner_id,
                owner_name: r.customer_owner_name,
              }
            : null,
          r.box_at,
          locale,
        ),
      ),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.box_key, last.id]) : null,
    };
  });
}

export async function requestCounts(ctx: ServiceContext): Promise<z.infer<typeof zApprovalCounts>> {
  return inTenant(ctx, async (tx) => {
    const c = await repo.counts(tx, ctx.actor.userId);
    return {
      todo: c.todo,
      submittedPending: c.submitted_pending,
      submittedReturned: c.submitted_returned,
      unreadNotifications: await unreadNotifications(tx, ctx.actor.userId),
    };
  });
}
