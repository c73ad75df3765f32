/**
 * The request types the product ships with, registered at start-up (`registerBuiltinApprovalEffects`):
 * - `discount` and `contract`: record-only until quotes and contracts exist — the approved request
 *   (payload, decisions, history) *is* the record the sales process refers to (decision 0014); `apply`
 *   has nothing else to change, and the applied-effect row marks the approval as final and usable.
 * - `ownership_transfer` and `customer_creation`: the customers capability's effects
 *   (`customers/approval-effects.ts`), carried out by the customer services.
 * - `tier_change`: the tiering capability's effect (`tiering/approval.ts`), registered next to these.
 */
import { type EffectValidation, formatCny, type Locale } from '@kam/domain';
import type { z } from 'zod';
import { registerCustomerApprovalEffects } from '../customers/approval-effects.js';
import { registerApprovalNotificationKinds } from './notify.js';
import { registerApprovalEffect, type ServerApprovalEffect } from './registry.js';
import { zContractPayload, zDiscountPayload } from './schemas.js';
import { payloadValidation } from './validation.js';

type DiscountPayload = z.output<typeof zDiscountPayload>;
type ContractPayload = z.output<typeof zContractPayload>;

const zh = (locale: Locale) => locale === 'zh-CN';

export const discountEffect: ServerApprovalEffect<DiscountPayload> = {
  type: 'discount',
  label: { zh: '折扣审批', en: 'Discount' },
  customer: 'required',
  validate: (payload): EffectValidation<DiscountPayload> => payloadValidation(zDiscountPayload, payload),
  describe(p, locale) {
    const amount = p.amount
      ? zh(locale)
        ? `，金额 ${formatCny(p.amount)}`
        : `, amount ${formatCny(p.amount)}`
      : '';
    const ref = p.reference ? (zh(locale) ? `（${p.reference}）` : ` (${p.reference})`) : '';
    return zh(locale)
      ? `折扣 ${p.discountPercent}%${amount}${ref}`
      : `Discount ${p.discountPercent}%${amount}${ref}`;
  },
  conditionFields: [
    { name: 'discountPercent', kind: 'decimal', label: { zh: '折扣率（%）', en: 'Discount (%)' } },
    { name: 'amount', kind: 'decimal', label: { zh: '金额（元）', en: 'Amount (CNY)' } },
  ],
  async apply() {
    return { recordOnly: true };
  },
};

export const contractEffect: ServerApprovalEffect<ContractPayload> = {
  type: 'contract',
  label: { zh: '合同审批', en: 'Contract' },
  customer: 'required',
  validate: (payload): EffectValidation<ContractPayload> => payloadValidation(zContractPayload, payload),
  describe(p, locale) {
    return zh(locale)
      ? `合同 ${p.reference}「${p.title}」，金额 ${formatCny(p.amount)}`
      : `Contract ${p.reference} "${p.title}", ${formatCny(p.amount)}`;
  },
  conditionFields: [
    { name: 'amount', kind: 'decimal', label: { zh: '合同金额（元）', en: 'Contract value (CNY)' } },
  ],
  async apply() {
    return { recordOnly: true };
  },
};

/** Registers the shipped request types and the approval notification texts (idempotent). */
export function registerBuiltinApprovalEffects(): void {
  registerApprovalEffect(discountEffect);
  registerApprovalEffect(contractEffect);
  registerCustomerApprovalEffects();
  registerApprovalNotificationKinds();
}
