import { RightOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Spin, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { approvalFlowsApi, type FlowSummary } from '../../../components/approvals/api';
import { useApprovalLabels } from '../../../components/approvals/labels';
import { PageContainer } from '../../../components/PageContainer';
import { LoadError } from '../../../components/Results';
import { useIsMobile } from '../../../hooks/useIsMobile';
import { useApprovalsT } from '../../../i18n/approvals';
import { useFormat } from '../../../i18n/useFormat';
import '../approvals.css';

function StepChain({ flow }: { flow: FlowSummary }) {
  const ta = useApprovalsT();
  if (flow.version === null) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span className="kam-step-chain">
      {flow.steps.map((s, i) => (
        <span key={s.id} className="kam-step-chain-item">
          {i > 0 ? <RightOutlined className="kam-step-chain-arrow" /> : null}
          <Tag variant="filled" color={s.conditional ? 'gold' : 'blue'}>
            {s.name}
            <span className="kam-step-chain-mode">
              {' · '}
              {ta(`approvals.mode.${s.mode}`)}
              {s.conditional ? ` · ${ta('approvals.stepSummaryConditional')}` : ''}
            </span>
          </Tag>
        </span>
      ))}
    </span>
  );
}

/** /approval-flows — one row per request type: current version, its steps, last change. */
export default function FlowsPage() {
  const ta = useApprovalsT();
  const fmt = useFormat();
  const labels = useApprovalLabels();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const [items, setItems] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      setItems((await approvalFlowsApi.list()).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const updated = (f: FlowSummary) =>
    f.updatedAt
      ? ta('approvals.updatedBy', { time: fmt.dateTime(f.updatedAt), name: f.updatedBy?.displayName ?? '—' })
      : '—';

  const columns: ColumnsType<FlowSummary> = [
    {
      key: 'type',
      title: ta('approvals.flowCol.type'),
      width: 180,
      render: (_, f) => (
        <Link to={`/approval-flows/${f.type}`} data-testid={`flow-link-${f.type}`}>
          {labels.typeLabel(f.type, f.label)}
        </Link>
      ),
    },
    {
      key: 'version',
      title: ta('approvals.flowCol.version'),
      width: 130,
      render: (_, f) =>
        f.version === null ? (
          <Tag>{ta('approvals.notConfigured')}</Tag>
        ) : (
          <Tag color="blue">{ta('approvals.versionValue', { version: f.version })}</Tag>
        ),
    },
    { key: 'steps', title: ta('approvals.flowCol.steps'), render: (_, f) => <StepChain flow={f} /> },
    { key: 'updated', title: ta('approvals.flowCol.updated'), width: 220, render: (_, f) => updated(f) },
    {
      key: 'actions',
      width: 90,
      render: (_, f) => (
        <Button type="link" onClick={() => navigate(`/approval-flows/${f.type}`)}>
          {ta('approvals.configure')}
        </Button>
      ),
    },
  ];

  let body: ReactNode;
  if (error && !items) body = <LoadError error={error} onRetry={() => void load()} />;
  else if (!items)
    body = (
      <div className="kam-center-pad">
        <Spin />
      </div>
    );
  else if (items.length === 0) body = <Empty />;
  else if (isMobile)
    body = (
      <div className="kam-approval-cards" data-testid="flows-cards">
        {items.map((f) => (
          <Link key={f.type} to={`/approval-flows/${f.type}`} data-testid={`flow-link-${f.type}`}>
            <Card size="small" hoverable className="kam-approval-card">
              <div className="kam-approval-card-head">
                <Typography.Text strong>{labels.typeLabel(f.type, f.label)}</Typography.Text>
                {f.version === null ? (
                  <Tag>{ta('approvals.notConfigured')}</Tag>
                ) : (
                  <Tag color="blue">{ta('approvals.versionValue', { version: f.version })}</Tag>
                )}
              </div>
              <StepChain flow={f} />
              <Typography.Text type="secondary" className="kam-approval-card-meta">
                {updated(f)}
              </Typography.Text>
            </Card>
          </Link>
        ))}
      </div>
    );
  else
    body = (
      <Table<FlowSummary>
        rowKey="type"
        columns={columns}
        dataSource={items}
        pagination={false}
        size="middle"
        data-testid="flows-table"
        scroll={{ x: 'max-content' }}
      />
    );

  return (
    <PageContainer title={ta('approvals.flowsTitle')} description={ta('approvals.flowsDescription')}>
      <Card className="kam-table-card">{body}</Card>
    </PageContainer>
  );
}
