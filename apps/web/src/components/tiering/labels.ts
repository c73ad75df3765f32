import type { AppliedRule } from '@kam/domain';
import { useEffect, useState } from 'react';
import type { LocalizedLabel } from '../../api/types';
import { type TieringKey, useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import { formatMoneyShort } from '../../utils/money';
import { type TieringMetric, tieringApi } from './api';

/**
 * A decimal string rounded half away from zero to 2 places, for display ("13.3325" → "13.33",
 * "4.0000" → "4.00"); exact on the text, no floating point. Anything else is returned as it is.
 */
export function round2(value: string): string {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value);
  if (!m) return value;
  const [, sign, int = '0', frac = ''] = m;
  const cents = BigInt(int) * 100n + BigInt((frac.slice(0, 2) || '0').padEnd(2, '0'));
  const up = (frac[2] ?? '0') >= '5' ? 1n : 0n;
  const total = cents + up;
  const text = `${total / 100n}.${(total % 100n).toString().padStart(2, '0')}`;
  return total === 0n ? text : `${sign}${text}`;
}

let catalogue: Promise<TieringMetric[]> | null = null;

/** The metric catalogue (`GET /tiering/metrics`), loaded once per page load. */
export function loadMetrics(): Promise<TieringMetric[]> {
  if (!catalogue) {
    catalogue = tieringApi.metrics().then(
      (r) => r.items,
      (err: unknown) => {
        catalogue = null;
        throw err;
      },
    );
  }
  return catalogue;
}

export function useMetrics(): TieringMetric[] | null {
  const [metrics, setMetrics] = useState<TieringMetric[] | null>(null);
  useEffect(() => {
    let alive = true;
    loadMetrics().then(
      (m) => alive && setMetrics(m),
      () => alive && setMetrics([]),
    );
    return () => {
      alive = false;
    };
  }, []);
  return metrics;
}

const CATEGORY_KEYS: Record<string, TieringKey> = {
  high: 'tiering.category.high',
  medium: 'tiering.category.medium',
  low: 'tiering.category.low',
};

/** Label helpers that follow the UI language. */
export function useTierLabels() {
  const tt = useTieringT();
  const { label, locale } = useFormat();
  const decidedBy = (value: string) => {
    const key = `tiering.decidedBy.${value}` as TieringKey;
    return tt(key) === key ? value : tt(key);
  };
  const category = (value: string) => (CATEGORY_KEYS[value] ? tt(CATEGORY_KEYS[value]) : value);
  const metricLabel = (metrics: TieringMetric[] | null, key: string) => {
    const m = metrics?.find((x) => x.key === key);
    return m ? label(m.label as LocalizedLabel, key) : key;
  };
  /** A metric value as people read it: money in 万元, ratios in %, categories translated. */
  const metricValue = (metrics: TieringMetric[] | null, key: string, value: string | null | undefined) => {
    if (value === null || value === undefined || value === '') return '—';
    const kind = metrics?.find((x) => x.key === key)?.kind;
    if (kind === 'money') return formatMoneyShort(value, locale);
    if (kind === 'ratio') {
      const n = Number(value);
      return Number.isFinite(n) ? `${(n * 100).toFixed(1).replace(/\.0$/, '')}%` : value;
    }
    if (kind === 'category') return category(value);
    return value;
  };
  const rule = (r: AppliedRule, tierName: (id: string) => string) => {
    switch (r.kind) {
      case 'floor':
      case 'cap':
        return (
          tt(`tiering.rule.${r.kind}`, { name: r.name, tier: tierName(r.tier) }) +
          (r.changed ? tt('tiering.rule.changed') : '')
        );
      case 'hysteresis':
        return tt(`tiering.rule.hysteresis.${r.outcome}`, {
          from: tierName(r.from),
          to: tierName(r.to),
          count: r.belowCount,
          runs: r.downgradeAfterRuns,
        });
      case 'override':
        return tt('tiering.rule.override', { tier: tierName(r.tier) });
      case 'override_ignored':
      case 'previous_unknown':
        return tt(`tiering.rule.${r.kind}`, { tier: r.tier });
    }
  };
  const historyReason = (reason: string) => {
    const key = `tiering.history.reason.${reason}` as TieringKey;
    return tt(key) === key ? reason : tt(key);
  };
  return { decidedBy, category, metricLabel, metricValue, rule, historyReason };
}
