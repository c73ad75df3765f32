import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { CriteriaModel, TierDef, TierRule, WeightedModel } from '@kam/domain';
import { Button, Card, Checkbox, Form, Input, InputNumber, Select, Typography } from 'antd';
import type { TieringMetric } from '../../../components/tiering/api';
import { useTieringT } from '../../../i18n/tiering';
import { ConditionGroupEditor } from './ConditionGroupEditor';
import { errorProps, type FieldErrors } from './errors';

type RuleModel = WeightedModel | CriteriaModel;

interface Props {
  model: RuleModel;
  onChange: (next: RuleModel) => void;
  metrics: TieringMetric[];
  errors: FieldErrors;
  readOnly: boolean;
  /** The model's tiers, highest first. */
  tiers: TierDef[];
  /** Weighted models have the margin rule of hysteresis. */
  weighted: boolean;
}

/** Floors (at least X while …), caps (at most Y while …) and hysteresis of a weighted or criteria model. */
export function RulesEditor({ model, onChange, metrics, errors, readOnly, tiers, weighted }: Props) {
  const tt = useTieringT();
  const tierOptions = tiers.map((t) => ({ value: t.id, label: t.name || t.id }));

  const list = (which: 'floors' | 'caps') => {
    const rules = model[which];
    const set = (i: number, next: TierRule) =>
      onChange({ ...model, [which]: rules.map((r, j) => (j === i ? next : r)) });
    const add = () => {
      const ids = new Set(rules.map((r) => r.id));
      let n = rules.length + 1;
      while (ids.has(`${which}${n}`)) n += 1;
      onChange({
        ...model,
        [which]: [
          ...rules,
          {
            id: `${which}${n}`,
            name: tt(which === 'floors' ? 'tiering.rules.floorDefault' : 'tiering.rules.capDefault', { n }),
            tier: (which === 'floors' ? tiers.at(-2) : tiers[1])?.id ?? tiers[0]?.id ?? '',
            when: { combine: 'all', conditions: [{ metric: 'revenue_12m', op: 'gt', value: '10000000' }] },
          },
        ],
      });
    };
    return (
      <div className="kam-tier-rules" data-testid={`rules-${which}`}>
        <Typography.Text strong>
          {tt(which === 'floors' ? 'tiering.rules.floors' : 'tiering.rules.caps')}
        </Typography.Text>
        {rules.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules are positional.
          <div className="kam-tier-rule" key={i}>
            <div className="kam-tier-inline">
              <Form.Item
                label={tt('tiering.rules.name')}
                {...errorProps(errors, `${which}.${i}.name`)}
                {...errorProps(errors, `${which}.${i}.id`)}
              >
                <Input
                  value={r.name}
                  maxLength={64}
                  disabled={readOnly}
                  onChange={(e) => set(i, { ...r, name: e.target.value })}
                />
              </Form.Item>
              <Form.Item
                label={tt(which === 'floors' ? 'tiering.rules.atLeastTier' : 'tiering.rules.atMostTier')}
                {...errorProps(errors, `${which}.${i}.tier`)}
              >
                <Select
                  value={r.tier}
                  options={tierOptions}
                  disabled={readOnly}
                  style={{ minWidth: 120 }}
                  onChange={(tier: string) => set(i, { ...r, tier })}
                />
              </Form.Item>
              {!readOnly ? (
                <Button
                  type="text"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={tt('tiering.dim.remove')}
                  onClick={() => onChange({ ...model, [which]: rules.filter((_, j) => j !== i) })}
                />
              ) : null}
            </div>
            <ConditionGroupEditor
              group={r.when}
              onChange={(when) => set(i, { ...r, when })}
              metrics={metrics}
              errors={errors}
              path={`${which}.${i}.when`}
              readOnly={readOnly}
              testId={`${which}-${i}`}
            />
          </div>
        ))}
        {!readOnly ? (
          <Button size="small" icon={<PlusOutlined />} onClick={add}>
            {tt(which === 'floors' ? 'tiering.rules.addFloor' : 'tiering.rules.addCap')}
          </Button>
        ) : null}
      </div>
    );
  };

  const h = model.hysteresis;
  return (
    <Card title={tt('tiering.rules.title')} className="kam-tier-section" data-testid="rules-card">
      {list('floors')}
      {list('caps')}
      <div className="kam-tier-rules">
        <Typography.Text strong>{tt('tiering.rules.hysteresis')}</Typography.Text>
        <Typography.Paragraph type="secondary">{tt('tiering.rules.hysteresisHint')}</Typography.Paragraph>
        <div className="kam-tier-inline">
          <Form.Item
            label={tt('tiering.rules.afterRuns')}
            {...errorProps(errors, 'hysteresis.downgradeAfterRuns')}
          >
            <InputNumber
              min={1}
              max={24}
              value={h.downgradeAfterRuns}
              disabled={readOnly}
              onChange={(v) =>
                onChange({
                  ...model,
                  hysteresis: { ...h, downgradeAfterRuns: typeof v === 'number' ? v : 1 },
                })
              }
              data-testid="hysteresis-runs"
            />
          </Form.Item>
          {weighted ? (
            <Form.Item
              label={tt('tiering.rules.margin')}
              {...errorProps(errors, 'hysteresis.downgradeMargin')}
            >
              <div className="kam-tier-inline">
                <Input
                  value={h.downgradeMargin ?? ''}
                  inputMode="decimal"
                  disabled={readOnly || h.downgradeMargin === null}
                  style={{ width: 100 }}
                  onChange={(e) =>
                    onChange({ ...model, hysteresis: { ...h, downgradeMargin: e.target.value.trim() } })
                  }
                />
                <Checkbox
                  checked={h.downgradeMargin === null}
                  disabled={readOnly}
                  onChange={(e) =>
                    onChange({
                      ...model,
                      hysteresis: { ...h, downgradeMargin: e.target.checked ? null : '5' },
                    })
                  }
                >
                  {tt('tiering.rules.noMargin')}
                </Checkbox>
              </div>
            </Form.Item>
          ) : null}
        </div>
      </div>
    </Card>
  );
}
