import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  type Dimension,
  THRESHOLD_BOUNDARY_RULE,
  type ThresholdTier,
  toDec,
  type WeightedModel,
  weightSum,
} from '@kam/domain';
import { Alert, Button, Card, Form, Input, Progress, Select, Tag, Typography } from 'antd';
import type { TieringMetric } from '../../../components/tiering/api';
import { useTieringT } from '../../../i18n/tiering';
import { useFormat } from '../../../i18n/useFormat';
import { errorProps, type FieldErrors } from './errors';
import { defaultNormaliser, NormaliserEditor } from './NormaliserEditor';
import { RulesEditor } from './RulesEditor';

interface Props {
  model: WeightedModel;
  onChange: (next: WeightedModel) => void;
  metrics: TieringMetric[];
  errors: FieldErrors;
  readOnly: boolean;
}

/** Weighted scoring: dimensions (metric, normaliser, weight) with a running sum, thresholds, rules. */
export function WeightedEditor({ model, onChange, metrics, errors, readOnly }: Props) {
  const tt = useTieringT();
  const setDim = (i: number, next: Dimension) =>
    onChange({ ...model, dimensions: model.dimensions.map((d, j) => (j === i ? next : d)) });

  const addDimension = () => {
    const keys = new Set(model.dimensions.map((d) => d.key));
    let n = model.dimensions.length + 1;
    while (keys.has(`d${n}`)) n += 1;
    onChange({
      ...model,
      dimensions: [
        ...model.dimensions,
        {
          key: `d${n}`,
          name: tt('tiering.dim.default', { n }),
          metric: '',
          normaliser: { kind: 'linear', min: '0', max: '100' },
          weight: '0',
          missingScore: '0',
        },
      ],
    });
  };

  return (
    <>
      <Card
        title={tt('tiering.dim.title')}
        className="kam-tier-section"
        extra={
          !readOnly ? (
            <Button icon={<PlusOutlined />} onClick={addDimension} data-testid="dimension-add">
              {tt('tiering.dim.add')}
            </Button>
          ) : null
        }
      >
        <Typography.Paragraph type="secondary">{tt('tiering.dim.hint')}</Typography.Paragraph>
        {model.dimensions.map((d, i) => (
          <DimensionCard
            key={d.key}
            index={i}
            dimension={d}
            metrics={metrics}
            errors={errors}
            readOnly={readOnly}
            onChange={(next) => setDim(i, next)}
            onRemove={
              model.dimensions.length > 1
                ? () => onChange({ ...model, dimensions: model.dimensions.filter((_, j) => j !== i) })
                : undefined
            }
          />
        ))}
        <WeightSum dimensions={model.dimensions} errors={errors} />
      </Card>
      <Thresholds model={model} onChange={onChange} errors={errors} readOnly={readOnly} />
      <RulesEditor
        model={model}
        onChange={(next) => onChange(next as WeightedModel)}
        metrics={metrics}
        errors={errors}
        readOnly={readOnly}
        tiers={model.tiers}
        weighted
      />
    </>
  );
}

function DimensionCard({
  index,
  dimension: d,
  metrics,
  errors,
  readOnly,
  onChange,
  onRemove,
}: {
  index: number;
  dimension: Dimension;
  metrics: TieringMetric[];
  errors: FieldErrors;
  readOnly: boolean;
  onChange: (next: Dimension) => void;
  onRemove?: () => void;
}) {
  const tt = useTieringT();
  const { label } = useFormat();
  const path = `dimensions.${index}`;
  const metric = metrics.find((m) => m.key === d.metric);
  const options = metrics.map((m) => ({
    value: m.key,
    disabled: !m.available,
    label: (
      <span className="kam-tier-metric-option">
        {label(m.label, m.key)}
        {m.manual ? <Tag className="kam-tier-metric-tag">{tt('tiering.dim.manual')}</Tag> : null}
        {!m.available ? <Tag className="kam-tier-metric-tag">{tt('tiering.dim.unavailable')}</Tag> : null}
      </span>
    ),
    search: `${label(m.label, m.key)} ${m.key}`,
  }));
  const testId = `dimension-${index}`;
  return (
    <div className="kam-tier-dimension" data-testid={testId}>
      <div className="kam-tier-dimension-head">
        <Form.Item
          label={tt('tiering.dim.name')}
          {...errorProps(errors, `${path}.name`)}
          {...errorProps(errors, `${path}.key`)}
        >
          <Input
            value={d.name}
            maxLength={64}
            disabled={readOnly}
            onChange={(e) => onChange({ ...d, name: e.target.value })}
            data-testid={`${testId}-name`}
          />
        </Form.Item>
        <Form.Item
          label={tt('tiering.dim.metric')}
          {...errorProps(errors, `${path}.metric`)}
          extra={metric?.windowDays ? tt('tiering.dim.window', { days: metric.windowDays }) : undefined}
        >
          <Select
            value={d.metric || undefined}
            placeholder={tt('tiering.dim.metricPlaceholder')}
            options={options}
            disabled={readOnly}
            showSearch={{ optionFilterProp: 'search' }}
            onChange={(key: string) => {
              const next = metrics.find((m) => m.key === key);
              const wasCategory = d.normaliser.kind === 'category';
              const isCategory = next?.kind === 'category';
              onChange({
                ...d,
                metric: key,
                normaliser:
                  wasCategory !== isCategory
                    ? defaultNormaliser(isCategory ? 'category' : 'linear', next)
                    : d.normaliser,
              });
            }}
            data-testid={`${testId}-metric`}
          />
        </Form.Item>
        <Form.Item label={tt('tiering.dim.weight')} {...errorProps(errors, `${path}.weight`)}>
          <Input
            value={d.weight}
            inputMode="decimal"
            suffix="%"
            disabled={readOnly}
            onChange={(e) => onChange({ ...d, weight: e.target.value.trim() })}
            data-testid={`${testId}-weight`}
          />
        </Form.Item>
        <Form.Item label={tt('tiering.dim.missingScore')} {...errorProps(errors, `${path}.missingScore`)}>
          <Input
            value={d.missingScore}
            inputMode="decimal"
            disabled={readOnly}
            onChange={(e) => onChange({ ...d, missingScore: e.target.value.trim() })}
            data-testid={`${testId}-missing`}
          />
        </Form.Item>
        {onRemove && !readOnly ? (
          <Button
            type="text"
            danger
            icon={<DeleteOutlined />}
            aria-label={tt('tiering.dim.remove')}
            onClick={onRemove}
            className="kam-tier-remove"
            data-testid={`${testId}-remove`}
          />
        ) : null}
      </div>
      <NormaliserEditor
        value={d.normaliser}
        onChange={(normaliser) => onChange({ ...d, normaliser })}
        metric={metric}
        errors={errors}
        path={`${path}.normaliser`}
        readOnly={readOnly}
        testId={`${testId}-normaliser`}
      />
    </div>
  );
}

/** The running sum of the weights; it must reach exactly 100 %. */
function WeightSum({ dimensions, errors }: { dimensions: Dimension[]; errors: FieldErrors }) {
  const tt = useTieringT();
  const valid = dimensions.every((d) => toDec(d.weight) !== null);
  const sum = valid ? weightSum(dimensions) : null;
  const n = sum === null ? 0 : Number(sum);
  const ok = sum !== null && n === 100;
  const serverError = errors.dimensions?.join('；');
  return (
    <div className="kam-tier-weightsum" data-testid="weight-sum" data-ok={ok ? 'true' : 'false'}>
      <Typography.Text strong>
        {tt('tiering.weights.sum')}: <span data-testid="weight-sum-value">{sum ?? '—'}%</span>
      </Typography.Text>
      <Progress
        percent={Math.min(100, Math.max(0, n))}
        showInfo={false}
        status={ok ? 'success' : n > 100 ? 'exception' : 'active'}
        size="small"
      />
      {ok ? (
        <Typography.Text type="success">{tt('tiering.weights.ok')}</Typography.Text>
      ) : (
        <Typography.Text type={n > 100 ? 'danger' : 'warning'}>
          {tt('tiering.weights.off', { sum: sum ?? '—' })}
        </Typography.Text>
      )}
      {serverError ? <Alert type="error" showIcon title={serverError} /> : null}
    </div>
  );
}

function Thresholds({
  model,
  onChange,
  errors,
  readOnly,
}: {
  model: WeightedModel;
  onChange: (next: WeightedModel) => void;
  errors: FieldErrors;
  readOnly: boolean;
}) {
  const tt = useTieringT();
  const { locale } = useFormat();
  const set = (i: number, patch: Partial<ThresholdTier>) =>
    onChange({ ...model, tiers: model.tiers.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
  const ordered = model.tiers.every((t, i) => {
    const prev = model.tiers[i - 1];
    const v = Number(t.minScore);
    if (!Number.isFinite(v)) return false;
    if (i === model.tiers.length - 1 && v !== 0) return false;
    return !prev || v < Number(prev.minScore);
  });
  const range = (i: number) => {
    const t = model.tiers[i];
    if (!t) return '';
    const above = model.tiers[i - 1];
    const tier = t.name || t.id;
    if (!above) return tt('tiering.thr.rangeTop', { min: t.minScore, tier });
    if (i === model.tiers.length - 1 && Number(t.minScore) === 0)
      return tt('tiering.thr.rangeBottom', { max: above.minScore, tier });
    return tt('tiering.thr.range', { min: t.minScore, max: above.minScore, tier });
  };
  const addTier = () => {
    const ids = new Set(model.tiers.map((t) => t.id));
    let code = 'A'.charCodeAt(0);
    while (ids.has(String.fromCharCode(code)) && code < 'Z'.charCodeAt(0)) code += 1;
    const id = String.fromCharCode(code);
    const last = model.tiers.at(-1);
    const beforeLast = model.tiers.at(-2);
    const mid = beforeLast ? String(Math.round(Number(beforeLast.minScore) / 2)) : '50';
    const tiers = last
      ? [...model.tiers.slice(0, -1), { id, name: id, minScore: mid }, last]
      : [{ id, name: id, minScore: '0' }];
    onChange({ ...model, tiers });
  };
  return (
    <Card
      title={tt('tiering.thr.title')}
      className="kam-tier-section"
      extra={
        !readOnly ? (
          <Button icon={<PlusOutlined />} onClick={addTier} data-testid="threshold-add">
            {tt('tiering.thr.add')}
          </Button>
        ) : null
      }
    >
      <Typography.Paragraph type="secondary">{tt('tiering.thr.hint')}</Typography.Paragraph>
      <Alert
        type="info"
        showIcon
        className="kam-tier-boundary"
        title={locale === 'en' ? THRESHOLD_BOUNDARY_RULE.en : THRESHOLD_BOUNDARY_RULE.zh}
        data-testid="boundary-rule"
      />
      {model.tiers.map((tier, i) => {
        const last = i === model.tiers.length - 1;
        const path = `tiers.${i}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: tiers are positional (highest first); ids are edited here.
          <div className="kam-tier-threshold" key={i} data-testid={`threshold-${i}`}>
            <Form.Item label={tt('tiering.thr.id')} {...errorProps(errors, `${path}.id`)}>
              <Input
                value={tier.id}
                maxLength={32}
                disabled={readOnly}
                onChange={(e) => set(i, { id: e.target.value.trim() })}
                data-testid={`threshold-${i}-id`}
              />
            </Form.Item>
            <Form.Item label={tt('tiering.thr.name')} {...errorProps(errors, `${path}.name`)}>
              <Input
                value={tier.name}
                maxLength={64}
                disabled={readOnly}
                onChange={(e) => set(i, { name: e.target.value })}
                data-testid={`threshold-${i}-name`}
              />
            </Form.Item>
            <Form.Item label={tt('tiering.thr.minScore')} {...errorProps(errors, `${path}.minScore`)}>
              <Input
                value={tier.minScore}
                inputMode="decimal"
                prefix="≥"
                disabled={readOnly || last}
                onChange={(e) => set(i, { minScore: e.target.value.trim() })}
                data-testid={`threshold-${i}-min`}
              />
            </Form.Item>
            <Typography.Text className="kam-tier-range" data-testid={`threshold-${i}-range`}>
              {range(i)}
            </Typography.Text>
            {!readOnly && !last && model.tiers.length > 2 ? (
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                aria-label={tt('tiering.dim.remove')}
                onClick={() => onChange({ ...model, tiers: model.tiers.filter((_, j) => j !== i) })}
              />
            ) : null}
          </div>
        );
      })}
      {!ordered ? <Alert type="warning" showIcon title={tt('tiering.thr.order')} /> : null}
    </Card>
  );
}

export function blankWeighted(nameOf: (n: number) => string): WeightedModel {
  return {
    kind: 'weighted',
    dimensions: [
      {
        key: 'd1',
        name: nameOf(1),
        metric: 'revenue_12m',
        normaliser: { kind: 'percentile' },
        weight: '100',
        missingScore: '0',
      },
    ],
    tiers: [
      { id: 'A', name: 'A', minScore: '80' },
      { id: 'B', name: 'B', minScore: '60' },
      { id: 'C', name: 'C', minScore: '40' },
      { id: 'D', name: 'D', minScore: '0' },
    ],
    floors: [],
    caps: [],
    hysteresis: { downgradeAfterRuns: 3, downgradeMargin: '5' },
  };
}
