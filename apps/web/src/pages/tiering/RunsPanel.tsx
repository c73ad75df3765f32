import { PlayCircleOutlined } from '@ant-design/icons';
import { App, Button, Card, Progress, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { pollRun, type Run, type RunDetail, type RunStatus, tieringApi } from '../../components/tiering/api';
import { EChart, TIER_BLUE } from '../../components/tiering/charts';
import { TierDistributionChart, TierMigrationChart } from '../../components/tiering/TierCountCharts';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { type TieringKey, useTieringT } from '../../i18n/tiering';
import { useFormat } from '../../i18n/useFormat';

const STATUS_COLORS: Record<RunStatus, string> = {
  queued: 'default',
  running: 'processing',
  completed: 'success',
  failed: 'error',
};

export function RunStatusTag({ status }: { status: RunStatus }) {
  const tt = useTieringT();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="run-status">
      {tt(`tiering.run.status.${status}` as TieringKey)}
    </Tag>
  );
}

/** Progress of a run from its processed/total counts (total is known once the statistics are computed). */
export function RunProgress({ run, testId }: { run: Run; testId: string }) {
  const tt = useTieringT();
  const total = run.total ?? 0;
  const percent =
    run.status === 'completed'
      ? 100
      : total > 0
        ? Math.min(99, Math.floor((run.processed / total) * 100))
        : 0;
  return (
    <div className="kam-tier-progress" data-testid={testId} data-status={run.status}>
      <Progress
        percent={percent}
        status={run.status === 'failed' ? 'exception' : run.status === 'completed' ? 'success' : 'active'}
      />
      <Typography.Text>
        {run.status === 'completed'
          ? tt('tiering.run.done', {
              processed: run.processed.toLocaleString(),
              changed: run.changed.toLocaleString(),
            })
          : total > 0
            ? tt('tiering.run.progress', {
                processed: run.processed.toLocaleString(),
                total: total.toLocaleString(),
                changed: run.changed.toLocaleString(),
              })
            : tt('tiering.run.progressUnknown')}
      </Typography.Text>
      {run.status === 'failed' && run.error ? (
        <Typography.Text type="danger">{run.error}</Typography.Text>
      ) : null}
    </div>
  );
}

function duration(run: Run): string {
  if (!run.startedAt || !run.finishedAt) return '—';
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

interface Props {
  /** Runs of one model (the editor), else of all models. */
  modelId?: string;
  /** Offer "re-score now" (tiering.create and a published version). */
  canRun: boolean;
  /** Show the model's tier distribution and migrations (default true; CLV models have no tiers). */
  tierCounts?: boolean;
  onCompleted?: (run: RunDetail) => void;
}

/**
 * Start a full run, follow its progress (polling), and the run history. For one model: its current tier
 * distribution and tier migration over time (re-read when a run completes); for all models: tier
 * changes per full run.
 */
export function RunsPanel({ modelId, canRun, tierCounts = true, onCompleted }: Props) {
  const tt = useTieringT();
  const { message } = App.useApp();
  const { showError } = useApiError();
  const { dateTime, date } = useFormat();
  const isMobile = useIsMobile();
  const startedBy = (r: Run): string => {
    if (r.requestedByName) return r.requestedByName;
    if (r.triggerReason && ['nightly', 'daily', 'weekly', 'monthly'].includes(r.triggerReason)) {
      return tt(`tiering.run.by.${r.triggerReason}` as TieringKey);
    }
    if (r.triggerReason) return tt(`tiering.history.reason.${r.triggerReason}` as TieringKey);
    return tt('tiering.run.by.system');
  };
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [active, setActive] = useState<Run | null>(null);
  const [starting, setStarting] = useState(false);
  /** Bumped when a run completes: the tier counts are read again. */
  const [countsKey, setCountsKey] = useState(0);
  const polling = useRef<AbortController | null>(null);
  const completed = useRef(onCompleted);
  completed.current = onCompleted;

  const load = useCallback(
    async (cursor: string | null = null) => {
      try {
        const page = await tieringApi.runs({ modelId, limit: 20, cursor });
        setRuns((prev) => (cursor && prev ? [...prev, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
        return page.items;
      } catch (err) {
        showError(err);
        setRuns((prev) => prev ?? []);
        return [];
      }
    },
    [modelId, showError],
  );

  const follow = useCallback(
    (run: Run) => {
      polling.current?.abort();
      const controller = new AbortController();
      polling.current = controller;
      setActive(run);
      pollRun(run.id, setActive, controller.signal)
        .then(async (done) => {
          if (done.status === 'completed') {
            void message.success(
              tt('tiering.run.done', {
                processed: done.processed.toLocaleString(),
                changed: done.changed.toLocaleString(),
              }),
            );
          }
          await load();
          setCountsKey((k) => k + 1);
          completed.current?.(done);
        })
        .catch((err: unknown) => {
          if (!(err instanceof DOMException && err.name === 'AbortError')) showError(err);
        });
    },
    [load, message, showError, tt],
  );

  useEffect(() => {
    void load().then((items) => {
      const running = items.find(
        (r) => r.kind === 'full' && (r.status === 'queued' || r.status === 'running'),
      );
      if (running) follow(running);
    });
    return () => polling.current?.abort();
  }, [load, follow]);

  const start = async () => {
    if (!modelId) return;
    setStarting(true);
    try {
      const run = await tieringApi.startRun(modelId);
      void message.info(tt('tiering.run.started'));
      follow(run);
      void load();
    } catch (err) {
      showError(err);
    } finally {
      setStarting(false);
    }
  };

  const fullRuns = useMemo(
    () => (runs ?? []).filter((r) => r.kind === 'full' && r.status === 'completed').reverse(),
    [runs],
  );
  const chart = useMemo(
    () => ({
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: fullRuns.map((r) => (modelId ? '' : `${r.modelName} `) + date(r.createdAt)),
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: tt('tiering.run.col.changed'),
          data: fullRuns.map((r) => r.changed),
          barMaxWidth: 24,
          itemStyle: { color: TIER_BLUE, borderRadius: [3, 3, 0, 0] },
        },
      ],
    }),
    [fullRuns, modelId, date, tt],
  );

  return (
    <div className="kam-tier-runs" data-testid="runs-panel">
      {modelId ? (
        <Card className="kam-tier-section">
          <div className="kam-tier-runs-head">
            <Typography.Text type="secondary">{tt('tiering.run.hint')}</Typography.Text>
            {canRun ? (
              <Button
                type="primary"
                icon={<PlayCircleOutlined />}
                loading={starting}
                disabled={active !== null && (active.status === 'queued' || active.status === 'running')}
                onClick={() => void start()}
                data-testid="run-start"
              >
                {tt('tiering.run.start')}
              </Button>
            ) : null}
          </div>
          {active ? <RunProgress run={active} testId="run-progress" /> : null}
        </Card>
      ) : null}
      {modelId && tierCounts ? <TierDistributionChart modelId={modelId} refreshKey={countsKey} /> : null}
      {modelId && tierCounts ? <TierMigrationChart modelId={modelId} refreshKey={countsKey} /> : null}
      {!modelId && fullRuns.length > 1 ? (
        <Card title={tt('tiering.run.changesChart')} className="kam-tier-section">
          <EChart
            option={chart}
            height={200}
            testId="run-changes-chart"
            ariaLabel={tt('tiering.run.changesChart')}
          />
        </Card>
      ) : null}
      <Card title={modelId ? tt('tiering.runs') : tt('tiering.allRuns')} className="kam-tier-section">
        <Table<Run>
          size="small"
          rowKey="id"
          loading={runs === null}
          dataSource={runs ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: tt('tiering.noRuns') }}
          data-testid="runs-table"
          columns={[
            { title: tt('tiering.run.col.time'), render: (_, r) => dateTime(r.createdAt) },
            ...(modelId
              ? []
              : [
                  {
                    title: tt('tiering.run.col.model'),
                    render: (_: unknown, r: Run) => (
                      <Link to={`/tiering/models/${r.modelId}`}>{r.modelName}</Link>
                    ),
                  },
                ]),
            {
              title: tt('tiering.run.col.kind'),
              render: (_, r) => tt(`tiering.run.kind.${r.kind}` as TieringKey),
            },
            {
              title: tt('tiering.run.col.version'),
              render: (_, r) => (r.modelVersion === null ? tt('tiering.run.draft') : `v${r.modelVersion}`),
            },
            { title: tt('tiering.run.col.status'), render: (_, r) => <RunStatusTag status={r.status} /> },
            {
              title: tt('tiering.run.col.processed'),
              align: 'right',
              render: (_, r) => r.processed.toLocaleString(),
            },
            {
              title: tt('tiering.run.col.changed'),
              align: 'right',
              render: (_, r) => (r.kind === 'simulation' ? '—' : r.changed.toLocaleString()),
            },
            ...(isMobile
              ? []
              : [
                  { title: tt('tiering.run.col.by'), render: (_: unknown, r: Run) => startedBy(r) },
                  { title: tt('tiering.run.col.duration'), render: (_: unknown, r: Run) => duration(r) },
                ]),
          ]}
        />
        {nextCursor ? (
          <Button type="link" onClick={() => void load(nextCursor)}>
            {tt('tiering.run.more')}
          </Button>
        ) : null}
      </Card>
    </div>
  );
}
