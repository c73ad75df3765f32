import type { ClvModel } from '@kam/domain';
import { Alert, Card, Form, Input, InputNumber, Typography } from 'antd';
import '../../../components/tiering/clv.css';
import { useTieringT } from '../../../i18n/tiering';
import { errorProps, type FieldErrors } from './errors';

interface Props {
  model: ClvModel;
  onChange: (next: ClvModel) => void;
  errors: FieldErrors;
  readOnly: boolean;
}

/**
 * Customer lifetime value (decision 0019): the historical window and expected lifetime, and the BG/NBD /
 * Gamma-Gamma settings (time unit, horizon, margin rate), each with the formula it enters. Decimals
 * (lifetime, margin rate) stay strings, as everywhere in the editor.
 */
export function ClvEditor({ model, onChange, errors, readOnly }: Props) {
  const tt = useTieringT();
  const h = model.historical;
  const p = model.probabilistic;
  const setH = (next: Partial<ClvModel['historical']>) =>
    onChange({ ...model, historical: { ...h, ...next } });
  const setP = (next: Partial<ClvModel['probabilistic']>) =>
    onChange({ ...model, probabilistic: { ...p, ...next } });
  const int = (v: number | string | null, fallback: number) => (typeof v === 'number' ? v : fallback);
  return (
    <div data-testid="clv-editor">
      <Card title={tt('tiering.clv.historicalTitle')} className="kam-tier-section">
        <Typography.Paragraph className="kam-tier-formula" data-testid="clv-historical-formula">
          {tt('tiering.clv.historicalFormula')}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
          {tt('tiering.clv.historicalHint')}
        </Typography.Paragraph>
        <div className="kam-tier-inline">
          <Form.Item label={tt('tiering.clv.window')} {...errorProps(errors, 'historical.windowDays')}>
            <InputNumber
              min={1}
              max={3660}
              value={h.windowDays}
              disabled={readOnly}
              onChange={(v) => setH({ windowDays: int(v, 365) })}
              data-testid="clv-window"
            />
          </Form.Item>
          <Form.Item label={tt('tiering.clv.lifetime')} {...errorProps(errors, 'historical.lifetimeYears')}>
            <Input
              inputMode="decimal"
              value={h.lifetimeYears}
              disabled={readOnly}
              style={{ width: 120 }}
              onChange={(e) => setH({ lifetimeYears: e.target.value.trim() })}
              data-testid="clv-lifetime"
            />
          </Form.Item>
        </div>
      </Card>
      <Card title={tt('tiering.clv.probTitle')} className="kam-tier-section">
        <Typography.Paragraph className="kam-tier-formula" data-testid="clv-expected-formula">
          {tt('tiering.clv.probFormula')}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
          {tt('tiering.clv.probHint')}
        </Typography.Paragraph>
        <div className="kam-tier-inline">
          <Form.Item
            label={tt('tiering.clv.timeUnit')}
            extra={tt('tiering.clv.timeUnitHint')}
            {...errorProps(errors, 'probabilistic.timeUnitDays')}
          >
            <InputNumber
              min={1}
              max={366}
              value={p.timeUnitDays}
              disabled={readOnly}
              onChange={(v) => setP({ timeUnitDays: int(v, 7) })}
              data-testid="clv-time-unit"
            />
          </Form.Item>
          <Form.Item
            label={tt('tiering.clv.horizon')}
            extra={tt('tiering.clv.horizonHint')}
            {...errorProps(errors, 'probabilistic.horizonUnits')}
          >
            <InputNumber
              min={1}
              max={10000}
              value={p.horizonUnits}
              disabled={readOnly}
              onChange={(v) => setP({ horizonUnits: int(v, 52) })}
              data-testid="clv-horizon"
            />
          </Form.Item>
          <Form.Item
            label={tt('tiering.clv.marginRate')}
            extra={tt('tiering.clv.marginRateHint')}
            {...errorProps(errors, 'probabilistic.marginRate')}
          >
            <Input
              inputMode="decimal"
              value={p.marginRate}
              disabled={readOnly}
              style={{ width: 120 }}
              onChange={(e) => setP({ marginRate: e.target.value.trim() })}
              data-testid="clv-margin-rate"
            />
          </Form.Item>
        </div>
      </Card>
      <Alert type="info" showIcon className="kam-tier-section" title={tt('tiering.clv.metricsHint')} />
    </div>
  );
}

export const BLANK_CLV: ClvModel = {
  kind: 'clv',
  historical: { windowDays: 365, lifetimeYears: '3' },
  probabilistic: { timeUnitDays: 7, horizonUnits: 52, marginRate: '1' },
};
