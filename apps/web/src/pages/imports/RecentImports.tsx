import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { type ImportJob, type ImportStatus, importsApi } from '../../api/imports';
import { ListTable } from '../../components/ListTable';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useImportsT } from '../../i18n/imports';
import { useFormat } from '../../i18n/useFormat';

const STATUS_COLOR: Record<ImportStatus, string> = {
  uploading: 'processing',
  uploaded: 'default',
  mapped: 'default',
  validating: 'processing',
  validated: 'blue',
  importing: 'processing',
  completed: 'success',
  failed: 'error',
  cancelled: 'default',
};

export function ImportStatusTag({ status }: { status: ImportStatus }) {
  const ti = useImportsT();
  return <Tag color={STATUS_COLOR[status]}>{ti(`import.status.${status}`)}</Tag>;
}

/** My recent imports with their status; opening one continues the wizard where it stands. */
export function RecentImports({
  currentId,
  refreshKey,
  onOpen,
}: {
  currentId: string | null;
  /** Changes when the current import changes state, to refresh the statuses shown. */
  refreshKey: string;
  onOpen: (id: string) => void;
}) {
  const { t } = useTranslation();
  const ti = useImportsT();
  const fmt = useFormat();
  const isMobile = useIsMobile();
  const { showError } = useApiError();
  const list = useCursorList<ImportJob>(
    (cursor, signal) => importsApi.list({ limit: 20, cursor }, signal),
    'imports',
    showError,
  );
  const { reload } = list;
  useEffect(() => {
    if (refreshKey) reload();
  }, [refreshKey, reload]);

  const columns: ColumnsType<ImportJob> = [
    {
      key: 'file',
      title: ti('import.fileName'),
      render: (_, job) => (
        <div className="kam-import-col">
          <Typography.Text strong={job.id === currentId} ellipsis style={{ maxWidth: isMobile ? 150 : 320 }}>
            {job.fileName}
          </Typography.Text>
          <Typography.Text type="secondary" className="kam-import-samples">
            {ti(`import.type.${job.type}`)}
            {isMobile ? ` · ${fmt.dateTime(job.createdAt)}` : ''}
          </Typography.Text>
        </div>
      ),
    },
    {
      key: 'status',
      title: ti('import.status'),
      render: (_, job) => <ImportStatusTag status={job.status} />,
    },
    ...(isMobile
      ? []
      : [
          {
            key: 'rows',
            title: ti('import.rows'),
            align: 'right' as const,
            render: (_: unknown, job: ImportJob) => job.totalRows ?? '—',
          },
          {
            key: 'createdAt',
            title: ti('import.createdAt'),
            render: (_: unknown, job: ImportJob) => (
              <span className="kam-nowrap">{fmt.dateTime(job.createdAt)}</span>
            ),
          },
        ]),
    {
      key: 'open',
      title: t('common.actions'),
      render: (_, job) => (
        <Button type="link" size="small" onClick={() => onOpen(job.id)} data-testid={`import-open-${job.id}`}>
          {ti('import.open')}
        </Button>
      ),
    },
  ];

  return (
    <Card
      title={ti('import.recentTitle')}
      className="kam-table-card"
      extra={
        <Button icon={<ReloadOutlined />} onClick={reload} aria-label={t('common.refresh')} size="small" />
      }
    >
      <ListTable<ImportJob>
        list={list}
        paged
        columns={columns}
        testId="import-recent"
        locale={{ emptyText: ti('import.recentEmpty') }}
        rowClassName={(job) => (job.id === currentId ? 'kam-import-current' : '')}
      />
    </Card>
  );
}
