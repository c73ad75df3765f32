/**
 * The customers capability's approval effects (decision 0014): an approved `ownership_transfer` hands
 * the customer over, an approved `customer_creation` creates the customer. Both run the customers'
 * own services (`assignCustomer`, `createCustomer`) — with their rules, ownership history, account
 * team, follow-up hand-over, duplicate checks and audit — inside the final decision's transaction, as
 * the deciding user with the authority the approval confers (`ctx.withAuthority`), not the user's own
 * customer rights: the approval is the permission.
 */
import { errorMessage, type Grant, type Locale } from '@kam/domain';
import { z } from 'zod';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import {
  type EffectContext,
  registerApprovalEffect,
  type ServerApprovalEffect,
} from '../approvals/registry.js';
import { zOwnershipTransferPayload } from '../approvals/schemas.js';
import { payloadValidation } from '../approvals/validation.js';
import { assignCustomer } from './ownership.js';
import * as customersRepo from './repo/customers.js';
import { zCustomerCreate } from './schemas.js';
import { createCustomer } from './service.js';

const zh = (locale: Locale) => locale === 'zh-CN';

const payloadError = (ctx: EffectContext, field: string, code: 'OWNER_INVALID' | 'APPROVAL_SAME_OWNER') =>
  new AppError(
    'VALIDATION_FAILED',
    {},
    {
      fields: [{ path: `body.payload.${field}`, code, message: errorMessage(code, ctx.actor.locale) }],
    },
  );

/** Runs `fn` and undoes everything it wrote (a savepoint): the same checks as the real thing. */
async function dryRun(tx: Tx, fn: () => Promise<unknown>): Promise<void> {
  await tx.query('SAVEPOINT approval_dry_run');
  try {
    await fn();
  } finally {
    await tx.query('ROLLBACK TO SAVEPOINT approval_dry_run');
  }
}

// ——— ownership transfer ———————————————————————————————————————————————————————————————————————

/** `toOwnerName` is filled by the server on submit (display only; a client value is replaced). */
const zTransferPayload = zOwnershipTransferPayload.extend({ toOwnerName: z.string().max(100).optional() });
type TransferPayload = z.output<typeof zTransferPayload>;

const TRANSFER_AUTHORITY: Grant[] = [
  { resource: 'customer', action: 'view', scope: 'all' },
  { resource: 'customer', action: 'assign', scope: 'all' },
];

export const ownershipTransferEffect: ServerApprovalEffect<TransferPayload> = {
  type: 'ownership_transfer',
  label: { zh: '客户转移', en: 'Ownership transfer' },
  customer: 'required',
  validate: (payload) => payloadValidation(zTransferPayload, payload),
  describe(p, locale) {
    const to = p.toOwnerName ?? '—';
    return zh(locale) ? `客户转移给 ${to}` : `Transfer the customer to ${to}`;
  },
  conditionFields: [],
  async prepare(tx, request, ctx) {
    const owner = await customersRepo.findActiveUser(tx, request.payload.toOwnerId);
    if (!owner) throw payloadError(ctx, 'toOwnerId', 'OWNER_INVALID');
    const { rows } = await tx.query<{ owner_id: string | null }>(
      `SELECT owner_id FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
      [request.customerId],
    );
    if (rows[0]?.owner_id === owner.id) throw payloadError(ctx, 'toOwnerId', 'APPROVAL_SAME_OWNER');
    return { ...request.payload, toOwnerName: owner.display_name };
  },
  async apply(tx, request, ctx) {
    const customerId = request.customerId as string;
    const { rows } = await tx.query<{ owner_id: string | null; version: number }>(
      `SELECT owner_id, version FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
      [customerId],
    );
    const before = rows[0];
    if (!before) throw new AppError('NOT_FOUND');
    const after = await assignCustomer(ctx.withAuthority(TRANSFER_AUTHORITY), customerId, {
      ownerId: request.payload.toOwnerId,
      reason: request.reason,
      version: before.version,
      includeOpenFollowUps: request.payload.includeOpenFollowUps,
    });
    return { customerId, fromOwnerId: before.owner_id, toOwnerId: after.ownerId };
  },
};

// ——— customer creation ——————————————————————————————————————————————————————————————————————

type CreationPayload = z.output<typeof zCustomerCreate>;

const CREATION_AUTHORITY: Grant[] = [
  { resource: 'customer', action: 'create', scope: 'all' },
  { resource: 'customer', action: 'assign', scope: 'all' },
];

/** The customer as the request asks for it: owned by the requester unless it names another owner. */
const creationInput = (request: { requesterId: string; payload: CreationPayload }): CreationPayload => ({
  ...request.payload,
  ownerId: request.payload.ownerId ?? request.requesterId,
});

export const customerCreationEffect: ServerApprovalEffect<CreationPayload> = {
  type: 'customer_creation',
  label: { zh: '新建客户', en: 'New customer' },
  customer: 'none',
  validate: (payload) => payloadValidation(zCustomerCreate, payload),
  describe(p, locale) {
    return zh(locale) ? `新建客户「${p.name}」` : `New customer "${p.name}"`;
  },
  conditionFields: [
    {
      name: 'industry',
      kind: 'text',
      label: { zh: '行业（GB/T 4754 门类）', en: 'Industry (GB/T 4754 section)' },
    },
    { name: 'provinceCode', kind: 'text', label: { zh: '省份代码', en: 'Province code' } },
    { name: 'source', kind: 'text', label: { zh: '客户来源', en: 'Source' } },
  ],
  /** The whole creation — duplicates, owner, region, field rules — tried and undone on submit. */
  async prepare(tx, request, ctx) {
    const input = creationInput(request);
    await dryRun(tx, () => createCustomer(ctx.withAuthority(CREATION_AUTHORITY), input));
    return undefined;
  },
  async apply(_tx, request, ctx) {
    const created = await createCustomer(ctx.withAuthority(CREATION_AUTHORITY), creationInput(request));
    return { customerId: created.id, name: created.name, ownerId: created.ownerId };
  },
};

/** Registers the customers capability's request types with the approval engine. */
export function registerCustomerApprovalEffects(): void {
  registerApprovalEffect(ownershipTransferEffect);
  registerApprovalEffect(customerCreationEffect);
}
