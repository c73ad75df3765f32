import { Alert, Button, Checkbox, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import type { CellValue, ImportJob, ImportMapping } from '../../api/imports';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useImportsT } from '../../i18n/imports';
import type { ImportFieldOption } from './fields';

const PREVIEW_ROWS = 5;

function cellText(value: CellValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export interface MappingStepProps {
  job: ImportJob;
  fields: ImportFieldOption[];
  busy: boolean;
  onSubmit: (mapping: ImportMapping, saveAsTemplate: boolean) => void;
  onReupload: () => void;
}

interface ColumnRow {
  id: string;
  index: number;
  header: string;
  samples: string[];
}

/** Step 2: each column of the file → a field (suggested by the server), required fields marked. */
export function MappingStep({ job, fields, busy, onSubmit, onReupload }: MappingStepProps) {
  const ti = useImportsT();
  const isMobile = useIsMobile();
  const [mapping, setMapping] = useState<ImportMapping>(() => ({ ...job.mapping }));
  const [saveAsTemplate, setSaveAsTemplate] = useState(false);

  const byKey = useMemo(() => new Map(fields.map((f) => [f.key, f])), [fields]);
  const used = useMemo(() => {
    const count = new Map<string, number>();
    for (const key of Object.values(mapping)) if (key) count.set(key, (count.get(key) ?? 0) + 1);
    return count;
  }, [mapping]);
  const missing = fields.filter((f) => f.required && !used.has(f.key));
  const doubled = [...used].filter(([, n]) => n > 1).map(([key]) => byKey.get(key)?.label ?? key);

  const rows: ColumnRow[] = job.headers.map((header, index) => ({
    id: String(index),
    index,
    header,
    samples: job.preview
      .slice(0, 3)
      .map((r) => cellText(r[index]))
      .filter((v) => v !== ''),
  }));

  const options = [
    { value: '', label: ti('import.ignoreColumn') },
    ...fields.map((f) => ({
      value: f.key,
      label: f.required ? `${f.label} *` : f.label,
      disabled: (used.get(f.key) ?? 0) > 0,
    })),
  ];

  const columns: ColumnsType<ColumnRow> = [
    {
      key: 'column',
      title: ti('import.fileColumn'),
      render: (_, row) => (
        <div className="kam-import-col">
          <Typography.Text strong>{row.header || `#${row.index + 1}`}</Typography.Text>
          {row.samples.length > 0 ? (
            <Typography.Text type="secondary" className="kam-import-samples" title={row.samples.join(' · ')}>
              {row.samples.join(' · ')}
            </Typography.Text>
          ) : null}
        </div>
      ),
    },
    {
      key: 'field',
      title: ti('import.targetField'),
      width: isMobile ? 168 : 240,
      render: (_, row) => {
        const value = mapping[row.id] ?? '';
        const field = value ? byKey.get(value) : undefined;
        return (
          <Space orientation="vertical" size={2} style={{ width: '100%' }}>
            <Select
              value={value}
              options={options.map((o) => (o.value === value ? { ...o, disabled: false } : o))}
              onChange={(next: string) => setMapping((prev) => ({ ...prev, [row.id]: next || null }))}
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: '100%' }}
              popupMatchSelectWidth={false}
              data-testid={`import-map-${row.index}`}
            />
            {field?.required ? <Tag color="blue">{ti('import.requiredMark')}</Tag> : null}
          </Space>
        );
      },
    },
  ];

  const previewColumns: ColumnsType<{ id: string; cells: CellValue[]; n: number }> = [
    { key: 'n', title: ti('import.rowNumber'), dataIndex: 'n', width: 64, fixed: 'left' },
    ...job.headers.map((header, index) => ({
      key: String(index),
      title: (
        <span>
          {header || `#${index + 1}`}
          {mapping[String(index)] ? (
            <Typography.Text type="secondary" className="kam-import-preview-field">
              {byKey.get(mapping[String(index)] ?? '')?.label}
            </Typography.Text>
          ) : null}
        </span>
      ),
      render: (_: unknown, row: { cells: CellValue[] }) => (
        <span className="kam-import-cell">{cellText(row.cells[index])}</span>
      ),
    })),
  ];
  const preview = job.preview
    .slice(0, PREVIEW_ROWS)
    .map((cells, i) => ({ id: String(i), cells, n: job.headerRow + 1 + i }));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="import-mapping">
      <div>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {ti('import.mappingTitle')}
        </Typography.Title>
        <Typography.Text type="secondary">{ti('import.mappingHint')}</Typography.Text>
      </div>
      <Table<ColumnRow>
        rowKey="id"
        size="small"
        tableLayout="fixed"
        columns={columns}
        dataSource={rows}
        pagination={false}
        data-testid="import-mapping-table"
      />
      {missing.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          title={ti('import.missingRequired', { fields: missing.map((f) => f.label).join('、') })}
          data-testid="import-missing-required"
        />
      ) : null}
      {doubled.length > 0 ? (
        <Alert type="error" showIcon title={ti('import.duplicateTarget', { field: doubled.join('、') })} />
      ) : null}

      <div>
        <Typography.Title level={5}>{ti('import.previewTitle', { count: preview.length })}</Typography.Title>
        <Table
          rowKey="id"
          size="small"
          columns={previewColumns}
          dataSource={preview}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="import-preview"
        />
      </div>

      <Checkbox
        checked={saveAsTemplate}
        onChange={(e) => setSaveAsTemplate(e.target.checked)}
        data-testid="import-save-template"
      >
        {ti('import.saveAsTemplate')}
      </Checkbox>
      <div className="kam-import-actions">
        <Button onClick={onReupload} disabled={busy}>
          {ti('import.reupload')}
        </Button>
        <Button
          type="primary"
          loading={busy}
          disabled={missing.length > 0 || doubled.length > 0}
          onClick={() => onSubmit(mapping, saveAsTemplate)}
          data-testid="import-start-validate"
        >
          {ti('import.startValidate')}
        </Button>
      </div>
    </Space>
  );
}
