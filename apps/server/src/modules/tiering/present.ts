/**
 * Stored results → the decision as @kam/domain `decideTier` describes it ("why is this customer B?"):
 * the breakdown per dimension with names and weights from the model version, the criteria trace, and
 * the applied rules (floors, hysteresis, caps, override) in the domain's order and shape.
 */
import {
  type AppliedRule,
  type CriteriaModel,
  type MetricCondition,
  RFM_SEGMENT_NAMES,
  type TierModel,
  type WeightedModel,
} from '@kam/domain';
import type { RunnableModel, ScoredDetail } from './compile.js';

export interface StoredDimension {
  key: string;
  value: string | null;
  missing: boolean;
  normalised: string;
  contribution: string;
}

export interface PresentedDimension {
  key: string;
  name: string;
  metric: string;
  value: string | null;
  missing: boolean;
  normalised: string;
  weight: string;
  contribution: string;
}

export interface PresentedCriteria {
  tier: string;
  holds: boolean;
  satisfied: number;
  required: number;
  conditions: {
    metric: string;
    op: string;
    value: MetricCondition['value'];
    actual: string | null;
    holds: boolean;
  }[];
}

/** At least 2 and at most the needed decimals (`"29.163700"` → `"29.1637"`, `"30.000000"` → `"30.00"`). */
export function min2(text: string): string {
  if (!text.includes('.')) return `${text}.00`;
  const [int, frac = ''] = text.split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${int}.${trimmed.padEnd(2, '0')}`;
}

export function presentBreakdown(model: WeightedModel, stored: StoredDimension[]): PresentedDimension[] {
  return model.dimensions.map((d, i) => {
    const s = stored[i];
    return {
      key: d.key,
      name: d.name,
      metric: d.metric,
      value: s?.value ?? null,
      missing: s?.missing ?? true,
      normalised: s?.normalised ?? '0.00',
      weight: d.weight,
      contribution: min2(s?.contribution ?? '0'),
    };
  });
}

export function presentCriteria(
  model: CriteriaModel,
  detail: ScoredDetail,
  metrics: Record<string, string | null>,
): PresentedCriteria[] {
  const out: PresentedCriteria[] = [];
  for (const [ti, t] of model.tiers.entries()) {
    const flags = detail.conditions?.[ti] ?? [];
    const conditions = t.when.conditions.map((c, ci) => ({
      metric: c.metric,
      op: c.op,
      value: c.value,
      actual: metrics[c.metric] ?? null,
      holds: flags[ci] === true,
    }));
    const satisfied = conditions.filter((c) => c.holds).length;
    const required =
      t.when.combine === 'all'
        ? conditions.length
        : t.when.combine === 'any'
          ? 1
          : (t.when.atLeast ?? conditions.length);
    const holds = satisfied >= required;
    out.push({ tier: t.id, holds, satisfied, required, conditions });
    if (holds) break;
  }
  return out;
}

/** The applied rules of a stored decision, as `decideTier` lists them. */
export function appliedRules(model: TierModel, rawTier: string, detail: ScoredDetail): AppliedRule[] {
  const tiers =
    model.kind === 'weighted'
      ? model.tiers.map((t) => t.id)
      : [...model.tiers.map((t) => t.id), model.defaultTier.id];
  const out: AppliedRule[] = [];
  const floored = detail.floored ?? rawTier;
  const holdingFloors = model.floors.filter((_, i) => detail.floors?.[i] === true);
  const top = holdingFloors.find((f) => f.tier === floored);
  for (const f of holdingFloors) {
    out.push({
      kind: 'floor',
      id: f.id,
      name: f.name,
      tier: f.tier,
      changed: floored !== rawTier && f === top,
    });
  }
  const previous = detail.previous ?? null;
  const known = previous !== null && tiers.includes(previous);
  if (previous !== null && !known) out.push({ kind: 'previous_unknown', tier: previous });
  const held = detail.held ?? floored;
  const outcome = detail.hysteresis;
  if (known && (outcome === 'held' || outcome === 'runs' || outcome === 'margin')) {
    out.push({
      kind: 'hysteresis',
      outcome,
      from: previous,
      to: held,
      belowCount: detail.belowCount ?? 0,
      downgradeAfterRuns: model.hysteresis.downgradeAfterRuns,
    });
  }
  const capped = detail.capped ?? held;
  const holdingCaps = model.caps.filter((_, i) => detail.caps?.[i] === true);
  const bottom = holdingCaps.find((c) => c.tier === capped);
  for (const c of holdingCaps) {
    out.push({ kind: 'cap', id: c.id, name: c.name, tier: c.tier, changed: capped !== held && c === bottom });
  }
  const ov = detail.override;
  if (ov) {
    if (ov.known) out.push({ kind: 'override', tier: ov.tier, until: ov.until, reason: ov.reason });
    else out.push({ kind: 'override_ignored', tier: ov.tier });
  }
  return out;
}

/** Tier names of a model (RFM: the segment names). */
export function tierName(model: RunnableModel, id: string, locale: 'zh-CN' | 'en'): string {
  if (model.kind === 'weighted') return model.tiers.find((t) => t.id === id)?.name ?? id;
  if (model.kind === 'criteria') {
    return (
      model.tiers.find((t) => t.id === id)?.name ??
      (model.defaultTier.id === id ? model.defaultTier.name : id)
    );
  }
  const names = (RFM_SEGMENT_NAMES as Record<string, { zh: string; en: string }>)[id];
  return names ? names[locale === 'en' ? 'en' : 'zh'] : id;
}
