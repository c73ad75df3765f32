import type { ServiceSeverity, ServiceType } from '@kam/domain';
import { Params } from '../../access/sql.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { timeUuid } from '../../db/ids.js';
import { AppError } from '../../http/errors.js';
import { toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import {
  assertVersion,
  cursorOf,
  guardCustomer,
  guardRecord,
  invalid,
  isIsoTime,
  isUuid,
  visibleCustomerJoin,
} from '../customer-records.js';
import * as repo from './repo.js';

/** A service record (服务记录) as the API returns it. */
export interface ServiceRecord {
  id: string;
  customerId: string;
  customerName: string;
  type: ServiceType;
  severity: ServiceSeverity;
  title: string;
  description: string | null;
  openedAt: string;
  closedAt: string | null;
  satisfaction: number | null;
  handlerId: string | null;
  handlerName: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

type Fields = repo.ServiceRecordFields;
const AUDITED = [
  'type',
  'severity',
  'title',
  'description',
  'openedAt',
  'handlerId',
  'closedAt',
  'satisfaction',
] as const satisfies readonly (keyof Fields)[];
const EDITABLE = ['type', 'severity', 'title', 'description', 'openedAt', 'handlerId'] as const;

function present(row: repo.ServiceRecordRow): ServiceRecord {
  return {
    id: row.id,
    customerId: row.customer_id,
    customerName: row.customer_name,
    type: row.type,
    severity: row.severity,
    title: row.title,
    description: row.description,
    openedAt: row.opened_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    satisfaction: row.satisfaction,
    handlerId: row.handler_id,
    handlerName: row.handler_name,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

const stateOf = (row: repo.ServiceRecordRow): Fields => ({
  type: row.type,
  severity: row.severity,
  title: row.title,
  description: row.description,
  openedAt: row.opened_at.toISOString(),
  handlerId: row.handler_id,
  closedAt: row.closed_at?.toISOString() ?? null,
  satisfaction: row.satisfaction,
});

async function reload(tx: Tx, id: string): Promise<ServiceRecord> {
  const row = await repo.getServiceRecord(tx, id);
  if (!row) throw new AppError('NOT_FOUND');
  return present(row);
}

async function assertHandler(
  tx: Tx,
  ctx: ServiceContext,
  handlerId: string | null | undefined,
): Promise<void> {
  if (handlerId && !(await repo.activeUserExists(tx, handlerId))) {
    throw invalid(ctx, 'body.handlerId', 'NOT_FOUND');
  }
}

/** The record, its customer checked for `edit` and share-locked, at the expected version. */
async function lockForChange(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  version: number,
  action: 'edit' | 'delete',
) {
  const customer = await guardRecord(
    tx,
    ctx,
    'service_records',
    'service_record',
    id,
    'service_record',
    action,
    'share',
  );
  const before = await repo.getServiceRecord(tx, id);
  if (!before || before.customer_id !== customer.id) throw new AppError('NOT_FOUND');
  assertVersion(before, version);
  return { customer, before };
}

/** Writes the patch with the version check and audits it as `service_record.<verb>`. */
async function change(
  tx: Tx,
  ctx: ServiceContext,
  verb: 'update' | 'close' | 'reopen',
  customerId: string,
  before: repo.ServiceRecordRow,
  version: number,
  patch: Partial<Fields>,
): Promise<ServiceRecord> {
  const updated = await repo
    .updateServiceRecord(tx, before.id, customerId, version, patch, ctx.now)
    .catch((err: { code?: string }) => {
      // closed_at ≥ opened_at, also at microsecond precision (the database has the last word)
      if (err.code === '23514')
        throw invalid(ctx, verb === 'close' ? 'body.closedAt' : 'body.openedAt', 'OUT_OF_RANGE');
      throw err;
    });
  if (!updated) {
    throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
  }
  const old = stateOf(before);
  await writeAudit(tx, auditWho(ctx), {
    action: `service_record.${verb}`,
    entityType: 'service_record',
    entityId: before.id,
    changes: diffChanges(old, { ...old, ...patch }, AUDITED),
    details: { customerId, type: patch.type ?? before.type, title: patch.title ?? before.title },
  });
  return reload(tx, before.id);
}

const isKey = (v: unknown[]): v is repo.ServiceRecordKey => isIsoTime(v[0]) && isUuid(v[1]);

export async function listServiceRecords(
  ctx: ServiceContext,
  q: {
    limit: number;
    cursor?: string | undefined;
    customerId?: string | undefined;
    type?: ServiceType | undefined;
    severity?: ServiceSeverity | undefined;
    open?: boolean | undefined;
    from?: string | undefined;
    to?: string | undefined;
  },
): Promise<{ items: ServiceRecord[]; nextCursor: string | null }> {
  const after = cursorOf(ctx, q.cursor, isKey, 2);
  const rows = await inTenant(ctx, (tx) => {
    const p = new Params();
    const join = visibleCustomerJoin(ctx, 'service_record', 's', p);
    return repo.listServiceRecords(tx, p, join, { ...q, limit: q.limit + 1, after });
  });
  return toPage(rows, q.limit, present, (last) => [last.opened_key, last.id]);
}

export async function getServiceRecord(ctx: ServiceContext, id: string): Promise<ServiceRecord> {
  return inTenant(ctx, async (tx) => {
    await guardRecord(tx, ctx, 'service_records', 'service_record', id, 'service_record', 'view');
    return reload(tx, id);
  });
}

export async function createServiceRecord(
  ctx: ServiceContext,
  input: {
    customerId: string;
    type: ServiceType;
    severity?: ServiceSeverity | undefined;
    title: string;
    description?: string | null | undefined;
    openedAt?: string | undefined;
    handlerId?: string | null | undefined;
  },
): Promise<ServiceRecord> {
  return inTenant(ctx, async (tx) => {
    const customer = await guardCustomer(tx, ctx, input.customerId, 'service_record', 'create', {
      lock: 'share',
      bodyPath: 'body.customerId',
    });
    await assertHandler(tx, ctx, input.handlerId);
    const id = timeUuid();
    const fields = {
      type: input.type,
      severity: input.severity ?? ('medium' as const),
      title: input.title,
      description: input.description ?? null,
      openedAt: input.openedAt ?? ctx.now.toISOString(),
      handlerId: input.handlerId ?? null,
    };
    await repo.insertServiceRecord(tx, {
      ...fields,
      id,
      customerId: customer.id,
      createdBy: ctx.actor.userId,
      now: ctx.now,
    });
    await writeAudit(tx, auditWho(ctx), {
      action: 'service_record.create',
      entityType: 'service_record',
      entityId: id,
      changes: diffChanges(null, { ...fields, closedAt: null, satisfaction: null }, AUDITED),
      details: { customerId: customer.id, type: fields.type, title: fields.title },
    });
    return reload(tx, id);
  });
}

export async function updateServiceRecord(
  ctx: ServiceContext,
  id: string,
  input: { version: number } & { [K in (typeof EDITABLE)[number]]?: Fields[K] | undefined },
): Promise<ServiceRecord> {
  return inTenant(ctx, async (tx) => {
    const { customer, before } = await lockForChange(tx, ctx, id, input.version, 'edit');
    const old = stateOf(before);
    const patch: Partial<Fields> = {};
    for (const field of EDITABLE) {
      const value = input[field];
      if (value !== undefined && value !== old[field]) Object.assign(patch, { [field]: value });
    }
    if (Object.keys(patch).length === 0) return reload(tx, id);
    if (patch.openedAt && old.closedAt && Date.parse(patch.openedAt) > Date.parse(old.closedAt)) {
      throw invalid(ctx, 'body.openedAt', 'OUT_OF_RANGE');
    }
    await assertHandler(tx, ctx, patch.handlerId);
    return change(tx, ctx, 'update', customer.id, before, input.version, patch);
  });
}

/** Closes an open record (409 CONFLICT when closed already); `closedAt` not before `openedAt`. */
export async function closeServiceRecord(
  ctx: ServiceContext,
  id: string,
  input: { version: number; closedAt?: string | undefined; satisfaction?: number | undefined },
): Promise<ServiceRecord> {
  return inTenant(ctx, async (tx) => {
    const { customer, before } = await lockForChange(tx, ctx, id, input.version, 'edit');
    if (before.closed_at !== null) throw new AppError('CONFLICT', {}, { reason: 'SERVICE_RECORD_CLOSED' });
    const closedAt = input.closedAt ?? ctx.now.toISOString();
    if (Date.parse(closedAt) < before.opened_at.getTime())
      throw invalid(ctx, 'body.closedAt', 'OUT_OF_RANGE');
    return change(tx, ctx, 'close', customer.id, before, input.version, {
      closedAt,
      satisfaction: input.satisfaction ?? null,
    });
  });
}

/** Reopens a closed record (409 CONFLICT when it is open); its satisfaction score is cleared. */
export async function reopenServiceRecord(
  ctx: ServiceContext,
  id: string,
  version: number,
): Promise<ServiceRecord> {
  return inTenant(ctx, async (tx) => {
    const { customer, before } = await lockForChange(tx, ctx, id, version, 'edit');
    if (before.closed_at === null) throw new AppError('CONFLICT', {}, { reason: 'SERVICE_RECORD_OPEN' });
    return change(tx, ctx, 'reopen', customer.id, before, version, { closedAt: null, satisfaction: null });
  });
}

export async function deleteServiceRecord(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const { customer, before } = await lockForChange(tx, ctx, id, version, 'delete');
    if (!(await repo.deleteServiceRecord(tx, id, customer.id, version))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'service_record.delete',
      entityType: 'service_record',
      entityId: id,
      changes: diffChanges(stateOf(before), null, AUDITED),
      details: { customerId: customer.id, type: before.type, title: before.title },
    });
  });
}
