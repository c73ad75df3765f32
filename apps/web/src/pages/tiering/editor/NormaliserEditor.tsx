import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { BandsNormaliser, CategoryNormaliser, InvertedNormaliser, Normaliser } from '@kam/domain';
import { Button, Form, Input, Select, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useAuth } from '../../../auth/AuthContext';
import { type MetricDistribution, type TieringMetric, tieringApi } from '../../../components/tiering/api';
import { EChart, TIER_BLUE, TIER_GREY } from '../../../components/tiering/charts';
import { useTierLabels } from '../../../components/tiering/labels';
import { type TieringKey, useTieringT } from '../../../i18n/tiering';
import { curvePoints, isPercentile, percentilePoints } from './curve';
import { errorProps, type FieldErrors } from './errors';

const KINDS: Normaliser['kind'][] = ['linear', 'log', 'percentile', 'bands', 'inverted', 'category'];
const INNER: InvertedNormaliser['of']['kind'][] = ['linear', 'log', 'percentile'];

/** A sensible starting normaliser of a kind for a metric (its categories, or 0–100 bounds). */
export function defaultNormaliser(kind: Normaliser['kind'], metric?: TieringMetric): Normaliser {
  switch (kind) {
    case 'linear':
    case 'log':
      return { kind, min: '0', max: metric?.kind === 'ratio' ? '1' : '100' };
    case 'percentile':
      return { kind };
    case 'bands':
      return {
        kind,
        bands: [
          { atLeast: '100', score: '100' },
          { atLeast: '50', score: '60' },
        ],
        otherwise: '0',
      };
    case 'inverted':
      return { kind, of: { kind: 'linear', min: '0', max: '10' } };
    case 'category': {
      const values = metric?.categories ?? ['high', 'medium', 'low'];
      const step = values.length > 1 ? 100 / (values.length - 1) : 100;
      return {
        kind,
        categories: values.map((value, i) => ({ value, score: String(Math.round(100 - i * step)) })),
        otherwise: '0',
      };
    }
  }
}

interface Props {
  value: Normaliser;
  onChange: (next: Normaliser) => void;
  metric: TieringMetric | undefined;
  errors: FieldErrors;
  /** Path of the normaliser in the definition, e.g. `dimensions.0.normaliser`. */
  path: string;
  readOnly: boolean;
  testId: string;
}

/** The normaliser of one dimension: its kind, its parameters and its curve. */
export function NormaliserEditor({ value, onChange, metric, errors, path, readOnly, testId }: Props) {
  const tt = useTieringT();
  const kindOptions = KINDS.map((k) => ({ value: k, label: tt(`tiering.norm.${k}` as TieringKey) }));

  return (
    <div className="kam-tier-normaliser" data-testid={testId}>
      <div className="kam-tier-normaliser-fields">
        <Form.Item
          label={tt('tiering.dim.normaliser')}
          {...errorProps(errors, path)}
          {...errorProps(errors, `${path}.kind`)}
        >
          <Select
            value={value.kind}
            options={kindOptions}
            disabled={readOnly}
            onChange={(kind) => onChange(defaultNormaliser(kind, metric))}
            data-testid={`${testId}-kind`}
          />
        </Form.Item>
        <Params
          value={value}
          onChange={onChange}
          errors={errors}
          path={path}
          readOnly={readOnly}
          testId={testId}
        />
      </div>
      <Curve value={value} metric={metric} />
    </div>
  );
}

function Bounds({
  min,
  max,
  onChange,
  errors,
  path,
  readOnly,
  testId,
}: {
  min: string;
  max: string;
  onChange: (min: string, max: string) => void;
  errors: FieldErrors;
  path: string;
  readOnly: boolean;
  testId: string;
}) {
  const tt = useTieringT();
  return (
    <div className="kam-tier-inline">
      <Form.Item label={tt('tiering.norm.min')} {...errorProps(errors, `${path}.min`)}>
        <Input
          value={min}
          inputMode="decimal"
          disabled={readOnly}
          onChange={(e) => onChange(e.target.value.trim(), max)}
          data-testid={`${testId}-min`}
        />
      </Form.Item>
      <Form.Item label={tt('tiering.norm.max')} {...errorProps(errors, `${path}.max`)}>
        <Input
          value={max}
          inputMode="decimal"
          disabled={readOnly}
          onChange={(e) => onChange(min, e.target.value.trim())}
          data-testid={`${testId}-max`}
        />
      </Form.Item>
    </div>
  );
}

function Params({ value, onChange, errors, path, readOnly, testId }: Omit<Props, 'metric'>) {
  const tt = useTieringT();
  switch (value.kind) {
    case 'linear':
    case 'log':
      return (
        <Bounds
          min={value.min}
          max={value.max}
          onChange={(min, max) => onChange({ ...value, min, max })}
          errors={errors}
          path={path}
          readOnly={readOnly}
          testId={testId}
        />
      );
    case 'percentile':
      return <Typography.Text type="secondary">{tt('tiering.dim.percentileCurve')}</Typography.Text>;
    case 'inverted': {
      const inner = value.of;
      return (
        <>
          <Form.Item label={tt('tiering.norm.inner')} {...errorProps(errors, `${path}.of`)}>
            <Select
              value={inner.kind}
              disabled={readOnly}
              options={INNER.map((k) => ({ value: k, label: tt(`tiering.norm.${k}` as TieringKey) }))}
              onChange={(kind) =>
                onChange({
                  kind: 'inverted',
                  of: kind === 'percentile' ? { kind } : { kind, min: '0', max: '10' },
                })
              }
              data-testid={`${testId}-inner`}
            />
          </Form.Item>
          {inner.kind !== 'percentile' ? (
            <Bounds
              min={inner.min}
              max={inner.max}
              onChange={(min, max) => onChange({ kind: 'inverted', of: { ...inner, min, max } })}
              errors={errors}
              path={`${path}.of`}
              readOnly={readOnly}
              testId={testId}
            />
          ) : null}
        </>
      );
    }
    case 'bands':
      return (
        <BandsParams value={value} onChange={onChange} errors={errors} path={path} readOnly={readOnly} />
      );
    case 'category':
      return (
        <CategoryParams value={value} onChange={onChange} errors={errors} path={path} readOnly={readOnly} />
      );
  }
}

function BandsParams({
  value,
  onChange,
  errors,
  path,
  readOnly,
}: {
  value: BandsNormaliser;
  onChange: (n: Normaliser) => void;
  errors: FieldErrors;
  path: string;
  readOnly: boolean;
}) {
  const tt = useTieringT();
  const set = (i: number, patch: Partial<BandsNormaliser['bands'][number]>) =>
    onChange({ ...value, bands: value.bands.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  return (
    <div className="kam-tier-list">
      <Typography.Text type="secondary">{tt('tiering.norm.bandsHint')}</Typography.Text>
      {value.bands.map((b, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: bands are positional (highest first).
        <div className="kam-tier-inline" key={i}>
          <Form.Item
            label={tt('tiering.norm.bandAtLeast')}
            {...errorProps(errors, `${path}.bands.${i}.atLeast`)}
          >
            <Input
              value={b.atLeast}
              inputMode="decimal"
              disabled={readOnly}
              onChange={(e) => set(i, { atLeast: e.target.value.trim() })}
            />
          </Form.Item>
          <Form.Item label={tt('tiering.norm.bandScore')} {...errorProps(errors, `${path}.bands.${i}.score`)}>
            <Input
              value={b.score}
              inputMode="decimal"
              disabled={readOnly}
              onChange={(e) => set(i, { score: e.target.value.trim() })}
            />
          </Form.Item>
          {!readOnly && value.bands.length > 1 ? (
            <Button
              type="text"
              icon={<DeleteOutlined />}
              aria-label={tt('tiering.dim.remove')}
              onClick={() => onChange({ ...value, bands: value.bands.filter((_, j) => j !== i) })}
            />
          ) : null}
        </div>
      ))}
      <div className="kam-tier-inline">
        <Form.Item label={tt('tiering.norm.otherwise')} {...errorProps(errors, `${path}.otherwise`)}>
          <Input
            value={value.otherwise}
            inputMode="decimal"
            disabled={readOnly}
            onChange={(e) => onChange({ ...value, otherwise: e.target.value.trim() })}
          />
        </Form.Item>
        {!readOnly ? (
          <Button
            icon={<PlusOutlined />}
            onClick={() => onChange({ ...value, bands: [...value.bands, { atLeast: '0', score: '0' }] })}
          >
            {tt('tiering.norm.addBand')}
          </Button>
        ) : null}
      </div>
    </div>
  );
}

function CategoryParams({
  value,
  onChange,
  errors,
  path,
  readOnly,
}: {
  value: CategoryNormaliser;
  onChange: (n: Normaliser) => void;
  errors: FieldErrors;
  path: string;
  readOnly: boolean;
}) {
  const tt = useTieringT();
  const { category } = useTierLabels();
  const set = (i: number, patch: Partial<CategoryNormaliser['categories'][number]>) =>
    onChange({ ...value, categories: value.categories.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  return (
    <div className="kam-tier-list">
      {value.categories.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: categories are positional.
        <div className="kam-tier-inline" key={i}>
          <Form.Item
            label={tt('tiering.norm.category.value')}
            {...errorProps(errors, `${path}.categories.${i}.value`)}
            extra={category(c.value) !== c.value ? category(c.value) : undefined}
          >
            <Input value={c.value} disabled={readOnly} onChange={(e) => set(i, { value: e.target.value })} />
          </Form.Item>
          <Form.Item
            label={tt('tiering.norm.category.score')}
            {...errorProps(errors, `${path}.categories.${i}.score`)}
          >
            <Input
              value={c.score}
              inputMode="decimal"
              disabled={readOnly}
              onChange={(e) => set(i, { score: e.target.value.trim() })}
            />
          </Form.Item>
          {!readOnly && value.categories.length > 1 ? (
            <Button
              type="text"
              icon={<DeleteOutlined />}
              aria-label={tt('tiering.dim.remove')}
              onClick={() => onChange({ ...value, categories: value.categories.filter((_, j) => j !== i) })}
            />
          ) : null}
        </div>
      ))}
      <div className="kam-tier-inline">
        <Form.Item label={tt('tiering.norm.otherwise')} {...errorProps(errors, `${path}.otherwise`)}>
          <Input
            value={value.otherwise}
            inputMode="decimal"
            disabled={readOnly}
            onChange={(e) => onChange({ ...value, otherwise: e.target.value.trim() })}
          />
        </Form.Item>
        {!readOnly ? (
          <Button
            icon={<PlusOutlined />}
            onClick={() =>
              onChange({ ...value, categories: [...value.categories, { value: '', score: '0' }] })
            }
          >
            {tt('tiering.norm.addCategory')}
          </Button>
        ) : null}
      </div>
    </div>
  );
}

/** Buckets of the editor's histogram. */
const HISTOGRAM_BINS = 30;
/** One request per metric while the page is open (every dimension and kind change reuses it). */
const distributions = new Map<string, Promise<MetricDistribution | null>>();

function loadDistribution(metric: string): Promise<MetricDistribution | null> {
  let p = distributions.get(metric);
  if (!p) {
    p = tieringApi.metricDistribution(metric, HISTOGRAM_BINS).catch(() => {
      distributions.delete(metric);
      return null;
    });
    distributions.set(metric, p);
  }
  return p;
}

/**
 * Today's distribution of the metric: `off` without tiering.configure (as the endpoint) or for a metric
 * the server does not compute, `loading`, or `ready` with the figures (null when the request failed).
 */
function useDistribution(metric: TieringMetric | undefined): {
  state: 'off' | 'loading' | 'ready';
  data: MetricDistribution | null;
} {
  const { can } = useAuth();
  const allowed = can('tiering.configure') && metric?.available === true;
  const key = allowed ? metric?.key : undefined;
  const [loaded, setLoaded] = useState<{ key: string; data: MetricDistribution | null } | null>(null);
  useEffect(() => {
    if (!key) return;
    let live = true;
    void loadDistribution(key).then((data) => {
      if (live) setLoaded({ key, data });
    });
    return () => {
      live = false;
    };
  }, [key]);
  if (!key) return { state: 'off', data: null };
  return loaded?.key === key ? { state: 'ready', data: loaded.data } : { state: 'loading', data: null };
}

/** Every bucket of the histogram (empty ones too) as [midpoint, count]. */
function histogramBars(d: MetricDistribution): [number, number][] {
  const lo = Number(d.min);
  const hi = Number(d.max);
  if (d.buckets.length === 0 || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [[lo, d.buckets.reduce((n, b) => n + b.count, 0)]];
  const width = (hi - lo) / HISTOGRAM_BINS;
  const counts = new Map(d.buckets.map((b) => [b.bucket, b.count]));
  return Array.from({ length: HISTOGRAM_BINS }, (_, i) => [
    Number((lo + width * (i + 0.5)).toPrecision(6)),
    counts.get(i + 1) ?? 0,
  ]);
}

/**
 * The normaliser drawn as value → score over the histogram of the metric among today's customers
 * (`GET /tiering/metric-distribution`, for people who configure models). Percentile ranks are drawn
 * against the population's breakpoints, so the curve is the one a run applies. Without data (no
 * customers, no values, or no right to the figures) the curve is drawn alone with a note.
 */
function Curve({ value, metric }: { value: Normaliser; metric: TieringMetric | undefined }) {
  const tt = useTieringT();
  const { category } = useTierLabels();
  const { state, data: dist } = useDistribution(metric);
  const hasData = dist !== null && dist.total - dist.missing > 0;
  const option = useMemo(() => {
    const countAxis = {
      type: 'value',
      name: tt('tiering.dim.histogram'),
      position: 'right',
      minInterval: 1,
      splitLine: { show: false },
      axisLabel: { color: '#8f959e' },
    };
    if (value.kind === 'category') {
      const counts = new Map((dist?.categories ?? []).map((c) => [c.value, c.count]));
      return {
        grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: value.categories.map((c) => category(c.value)) },
        yAxis: hasData
          ? [{ type: 'value', min: 0, max: 100 }, countAxis]
          : { type: 'value', min: 0, max: 100 },
        series: [
          {
            type: 'bar',
            name: tt('tiering.dim.score'),
            data: value.categories.map((c) => Number(c.score) || 0),
            barMaxWidth: 28,
            itemStyle: { color: TIER_BLUE },
          },
          ...(hasData
            ? [
                {
                  type: 'bar',
                  name: tt('tiering.dim.histogram'),
                  yAxisIndex: 1,
                  data: value.categories.map((c) => counts.get(c.value) ?? 0),
                  barMaxWidth: 28,
                  itemStyle: { color: TIER_GREY },
                },
              ]
            : []),
        ],
      };
    }
    const bars = hasData && dist ? histogramBars(dist) : [];
    const byRank =
      isPercentile(value) && hasData && dist
        ? percentilePoints(dist.breakpoints, value.kind === 'inverted')
        : [];
    const extent: [number, number] | undefined =
      bars.length > 0 ? [Number(dist?.min), Number(dist?.max)] : undefined;
    const points = byRank.length > 0 ? byRank : curvePoints(value, extent);
    const percent = metric?.kind === 'ratio';
    return {
      grid: { left: 8, right: bars.length > 0 ? 8 : 16, top: 24, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: number) => (typeof v === 'number' ? String(Number(v.toFixed(2))) : String(v)),
      },
      xAxis: {
        type: 'value',
        scale: true,
        name: isPercentile(value) && byRank.length === 0 ? 'P' : '',
        axisLabel: {
          formatter: (v: number) =>
            percent ? `${Math.round(v * 100)}%` : Math.abs(v) >= 10_000 ? `${v / 10_000}万` : String(v),
        },
      },
      yAxis: [
        {
          type: 'value',
          name: bars.length > 0 ? tt('tiering.dim.score') : '',
          min: 0,
          max: 100,
          interval: 25,
          axisLine: { onZero: false },
        },
        ...(bars.length > 0 ? [countAxis] : []),
      ],
      series: [
        ...(bars.length > 0
          ? [
              {
                type: 'bar',
                name: tt('tiering.dim.histogram'),
                yAxisIndex: 1,
                data: bars,
                barWidth: '90%',
                itemStyle: { color: TIER_GREY },
                z: 1,
              },
            ]
          : []),
        {
          type: 'line',
          name: tt('tiering.dim.score'),
          data: points.map((p) => [p.x, p.y]),
          showSymbol: false,
          step: value.kind === 'bands' ? 'end' : undefined,
          lineStyle: { color: TIER_BLUE, width: 2 },
          areaStyle: bars.length > 0 ? undefined : { color: 'rgba(51,112,255,0.08)' },
          z: 2,
        },
      ],
    };
  }, [value, metric, category, dist, hasData, tt]);
  return (
    <div className="kam-tier-curve">
      <Typography.Text type="secondary" className="kam-tier-curve-title">
        {tt('tiering.dim.curve')}
      </Typography.Text>
      <EChart option={option} height={170} testId="normaliser-curve" ariaLabel={tt('tiering.dim.curve')} />
      {state === 'ready' ? (
        <Typography.Text
          type="secondary"
          className="kam-tier-curve-note"
          data-testid="normaliser-histogram-note"
        >
          {hasData && dist
            ? tt('tiering.dim.histogramNote', { total: dist.total, missing: dist.missing })
            : tt('tiering.dim.curveNoHistogram')}
        </Typography.Text>
      ) : null}
    </div>
  );
}
