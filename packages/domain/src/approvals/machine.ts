import type { ErrorCode, ErrorParams } from '../errors.js';
import { type ApprovalFacts, evaluateCondition } from './conditions.js';
import type { ApprovalFlowVersion, ApprovalStep, RequestType, StepMode } from './definition.js';
import {
  type CustomerContacts,
  escalationTarget,
  finalizeApprovers,
  type OrgSnapshot,
  type ResolutionContext,
  resolveStepApprovers,
} from './resolve.js';

/** Request statuses. `approved`, `rejected` and `withdrawn` are final. */
export type ApprovalStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'returned' | 'withdrawn';
export const FINAL_APPROVAL_STATUSES: readonly ApprovalStatus[] = ['approved', 'rejected', 'withdrawn'];

export type ApproverSeatStatus = 'pending' | 'approved' | 'rejected' | 'returned' | 'not_required';

/** One approver position in a step (a resolved approver; escalation adds holders to it). */
export interface ApproverSeat {
  /** Who may decide this seat: the resolved approver first, then escalation targets in order. */
  holders: string[];
  /** The original approvers the seat stands for (the resolved user, or the delegators). */
  actsFor: string[];
  status: ApproverSeatStatus;
  decidedBy?: string;
  decidedAt?: string;
  /** How many times the seat was escalated. */
  escalations: number;
}

/**
 * `waiting`: applies, not reached yet. `skipped`: its condition did not hold. `active`: the current step.
 * `cancelled`: never reached because the request ended (rejection, return, withdrawal).
 */
export type ApprovalStepStatus =
  | 'waiting'
  | 'skipped'
  | 'active'
  | 'approved'
  | 'rejected'
  | 'returned'
  | 'withdrawn'
  | 'cancelled';

export interface ApprovalStepState {
  stepId: string;
  name: string;
  mode: StepMode;
  status: ApprovalStepStatus;
  /** Filled when the step starts (approvers are resolved then, against the organisation as it is). */
  seats: ApproverSeat[];
  startedAt?: string;
  /** When the next timeout is due (steps with a time limit). */
  dueAt?: string;
  finishedAt?: string;
  /** Timeouts handled so far (each sends reminders and, if configured, escalates). */
  timeouts: number;
}

export type ApprovalHistoryAction =
  | 'submitted'
  | 'resubmitted'
  | 'approved'
  | 'rejected'
  | 'returned'
  | 'withdrawn'
  | 'commented'
  | 'timed_out';

/** One line of the request's history (also what the server writes to the audit trail). */
export interface ApprovalHistoryEntry {
  at: string;
  /** The acting user; `null` for the system (timeouts). */
  by: string | null;
  action: ApprovalHistoryAction;
  round: number;
  stepId?: string;
  /** For decisions taken as a delegate or escalation target: the approvers decided for. */
  onBehalfOf?: string[];
  /** Reason or comment. */
  text?: string;
  /** Timeouts: the users the step escalated to. */
  escalatedTo?: string[];
}

/** A request's whole state: JSON-serialisable, stored by the server, changed only by `reduceApproval`. */
export interface ApprovalRequestState {
  status: ApprovalStatus;
  requestType: RequestType;
  requesterId: string;
  /** The flow version pinned when the request was created; the reducer reads no other. */
  flow: ApprovalFlowVersion;
  /** 0 as a draft, 1 after submit, +1 for each resubmit after a return. */
  round: number;
  payload: unknown;
  facts: ApprovalFacts;
  reason: string;
  requesterDepartmentId: string | null;
  /** The plan of the current round, one entry per flow step, in order. */
  steps: ApprovalStepState[];
  /** Index into `steps` of the active step while pending. */
  currentStep: number | null;
  /** Set once with the `apply_effect` command; never reset. */
  effectApplied: boolean;
  /** Everyone who has been asked to approve in any round (may comment), sorted. */
  participants: string[];
  history: ApprovalHistoryEntry[];
  submittedAt?: string;
  finishedAt?: string;
}

export interface ApprovalSubmitData {
  by: string;
  at: string;
  /** The payload as validated by the request type's `ApprovalEffect.validate`. */
  payload: unknown;
  /** Facts for conditions (`buildApprovalFacts`). */
  facts: ApprovalFacts;
  reason: string;
  /** The requester's department now; pinned for approver resolution. */
  requesterDepartmentId: string | null;
}

export type ApprovalEvent =
  | ({ type: 'submit' } & ApprovalSubmitData)
  | ({ type: 'resubmit' } & ApprovalSubmitData)
  | { type: 'approve'; by: string; at: string; comment?: string }
  | { type: 'reject'; by: string; at: string; reason: string }
  | { type: 'return'; by: string; at: string; reason: string }
  | { type: 'withdraw'; by: string; at: string; reason?: string }
  | { type: 'comment'; by: string; at: string; text: string }
  /** A step timer fired (`schedule_timeout` echoed back by the scheduler). */
  | { type: 'timeout'; stepId: string; round: number; at: string };

export type NotifyApproversReason = 'step_started' | 'reminder' | 'escalated' | 'withdrawn' | 'comment';
export type NotifyRequesterReason = 'approved' | 'rejected' | 'returned' | 'comment';

/** What the server must do after persisting the new state (in the same transaction where noted). */
export type ApprovalCommand =
  | { type: 'notify_approvers'; userIds: string[]; stepId: string; reason: NotifyApproversReason }
  | { type: 'notify_requester'; userId: string; reason: NotifyRequesterReason; stepId?: string }
  /** Apply the request type's effect in the same transaction as the final decision. Emitted once. */
  | { type: 'apply_effect'; requestType: RequestType; payload: unknown }
  /** Schedule a `timeout` event for this step and round at `dueAt`. */
  | { type: 'schedule_timeout'; stepId: string; round: number; dueAt: string };

/** What the reducer needs from outside, loaded by the server for each event. */
export interface ApprovalEnvironment {
  org: OrgSnapshot;
  /** The request's customer now (for owner/sponsor approvers); absent for requests without one. */
  customer?: CustomerContacts | null;
}

export type ApprovalResult =
  | { ok: true; state: ApprovalRequestState; commands: ApprovalCommand[] }
  | { ok: false; code: ErrorCode; params: ErrorParams };

export const MAX_APPROVAL_TEXT_LENGTH = 2000;

const fail = (code: ErrorCode, params: ErrorParams = {}): ApprovalResult => ({ ok: false, code, params });

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function isFinalApprovalStatus(status: ApprovalStatus): boolean {
  return FINAL_APPROVAL_STATUSES.includes(status);
}

/** A new draft pinned to one flow version. */
export function createApprovalRequest(input: {
  requestType: RequestType;
  requesterId: string;
  flow: ApprovalFlowVersion;
}): ApprovalResult {
  if (input.flow.requestType !== input.requestType) return fail('APPROVAL_REQUEST_TYPE_INVALID');
  return {
    ok: true,
    commands: [],
    state: {
      status: 'draft',
      requestType: input.requestType,
      requesterId: input.requesterId,
      flow: clone(input.flow),
      round: 0,
      payload: null,
      facts: {},
      reason: '',
      requesterDepartmentId: null,
      steps: [],
      currentStep: null,
      effectApplied: false,
      participants: [],
      history: [],
    },
  };
}

/** The users who may decide the current step right now (pending seats' holders), sorted. */
export function currentApprovers(state: ApprovalRequestState): string[] {
  if (state.status !== 'pending' || state.currentStep === null) return [];
  const step = state.steps[state.currentStep];
  const users = new Set<string>();
  for (const seat of step?.seats ?? [])
    if (seat.status === 'pending') for (const u of seat.holders) users.add(u);
  return [...users].sort();
}

/** Which flow steps apply to these facts (a step without a condition always applies). */
export function applicableSteps(flow: ApprovalFlowVersion, facts: ApprovalFacts): boolean[] {
  return flow.steps.map((step) => evaluateCondition(step.condition, facts));
}

function text(value: string | undefined): string {
  return (value ?? '').trim();
}

function checkText(value: string, required: ErrorCode): ApprovalResult | null {
  if (value === '') return fail(required);
  if (Array.from(value).length > MAX_APPROVAL_TEXT_LENGTH)
    return fail('TOO_LONG', { max: MAX_APPROVAL_TEXT_LENGTH });
  return null;
}

function context(state: ApprovalRequestState, env: ApprovalEnvironment, at: string): ResolutionContext {
  return {
    org: env.org,
    subject: {
      requesterId: state.requesterId,
      requesterDepartmentId: state.requesterDepartmentId,
      customer: env.customer ?? null,
    },
    now: at,
  };
}

function addParticipants(state: ApprovalRequestState, userIds: Iterable<string>) {
  state.participants = [...new Set([...state.participants, ...userIds])].sort();
}

function dueAfter(at: string, hours: number): string {
  return new Date(Date.parse(at) + hours * 3_600_000).toISOString();
}

function flowStep(state: ApprovalRequestState, index: number): ApprovalStep {
  return state.flow.steps[index] as ApprovalStep;
}

/** Closes the request; steps not reached become `cancelled`. */
function finish(state: ApprovalRequestState, status: ApprovalStatus, at: string) {
  state.status = status;
  state.finishedAt = at;
  state.currentStep = null;
  for (const step of state.steps) if (step.status === 'waiting') step.status = 'cancelled';
}

/**
 * Starts the first applicable step at or after `from`; with none left, approves the request and emits
 * `apply_effect` (once). Fails with `APPROVAL_NO_APPROVER` when the step resolves to nobody.
 */
function advance(
  state: ApprovalRequestState,
  from: number,
  env: ApprovalEnvironment,
  at: string,
  commands: ApprovalCommand[],
): ApprovalResult | null {
  const index = state.steps.findIndex((s, i) => i >= from && s.status === 'waiting');
  if (index === -1) {
    finish(state, 'approved', at);
    if (!state.effectApplied) {
      state.effectApplied = true;
      commands.push({ type: 'apply_effect', requestType: state.requestType, payload: state.payload });
    }
    commands.push({ type: 'notify_requester', userId: state.requesterId, reason: 'approved' });
    return null;
  }
  const def = flowStep(state, index);
  const resolution = resolveStepApprovers(def, context(state, env, at));
  if (!resolution.ok) return fail(resolution.code, resolution.params);
  const step = state.steps[index] as ApprovalStepState;
  step.status = 'active';
  step.startedAt = at;
  step.seats = resolution.approvers.map((a) => ({
    holders: [a.userId],
    actsFor: a.actsFor,
    status: 'pending',
    escalations: 0,
  }));
  state.currentStep = index;
  const userIds = resolution.approvers.map((a) => a.userId);
  addParticipants(state, userIds);
  commands.push({ type: 'notify_approvers', userIds, stepId: step.stepId, reason: 'step_started' });
  if (def.timeLimitHours !== undefined) {
    step.dueAt = dueAfter(at, def.timeLimitHours);
    commands.push({ type: 'schedule_timeout', stepId: step.stepId, round: state.round, dueAt: step.dueAt });
  }
  return null;
}

function start(
  prev: ApprovalRequestState,
  event: ApprovalSubmitData & { type: 'submit' | 'resubmit' },
  env: ApprovalEnvironment,
): ApprovalResult {
  if (event.by !== prev.requesterId) return fail('APPROVAL_NOT_REQUESTER');
  const reason = text(event.reason);
  const bad = checkText(reason, 'APPROVAL_REASON_REQUIRED');
  if (bad) return bad;
  const state = clone(prev);
  state.round += 1;
  state.status = 'pending';
  state.payload = clone(event.payload ?? null);
  state.facts = clone(event.facts);
  state.reason = reason;
  state.requesterDepartmentId = event.requesterDepartmentId;
  state.submittedAt = event.at;
  delete state.finishedAt;
  const applies = applicableSteps(state.flow, state.facts);
  state.steps = state.flow.steps.map((s, i) => ({
    stepId: s.id,
    name: s.name,
    mode: s.mode,
    status: applies[i] ? 'waiting' : 'skipped',
    seats: [],
    timeouts: 0,
  }));
  // Fail early: every applicable step must have an approver now (each is resolved again when it starts).
  const ctx = context(state, env, event.at);
  for (const [i, s] of state.flow.steps.entries()) {
    if (!applies[i]) continue;
    const resolution = resolveStepApprovers(s, ctx);
    if (!resolution.ok) return fail(resolution.code, resolution.params);
  }
  state.history.push({
    at: event.at,
    by: event.by,
    action: event.type === 'submit' ? 'submitted' : 'resubmitted',
    round: state.round,
    text: reason,
  });
  const commands: ApprovalCommand[] = [];
  const failed = advance(state, 0, env, event.at, commands);
  return failed ?? { ok: true, state, commands };
}

/** Common checks of approve/reject/return; the seats of the current step the user holds. */
function decisionSeats(
  state: ApprovalRequestState,
  by: string,
): { step: ApprovalStepState; seats: ApproverSeat[] } | ApprovalResult {
  if (isFinalApprovalStatus(state.status)) return fail('APPROVAL_ALREADY_DECIDED');
  if (state.status !== 'pending' || state.currentStep === null) return fail('APPROVAL_STATE_INVALID');
  if (by === state.requesterId) return fail('APPROVAL_SELF_APPROVAL');
  const step = state.steps[state.currentStep] as ApprovalStepState;
  const held = step.seats.filter((seat) => seat.holders.includes(by));
  const seats = held.filter((seat) => seat.status === 'pending');
  if (seats.length === 0) return fail(held.length > 0 ? 'APPROVAL_ALREADY_VOTED' : 'APPROVAL_NOT_APPROVER');
  return { step, seats };
}

function onBehalfOf(by: string, seats: readonly ApproverSeat[]): string[] | undefined {
  const others = [...new Set(seats.flatMap((s) => s.actsFor))].filter((u) => u !== by).sort();
  return others.length > 0 ? others : undefined;
}

function decide(
  prev: ApprovalRequestState,
  event: Extract<ApprovalEvent, { type: 'approve' | 'reject' | 'return' }>,
  env: ApprovalEnvironment,
): ApprovalResult {
  const state = clone(prev);
  const found = decisionSeats(state, event.by);
  if ('ok' in found) return found;
  const { step, seats } = found;
  const note = text(event.type === 'approve' ? event.comment : event.reason);
  if (event.type === 'approve') {
    if (Array.from(note).length > MAX_APPROVAL_TEXT_LENGTH)
      return fail('TOO_LONG', { max: MAX_APPROVAL_TEXT_LENGTH });
  } else {
    const bad = checkText(note, 'APPROVAL_REASON_REQUIRED');
    if (bad) return bad;
  }
  const seatStatus: ApproverSeatStatus =
    event.type === 'approve' ? 'approved' : event.type === 'reject' ? 'rejected' : 'returned';
  for (const seat of seats) {
    seat.status = seatStatus;
    seat.decidedBy = event.by;
    seat.decidedAt = event.at;
  }
  const entry: ApprovalHistoryEntry = {
    at: event.at,
    by: event.by,
    action: seatStatus,
    round: state.round,
    stepId: step.stepId,
  };
  const behalf = onBehalfOf(event.by, seats);
  if (behalf) entry.onBehalfOf = behalf;
  if (note !== '') entry.text = note;
  state.history.push(entry);

  const commands: ApprovalCommand[] = [];
  const closeStep = (status: ApprovalStepStatus) => {
    step.status = status;
    step.finishedAt = event.at;
    delete step.dueAt;
    for (const seat of step.seats) if (seat.status === 'pending') seat.status = 'not_required';
  };
  if (event.type !== 'approve') {
    closeStep(seatStatus as 'rejected' | 'returned');
    if (event.type === 'reject') finish(state, 'rejected', event.at);
    else {
      state.status = 'returned';
      state.currentStep = null;
      for (const s of state.steps) if (s.status === 'waiting') s.status = 'cancelled';
    }
    commands.push({
      type: 'notify_requester',
      userId: state.requesterId,
      reason: seatStatus as 'rejected' | 'returned',
      stepId: step.stepId,
    });
    return { ok: true, state, commands };
  }
  const done = step.mode === 'any' || step.seats.every((seat) => seat.status === 'approved');
  if (!done) return { ok: true, state, commands };
  closeStep('approved');
  const failed = advance(state, (state.currentStep as number) + 1, env, event.at, commands);
  return failed ?? { ok: true, state, commands };
}

function withdraw(
  prev: ApprovalRequestState,
  event: Extract<ApprovalEvent, { type: 'withdraw' }>,
): ApprovalResult {
  if (event.by !== prev.requesterId) return fail('APPROVAL_NOT_REQUESTER');
  if (isFinalApprovalStatus(prev.status)) return fail('APPROVAL_ALREADY_DECIDED');
  if (prev.status !== 'pending' && prev.status !== 'returned') return fail('APPROVAL_STATE_INVALID');
  const note = text(event.reason);
  if (Array.from(note).length > MAX_APPROVAL_TEXT_LENGTH)
    return fail('TOO_LONG', { max: MAX_APPROVAL_TEXT_LENGTH });
  const state = clone(prev);
  const commands: ApprovalCommand[] = [];
  const waitingOn = currentApprovers(state);
  if (state.currentStep !== null) {
    const step = state.steps[state.currentStep] as ApprovalStepState;
    step.status = 'withdrawn';
    step.finishedAt = event.at;
    delete step.dueAt;
    for (const seat of step.seats) if (seat.status === 'pending') seat.status = 'not_required';
    if (waitingOn.length > 0)
      commands.push({
        type: 'notify_approvers',
        userIds: waitingOn,
        stepId: step.stepId,
        reason: 'withdrawn',
      });
  }
  finish(state, 'withdrawn', event.at);
  const entry: ApprovalHistoryEntry = { at: event.at, by: event.by, action: 'withdrawn', round: state.round };
  if (note !== '') entry.text = note;
  state.history.push(entry);
  return { ok: true, state, commands };
}

function comment(
  prev: ApprovalRequestState,
  event: Extract<ApprovalEvent, { type: 'comment' }>,
): ApprovalResult {
  if (prev.status === 'draft') return fail('APPROVAL_STATE_INVALID');
  if (event.by !== prev.requesterId && !prev.participants.includes(event.by))
    return fail('APPROVAL_NOT_PARTICIPANT');
  const note = text(event.text);
  const bad = checkText(note, 'REQUIRED');
  if (bad) return bad;
  const state = clone(prev);
  const entry: ApprovalHistoryEntry = {
    at: event.at,
    by: event.by,
    action: 'commented',
    round: state.round,
    text: note,
  };
  const commands: ApprovalCommand[] = [];
  if (state.currentStep !== null) {
    const step = state.steps[state.currentStep] as ApprovalStepState;
    entry.stepId = step.stepId;
    const others = currentApprovers(state).filter((u) => u !== event.by);
    if (others.length > 0)
      commands.push({ type: 'notify_approvers', userIds: others, stepId: step.stepId, reason: 'comment' });
  }
  if (event.by !== state.requesterId)
    commands.push({ type: 'notify_requester', userId: state.requesterId, reason: 'comment' });
  state.history.push(entry);
  return { ok: true, state, commands };
}

function timeout(
  prev: ApprovalRequestState,
  event: Extract<ApprovalEvent, { type: 'timeout' }>,
  env: ApprovalEnvironment,
): ApprovalResult {
  const index = prev.currentStep;
  const current = index === null ? undefined : prev.steps[index];
  if (
    prev.status !== 'pending' ||
    index === null ||
    current === undefined ||
    current.stepId !== event.stepId ||
    prev.round !== event.round ||
    current.dueAt === undefined ||
    Date.parse(event.at) < Date.parse(current.dueAt)
  )
    return fail('APPROVAL_TIMEOUT_STALE');
  const state = clone(prev);
  const step = state.steps[index] as ApprovalStepState;
  const def = flowStep(state, index);
  const commands: ApprovalCommand[] = [];
  const reminded = currentApprovers(state);
  step.timeouts += 1;
  const escalatedTo = new Set<string>();
  if (def.escalateOnTimeout) {
    const ctx = context(state, env, event.at);
    for (const seat of step.seats) {
      if (seat.status !== 'pending') continue;
      const bases = seat.escalations === 0 ? seat.actsFor : [seat.holders[seat.holders.length - 1] as string];
      const targets = bases.flatMap((u) => {
        const t = escalationTarget(ctx, u);
        return t === null ? [] : [t];
      });
      const added = finalizeApprovers(ctx, targets)
        .map((a) => a.userId)
        .filter((u) => !seat.holders.includes(u));
      if (added.length === 0) continue;
      seat.holders.push(...added);
      seat.escalations += 1;
      for (const u of added) escalatedTo.add(u);
    }
  }
  if (reminded.length > 0)
    commands.push({ type: 'notify_approvers', userIds: reminded, stepId: step.stepId, reason: 'reminder' });
  const escalated = [...escalatedTo].filter((u) => !reminded.includes(u)).sort();
  if (escalated.length > 0) {
    addParticipants(state, escalated);
    commands.push({ type: 'notify_approvers', userIds: escalated, stepId: step.stepId, reason: 'escalated' });
  }
  const entry: ApprovalHistoryEntry = {
    at: event.at,
    by: null,
    action: 'timed_out',
    round: state.round,
    stepId: step.stepId,
  };
  if (escalatedTo.size > 0) entry.escalatedTo = [...escalatedTo].sort();
  state.history.push(entry);
  if (def.timeLimitHours !== undefined) {
    step.dueAt = dueAfter(event.at, def.timeLimitHours);
    commands.push({ type: 'schedule_timeout', stepId: step.stepId, round: state.round, dueAt: step.dueAt });
  }
  return { ok: true, state, commands };
}

/**
 * The request state machine as a pure reducer: the next state and the commands to carry out, or a
 * stable error code (the state is then unchanged). Never throws for bad input; never mutates `state`.
 */
export function reduceApproval(
  state: ApprovalRequestState,
  event: ApprovalEvent,
  env: ApprovalEnvironment,
): ApprovalResult {
  switch (event.type) {
    case 'submit':
      if (state.status !== 'draft')
        return fail(
          isFinalApprovalStatus(state.status) ? 'APPROVAL_ALREADY_DECIDED' : 'APPROVAL_STATE_INVALID',
        );
      return start(state, event, env);
    case 'resubmit':
      if (state.status !== 'returned')
        return fail(
          isFinalApprovalStatus(state.status) ? 'APPROVAL_ALREADY_DECIDED' : 'APPROVAL_STATE_INVALID',
        );
      return start(state, event, env);
    case 'approve':
    case 'reject':
    case 'return':
      return decide(state, event, env);
    case 'withdraw':
      return withdraw(state, event);
    case 'comment':
      return comment(state, event);
    case 'timeout':
      return timeout(state, event, env);
  }
}
