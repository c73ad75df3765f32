import { PlusOutlined, StarFilled } from '@ant-design/icons';
import type { TieringModel } from '@kam/domain';
import { Button, Card, Empty, Form, Input, List, Modal, Radio, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { PageContainer } from '../../components/PageContainer';
import {
  type ModelSummary,
  type TemplateKey,
  type TieringModelKind,
  tieringApi,
} from '../../components/tiering/api';
import { TierDistributionChart } from '../../components/tiering/TierCountCharts';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { type TieringKey, useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import { BLANK_CLV } from './editor/ClvEditor';
import { blankCriteria } from './editor/CriteriaEditor';
import { BLANK_RFM } from './editor/RfmEditor';
import { blankWeighted } from './editor/WeightedEditor';
import { RunsPanel } from './RunsPanel';
import './tiering.css';

export function ModelStatus({ model }: { model: Pick<ModelSummary, 'publishedVersion' | 'hasDraft'> }) {
  const tt = useTieringT();
  return (
    <span className="kam-tier-status" data-testid="model-status">
      {model.publishedVersion !== null ? (
        <Tag color="success">{tt('tiering.status.published')}</Tag>
      ) : (
        <Tag>{tt('tiering.status.draft')}</Tag>
      )}
      {model.publishedVersion !== null && model.hasDraft ? (
        <Tag color="warning">{tt('tiering.status.draftChanges')}</Tag>
      ) : null}
    </span>
  );
}

export function RecordMarker() {
  const tt = useTieringT();
  return (
    <Tooltip title={tt('tiering.recordHint')}>
      <Tag color="gold" icon={<StarFilled />} data-testid="record-marker">
        {tt('tiering.recordMarker')}
      </Tag>
    </Tooltip>
  );
}

/** Tier models (kind, status, version, tier of record), create (blank or template), and recent runs. */
export default function TieringPage() {
  const tt = useTieringT();
  const { can } = useAuth();
  const { showError } = useApiError();
  const { dateTime } = useFormat();
  const isMobile = useIsMobile();
  const [models, setModels] = useState<ModelSummary[] | null>(null);
  const [creating, setCreating] = useState(false);
  const canConfigure = can('tiering.configure');
  const record = models?.find((m) => m.tierOfRecord && m.publishedVersion !== null) ?? null;

  const load = useCallback(async () => {
    try {
      const items: ModelSummary[] = [];
      let cursor: string | null = null;
      // Tenants have a handful of models: read them all (pages of 200).
      do {
        const page = await tieringApi.models({ limit: 200, cursor });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      setModels(items);
    } catch (err) {
      showError(err);
      setModels([]);
    }
  }, [showError]);

  useEffect(() => {
    void load();
  }, [load]);

  const name = (m: ModelSummary) => (
    <span className="kam-tier-model-name">
      <Link to={`/tiering/models/${m.id}`} data-testid="model-link">
        {m.name}
      </Link>
      {m.tierOfRecord ? <RecordMarker /> : null}
    </span>
  );

  return (
    <PageContainer
      title={tt('tiering.title')}
      description={tt('tiering.description')}
      extra={
        canConfigure ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="model-create"
          >
            {tt('tiering.newModel')}
          </Button>
        ) : null
      }
    >
      <Card title={tt('tiering.models')} className="kam-tier-section">
        {models !== null && models.length === 0 ? (
          <Empty description={tt('tiering.noModels')} />
        ) : isMobile ? (
          <List
            loading={models === null}
            dataSource={models ?? []}
            data-testid="models-list"
            renderItem={(m) => (
              <List.Item data-testid="model-row">
                <div className="kam-tier-model-card">
                  {name(m)}
                  <span>
                    <Tag>{tt(`tiering.kind.${m.kind}` as TieringKey)}</Tag>
                    <ModelStatus model={m} />
                    {m.publishedVersion !== null ? (
                      <Typography.Text type="secondary">v{m.publishedVersion}</Typography.Text>
                    ) : null}
                  </span>
                </div>
              </List.Item>
            )}
          />
        ) : (
          <Table<ModelSummary>
            rowKey="id"
            size="middle"
            loading={models === null}
            dataSource={models ?? []}
            pagination={false}
            data-testid="models-table"
            onRow={() => ({ 'data-testid': 'model-row' }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: tt('tiering.col.name'), render: (_, m) => name(m) },
              { title: tt('tiering.col.kind'), render: (_, m) => tt(`tiering.kind.${m.kind}` as TieringKey) },
              { title: tt('tiering.col.status'), render: (_, m) => <ModelStatus model={m} /> },
              {
                title: tt('tiering.col.version'),
                render: (_, m) => (m.publishedVersion === null ? '—' : `v${m.publishedVersion}`),
              },
              { title: tt('tiering.col.updatedAt'), render: (_, m) => dateTime(m.updatedAt) },
            ]}
          />
        )}
      </Card>
      {record ? (
        <TierDistributionChart
          modelId={record.id}
          title={tt('tiering.counts.recordDistribution', { name: record.name })}
        />
      ) : null}
      <RunsPanel canRun={false} />
      <CreateModelModal open={creating} onClose={() => setCreating(false)} />
    </PageContainer>
  );
}

interface CreateValues {
  start: 'blank' | 'template';
  kind: TieringModelKind;
  template: TemplateKey;
  name: string;
}

function CreateModelModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const tt = useTieringT();
  const navigate = useNavigate();
  const { showFormError } = useApiError();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<CreateValues>();
  const [busy, setBusy] = useState(false);
  const start = Form.useWatch('start', form) ?? 'blank';

  const submit = async (v: CreateValues) => {
    setBusy(true);
    try {
      const nameOf = (n: number) => tt('tiering.dim.default', { n });
      const definition: TieringModel =
        v.kind === 'weighted'
          ? blankWeighted(nameOf)
          : v.kind === 'criteria'
            ? blankCriteria()
            : v.kind === 'clv'
              ? BLANK_CLV
              : BLANK_RFM;
      const created =
        v.start === 'template'
          ? await tieringApi.fromTemplate({ template: v.template, name: v.name?.trim() || undefined })
          : await tieringApi.create({ name: v.name.trim(), definition });
      form.resetFields();
      onClose();
      navigate(`/tiering/models/${created.id}`);
    } catch (err) {
      showFormError(form, err, ['name', 'template']);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={tt('tiering.create.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy, id: 'model-create-submit' }}
      width={isMobile ? '100%' : 560}
      destroyOnHidden
    >
      <Form<CreateValues>
        form={form}
        layout="vertical"
        initialValues={{ start: 'blank', kind: 'weighted', template: 'b2b_criteria' }}
        onFinish={(v) => void submit(v)}
        preserve={false}
      >
        <Form.Item name="start" label={tt('tiering.create.start')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'blank', label: tt('tiering.create.blank') },
              { value: 'template', label: tt('tiering.create.template') },
            ]}
            data-testid="model-create-start"
          />
        </Form.Item>
        {start === 'blank' ? (
          <Form.Item name="kind" label={tt('tiering.create.kind')}>
            <Radio.Group className="kam-tier-kind-choice" data-testid="model-create-kind">
              {(['weighted', 'criteria', 'rfm', 'clv'] as const).map((k) => (
                <Radio key={k} value={k} data-testid={`model-kind-${k}`}>
                  <span className="kam-tier-kind-label">{tt(`tiering.kind.${k}`)}</span>
                  <Typography.Text type="secondary" className="kam-tier-kind-desc">
                    {tt(`tiering.kindDesc.${k}`)}
                  </Typography.Text>
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
        ) : (
          <Form.Item name="template" label={tt('tiering.create.templateChoice')}>
            <Radio.Group className="kam-tier-kind-choice">
              {(['b2b_criteria', 'weighted_basic', 'rfm_classic'] as const).map((k) => (
                <Radio key={k} value={k} data-testid={`model-template-${k}`}>
                  {tt(`tiering.template.${k}`)}
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
        )}
        <Form.Item
          name="name"
          label={tt('tiering.create.name')}
          rules={
            start === 'blank'
              ? [{ required: true, whitespace: true, message: tt('tiering.create.nameRequired') }]
              : []
          }
        >
          <Input maxLength={100} data-testid="model-create-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
