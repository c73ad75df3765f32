import { Alert, Card, Empty, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import { formatMoney, formatMoneyShort } from '../../utils/money';
import type { ClvNotFitted, ClvStatistics, ClvStoredFit, Decision, RunDetail } from './api';
import { tieringApi } from './api';
import './clv.css';

/**
 * Customer lifetime value in the UI (decision 0019): the parameters a run fitted, with what each one
 * means, and one customer's values with their factors (Customer 360's tier card).
 */

/** A fitted double for reading: 6 significant digits, exponent form only when tiny or huge. */
function sig(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e7) ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

/** A decimal string without trailing zeros ("2.0000" → "2", "6.0830" → "6.083"). */
function trimmed(v: string): string {
  return v.includes('.') ? v.replace(/\.?0+$/, '') : v;
}

/** A ratio string ("0.8123") as a percentage ("81.2%"). */
function percent(v: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const n = Number(v);
  return Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : v;
}

function NotFitted({ items }: { items: ClvNotFitted[] }) {
  const tt = useTieringT();
  if (items.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      className="kam-tier-section"
      data-testid="clv-not-fitted"
      title={items
        .map((n) =>
          tt('tiering.clv.fit.notFitted', {
            part: n.part === 'bgnbd' ? 'BG/NBD' : 'Gamma-Gamma',
            found: n.params.found,
            min: n.params.min,
          }),
        )
        .join(' ')}
      description={tt('tiering.clv.fit.notFittedEffect')}
    />
  );
}

interface ParamRow {
  key: string;
  name: string;
  value: string;
  meaning: string;
}

function FitTable<P>({
  title,
  fit,
  rows,
  testId,
}: {
  title: string;
  fit: ClvStoredFit<P>;
  rows: ParamRow[];
  testId: string;
}) {
  const tt = useTieringT();
  return (
    <div className="kam-clv-fit" data-testid={testId}>
      <Typography.Text strong>{title}</Typography.Text>{' '}
      <Tag color={fit.converged ? 'success' : 'warning'}>
        {fit.converged ? tt('tiering.clv.fit.converged') : tt('tiering.clv.fit.notConverged')}
      </Tag>
      <Table<ParamRow>
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: tt('tiering.clv.fit.param'), dataIndex: 'name', width: 80 },
          {
            title: tt('tiering.clv.fit.value'),
            dataIndex: 'value',
            align: 'right',
            render: (v: string, r) => <span data-testid={`clv-param-${r.key}`}>{v}</span>,
          },
          { title: tt('tiering.clv.fit.meaning'), dataIndex: 'meaning' },
        ]}
      />
      <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
        {tt('tiering.clv.fit.ll', {
          ll: fit.logLikelihood.toFixed(2),
          observations: fit.observations.toLocaleString(),
          customers: fit.customers.toLocaleString(),
          iterations: fit.iterations.toLocaleString(),
          ms: fit.ms.toLocaleString(),
        })}
      </Typography.Paragraph>
      {fit.atBound.length > 0 ? (
        <Typography.Paragraph type="warning" className="kam-tier-sim-hint">
          {tt('tiering.clv.fit.atBound', { names: fit.atBound.join(', ') })}
        </Typography.Paragraph>
      ) : null}
    </div>
  );
}

/** The parameters of a CLV run with their meaning, counts, convergence and why a part was not fitted. */
export function ClvFitView({ stats, asOf }: { stats: ClvStatistics; asOf: string }) {
  const tt = useTieringT();
  const bg = stats.bgnbd;
  const gg = stats.gammaGamma;
  return (
    <div data-testid="clv-fit">
      <Typography.Paragraph type="secondary">
        {tt('tiering.clv.fit.asOf', {
          date: asOf,
          population: stats.population.toLocaleString(),
          buyers: stats.buyers.toLocaleString(),
          repeat: stats.repeatCustomers.toLocaleString(),
        })}
      </Typography.Paragraph>
      <NotFitted items={stats.notFitted} />
      {bg ? (
        <FitTable
          title={tt('tiering.clv.fit.bgnbd')}
          fit={bg}
          testId="clv-fit-bgnbd"
          rows={[
            { key: 'r', name: 'r', value: sig(bg.params.r), meaning: tt('tiering.clv.fit.r') },
            {
              key: 'alpha',
              name: 'α',
              value: sig(bg.params.alpha),
              meaning: tt('tiering.clv.fit.alpha', { rate: sig(bg.params.r / bg.params.alpha) }),
            },
            { key: 'a', name: 'a', value: sig(bg.params.a), meaning: tt('tiering.clv.fit.a') },
            {
              key: 'b',
              name: 'b',
              value: sig(bg.params.b),
              meaning: tt('tiering.clv.fit.b', { p: sig(bg.params.a / (bg.params.a + bg.params.b)) }),
            },
          ]}
        />
      ) : null}
      {gg ? (
        <FitTable
          title={tt('tiering.clv.fit.gammaGamma')}
          fit={gg}
          testId="clv-fit-gamma-gamma"
          rows={[
            { key: 'p', name: 'p', value: sig(gg.params.p), meaning: tt('tiering.clv.fit.p') },
            { key: 'q', name: 'q', value: sig(gg.params.q), meaning: tt('tiering.clv.fit.q') },
            {
              key: 'gamma',
              name: 'γ',
              value: sig(gg.params.gamma),
              meaning: tt('tiering.clv.fit.gamma', {
                mean:
                  gg.params.q > 1
                    ? formatMoney(((gg.params.p * gg.params.gamma) / (gg.params.q - 1)).toFixed(2))
                    : '∞',
              }),
            },
          ]}
        />
      ) : null}
      <Typography.Text type="secondary" className="kam-tier-sim-hint">
        {tt('tiering.clv.fit.times', { extract: stats.extractMs, fit: stats.fitMs })}
      </Typography.Text>
    </div>
  );
}

/** The fit of a CLV model's latest completed full run (read again when `refreshKey` changes). */
export function ClvFitCard({ modelId, refreshKey = 0 }: { modelId: string; refreshKey?: number }) {
  const tt = useTieringT();
  const [run, setRun] = useState<RunDetail | null | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey asks for a fresh read.
  useEffect(() => {
    let alive = true;
    tieringApi
      .runs({ modelId, kind: 'full', status: 'completed', limit: 1 })
      .then(async (page) => {
        const last = page.items[0];
        const detail = last ? await tieringApi.run(last.id) : null;
        if (alive) setRun(detail);
      })
      .catch(() => alive && setRun(null));
    return () => {
      alive = false;
    };
  }, [modelId, refreshKey]);
  const stats = (run?.statistics as { clv?: ClvStatistics } | null | undefined)?.clv;
  return (
    <Card title={tt('tiering.clv.fit.title')} className="kam-tier-section" data-testid="clv-fit-card">
      {run === undefined ? null : run && stats ? (
        <ClvFitView stats={stats} asOf={run.asOf} />
      ) : (
        <Empty description={tt('tiering.clv.fit.none')} />
      )}
    </Card>
  );
}

/** One customer's CLV with its factors (a CLV model's decision on the tier card). */
export function ClvDecisionView({ decision }: { decision: Decision }) {
  const tt = useTieringT();
  const { locale } = useFormat();
  const c = decision.clv;
  if (!c) return null;
  const money = (v: string | null | undefined) => formatMoneyShort(v ?? null, locale);
  const h = c.historical;
  const p = c.probabilistic;
  return (
    <div className="kam-clv-card" data-testid="clv-values" data-model={decision.modelId}>
      <Typography.Text type="secondary" className="kam-tier-asof">
        {tt('tiering.card.asOf', {
          date: decision.asOf,
          model: decision.modelName,
          version: decision.modelVersion ?? '—',
        })}
      </Typography.Text>
      {h ? (
        <div className="kam-clv-row">
          <span className="kam-clv-label">{tt('tiering.clv.card.historical')}</span>
          <span className="kam-clv-value" data-testid="clv-historical">
            {h.clv !== null ? money(h.clv) : '—'}
          </span>
          <Typography.Text type="secondary" className="kam-clv-factors">
            {h.clv === null && !h.hidden && h.orders > 0
              ? tt('tiering.clv.card.noMargin')
              : tt('tiering.clv.card.historicalFactors', {
                  margin: money(h.marginPerPurchase),
                  rate: trimmed(h.purchasesPerYear),
                  years: h.lifetimeYears,
                  window: h.windowDays,
                  g: money(h.grossMargin),
                  orders: h.orders,
                })}
          </Typography.Text>
        </div>
      ) : null}
      {p ? (
        <>
          <div className="kam-clv-row">
            <span className="kam-clv-label">{tt('tiering.clv.card.expected', { h: p.horizonUnits })}</span>
            <span className="kam-clv-value" data-testid="clv-expected">
              {p.clv !== null ? money(p.clv) : '—'}
            </span>
            {p.expectedPurchases !== null ? (
              <Typography.Text type="secondary" className="kam-clv-factors">
                {tt('tiering.clv.card.expectedFactors', {
                  purchases: p.expectedPurchases,
                  spend: money(p.expectedSpend),
                  rate: p.marginRate,
                })}
              </Typography.Text>
            ) : null}
          </div>
          <div className="kam-clv-row">
            <span className="kam-clv-label">{tt('tiering.clv.card.pAlive')}</span>
            <span className="kam-clv-value" data-testid="clv-p-alive">
              {percent(p.pAlive)}
            </span>
            <Typography.Text type="secondary" className="kam-clv-factors">
              {tt('tiering.clv.card.inputs', {
                x: p.x,
                tx: p.tx,
                T: p.T,
                unit: p.timeUnitDays,
                zbar: money(p.zbar),
              })}
            </Typography.Text>
          </div>
          <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
            {tt('tiering.clv.card.pAliveHint')}
          </Typography.Paragraph>
        </>
      ) : (
        <Typography.Text type="secondary">{tt('tiering.clv.card.never')}</Typography.Text>
      )}
      {c.notFitted.length > 0 ? (
        <Typography.Paragraph type="warning" className="kam-tier-sim-hint" data-testid="clv-card-not-fitted">
          {tt('tiering.clv.card.notFitted')}
        </Typography.Paragraph>
      ) : null}
    </div>
  );
}
