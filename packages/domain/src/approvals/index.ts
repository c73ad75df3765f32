/**
 * # Approval engine (审批流) — pure domain core
 *
 * One general engine for every decision that must pass people in order: tier changes, ownership
 * transfers, discounts, contracts, customer creation, and request types capabilities add later.
 * Everything here is pure (no I/O); the server persists state, loads the organisation snapshot,
 * runs the reducer inside one transaction under a row lock on the request, and carries out commands.
 *
 * ## Flows (`definition.ts`)
 * A flow (per tenant and request type) is an ordered list of steps; each names approvers
 * (`ApproverSpec`: user, role, requester's department head, head N levels up, customer owner, customer
 * executive sponsor), a mode (`any` = 或签, `all` = 会签), an optional `Condition` (structured rules,
 * stored as data, never eval'd), and an optional time limit with escalation. `zApprovalFlow` /
 * `validateApprovalFlow` check it with stable error codes. Saving creates an immutable
 * `ApprovalFlowVersion`; a request copies the version it was created with into its state
 * (`ApprovalRequestState.flow`) and the reducer never reads any other — editing a flow does not affect
 * running requests.
 *
 * ## Conditions (`conditions.ts`)
 * `evaluateCondition(condition, facts)` on `buildApprovalFacts(context, payload)`. Decimals compare
 * exactly (scaled BigInt: `"25.00" > "25"` is false). Missing or mistyped facts make a comparison
 * unknown, and an unknown condition does not hold (fail closed); `explainCondition` reports the missing
 * fields and `referencedFields(flow)` lists what a flow reads so the editor can warn about unknown ones.
 *
 * ## Approvers (`resolve.ts`)
 * Resolved when a step starts, from an `OrgSnapshot` (departments, users, delegations) as data: heads
 * walk up past departments without an eligible head; the requester never approves their own request;
 * inactive users are dropped; an active delegation (one hop) substitutes the delegate; duplicates
 * merge. A step that resolves to nobody is an error, `APPROVAL_NO_APPROVER` — never a silent skip.
 *
 * ## States and transitions (`machine.ts`, `reduceApproval(state, event, env)`)
 * ```
 *   draft ──submit──▶ pending ──approve (last step done)──▶ approved   (apply_effect, once)
 *                       │  ├──reject (reason)─────────────▶ rejected
 *                       │  ├──withdraw (requester)────────▶ withdrawn
 *                       │  └──return (reason)──▶ returned ──resubmit──▶ pending (new round)
 *                       │                           └──withdraw──────▶ withdrawn
 *                       └──approve (step not done) / comment / timeout ──▶ pending
 * ```
 * - Submit plans the round: steps whose condition is false are `skipped`; the first applicable step
 *   starts (approvers resolved, `notify_approvers`, `schedule_timeout` if timed). When no step applies,
 *   the request is approved at once (`apply_effect`).
 * - 或签: the first approval completes the step. 会签: every seat must approve. Any rejection rejects
 *   the request; the remaining steps are `cancelled`. The last approval emits `apply_effect` exactly
 *   once, plus `notify_requester`.
 * - Errors (`{ ok: false, code }`, state unchanged): a decision on a final request
 *   → `APPROVAL_ALREADY_DECIDED` (so of two racing decisions serialised by the row lock, the second gets
 *   this code); the requester deciding → `APPROVAL_SELF_APPROVAL`; someone not holding a pending seat
 *   → `APPROVAL_NOT_APPROVER` (or `APPROVAL_ALREADY_VOTED`); a wrong state → `APPROVAL_STATE_INVALID`;
 *   missing reason → `APPROVAL_REASON_REQUIRED`; a stale timer → `APPROVAL_TIMEOUT_STALE`.
 * - Timeout (`{ stepId, round }` echoed from `schedule_timeout`): reminders to the undecided approvers,
 *   and with `escalateOnTimeout` each undecided seat gains the next head up as an extra holder (who may
 *   decide for it); the timer is rescheduled for another period.
 * - Resubmit after a return starts a new round on the same pinned version with the new payload/facts.
 *
 * ## Effects (`effect.ts`)
 * A capability registers one `ApprovalEffect` per request type: `validate(payload)` and
 * `describe(payload, locale)` here, plus its `apply` on the server. The server validates the payload on
 * submit and, when the reducer returns `apply_effect`, applies it in the same transaction as the final
 * decision; if that fails, the transaction rolls back and the request stays pending.
 */
export * from './conditions.js';
export * from './definition.js';
export * from './effect.js';
export * from './machine.js';
export * from './resolve.js';
