import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useReducedMotion } from '../../../hooks/useMediaQuery';
import { fenToDecimal, formatMoney } from '../../../utils/money';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface MonthRevenue {
  /** YYYY-MM */
  month: string;
  fen: bigint;
}

/** A small bar chart of monthly revenue (signed: returns count negatively). Loaded on demand. */
export default function RevenueChart({ data, height = 220 }: { data: MonthRevenue[]; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const reducedMotion = useReducedMotion();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    // Display only: yuan as numbers for the bar heights; labels and tooltips use the exact decimals.
    const yuan = data.map((d) => Number(fenToDecimal(d.fen)));
    chart.setOption({
      animation: !reducedMotion,
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        formatter: (params: { dataIndex: number }[]) => {
          const d = data[params[0]?.dataIndex ?? 0];
          return d ? `${d.month}<br/>${formatMoney(fenToDecimal(d.fen))}` : '';
        },
      },
      xAxis: {
        type: 'category',
        data: data.map((d) => d.month.slice(2)),
        axisTick: { alignWithLabel: true },
      },
      yAxis: {
        type: 'value',
        axisLabel: { formatter: (v: number) => (Math.abs(v) >= 10_000 ? `${v / 10_000}万` : String(v)) },
      },
      series: [
        {
          type: 'bar',
          data: yuan,
          barMaxWidth: 28,
          itemStyle: { color: '#3370ff', borderRadius: [3, 3, 0, 0] },
        },
      ],
    });
    const resize = () => chart.resize();
    const observer = new ResizeObserver(resize);
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [data, reducedMotion]);

  return <div ref={ref} style={{ width: '100%', height }} data-testid="revenue-chart" />;
}
