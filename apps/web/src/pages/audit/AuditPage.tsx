import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { type AuditQuery, auditApi } from '../../api/endpoints';
import type { AuditLog } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ListTable } from '../../components/ListTable';
import { PageContainer } from '../../components/PageContainer';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useFormat } from '../../i18n/useFormat';
import { AuditDetails } from './AuditDetails';
import { AuditFilters } from './AuditFilters';
import { actionLabel, entityLabel } from './auditLabels';
import { ChainStatus } from './ChainStatus';

const FILTER_KEYS = ['actorId', 'action', 'entityType', 'entityId', 'from', 'to', 'q'] as const;
const PAGE_SIZE = 50;

function readQuery(params: URLSearchParams): AuditQuery {
  const query: AuditQuery = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  return query;
}

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default function AuditPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { can } = useAuth();
  const { showError } = useApiError();
  const isMobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => readQuery(params), [params]);
  const [exporting, setExporting] = useState(false);
  const [actorLabel, setActorLabel] = useState<string | undefined>(undefined);

  const list = useCursorList<AuditLog>(
    (cursor, signal) => auditApi.list({ ...query, limit: PAGE_SIZE, cursor }, signal),
    JSON.stringify(query),
    showError,
  );

  const onChange = useCallback(
    (patch: Partial<AuditQuery>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(patch)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { blob, filename } = await auditApi.exportCsv(query);
      const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
      saveBlob(blob, filename ?? `audit-logs-${stamp}.csv`);
    } catch (error) {
      showError(error);
    } finally {
      setExporting(false);
    }
  };

  const filterBy = onChange;

  const columns: ColumnsType<AuditLog> = [
    {
      title: t('audit.at'),
      dataIndex: 'at',
      key: 'at',
      width: 150,
      fixed: isMobile ? undefined : 'left',
      render: (at: string) => <span className="kam-nowrap">{fmt.dateTime(at)}</span>,
    },
    {
      title: t('audit.actor'),
      key: 'actor',
      width: 140,
      render: (_, log) =>
        log.actorId ? (
          <Typography.Link
            onClick={() => {
              setActorLabel(log.actorName ?? undefined);
              filterBy({ actorId: log.actorId ?? undefined });
            }}
          >
            {log.actorName ?? log.actorId}
          </Typography.Link>
        ) : (
          <Typography.Text type="secondary">{log.actorName ?? t('audit.system')}</Typography.Text>
        ),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      key: 'action',
      width: 180,
      render: (action: string) => (
        <Tooltip title={action}>
          <span className="kam-nowrap">{actionLabel(action)}</span>
        </Tooltip>
      ),
    },
    {
      title: t('audit.entityType'),
      key: 'entity',
      width: 180,
      render: (_, log) =>
        log.entityType ? (
          <Space size={4}>
            <Tag>{entityLabel(log.entityType)}</Tag>
            {log.entityId ? (
              <Typography.Link
                className="kam-mono"
                onClick={() =>
                  filterBy({ entityType: log.entityType ?? undefined, entityId: log.entityId ?? undefined })
                }
                ellipsis
                style={{ maxWidth: 110 }}
              >
                {log.entityId}
              </Typography.Link>
            ) : null}
          </Space>
        ) : (
          '—'
        ),
    },
    {
      title: t('audit.result'),
      dataIndex: 'result',
      key: 'result',
      width: 80,
      render: (result: AuditLog['result']) =>
        result === 'success' ? (
          <Tag color="success">{t('audit.resultSuccess')}</Tag>
        ) : (
          <Tag color="error">{t('audit.resultFailure')}</Tag>
        ),
    },
    {
      title: t('audit.ip'),
      dataIndex: 'ip',
      key: 'ip',
      width: 130,
      render: (ip: string | null) => <span className="kam-mono">{ip ?? '—'}</span>,
    },
  ];

  return (
    <PageContainer
      title={t('audit.title')}
      extra={
        <Space wrap>
          <ChainStatus />
          <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('common.refresh')} />
          {can('audit.export') ? (
            <Button
              icon={<DownloadOutlined />}
              onClick={exportCsv}
              loading={exporting}
              data-testid="audit-export"
            >
              {exporting ? t('audit.exporting') : t('audit.export')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card className="kam-table-card">
        <AuditFilters
          value={query}
          onChange={onChange}
          canSearchUsers={can('user.view')}
          actorLabel={actorLabel}
        />
        {query.entityId ? (
          <div style={{ marginBottom: 12 }}>
            <Tag closable onClose={() => onChange({ entityId: undefined })}>
              {t('audit.entityId')}: {query.entityId}
            </Tag>
          </div>
        ) : null}
        <ListTable<AuditLog>
          list={list}
          paged
          columns={columns}
          expandable={{ expandedRowRender: (log) => <AuditDetails log={log} /> }}
          rowClassName={(log) => (log.result === 'failure' ? 'kam-row-failure' : '')}
          testId="audit-table"
        />
      </Card>
    </PageContainer>
  );
}
