import type {
  ApprovalFlow,
  ApprovalStep,
  ApproverSpec,
  Condition,
  ConditionFieldKind,
  ConditionLeaf,
  ConditionOp,
  StepMode,
} from '@kam/domain';

/**
 * The flow editor's working copy. Steps and rules carry a local `key` (React lists, focus) that is
 * never sent; conditions are edited as a tree of groups and rules and turned back into the domain's
 * `Condition` on save. Nothing here is free text that the server would evaluate.
 */

export type GroupMode = 'all' | 'any' | 'none';

export interface RuleNode {
  kind: 'rule';
  key: string;
  field: string;
  op: ConditionOp | null;
  /** Text for scalar operators, a list for `in`/`not_in`/`in_subtree`, a boolean for boolean fields. */
  value: string | string[] | boolean | null;
}

export interface GroupNode {
  kind: 'group';
  key: string;
  mode: GroupMode;
  children: ConditionNode[];
}

export type ConditionNode = RuleNode | GroupNode;

export interface EditorApprover {
  key: string;
  spec: Partial<ApproverSpec> & { kind: ApproverSpec['kind'] };
}

export interface EditorStep {
  key: string;
  /** Kept from the saved flow (history and timers refer to it); generated for new steps. */
  id: string;
  name: string;
  approvers: EditorApprover[];
  mode: StepMode;
  /** null = the step always applies. */
  condition: GroupNode | null;
  timeLimitHours: number | null;
  escalateOnTimeout: boolean;
}

let counter = 0;
export const newKey = (prefix = 'k'): string => {
  counter += 1;
  return `${prefix}${counter}`;
};

export function newRule(field = ''): RuleNode {
  return { kind: 'rule', key: newKey('r'), field, op: null, value: null };
}

export function newGroup(mode: GroupMode = 'all', children: ConditionNode[] = [newRule()]): GroupNode {
  return { kind: 'group', key: newKey('g'), mode, children };
}

/** An id unique in the flow, in the domain's `[A-Za-z0-9][A-Za-z0-9._-]{0,31}` form. */
export function freshStepId(steps: readonly Pick<EditorStep, 'id'>[]): string {
  const used = new Set(steps.map((s) => s.id));
  for (let n = steps.length + 1; ; n += 1) {
    const id = `step-${n}`;
    if (!used.has(id)) return id;
  }
}

export function newStep(steps: readonly EditorStep[], name: string): EditorStep {
  return {
    key: newKey('s'),
    id: freshStepId(steps),
    name,
    approvers: [{ key: newKey('a'), spec: { kind: 'requester_department_head' } }],
    mode: 'any',
    condition: null,
    timeLimitHours: null,
    escalateOnTimeout: false,
  };
}

/* ------------------------------------------------------------------ domain → editor */

function leafToRule(leaf: ConditionLeaf): RuleNode {
  return { kind: 'rule', key: newKey('r'), field: leaf.field, op: leaf.op, value: leaf.value };
}

function toNode(condition: Condition): ConditionNode {
  if ('all' in condition) return { ...newGroup('all', condition.all.map(toNode)) };
  if ('any' in condition) return { ...newGroup('any', condition.any.map(toNode)) };
  if ('not' in condition) {
    const inner = condition.not;
    // not(any[a, b]) = "none of"; not(all[…]) and not(rule) are shown as "none of" one child.
    if ('any' in inner) return newGroup('none', inner.any.map(toNode));
    return newGroup('none', [toNode(inner)]);
  }
  return leafToRule(condition);
}

/** The editor's root is always a group. */
export function conditionToGroup(condition: Condition | undefined): GroupNode | null {
  if (!condition) return null;
  const node = toNode(condition);
  return node.kind === 'group' ? node : newGroup('all', [node]);
}

export function flowToSteps(flow: ApprovalFlow | null | undefined): EditorStep[] {
  if (!flow) return [];
  return flow.steps.map((step) => ({
    key: newKey('s'),
    id: step.id,
    name: step.name,
    approvers: step.approvers.map((spec) => ({ key: newKey('a'), spec: { ...spec } })),
    mode: step.mode,
    condition: conditionToGroup(step.condition),
    timeLimitHours: step.timeLimitHours ?? null,
    escalateOnTimeout: step.escalateOnTimeout ?? false,
  }));
}

/* ------------------------------------------------------------------ editor → domain */

/**
 * Builds the leaf as typed; an incomplete rule is still sent as it stands (e.g. without a value) so
 * that the domain's validation reports it with its stable code and path, exactly as the server would.
 */
function ruleToLeaf(rule: RuleNode): Record<string, unknown> {
  const out: Record<string, unknown> = { field: rule.field, op: rule.op ?? '' };
  const value = rule.value;
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return out;
  out.value = typeof value === 'string' ? value.trim() : value;
  return out;
}

function nodeToCondition(node: ConditionNode): unknown {
  if (node.kind === 'rule') return ruleToLeaf(node);
  const children = node.children.map(nodeToCondition);
  if (node.mode === 'all') return { all: children };
  if (node.mode === 'any') return { any: children };
  return { not: { any: children } };
}

/** The editor's steps as the document the server validates (may be invalid: that is what validation is for). */
export function stepsToFlow(requestType: string, steps: readonly EditorStep[]): unknown {
  return {
    requestType,
    steps: steps.map((step) => {
      const out: Record<string, unknown> = {
        id: step.id,
        name: step.name.trim(),
        approvers: step.approvers.map((a) => ({ ...a.spec })),
        mode: step.mode,
      };
      if (step.condition) out.condition = nodeToCondition(step.condition);
      if (step.timeLimitHours !== null) out.timeLimitHours = step.timeLimitHours;
      if (step.escalateOnTimeout) out.escalateOnTimeout = true;
      return out;
    }),
  };
}

/* ------------------------------------------------------------------ operators per field kind */

export const OPS_BY_KIND: Record<ConditionFieldKind, readonly ConditionOp[]> = {
  decimal: ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in', 'not_in'],
  text: ['eq', 'ne', 'in', 'not_in'],
  text_list: ['in_subtree'],
  boolean: ['eq', 'ne'],
  department_path: ['in_subtree'],
};

export const LIST_OPS: readonly ConditionOp[] = ['in', 'not_in', 'in_subtree'];

export function isListOp(op: ConditionOp | null): boolean {
  return op !== null && LIST_OPS.includes(op);
}

/** The value to keep when the operator changes (a list ↔ a single value). */
export function coerceValue(value: RuleNode['value'], op: ConditionOp | null): RuleNode['value'] {
  if (op === null) return value;
  if (isListOp(op)) {
    if (Array.isArray(value)) return value;
    if (typeof value === 'string' && value !== '') return [value];
    return [];
  }
  if (Array.isArray(value)) return value[0] ?? null;
  return value;
}

/* ------------------------------------------------------------------ tree edits (immutable) */

export function updateNode(
  root: GroupNode,
  key: string,
  update: (node: ConditionNode) => ConditionNode | null,
): GroupNode {
  const visit = (node: ConditionNode): ConditionNode | null => {
    if (node.key === key) return update(node);
    if (node.kind === 'rule') return node;
    const children: ConditionNode[] = [];
    for (const child of node.children) {
      const next = visit(child);
      if (next) children.push(next);
    }
    return { ...node, children };
  };
  const next = visit(root);
  return next && next.kind === 'group' ? next : { ...root, children: [] };
}

export function depthOf(node: ConditionNode): number {
  if (node.kind === 'rule') return 0;
  return 1 + Math.max(0, ...node.children.map(depthOf));
}

export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return [...items];
  const next = [...items];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

export type { ApprovalStep };
