import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { type CriteriaModel, type CriteriaTier, modelTiers } from '@kam/domain';
import { Button, Card, Form, Input, Tag, Typography } from 'antd';
import type { TieringMetric } from '../../../components/tiering/api';
import { useTieringT } from '../../../i18n/tiering';
import { ConditionGroupEditor } from './ConditionGroupEditor';
import { errorProps, type FieldErrors } from './errors';
import { RulesEditor } from './RulesEditor';

interface Props {
  model: CriteriaModel;
  onChange: (next: CriteriaModel) => void;
  metrics: TieringMetric[];
  errors: FieldErrors;
  readOnly: boolean;
}

/** Criteria tiers: highest tier first, each with its condition group; the default tier at the bottom. */
export function CriteriaEditor({ model, onChange, metrics, errors, readOnly }: Props) {
  const tt = useTieringT();
  const set = (i: number, next: CriteriaTier) =>
    onChange({ ...model, tiers: model.tiers.map((t, j) => (j === i ? next : t)) });
  const move = (i: number, by: -1 | 1) => {
    const tiers = [...model.tiers];
    const [t] = tiers.splice(i, 1);
    if (t) tiers.splice(i + by, 0, t);
    onChange({ ...model, tiers });
  };
  const add = () => {
    const ids = new Set([...model.tiers.map((t) => t.id), model.defaultTier.id]);
    let n = model.tiers.length + 1;
    while (ids.has(`tier${n}`)) n += 1;
    onChange({
      ...model,
      tiers: [
        ...model.tiers,
        {
          id: `tier${n}`,
          name: `${n}`,
          when: { combine: 'all', conditions: [{ metric: 'revenue_12m', op: 'gte', value: '0' }] },
        },
      ],
    });
  };
  return (
    <>
      <Card
        title={tt('tiering.crit.title')}
        className="kam-tier-section"
        extra={
          !readOnly ? (
            <Button icon={<PlusOutlined />} onClick={add} data-testid="criteria-add">
              {tt('tiering.crit.addTier')}
            </Button>
          ) : null
        }
      >
        <Typography.Paragraph type="secondary">{tt('tiering.crit.hint')}</Typography.Paragraph>
        {model.tiers.map((tier, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: tiers are positional (evaluation order).
          <div className="kam-tier-criteria" key={i} data-testid={`criteria-${i}`}>
            <div className="kam-tier-inline">
              <Tag color="blue" className="kam-tier-rank">
                {i + 1}
              </Tag>
              <Form.Item label={tt('tiering.thr.name')} {...errorProps(errors, `tiers.${i}.name`)}>
                <Input
                  value={tier.name}
                  maxLength={64}
                  disabled={readOnly}
                  onChange={(e) => set(i, { ...tier, name: e.target.value })}
                  data-testid={`criteria-${i}-name`}
                />
              </Form.Item>
              <Form.Item label={tt('tiering.thr.id')} {...errorProps(errors, `tiers.${i}.id`)}>
                <Input
                  value={tier.id}
                  maxLength={32}
                  disabled={readOnly}
                  style={{ width: 120 }}
                  onChange={(e) => set(i, { ...tier, id: e.target.value.trim() })}
                />
              </Form.Item>
              {!readOnly ? (
                <span className="kam-tier-actions">
                  <Button
                    type="text"
                    icon={<ArrowUpOutlined />}
                    aria-label={tt('tiering.crit.moveUp')}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  />
                  <Button
                    type="text"
                    icon={<ArrowDownOutlined />}
                    aria-label={tt('tiering.crit.moveDown')}
                    disabled={i === model.tiers.length - 1}
                    onClick={() => move(i, 1)}
                  />
                  {model.tiers.length > 1 ? (
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={tt('tiering.dim.remove')}
                      onClick={() => onChange({ ...model, tiers: model.tiers.filter((_, j) => j !== i) })}
                    />
                  ) : null}
                </span>
              ) : null}
            </div>
            <ConditionGroupEditor
              group={tier.when}
              onChange={(when) => set(i, { ...tier, when })}
              metrics={metrics}
              errors={errors}
              path={`tiers.${i}.when`}
              readOnly={readOnly}
              testId={`criteria-${i}-group`}
            />
          </div>
        ))}
        <div className="kam-tier-criteria kam-tier-default" data-testid="criteria-default">
          <Typography.Text strong>{tt('tiering.crit.default')}</Typography.Text>
          <div className="kam-tier-inline">
            <Form.Item label={tt('tiering.thr.name')} {...errorProps(errors, 'defaultTier.name')}>
              <Input
                value={model.defaultTier.name}
                maxLength={64}
                disabled={readOnly}
                onChange={(e) =>
                  onChange({ ...model, defaultTier: { ...model.defaultTier, name: e.target.value } })
                }
              />
            </Form.Item>
            <Form.Item label={tt('tiering.thr.id')} {...errorProps(errors, 'defaultTier.id')}>
              <Input
                value={model.defaultTier.id}
                maxLength={32}
                disabled={readOnly}
                style={{ width: 120 }}
                onChange={(e) =>
                  onChange({ ...model, defaultTier: { ...model.defaultTier, id: e.target.value.trim() } })
                }
              />
            </Form.Item>
          </div>
        </div>
      </Card>
      <RulesEditor
        model={model}
        onChange={(next) => onChange(next as CriteriaModel)}
        metrics={metrics}
        errors={errors}
        readOnly={readOnly}
        tiers={modelTiers(model)}
        weighted={false}
      />
    </>
  );
}

export function blankCriteria(): CriteriaModel {
  return {
    kind: 'criteria',
    tiers: [
      {
        id: 'A',
        name: 'A',
        when: { combine: 'all', conditions: [{ metric: 'revenue_12m', op: 'gte', value: '2000000' }] },
      },
      {
        id: 'B',
        name: 'B',
        when: { combine: 'all', conditions: [{ metric: 'revenue_12m', op: 'gte', value: '500000' }] },
      },
    ],
    defaultTier: { id: 'C', name: 'C' },
    floors: [],
    caps: [],
    hysteresis: { downgradeAfterRuns: 3, downgradeMargin: null },
  };
}
