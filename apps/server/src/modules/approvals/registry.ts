/**
 * The effects registry: how a capability plugs a request type into the approval engine.
 *
 * A capability calls `registerApprovalEffect({...})` once at start-up (see `builtin.ts`) with the pure
 * part from @kam/domain (`ApprovalEffect`: `validate`, `describe`, `conditionFields`, `facts`) and the
 * server part:
 * - `customer`: whether a request names a customer (`required`) or must not (`none`);
 * - `prepare(tx, request, ctx)` (optional): I/O checks on submit and resubmit, as the requester, in
 *   the submit's transaction (e.g. "the new owner is active", duplicate customers); it may return the
 *   payload to store instead (e.g. with display names looked up from the database);
 * - `apply(tx, request, ctx)`: carries the approved request out, in the transaction of the final
 *   decision, as the deciding user. When it throws, the decision fails with `APPROVAL_EFFECT_FAILED`
 *   (the cause in `details.cause`) and the request stays pending. It runs exactly once per request
 *   (row lock + `approval_effects` primary key).
 *
 * The capability decides with what authority its effect acts: `ctx.withAuthority(grants)` gives a
 * service context of the acting user *plus* the grants the approval confers (e.g. `customer.assign`
 * for an approved ownership transfer), bound to the decision's transaction, so the capability's own
 * services (with all their rules, history and audit) run unchanged inside it.
 */
import type { ApprovalEffect, Grant, LocalizedText, RequestType } from '@kam/domain';
import type { ServiceContext } from '../../context.js';
import type { Database, Tx } from '../../db/database.js';

/** The request as an effect sees it (payload already validated by `validate`). */
export interface EffectRequest<P> {
  id: string;
  type: RequestType;
  requesterId: string;
  customerId: string | null;
  payload: P;
  reason: string;
}

/** A service context bound to the current transaction, acting as `ctx.actor`. */
export interface EffectContext extends ServiceContext {
  /** The same context with these grants added (scope `all` for record resources unless given). */
  withAuthority(grants: readonly Grant[]): ServiceContext;
}

export interface ServerApprovalEffect<P = unknown> extends ApprovalEffect<P> {
  readonly label: LocalizedText;
  readonly customer: 'required' | 'none';
  prepare?(tx: Tx, request: EffectRequest<P>, ctx: EffectContext): Promise<P | undefined>;
  /** Returns what the audit and `approval_effects.outcome` should record (e.g. a created id). */
  apply(tx: Tx, request: EffectRequest<P>, ctx: EffectContext): Promise<Record<string, unknown> | undefined>;
}

const registry = new Map<string, ServerApprovalEffect<unknown>>();

/**
 * Registers the effect of a request type. Registering the same object again is a no-op (several
 * apps in one process); another effect for a registered type is a programming error.
 */
export function registerApprovalEffect<P>(effect: ServerApprovalEffect<P>): void {
  const existing = registry.get(effect.type);
  if (existing === (effect as unknown as ServerApprovalEffect<unknown>)) return;
  if (existing) throw new Error(`approval effect for "${effect.type}" is already registered`);
  registry.set(effect.type, effect as unknown as ServerApprovalEffect<unknown>);
}

export function approvalEffect(type: string): ServerApprovalEffect<unknown> | undefined {
  return registry.get(type);
}

/** Registered effects, built-in types first in their product order, then the others by type. */
export function approvalEffects(): ServerApprovalEffect<unknown>[] {
  const order = ['discount', 'contract', 'tier_change', 'ownership_transfer', 'customer_creation'];
  const rank = (t: string) => (order.includes(t) ? order.indexOf(t) : order.length);
  return [...registry.values()].sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

/**
 * A service context whose `db.withTenant` runs on `tx` (the enclosing transaction) instead of opening
 * a new one, so a capability's service runs inside the approval's transaction. Only `withTenant` for
 * the same tenant is available; anything else is a programming error.
 */
export function boundContext(ctx: ServiceContext, tx: Tx): EffectContext {
  const tenantId = ctx.actor.tenantId;
  const bound = {
    kind: ctx.db.kind,
    withTenant<T>(id: string, fn: (t: Tx) => Promise<T>): Promise<T> {
      if (id !== tenantId) throw new Error('bound transaction used for another tenant');
      return fn(tx);
    },
    withLookup(): never {
      throw new Error('bound transaction: withLookup is not available');
    },
    withSystem(): never {
      throw new Error('bound transaction: withSystem is not available');
    },
  } as unknown as Database;
  const base: ServiceContext = { ...ctx, db: bound };
  return {
    ...base,
    withAuthority(grants: readonly Grant[]): ServiceContext {
      const { tokenPermissions: _token, ...actor } = ctx.actor;
      return {
        ...base,
        actor: {
          ...actor,
          roles: [...actor.roles, { roleId: 'approval-authority', grants: [...grants], fieldRules: [] }],
        },
      };
    },
  };
}
