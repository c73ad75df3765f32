import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Row, Statistic, Typography } from 'antd';
import type { ImportJob } from '../../api/imports';
import { useImportsT } from '../../i18n/imports';
import { IssuesTable } from './IssuesTable';
import { JobProgress } from './JobProgress';

export interface ValidateStepProps {
  job: ImportJob;
  downloading: boolean;
  onDownloadErrors: () => void;
  onReupload: () => void;
  onNext: () => void;
  onCancel: () => void;
}

/** Step 3: the dry run — progress while it runs, then the counts and the per-row errors. */
export function ValidateStep({
  job,
  downloading,
  onDownloadErrors,
  onReupload,
  onNext,
  onCancel,
}: ValidateStepProps) {
  const ti = useImportsT();
  if (job.status === 'validating') {
    return (
      <JobProgress
        job={job}
        title={ti('import.validating')}
        hint={ti('import.validatingHint')}
        testId="import-validating"
        extra={
          <div>
            <Button onClick={onCancel} data-testid="import-cancel-validate">
              {ti('import.cancelValidate')}
            </Button>
          </div>
        }
      />
    );
  }
  const total = job.totalRows ?? job.processedRows;
  return (
    <div className="kam-import-stack" data-testid="import-validated">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {ti('import.validateDone')}
      </Typography.Title>
      <ImportCountCards
        items={[
          { key: 'total', label: ti('import.totalRows'), value: total },
          { key: 'valid', label: ti('import.validRows'), value: job.validRows, color: '#34c724' },
          {
            key: 'errors',
            label: ti('import.errorRows'),
            value: job.errorRows,
            color: job.errorRows ? '#f54a45' : undefined,
          },
          {
            key: 'duplicates',
            label: ti('import.duplicateRows'),
            value: job.duplicateRows,
            color: job.duplicateRows ? '#ff8800' : undefined,
          },
        ]}
      />
      {job.errorRows === 0 ? (
        <Alert type="success" showIcon title={ti('import.validateAllGood', { count: job.validRows })} />
      ) : job.validRows === 0 ? (
        <Alert type="error" showIcon title={ti('import.noValidRows')} />
      ) : (
        <Alert type="warning" showIcon title={ti('import.validateSomeBad', { errors: job.errorRows })} />
      )}
      {job.errorRows > 0 || job.duplicateRows > 0 ? (
        <IssuesTable
          job={job}
          phase="validate"
          kinds={[
            ...(job.errorRows > 0 ? (['error'] as const) : []),
            ...(job.duplicateRows > 0 ? (['duplicate'] as const) : []),
          ]}
        />
      ) : null}
      <div className="kam-import-actions">
        {job.errorRows > 0 ? (
          <Button
            icon={<DownloadOutlined />}
            onClick={onDownloadErrors}
            loading={downloading}
            data-testid="import-download-errors"
          >
            {ti('import.downloadErrors')}
          </Button>
        ) : null}
        <Button icon={<UploadOutlined />} onClick={onReupload} data-testid="import-reupload">
          {job.errorRows > 0 ? ti('import.fixAndReupload') : ti('import.reupload')}
        </Button>
        <Button type="primary" disabled={job.validRows === 0} onClick={onNext} data-testid="import-next">
          {ti('import.continueToImport')}
        </Button>
      </div>
    </div>
  );
}

export interface CountItem {
  key: string;
  label: string;
  value: number;
  color?: string;
}

export function ImportCountCards({ items }: { items: CountItem[] }) {
  return (
    <Row gutter={[12, 12]}>
      {items.map((item) => (
        <Col xs={12} md={6} key={item.key}>
          <Card size="small" className="kam-import-count" data-testid={`import-count-${item.key}`}>
            <Statistic
              title={item.label}
              value={item.value}
              styles={item.color ? { content: { color: item.color } } : undefined}
            />
          </Card>
        </Col>
      ))}
    </Row>
  );
}
