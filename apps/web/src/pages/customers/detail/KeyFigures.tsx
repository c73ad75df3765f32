import { Card, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomerSummary } from '../../../api/types';
import { useFormat } from '../../../i18n/useFormat';
import { formatMoneyShort } from '../../../utils/money';
import { LastFollowUp } from '../CustomerBits';

/** Revenue (12 months), orders, last follow-up, open complaints, overdue receivables. */
export function KeyFigures({ summary }: { summary: CustomerSummary | null }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const dash = <Typography.Text type="secondary">—</Typography.Text>;
  const overdue = summary?.overdueReceivables ?? null;
  const cards = [
    {
      key: 'revenue',
      title: t('customer.kfRevenue'),
      value: summary?.revenue12m != null ? formatMoneyShort(summary.revenue12m, fmt.locale) : dash,
    },
    {
      key: 'orders',
      title: t('customer.kfOrders'),
      value: summary?.ordersCount12m ?? dash,
    },
    {
      key: 'followUp',
      title: t('customer.kfLastFollowUp'),
      value: summary ? <LastFollowUp at={summary.lastFollowUpAt} /> : dash,
    },
    {
      key: 'complaints',
      title: t('customer.kfComplaints'),
      value:
        summary?.openComplaints == null ? (
          dash
        ) : (
          <Typography.Text type={summary.openComplaints > 0 ? 'danger' : undefined}>
            {summary.openComplaints}
          </Typography.Text>
        ),
    },
    {
      key: 'overdue',
      title: t('customer.kfOverdue'),
      value:
        overdue === null ? (
          dash
        ) : (
          <Typography.Text type={overdue.count > 0 ? 'danger' : undefined}>
            {formatMoneyShort(overdue.amount, fmt.locale)}
            {overdue.count > 0 ? (
              <Typography.Text type="secondary" className="kam-kf-sub">
                {' '}
                {t('customer.kfOverdueCount', { count: overdue.count })}
              </Typography.Text>
            ) : null}
          </Typography.Text>
        ),
    },
  ];
  return (
    <div className="kam-key-figures" data-testid="customer-key-figures">
      {cards.map((card) => (
        <Card key={card.key} size="small" className="kam-kf-card" data-testid={`kf-${card.key}`}>
          <Statistic
            title={card.title}
            valueRender={() => <span className="kam-kf-value">{card.value}</span>}
          />
        </Card>
      ))}
    </div>
  );
}
