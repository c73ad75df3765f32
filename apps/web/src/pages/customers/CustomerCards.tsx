import { Card, Empty, Space, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Customer } from '../../api/types';
import { LoadMore } from '../../components/LoadMore';
import { LoadError } from '../../components/Results';
import type { TierRef } from '../../components/tiering/api';
import type { CursorList } from '../../hooks/useCursorList';
import { CustomerStatusTag, LastFollowUp, Money, TagList, TierTag } from './CustomerBits';
import { useRegions } from './regions';

/** Phones: one card per customer instead of a wide table (with the tier of record when it is shown). */
export function CustomerCards({
  list,
  showTier,
  tiers,
}: {
  list: CursorList<Customer>;
  showTier: boolean;
  tiers: TierRef[] | null;
}) {
  const { t } = useTranslation();
  const { industryLabel, regionLabel } = useRegions();
  if (list.error && list.items.length === 0) return <LoadError error={list.error} onRetry={list.reload} />;
  if (list.loading && list.items.length === 0) {
    return (
      <div className="kam-center-pad">
        <Spin />
      </div>
    );
  }
  if (list.items.length === 0) return <Empty description={t('customer.empty')} />;
  return (
    <div data-testid="customers-cards">
      <div className="kam-customer-cards">
        {list.items.map((c) => (
          <Link
            key={c.id}
            to={`/customers/${c.id}`}
            data-testid="customer-link"
            className="kam-customer-card-link"
          >
            <Card size="small" hoverable className="kam-customer-card">
              <div className="kam-customer-card-head">
                <Typography.Text strong ellipsis className="kam-customer-card-name">
                  {c.name}
                </Typography.Text>
                <span>
                  {showTier && c.tier ? <TierTag tier={c.tier} tiers={tiers} /> : null}
                  <CustomerStatusTag status={c.status} />
                </span>
              </div>
              <Typography.Text type="secondary" className="kam-customer-card-meta">
                {[industryLabel(c.industry), regionLabel(c.provinceCode, c.cityCode)]
                  .filter((x) => x !== '—')
                  .join(' · ') || '—'}
              </Typography.Text>
              <div className="kam-customer-card-grid">
                <span>
                  <Typography.Text type="secondary">{t('customer.owner')}</Typography.Text>
                  <span>{c.ownerName ?? '—'}</span>
                </span>
                <span>
                  <Typography.Text type="secondary">{t('customer.lastFollowUp')}</Typography.Text>
                  <LastFollowUp at={c.lastFollowUpAt} />
                </span>
                <span>
                  <Typography.Text type="secondary">{t('customer.revenue12m')}</Typography.Text>
                  <Money value={c.revenue12m} />
                </span>
              </div>
              {c.tags.length > 0 ? (
                <Space size={4} wrap style={{ marginTop: 6 }}>
                  <TagList tags={c.tags} />
                </Space>
              ) : null}
            </Card>
          </Link>
        ))}
      </div>
      <LoadMore
        count={list.items.length}
        hasMore={list.hasMore}
        loading={list.loadingMore}
        onLoadMore={list.loadMore}
      />
    </div>
  );
}
