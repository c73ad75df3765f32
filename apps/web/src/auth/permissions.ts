import type { PermissionKey } from '@kam/domain';
import type { Department, FieldRuleKind, Me } from '../api/types';

/** A permission key of the one catalogue in @kam/domain (type only: nothing of it is bundled). */
export type Permission = PermissionKey;

export function hasPermission(me: Me | null | undefined, permission: Permission | string): boolean {
  return !!me && me.permissions.includes(permission);
}

export function hasAny(me: Me | null | undefined, permissions: readonly (Permission | string)[]): boolean {
  return permissions.some((p) => hasPermission(me, p));
}

/** The effective field rule for `resource.field` for me, or null when the field is plainly visible. */
export function fieldRule(me: Me | null | undefined, resource: string, field: string): FieldRuleKind | null {
  return me?.fieldRules?.[resource]?.[field] ?? null;
}

/**
 * Whether my data scope for `permission` covers `department`. Unknown scope ⇒ true
 * (the server is the authority; this is only used to grey out choices in the UI).
 */
export function scopeCoversDepartment(
  me: Me | null | undefined,
  permission: Permission,
  department: Pick<Department, 'id' | 'path'>,
): boolean {
  const scope = me?.scopes?.[permission];
  if (!scope || scope.all) return true;
  if (scope.departments.includes(department.id)) return true;
  const ancestry = department.path.length > 0 ? department.path : [department.id];
  return ancestry.some((id) => scope.subtrees.includes(id));
}

/** Whether my scope for `permission` is unrestricted (or unknown). */
export function scopeIsAll(me: Me | null | undefined, permission: Permission): boolean {
  const scope = me?.scopes?.[permission];
  return !scope || scope.all;
}
