import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Radio, Space, Typography, Upload } from 'antd';
import { useRef, useState } from 'react';
import { IMPORT_TYPES, type ImportJob, type ImportType, importsApi, saveBlob } from '../../api/imports';
import { useApiError } from '../../hooks/useApiError';
import { useImportsT } from '../../i18n/imports';

/** Largest file the server takes (kept in step with the server's body limit for imports). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const ACCEPT = '.xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv';

export interface UploadStepProps {
  type: ImportType;
  onTypeChange: (type: ImportType) => void;
  onUploaded: (job: ImportJob) => void;
}

/** Step 1: what to import, the template, and the file (click or drag; progress while it uploads). */
export function UploadStep({ type, onTypeChange, onUploaded }: UploadStepProps) {
  const ti = useImportsT();
  const { showError } = useApiError();
  const [uploading, setUploading] = useState<{ name: string; percent: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [templateLoading, setTemplateLoading] = useState(false);
  const controllerRef = useRef<AbortController | null>(null);

  const downloadTemplate = async () => {
    setTemplateLoading(true);
    try {
      const { blob, filename } = await importsApi.template(type);
      saveBlob(blob, filename ?? `kam-import-${type}.xlsx`);
    } catch (error) {
      showError(error);
    } finally {
      setTemplateLoading(false);
    }
  };

  const upload = async (file: File) => {
    setProblem(null);
    if (!/\.(xlsx|csv)$/i.test(file.name)) {
      setProblem(ti('import.fileWrongType'));
      return;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setProblem(ti('import.fileTooLarge', { size: `${MAX_IMPORT_BYTES / 1024 / 1024} MB` }));
      return;
    }
    const controller = new AbortController();
    controllerRef.current = controller;
    setUploading({ name: file.name, percent: 0 });
    try {
      const job = await importsApi.upload(
        type,
        file,
        (fraction) => setUploading({ name: file.name, percent: Math.round(fraction * 100) }),
        controller.signal,
      );
      onUploaded(job);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        setProblem(error instanceof Error ? error.message : ti('import.uploadFailed'));
        showError(error);
      }
    } finally {
      controllerRef.current = null;
      setUploading(null);
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={5}>{ti('import.type')}</Typography.Title>
        <Radio.Group
          value={type}
          onChange={(e) => onTypeChange(e.target.value as ImportType)}
          disabled={!!uploading}
          className="kam-import-types"
          data-testid="import-type"
        >
          {IMPORT_TYPES.map((key) => (
            <Radio key={key} value={key} className="kam-import-type" data-testid={`import-type-${key}`}>
              <span className="kam-import-type-label">{ti(`import.type.${key}`)}</span>
              <Typography.Text type="secondary" className="kam-import-type-hint">
                {ti(`import.typeHint.${key}`)}
              </Typography.Text>
            </Radio>
          ))}
        </Radio.Group>
      </div>

      <div className="kam-import-template">
        <Typography.Text type="secondary">{ti('import.templateHint')}</Typography.Text>
        <Button
          icon={<DownloadOutlined />}
          onClick={downloadTemplate}
          loading={templateLoading}
          data-testid="import-template"
        >
          {ti('import.downloadTemplate')}
        </Button>
      </div>

      {uploading ? (
        <Card data-testid="import-uploading">
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>{ti('import.uploading', { name: uploading.name })}</Typography.Text>
            <Progress percent={uploading.percent} status="active" data-testid="import-upload-progress" />
            <Button size="small" onClick={() => controllerRef.current?.abort()}>
              {ti('import.uploadCancel')}
            </Button>
          </Space>
        </Card>
      ) : (
        <div data-testid="import-dropzone">
          <Upload.Dragger
            accept={ACCEPT}
            multiple={false}
            showUploadList={false}
            beforeUpload={(file) => {
              void upload(file);
              return Upload.LIST_IGNORE;
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{ti('import.dropTitle')}</p>
            <p className="ant-upload-hint">{ti('import.dropHint')}</p>
          </Upload.Dragger>
        </div>
      )}
      {problem ? <Alert type="error" showIcon title={problem} data-testid="import-upload-error" /> : null}
    </Space>
  );
}
