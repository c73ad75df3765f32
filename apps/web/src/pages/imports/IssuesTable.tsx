import { Segmented, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { type ImportIssue, type ImportJob, type IssueKind, importsApi } from '../../api/imports';
import { LoadMore } from '../../components/LoadMore';
import { LoadError } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useImportsT } from '../../i18n/imports';

const PAGE_SIZE = 50;

type IssueRow = ImportIssue & { id: string };

/**
 * The per-row report of the dry run (`validate`) or of the import (`commit`): row number, column,
 * the value as read and the problem; errors and duplicates separately, paged on the server.
 */
export function IssuesTable({
  job,
  phase,
  kinds,
}: {
  job: ImportJob;
  phase: 'validate' | 'commit';
  kinds: readonly IssueKind[];
}) {
  const ti = useImportsT();
  const { showError } = useApiError();
  const isMobile = useIsMobile();
  const [kind, setKind] = useState<IssueKind>(kinds[0] ?? 'error');
  const list = useCursorList<IssueRow>(
    async (cursor, signal) => {
      const page = await importsApi.issues(job.id, { kind, phase, limit: PAGE_SIZE, cursor }, signal);
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((issue) => ({
          ...issue,
          id: `${issue.rowNumber}:${issue.field ?? ''}:${issue.code}`,
        })),
      };
    },
    `${job.id}:${job.version}:${phase}:${kind}`,
    showError,
  );

  const valueCell = (issue: ImportIssue) =>
    issue.value === null || issue.value === '' ? (
      <Typography.Text type="secondary">—</Typography.Text>
    ) : (
      <span className="kam-import-cell">{String(issue.value)}</span>
    );

  const message = (issue: ImportIssue) => (
    <Typography.Text type={issue.kind === 'duplicate' ? 'warning' : 'danger'}>
      {issue.message}
    </Typography.Text>
  );

  const columns: ColumnsType<IssueRow> = isMobile
    ? [
        { key: 'row', title: ti('import.rowNumber'), dataIndex: 'rowNumber', width: 56 },
        {
          key: 'problem',
          title: ti('import.errorMessage'),
          render: (_, issue) => (
            <div className="kam-import-col">
              <span>
                <Typography.Text strong>{issue.column ?? '—'}</Typography.Text> {valueCell(issue)}
              </span>
              {message(issue)}
            </div>
          ),
        },
      ]
    : [
        { key: 'row', title: ti('import.rowNumber'), dataIndex: 'rowNumber', width: 64 },
        { key: 'column', title: ti('import.errorColumn'), render: (_, issue) => issue.column ?? '—' },
        { key: 'value', title: ti('import.errorValue'), render: (_, issue) => valueCell(issue) },
        { key: 'message', title: ti('import.errorMessage'), render: (_, issue) => message(issue) },
      ];

  return (
    <div>
      <div className="kam-import-issues-head">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {ti('import.errorsTitle')}
        </Typography.Title>
        {kinds.length > 1 ? (
          <Segmented<IssueKind>
            value={kind}
            onChange={setKind}
            options={kinds.map((k) => ({
              value: k,
              label: (
                <span data-testid={`import-issues-${k}`}>
                  {k === 'error' ? ti('import.errorRows') : ti('import.duplicateRows')}{' '}
                  <Tag color={k === 'error' ? 'red' : 'orange'} style={{ marginInlineEnd: 0 }}>
                    {k === 'error' ? job.errorRows : job.duplicateRows}
                  </Tag>
                </span>
              ),
            }))}
          />
        ) : null}
      </div>
      {list.error && list.items.length === 0 ? (
        <LoadError error={list.error} onRetry={list.reload} />
      ) : (
        <>
          <Table<IssueRow>
            rowKey="id"
            size="small"
            loading={list.loading}
            columns={columns}
            dataSource={list.items}
            pagination={false}
            scroll={isMobile ? undefined : { x: 'max-content' }}
            data-testid="import-errors"
          />
          <LoadMore
            count={list.items.length}
            hasMore={list.hasMore}
            loading={list.loadingMore}
            onLoadMore={list.loadMore}
          />
        </>
      )}
    </div>
  );
}
