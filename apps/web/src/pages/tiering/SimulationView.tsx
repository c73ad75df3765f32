import type { Dimension } from '@kam/domain';
import { Empty, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type {
  Simulation,
  SimulationSample,
  StoredDimension,
  TieringMetric,
} from '../../components/tiering/api';
import { EChart, TIER_BLUE, TIER_GREY } from '../../components/tiering/charts';
import { round2, useTierLabels } from '../../components/tiering/labels';
import { useTieringT } from '../../i18n/tiering';

interface Props {
  simulation: Simulation;
  /** Tier id → name, of the simulated model (and of the baseline where known). */
  tierName: (id: string) => string;
  /** The simulated model's dimensions (weighted models) to label the samples' breakdowns. */
  dimensions: Dimension[] | null;
  metrics: TieringMetric[];
  asOf: string;
  compact?: boolean;
}

type Cell = { from: string | null; to: string };
const cellKey = (c: Cell) => `${c.from ?? ''}→${c.to}`;

/**
 * A simulation's result: the migration matrix as a heat map (current tier × new tier; an HTML table so
 * every count is readable, selectable and clickable on any screen), the distribution before/after
 * (ECharts bars), and the sample customers of the chosen cell with their breakdown.
 */
export function SimulationView({
  simulation: sim,
  tierName,
  dimensions,
  metrics,
  asOf,
  compact = false,
}: Props) {
  const tt = useTieringT();
  // The rows are the tiers customers have now: the baseline model's (this model's published tiers, or
  // the tier of record's when this model has not run yet), then any others, then "not tiered".
  const baselineNames = useMemo(
    () => new Map((sim.baselineTiers ?? []).map((t) => [t.id, t.name])),
    [sim.baselineTiers],
  );
  const rows = useMemo(() => {
    const order = sim.baselineTiers?.length ? sim.baselineTiers.map((t) => t.id) : sim.tiers;
    const extra = [...new Set(sim.matrix.map((m) => m.from))].filter((f) => f !== null && !order.includes(f));
    const hasNull = sim.matrix.some((m) => m.from === null);
    return [...order, ...(extra as string[]), ...(hasNull ? [null] : [])];
  }, [sim]);
  // the distribution chart's tiers: those of now and those of the draft (they differ when the baseline
  // is another model), "not tiered" last
  const categories = useMemo(() => {
    const now = rows.filter((r): r is string => r !== null);
    return [...now, ...sim.tiers.filter((t) => !now.includes(t)), ...(rows.includes(null) ? [null] : [])];
  }, [rows, sim.tiers]);
  const count = (from: string | null, to: string) =>
    sim.matrix.find((m) => m.from === from && m.to === to)?.count ?? 0;
  const max = Math.max(1, ...sim.matrix.map((m) => m.count));
  const rank = (t: string | null) => (t === null ? -1 : sim.tiers.indexOf(t));
  let up = 0;
  let down = 0;
  let fresh = 0;
  // customers whose current tier this model does not have (the tier of record's, another model's): neither
  // up nor down
  let other = 0;
  for (const m of sim.matrix) {
    const a = rank(m.from);
    const b = rank(m.to);
    if (m.from === null) fresh += m.count;
    else if (a < 0) other += m.count;
    if (a < 0 || b < 0 || a === b) continue;
    if (b < a) up += m.count;
    else down += m.count;
  }
  const busiest = useMemo(() => {
    const sorted = [...sim.matrix].filter((m) => m.count > 0).sort((a, b) => b.count - a.count);
    return sorted.find((m) => m.from !== m.to) ?? sorted[0] ?? null;
  }, [sim]);
  const [picked, setPicked] = useState<Cell | null>(null);
  const cell = picked ?? (busiest ? { from: busiest.from, to: busiest.to } : null);
  const label = (t: string | null) =>
    t === null ? tt('tiering.sim.unrated') : (baselineNames.get(t) ?? tierName(t));

  return (
    <div className={`kam-tier-sim${compact ? ' kam-tier-sim-compact' : ''}`} data-testid="simulation-result">
      <Typography.Text type="secondary" data-testid="simulation-population">
        {tt('tiering.sim.population', { count: sim.population, date: asOf })}
      </Typography.Text>
      <div className="kam-tier-sim-grid">
        <div className="kam-tier-sim-block">
          <Typography.Title level={5}>{tt('tiering.sim.matrix')}</Typography.Title>
          <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
            {tt('tiering.sim.matrixHint')}
          </Typography.Paragraph>
          <div className="kam-tier-matrix-wrap">
            <table className="kam-tier-matrix" data-testid="migration-matrix">
              <thead>
                <tr>
                  <th className="kam-tier-matrix-corner">
                    <span>{tt('tiering.sim.current')}</span>
                    <span>{tt('tiering.sim.new')}</span>
                  </th>
                  {sim.tiers.map((to) => (
                    <th key={to} scope="col">
                      {tierName(to)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((from) => (
                  <tr key={from ?? '∅'}>
                    <th scope="row">{label(from)}</th>
                    {sim.tiers.map((to) => {
                      const n = count(from, to);
                      const alpha = n === 0 ? 0 : 0.12 + 0.78 * (n / max);
                      const selected = cell !== null && cellKey(cell) === cellKey({ from, to });
                      const diagonal = from === to;
                      return (
                        <td
                          key={to}
                          className={`${diagonal ? 'kam-tier-diag' : ''}${selected ? ' kam-tier-selected' : ''}`}
                          style={{
                            background: `rgba(51,112,255,${alpha.toFixed(3)})`,
                            color: alpha > 0.55 ? '#fff' : undefined,
                          }}
                          data-testid="matrix-cell"
                          data-from={from ?? ''}
                          data-to={to}
                        >
                          <button
                            type="button"
                            onClick={() => setPicked({ from, to })}
                            aria-label={`${label(from)} → ${tierName(to)}: ${n}`}
                            aria-pressed={selected}
                          >
                            {n.toLocaleString()}
                          </button>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Typography.Text strong data-testid="simulation-changed">
            {other > 0
              ? tt('tiering.sim.changedFromRecord', {
                  count: up + down + fresh + other,
                  up,
                  down,
                  fresh,
                  other,
                })
              : tt('tiering.sim.changed', { count: up + down + fresh, up, down, fresh })}
          </Typography.Text>
        </div>
        <div className="kam-tier-sim-block">
          <Typography.Title level={5}>{tt('tiering.sim.distribution')}</Typography.Title>
          <DistributionBars sim={sim} rows={categories} label={label} />
        </div>
      </div>
      {cell ? (
        <Samples
          cell={cell}
          samples={sim.samples.find((s) => cellKey(s) === cellKey(cell))?.customers ?? []}
          label={label}
          tierName={tierName}
          dimensions={dimensions}
          metrics={metrics}
        />
      ) : (
        <Typography.Text type="secondary">{tt('tiering.sim.pickCell')}</Typography.Text>
      )}
    </div>
  );
}

function DistributionBars({
  sim,
  rows,
  label,
}: {
  sim: Simulation;
  rows: (string | null)[];
  label: (t: string | null) => string;
}) {
  const tt = useTieringT();
  const option = useMemo(() => {
    const before = rows.map((t) => sim.before.find((b) => b.tier === t)?.count ?? 0);
    const after = rows.map((t) => (t === null ? 0 : (sim.after.find((a) => a.tier === t)?.count ?? 0)));
    return {
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: [tt('tiering.sim.before'), tt('tiering.sim.after')] },
      tooltip: { trigger: 'axis' },
      // every tier named (ECharts would skip labels that crowd), slanted when there are many
      xAxis: {
        type: 'category',
        data: rows.map(label),
        axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: tt('tiering.sim.before'),
          type: 'bar',
          data: before,
          barMaxWidth: 26,
          itemStyle: { color: TIER_GREY },
        },
        {
          name: tt('tiering.sim.after'),
          type: 'bar',
          data: after,
          barMaxWidth: 26,
          itemStyle: { color: TIER_BLUE },
          label: { show: true, position: 'top' },
        },
      ],
    };
  }, [sim, rows, label, tt]);
  return (
    <EChart
      option={option}
      height={240}
      testId="distribution-chart"
      ariaLabel={tt('tiering.sim.distribution')}
    />
  );
}

function Samples({
  cell,
  samples,
  label,
  tierName,
  dimensions,
  metrics,
}: {
  cell: Cell;
  samples: SimulationSample[];
  label: (t: string | null) => string;
  tierName: (id: string) => string;
  dimensions: Dimension[] | null;
  metrics: TieringMetric[];
}) {
  const tt = useTieringT();
  const { decidedBy, metricValue, metricLabel } = useTierLabels();
  return (
    <div className="kam-tier-samples" data-testid="simulation-samples">
      <Typography.Title level={5}>
        {tt('tiering.sim.samples', { from: label(cell.from), to: tierName(cell.to) })}
      </Typography.Title>
      <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
        {tt('tiering.sim.samplesHint')}
      </Typography.Paragraph>
      {samples.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tt('tiering.sim.noSamples')} />
      ) : (
        <div className="kam-tier-sample-list">
          {samples.map((s) => {
            const dims = Array.isArray(s.breakdown) ? (s.breakdown as StoredDimension[]) : [];
            return (
              <div className="kam-tier-sample" key={s.customerId} data-testid="simulation-sample">
                <div className="kam-tier-sample-head">
                  <Link to={`/customers/${s.customerId}`}>{s.name || s.customerId}</Link>
                  <span>
                    {s.score !== null ? (
                      <Tag color="blue">
                        {tt('tiering.sim.score')} {s.score}
                      </Tag>
                    ) : null}
                    <Tag>{tierName(cell.to)}</Tag>
                    <Typography.Text type="secondary">{decidedBy(s.decidedBy)}</Typography.Text>
                  </span>
                </div>
                {dims.length > 0 ? (
                  <Table<StoredDimension & { name: string; metric: string }>
                    size="small"
                    pagination={false}
                    rowKey="key"
                    scroll={{ x: 'max-content' }}
                    dataSource={dims.map((d, i) => ({
                      ...d,
                      name: dimensions?.[i]?.name ?? d.key,
                      metric: dimensions?.[i]?.metric ?? '',
                    }))}
                    columns={[
                      { title: tt('tiering.dim.name'), dataIndex: 'name' },
                      {
                        title: tt('tiering.card.value'),
                        render: (_, d) =>
                          d.missing ? tt('tiering.card.missing') : metricValue(metrics, d.metric, d.value),
                      },
                      { title: tt('tiering.card.normalised'), dataIndex: 'normalised', align: 'right' },
                      {
                        title: tt('tiering.card.contribution'),
                        align: 'right',
                        render: (_, d) => <span title={d.contribution}>{round2(d.contribution)}</span>,
                      },
                    ]}
                  />
                ) : (
                  <Typography.Text type="secondary">
                    {Object.entries(s.metrics)
                      .slice(0, 6)
                      .map(([k, v]) => `${metricLabel(metrics, k)} ${metricValue(metrics, k, v)}`)
                      .join(' · ')}
                  </Typography.Text>
                )}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
