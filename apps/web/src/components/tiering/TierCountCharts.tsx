import { Card, Empty, Segmented, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useApiError } from '../../hooks/useApiError';
import { type TieringKey, useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import {
  type MigrationDirection,
  type MigrationInterval,
  type TierDistribution,
  type TierMigrations,
  tieringApi,
} from './api';
import { EChart, TIER_BLUE, TIER_GREY } from './charts';

/**
 * Tenant-wide tier counts of a model (decision 0016 "Tier counts"): customers per current tier, and tier
 * changes over time. Counts only — no customer is named — so `tiering.view` suffices.
 */

interface Props {
  modelId: string;
  /** Change it to read the counts again (after a run). */
  refreshKey?: number;
  /** Card title (default: "current tier distribution"). */
  title?: string;
}

/** Customers per current tier, highest tier first. */
export function TierDistributionChart({ modelId, refreshKey = 0, title }: Props) {
  const tt = useTieringT();
  const { showError } = useApiError();
  const { dateTime } = useFormat();
  const [data, setData] = useState<TierDistribution | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `refreshKey` is a reload trigger.
  useEffect(() => {
    let live = true;
    tieringApi
      .distribution(modelId)
      .then((d) => {
        if (live) setData(d);
      })
      .catch((err: unknown) => {
        if (live) showError(err);
      });
    return () => {
      live = false;
    };
  }, [modelId, refreshKey, showError]);

  const option = useMemo(
    () => ({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: (data?.items ?? []).map((i) => i.name) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: tt('tiering.counts.customers'),
          data: (data?.items ?? []).map((i) => i.count),
          barMaxWidth: 36,
          label: { show: true, position: 'top' },
          itemStyle: { color: TIER_BLUE, borderRadius: [3, 3, 0, 0] },
        },
      ],
    }),
    [data, tt],
  );

  return (
    <Card
      title={title ?? tt('tiering.counts.distribution')}
      className="kam-tier-section"
      data-testid="tier-distribution"
    >
      {data === null ? null : data.total === 0 ? (
        <Empty description={tt('tiering.counts.noDistribution')} />
      ) : (
        <>
          <EChart
            option={option}
            height={200}
            testId="tier-distribution-chart"
            ariaLabel={title ?? tt('tiering.counts.distribution')}
          />
          <Typography.Text type="secondary" data-testid="tier-distribution-total">
            {tt('tiering.counts.total', { total: data.total.toLocaleString() })}
            {data.lastFullRunAt
              ? ` · ${tt('tiering.counts.asOf', { at: dateTime(data.lastFullRunAt) })}`
              : ''}
          </Typography.Text>
        </>
      )}
    </Card>
  );
}

const DIRECTIONS: MigrationDirection[] = ['up', 'down', 'new', 'other'];
const DIRECTION_COLORS: Record<MigrationDirection, string> = {
  up: TIER_BLUE,
  down: '#f54a45',
  new: TIER_GREY,
  other: '#dee0e3',
};

/**
 * Tier changes per month or week as stacked bars of upgrades, downgrades, first tiers and other changes;
 * the tooltip lists the period's moves (from → to).
 */
export function TierMigrationChart({ modelId, refreshKey = 0 }: Omit<Props, 'title'>) {
  const tt = useTieringT();
  const { showError } = useApiError();
  const [interval, setIntervalKind] = useState<MigrationInterval>('month');
  const [data, setData] = useState<TierMigrations | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `refreshKey` is a reload trigger.
  useEffect(() => {
    let live = true;
    tieringApi
      .migrations(modelId, { interval })
      .then((d) => {
        if (live) setData(d);
      })
      .catch((err: unknown) => {
        if (live) showError(err);
      });
    return () => {
      live = false;
    };
  }, [modelId, interval, refreshKey, showError]);

  const option = useMemo(() => {
    const periods = data?.periods ?? [];
    const items = data?.items ?? [];
    const names = new Map((data?.tiers ?? []).map((t) => [t.id, t.name]));
    const tierLabel = (id: string | null) =>
      id === null ? tt('tiering.counts.none') : (names.get(id) ?? id);
    const sum = (period: string, d: MigrationDirection) =>
      items.filter((i) => i.period === period && i.direction === d).reduce((n, i) => n + i.count, 0);
    const used = DIRECTIONS.filter((d) => items.some((i) => i.direction === d));
    return {
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: { dataIndex: number }[]) => {
          const period = periods[params[0]?.dataIndex ?? 0];
          const moves = items
            .filter((i) => i.period === period)
            .sort((a, b) => b.count - a.count)
            .slice(0, 12)
            .map((i) => `${tierLabel(i.fromTier)} → ${tierLabel(i.toTier)}: ${i.count.toLocaleString()}`);
          return [period, ...(moves.length > 0 ? moves : [tt('tiering.counts.noMoves')])].join('<br/>');
        },
      },
      xAxis: { type: 'category', data: periods },
      yAxis: { type: 'value', minInterval: 1 },
      series: used.map((d) => ({
        type: 'bar',
        stack: 'moves',
        name: tt(`tiering.counts.dir.${d}` as TieringKey),
        data: periods.map((p) => sum(p, d)),
        barMaxWidth: 28,
        itemStyle: { color: DIRECTION_COLORS[d] },
      })),
    };
  }, [data, tt]);

  const total = (data?.items ?? []).reduce((n, i) => n + i.count, 0);
  const up = (data?.items ?? []).filter((i) => i.direction === 'up').reduce((n, i) => n + i.count, 0);
  const down = (data?.items ?? []).filter((i) => i.direction === 'down').reduce((n, i) => n + i.count, 0);

  return (
    <Card
      title={tt('tiering.counts.migrations')}
      className="kam-tier-section"
      data-testid="tier-migrations"
      extra={
        <Segmented<MigrationInterval>
          size="small"
          value={interval}
          onChange={setIntervalKind}
          options={[
            { value: 'month', label: tt('tiering.counts.month') },
            { value: 'week', label: tt('tiering.counts.week') },
          ]}
          data-testid="tier-migrations-interval"
        />
      }
    >
      {data === null ? null : total === 0 ? (
        <Empty description={tt('tiering.counts.noMigrations')} />
      ) : (
        <>
          <EChart
            option={option}
            height={220}
            testId="tier-migrations-chart"
            ariaLabel={tt('tiering.counts.migrations')}
          />
          <Typography.Text type="secondary" data-testid="tier-migrations-summary">
            {tt('tiering.counts.summary', {
              from: data.from,
              to: data.to,
              up: up.toLocaleString(),
              down: down.toLocaleString(),
              total: total.toLocaleString(),
            })}
          </Typography.Text>
        </>
      )}
    </Card>
  );
}
