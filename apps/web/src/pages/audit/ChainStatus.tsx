import { CheckCircleOutlined, CloseCircleOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Button, Tag, Tooltip } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { auditApi } from '../../api/endpoints';
import type { AuditVerifyResult } from '../../api/types';
import { useFormat } from '../../i18n/useFormat';

type State =
  | { kind: 'checking' }
  | { kind: 'done'; result: AuditVerifyResult }
  | { kind: 'error'; message: string };

/** "审计链完整" badge or the first broken entry in red, with a re-verify button. */
export function ChainStatus() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [state, setState] = useState<State>({ kind: 'checking' });

  const verify = useCallback(() => {
    setState({ kind: 'checking' });
    auditApi
      .verify()
      .then((result) => setState({ kind: 'done', result }))
      .catch((error: unknown) =>
        setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
  }, []);

  useEffect(() => verify(), [verify]);

  let tag: ReactNode;
  if (state.kind === 'checking') {
    tag = (
      <Tag
        icon={<SyncOutlined spin />}
        color="processing"
        data-testid="audit-verify-status"
        data-status="checking"
      >
        {t('audit.chainChecking')}
      </Tag>
    );
  } else if (state.kind === 'error') {
    tag = (
      <Tooltip title={state.message}>
        <Tag color="warning" data-testid="audit-verify-status" data-status="error">
          {t('audit.chainUnknown')}
        </Tag>
      </Tooltip>
    );
  } else if (state.result.ok) {
    tag = (
      <Tag icon={<CheckCircleOutlined />} color="success" data-testid="audit-verify-status" data-status="ok">
        {t('audit.chainIntactCount', { count: state.result.checked })}
      </Tag>
    );
  } else {
    const broken = state.result.firstBroken;
    tag = (
      <Tag
        icon={<CloseCircleOutlined />}
        color="error"
        data-testid="audit-verify-status"
        data-status="broken"
        className="kam-chain-broken"
      >
        {t('audit.chainBroken', {
          seq: broken?.seq ?? '?',
          at: fmt.dateTime(broken?.at),
          reason: broken?.reason ?? '',
        })}
      </Tag>
    );
  }

  return (
    <span className="kam-chain-status">
      {tag}
      <Button
        size="small"
        icon={<ReloadOutlined />}
        onClick={verify}
        loading={state.kind === 'checking'}
        data-testid="audit-reverify"
      >
        {t('audit.reverify')}
      </Button>
    </span>
  );
}
