import { Descriptions, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AuditChange, AuditLog } from '../../api/types';
import { formatValue } from './auditLabels';

/** Expanded row: request metadata and the before/after table. */
export function AuditDetails({ log }: { log: AuditLog }) {
  const { t } = useTranslation();
  return (
    <div className="kam-audit-details">
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'seq', label: t('audit.seq'), children: log.seq },
          {
            key: 'requestId',
            label: t('audit.requestId'),
            children: <Typography.Text copyable>{log.requestId ?? '—'}</Typography.Text>,
          },
          { key: 'entityId', label: t('audit.entityId'), children: log.entityId ?? '—' },
          { key: 'ua', label: t('audit.userAgent'), children: log.userAgent ?? '—' },
        ]}
      />
      {log.changes && log.changes.length > 0 ? (
        <Table<AuditChange>
          size="small"
          rowKey="field"
          pagination={false}
          dataSource={log.changes}
          scroll={{ x: 'max-content' }}
          data-testid="audit-changes"
          columns={[
            { title: t('audit.field'), dataIndex: 'field', key: 'field', width: 160 },
            {
              title: t('audit.before'),
              key: 'before',
              render: (_, change) => <pre className="kam-change-before">{formatValue(change.before)}</pre>,
            },
            {
              title: t('audit.after'),
              key: 'after',
              render: (_, change) => <pre className="kam-change-after">{formatValue(change.after)}</pre>,
            },
          ]}
        />
      ) : (
        <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>
      )}
    </div>
  );
}
