import type { FieldRule, FieldRuleKind, Grant, PermissionCatalog, Role, ScopeKind } from '../../api/types';

export interface CellGrant {
  scope?: ScopeKind;
  departmentIds?: string[];
}

/** resource → action → grant (present = granted). */
export type GrantMatrix = Record<string, Record<string, CellGrant>>;
/** resource → field → rule (absent = visible). */
export type FieldRuleMatrix = Record<string, Record<string, FieldRuleKind>>;

export const DEFAULT_SCOPE: ScopeKind = 'department_tree';

export function defaultScope(catalog: PermissionCatalog): ScopeKind {
  const keys = catalog.scopes.map((s) => s.key);
  if (keys.includes(DEFAULT_SCOPE)) return DEFAULT_SCOPE;
  return keys[0] ?? 'all';
}

export function grantsToMatrix(grants: Grant[]): GrantMatrix {
  const matrix: GrantMatrix = {};
  for (const grant of grants) {
    const row = matrix[grant.resource] ?? {};
    const cell: CellGrant = {};
    if (grant.scope) cell.scope = grant.scope;
    if (grant.scope === 'custom') cell.departmentIds = [...(grant.departmentIds ?? [])];
    row[grant.action] = cell;
    matrix[grant.resource] = row;
  }
  return matrix;
}

export function matrixToGrants(matrix: GrantMatrix, catalog: PermissionCatalog): Grant[] {
  const grants: Grant[] = [];
  for (const resource of catalog.resources) {
    const row = matrix[resource.key];
    if (!row) continue;
    for (const action of resource.actions) {
      const cell = row[action];
      if (!cell) continue;
      const grant: Grant = { resource: resource.key, action };
      if (resource.scoped) {
        grant.scope = cell.scope ?? defaultScope(catalog);
        if (grant.scope === 'custom') grant.departmentIds = [...(cell.departmentIds ?? [])];
      }
      grants.push(grant);
    }
  }
  return grants;
}

export function fieldRulesToMatrix(rules: FieldRule[]): FieldRuleMatrix {
  const matrix: FieldRuleMatrix = {};
  for (const rule of rules) {
    matrix[rule.resource] = { ...(matrix[rule.resource] ?? {}), [rule.field]: rule.rule };
  }
  return matrix;
}

export function matrixToFieldRules(matrix: FieldRuleMatrix, catalog: PermissionCatalog): FieldRule[] {
  const rules: FieldRule[] = [];
  for (const resource of catalog.resources) {
    for (const field of resource.fields) {
      const rule = matrix[resource.key]?.[field.key];
      if (rule) rules.push({ resource: resource.key, field: field.key, rule });
    }
  }
  return rules;
}

/** "resource.action" keys whose custom scope has no departments (blocks saving). */
export function emptyCustomScopes(matrix: GrantMatrix): string[] {
  const problems: string[] = [];
  for (const [resource, row] of Object.entries(matrix)) {
    for (const [action, cell] of Object.entries(row)) {
      if (cell.scope === 'custom' && !(cell.departmentIds?.length ?? 0))
        problems.push(`${resource}.${action}`);
    }
  }
  return problems;
}

export function countGrants(role: Pick<Role, 'grants'>): number {
  return role.grants.length;
}
