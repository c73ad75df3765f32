import { CheckCircleFilled, CloseCircleOutlined, EditOutlined, RiseOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Collapse, Skeleton, Table, Tag, Timeline, Typography } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { isApiError } from '../../api/api';
import { useAuth } from '../../auth/AuthContext';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';
import '../../pages/tiering/tiering.css';
import {
  type CustomerTiering,
  type Decision,
  type DimensionBreakdown,
  type ManualMetric,
  type TierHistoryEntry,
  type TierRef,
  tieringApi,
} from './api';
import { ClvDecisionView } from './Clv';
import { round2, useMetrics, useTierLabels } from './labels';
import { ManualMetricsModal } from './ManualMetricsModal';
import { TierChangeModal } from './TierChangeModal';

const BreakdownChart = lazy(() => import('./BreakdownChart'));

export interface CustomerTierCardProps {
  customer: { id: string; name: string };
}

/**
 * Customer 360's tier card: the tier of record with its score, "why is this customer B?" (contributions
 * per dimension, the deciding rule, floors/caps/hysteresis/override), an active override, the tier
 * history, the manual metrics (editable with customer.edit), and "request tier change" (approval).
 */
export function CustomerTierCard({ customer }: CustomerTierCardProps) {
  const tt = useTieringT();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const { showError } = useApiError();
  const { date, dateTime } = useFormat();
  const isMobile = useIsMobile();
  const metrics = useMetrics();
  const labels = useTierLabels();
  const [data, setData] = useState<CustomerTiering | null>(null);
  const [hidden, setHidden] = useState(false);
  const [history, setHistory] = useState<TierHistoryEntry[] | null>(null);
  const [manual, setManual] = useState<ManualMetric[] | null>(null);
  const [editingManual, setEditingManual] = useState(false);
  const [requesting, setRequesting] = useState(false);
  const [tiers, setTiers] = useState<TierRef[]>([]);

  const load = useCallback(async () => {
    try {
      const [tiering, hist] = await Promise.all([
        tieringApi.customer(customer.id),
        tieringApi.history(customer.id, { limit: 10 }),
      ]);
      setData(tiering);
      setHistory(hist.items);
      // Tier names of the tier of record (criteria traces and history name tiers by id).
      const record = tiering.decisions.find((d) => d.tierOfRecord);
      if (record) {
        tieringApi.model(record.modelId).then(
          (m) => setTiers(m.tiers),
          () => setTiers([]),
        );
      }
    } catch (err) {
      if (isApiError(err) && (err.status === 403 || err.status === 404)) setHidden(true);
      else showError(err);
    }
    tieringApi.manualMetrics(customer.id).then(
      (r) => setManual(r.items),
      () => setManual([]),
    );
  }, [customer.id, showError]);

  useEffect(() => {
    void load();
  }, [load]);

  if (hidden) return null;
  if (!data) {
    return (
      <Card className="kam-tier-card" title={tt('tiering.card.title')}>
        <Skeleton active paragraph={{ rows: 3 }} />
      </Card>
    );
  }

  const record = data.decisions.find((d) => d.tierOfRecord) ?? null;
  const others = data.decisions.filter((d) => d !== record && d.kind !== 'clv');
  // CLV models assign no tier: their values are shown with their factors below
  const clvDecisions = data.decisions.filter((d) => d.kind === 'clv');
  const override = record ? data.overrides.find((o) => o.modelId === record.modelId) : data.overrides[0];
  const tierName = (id: string) =>
    tiers.find((t) => t.id === id)?.name ??
    record?.thresholds?.find((t) => t.id === id)?.name ??
    (record && id === record.tier ? record.tierName : id);

  const revoke = () => {
    if (!override) return;
    modal.confirm({
      title: tt('tiering.card.revoke'),
      content: tt('tiering.card.revokeConfirm'),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await tieringApi.revokeOverride(override.id, override.version);
          void message.success(tt('tiering.card.revoked'));
          await load();
        } catch (err) {
          showError(err);
        }
      },
    });
  };

  const canRequest = can('approval_request.create') && record !== null;
  const extra = canRequest ? (
    <Button
      icon={<RiseOutlined />}
      onClick={() => setRequesting(true)}
      aria-label={tt('tiering.card.requestChange')}
      data-testid="tier-request-change"
    >
      {isMobile ? null : tt('tiering.card.requestChange')}
    </Button>
  ) : null;

  return (
    <Card className="kam-tier-card" title={tt('tiering.card.title')} extra={extra} data-testid="tier-card">
      {!record ? (
        <Typography.Text type="secondary" data-testid="tier-card-empty">
          {tt('tiering.card.none')}
        </Typography.Text>
      ) : (
        <div className="kam-tier-card-grid">
          <div className="kam-tier-card-main">
            <span className="kam-tier-badge">
              <span className="kam-tier-badge-tier" data-testid="tier-card-tier" data-tier={record.tier}>
                {record.tierName}
              </span>
              {record.score !== null ? (
                <span className="kam-tier-badge-score" data-testid="tier-card-score">
                  {tt('tiering.card.score')} {record.score}
                </span>
              ) : null}
            </span>
            <span>
              <Tag
                color={record.decidedBy === 'override' ? 'gold' : 'blue'}
                data-testid="tier-card-decided-by"
              >
                {labels.decidedBy(record.decidedBy)}
              </Tag>
              {record.since ? (
                <Typography.Text type="secondary">
                  {tt('tiering.card.since', { date: date(record.since) })}
                </Typography.Text>
              ) : null}
            </span>
            <Typography.Text type="secondary" className="kam-tier-asof">
              {tt('tiering.card.asOf', {
                date: record.asOf,
                model: record.modelName,
                version: record.modelVersion ?? '—',
              })}
            </Typography.Text>
            {override ? (
              <Alert
                type="warning"
                showIcon
                data-testid="tier-override"
                title={tt('tiering.card.override', { tier: tierName(override.tier) })}
                description={
                  <>
                    <div>
                      {override.until
                        ? tt('tiering.card.overrideUntil', { date: override.until })
                        : tt('tiering.card.overrideOpen')}
                    </div>
                    <div>{tt('tiering.card.overrideReason', { reason: override.reason })}</div>
                    {override.tier !== record.tier &&
                    !record.appliedRules.some((r) => r.kind === 'override_ignored') ? (
                      <Typography.Text type="secondary" data-testid="tier-override-pending">
                        {tt('tiering.card.overridePending')}
                      </Typography.Text>
                    ) : null}
                    {can('tiering.configure') ? (
                      <Button
                        size="small"
                        danger
                        onClick={revoke}
                        className="kam-tier-revoke"
                        data-testid="tier-override-revoke"
                      >
                        {tt('tiering.card.revoke')}
                      </Button>
                    ) : null}
                  </>
                }
              />
            ) : null}
            {others.length > 0 ? (
              <div data-testid="tier-card-others">
                <Typography.Text type="secondary">{tt('tiering.card.otherModels')}</Typography.Text>
                {others.map((d) => (
                  <div key={d.modelId}>
                    <Typography.Text>
                      {d.modelName}: <Tag>{d.tierName}</Tag>
                      {d.score !== null ? d.score : null}
                    </Typography.Text>
                  </div>
                ))}
              </div>
            ) : null}
            <ManualMetrics
              items={manual}
              canEdit={can('customer.edit')}
              onEdit={() => setEditingManual(true)}
              dateTime={dateTime}
            />
          </div>
          <div className="kam-tier-card-why" data-testid="tier-why">
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {tt('tiering.card.why', { tier: record.tierName })}
            </Typography.Title>
            <Why decision={record} tierName={tierName} metrics={metrics} />
          </div>
        </div>
      )}
      {clvDecisions.map((d) => (
        <ClvDecisionView key={d.modelId} decision={d} />
      ))}
      <Collapse
        ghost
        size="small"
        className="kam-tier-history"
        items={[
          {
            key: 'history',
            label: <span data-testid="tier-history-toggle">{tt('tiering.card.history')}</span>,
            children:
              history && history.length > 0 ? (
                <Timeline
                  data-testid="tier-history"
                  items={history.map((h) => ({
                    key: h.id,
                    content: (
                      <div data-testid="tier-history-item">
                        <Typography.Text strong>
                          {h.fromTier ? `${tierName(h.fromTier)} → ` : ''}
                          {tierName(h.toTier)}
                        </Typography.Text>{' '}
                        <Typography.Text type="secondary">
                          {labels.historyReason(h.reason)} · {h.modelName}
                          {h.modelVersion !== null ? ` v${h.modelVersion}` : ''} · {dateTime(h.changedAt)}
                        </Typography.Text>
                      </div>
                    ),
                  }))}
                />
              ) : (
                <Typography.Text type="secondary">{tt('tiering.card.noHistory')}</Typography.Text>
              ),
          },
        ]}
      />
      {manual ? (
        <ManualMetricsModal
          open={editingManual}
          customerId={customer.id}
          items={manual}
          onClose={() => setEditingManual(false)}
          onSaved={(items) => {
            setManual(items);
            setEditingManual(false);
            void message.success(tt('tiering.manual.saved'));
            // The re-score runs right after the change: read the card again shortly.
            window.setTimeout(() => void load(), 1500);
          }}
        />
      ) : null}
      {record ? (
        <TierChangeModal
          open={requesting}
          customer={customer}
          decision={record}
          tiers={tiers.length > 0 ? tiers : (record.thresholds ?? []).map(({ id, name }) => ({ id, name }))}
          onClose={() => setRequesting(false)}
          onDone={() => setRequesting(false)}
        />
      ) : null}
    </Card>
  );
}

function ManualMetrics({
  items,
  canEdit,
  onEdit,
  dateTime,
}: {
  items: ManualMetric[] | null;
  canEdit: boolean;
  onEdit: () => void;
  dateTime: (v: string | null) => string;
}) {
  const tt = useTieringT();
  const { label } = useFormat();
  const { category } = useTierLabels();
  if (!items || items.length === 0) return null;
  return (
    <div className="kam-tier-manual" data-testid="tier-manual">
      <span className="kam-tier-manual-row">
        <Typography.Text type="secondary">{tt('tiering.card.manualMetrics')}</Typography.Text>
        {canEdit ? (
          <Button
            type="link"
            size="small"
            icon={<EditOutlined />}
            onClick={onEdit}
            data-testid="tier-manual-edit"
          >
            {tt('tiering.card.editManual')}
          </Button>
        ) : null}
      </span>
      {items.map((m) => (
        <span className="kam-tier-manual-row" key={m.metric} data-testid={`tier-manual-${m.metric}`}>
          <Typography.Text>{label(m.label, m.metric)}</Typography.Text>
          <Typography.Text
            strong={m.value !== null}
            type={m.value === null ? 'secondary' : undefined}
            title={
              m.setByName
                ? tt('tiering.card.setBy', { who: m.setByName, time: dateTime(m.setAt) })
                : undefined
            }
          >
            {m.value === null
              ? tt('tiering.card.notSet')
              : m.kind === 'category'
                ? category(m.value)
                : m.value}
          </Typography.Text>
        </span>
      ))}
    </div>
  );
}

function Why({
  decision: d,
  tierName,
  metrics,
}: {
  decision: Decision;
  tierName: (id: string) => string;
  metrics: ReturnType<typeof useMetrics>;
}) {
  const tt = useTieringT();
  const { locale } = useFormat();
  const labels = useTierLabels();
  const rule = (() => {
    if (d.thresholds && d.score !== null) {
      const i = d.thresholds.findIndex((t) => t.id === d.rawTier);
      const t = d.thresholds[i];
      const above = d.thresholds[i - 1];
      if (t) {
        const range = !above
          ? tt('tiering.thr.rangeTop', { min: t.minScore, tier: t.name })
          : i === d.thresholds.length - 1
            ? tt('tiering.thr.rangeBottom', { max: above.minScore, tier: t.name })
            : tt('tiering.thr.range', { min: t.minScore, max: above.minScore, tier: t.name });
        return `${tt('tiering.card.score')} ${d.score}：${range}`;
      }
    }
    return null;
  })();
  return (
    <div className="kam-tier-why">
      {d.breakdown.length > 0 ? (
        <>
          <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: 120 }} />}>
            <BreakdownChart breakdown={d.breakdown} />
          </Suspense>
          <Table<DimensionBreakdown>
            size="small"
            rowKey="key"
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={d.breakdown}
            data-testid="tier-breakdown"
            columns={[
              { title: tt('tiering.dim.name'), dataIndex: 'name' },
              {
                title: tt('tiering.card.value'),
                render: (_, b) =>
                  b.missing ? tt('tiering.card.missing') : labels.metricValue(metrics, b.metric, b.value),
              },
              { title: tt('tiering.card.normalised'), dataIndex: 'normalised', align: 'right' },
              { title: tt('tiering.card.weight'), align: 'right', render: (_, b) => `${b.weight}%` },
              {
                title: tt('tiering.card.contribution'),
                align: 'right',
                render: (_, b) => <span title={b.contribution}>{round2(b.contribution)}</span>,
              },
            ]}
          />
        </>
      ) : null}
      {d.criteria ? (
        <div data-testid="tier-criteria-trace">
          <Typography.Text strong>{tt('tiering.card.criteriaTrace')}</Typography.Text>
          <ul className="kam-tier-trace">
            {d.criteria.map((c) => (
              <li key={c.tier}>
                {c.holds ? (
                  <CheckCircleFilled style={{ color: '#34c724' }} />
                ) : (
                  <CloseCircleOutlined style={{ color: '#8f959e' }} />
                )}{' '}
                <Typography.Text strong>{tierName(c.tier)}</Typography.Text>{' '}
                <Typography.Text type="secondary">
                  {tt('tiering.card.conditionsMet', { satisfied: c.satisfied, required: c.required })}
                </Typography.Text>
                <ul>
                  {c.conditions.map((cond, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: conditions are positional.
                    <li key={i}>
                      {cond.holds ? '✓' : '✗'} {labels.metricLabel(metrics, cond.metric)}{' '}
                      {tt(`tiering.op.${cond.op}` as 'tiering.op.gt')}{' '}
                      {Array.isArray(cond.value)
                        ? cond.value
                            .map((v) => labels.metricValue(metrics, cond.metric, String(v)))
                            .join(' / ')
                        : labels.metricValue(metrics, cond.metric, String(cond.value))}
                      <Typography.Text type="secondary">
                        {' '}
                        ({tt('tiering.card.value')}: {labels.metricValue(metrics, cond.metric, cond.actual)})
                      </Typography.Text>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ul className="kam-tier-card-rules" data-testid="tier-rules">
        {rule ? <li data-testid="tier-rule-threshold">{rule}</li> : null}
        {d.rawTier !== d.tier ? <li>{tt('tiering.card.rawTier', { tier: tierName(d.rawTier) })}</li> : null}
        {d.appliedRules.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules are listed in the order they applied.
          <li key={i} data-testid="tier-applied-rule" data-kind={r.kind}>
            {labels.rule(r, tierName)}
          </li>
        ))}
      </ul>
      {d.thresholds ? (
        <Typography.Paragraph type="secondary" className="kam-tier-sim-hint">
          {locale === 'en' ? d.boundaryRule.en : d.boundaryRule.zh}
        </Typography.Paragraph>
      ) : null}
    </div>
  );
}
