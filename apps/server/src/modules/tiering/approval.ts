/**
 * The `tier_change` request type of the approval engine (decision 0014 / 0016): a person asks for a
 * manual tier of a customer, with a reason; when the flow approves it, `applyOverride` records the
 * override (until a date or until revoked) and re-scores the customer in the decision's transaction,
 * so the tier of record shows the override as soon as the decision commits ("decided by: override").
 */
import { errorMessage, type Locale, zDate } from '@kam/domain';
import { z } from 'zod';
import { AppError } from '../../http/errors.js';
import {
  type EffectContext,
  registerApprovalEffect,
  type ServerApprovalEffect,
} from '../approvals/registry.js';
import { payloadValidation } from '../approvals/validation.js';
import { tierName } from './present.js';
import * as repo from './repo.js';
import { runnableModel, tierIds } from './runner.js';
import { applyOverride } from './service.js';

export const zTierChangePayload = z.strictObject({
  modelId: z.uuid().optional().describe('default: the tier of record'),
  tier: z.string().trim().min(1).max(32),
  until: zDate.nullable().default(null).describe('last day the manual tier holds; null = until revoked'),
  /** Filled by the server on submit (display only). */
  tierName: z.string().max(100).optional(),
  fromTier: z.string().max(32).nullable().optional(),
});
type TierChangePayload = z.output<typeof zTierChangePayload>;

const payloadError = (
  ctx: EffectContext,
  field: string,
  code: 'TIERING_TIER_UNKNOWN' | 'TIERING_RECORD_MODEL_INVALID',
  id = '',
) =>
  new AppError(
    'VALIDATION_FAILED',
    {},
    {
      fields: [
        {
          path: `body.payload.${field}`,
          code,
          message: errorMessage(code, ctx.actor.locale, { id }),
          params: { id },
        },
      ],
    },
  );

const zh = (locale: Locale) => locale === 'zh-CN';

export const tierChangeEffect: ServerApprovalEffect<TierChangePayload> = {
  type: 'tier_change',
  label: { zh: '客户分级调整', en: 'Tier change' },
  customer: 'required',
  validate: (payload) => payloadValidation(zTierChangePayload, payload),
  describe(p, locale) {
    const to = p.tierName ?? p.tier;
    const until = p.until ? (zh(locale) ? `，至 ${p.until}` : `, until ${p.until}`) : '';
    const from = p.fromTier ? (zh(locale) ? `由 ${p.fromTier} ` : `from ${p.fromTier} `) : '';
    return zh(locale) ? `客户分级${from}调整为 ${to}${until}` : `Change the tier ${from}to ${to}${until}`;
  },
  conditionFields: [{ name: 'tier', kind: 'text', label: { zh: '目标级别', en: 'Requested tier' } }],
  /** Resolves the model (tier of record by default), checks the tier exists, fills names for display. */
  async prepare(tx, request, ctx) {
    const settings = await repo.selectSettings(tx);
    const modelId = request.payload.modelId ?? settings.record_model_id;
    const model = modelId ? await repo.selectModel(tx, modelId) : null;
    if (!model?.published || (model.kind !== 'weighted' && model.kind !== 'criteria')) {
      throw payloadError(ctx, 'modelId', 'TIERING_RECORD_MODEL_INVALID');
    }
    const definition = runnableModel(model.published);
    if (!tierIds(definition).includes(request.payload.tier)) {
      throw payloadError(ctx, 'tier', 'TIERING_TIER_UNKNOWN', request.payload.tier);
    }
    const { rows } = await tx.query<{ tier: string }>(
      'SELECT tier FROM tier_current WHERE tenant_id = kam_tenant() AND model_id = $1 AND customer_id = $2',
      [model.id, request.customerId],
    );
    return {
      ...request.payload,
      modelId: model.id,
      tierName: tierName(definition, request.payload.tier, ctx.actor.locale === 'en' ? 'en' : 'zh-CN'),
      fromTier: rows[0]?.tier ?? null,
    };
  },
  async apply(tx, request, ctx) {
    const settings = await repo.selectSettings(tx);
    const modelId = request.payload.modelId ?? settings.record_model_id;
    if (!modelId) throw new AppError('TIERING_RECORD_MODEL_INVALID');
    const overrideId = await applyOverride(tx, ctx, {
      customerId: request.customerId as string,
      modelId,
      tier: request.payload.tier,
      until: request.payload.until,
      reason: request.reason,
      approvalRequestId: request.id,
    });
    return { overrideId, modelId, tier: request.payload.tier, until: request.payload.until };
  },
};

/** Registers `tier_change` with the approval engine (idempotent). */
export function registerTierChangeEffect(): void {
  registerApprovalEffect(tierChangeEffect);
}
