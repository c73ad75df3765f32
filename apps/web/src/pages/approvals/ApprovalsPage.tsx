import { PlusOutlined, ReloadOutlined, SettingOutlined, UserSwitchOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Empty, Select, Space, Spin, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import {
  approvalRequestsApi,
  type InboxBox,
  REQUEST_STATUSES,
  type RequestListItem,
  type RequestStatus,
} from '../../components/approvals/api';
import { refreshApprovalCounts, useApprovalCounts } from '../../components/approvals/counts';
import { STATUS_COLORS, useApprovalLabels } from '../../components/approvals/labels';
import { FORM_TYPES, RequestFormModal } from '../../components/approvals/RequestFormModal';
import { ListTable } from '../../components/ListTable';
import { LoadMore } from '../../components/LoadMore';
import { PageContainer } from '../../components/PageContainer';
import { LoadError } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import { type CursorList, useCursorList } from '../../hooks/useCursorList';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useApprovalsT } from '../../i18n/approvals';
import { useFormat } from '../../i18n/useFormat';
import { DelegationsModal } from './DelegationsModal';
import { RequestDrawer } from './RequestDrawer';
import './approvals.css';

const PAGE_SIZE = 20;
const BOXES: InboxBox[] = ['todo', 'submitted', 'processed'];
const TYPES = ['tier_change', ...FORM_TYPES];

function parseBox(value: string | null): InboxBox {
  return BOXES.find((b) => b === value) ?? 'todo';
}

function parseStatus(value: string | null): RequestStatus | undefined {
  return REQUEST_STATUSES.find((s) => s === value);
}

/**
 * /approvals[?box=todo|submitted|processed&status=&type=&id=] — the approval inbox: what waits for
 * me, what I submitted, what I decided; `id` opens a request in the drawer (links from notifications).
 */
export default function ApprovalsPage() {
  const ta = useApprovalsT();
  const { can } = useAuth();
  const { showError } = useApiError();
  const isMobile = useIsMobile();
  const counts = useApprovalCounts();
  const [params, setParams] = useSearchParams();
  const box = parseBox(params.get('box'));
  const status = box === 'todo' ? undefined : parseStatus(params.get('status'));
  const type = params.get('type') || undefined;
  const openId = params.get('id');
  const [creating, setCreating] = useState(false);
  const [delegating, setDelegating] = useState(false);
  const labels = useApprovalLabels();

  const setParam = useCallback(
    (patch: Record<string, string | null | undefined>) => {
      const next = new URLSearchParams(params);
      for (const [key, value] of Object.entries(patch)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      setParams(next, { replace: !('id' in patch) });
    },
    [params, setParams],
  );

  const list = useCursorList<RequestListItem>(
    (cursor, signal) => approvalRequestsApi.list({ box, status, type, limit: PAGE_SIZE, cursor }, signal),
    JSON.stringify({ box, status, type }),
    showError,
  );

  const reloadAll = () => {
    list.reload();
    void refreshApprovalCounts();
  };

  const tabCount = (b: InboxBox) => {
    if (!counts) return 0;
    if (b === 'todo') return counts.todo;
    if (b === 'submitted') return counts.submittedPending + counts.submittedReturned;
    return 0;
  };

  const tabs = BOXES.map((b) => ({
    key: b,
    label: (
      <span data-testid={`approvals-box-${b}`} className="kam-box-tab">
        {ta(`approvals.box.${b}`)}
        {tabCount(b) > 0 ? (
          <Badge
            count={tabCount(b)}
            overflowCount={99}
            color={b === 'todo' ? undefined : '#8f959e'}
            data-testid={`approvals-count-${b}`}
          />
        ) : null}
      </span>
    ),
  }));

  return (
    <PageContainer
      title={ta('approvals.title')}
      description={isMobile ? undefined : ta('approvals.description')}
      extra={
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={reloadAll} aria-label={ta('approvals.refresh')} />
          <Button
            icon={<UserSwitchOutlined />}
            onClick={() => setDelegating(true)}
            aria-label={ta('approvals.delegations')}
            data-testid="approvals-delegations"
          >
            {isMobile ? null : ta('approvals.delegations')}
          </Button>
          {can('approval_flow.view') ? (
            <Link to="/approval-flows">
              <Button icon={<SettingOutlined />} data-testid="approvals-manage-flows">
                {isMobile ? null : ta('approvals.manageFlows')}
              </Button>
            </Link>
          ) : null}
          {can('approval_request.create') ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="approvals-new"
            >
              {ta('approvals.new')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card className="kam-table-card kam-inbox">
        <Tabs
          activeKey={box}
          items={tabs}
          onChange={(key) => setParam({ box: key, status: null })}
          className="kam-inbox-tabs"
        />
        <div className="kam-filters">
          {box === 'todo' ? null : (
            <Select<RequestStatus>
              allowClear
              className="kam-filter-select-sm"
              placeholder={ta('approvals.filterStatus')}
              value={status}
              onChange={(value) => setParam({ status: value })}
              options={REQUEST_STATUSES.map((s) => ({ value: s, label: labels.status(s) }))}
              data-testid="approvals-filter-status"
            />
          )}
          <Select<string>
            allowClear
            className="kam-filter-select"
            placeholder={ta('approvals.filterType')}
            value={type}
            onChange={(value) => setParam({ type: value })}
            options={TYPES.map((t) => ({ value: t, label: labels.typeLabel(t) }))}
            data-testid="approvals-filter-type"
          />
        </div>
        {isMobile ? (
          <RequestCards list={list} box={box} onOpen={(id) => setParam({ id })} />
        ) : (
          <RequestTable list={list} box={box} onOpen={(id) => setParam({ id })} />
        )}
      </Card>
      <RequestDrawer id={openId} onClose={() => setParam({ id: null })} onChanged={reloadAll} />
      <DelegationsModal open={delegating} onClose={() => setDelegating(false)} />
      <RequestFormModal
        open={creating}
        onClose={() => setCreating(false)}
        onDone={(detail) => {
          setCreating(false);
          setParam({ box: 'submitted', status: null, id: detail.id });
        }}
      />
    </PageContainer>
  );
}

function useRequestColumns(box: InboxBox, onOpen: (id: string) => void): ColumnsType<RequestListItem> {
  const ta = useApprovalsT();
  const fmt = useFormat();
  const labels = useApprovalLabels();
  return useMemo(
    () => [
      {
        key: 'summary',
        title: ta('approvals.col.summary'),
        render: (_, r) => (
          <Button
            type="link"
            className="kam-link-cell"
            onClick={() => onOpen(r.id)}
            data-testid="request-link"
          >
            {r.summary}
          </Button>
        ),
      },
      {
        key: 'type',
        title: ta('approvals.col.type'),
        width: 110,
        render: (_, r) => labels.typeLabel(r.type, r.typeLabel),
      },
      ...(box === 'submitted'
        ? []
        : [
            {
              key: 'requester',
              title: ta('approvals.col.requester'),
              width: 110,
              render: (_: unknown, r: RequestListItem) => r.requester.displayName,
            },
          ]),
      {
        key: 'customer',
        title: ta('approvals.col.customer'),
        width: 200,
        ellipsis: true,
        render: (_, r) => r.customer?.name ?? '—',
      },
      {
        key: 'status',
        title: ta('approvals.col.status'),
        width: 90,
        render: (_, r) => (
          <Tag color={STATUS_COLORS[r.status]} data-testid="request-row-status">
            {labels.status(r.status)}
          </Tag>
        ),
      },
      {
        key: 'step',
        title: ta('approvals.col.step'),
        width: 140,
        render: (_, r) => r.currentStep?.name ?? '—',
      },
      {
        key: 'at',
        title: box === 'processed' ? ta('approvals.col.decidedAt') : ta('approvals.col.submittedAt'),
        width: 150,
        render: (_, r) => <span className="kam-nowrap">{fmt.dateTime(r.boxAt)}</span>,
      },
    ],
    [ta, fmt, labels, box, onOpen],
  );
}

function RequestTable({
  list,
  box,
  onOpen,
}: {
  list: CursorList<RequestListItem>;
  box: InboxBox;
  onOpen: (id: string) => void;
}) {
  const ta = useApprovalsT();
  const columns = useRequestColumns(box, onOpen);
  return (
    <ListTable<RequestListItem>
      list={list}
      paged
      columns={columns}
      testId="approvals-table"
      tableLayout="fixed"
      scroll={{ x: 1000 }}
      locale={{ emptyText: <Empty description={ta(`approvals.empty.${box}`)} /> }}
      onRow={(r) => ({ onDoubleClick: () => onOpen(r.id) })}
    />
  );
}

function RequestCards({
  list,
  box,
  onOpen,
}: {
  list: CursorList<RequestListItem>;
  box: InboxBox;
  onOpen: (id: string) => void;
}) {
  const ta = useApprovalsT();
  const fmt = useFormat();
  const labels = useApprovalLabels();
  if (list.error && list.items.length === 0) return <LoadError error={list.error} onRetry={list.reload} />;
  if (list.loading && list.items.length === 0) {
    return (
      <div className="kam-center-pad">
        <Spin />
      </div>
    );
  }
  if (list.items.length === 0) return <Empty description={ta(`approvals.empty.${box}`)} />;
  return (
    <div data-testid="approvals-cards">
      <div className="kam-approval-cards">
        {list.items.map((r) => (
          <Card
            key={r.id}
            size="small"
            hoverable
            className="kam-approval-card"
            onClick={() => onOpen(r.id)}
            data-testid="request-card"
          >
            <div className="kam-approval-card-head">
              <Typography.Text strong className="kam-approval-card-title">
                {r.summary}
              </Typography.Text>
              <Tag color={STATUS_COLORS[r.status]}>{labels.status(r.status)}</Tag>
            </div>
            <Typography.Text type="secondary" className="kam-approval-card-meta">
              {[labels.typeLabel(r.type, r.typeLabel), r.customer?.name].filter(Boolean).join(' · ')}
            </Typography.Text>
            <div className="kam-approval-card-foot">
              <Typography.Text type="secondary">
                {box === 'submitted' ? (r.currentStep?.name ?? '') : r.requester.displayName}
              </Typography.Text>
              <Typography.Text type="secondary">{fmt.dateTime(r.boxAt)}</Typography.Text>
            </div>
          </Card>
        ))}
      </div>
      <LoadMore
        count={list.items.length}
        hasMore={list.hasMore}
        loading={list.loadingMore}
        onLoadMore={list.loadMore}
      />
    </div>
  );
}
