import { useMemo } from 'react';
import { useTieringT } from '../../i18n/tiering';
import type { DimensionBreakdown } from './api';
import { EChart, TIER_BLUE } from './charts';
import { round2 } from './labels';

/**
 * "Why this tier": one bar per dimension — its contribution to the score (blue) against the most it
 * could give, its weight (light). Display only; the exact decimals are in the table beside it.
 */
export default function BreakdownChart({ breakdown }: { breakdown: DimensionBreakdown[] }) {
  const tt = useTieringT();
  const option = useMemo(() => {
    const rows = [...breakdown].reverse();
    return {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: { dataIndex: number }[]) => {
          const d = rows[params[0]?.dataIndex ?? 0];
          if (!d) return '';
          return [
            `<b>${d.name}</b>`,
            `${tt('tiering.card.value')}: ${d.missing ? tt('tiering.card.missing') : (d.value ?? '—')}`,
            `${tt('tiering.card.normalised')}: ${d.normalised}`,
            `${tt('tiering.card.weight')}: ${d.weight}%`,
            `${tt('tiering.card.contribution')}: ${d.contribution}`,
          ].join('<br/>');
        },
      },
      xAxis: {
        type: 'value',
        min: 0,
        max: Math.max(10, ...rows.map((d) => Number(d.weight) || 0)),
        splitNumber: 4,
      },
      yAxis: { type: 'category', data: rows.map((d) => d.name), axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          data: rows.map((d) => Number(d.weight) || 0),
          barWidth: 16,
          itemStyle: { color: '#e8eefc', borderRadius: 3 },
          silent: true,
          z: 1,
        },
        {
          type: 'bar',
          data: rows.map((d) => Number(d.contribution) || 0),
          barWidth: 16,
          barGap: '-100%',
          itemStyle: { color: TIER_BLUE, borderRadius: 3 },
          label: {
            show: true,
            position: 'right',
            formatter: (p: { dataIndex: number }) => round2(rows[p.dataIndex]?.contribution ?? ''),
          },
          z: 2,
        },
      ],
    };
  }, [breakdown, tt]);
  return (
    <EChart
      option={option}
      height={Math.max(120, 36 * breakdown.length + 24)}
      testId="tier-breakdown-chart"
      ariaLabel={tt('tiering.card.contribution')}
    />
  );
}
