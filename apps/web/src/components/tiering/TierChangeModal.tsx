import { Alert, App, DatePicker, Form, Input, Modal, Select, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useTieringT } from '../../i18n/tiering';
import { approvalRequestsApi } from '../approvals/api';
import { refreshApprovalCounts } from '../approvals/counts';
import type { Decision, TierRef } from './api';

interface Props {
  open: boolean;
  customer: { id: string; name: string };
  /** The tier of record's decision for the customer. */
  decision: Decision;
  /** Tiers of the tier of record, highest first. */
  tiers: TierRef[];
  onClose: () => void;
  onDone: () => void;
}

interface Values {
  tier: string;
  until?: Dayjs | null;
  reason: string;
}

/**
 * "Request tier change": a `tier_change` approval request (apps/server/src/modules/tiering/approval.ts)
 * for the tier of record; once approved the manual tier overrides the model until the date or revoked.
 */
export function TierChangeModal({ open, customer, decision, tiers, onClose, onDone }: Props) {
  const tt = useTieringT();
  const { message } = App.useApp();
  const { showFormError } = useApiError();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    try {
      const detail = await approvalRequestsApi.submit({
        type: 'tier_change',
        customerId: customer.id,
        payload: {
          modelId: decision.modelId,
          tier: v.tier,
          until: v.until ? v.until.format('YYYY-MM-DD') : null,
        },
        reason: v.reason.trim(),
      });
      void refreshApprovalCounts();
      form.resetFields();
      onDone();
      void message.success({
        content: (
          <span data-testid="tier-request-submitted">
            {tt('tiering.req.submitted')}{' '}
            <Typography.Link
              onClick={() => navigate(`/approvals?box=submitted&id=${encodeURIComponent(detail.id)}`)}
            >
              {tt('tiering.req.view')}
            </Typography.Link>
          </span>
        ),
        duration: 6,
      });
    } catch (err) {
      showFormError(form, err, ['tier', 'until', 'reason'], { stripPrefix: 'payload.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={tt('tiering.req.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={tt('tiering.req.submit')}
      okButtonProps={{ loading: busy, id: 'tier-request-submit' }}
      width={isMobile ? '100%' : 520}
      destroyOnHidden
    >
      <Alert type="info" showIcon title={tt('tiering.req.intro')} style={{ marginBottom: 16 }} />
      <Typography.Paragraph>
        {customer.name} · {tt('tiering.req.current')}:{' '}
        <Typography.Text strong>{decision.tierName}</Typography.Text>
      </Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} preserve={false}>
        <Form.Item
          name="tier"
          label={tt('tiering.req.tier')}
          rules={[{ required: true, message: tt('tiering.req.tierRequired') }]}
        >
          <Select
            options={tiers.filter((t) => t.id !== decision.tier).map((t) => ({ value: t.id, label: t.name }))}
            data-testid="tier-request-tier"
          />
        </Form.Item>
        <Form.Item name="until" label={tt('tiering.req.until')}>
          <DatePicker
            style={{ width: '100%' }}
            disabledDate={(d) => d.isBefore(dayjs().startOf('day'))}
            data-testid="tier-request-until"
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={tt('tiering.req.reason')}
          rules={[{ required: true, whitespace: true, message: tt('tiering.req.reasonRequired') }]}
        >
          <Input.TextArea
            autoSize={{ minRows: 3, maxRows: 6 }}
            maxLength={2000}
            data-testid="tier-request-reason"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
