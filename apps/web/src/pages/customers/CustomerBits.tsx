import { Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { useTranslation } from 'react-i18next';
import type { Customer, CustomerStatus } from '../../api/types';
import { useFormat } from '../../i18n/useFormat';
import { formatMoney } from '../../utils/money';
import { useCustomerLabels } from './labels';

dayjs.extend(relativeTime);

/** Days after which a customer without a follow-up is shown in red. */
export const STALE_FOLLOW_UP_DAYS = 30;

const STATUS_COLORS: Record<CustomerStatus, string> = {
  prospect: 'blue',
  active: 'green',
  dormant: 'gold',
  lost: 'default',
};

export function CustomerStatusTag({ status }: { status: CustomerStatus }) {
  const { enumLabel } = useCustomerLabels();
  return (
    <Tag color={STATUS_COLORS[status] ?? 'default'} variant="filled" data-testid="customer-status">
      {enumLabel('customerStatus', status)}
    </Tag>
  );
}

/** Tag colours by a tier's rank, highest tier first. */
const TIER_COLORS = ['magenta', 'volcano', 'orange', 'blue', 'cyan', 'geekblue', 'purple'];

/**
 * The tier of record as a tag (coloured by its rank among the model's `tiers`, when known), marked when an
 * approved manual tier change decided it; "—" before the customer's first run.
 */
export function TierTag({
  tier,
  tiers,
}: {
  tier: Customer['tier'];
  tiers: readonly { id: string }[] | null;
}) {
  const { t } = useTranslation();
  if (!tier) return <Typography.Text type="secondary">—</Typography.Text>;
  const rank = tiers?.findIndex((x) => x.id === tier.id) ?? -1;
  const color = rank < 0 ? 'default' : (TIER_COLORS[rank] ?? 'default');
  return (
    <span className="kam-tier-tag" data-testid="customer-tier" data-tier={tier.id}>
      <Tag color={color} variant="filled">
        {tier.name}
      </Tag>
      {tier.overridden ? (
        <Tooltip title={t('customer.tierOverriddenHint')}>
          <Tag color="gold" data-testid="customer-tier-overridden">
            {t('customer.tierOverridden')}
          </Tag>
        </Tooltip>
      ) : null}
    </span>
  );
}

export function isStale(at: string | null | undefined, now = Date.now()): boolean {
  if (!at) return true;
  return now - new Date(at).getTime() > STALE_FOLLOW_UP_DAYS * 86_400_000;
}

/** "3 天前" with the exact time on hover; red when older than 30 days or never. */
export function LastFollowUp({ at }: { at: string | null | undefined }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  if (!at) {
    return (
      <Typography.Text type="danger" className="kam-nowrap">
        {t('customer.neverFollowedUp')}
      </Typography.Text>
    );
  }
  const text = dayjs(at)
    .locale(i18n.language === 'en' ? 'en' : 'zh-cn')
    .fromNow();
  return (
    <Tooltip title={fmt.dateTime(at)}>
      <Typography.Text type={isStale(at) ? 'danger' : undefined} className="kam-nowrap">
        {text}
      </Typography.Text>
    </Tooltip>
  );
}

export function Money({ value, strong }: { value: string | null | undefined; strong?: boolean }) {
  return (
    <Typography.Text strong={strong} className="kam-money">
      {value === undefined ? '—' : formatMoney(value)}
    </Typography.Text>
  );
}

export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <span className="kam-tag-list">
      {tags.map((tag) => (
        <Tag key={tag}>{tag}</Tag>
      ))}
    </span>
  );
}
