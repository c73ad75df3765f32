import { Card, Progress, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { ImportJob } from '../../api/imports';
import { useImportsT } from '../../i18n/imports';

/** Progress of a background step (dry run or import) from the job's processed/total row counts. */
export function JobProgress({
  job,
  title,
  hint,
  testId,
  extra,
}: {
  job: ImportJob;
  title: string;
  hint: string;
  testId: string;
  extra?: ReactNode;
}) {
  const ti = useImportsT();
  const total = job.totalRows ?? 0;
  const percent = total > 0 ? Math.min(99, Math.floor((job.processedRows / total) * 100)) : 0;
  return (
    <Card className="kam-import-progress" data-testid={testId}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        <Progress percent={percent} status="active" data-testid={`${testId}-bar`} />
        <Typography.Text>
          {total > 0
            ? ti('import.progress', {
                processed: job.processedRows.toLocaleString(),
                total: total.toLocaleString(),
              })
            : ti('import.progressUnknown', { processed: job.processedRows.toLocaleString() })}
        </Typography.Text>
        <Typography.Text type="secondary">{hint}</Typography.Text>
        {extra}
      </Space>
    </Card>
  );
}
