import { Alert, Button, Radio, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DuplicatePolicy, ImportJob } from '../../api/imports';
import { useImportsT } from '../../i18n/imports';
import { JobProgress } from './JobProgress';

const POLICIES: DuplicatePolicy[] = ['skip', 'update', 'create'];

export interface CommitStepProps {
  job: ImportJob;
  busy: boolean;
  onBack: () => void;
  onCommit: (policy: DuplicatePolicy) => void;
  onCancel: () => void;
}

/** Step 4: how to treat rows that match existing data, then the import itself with progress. */
export function CommitStep({ job, busy, onBack, onCommit, onCancel }: CommitStepProps) {
  const { t } = useTranslation();
  const ti = useImportsT();
  const [policy, setPolicy] = useState<DuplicatePolicy>(job.duplicatePolicy ?? 'skip');

  if (job.status === 'importing') {
    return (
      <JobProgress
        job={job}
        title={ti('import.importing')}
        hint={ti('import.importingHint')}
        testId="import-committing"
        extra={
          <div>
            <Button danger onClick={onCancel} disabled={busy} data-testid="import-cancel">
              {ti('import.cancelImport')}
            </Button>
          </div>
        }
      />
    );
  }

  return (
    <div className="kam-import-stack" data-testid="import-policy">
      <div>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {ti('import.policyTitle')}
        </Typography.Title>
        {job.duplicateRows > 0 ? (
          <Typography.Text type="secondary">
            {ti('import.duplicatesFound', { count: job.duplicateRows })}
          </Typography.Text>
        ) : null}
      </div>
      <Radio.Group
        value={policy}
        onChange={(e) => setPolicy(e.target.value as DuplicatePolicy)}
        className="kam-import-policies"
      >
        {POLICIES.map((key) => (
          <Radio key={key} value={key} className="kam-import-policy" data-testid={`import-policy-${key}`}>
            <span className="kam-import-type-label">{ti(`import.policy.${key}`)}</span>
            <Typography.Text type="secondary" className="kam-import-type-hint">
              {ti(`import.policy.${key}Desc`)}
            </Typography.Text>
          </Radio>
        ))}
      </Radio.Group>
      {policy === 'create' ? (
        <Alert
          type="warning"
          showIcon
          title={ti('import.policyCreateWarning')}
          data-testid="import-create-warning"
        />
      ) : null}
      <div className="kam-import-actions">
        <Button onClick={onBack} disabled={busy}>
          {t('common.back')}
        </Button>
        <Button type="primary" loading={busy} onClick={() => onCommit(policy)} data-testid="import-commit">
          {ti('import.startImport', { count: job.validRows })}
        </Button>
      </div>
    </div>
  );
}
