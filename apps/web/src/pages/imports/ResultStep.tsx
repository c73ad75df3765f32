import { DownloadOutlined } from '@ant-design/icons';
import { Button, Result } from 'antd';
import { useNavigate } from 'react-router';
import type { ImportJob } from '../../api/imports';
import { useAuth } from '../../auth/AuthContext';
import { useImportsT } from '../../i18n/imports';
import { IssuesTable } from './IssuesTable';
import { ImportCountCards } from './ValidateStep';

export interface ResultStepProps {
  job: ImportJob;
  downloading: boolean;
  onDownloadErrors: () => void;
  onNew: () => void;
}

/** Step 5: what the import did (created / updated / skipped / failed) and the error file. */
export function ResultStep({ job, downloading, onDownloadErrors, onNew }: ResultStepProps) {
  const ti = useImportsT();
  const { can } = useAuth();
  const navigate = useNavigate();
  const status =
    job.status === 'completed'
      ? job.failedRows > 0
        ? 'warning'
        : 'success'
      : job.status === 'cancelled'
        ? 'info'
        : 'error';
  const title =
    job.status === 'completed'
      ? ti('import.resultTitle')
      : job.status === 'cancelled'
        ? ti('import.resultCancelled')
        : ti('import.resultFailed');
  const hasErrorFile = job.errorRows > 0 || job.failedRows > 0;
  return (
    <div className="kam-import-stack" data-testid="import-result">
      <Result
        status={status}
        title={<span data-testid="import-result-title">{title}</span>}
        subTitle={
          job.status === 'failed' && job.error
            ? ti('import.failedReason', { reason: job.error })
            : ti('import.resultSummary', {
                created: job.createdRows,
                updated: job.updatedRows,
                skipped: job.skippedRows,
                failed: job.failedRows,
              })
        }
        extra={
          <div className="kam-import-actions kam-import-result-actions">
            {hasErrorFile ? (
              <Button
                icon={<DownloadOutlined />}
                onClick={onDownloadErrors}
                loading={downloading}
                data-testid="import-result-errors"
              >
                {ti('import.downloadErrors')}
              </Button>
            ) : null}
            {can('customer.view') ? (
              <Button
                type="primary"
                onClick={() => navigate('/customers')}
                data-testid="import-view-customers"
              >
                {ti('import.viewCustomers')}
              </Button>
            ) : null}
            <Button onClick={onNew} data-testid="import-new">
              {ti('import.importAnother')}
            </Button>
          </div>
        }
      />
      <ImportCountCards
        items={[
          { key: 'created', label: ti('import.created'), value: job.createdRows, color: '#34c724' },
          { key: 'updated', label: ti('import.updated'), value: job.updatedRows, color: '#3370ff' },
          { key: 'skipped', label: ti('import.skipped'), value: job.skippedRows },
          {
            key: 'failed',
            label: ti('import.failed'),
            value: job.failedRows,
            color: job.failedRows ? '#f54a45' : undefined,
          },
        ]}
      />
      {job.failedRows > 0 ? <IssuesTable job={job} phase="commit" kinds={['error']} /> : null}
    </div>
  );
}
