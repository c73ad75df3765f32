/**
 * Stored results → the decision as @kam/domain `decideTier` describes it ("why is this customer B?"):
 * the breakdown per dimension with names and weights from the model version, the criteria trace, and
 * the applied rules (floors, hysteresis, caps, override) in the domain's order and shape.
 */
import {
  type AppliedRule,
  type CriteriaModel,
  dec,
  formatDec,
  type MetricCondition,
  modelTiers,
  mul,
  RFM_SEGMENT_NAMES,
  round,
  type TierModel,
  type WeightedModel,
} from '@kam/domain';
import { type CompactResult, modelMetrics, type RunnableModel, type ScoredDetail } from './compile.js';

/** The documents a result explains itself with (the API's metrics, breakdown and detail). */
export interface ExpandedResult {
  metrics: Record<string, string | null>;
  /** Weighted: per dimension; RFM: the scores, code and highs; criteria: []. */
  breakdown: StoredDimension[] | RfmBreakdown | [];
  detail: ScoredDetail;
}

export interface RfmBreakdown {
  r: number;
  f: number;
  m: number;
  code: string;
  high: { r: boolean; f: boolean; m: boolean };
}

const ONE_HUNDREDTH = dec('0.01');

/** A stored weighted, criteria or RFM result: the compact columns, or (written before migration 0018) the documents. */
export interface StoredResultColumns extends CompactResult {
  metrics: Record<string, string | null> | null;
  breakdown: unknown;
  detail: unknown;
}

/** The documents of a stored result, whichever form it was stored in. */
export function resultDocuments(model: RunnableModel, row: StoredResultColumns): ExpandedResult {
  if (row.detail === null) return expandResult(model, row);
  return {
    metrics: row.metrics ?? {},
    breakdown: row.breakdown as ExpandedResult['breakdown'],
    detail: row.detail as ScoredDetail,
  };
}

/**
 * The documents of a compact result, from the model version it was scored with — exactly what the
 * scoring statement computed: a dimension's normalised score is the stored one (its missing score
 * when none), its contribution normalised × weight × 0.01 in exact decimals, the tiers of the steps
 * are the model's tiers by rank.
 */
export function expandResult(model: RunnableModel, row: CompactResult): ExpandedResult {
  const keys = modelMetrics(model);
  const values = row.metric_values ?? [];
  const metrics = Object.fromEntries(keys.map((k, i) => [k, values[i] ?? null])) as Record<
    string,
    string | null
  >;
  const scores = row.scores ?? [];
  const flags = row.flags ?? [];
  if (model.kind === 'rfm') {
    const [r, f, m] = [0, 1, 2].map((i) => Number(scores[i] ?? 1)) as [number, number, number];
    return {
      metrics,
      breakdown: {
        r,
        f,
        m,
        code: `${r}${f}${m}`,
        high: { r: flags[0] === true, f: flags[1] === true, m: flags[2] === true },
      },
      detail: {},
    };
  }
  const tiers = modelTiers(model).map((t) => t.id);
  const breakdown: StoredDimension[] =
    model.kind === 'weighted'
      ? model.dimensions.map((d, i) => {
          const stored = scores[i] ?? null;
          const normalised = stored ?? formatDec(round(dec(d.missingScore), 2));
          return {
            key: d.key,
            value: metrics[d.metric] ?? null,
            missing: stored === null,
            normalised,
            contribution: formatDec(mul(mul(dec(normalised), dec(d.weight)), ONE_HUNDREDTH)),
          };
        })
      : [];
  const nf = model.floors.length;
  const nc = model.caps.length;
  let at = nf + nc;
  const conditions =
    model.kind === 'criteria'
      ? model.tiers.map((t) => {
          const part = flags.slice(at, at + t.when.conditions.length);
          at += t.when.conditions.length;
          return part;
        })
      : undefined;
  const [floored, held, capped, belowCount, previousBelowCount] = row.steps ?? [];
  const tierAt = (rank: number | null | undefined) =>
    rank === null || rank === undefined ? undefined : tiers[rank];
  const detail: ScoredDetail = {
    floors: flags.slice(0, nf),
    caps: flags.slice(nf, nf + nc),
    ...(conditions ? { conditions } : {}),
    floored: tierAt(floored),
    held: tierAt(held),
    capped: tierAt(capped),
    hysteresis: (row.hysteresis ?? undefined) as ScoredDetail['hysteresis'],
    belowCount: belowCount ?? undefined,
    previous: row.previous_tier,
    previousBelowCount: previousBelowCount ?? null,
    override:
      row.override_id === null
        ? null
        : {
            id: row.override_id,
            tier: row.override_tier ?? '',
            until: row.override_until,
            reason: row.override_reason ?? '',
            known: tiers.includes(row.override_tier ?? ''),
          },
  };
  return { metrics, breakdown, detail };
}

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
