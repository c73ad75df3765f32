import type { ErrorCode, ErrorParams } from '../errors.js';
import type { Locale, LocalizedText } from '../i18n.js';
import type { ApprovalFacts } from './conditions.js';
import type { RequestType } from './definition.js';

/** The kind of value a condition field holds, so the flow editor offers the right operators. */
export type ConditionFieldKind = 'decimal' | 'text' | 'text_list' | 'boolean' | 'department_path';

/** A field a request type's payload offers to conditions, e.g. `discountPercent` (decimal). */
export interface ConditionFieldSpec {
  name: string;
  kind: ConditionFieldKind;
  label: LocalizedText;
  /** For `text` fields with a closed set of values (e.g. tiers): the values and their labels. */
  options?: readonly { value: string; label: LocalizedText }[];
}

export type EffectValidation<P> =
  | { ok: true; value: P }
  | { ok: false; code: ErrorCode; params?: ErrorParams; details?: unknown };

/**
 * How a capability plugs a request type into the approval engine (types only: the server keeps a
 * registry `requestType → ApprovalEffect` and adds the I/O part, `apply(tx, request)`, which runs in the
 * transaction of the final approval; when it throws, the decision fails and the request stays pending).
 */
export interface ApprovalEffect<P = unknown> {
  readonly type: RequestType;
  /** Checks and normalises a payload on submit and resubmit (stable error codes, no I/O). */
  validate(payload: unknown): EffectValidation<P>;
  /** A one-line summary for the inbox and notifications, e.g. "Discount 25% for 华为 (quote Q-102)". */
  describe(payload: P, locale: Locale): string;
  /** Payload fields conditions may use (the flow editor lists them next to the context fields). */
  readonly conditionFields?: readonly ConditionFieldSpec[];
  /** Facts derived from the payload, when they are not simply its top-level fields. */
  facts?(payload: P): ApprovalFacts;
}
