import { ArrowLeftOutlined, HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import {
  CONDITION_OPS,
  type ConditionOp,
  errorMessage,
  isErrorCode,
  validateApprovalFlow,
} from '@kam/domain';
import { Alert, App, Button, Empty, Popover, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { isApiError } from '../../../api/api';
import { useAuth } from '../../../auth/AuthContext';
import {
  approvalFlowsApi,
  type FlowDetail,
  type FlowsMeta,
  type FlowVersionDetail,
} from '../../../components/approvals/api';
import { useApprovalLabels } from '../../../components/approvals/labels';
import { LoadError, NotFoundResult, PageLoading } from '../../../components/Results';
import { useApiError } from '../../../hooks/useApiError';
import { useDepartments } from '../../../hooks/useDepartments';
import { useRoles } from '../../../hooks/useRoles';
import { useApprovalsT } from '../../../i18n/approvals';
import { useFormat } from '../../../i18n/useFormat';
import type { FieldOption } from './ConditionBuilder';
import { type EditorStep, flowToSteps, moveItem, newStep, OPS_BY_KIND, stepsToFlow } from './model';
import { StepCard } from './StepCard';
import '../approvals.css';

interface Issue {
  /** Relative to the flow document, e.g. `steps.0.approvers.1.userId`. */
  path: string;
  message: string;
}

/** Server field paths name the body first: `body.flow.steps.0.name` → `steps.0.name`. */
function flowPath(serverPath: string): string {
  return serverPath
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^body\./, '')
    .replace(/^flow\.?/, '');
}

/**
 * /approval-flows/:type — the flow builder of one request type: ordered steps, each with its
 * approvers, 或签/会签, an optional structured condition and a time limit. Saving creates the next
 * immutable version; requests already running keep the version they started with.
 */
export default function FlowEditorPage() {
  const { type = '' } = useParams();
  const ta = useApprovalsT();
  const fmt = useFormat();
  const labels = useApprovalLabels();
  const { message } = App.useApp();
  const { showError } = useApiError();
  const { can } = useAuth();
  const canConfigure = can('approval_flow.configure');
  const { roots } = useDepartments(can('department.view'));
  const { roles } = useRoles(can('role.view'));

  const [meta, setMeta] = useState<FlowsMeta | null>(null);
  const [detail, setDetail] = useState<FlowDetail | null>(null);
  const [steps, setSteps] = useState<EditorStep[]>([]);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [checked, setChecked] = useState(false);
  const [saving, setSaving] = useState(false);
  /** An older saved version shown read-only instead of the editor. */
  const [viewing, setViewing] = useState<FlowVersionDetail | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);

  const adopt = useCallback(
    (next: FlowDetail) => {
      const editorSteps = flowToSteps(next.flow);
      setDetail(next);
      setSteps(editorSteps);
      setSaved(JSON.stringify(stepsToFlow(type, editorSteps)));
      setIssues([]);
      setChecked(false);
    },
    [type],
  );

  const load = useCallback(async () => {
    try {
      const [m, d] = await Promise.all([approvalFlowsApi.meta(), approvalFlowsApi.get(type)]);
      setMeta(m);
      adopt(d);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [type, adopt]);

  useEffect(() => {
    void load();
  }, [load]);

  const typeMeta = meta?.types.find((t) => t.type === type) ?? null;
  const fields = useMemo<FieldOption[]>(
    () => [
      ...(typeMeta?.payloadFields ?? []).map((f) => ({ ...f, source: 'payload' as const })),
      ...(meta?.contextFields ?? []).map((f) => ({ ...f, source: 'context' as const })),
    ],
    [meta, typeMeta],
  );
  const opsByKind = useMemo(() => {
    if (!meta) return undefined;
    const out: Partial<Record<FieldOption['kind'], ConditionOp[]>> = {};
    for (const { op, kinds } of meta.operators) {
      if (!(CONDITION_OPS as readonly string[]).includes(op)) continue;
      for (const kind of kinds) out[kind] = [...(out[kind] ?? []), op as ConditionOp];
    }
    // The most useful operator first (e.g. "greater than" for amounts), as the domain orders them.
    for (const [kind, ops] of Object.entries(out) as [FieldOption['kind'], ConditionOp[]][]) {
      const rank = (op: ConditionOp) => {
        const i = OPS_BY_KIND[kind].indexOf(op);
        return i === -1 ? OPS_BY_KIND[kind].length : i;
      };
      ops.sort((a, b) => rank(a) - rank(b));
    }
    return out;
  }, [meta]);
  const roleOptions = useMemo(() => {
    const byId = new Map<string, { id: string; name: string }>();
    for (const r of detail?.refs.roles ?? []) byId.set(r.id, r);
    for (const r of roles) byId.set(r.id, { id: r.id, name: r.name });
    return [...byId.values()];
  }, [roles, detail]);

  const viewingSteps = useMemo(() => (viewing ? flowToSteps(viewing.flow) : null), [viewing]);
  const flowDoc = useMemo(() => stepsToFlow(type, steps), [type, steps]);
  const dirty = detail !== null && JSON.stringify(flowDoc) !== saved;

  // Closing or reloading the tab with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  /** The domain's own validation: the same codes and paths the server answers with. */
  const validate = useCallback((): Issue[] => {
    const result = validateApprovalFlow(flowDoc);
    if (result.ok) return [];
    return result.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: errorMessage(issue.code, fmt.locale, issue.params ?? {}),
    }));
  }, [flowDoc, fmt.locale]);

  // After a first save attempt, problems clear (or appear) as the user edits.
  useEffect(() => {
    if (!checked) return;
    const found = validate();
    setIssues(found);
    if (found.length === 0) message.destroy('flow-invalid');
  }, [checked, validate, message]);

  const issuesAt = useCallback(
    (path: string, exact = false) =>
      issues
        .filter((i) => (exact ? i.path === path : i.path === path || i.path.startsWith(`${path}.`)))
        .map((i) => i.message),
    [issues],
  );

  const save = async () => {
    if (!detail) return;
    setChecked(true);
    const found = validate();
    setIssues(found);
    if (found.length > 0) {
      void message.error({ content: ta('approvals.invalid', { count: found.length }), key: 'flow-invalid' });
      return;
    }
    setSaving(true);
    try {
      const next = await approvalFlowsApi.save(type, { flow: flowDoc, expectedVersion: detail.version });
      adopt(next);
      void message.success(ta('approvals.saved', { version: next.version ?? '' }));
    } catch (err) {
      if (isApiError(err) && err.code === 'VERSION_CONFLICT') {
        const fresh = await approvalFlowsApi.get(type).catch(() => null);
        if (fresh) adopt(fresh);
        void message.warning({
          content: ta('approvals.staleVersion', { version: fresh?.version ?? '' }),
          duration: 8,
        });
      } else if (isApiError(err) && err.fields.length > 0) {
        setIssues(
          err.fields.map((f) => ({
            path: flowPath(f.path),
            message: f.message || (isErrorCode(f.code) ? errorMessage(f.code, fmt.locale) : f.code),
          })),
        );
        void message.error({ content: err.message, key: 'flow-invalid' });
      } else {
        showError(err);
      }
    } finally {
      setSaving(false);
    }
  };

  if (error) {
    if (isApiError(error) && (error.status === 404 || error.code === 'APPROVAL_REQUEST_TYPE_INVALID'))
      return <NotFoundResult />;
    return <LoadError error={error} onRetry={() => void load()} />;
  }
  if (!detail || !meta) return <PageLoading />;

  const typeName = labels.typeLabel(type, detail.label);
  const nextVersion = (detail.version ?? 0) + 1;
  const maxSteps = meta.limits.maxSteps;
  const unmatched = issues.filter(
    (i) => i.path === '' || i.path === 'requestType' || i.path === 'steps' || !/^steps\.\d+/.test(i.path),
  );

  const view = async (version: number) => {
    setVersionsOpen(false);
    if (version === detail.version) {
      setViewing(null);
      return;
    }
    try {
      setViewing(await approvalFlowsApi.version(type, version));
    } catch (err) {
      showError(err);
    }
  };

  const versions = (
    <div className="kam-flow-versions" data-testid="flow-versions">
      {detail.versions.map((v) => (
        <div key={v.version} className="kam-flow-version">
          <span>
            {ta('approvals.versionLine', {
              version: v.version,
              time: fmt.dateTime(v.createdAt),
              name: v.createdBy?.displayName ?? '—',
            })}
            {v.openRequests > 0 ? (
              <Typography.Text type="secondary">
                {' · '}
                {ta('approvals.openRequests', { count: v.openRequests })}
              </Typography.Text>
            ) : null}
          </span>
          <Button
            type="link"
            size="small"
            onClick={() => void view(v.version)}
            data-testid="flow-version-view"
          >
            {v.version === detail.version ? ta('approvals.current') : ta('approvals.view')}
          </Button>
        </div>
      ))}
    </div>
  );

  const shownSteps = viewingSteps ?? steps;
  const readOnly = !canConfigure || viewing !== null;

  return (
    <div className="kam-page kam-flow-editor" data-testid="flow-editor">
      <div className="kam-page-header">
        <div className="kam-page-heading">
          <div className="kam-flow-title">
            <Link to="/approval-flows" aria-label={ta('approvals.flowsTitle')} className="kam-back-link">
              <ArrowLeftOutlined />
            </Link>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {ta('approvals.editorTitle', { type: typeName })}
            </Typography.Title>
            {detail.version !== null ? (
              <Tag color="blue" data-testid="flow-version">
                {ta('approvals.versionValue', { version: detail.version })}
              </Tag>
            ) : (
              <Tag data-testid="flow-version">{ta('approvals.notConfigured')}</Tag>
            )}
          </div>
        </div>
        <div className="kam-page-extra">
          {detail.versions.length > 0 ? (
            <Popover
              content={versions}
              title={ta('approvals.versions')}
              trigger="click"
              placement="bottomRight"
              open={versionsOpen}
              onOpenChange={setVersionsOpen}
            >
              <Button icon={<HistoryOutlined />} data-testid="flow-versions-button">
                {ta('approvals.versions')}
              </Button>
            </Popover>
          ) : null}
        </div>
      </div>

      <Alert
        type="info"
        showIcon
        className="kam-flow-note"
        data-testid="flow-version-note"
        title={
          detail.version !== null
            ? ta('approvals.currentVersion', { version: detail.version })
            : ta('approvals.noVersionYet')
        }
        description={ta('approvals.versionNote', { version: nextVersion })}
      />
      {viewing ? (
        <Alert
          type="warning"
          showIcon
          className="kam-flow-note"
          data-testid="flow-viewing"
          title={ta('approvals.viewingVersion', {
            version: viewing.version,
            time: fmt.dateTime(viewing.createdAt),
            name: viewing.createdBy?.displayName ?? '—',
          })}
          action={
            <Space wrap>
              {canConfigure ? (
                <Button
                  size="small"
                  onClick={() => {
                    setSteps(flowToSteps(viewing.flow));
                    setViewing(null);
                  }}
                  data-testid="flow-version-restore"
                >
                  {ta('approvals.editFromVersion')}
                </Button>
              ) : null}
              <Button size="small" type="primary" onClick={() => setViewing(null)}>
                {ta('approvals.backToCurrent')}
              </Button>
            </Space>
          }
        />
      ) : null}
      {!canConfigure ? (
        <Alert type="warning" showIcon className="kam-flow-note" title={ta('approvals.readOnlyFlow')} />
      ) : null}
      {detail.unknownFields.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          className="kam-flow-note"
          title={detail.unknownFields.map((f) => ta('approvals.unknownField', { field: f })).join('；')}
        />
      ) : null}
      {unmatched.length > 0 ? (
        <Alert
          type="error"
          showIcon
          className="kam-flow-note"
          data-testid="flow-errors"
          title={unmatched.map((i) => i.message).join('；')}
        />
      ) : null}

      {shownSteps.length === 0 ? (
        <Empty className="kam-flow-empty" description={ta('approvals.noSteps')} />
      ) : (
        <div className="kam-flow-steps">
          {shownSteps.map((step, index) => (
            <StepCard
              key={step.key}
              step={step}
              index={index}
              count={shownSteps.length}
              onChange={(next) => setSteps((prev) => prev.map((s) => (s.key === step.key ? next : s)))}
              onMove={(to) => setSteps((prev) => moveItem(prev, index, to))}
              onRemove={() => setSteps((prev) => prev.filter((s) => s.key !== step.key))}
              meta={meta}
              fields={fields}
              opsByKind={opsByKind}
              departments={roots}
              roles={roleOptions}
              users={viewing ? viewing.refs.users : detail.refs.users}
              issuesAt={viewing ? () => [] : issuesAt}
              disabled={readOnly}
            />
          ))}
        </div>
      )}

      {!readOnly && steps.length < maxSteps ? (
        <Button
          type="dashed"
          block
          icon={<PlusOutlined />}
          className="kam-flow-add"
          onClick={() =>
            setSteps((prev) => [
              ...prev,
              newStep(prev, `${ta('approvals.defaultStepName')} ${prev.length + 1}`),
            ])
          }
          data-testid="flow-add-step"
        >
          {ta('approvals.addStep')}
        </Button>
      ) : null}

      {!readOnly ? (
        <div className="kam-sticky-footer kam-flow-footer">
          <Space wrap>
            {dirty ? (
              <Typography.Text type="warning" data-testid="flow-dirty">
                {ta('approvals.unsaved')}
              </Typography.Text>
            ) : null}
            <Button disabled={!dirty || saving} onClick={() => adopt(detail)} data-testid="flow-discard">
              {ta('approvals.discard')}
            </Button>
            <Button
              type="primary"
              loading={saving}
              disabled={!dirty}
              onClick={() => void save()}
              data-testid="flow-save"
            >
              {ta('approvals.save')}
            </Button>
          </Space>
        </div>
      ) : null}
    </div>
  );
}
