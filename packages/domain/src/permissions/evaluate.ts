import { maskEmail, maskMobile, maskText } from '../masking.js';
import {
  type Action,
  fieldSensitivity,
  isRecordResource,
  type PermissionKey,
  parsePermissionKey,
  type Resource,
  resourceFields,
  type Scope,
  toPermissionKey,
} from './catalog.js';

/** One right of a role. `scope` is required for record resources; `departmentIds` only with `custom`. */
export interface Grant {
  resource: Resource;
  action: Action;
  scope?: Scope;
  departmentIds?: readonly string[];
}

export type FieldRuleKind = 'hidden' | 'masked' | 'readonly';

export interface FieldRule {
  resource: Resource;
  field: string;
  rule: FieldRuleKind;
}

export interface RoleRights {
  roleId: string;
  grants: readonly Grant[];
  fieldRules: readonly FieldRule[];
}

export interface ActorContext {
  userId: string;
  departmentId: string | null;
  roles: readonly RoleRights[];
  /** Set for API-token requests: the token may only use these keys (intersected with the roles). */
  tokenPermissions?: readonly PermissionKey[];
}

/**
 * What records an actor may touch, as a union of four parts.
 * Normalised: when `all` is set everything else is empty/false; lists are sorted and deduplicated,
 * and a department already covered as a subtree root is not repeated in `departments`.
 */
export interface EffectiveScope {
  all: boolean;
  /** Records whose `selfUserIds` contain the actor. */
  self: boolean;
  /** Records whose department is exactly one of these. */
  departments: readonly string[];
  /** Records whose department is one of these or a descendant. */
  subtrees: readonly string[];
}

/** What `scopeAllows` needs to know about a record. */
export interface ScopedRecord {
  /** Users for whom this record is "their own" (a user record: the user; later e.g. a customer's owner). */
  selfUserIds: readonly string[];
  departmentId: string | null;
  /** Department ids from the root down to the record's department, inclusive. */
  departmentAncestorIds: readonly string[];
}

/** Effective field rules of one resource: field → rule. Fully visible fields are absent. */
export type FieldRules = Record<string, FieldRuleKind>;

const ALL_SCOPE: EffectiveScope = Object.freeze({ all: true, self: false, departments: [], subtrees: [] });

function scopeFromRoles(
  actor: ActorContext,
  roles: readonly RoleRights[],
  resource: Resource,
  action: Action,
): EffectiveScope | null {
  const key = toPermissionKey(resource, action);
  if (key === null || (actor.tokenPermissions && !actor.tokenPermissions.includes(key))) return null;
  const grants = roles
    .flatMap((role) => role.grants)
    .filter((g) => g.resource === resource && g.action === action);
  if (grants.length === 0) return null;
  if (!isRecordResource(resource)) return { ...ALL_SCOPE };

  let self = false;
  const departments = new Set<string>();
  const subtrees = new Set<string>();
  const own = actor.departmentId;
  for (const grant of grants) {
    switch (grant.scope) {
      case 'all':
        return { ...ALL_SCOPE };
      case 'self':
        self = true;
        break;
      case 'department':
        if (own !== null) departments.add(own);
        break;
      case 'department_tree':
        if (own !== null) subtrees.add(own);
        break;
      case 'custom':
        for (const id of grant.departmentIds ?? []) departments.add(id);
        break;
      // A record grant without a scope is malformed and grants nothing (fail closed).
    }
  }
  for (const root of subtrees) departments.delete(root);
  if (!self && departments.size === 0 && subtrees.size === 0) return null;
  return { all: false, self, departments: [...departments].sort(), subtrees: [...subtrees].sort() };
}

/** The union of the actor's roles' scopes for `resource.action`; `null` = not allowed at all. */
export function effectiveScope(
  actor: ActorContext,
  resource: Resource,
  action: Action,
): EffectiveScope | null {
  return scopeFromRoles(actor, actor.roles, resource, action);
}

export function can(actor: ActorContext, key: PermissionKey): boolean {
  const { resource, action } = parsePermissionKey(key);
  return effectiveScope(actor, resource, action) !== null;
}

/** Reference semantics of a scope check; the server's SQL filters must agree with this. */
export function scopeAllows(scope: EffectiveScope, record: ScopedRecord, actorUserId: string): boolean {
  if (scope.all) return true;
  if (scope.self && record.selfUserIds.includes(actorUserId)) return true;
  if (record.departmentId !== null && scope.departments.includes(record.departmentId)) return true;
  return scope.subtrees.some((root) => record.departmentAncestorIds.includes(root));
}

const RESTRICTIVENESS: Record<FieldRuleKind, number> = { readonly: 1, masked: 2, hidden: 3 };

/**
 * Field rules of a resource for an actor. Rights are a union, so the least restrictive rule wins among
 * the roles that can view the resource (for this actor); a viewing role without a rule for a field makes
 * it fully visible. If no role can view the resource, every catalogue field is hidden.
 */
export function effectiveFieldRules(actor: ActorContext, resource: Resource): FieldRules {
  const viewers = actor.roles.filter((role) => scopeFromRoles(actor, [role], resource, 'view') !== null);
  const result: FieldRules = {};
  if (viewers.length === 0) {
    for (const field of resourceFields(resource)) result[field] = 'hidden';
    return result;
  }
  const perRole = viewers.map((role) => {
    const rules = new Map<string, FieldRuleKind>();
    for (const { resource: r, field, rule } of role.fieldRules) {
      const current = rules.get(field);
      if (r === resource && (!current || RESTRICTIVENESS[rule] > RESTRICTIVENESS[current]))
        rules.set(field, rule);
    }
    return rules;
  });
  const fields = new Set(perRole.flatMap((rules) => [...rules.keys()]));
  for (const field of fields) {
    let least: FieldRuleKind | undefined;
    for (const rules of perRole) {
      const rule = rules.get(field);
      if (rule === undefined) {
        least = undefined;
        break;
      }
      if (!least || RESTRICTIVENESS[rule] < RESTRICTIVENESS[least]) least = rule;
    }
    if (least) result[field] = least;
  }
  return result;
}

const HIDE = Symbol('hide');

function maskValue(resource: Resource, field: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'string') return HIDE;
  switch (fieldSensitivity(resource, field)) {
    case 'mobile':
      return maskMobile(value);
    case 'email':
      return maskEmail(value);
    case 'text':
      return maskText(value);
    default:
      // Nothing sensible to mask (ids, dates, unknown fields): hide instead.
      return HIDE;
  }
}

/**
 * Applies field rules to a record for output: hidden fields are removed, masked fields are masked
 * according to their catalogue sensitivity (non-maskable ones are removed), readonly fields stay.
 */
export function applyFieldRules<T extends Record<string, unknown>>(
  resource: Resource,
  record: T,
  rules: Readonly<FieldRules>,
): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    const rule = Object.hasOwn(rules, field) ? rules[field] : undefined;
    if (rule === 'hidden') continue;
    const shown = rule === 'masked' ? maskValue(resource, field, value) : value;
    if (shown !== HIDE) out[field] = shown;
  }
  return out as Partial<T>;
}

/** Changed fields the actor may not write (any rule: readonly, masked or hidden), deduplicated, in input order. */
export function readonlyViolations(
  rules: Readonly<FieldRules>,
  changedFieldNames: Iterable<string>,
): string[] {
  return [...new Set(changedFieldNames)].filter((field) => Object.hasOwn(rules, field));
}

/** Keys an API token asks for that the actor (ignoring any current token restriction) does not hold. */
export function permissionsExceeding(actor: ActorContext, keys: readonly PermissionKey[]): PermissionKey[] {
  const owner: ActorContext = { ...actor, tokenPermissions: undefined };
  return [...new Set(keys)].filter((key) => !can(owner, key));
}

/** The department and user an assignment targets (the user receiving a role). */
export interface AssignmentTarget {
  userId: string;
  departmentId: string | null;
  departmentAncestorIds: readonly string[];
}

/**
 * Grants of a role that would give `target` more than `actor` holds (privilege escalation check for
 * role assignment). Each grant is resolved relative to the target and must lie within the actor's own
 * scope for the same key: `self`/`department` → the target's own record/department must be visible to
 * the actor; `department_tree` → the actor must cover the target department's whole subtree;
 * `custom` → every listed department must be visible (`ancestorsOf` gives root..id inclusive).
 */
export function exceedingGrants(
  actor: ActorContext,
  grants: readonly Grant[],
  target: AssignmentTarget,
  ancestorsOf: (departmentId: string) => readonly string[],
): Grant[] {
  const covers = (own: EffectiveScope, departmentId: string | null, ancestors: readonly string[]) =>
    scopeAllows(
      own,
      { selfUserIds: [target.userId], departmentId, departmentAncestorIds: ancestors },
      actor.userId,
    );
  return grants.filter((grant) => {
    const own = effectiveScope(actor, grant.resource, grant.action);
    if (own === null) return true;
    if (own.all || !isRecordResource(grant.resource)) return false;
    switch (grant.scope) {
      case 'self':
        return !covers(own, target.departmentId, target.departmentAncestorIds);
      case 'department':
        return (
          target.departmentId !== null && !covers(own, target.departmentId, target.departmentAncestorIds)
        );
      case 'department_tree':
        return (
          target.departmentId !== null &&
          !own.subtrees.some((root) => target.departmentAncestorIds.includes(root))
        );
      case 'custom':
        return !(grant.departmentIds ?? []).every((id) =>
          covers({ ...own, self: false }, id, ancestorsOf(id)),
        );
      default:
        return true;
    }
  });
}
