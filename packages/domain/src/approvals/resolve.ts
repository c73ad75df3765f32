import type { ApprovalStep, ApproverSpec } from './definition.js';

/**
 * Approver resolution: who must decide a step, computed from an organisation snapshot passed in as
 * data (no I/O). Rules, in order:
 *
 * 1. Each `ApproverSpec` yields candidate users:
 *    - `user` → that user; `role` → every user holding the role (sorted by id);
 *    - `requester_department_head` → the head of the requester's department;
 *    - `department_head_levels_up` (N) → the head of the department N levels above the requester's
 *      (1 = parent). When the tree is not that deep, the top department is used;
 *    - `customer_owner` / `customer_executive_sponsor` → from the request's customer (none without one).
 *    For the two department kinds, a department without an *eligible* head (none set, inactive, or the
 *    requester themselves) passes to the next department up, until the root. So a requester who heads
 *    their own department gets their parent department's head.
 * 2. The requester never approves their own request: they are dropped wherever they appear.
 *    Inactive users (and users missing from the snapshot) are dropped.
 * 3. ApprovalDelegation: an approver with an active delegation (`from <= now < to`) is replaced by the delegate.
 *    Exactly one hop (a delegate's own delegation is not followed). The delegation is ignored — the
 *    original approver stays — when the delegate is inactive, unknown or the requester. With several
 *    active delegations, the one that started last wins (ties: smallest delegate id).
 * 4. Duplicates merge into one `ResolvedApprover` whose `actsFor` lists everyone they stand for; one
 *    decision by that user counts for all of them (also in 会签).
 * 5. A step that resolves to nobody is not silently skipped or approved: `resolveStepApprovers` answers
 *    `APPROVAL_NO_APPROVER` with the step's name, and the server refuses the submit (or the decision that
 *    would start the step) with that message, so an administrator fixes the flow or the organisation.
 *    Escalating instead would hand a control step (say, finance) to someone the flow never named.
 */

export interface OrgDepartment {
  id: string;
  parentId: string | null;
  headUserId: string | null;
}

export interface OrgUser {
  id: string;
  departmentId: string | null;
  active: boolean;
  roleIds: readonly string[];
}

export interface ApprovalDelegation {
  fromUserId: string;
  toUserId: string;
  /** ISO timestamps; the window is `from <= now < to`. */
  from: string;
  to: string;
}

/** The slice of the organisation resolution reads. Build it with `orgSnapshot`. */
export interface OrgSnapshot {
  departments: ReadonlyMap<string, OrgDepartment>;
  users: ReadonlyMap<string, OrgUser>;
  delegations: readonly ApprovalDelegation[];
}

export interface CustomerContacts {
  ownerId: string | null;
  executiveSponsorIds: readonly string[];
}

/** What resolution needs to know about the request. */
export interface ResolutionSubject {
  requesterId: string;
  requesterDepartmentId: string | null;
  customer?: CustomerContacts | null;
}

export interface ResolutionContext {
  org: OrgSnapshot;
  subject: ResolutionSubject;
  /** The moment delegation windows are checked against. */
  now: Date | string;
}

export interface ResolvedApprover {
  /** The user who decides. */
  userId: string;
  /** The approvers this user stands for: themselves when named directly, and/or delegators. Sorted. */
  actsFor: string[];
}

export type StepResolution =
  | { ok: true; approvers: ResolvedApprover[] }
  | { ok: false; code: 'APPROVAL_NO_APPROVER'; params: { step: string } };

/** Builds a snapshot from plain lists (as loaded from the database). */
export function orgSnapshot(input: {
  departments: readonly OrgDepartment[];
  users: readonly OrgUser[];
  delegations?: readonly ApprovalDelegation[];
}): OrgSnapshot {
  return {
    departments: new Map(input.departments.map((d) => [d.id, d])),
    users: new Map(input.users.map((u) => [u.id, u])),
    delegations: input.delegations ?? [],
  };
}

/** Department ids from the root down to `departmentId`, inclusive (cycle-safe); `[]` when unknown. */
export function departmentPathOf(org: OrgSnapshot, departmentId: string | null): string[] {
  const path: string[] = [];
  let current = departmentId === null ? undefined : org.departments.get(departmentId);
  while (current && !path.includes(current.id)) {
    path.push(current.id);
    current = current.parentId === null ? undefined : org.departments.get(current.parentId);
  }
  return path.reverse();
}

const timeOf = (t: Date | string) => (typeof t === 'string' ? Date.parse(t) : t.getTime());

function isEligible(org: OrgSnapshot, subject: ResolutionSubject, userId: string | null): userId is string {
  if (userId === null || userId === subject.requesterId) return false;
  return org.users.get(userId)?.active === true;
}

/**
 * The first eligible head at or above the department `levels` above `departmentId` (0 = the department
 * itself), clamping to the top of the tree. `exclude` heads are passed over like ineligible ones.
 */
export function eligibleHeadAbove(
  org: OrgSnapshot,
  subject: ResolutionSubject,
  departmentId: string | null,
  levels: number,
  exclude: readonly string[] = [],
): string | null {
  const upward = departmentPathOf(org, departmentId).reverse();
  for (let i = Math.min(levels, upward.length - 1); i >= 0 && i < upward.length; i++) {
    const head = org.departments.get(upward[i] as string)?.headUserId ?? null;
    if (isEligible(org, subject, head) && !exclude.includes(head)) return head;
  }
  return null;
}

function candidates(spec: ApproverSpec, ctx: ResolutionContext): string[] {
  const { org, subject } = ctx;
  switch (spec.kind) {
    case 'user':
      return [spec.userId];
    case 'role':
      return [...org.users.values()]
        .filter((u) => u.roleIds.includes(spec.roleId))
        .map((u) => u.id)
        .sort();
    case 'requester_department_head': {
      const head = eligibleHeadAbove(org, subject, subject.requesterDepartmentId, 0);
      return head === null ? [] : [head];
    }
    case 'department_head_levels_up': {
      const head = eligibleHeadAbove(org, subject, subject.requesterDepartmentId, spec.levels);
      return head === null ? [] : [head];
    }
    case 'customer_owner':
      return subject.customer?.ownerId ? [subject.customer.ownerId] : [];
    case 'customer_executive_sponsor':
      return [...(subject.customer?.executiveSponsorIds ?? [])];
  }
}

/** The delegate deciding for `userId` at `now`, or `userId` itself (one hop, see rule 3). */
export function delegateFor(ctx: ResolutionContext, userId: string): string {
  const now = timeOf(ctx.now);
  let best: ApprovalDelegation | undefined;
  for (const d of ctx.org.delegations) {
    if (d.fromUserId !== userId || d.toUserId === userId) continue;
    const from = Date.parse(d.from);
    const to = Date.parse(d.to);
    if (!(from <= now && now < to)) continue;
    if (!isEligible(ctx.org, ctx.subject, d.toUserId)) continue;
    if (
      !best ||
      from > Date.parse(best.from) ||
      (from === Date.parse(best.from) && d.toUserId < best.toUserId)
    )
      best = d;
  }
  return best ? best.toUserId : userId;
}

/**
 * Applies rules 2–4 to a list of approver user ids (in order): drops the requester and inactive users,
 * substitutes delegates and merges duplicates.
 */
export function finalizeApprovers(ctx: ResolutionContext, userIds: readonly string[]): ResolvedApprover[] {
  const byUser = new Map<string, Set<string>>();
  for (const original of userIds) {
    if (!isEligible(ctx.org, ctx.subject, original)) continue;
    const decider = delegateFor(ctx, original);
    const actsFor = byUser.get(decider) ?? new Set<string>();
    actsFor.add(original);
    byUser.set(decider, actsFor);
  }
  return [...byUser].map(([userId, actsFor]) => ({ userId, actsFor: [...actsFor].sort() }));
}

/** The approvers of a list of specs (may be empty). */
export function resolveApprovers(specs: readonly ApproverSpec[], ctx: ResolutionContext): ResolvedApprover[] {
  return finalizeApprovers(
    ctx,
    specs.flatMap((spec) => candidates(spec, ctx)),
  );
}

/** The approvers of a step, or `APPROVAL_NO_APPROVER` when nobody is left (rule 5). */
export function resolveStepApprovers(step: ApprovalStep, ctx: ResolutionContext): StepResolution {
  const approvers = resolveApprovers(step.approvers, ctx);
  if (approvers.length === 0) return { ok: false, code: 'APPROVAL_NO_APPROVER', params: { step: step.name } };
  return { ok: true, approvers };
}

/**
 * Escalation target for an approver who let a step time out: the head above them — their own
 * department's head, or when that is themselves (or ineligible) the next head up — never the
 * requester. `null` at the top of the tree. ApprovalDelegation is applied by the caller (`finalizeApprovers`).
 */
export function escalationTarget(ctx: ResolutionContext, approverUserId: string): string | null {
  const user = ctx.org.users.get(approverUserId);
  if (!user) return null;
  return eligibleHeadAbove(ctx.org, ctx.subject, user.departmentId, 0, [approverUserId]);
}
