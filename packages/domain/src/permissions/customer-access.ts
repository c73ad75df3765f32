import type { Action, Resource } from './catalog.js';
import { type EffectiveScope, type ScopedRecord, scopeAllows } from './evaluate.js';

/**
 * Customer-bound records: a customer and everything attached to it (contacts, follow-ups, orders
 * and payments, service records). Their visibility is decided on the customer: the role's data
 * scope looks at the customer's owner (`self`) and owning department, and the account team adds
 * customers outside that scope.
 */
export const CUSTOMER_BOUND_RESOURCES = [
  'customer',
  'contact',
  'follow_up',
  'order',
  'service_record',
] as const;
export type CustomerBoundResource = (typeof CUSTOMER_BOUND_RESOURCES)[number];

export function isCustomerBound(resource: Resource): resource is CustomerBoundResource {
  return (CUSTOMER_BOUND_RESOURCES as readonly string[]).includes(resource);
}

/** A member's access level on a customer's account team. */
export const TEAM_ACCESS_LEVELS = ['read', 'read_write'] as const;
export type TeamAccess = (typeof TEAM_ACCESS_LEVELS)[number];

/**
 * What team membership adds for an action the actor's role holds:
 * - `view`: any membership;
 * - `create`, `edit`, `delete` of attached records and `edit` of the customer: `read_write`;
 * - everything else (deleting, restoring or merging the customer, assigning, export, import):
 *   nothing — those follow the role's data scope only.
 * The role must hold the permission at all: a team never grants an action the role lacks.
 */
export function teamAccessNeeded(resource: CustomerBoundResource, action: Action): TeamAccess | null {
  if (action === 'view') return 'read';
  if (resource === 'customer') return action === 'edit' ? 'read_write' : null;
  return action === 'create' || action === 'edit' || action === 'delete' ? 'read_write' : null;
}

/** Reference semantics; the SQL in apps/server/src/access/customer-scope.ts must agree (property test). */
export function customerAccessAllows(
  scope: EffectiveScope | null,
  resource: CustomerBoundResource,
  action: Action,
  customer: ScopedRecord,
  actorUserId: string,
  teamAccess: TeamAccess | null,
): boolean {
  if (scope === null) return false;
  if (scopeAllows(scope, customer, actorUserId)) return true;
  const needed = teamAccessNeeded(resource, action);
  if (needed === null || teamAccess === null) return false;
  return needed === 'read' || teamAccess === 'read_write';
}
