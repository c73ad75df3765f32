import type { Action, CustomerBoundResource } from '@kam/domain';
import type { Actor } from '../context.js';
import type { Tx } from '../db/database.js';
import { customerScopeSql } from './customer-scope.js';
import { denyRecord } from './deny.js';
import { Params } from './sql.js';

/** The columns of a customer that access decisions and most use cases need. */
export interface CustomerRef {
  id: string;
  name: string;
  owner_id: string | null;
  department_id: string | null;
  deleted_at: Date | null;
  version: number;
}

/**
 * The customer `id` when the actor may do `resource.action` on it — by data scope or account team
 * (`customerScopeSql`) — optionally row-locked. Otherwise the answer `denyRecord` gives: 404 when
 * there is no such customer or the actor cannot see it (audited as a denial when it exists), 403
 * when the actor can see it but not do this. A deleted customer counts as missing unless
 * `includeDeleted` (restore, and reading a deleted customer's history).
 *
 * Records attached to a customer (contact, follow-up, order, payment, service record) call this with
 * their own resource and the customer they belong to: their access is the customer's.
 */
export async function customerFor(
  tx: Tx,
  actor: Actor,
  id: string,
  resource: CustomerBoundResource,
  action: Action,
  opts: { lock?: 'update' | 'share'; includeDeleted?: boolean } = {},
): Promise<CustomerRef> {
  const p = new Params();
  const idParam = p.add(id);
  const allowed = customerScopeSql(actor, resource, action, p, 'c', 'probe') ?? 'FALSE';
  const visible =
    action === 'view' ? allowed : (customerScopeSql(actor, resource, 'view', p, 'c', 'probe') ?? 'FALSE');
  const lock = opts.lock ? ` FOR ${opts.lock === 'update' ? 'NO KEY UPDATE' : 'SHARE'} OF c` : '';
  const { rows } = await tx.query<CustomerRef & { allowed: boolean; visible: boolean }>(
    `SELECT c.id, c.name, c.owner_id, c.department_id, c.deleted_at, c.version,
            ${allowed} AS allowed, ${visible} AS visible
     FROM customers c
     WHERE c.tenant_id = kam_tenant() AND c.id = ${idParam}::uuid${lock}`,
    p.values,
  );
  const row = rows[0];
  if (!row || (row.deleted_at !== null && !opts.includeDeleted)) {
    // A deleted customer is "missing" to everyone who could see it, and invisible to the others.
    if (row && !row.visible) throw denyRecord(resource, id, 'invisible');
    throw denyRecord(resource, id, 'missing');
  }
  if (row.allowed) {
    const { allowed: _a, visible: _v, ...ref } = row;
    return ref;
  }
  throw denyRecord(resource, id, row.visible ? 'visible' : 'invisible');
}
