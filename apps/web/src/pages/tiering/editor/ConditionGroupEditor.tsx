import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ComparisonOp, ConditionGroup, MetricCondition } from '@kam/domain';
import { Button, Form, Input, InputNumber, Select, Typography } from 'antd';
import type { TieringMetric } from '../../../components/tiering/api';
import { useTierLabels } from '../../../components/tiering/labels';
import { type TieringKey, useTieringT } from '../../../i18n/tiering';
import { useFormat } from '../../../i18n/useFormat';
import { errorProps, type FieldErrors } from './errors';

const NUMERIC_OPS: ComparisonOp[] = ['gte', 'gt', 'lte', 'lt', 'eq', 'ne'];
const CATEGORY_OPS: ComparisonOp[] = ['eq', 'ne', 'in', 'not_in'];

interface Props {
  group: ConditionGroup;
  onChange: (next: ConditionGroup) => void;
  metrics: TieringMetric[];
  errors: FieldErrors;
  /** Path of the group in the definition, e.g. `tiers.0.when`. */
  path: string;
  readOnly: boolean;
  testId: string;
}

/** A condition for a newly picked metric: "≥ 0" for numbers, "= first category" for categories. */
function conditionFor(metric: TieringMetric | undefined, key: string): MetricCondition {
  if (metric?.kind === 'category') return { metric: key, op: 'eq', value: metric.categories?.[0] ?? '' };
  return { metric: key, op: 'gte', value: '0' };
}

/** all of / any of / at least k of n conditions on metrics. */
export function ConditionGroupEditor({ group, onChange, metrics, errors, path, readOnly, testId }: Props) {
  const tt = useTieringT();
  const n = group.conditions.length;
  const setCondition = (i: number, next: MetricCondition) =>
    onChange({ ...group, conditions: group.conditions.map((c, j) => (j === i ? next : c)) });
  const remove = (i: number) => {
    const conditions = group.conditions.filter((_, j) => j !== i);
    const atLeast =
      group.combine === 'at_least' ? Math.min(group.atLeast ?? 1, Math.max(1, conditions.length)) : undefined;
    onChange({ ...group, conditions, ...(atLeast !== undefined ? { atLeast } : {}) });
  };
  return (
    <div className="kam-tier-group" data-testid={testId}>
      <div className="kam-tier-inline kam-tier-combine">
        <Form.Item {...errorProps(errors, `${path}.combine`)} {...errorProps(errors, `${path}.atLeast`)}>
          <Select
            value={group.combine}
            disabled={readOnly}
            style={{ minWidth: 120 }}
            options={(['all', 'any', 'at_least'] as const).map((c) => ({
              value: c,
              label: tt(`tiering.group.${c}`),
            }))}
            onChange={(combine) => {
              const { atLeast: _drop, ...rest } = group;
              onChange(
                combine === 'at_least'
                  ? { ...rest, combine, atLeast: Math.max(1, n - 1) }
                  : { ...rest, combine },
              );
            }}
            data-testid={`${testId}-combine`}
          />
        </Form.Item>
        {group.combine === 'at_least' ? (
          <>
            <InputNumber
              min={1}
              max={Math.max(1, n)}
              value={group.atLeast ?? 1}
              disabled={readOnly}
              onChange={(v) => onChange({ ...group, atLeast: typeof v === 'number' ? v : 1 })}
              data-testid={`${testId}-k`}
            />
            <Typography.Text>{tt('tiering.group.ofN', { n })}</Typography.Text>
          </>
        ) : null}
      </div>
      {errors[`${path}.conditions`] ? (
        <Typography.Text type="danger">{errors[`${path}.conditions`]?.join('；')}</Typography.Text>
      ) : null}
      {group.conditions.map((c, i) => (
        <ConditionRow
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions are positional.
          key={i}
          condition={c}
          metrics={metrics}
          errors={errors}
          path={`${path}.conditions.${i}`}
          readOnly={readOnly}
          testId={`${testId}-cond-${i}`}
          onChange={(next) => setCondition(i, next)}
          onRemove={n > 1 ? () => remove(i) : undefined}
        />
      ))}
      {!readOnly ? (
        <Button
          type="dashed"
          size="small"
          icon={<PlusOutlined />}
          onClick={() =>
            onChange({
              ...group,
              conditions: [
                ...group.conditions,
                conditionFor(
                  metrics.find((m) => m.key === 'revenue_12m'),
                  'revenue_12m',
                ),
              ],
            })
          }
          data-testid={`${testId}-add`}
        >
          {tt('tiering.group.addCondition')}
        </Button>
      ) : null}
    </div>
  );
}

function ConditionRow({
  condition: c,
  metrics,
  errors,
  path,
  readOnly,
  testId,
  onChange,
  onRemove,
}: {
  condition: MetricCondition;
  metrics: TieringMetric[];
  errors: FieldErrors;
  path: string;
  readOnly: boolean;
  testId: string;
  onChange: (next: MetricCondition) => void;
  onRemove?: () => void;
}) {
  const tt = useTieringT();
  const { label } = useFormat();
  const { category, metricValue } = useTierLabels();
  const metric = metrics.find((m) => m.key === c.metric);
  const isCategory = metric?.kind === 'category';
  const ops = isCategory ? CATEGORY_OPS : NUMERIC_OPS;
  const listOp = c.op === 'in' || c.op === 'not_in';

  const setOp = (op: ComparisonOp) => {
    if (op === 'in' || op === 'not_in') {
      const list = Array.isArray(c.value) ? c.value : typeof c.value === 'string' && c.value ? [c.value] : [];
      onChange({ metric: c.metric, op, value: list });
    } else {
      const single = Array.isArray(c.value) ? (c.value[0] ?? '') : String(c.value);
      onChange({ metric: c.metric, op, value: single } as MetricCondition);
    }
  };

  let valueInput: React.ReactNode;
  if (isCategory) {
    const options = (metric?.categories ?? []).map((v) => ({ value: v, label: category(v) }));
    valueInput = listOp ? (
      <Select
        mode="multiple"
        value={Array.isArray(c.value) ? c.value : []}
        options={options}
        disabled={readOnly}
        style={{ minWidth: 140 }}
        onChange={(value: string[]) => onChange({ metric: c.metric, op: c.op as 'in' | 'not_in', value })}
        data-testid={`${testId}-value`}
      />
    ) : (
      <Select
        value={typeof c.value === 'string' ? c.value : undefined}
        options={options}
        disabled={readOnly}
        style={{ minWidth: 100 }}
        onChange={(value: string) => onChange({ metric: c.metric, op: c.op as 'eq' | 'ne', value })}
        data-testid={`${testId}-value`}
      />
    );
  } else {
    const text = Array.isArray(c.value) ? c.value.join(',') : String(c.value);
    valueInput = (
      <Input
        value={text}
        inputMode="decimal"
        disabled={readOnly}
        style={{ width: 140 }}
        onChange={(e) => {
          const v = e.target.value.trim();
          onChange(
            listOp
              ? {
                  metric: c.metric,
                  op: c.op as 'in' | 'not_in',
                  value: v
                    .split(/[,，]/)
                    .map((x) => x.trim())
                    .filter(Boolean),
                }
              : ({ metric: c.metric, op: c.op, value: v } as MetricCondition),
          );
        }}
        data-testid={`${testId}-value`}
      />
    );
  }
  const readable =
    !isCategory && !listOp && typeof c.value === 'string' && c.value !== ''
      ? metricValue(metrics, c.metric, c.value)
      : null;

  return (
    <div className="kam-tier-condition" data-testid={testId}>
      <Form.Item {...errorProps(errors, `${path}.metric`)}>
        <Select
          value={c.metric || undefined}
          disabled={readOnly}
          style={{ minWidth: 180 }}
          placeholder={tt('tiering.dim.metricPlaceholder')}
          showSearch={{ optionFilterProp: 'search' }}
          options={metrics.map((m) => ({
            value: m.key,
            label: label(m.label, m.key),
            search: `${label(m.label, m.key)} ${m.key}`,
            disabled: !m.available,
          }))}
          onChange={(key: string) => {
            const next = metrics.find((m) => m.key === key);
            onChange(
              (next?.kind === 'category') === isCategory ? { ...c, metric: key } : conditionFor(next, key),
            );
          }}
          data-testid={`${testId}-metric`}
        />
      </Form.Item>
      <Form.Item {...errorProps(errors, `${path}.op`)}>
        <Select
          value={c.op}
          disabled={readOnly}
          style={{ minWidth: 96 }}
          options={ops.map((op) => ({ value: op, label: tt(`tiering.op.${op}` as TieringKey) }))}
          onChange={setOp}
          data-testid={`${testId}-op`}
        />
      </Form.Item>
      <Form.Item
        {...errorProps(errors, `${path}.value`)}
        extra={readable && readable !== c.value ? readable : undefined}
      >
        {valueInput}
      </Form.Item>
      {onRemove && !readOnly ? (
        <Button
          type="text"
          danger
          icon={<DeleteOutlined />}
          aria-label={tt('tiering.dim.remove')}
          onClick={onRemove}
        />
      ) : null}
    </div>
  );
}
