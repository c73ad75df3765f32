import type { EffectiveScope } from '@kam/domain';
import type { Params } from './sql.js';

/**
 * The SQL form of a data scope — the one place record visibility becomes a WHERE clause. It must
 * mean exactly what `scopeAllows` in @kam/domain means (the property test checks the pair).
 *
 * `selfColumns`: columns holding the user(s) a record belongs to "personally" (for a user record its
 * own id; for a customer its owner). `departmentColumn`: the record's department.
 */
export function scopePredicate(
  scope: EffectiveScope,
  actorUserId: string,
  columns: { self: string[]; department: string },
  p: Params,
): string {
  if (scope.all) return 'TRUE';
  const parts: string[] = [];
  if (scope.self && columns.self.length > 0) {
    const me = p.add(actorUserId);
    for (const col of columns.self) parts.push(`${col} = ${me}::uuid`);
  }
  if (scope.departments.length > 0) {
    parts.push(
      scope.departments.length === 1
        ? `${columns.department} = ${p.add(scope.departments[0])}::uuid`
        : `${columns.department} = ANY(${p.add(scope.departments)}::uuid[])`,
    );
  }
  if (scope.subtrees.length > 0) {
    // An init-plan (`= ANY(ARRAY(…))`), not `IN (SELECT …)`: the subtree's ids are read once, and
    // the planner can use them as an index condition on the department column (a hashed sub-plan
    // is a filter only, so a list would walk its sort index discarding the other departments' rows).
    parts.push(
      `${columns.department} = ANY(ARRAY(SELECT sd.id FROM departments sd
         WHERE sd.tenant_id = kam_tenant() AND sd.path && ${p.add(scope.subtrees)}::uuid[]))`,
    );
  }
  return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
}
