import {
  ArrowLeftOutlined,
  ExperimentOutlined,
  SaveOutlined,
  SendOutlined,
  StarOutlined,
} from '@ant-design/icons';
import type { Dimension, TieringModel } from '@kam/domain';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../api/api';
import { useAuth } from '../../auth/AuthContext';
import { LoadError, NotFoundResult, PageLoading } from '../../components/Results';
import {
  type ModelDetail,
  pollRun,
  RUN_SCHEDULES,
  type RunDetail,
  type RunSchedule,
  type TieringMetric,
  type TieringSettings,
  tieringApi,
} from '../../components/tiering/api';
import { ClvFitCard } from '../../components/tiering/Clv';
import { useMetrics } from '../../components/tiering/labels';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { type TieringKey, useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import { ClvEditor } from './editor/ClvEditor';
import { CriteriaEditor } from './editor/CriteriaEditor';
import { type FieldErrors, fieldErrorsOf } from './editor/errors';
import { RfmEditor } from './editor/RfmEditor';
import { WeightedEditor } from './editor/WeightedEditor';
import { RunProgress, RunsPanel } from './RunsPanel';
import { SimulationView } from './SimulationView';
import { ModelStatus, RecordMarker } from './TieringPage';
import './tiering.css';

type TabKey = 'definition' | 'simulation' | 'runs' | 'versions';
const TABS: TabKey[] = ['definition', 'simulation', 'runs', 'versions'];

const isRunning = (run: RunDetail | null) =>
  run !== null && (run.status === 'queued' || run.status === 'running');

/** Tier id → name for a definition (weighted/criteria), falling back to the id. */
function tierNamer(def: TieringModel | null, fallback: { id: string; name: string }[]) {
  const names = new Map<string, string>();
  for (const t of fallback) names.set(t.id, t.name);
  if (def?.kind === 'weighted') for (const t of def.tiers) names.set(t.id, t.name || t.id);
  if (def?.kind === 'criteria') {
    for (const t of def.tiers) names.set(t.id, t.name || t.id);
    names.set(def.defaultTier.id, def.defaultTier.name || def.defaultTier.id);
  }
  return (id: string) => names.get(id) ?? id;
}

/** The model editor: definition (no JSON), simulation preview, publish, tier of record, runs, versions. */
export default function ModelEditorPage() {
  const { id = '' } = useParams();
  const tt = useTieringT();
  const { can } = useAuth();
  const { message } = App.useApp();
  const { showError, handleConflict } = useApiError();
  const isMobile = useIsMobile();
  const metrics = useMetrics();
  const [params, setParams] = useSearchParams();
  const tab: TabKey = TABS.includes(params.get('tab') as TabKey)
    ? (params.get('tab') as TabKey)
    : 'definition';
  const setTab = (next: string) =>
    setParams(
      (p) => {
        p.set('tab', next);
        return p;
      },
      { replace: true },
    );

  const [model, setModel] = useState<ModelDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [def, setDef] = useState<TieringModel | null>(null);
  const [name, setName] = useState('');
  const [schedule, setSchedule] = useState<RunSchedule>('daily');
  const [baseline, setBaseline] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [settings, setSettings] = useState<TieringSettings | null>(null);
  const [sim, setSim] = useState<RunDetail | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [runsKey, setRunsKey] = useState(0);
  /** CLV models: bumped when a run completes, so the fitted parameters are read again. */
  const [fitKey, setFitKey] = useState(0);
  const simPoll = useRef<AbortController | null>(null);

  const canConfigure = can('tiering.configure');
  const canRun = can('tiering.create');

  const adopt = useCallback((m: ModelDetail) => {
    const d = (m.draft ?? m.published) as TieringModel | null;
    setModel(m);
    setDef(d);
    setName(m.name);
    setSchedule(m.schedule);
    setBaseline(JSON.stringify({ d, name: m.name, schedule: m.schedule }));
    setErrors({});
  }, []);

  const load = useCallback(async () => {
    try {
      adopt(await tieringApi.model(id));
      setLoadError(null);
    } catch (err) {
      setLoadError(err);
    }
  }, [id, adopt]);

  const followSim = useCallback(
    (run: RunDetail) => {
      simPoll.current?.abort();
      const controller = new AbortController();
      simPoll.current = controller;
      setSim(run);
      pollRun(run.id, setSim, controller.signal).catch((err: unknown) => {
        if (!(err instanceof DOMException && err.name === 'AbortError')) showError(err);
      });
    },
    [showError],
  );

  useEffect(() => {
    void load();
    tieringApi.settings().then(setSettings, () => setSettings(null));
    // The latest simulation of this model, to show (or follow) it.
    tieringApi.runs({ modelId: id, kind: 'simulation', limit: 1 }).then(
      async (page) => {
        const last = page.items[0];
        if (!last) return;
        const detail = await tieringApi.run(last.id);
        if (isRunning(detail)) followSim(detail);
        else setSim(detail);
      },
      () => undefined,
    );
    return () => simPoll.current?.abort();
  }, [id, load, followSim]);

  const dirty = model !== null && JSON.stringify({ d: def, name, schedule }) !== baseline;
  const readOnly = !canConfigure;
  const tierName = useMemo(() => tierNamer(def, model?.tiers ?? []), [def, model]);

  if (loadError) {
    if (isApiError(loadError) && loadError.status === 404) return <NotFoundResult />;
    return <LoadError error={loadError} onRetry={() => void load()} />;
  }
  if (!model || !def || metrics === null) return <PageLoading />;

  const save = async (): Promise<ModelDetail | null> => {
    setSaving(true);
    try {
      const saved = await tieringApi.saveDraft(model.id, {
        version: model.version,
        name: name.trim(),
        schedule,
        definition: def,
      });
      adopt(saved);
      void message.success(tt('tiering.editor.saved'));
      return saved;
    } catch (err) {
      const fields = fieldErrorsOf(err);
      if (fields) {
        setErrors(fields);
        setTab('definition');
        void message.error(tt('tiering.editor.problems', { count: Object.keys(fields).length }));
      } else if (handleConflict(err)) {
        await load();
      } else {
        showError(err);
      }
      return null;
    } finally {
      setSaving(false);
    }
  };

  const simulate = async () => {
    let current = model;
    if (dirty) {
      const saved = await save();
      if (!saved) return;
      current = saved;
    }
    try {
      followSim(await tieringApi.simulate(current.id));
      setTab('simulation');
    } catch (err) {
      const fields = fieldErrorsOf(err);
      if (fields) setErrors(fields);
      showError(err);
    }
  };

  const setRecord = async () => {
    if (!settings) return;
    try {
      const next = await tieringApi.putSettings({
        version: settings.version,
        recordModelId: model.id,
        largeOrderAmount: settings.largeOrderAmount,
      });
      setSettings(next);
      void message.success(tt('tiering.editor.recordSet'));
      await load();
    } catch (err) {
      if (handleConflict(err)) tieringApi.settings().then(setSettings, () => undefined);
      else showError(err);
    }
  };

  const simFresh =
    sim !== null &&
    sim.status === 'completed' &&
    sim.modelVersion === null &&
    !dirty &&
    (model.draftUpdatedAt === null ||
      new Date(sim.createdAt).getTime() >= new Date(model.draftUpdatedAt).getTime());
  const dimensions: Dimension[] | null = def.kind === 'weighted' ? def.dimensions : null;
  const tierable = model.kind === 'weighted' || model.kind === 'criteria';
  const errorCount = Object.keys(errors).length;

  const editor = (() => {
    const props = { metrics: metrics as TieringMetric[], errors, readOnly };
    switch (def.kind) {
      case 'weighted':
        return <WeightedEditor model={def} onChange={setDef} {...props} />;
      case 'criteria':
        return <CriteriaEditor model={def} onChange={setDef} {...props} />;
      case 'rfm':
        return <RfmEditor model={def} onChange={setDef} {...props} />;
      case 'clv':
        return <ClvEditor model={def} onChange={setDef} errors={errors} readOnly={readOnly} />;
    }
  })();

  const simulationTab = (
    <div data-testid="simulation-tab">
      <Card className="kam-tier-section">
        <div className="kam-tier-runs-head">
          <Typography.Text type="secondary">{tt('tiering.sim.hint')}</Typography.Text>
          {canRun && model.kind !== 'clv' ? (
            <Button
              icon={<ExperimentOutlined />}
              onClick={() => void simulate()}
              loading={isRunning(sim)}
              data-testid="simulate-again"
            >
              {sim ? tt('tiering.sim.again') : tt('tiering.sim.start')}
            </Button>
          ) : null}
        </div>
        {sim && isRunning(sim) ? <RunProgress run={sim} testId="simulation-progress" /> : null}
        {sim?.status === 'failed' ? (
          <Alert type="error" showIcon title={tt('tiering.sim.failed', { error: sim.error ?? '' })} />
        ) : null}
        {model.kind === 'clv' ? (
          <Alert
            type="info"
            showIcon
            title={tt('tiering.editor.clvNoSimulation')}
            data-testid="clv-no-simulation"
          />
        ) : null}
        {sim?.status === 'completed' && !simFresh ? (
          <Alert type="warning" showIcon title={tt('tiering.sim.stale')} data-testid="simulation-stale" />
        ) : null}
      </Card>
      {sim?.status === 'completed' && sim.simulation ? (
        <Card className="kam-tier-section">
          <SimulationView
            simulation={sim.simulation}
            tierName={tierName}
            dimensions={dimensions}
            metrics={metrics}
            asOf={sim.asOf}
          />
        </Card>
      ) : !sim ? (
        <Empty description={tt('tiering.sim.none')} />
      ) : null}
    </div>
  );

  const versionsTab = (
    <Card className="kam-tier-section" data-testid="versions-tab">
      {model.versions.length === 0 ? (
        <Empty description={tt('tiering.ver.none')} />
      ) : (
        <VersionList model={model} />
      )}
    </Card>
  );

  const actions = (
    <Space wrap size={8}>
      {!readOnly ? (
        <Button
          icon={<SaveOutlined />}
          type={dirty ? 'primary' : 'default'}
          disabled={!dirty}
          loading={saving}
          onClick={() => void save()}
          data-testid="model-save"
        >
          {tt('tiering.editor.save')}
        </Button>
      ) : null}
      {canRun && model.kind !== 'clv' ? (
        <Button
          icon={<ExperimentOutlined />}
          onClick={() => void simulate()}
          disabled={isRunning(sim)}
          data-testid="model-simulate"
        >
          {tt('tiering.editor.simulate')}
        </Button>
      ) : null}
      {!readOnly ? (
        <Button
          icon={<SendOutlined />}
          onClick={() => setPublishing(true)}
          disabled={dirty || !model.hasDraft}
          data-testid="model-publish"
        >
          {tt('tiering.editor.publish')}
        </Button>
      ) : null}
      {canConfigure && tierable && model.publishedVersion !== null && !model.tierOfRecord ? (
        <Button icon={<StarOutlined />} onClick={() => void setRecord()} data-testid="model-set-record">
          {tt('tiering.editor.setRecord')}
        </Button>
      ) : null}
    </Space>
  );

  return (
    <div className="kam-page kam-tier-editor" data-testid="model-editor">
      <Card variant="borderless" className="kam-tier-editor-header">
        <div className="kam-tier-editor-top">
          <div className="kam-tier-editor-title">
            <Link to="/tiering" aria-label={tt('tiering.editor.back')} className="kam-back-link">
              <ArrowLeftOutlined />
            </Link>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="model-title">
              {model.name}
            </Typography.Title>
            <Tag>{tt(`tiering.kind.${model.kind}` as TieringKey)}</Tag>
            <ModelStatus model={model} />
            {model.publishedVersion !== null ? <Tag>v{model.publishedVersion}</Tag> : null}
            {model.tierOfRecord ? <RecordMarker /> : null}
          </div>
          {actions}
        </div>
        {dirty ? (
          <Typography.Text type="warning" data-testid="model-dirty">
            {tt('tiering.editor.unsaved')}
          </Typography.Text>
        ) : null}
      </Card>

      <Tabs
        activeKey={tab}
        onChange={setTab}
        destroyOnHidden={false}
        items={[
          {
            key: 'definition',
            label: <span data-testid="model-tab-definition">{tt('tiering.editor.tabDefinition')}</span>,
            children: (
              <Form layout="vertical" className="kam-tier-form" component="div" disabled={false}>
                {!canConfigure ? (
                  <Alert type="info" showIcon title={tt('tiering.readOnly')} className="kam-tier-section" />
                ) : null}
                {canConfigure && model.publishedVersion !== null && model.draft === null ? (
                  <Alert
                    type="info"
                    showIcon
                    className="kam-tier-section"
                    title={tt('tiering.editor.viewingPublished', { version: model.publishedVersion })}
                  />
                ) : null}
                {canConfigure && model.publishedVersion !== null && model.draft !== null ? (
                  <Alert
                    type="info"
                    showIcon
                    className="kam-tier-section"
                    title={tt('tiering.editor.editingDraft', { version: model.publishedVersion })}
                  />
                ) : null}
                {canConfigure && model.publishedVersion === null ? (
                  <Alert
                    type="info"
                    showIcon
                    className="kam-tier-section"
                    title={tt('tiering.editor.neverPublished')}
                  />
                ) : null}
                {errorCount > 0 ? (
                  <Alert
                    type="error"
                    showIcon
                    className="kam-tier-section"
                    data-testid="model-errors"
                    title={tt('tiering.editor.problems', { count: errorCount })}
                    description={
                      <ul className="kam-tier-error-list">
                        {Object.entries(errors).map(([path, msgs]) => (
                          <li key={path}>{msgs.join('；')}</li>
                        ))}
                      </ul>
                    }
                  />
                ) : null}
                <Card className="kam-tier-section">
                  <div className="kam-tier-inline">
                    <Form.Item
                      label={tt('tiering.editor.name')}
                      validateStatus={errors.name ? 'error' : undefined}
                      help={errors.name?.join('；')}
                      className="kam-tier-grow"
                    >
                      <Input
                        value={name}
                        maxLength={100}
                        disabled={readOnly}
                        onChange={(e) => setName(e.target.value)}
                        data-testid="model-name"
                      />
                    </Form.Item>
                    <Form.Item
                      label={tt('tiering.editor.schedule')}
                      tooltip={tt('tiering.editor.scheduleHint')}
                    >
                      <Select<RunSchedule>
                        value={schedule}
                        disabled={readOnly}
                        onChange={setSchedule}
                        style={{ minWidth: 140 }}
                        data-testid="model-schedule"
                        options={RUN_SCHEDULES.map((s) => ({ value: s, label: tt(`tiering.schedule.${s}`) }))}
                      />
                    </Form.Item>
                  </div>
                </Card>
                {editor}
                {!readOnly && isMobile ? (
                  <div className="kam-tier-sticky-save">
                    <Button
                      type="primary"
                      block
                      disabled={!dirty}
                      loading={saving}
                      onClick={() => void save()}
                    >
                      {tt('tiering.editor.save')}
                    </Button>
                  </div>
                ) : null}
              </Form>
            ),
          },
          {
            key: 'simulation',
            label: <span data-testid="model-tab-simulation">{tt('tiering.editor.tabSimulation')}</span>,
            children: simulationTab,
          },
          {
            key: 'runs',
            label: <span data-testid="model-tab-runs">{tt('tiering.editor.tabRuns')}</span>,
            children: (
              <>
                <RunsPanel
                  key={runsKey}
                  modelId={model.id}
                  canRun={canRun && model.publishedVersion !== null}
                  tierCounts={model.kind !== 'clv'}
                  onCompleted={() => {
                    void load();
                    setFitKey((k) => k + 1);
                  }}
                />
                {model.kind === 'clv' ? <ClvFitCard modelId={model.id} refreshKey={fitKey} /> : null}
              </>
            ),
          },
          {
            key: 'versions',
            label: <span data-testid="model-tab-versions">{tt('tiering.editor.tabVersions')}</span>,
            children: versionsTab,
          },
        ]}
      />

      <PublishModal
        open={publishing}
        model={model}
        sim={simFresh ? sim : null}
        running={isRunning(sim) ? sim : null}
        canSimulate={canRun && model.kind !== 'clv'}
        onSimulate={() => void simulate()}
        tierName={tierName}
        dimensions={dimensions}
        metrics={metrics}
        offerRecord={tierable && !model.tierOfRecord && settings !== null}
        onClose={() => setPublishing(false)}
        onPublished={async (published, makeRecord) => {
          setPublishing(false);
          adopt(published);
          void message.success(tt('tiering.pub.done', { version: published.publishedVersion ?? '' }));
          if (makeRecord) await setRecord();
          setRunsKey((k) => k + 1);
          setTab('runs');
        }}
      />
    </div>
  );
}

function VersionList({ model }: { model: ModelDetail }) {
  const tt = useTieringT();
  const { dateTime } = useFormat();
  return (
    <Timeline
      items={model.versions.map((v) => ({
        key: v.versionNo,
        color: v.versionNo === model.publishedVersion ? 'green' : 'gray',
        content: (
          <div data-testid="version-item">
            <Typography.Text strong>
              {tt('tiering.ver.item', {
                version: v.versionNo,
                time: dateTime(v.publishedAt),
                who: v.publishedByName ?? '—',
              })}
            </Typography.Text>
            {v.note ? <Typography.Paragraph type="secondary">{v.note}</Typography.Paragraph> : null}
          </div>
        ),
      }))}
    />
  );
}

function PublishModal({
  open,
  model,
  sim,
  running,
  canSimulate,
  onSimulate,
  tierName,
  dimensions,
  metrics,
  offerRecord,
  onClose,
  onPublished,
}: {
  open: boolean;
  model: ModelDetail;
  sim: RunDetail | null;
  running: RunDetail | null;
  canSimulate: boolean;
  onSimulate: () => void;
  tierName: (id: string) => string;
  dimensions: Dimension[] | null;
  metrics: TieringMetric[];
  offerRecord: boolean;
  onClose: () => void;
  onPublished: (model: ModelDetail, makeRecord: boolean) => Promise<void>;
}) {
  const tt = useTieringT();
  const { showError } = useApiError();
  const isMobile = useIsMobile();
  const [note, setNote] = useState('');
  const [makeRecord, setMakeRecord] = useState(true);
  const [busy, setBusy] = useState(false);
  const asked = useRef(false);

  // Publishing shows the same preview: start one when the draft has none that is current.
  useEffect(() => {
    if (!open) {
      asked.current = false;
      return;
    }
    if (!sim && !running && canSimulate && !asked.current) {
      asked.current = true;
      onSimulate();
    }
  }, [open, sim, running, canSimulate, onSimulate]);

  const publish = async () => {
    setBusy(true);
    try {
      const published = await tieringApi.publish(model.id, {
        version: model.version,
        note: note.trim() || null,
      });
      setNote('');
      await onPublished(published, offerRecord && makeRecord);
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  };

  const nextVersion = (model.publishedVersion ?? 0) + 1;
  return (
    <Modal
      open={open}
      title={tt('tiering.pub.title', { name: model.name })}
      onCancel={onClose}
      onOk={() => void publish()}
      okText={tt('tiering.pub.confirm')}
      okButtonProps={{ loading: busy, disabled: !model.hasDraft, id: 'publish-confirm' }}
      width={isMobile ? '100%' : 960}
      destroyOnHidden
      data-testid="publish-modal"
    >
      <Typography.Paragraph>{tt('tiering.pub.intro', { version: nextVersion })}</Typography.Paragraph>
      {running ? <RunProgress run={running} testId="publish-simulation-progress" /> : null}
      {sim?.simulation ? (
        <SimulationView
          simulation={sim.simulation}
          tierName={tierName}
          dimensions={dimensions}
          metrics={metrics}
          asOf={sim.asOf}
          compact
        />
      ) : null}
      <Form layout="vertical" component="div" className="kam-tier-publish-form">
        <Form.Item label={tt('tiering.pub.note')}>
          <Input.TextArea
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
            autoSize={{ minRows: 1, maxRows: 4 }}
            data-testid="publish-note"
          />
        </Form.Item>
        {offerRecord ? (
          <Checkbox
            checked={makeRecord}
            onChange={(e) => setMakeRecord(e.target.checked)}
            data-testid="publish-record"
          >
            {tt('tiering.pub.recordAfter')}
          </Checkbox>
        ) : null}
      </Form>
    </Modal>
  );
}
