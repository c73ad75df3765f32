import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CustomerServiceOutlined,
  EditOutlined,
  MessageOutlined,
  PayCircleOutlined,
  ShoppingCartOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import { Empty, Select, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../../../api/endpoints';
import type { TimelineItem, TimelineKind } from '../../../api/types';
import { LoadMore } from '../../../components/LoadMore';
import { LoadError } from '../../../components/Results';
import { useApiError } from '../../../hooks/useApiError';
import { useCursorList } from '../../../hooks/useCursorList';
import { translateDynamic } from '../../../i18n';
import { useFormat } from '../../../i18n/useFormat';
import { formatMoney } from '../../../utils/money';
import { type CustomerLabels, useCustomerLabels } from '../labels';
import { useRegions } from '../regions';

const KINDS: TimelineKind[] = [
  'follow_up',
  'order',
  'payment_paid',
  'payment_due',
  'service_opened',
  'service_closed',
  'ownership',
  'change',
];

/** Identifiers in the audit trail that mean nothing to a reader (the names appear elsewhere). */
const HIDDEN_FIELDS = new Set([
  'ownerId',
  'departmentId',
  'createdBy',
  'updatedBy',
  'mergedIntoId',
  'version',
]);

const ICONS: Record<TimelineKind, { icon: ReactNode; color: string }> = {
  follow_up: { icon: <MessageOutlined />, color: '#3370ff' },
  order: { icon: <ShoppingCartOutlined />, color: '#34c724' },
  payment_paid: { icon: <PayCircleOutlined />, color: '#34c724' },
  payment_due: { icon: <ClockCircleOutlined />, color: '#ff8800' },
  service_opened: { icon: <CustomerServiceOutlined />, color: '#f54a45' },
  service_closed: { icon: <CheckCircleOutlined />, color: '#8f959e' },
  ownership: { icon: <SwapOutlined />, color: '#7f3bf5' },
  change: { icon: <EditOutlined />, color: '#8f959e' },
};

/** Field changes of the audit trail: field labels and enum values in words; ids are not shown. */
function Changes({ changes }: { changes: TimelineItem['changes'] }) {
  const { t } = useTranslation();
  const { enumLabel } = useCustomerLabels();
  const { industryLabel, regionLabel } = useRegions();
  const shown = (changes ?? []).filter((c) => !HIDDEN_FIELDS.has(c.field));
  if (shown.length === 0) return null;
  const value = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return '—';
    if (Array.isArray(v)) return v.map((x) => value(field, x)).join('、');
    if (typeof v === 'object') {
      const member = v as { teamRole?: string; access?: string };
      if (member.teamRole || member.access) {
        return [
          member.teamRole && enumLabel('teamRole', member.teamRole),
          member.access && enumLabel('teamAccess', member.access),
        ]
          .filter(Boolean)
          .join(' · ');
      }
      return JSON.stringify(v);
    }
    const text = String(v);
    switch (field) {
      case 'status':
        return enumLabel('customerStatus', text);
      case 'sizeBand':
        return enumLabel('sizeBand', text);
      case 'source':
        return enumLabel('customerSource', text);
      case 'industry':
        return industryLabel(text);
      case 'provinceCode':
        return regionLabel(text, null);
      case 'cityCode':
        return regionLabel(null, text);
      case 'revenue12m':
        return formatMoney(text);
      default:
        return text;
    }
  };
  return (
    <ul className="kam-plain-list kam-timeline-changes">
      {shown.map((c) => (
        <li key={c.field}>
          <Typography.Text type="secondary">
            {translateDynamic(`customer.${c.field}`, c.field)}
            {t('customer.colon')}
          </Typography.Text>
          <span className="kam-change-before">{value(c.field, c.before)}</span> →{' '}
          <span className="kam-change-after">{value(c.field, c.after)}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The server sends codes in `title`/`summary` for some kinds (follow-up type, order status, ticket
 * type, ownership kind, audit action); this turns them into the headline and body shown.
 */
function describe(
  item: TimelineItem,
  labels: CustomerLabels,
): { headline: string | null; body: string | null } {
  const { enumLabel } = labels;
  switch (item.kind) {
    case 'follow_up':
      return { headline: item.title ? enumLabel('followUpType', item.title) : null, body: item.summary };
    case 'order':
      return {
        headline: [item.title, item.summary ? enumLabel('orderStatus', item.summary) : null]
          .filter(Boolean)
          .join(' · '),
        body: null,
      };
    case 'payment_paid':
    case 'payment_due':
      return { headline: item.title, body: null };
    case 'service_opened':
    case 'service_closed':
      return {
        headline: [item.summary ? enumLabel('serviceType', item.summary) : null, item.title]
          .filter(Boolean)
          .join(' · '),
        body: null,
      };
    case 'ownership':
      return {
        headline: item.title ? translateDynamic(`customer.ownership.${item.title}`, item.title) : null,
        body: item.summary,
      };
    case 'change':
      return {
        headline: item.title ? translateDynamic(`auditAction.${item.title}`, item.title) : null,
        body: item.summary,
      };
    default:
      return { headline: item.title, body: item.summary };
  }
}

/** Everything that happened with the customer, newest first, paginated. */
export function TimelineTab({ customerId, revision }: { customerId: string; revision: number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { showError } = useApiError();
  const labels = useCustomerLabels();
  const [kinds, setKinds] = useState<TimelineKind[]>([]);
  const list = useCursorList<TimelineItem>(
    (cursor, signal) =>
      customersApi.timeline(
        customerId,
        { kinds: kinds.length ? kinds : undefined, limit: 30, cursor },
        signal,
      ),
    JSON.stringify({ customerId, kinds, revision }),
    showError,
  );

  return (
    <div data-testid="customer-timeline">
      <Select<TimelineKind[]>
        mode="multiple"
        allowClear
        className="kam-filter-select"
        style={{ marginBottom: 16, minWidth: 240 }}
        placeholder={t('customer.timelineFilter')}
        value={kinds}
        onChange={setKinds}
        options={KINDS.map((k) => ({ value: k, label: t(`customer.timeline.${k}`) }))}
      />
      {list.error && list.items.length === 0 ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      {list.loading && list.items.length === 0 ? (
        <div className="kam-center-pad">
          <Spin />
        </div>
      ) : null}
      {!list.loading && !list.error && list.items.length === 0 ? (
        <Empty description={t('customer.timelineEmpty')} />
      ) : null}
      <Timeline
        items={list.items.map((item) => {
          const { headline, body } = describe(item, labels);
          return {
            key: `${item.kind}-${item.id}-${item.at}`,
            icon: ICONS[item.kind]?.icon,
            color: ICONS[item.kind]?.color,
            content: (
              <div className="kam-timeline-item" data-testid="timeline-item" data-kind={item.kind}>
                <Space size={6} wrap>
                  <Tag variant="filled">{t(`customer.timeline.${item.kind}`)}</Tag>
                  {headline ? <Typography.Text strong>{headline}</Typography.Text> : null}
                  {item.amount ? (
                    <Typography.Text className="kam-money">{formatMoney(item.amount)}</Typography.Text>
                  ) : null}
                </Space>
                {body ? (
                  <Typography.Paragraph className="kam-timeline-summary">{body}</Typography.Paragraph>
                ) : null}
                <Changes changes={item.changes} />
                <Typography.Text type="secondary" className="kam-timeline-meta">
                  {fmt.dateTime(item.at)}
                  {item.actorName ? ` · ${item.actorName}` : ''}
                </Typography.Text>
              </div>
            ),
          };
        })}
      />
      <LoadMore
        count={list.items.length}
        hasMore={list.hasMore}
        loading={list.loadingMore}
        onLoadMore={list.loadMore}
      />
    </div>
  );
}
