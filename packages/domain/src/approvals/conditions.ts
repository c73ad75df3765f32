import { asDecimal, compareDecimals } from './decimal.js';
import type { Condition, ConditionLeaf } from './definition.js';

/**
 * Step conditions evaluated on a request's facts: the payload the requester submitted merged with the
 * context the server computes (see `buildApprovalFacts`). Three-valued internally: a comparison on a
 * missing field, or on a value of the wrong kind (e.g. `gt` on text), is *unknown*; `not` of unknown is
 * unknown, `all` is unknown unless some child is false, `any` is unknown unless some child is true.
 * A condition that ends unknown does not hold (fail closed), and `explainCondition` says which fields
 * were missing, so the server can log it and the flow editor can warn with `referencedFields`.
 */

/** A fact value. Department paths are lists of ids from the root down to the department, inclusive. */
export type FactValue =
  | string
  | number
  | boolean
  | null
  | readonly string[]
  | { readonly [key: string]: FactValue };

/** The facts conditions read. Dotted field names (`payload.x`) look into nested objects. */
export type ApprovalFacts = { readonly [field: string]: FactValue };

/**
 * The context the server computes for every request. Known names the flow editor offers; a
 * capability's payload adds its own (see `ApprovalEffect.conditionFields`).
 */
export interface ApprovalContextFacts {
  requestType?: string;
  requesterId?: string;
  requesterDepartmentId?: string | null;
  /** The requester's department path, root → department (for `in_subtree`). */
  departmentPath?: readonly string[];
  customerId?: string | null;
  customerTier?: string | null;
  /** Decimal strings, e.g. `"25000.00"` and `"25"`. */
  amount?: string | null;
  discountPercent?: string | null;
  currentTier?: string | null;
  targetTier?: string | null;
}

/** Context fields every flow may use (the flow editor lists them; payload fields come from the effect). */
export const APPROVAL_CONTEXT_FIELDS = [
  'requestType',
  'requesterId',
  'requesterDepartmentId',
  'departmentPath',
  'customerId',
  'customerTier',
] as const;

/**
 * The facts of a request: the payload's top-level fields overlaid with the server-computed context,
 * so a payload can never spoof `requesterId` or `departmentPath`. `undefined` context values are dropped.
 */
export function buildApprovalFacts(
  context: ApprovalContextFacts & { readonly [field: string]: FactValue | undefined },
  payload: Readonly<Record<string, unknown>> = {},
): ApprovalFacts {
  const facts: Record<string, FactValue> = {};
  for (const [key, value] of Object.entries(payload)) {
    const fact = toFact(value, 0);
    if (fact !== undefined) facts[key] = fact;
  }
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) facts[key] = value as FactValue;
  }
  return facts;
}

function toFact(value: unknown, depth: number): FactValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value))
    return value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  if (typeof value === 'object' && depth < 4) {
    const out: Record<string, FactValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const fact = toFact(v, depth + 1);
      if (fact !== undefined) out[k] = fact;
    }
    return out;
  }
  return undefined;
}

/** The fact at a (possibly dotted) field name; own properties only. `undefined` when absent. */
export function factAt(facts: ApprovalFacts, field: string): FactValue | undefined {
  let current: FactValue | undefined = facts;
  for (const segment of field.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const record = current as { readonly [key: string]: FactValue };
    if (!Object.hasOwn(record, segment)) return undefined;
    current = record[segment];
  }
  return current;
}

type Tri = boolean | 'unknown';

/** Equality used by `eq`/`ne`/`in`/`not_in`: decimals numerically, text exactly, booleans strictly. */
function same(fact: FactValue, operand: string | boolean): Tri {
  if (typeof fact === 'boolean' || typeof operand === 'boolean') {
    return typeof fact === typeof operand ? fact === operand : 'unknown';
  }
  const cmp = compareDecimals(fact, operand);
  if (cmp !== null) return cmp === 0;
  if (typeof fact === 'string') return fact === operand;
  return 'unknown';
}

function leaf(c: ConditionLeaf, facts: ApprovalFacts, missing: Set<string>): Tri {
  const fact = factAt(facts, c.field);
  if (fact === undefined || fact === null) {
    missing.add(c.field);
    return 'unknown';
  }
  const scalar = typeof fact !== 'object';
  switch (c.op) {
    case 'eq':
    case 'ne': {
      if (!scalar) return 'unknown';
      const eq = same(fact, c.value);
      return eq === 'unknown' ? eq : c.op === 'eq' ? eq : !eq;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const cmp = compareDecimals(fact, c.value);
      if (cmp === null) return 'unknown';
      if (c.op === 'gt') return cmp > 0;
      if (c.op === 'gte') return cmp >= 0;
      if (c.op === 'lt') return cmp < 0;
      return cmp <= 0;
    }
    case 'in':
    case 'not_in': {
      if (!scalar || (typeof fact === 'number' && asDecimal(fact) === null)) return 'unknown';
      let found = false;
      for (const item of c.value) {
        const eq = same(fact, item);
        if (eq === 'unknown') return 'unknown';
        if (eq) found = true;
      }
      return c.op === 'in' ? found : !found;
    }
    case 'in_subtree': {
      if (!Array.isArray(fact) || !fact.every((id) => typeof id === 'string')) return 'unknown';
      return c.value.some((root) => fact.includes(root));
    }
  }
}

function evaluate(c: Condition, facts: ApprovalFacts, missing: Set<string>): Tri {
  if ('all' in c) {
    let result: Tri = true;
    for (const child of c.all) {
      const r = evaluate(child, facts, missing);
      if (r === false) result = false;
      else if (r === 'unknown' && result === true) result = 'unknown';
    }
    return result;
  }
  if ('any' in c) {
    let result: Tri = false;
    for (const child of c.any) {
      const r = evaluate(child, facts, missing);
      if (r === true) result = true;
      else if (r === 'unknown' && result === false) result = 'unknown';
    }
    return result;
  }
  if ('not' in c) {
    const r = evaluate(c.not, facts, missing);
    return r === 'unknown' ? r : !r;
  }
  return leaf(c, facts, missing);
}

export interface ConditionExplanation {
  /** Whether the condition holds (unknown → false). An absent condition always holds. */
  holds: boolean;
  /** True when the result was unknown because of missing or mistyped facts. */
  undetermined: boolean;
  /** Referenced fields that were absent (or null) in the facts, sorted. */
  missingFields: string[];
}

/** Evaluates a condition and reports why it may not have been decidable. */
export function explainCondition(
  condition: Condition | undefined,
  facts: ApprovalFacts,
): ConditionExplanation {
  if (condition === undefined) return { holds: true, undetermined: false, missingFields: [] };
  const missing = new Set<string>();
  const result = evaluate(condition, facts, missing);
  return { holds: result === true, undetermined: result === 'unknown', missingFields: [...missing].sort() };
}

/** Whether a condition holds on the facts; unknown (missing/mistyped facts) → false. */
export function evaluateCondition(condition: Condition | undefined, facts: ApprovalFacts): boolean {
  return explainCondition(condition, facts).holds;
}
