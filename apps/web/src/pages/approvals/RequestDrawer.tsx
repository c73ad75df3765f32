import {
  CheckOutlined,
  CloseOutlined,
  EditOutlined,
  RollbackOutlined,
  SendOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { isApiError } from '../../api/api';
import {
  approvalRequestsApi,
  type RequestDetail,
  type RequestHistoryEntry,
  type RequestStep,
  type UserRef,
} from '../../components/approvals/api';
import { markRequestNotificationsRead, refreshApprovalCounts } from '../../components/approvals/counts';
import {
  SEAT_COLORS,
  STATUS_COLORS,
  STEP_COLORS,
  useApprovalLabels,
} from '../../components/approvals/labels';
import { RequestFormModal } from '../../components/approvals/RequestFormModal';
import { LoadError } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { type ApprovalsKey, useApprovalsT } from '../../i18n/approvals';
import { useFormat } from '../../i18n/useFormat';
import { formatMoney } from '../../utils/money';

type Decision = 'approve' | 'reject' | 'return';

const names = (users: UserRef[]) => users.map((u) => u.displayName).join('、');

/** Payload keys shown with a label (others fall back to their key); ids are not shown. */
const PAYLOAD_LABELS: Record<string, ApprovalsKey> = {
  title: 'approvals.contractTitle',
  name: 'approvals.customerName',
  creditCode: 'approvals.creditCode',
  toOwnerName: 'approvals.newOwner',
  includeOpenFollowUps: 'approvals.includeOpenFollowUps',
  tierName: 'approvals.targetTier',
  fromTier: 'approvals.fromTier',
  until: 'approvals.until',
  discountPercent: 'approvals.discountPercent',
  amount: 'approvals.amount',
  reference: 'approvals.reference',
  startDate: 'approvals.startDate',
  endDate: 'approvals.endDate',
  industry: 'approvals.industry',
  provinceCode: 'approvals.provinceCode',
  source: 'approvals.source',
  note: 'approvals.note',
};

function PayloadList({ payload }: { payload: Record<string, unknown> }) {
  const ta = useApprovalsT();
  const order = Object.keys(PAYLOAD_LABELS);
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  const items = Object.entries(payload)
    .sort(([a], [b]) => rank(a) - rank(b))
    .filter(
      ([key, value]) =>
        value !== null &&
        value !== undefined &&
        typeof value !== 'object' &&
        !/Id$/.test(key) &&
        // The tier's code when its name is there too.
        !(key === 'tier' && 'tierName' in payload),
    )
    .map(([key, value]) => {
      let text: ReactNode = String(value);
      if (typeof value === 'boolean') text = value ? ta('approvals.true') : ta('approvals.false');
      else if (key === 'amount' && typeof value === 'string') text = formatMoney(value);
      else if (key === 'discountPercent') text = `${String(value)}%`;
      const labelKey = PAYLOAD_LABELS[key];
      return { key, label: labelKey ? ta(labelKey) : key, children: text };
    });
  if (items.length === 0) return null;
  return <Descriptions size="small" column={1} bordered items={items} data-testid="request-payload" />;
}

function StepsTimeline({ steps }: { steps: RequestStep[] }) {
  const ta = useApprovalsT();
  const labels = useApprovalLabels();
  const fmt = useFormat();
  return (
    <Timeline
      className="kam-request-steps"
      data-testid="request-steps"
      items={steps.map((step) => {
        const color =
          step.status === 'approved'
            ? 'green'
            : step.status === 'rejected'
              ? 'red'
              : step.status === 'active'
                ? 'blue'
                : step.status === 'returned'
                  ? 'orange'
                  : 'gray';
        const overdue = step.status === 'active' && step.dueAt && Date.parse(step.dueAt) < Date.now();
        return {
          key: step.stepId,
          color,
          content: (
            <div className="kam-request-step" data-testid="request-step" data-status={step.status}>
              <div className="kam-request-step-head">
                <Typography.Text strong>{step.name}</Typography.Text>
                <Tag color={STEP_COLORS[step.status]}>{labels.stepStatus(step.status)}</Tag>
                {step.seats.length > 1 ? (
                  <Typography.Text type="secondary">{ta(`approvals.mode.${step.mode}`)}</Typography.Text>
                ) : null}
              </div>
              {step.seats.map((seat) => (
                <div
                  key={[...seat.actsFor, ...seat.holders].map((u) => u.id).join(',')}
                  className="kam-request-seat"
                >
                  <span>
                    {names(seat.holders)}
                    {seat.escalations > 0 ? (
                      <Typography.Text type="secondary"> {ta('approvals.escalatedHolders')}</Typography.Text>
                    ) : null}
                  </span>
                  <Tag color={SEAT_COLORS[seat.status]} variant="filled">
                    {labels.seatStatus(seat.status)}
                  </Tag>
                  {seat.decidedAt ? (
                    <Typography.Text type="secondary">
                      {/* Name the decider only when someone else than the approver decided (delegate, escalation). */}
                      {seat.decidedBy &&
                      (seat.holders.length > 1 || seat.decidedBy.id !== seat.holders[0]?.id)
                        ? `${seat.decidedBy.displayName} · `
                        : ''}
                      {fmt.dateTime(seat.decidedAt)}
                    </Typography.Text>
                  ) : null}
                </div>
              ))}
              {step.status === 'active' && step.dueAt ? (
                <Typography.Text type={overdue ? 'danger' : 'secondary'}>
                  {overdue ? `${ta('approvals.overdue')} · ` : ''}
                  {ta('approvals.dueAt', { time: fmt.dateTime(step.dueAt) })}
                </Typography.Text>
              ) : null}
            </div>
          ),
        };
      })}
    />
  );
}

function HistoryTimeline({ history }: { history: RequestHistoryEntry[] }) {
  const ta = useApprovalsT();
  const fmt = useFormat();
  return (
    <Timeline
      className="kam-request-history"
      data-testid="request-history"
      items={[...history].reverse().map((h, i) => ({
        key: `${h.at}-${i}`,
        color:
          h.action === 'approved'
            ? 'green'
            : h.action === 'rejected'
              ? 'red'
              : h.action === 'returned' || h.action === 'timed_out'
                ? 'orange'
                : 'gray',
        content: (
          <div className="kam-request-history-item" data-testid="history-item" data-action={h.action}>
            <div>
              <Typography.Text strong>{h.by?.displayName ?? ta('approvals.system')}</Typography.Text>{' '}
              {ta(`approvals.action.${h.action}`)}
              {h.stepName && h.action !== 'commented' ? (
                <Typography.Text type="secondary"> · {h.stepName}</Typography.Text>
              ) : null}
              {h.onBehalfOf.length > 0 ? (
                <Typography.Text type="secondary">
                  {' '}
                  ({ta('approvals.onBehalfOf', { names: names(h.onBehalfOf) })})
                </Typography.Text>
              ) : null}
            </div>
            {h.text ? <div className="kam-request-history-text">{h.text}</div> : null}
            <Typography.Text type="secondary" className="kam-request-history-time">
              {fmt.dateTime(h.at)}
              {h.round > 1 ? ` · ${ta('approvals.round', { round: h.round })}` : ''}
            </Typography.Text>
          </div>
        ),
      }))}
    />
  );
}

/** The final outcome in one line, with the deciding reason (e.g. why it was rejected). */
function Outcome({ detail }: { detail: RequestDetail }) {
  const ta = useApprovalsT();
  if (detail.status === 'pending') return null;
  const action = detail.status === 'approved' ? 'approved' : detail.status;
  const last = [...detail.history].reverse().find((h) => h.action === action);
  const type = { approved: 'success', rejected: 'error', returned: 'warning', withdrawn: 'info' } as const;
  return (
    <Alert
      type={type[detail.status]}
      showIcon
      data-testid="request-outcome"
      title={`${ta(`approvals.outcome.${detail.status}`)}${last?.by ? ` · ${last.by.displayName}` : ''}`}
      description={
        last?.text && detail.status !== 'approved'
          ? ta('approvals.outcome.reason', { reason: last.text })
          : undefined
      }
    />
  );
}

export interface RequestDrawerProps {
  id: string | null;
  onClose: () => void;
  /** After any change (the list reloads). */
  onChanged: () => void;
}

/** A request in full: summary, details, the steps with their approvers, history, comments, and the actions I may take. */
export function RequestDrawer({ id, onClose, onChanged }: RequestDrawerProps) {
  const ta = useApprovalsT();
  const labels = useApprovalLabels();
  const fmt = useFormat();
  const isMobile = useIsMobile();
  const { message, modal } = App.useApp();
  const { showError } = useApiError();
  const [detail, setDetail] = useState<RequestDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [resubmitting, setResubmitting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [comment, setComment] = useState('');
  const [form] = Form.useForm<{ text: string }>();

  const load = useCallback(async (requestId: string) => {
    try {
      setDetail(await approvalRequestsApi.get(requestId));
      setError(null);
      void markRequestNotificationsRead(requestId);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    setDetail(null);
    setError(null);
    setComment('');
    if (id) void load(id);
  }, [id, load]);

  const changed = (next: RequestDetail, doneKey: ApprovalsKey) => {
    setDetail(next);
    void message.success(ta(doneKey));
    void refreshApprovalCounts();
    onChanged();
  };

  const failed = (err: unknown) => {
    showError(err);
    // Someone else decided first, or the request moved on: show it as it is now.
    if (id && isApiError(err) && err.status === 409) void load(id);
  };

  const decide = async (kind: Decision, text: string) => {
    if (!detail) return;
    setBusy(true);
    try {
      const next =
        kind === 'approve'
          ? await approvalRequestsApi.approve(detail.id, text.trim() || undefined)
          : kind === 'reject'
            ? await approvalRequestsApi.reject(detail.id, text.trim())
            : await approvalRequestsApi.return(detail.id, text.trim());
      setDecision(null);
      changed(next, `approvals.done.${kind}`);
    } catch (err) {
      failed(err);
      if (isApiError(err) && err.status === 409) setDecision(null);
    } finally {
      setBusy(false);
    }
  };

  const withdraw = () => {
    if (!detail) return;
    modal.confirm({
      title: ta('approvals.withdraw'),
      content: ta('approvals.withdrawConfirm'),
      okButtonProps: { danger: true, id: 'withdraw-confirm' },
      okText: ta('approvals.withdraw'),
      onOk: async () => {
        try {
          changed(await approvalRequestsApi.withdraw(detail.id), 'approvals.done.withdraw');
        } catch (err) {
          failed(err);
        }
      },
    });
  };

  const sendComment = async () => {
    if (!detail || !comment.trim()) return;
    setBusy(true);
    try {
      const next = await approvalRequestsApi.comment(detail.id, comment.trim());
      setComment('');
      changed(next, 'approvals.done.comment');
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (decision) form.resetFields();
  }, [decision, form]);

  let body: ReactNode;
  if (error) {
    body =
      isApiError(error) && (error.status === 404 || error.status === 403) ? (
        <Empty description={ta('approvals.notFound')} />
      ) : (
        <LoadError error={error} onRetry={() => id && void load(id)} />
      );
  } else if (!detail) {
    body = (
      <div className="kam-center-pad">
        <Spin />
      </div>
    );
  } else {
    const comments = detail.history.filter((h) => h.action === 'commented');
    body = (
      <div className="kam-request" data-testid="request-detail" data-status={detail.status}>
        <div className="kam-request-head">
          <Space wrap size={8}>
            <Tag color="blue" variant="filled">
              {labels.typeLabel(detail.type, detail.typeLabel)}
            </Tag>
            <Tag color={STATUS_COLORS[detail.status]} data-testid="request-status">
              {labels.status(detail.status)}
            </Tag>
          </Space>
          <Typography.Title level={5} className="kam-request-summary" data-testid="request-summary">
            {detail.summary}
          </Typography.Title>
        </div>
        <Outcome detail={detail} />
        <Descriptions
          size="small"
          column={isMobile ? 1 : 2}
          className="kam-request-meta"
          items={[
            {
              key: 'requester',
              label: ta('approvals.requester'),
              children: `${detail.requester.displayName}${
                detail.requester.departmentName ? ` · ${detail.requester.departmentName}` : ''
              }`,
            },
            {
              key: 'customer',
              label: ta('approvals.customer'),
              children: detail.customer ? (
                <Link to={`/customers/${detail.customer.id}`}>{detail.customer.name}</Link>
              ) : (
                '—'
              ),
            },
            {
              key: 'submittedAt',
              label: ta('approvals.submittedAt'),
              children: fmt.dateTime(detail.submittedAt),
            },
            {
              key: 'version',
              label: ta('approvals.flowVersion'),
              children: `${ta('approvals.versionValue', { version: detail.flowVersion })}${
                detail.round > 1 ? ` · ${ta('approvals.round', { round: detail.round })}` : ''
              }`,
            },
            ...(detail.finishedAt
              ? [
                  {
                    key: 'finishedAt',
                    label: ta('approvals.finishedAt'),
                    children: fmt.dateTime(detail.finishedAt),
                  },
                ]
              : []),
          ]}
        />
        <Typography.Title level={5} className="kam-request-section">
          {ta('approvals.reason')}
        </Typography.Title>
        <Typography.Paragraph className="kam-request-reason" data-testid="request-reason-text">
          {detail.reason}
        </Typography.Paragraph>
        <PayloadList payload={detail.payload} />

        <Typography.Title level={5} className="kam-request-section">
          {ta('approvals.steps')}
        </Typography.Title>
        <StepsTimeline steps={detail.steps} />

        <Typography.Title level={5} className="kam-request-section">
          {ta('approvals.comments')}
        </Typography.Title>
        {comments.length === 0 ? (
          <Typography.Text type="secondary">{ta('approvals.noComments')}</Typography.Text>
        ) : (
          <div className="kam-request-comments" data-testid="request-comments">
            {comments.map((c) => (
              <div key={`${c.at}|${c.by?.id ?? ''}`} className="kam-request-comment">
                <Typography.Text strong>{c.by?.displayName ?? ta('approvals.system')}</Typography.Text>
                <Typography.Text type="secondary"> · {fmt.dateTime(c.at)}</Typography.Text>
                <div>{c.text}</div>
              </div>
            ))}
          </div>
        )}
        {detail.can.comment ? (
          <div className="kam-request-comment-box">
            <Input.TextArea
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder={ta('approvals.commentPlaceholder')}
              autoSize={{ minRows: 1, maxRows: 4 }}
              maxLength={2000}
              data-testid="request-comment-input"
            />
            <Button
              icon={<SendOutlined />}
              onClick={() => void sendComment()}
              disabled={!comment.trim()}
              loading={busy && !decision}
              data-testid="request-comment-send"
            >
              {ta('approvals.send')}
            </Button>
          </div>
        ) : null}

        <Typography.Title level={5} className="kam-request-section">
          {ta('approvals.history')}
        </Typography.Title>
        <HistoryTimeline history={detail.history} />
      </div>
    );
  }

  const can = detail?.can;
  const actions =
    detail && can && (can.approve || can.reject || can.return || can.withdraw || can.resubmit) ? (
      <div className="kam-request-actions" data-testid="request-actions">
        {can.withdraw ? (
          <Button icon={<UndoOutlined />} onClick={withdraw} data-testid="request-withdraw">
            {ta('approvals.withdraw')}
          </Button>
        ) : null}
        {can.resubmit ? (
          <Button
            icon={<EditOutlined />}
            onClick={() => setResubmitting(true)}
            data-testid="request-resubmit"
          >
            {ta('approvals.resubmit')}
          </Button>
        ) : null}
        {can.return ? (
          <Button
            icon={<RollbackOutlined />}
            onClick={() => setDecision('return')}
            data-testid="request-return"
          >
            {ta('approvals.return')}
          </Button>
        ) : null}
        {can.reject ? (
          <Button
            danger
            icon={<CloseOutlined />}
            onClick={() => setDecision('reject')}
            data-testid="request-reject"
          >
            {ta('approvals.reject')}
          </Button>
        ) : null}
        {can.approve ? (
          <Button
            type="primary"
            icon={<CheckOutlined />}
            onClick={() => setDecision('approve')}
            data-testid="request-approve"
          >
            {ta('approvals.approve')}
          </Button>
        ) : null}
      </div>
    ) : null;

  const decisionTitle: Record<Decision, ApprovalsKey> = {
    approve: 'approvals.approveTitle',
    reject: 'approvals.rejectTitle',
    return: 'approvals.returnTitle',
  };
  const decisionLabel: Record<Decision, ApprovalsKey> = {
    approve: 'approvals.approveComment',
    reject: 'approvals.rejectReason',
    return: 'approvals.returnReason',
  };

  return (
    <>
      <Drawer
        open={id !== null}
        onClose={onClose}
        title={ta('approvals.detailTitle')}
        size={isMobile ? '100%' : 720}
        footer={actions}
        destroyOnHidden
        data-testid="request-drawer"
      >
        {body}
      </Drawer>
      <Modal
        open={decision !== null}
        title={decision ? ta(decisionTitle[decision]) : ''}
        onCancel={() => setDecision(null)}
        onOk={() => form.submit()}
        okText={decision ? ta(`approvals.${decision}`) : undefined}
        okButtonProps={{ loading: busy, danger: decision === 'reject', id: 'decision-submit' }}
        destroyOnHidden
      >
        <Form<{ text: string }>
          form={form}
          layout="vertical"
          onFinish={(v) => decision && void decide(decision, v.text ?? '')}
        >
          <Form.Item
            name="text"
            label={decision ? ta(decisionLabel[decision]) : ''}
            rules={
              decision === 'approve'
                ? []
                : [{ required: true, whitespace: true, message: ta('approvals.reasonRequired') }]
            }
          >
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 6 }}
              maxLength={2000}
              data-testid="decision-text"
            />
          </Form.Item>
        </Form>
      </Modal>
      <RequestFormModal
        open={resubmitting}
        resubmit={detail}
        onClose={() => setResubmitting(false)}
        onDone={(next) => {
          setResubmitting(false);
          setDetail(next);
          onChanged();
        }}
      />
    </>
  );
}
