import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useReducedMotion } from '../../hooks/useMediaQuery';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** The palette of tier charts: the brand blue and what stands beside it in the other pages. */
export const TIER_BLUE = '#3370ff';
export const TIER_GREY = '#b8c4d9';

export interface EChartProps {
  option: echarts.EChartsCoreOption;
  height: number;
  testId?: string;
  /** Click on a data item (heat map cell, bar). */
  onItemClick?: (params: { dataIndex: number; data: unknown; seriesIndex: number }) => void;
  ariaLabel?: string;
}

/** One ECharts canvas that follows its container's width (as RevenueChart does). Display only. */
export function EChart({ option, height, testId, onItemClick, ariaLabel }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onItemClick);
  clickRef.current = onItemClick;
  const reducedMotion = useReducedMotion();

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    chart.on('click', (params) => {
      const p = params as unknown as { dataIndex: number; data: unknown; seriesIndex: number };
      clickRef.current?.(p);
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setOption(reducedMotion ? { ...option, animation: false } : option, { notMerge: true });
  }, [option, reducedMotion]);

  return (
    <div ref={ref} style={{ width: '100%', height }} data-testid={testId} role="img" aria-label={ariaLabel} />
  );
}
