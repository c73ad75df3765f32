import { Form, Modal, Select, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import { type ManualMetric, tieringApi } from './api';
import { useTierLabels } from './labels';

interface Props {
  open: boolean;
  customerId: string;
  items: ManualMetric[];
  onClose: () => void;
  onSaved: (items: ManualMetric[]) => void;
}

const NONE = '__none__';

/** Edit the metrics people assess (strategic value 1–5, industry influence, growth potential). */
export function ManualMetricsModal({ open, customerId, items, onClose, onSaved }: Props) {
  const tt = useTieringT();
  const { label, dateTime } = useFormat();
  const { category } = useTierLabels();
  const { showFormError, handleConflict } = useApiError();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<Record<string, string>>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) form.setFieldsValue(Object.fromEntries(items.map((m) => [m.metric, m.value ?? NONE])));
  }, [open, items, form]);

  const submit = async (values: Record<string, string>) => {
    const changed: Record<string, { value: string | number | null; version: number | null }> = {};
    for (const m of items) {
      const next = values[m.metric] === NONE || values[m.metric] === undefined ? null : values[m.metric];
      if (next !== m.value) changed[m.metric] = { value: next ?? null, version: m.version };
    }
    if (Object.keys(changed).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    try {
      const r = await tieringApi.setManualMetrics(customerId, changed);
      onSaved(r.items);
    } catch (err) {
      if (!handleConflict(err))
        showFormError(
          form,
          err,
          items.map((m) => m.metric),
          { stripPrefix: 'values.', fieldAlias: {} },
        );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={tt('tiering.manual.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy, id: 'manual-metrics-submit' }}
      width={isMobile ? '100%' : 480}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        {items.map((m) => {
          const options =
            m.kind === 'category'
              ? (m.categories ?? []).map((c) => ({ value: c, label: category(c) }))
              : ['1', '2', '3', '4', '5'].map((v) => ({ value: v, label: v }));
          return (
            <Form.Item
              key={m.metric}
              name={m.metric}
              label={label(m.label, m.metric)}
              extra={
                <>
                  {m.kind !== 'category' ? <div>{tt('tiering.manual.strategicHint')}</div> : null}
                  {m.setByName ? (
                    <Typography.Text type="secondary">
                      {tt('tiering.card.setBy', { who: m.setByName, time: dateTime(m.setAt) })}
                    </Typography.Text>
                  ) : null}
                </>
              }
            >
              <Select
                options={[{ value: NONE, label: tt('tiering.card.notSet') }, ...options]}
                data-testid={`manual-${m.metric}`}
              />
            </Form.Item>
          );
        })}
      </Form>
    </Modal>
  );
}
