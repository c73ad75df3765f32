import { type Action, type CustomerBoundResource, effectiveScope, teamAccessNeeded } from '@kam/domain';
import type { Actor } from '../context.js';
import { scopePredicate } from './scope-sql.js';
import type { Params } from './sql.js';

/**
 * The SQL form of `customerAccessAllows` (@kam/domain): which customers the actor may do
 * `resource.action` on, as a predicate over a customers row aliased `alias` (columns id, owner_id,
 * department_id). Records attached to a customer (contacts, follow-ups, orders, payments, service
 * records) are filtered by joining their customer and applying this predicate to it.
 *
 * `null` when the actor's roles do not hold the permission at all (the route guard normally
 * refuses such requests earlier). Deleted customers are not excluded here: callers decide.
 *
 * The account-team part is an init-plan (`= ANY(ARRAY(…))`): the actor's team customers are read
 * once through `customer_team_member_idx`, then matched by primary key — so a list stays an index
 * scan however large the tenant. The owner's own team row (team_role 'owner', read_write) is not
 * read there: it exists exactly when `owner_id` is the actor (decision 0010), so `c.owner_id = me`
 * says the same without probing thousands of a busy rep's own customers by id on every page.
 */
export function customerScopeSql(
  actor: Actor,
  resource: CustomerBoundResource,
  action: Action,
  p: Params,
  alias = 'c',
  /**
   * `list` (default): the team part as an init-plan read once per statement — right for pages.
   * `probe`: as a correlated EXISTS on the team's primary key — right when a statement checks a
   * handful of given customers (duplicate checks, imports), where reading all of a big team per
   * statement would cost more than the rows checked.
   */
  shape: 'list' | 'probe' = 'list',
): string | null {
  const scope = effectiveScope(actor, resource, action);
  if (scope === null) return null;
  const byScope = scopePredicate(
    scope,
    actor.userId,
    { self: [`${alias}.owner_id`], department: `${alias}.department_id` },
    p,
  );
  if (scope.all) return byScope;
  const needed = teamAccessNeeded(resource, action);
  if (needed === null) return byScope;
  const access = needed === 'read_write' ? ` AND ct.access = 'read_write'` : '';
  const me = p.add(actor.userId);
  const team =
    shape === 'list'
      ? `${alias}.owner_id = ${me}::uuid OR ${alias}.id = ANY(ARRAY(SELECT ct.customer_id
      FROM customer_team ct WHERE ct.tenant_id = kam_tenant() AND ct.user_id = ${me}::uuid
      AND ct.team_role <> 'owner'${access}))`
      : `${alias}.owner_id = ${me}::uuid OR EXISTS (SELECT 1 FROM customer_team ct
      WHERE ct.tenant_id = kam_tenant() AND ct.customer_id = ${alias}.id AND ct.user_id = ${me}::uuid
      AND ct.team_role <> 'owner'${access})`;
  return byScope === 'FALSE' ? `(${team})` : `(${byScope} OR ${team})`;
}

/**
 * One OR-ed part of a customer scope, for a list that reads each part from its own ordered index and
 * merges them (`UNION` of ordered `LIMIT n` branches): an `OR` of the parts in one WHERE stops the
 * planner from using any ordered index but the sort's own, which it then walks discarding the rows
 * of everybody else.
 *
 * `where` is a condition on the customers row `alias`. With `departments` (a FROM item of department
 * ids, column `id`, aliased `sdx`), the part is "one of these departments": the list joins each
 * department LATERAL to its own ordered range of `customers_department_idx`.
 */
export interface CustomerScopeBranch {
  departments?: string;
  where: string;
}

/**
 * `customerScopeSql(…, 'list')` split into its OR-ed parts (the same customers: the disjunction of
 * the branches is that predicate): `null` without the permission, `'all'` for an unrestricted scope.
 */
export function customerScopeBranches(
  actor: Actor,
  resource: CustomerBoundResource,
  action: Action,
  p: Params,
  alias = 'c',
): CustomerScopeBranch[] | 'all' | null {
  const scope = effectiveScope(actor, resource, action);
  if (scope === null) return null;
  if (scope.all) return 'all';
  const needed = teamAccessNeeded(resource, action);
  const branches: CustomerScopeBranch[] = [];
  let me: string | null = null;
  const meParam = () => {
    me ??= p.add(actor.userId);
    return me;
  };
  if (scope.self || needed !== null) branches.push({ where: `${alias}.owner_id = ${meParam()}::uuid` });
  if (scope.departments.length > 0) {
    branches.push({
      departments: `(SELECT unnest(${p.add(scope.departments)}::uuid[]) AS id)`,
      where: `${alias}.department_id = sdx.id`,
    });
  }
  if (scope.subtrees.length > 0) {
    branches.push({
      departments: `(SELECT sd.id FROM departments sd
         WHERE sd.tenant_id = kam_tenant() AND sd.path && ${p.add(scope.subtrees)}::uuid[])`,
      where: `${alias}.department_id = sdx.id`,
    });
  }
  if (needed !== null) {
    const access = needed === 'read_write' ? ` AND ct.access = 'read_write'` : '';
    branches.push({
      where: `${alias}.id = ANY(ARRAY(SELECT ct.customer_id
      FROM customer_team ct WHERE ct.tenant_id = kam_tenant() AND ct.user_id = ${meParam()}::uuid
      AND ct.team_role <> 'owner'${access}))`,
    });
  }
  return branches;
}
