import type { RfmModel } from '@kam/domain';
import { Card, Form, InputNumber, Radio, Select, Typography } from 'antd';
import type { TieringMetric } from '../../../components/tiering/api';
import { useTieringT } from '../../../i18n/tiering';
import { useFormat } from '../../../i18n/useFormat';
import { errorProps, type FieldErrors } from './errors';

interface Props {
  model: RfmModel;
  onChange: (next: RfmModel) => void;
  metrics: TieringMetric[];
  errors: FieldErrors;
  readOnly: boolean;
}

/** RFM: window, bins, the high/low basis of the eight segments and the three metrics. */
export function RfmEditor({ model, onChange, metrics, errors, readOnly }: Props) {
  const tt = useTieringT();
  const { label } = useFormat();
  const numeric = metrics
    .filter((m) => m.kind !== 'category')
    .map((m) => ({ value: m.key, label: label(m.label, m.key), disabled: !m.available }));
  return (
    <Card title={tt('tiering.rfm.title')} className="kam-tier-section" data-testid="rfm-editor">
      <div className="kam-tier-inline">
        <Form.Item label={tt('tiering.rfm.window')} {...errorProps(errors, 'windowDays')}>
          <InputNumber
            min={1}
            max={3660}
            value={model.windowDays}
            disabled={readOnly}
            onChange={(v) => onChange({ ...model, windowDays: typeof v === 'number' ? v : 365 })}
            data-testid="rfm-window"
          />
        </Form.Item>
        <Form.Item
          label={tt('tiering.rfm.bins')}
          {...errorProps(errors, 'bins')}
          extra={tt('tiering.rfm.binsHint')}
        >
          <InputNumber
            min={2}
            max={10}
            value={model.bins}
            disabled={readOnly}
            onChange={(v) => onChange({ ...model, bins: typeof v === 'number' ? v : 5 })}
            data-testid="rfm-bins"
          />
        </Form.Item>
      </div>
      <Form.Item label={tt('tiering.rfm.basis')} {...errorProps(errors, 'segmentBasis')}>
        <Radio.Group
          value={model.segmentBasis}
          disabled={readOnly}
          onChange={(e) => onChange({ ...model, segmentBasis: e.target.value })}
          options={[
            { value: 'values', label: tt('tiering.rfm.basis.values') },
            { value: 'scores', label: tt('tiering.rfm.basis.scores') },
          ]}
        />
      </Form.Item>
      <Typography.Text strong>{tt('tiering.rfm.metrics')}</Typography.Text>
      <div className="kam-tier-inline">
        {(['recency', 'frequency', 'monetary'] as const).map((k) => (
          <Form.Item key={k} label={tt(`tiering.rfm.${k}`)} {...errorProps(errors, `metrics.${k}`)}>
            <Select
              value={model.metrics[k]}
              options={numeric}
              disabled={readOnly}
              style={{ minWidth: 180 }}
              onChange={(v: string) => onChange({ ...model, metrics: { ...model.metrics, [k]: v } })}
            />
          </Form.Item>
        ))}
      </div>
    </Card>
  );
}

export const BLANK_RFM: RfmModel = {
  kind: 'rfm',
  windowDays: 365,
  bins: 5,
  metrics: { recency: 'recency_days', frequency: 'order_count', monetary: 'revenue_12m' },
  segmentBasis: 'values',
};
