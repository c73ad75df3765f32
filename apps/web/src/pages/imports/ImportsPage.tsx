import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Progress, Steps, Typography } from 'antd';
import { type ReactNode, useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import { isApiError } from '../../api/api';
import {
  type DuplicatePolicy,
  IMPORT_TYPES,
  type ImportJob,
  type ImportMapping,
  type ImportType,
  importsApi,
  saveBlob,
} from '../../api/imports';
import { PageContainer } from '../../components/PageContainer';
import { LoadError, PageLoading } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useImportsT } from '../../i18n/imports';
import { CommitStep } from './CommitStep';
import { useImportFields } from './fields';
import { MappingStep } from './MappingStep';
import { RecentImports } from './RecentImports';
import { ResultStep } from './ResultStep';
import { UploadStep } from './UploadStep';
import { useImportJob } from './useImportJob';
import { ValidateStep } from './ValidateStep';
import './imports.css';

type StepKey = 'upload' | 'mapping' | 'validate' | 'commit' | 'result';
const STEPS: StepKey[] = ['upload', 'mapping', 'validate', 'commit', 'result'];
const STEP_LABEL = {
  upload: 'import.stepUpload',
  mapping: 'import.stepMapping',
  validate: 'import.stepValidate',
  commit: 'import.stepCommit',
  result: 'import.stepResult',
} as const;

function stepOf(job: ImportJob | null, choosingPolicy: boolean): StepKey {
  if (!job) return 'upload';
  switch (job.status) {
    case 'uploading':
    case 'uploaded':
    case 'mapped':
      return 'mapping';
    case 'validating':
      return 'validate';
    case 'validated':
      return choosingPolicy ? 'commit' : 'validate';
    case 'importing':
      return 'commit';
    default:
      return 'result';
  }
}

function parseType(value: string | null): ImportType {
  return IMPORT_TYPES.find((type) => type === value) ?? 'customers';
}

/**
 * /imports[?type=&id=] — the import wizard: upload → column mapping → dry run → import → result,
 * and my recent imports below. `id` is the import being worked on, so a reload (or coming back from
 * "My imports") continues where it stands; the background steps are polled for progress.
 */
export default function ImportsPage() {
  const ti = useImportsT();
  const { modal } = App.useApp();
  const { showError, handleConflict } = useApiError();
  const isMobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const type = parseType(params.get('type'));
  const { job, loading, error, setJob, adopt, reload } = useImportJob(id);
  const [choosingPolicy, setChoosingPolicy] = useState(false);
  const [busy, setBusy] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const fields = useImportFields(job?.type ?? type);

  const go = useCallback(
    (next: { id?: string | null; type?: ImportType }) => {
      setChoosingPolicy(false);
      setParams(
        (prev) => {
          const out = new URLSearchParams(prev);
          if (next.id === null) out.delete('id');
          else if (next.id) out.set('id', next.id);
          if (next.type) out.set('type', next.type);
          return out;
        },
        { replace: false },
      );
    },
    [setParams],
  );

  /** Runs a mutation of the current import; a 409 tells the user and reloads the import. */
  const act = async (action: () => Promise<ImportJob>) => {
    setBusy(true);
    try {
      const fresh = await action();
      setJob(fresh);
      return true;
    } catch (err) {
      if (handleConflict(err)) reload();
      else showError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const submitMapping = (current: ImportJob, mapping: ImportMapping, saveAsTemplate: boolean) =>
    act(async () => {
      const mapped = await importsApi.setMapping(current.id, {
        mapping,
        saveAsTemplate,
        version: current.version,
      });
      return importsApi.validate(mapped.id, mapped.version);
    });

  const commit = (current: ImportJob, duplicatePolicy: DuplicatePolicy) =>
    act(() => importsApi.commit(current.id, { duplicatePolicy, version: current.version }));

  const cancel = (current: ImportJob) =>
    modal.confirm({
      title: current.status === 'validating' ? ti('import.cancelValidate') : ti('import.cancelImport'),
      content:
        current.status === 'validating' ? ti('import.cancelValidateConfirm') : ti('import.cancelConfirm'),
      okButtonProps: { danger: true },
      okText: current.status === 'validating' ? ti('import.cancelValidate') : ti('import.cancelImport'),
      onOk: () => act(() => importsApi.cancel(current.id, current.version)),
    });

  const downloadErrors = async (current: ImportJob) => {
    setDownloading(true);
    try {
      const { blob, filename } = await importsApi.errorFile(current.id);
      saveBlob(blob, filename ?? `${current.fileName.replace(/\.(xlsx|csv)$/i, '')}-errors.xlsx`);
    } catch (err) {
      showError(err);
    } finally {
      setDownloading(false);
    }
  };

  const step = stepOf(job, choosingPolicy);
  const stepIndex = STEPS.indexOf(step);

  let body: ReactNode;
  if (id && !job) {
    body =
      error && !loading ? (
        isApiError(error) && error.status === 404 ? (
          <Alert type="warning" showIcon title={ti('import.notFound')} />
        ) : (
          <LoadError error={error} onRetry={reload} />
        )
      ) : (
        <PageLoading />
      );
  } else if (!job) {
    body = (
      <UploadStep
        type={type}
        onTypeChange={(next) => go({ type: next })}
        onUploaded={(uploaded) => {
          adopt(uploaded);
          go({ id: uploaded.id, type: uploaded.type });
        }}
      />
    );
  } else if (step === 'mapping') {
    body = (
      <MappingStep
        key={job.id}
        job={job}
        fields={fields}
        busy={busy}
        onSubmit={(mapping, save) => void submitMapping(job, mapping, save)}
        onReupload={() => go({ id: null, type: job.type })}
      />
    );
  } else if (step === 'validate') {
    body = (
      <ValidateStep
        job={job}
        downloading={downloading}
        onDownloadErrors={() => void downloadErrors(job)}
        onReupload={() => go({ id: null, type: job.type })}
        onNext={() => setChoosingPolicy(true)}
        onCancel={() => cancel(job)}
      />
    );
  } else if (step === 'commit') {
    body = (
      <CommitStep
        job={job}
        busy={busy}
        onBack={() => setChoosingPolicy(false)}
        onCommit={(policy) => void commit(job, policy)}
        onCancel={() => cancel(job)}
      />
    );
  } else {
    body = (
      <ResultStep
        job={job}
        downloading={downloading}
        onDownloadErrors={() => void downloadErrors(job)}
        onNew={() => go({ id: null, type: job.type })}
      />
    );
  }

  return (
    <PageContainer
      title={ti('import.title')}
      description={isMobile ? undefined : ti('import.description')}
      extra={
        id ? (
          <Button icon={<PlusOutlined />} onClick={() => go({ id: null })} data-testid="import-new-top">
            {ti('import.newImport')}
          </Button>
        ) : null
      }
    >
      <Card className="kam-import-wizard" data-testid="import-wizard" data-step={step}>
        {isMobile ? (
          <div className="kam-import-steps-mobile">
            <Typography.Text strong>
              {stepIndex + 1}/{STEPS.length} · {ti(STEP_LABEL[step])}
            </Typography.Text>
            <Progress
              percent={((stepIndex + 1) / STEPS.length) * 100}
              steps={STEPS.length}
              showInfo={false}
            />
          </div>
        ) : (
          <Steps
            className="kam-import-steps"
            current={stepIndex}
            size="small"
            items={STEPS.map((key) => ({ title: ti(STEP_LABEL[key]) }))}
          />
        )}
        <div className="kam-import-body">{body}</div>
      </Card>
      <RecentImports
        currentId={id}
        refreshKey={job ? `${job.id}:${job.status}` : ''}
        onOpen={(openId) => go({ id: openId })}
      />
    </PageContainer>
  );
}
