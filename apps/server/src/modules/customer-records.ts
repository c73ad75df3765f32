/**
 * What the four capabilities of records attached to a customer — contacts, follow-ups, orders (with
 * payments) and service records — share: their access is their customer's (decision 0010), they are
 * listed through the customer's visibility, written under the customer's field rules and versions.
 */
import {
  type Action,
  type CustomerBoundResource,
  type ErrorCode,
  effectiveFieldRules,
  errorMessage,
  readonlyViolations,
} from '@kam/domain';
import { z } from 'zod';
import { type CustomerRef, customerFor } from '../access/customer-guard.js';
import { customerScopeSql } from '../access/customer-scope.js';
import type { Params } from '../access/sql.js';
import type { ServiceContext } from '../context.js';
import type { Tx } from '../db/database.js';
import { AppError, type Denial, type FieldError } from '../http/errors.js';
import { decodeCursor } from '../http/schemas.js';

/** The resources of records attached to a customer (payments belong to `order`). */
export type RecordResource = Exclude<CustomerBoundResource, 'customer'>;

/** Free text: trimmed, at most `max` characters; an empty string stores null. */
export const zText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? null : v));

/** Query-string boolean (`true` / `false`). */
export const zBoolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export function fieldError(
  ctx: ServiceContext,
  path: string,
  code: ErrorCode,
  params: Record<string, string | number> = {},
): { fields: FieldError[] } {
  return { fields: [{ path, code, message: errorMessage(code, ctx.actor.locale, params), params }] };
}

/** 400 VALIDATION_FAILED on one field. */
export function invalid(ctx: ServiceContext, path: string, code: ErrorCode): AppError {
  return new AppError('VALIDATION_FAILED', {}, fieldError(ctx, path, code));
}

/**
 * The customer a record belongs to, when the actor may do `resource.action` on it (by data scope or
 * account team, `customerFor`). Denials name the record the request addressed — `entity` — with the
 * customer in their details, so the audit trail says what was refused; a create names the customer.
 * `bodyPath` marks the customer id as coming from the request body (it is then named in the 404).
 */
export async function guardCustomer(
  tx: Tx,
  ctx: ServiceContext,
  customerId: string,
  resource: RecordResource,
  action: Action,
  opts: { lock?: 'update' | 'share'; entity?: { type: string; id: string }; bodyPath?: string } = {},
): Promise<CustomerRef> {
  try {
    return await customerFor(
      tx,
      ctx.actor,
      customerId,
      resource,
      action,
      opts.lock ? { lock: opts.lock } : {},
    );
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const denial: (Denial & { customerId: string; resource: string }) | undefined = err.denial && {
      ...err.denial,
      entityType: opts.entity?.type ?? 'customer',
      entityId: opts.entity?.id ?? customerId,
      customerId,
      resource,
    };
    const details =
      err.code === 'NOT_FOUND' && opts.bodyPath ? fieldError(ctx, opts.bodyPath, 'NOT_FOUND') : err.details;
    throw new AppError(err.code, err.params, details, denial);
  }
}

/**
 * Loads a record's customer id by the record's id (`NOT_FOUND` when there is no such record) and
 * checks the actor's right on that customer.
 */
export async function guardRecord(
  tx: Tx,
  ctx: ServiceContext,
  table: 'contacts' | 'follow_ups' | 'orders' | 'payments' | 'service_records',
  entityType: string,
  id: string,
  resource: RecordResource,
  action: Action,
  lock?: 'update' | 'share',
): Promise<CustomerRef> {
  const { rows } = await tx.query<{ customer_id: string }>(
    `SELECT customer_id FROM ${table} WHERE tenant_id = kam_tenant() AND id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new AppError('NOT_FOUND');
  return guardCustomer(tx, ctx, row.customer_id, resource, action, {
    ...(lock ? { lock } : {}),
    entity: { type: entityType, id },
  });
}

/**
 * The SQL of "the record's customer is live and the actor may `view` it": a join on `customers c`
 * for lists. The role guard has checked the permission; without it nothing is listed.
 */
export function visibleCustomerJoin(
  ctx: ServiceContext,
  resource: RecordResource,
  alias: string,
  p: Params,
): string {
  const scope = customerScopeSql(ctx.actor, resource, 'view', p, 'c') ?? 'FALSE';
  return `JOIN customers c ON c.tenant_id = kam_tenant() AND c.id = ${alias}.customer_id
            AND c.deleted_at IS NULL AND ${scope}`;
}

/**
 * Field rules forbid writing a field the actor may not fully see or edit. On create only hidden
 * and masked fields count (a readonly field may still be set initially).
 */
export function assertWritable(
  ctx: ServiceContext,
  resource: RecordResource,
  fields: string[],
  creating = false,
): void {
  const rules = effectiveFieldRules(ctx.actor, resource);
  const relevant = creating
    ? Object.fromEntries(Object.entries(rules).filter(([, r]) => r !== 'readonly'))
    : rules;
  const violations = readonlyViolations(relevant, fields);
  if (violations.length > 0) {
    const message = errorMessage('FORBIDDEN', ctx.actor.locale);
    throw new AppError(
      'FORBIDDEN',
      {},
      { fields: violations.map((f) => ({ path: `body.${f}`, code: 'FORBIDDEN', message })) },
      { entityType: resource, reason: 'field_rule' },
    );
  }
}

/** Stale version → 409 VERSION_CONFLICT with the record's current version. */
export function assertVersion(row: { version: number }, version: number): void {
  if (row.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
}

/** A decoded keyset cursor whose entries pass `check`, or 400 on `querystring.cursor`. */
export function cursorOf<T extends unknown[]>(
  ctx: ServiceContext,
  cursor: string | undefined,
  check: (values: unknown[]) => values is T,
  arity: number,
): T | null {
  if (!cursor) return null;
  const raw = decodeCursor(cursor, arity);
  if (!raw || !check(raw)) throw invalid(ctx, 'querystring.cursor', 'OUT_OF_RANGE');
  return raw;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const isText = (v: unknown): v is string => typeof v === 'string';
export const isIsoTime = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v);
export const isIsoDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** Names of the keys of `input` whose value was given (not undefined). */
export function given(input: Record<string, unknown>, except: string[] = []): string[] {
  return Object.entries(input)
    .filter(([k, v]) => v !== undefined && !except.includes(k))
    .map(([k]) => k);
}

/** Escapes LIKE wildcards. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
