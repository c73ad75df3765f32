import { Card, Empty, Skeleton, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ordersApi } from '../../../api/endpoints';
import type { Order, OrderStatus, Payment } from '../../../api/types';
import { ListTable } from '../../../components/ListTable';
import { useApiError } from '../../../hooks/useApiError';
import { useCursorList } from '../../../hooks/useCursorList';
import { useFormat } from '../../../i18n/useFormat';
import { formatMoney, parseFen } from '../../../utils/money';
import { Money } from '../CustomerBits';
import { useCustomerLabels } from '../labels';
import type { MonthRevenue } from './RevenueChart';

const RevenueChart = lazy(() => import('./RevenueChart'));

const STATUS_COLORS: Record<OrderStatus, string> = {
  confirmed: 'green',
  cancelled: 'default',
  returned: 'orange',
};

/** Monthly signed revenue of the last 12 months (confirmed +, returned −, cancelled 0), in fen. */
export function monthlyRevenue(orders: Order[], today = dayjs()): MonthRevenue[] {
  const months: MonthRevenue[] = [];
  for (let i = 11; i >= 0; i -= 1)
    months.push({ month: today.subtract(i, 'month').format('YYYY-MM'), fen: 0n });
  const index = new Map(months.map((m, i) => [m.month, i]));
  for (const o of orders) {
    const at = index.get(o.orderedAt.slice(0, 7));
    const fen = parseFen(o.amount);
    if (at === undefined || fen === null) continue;
    const month = months[at];
    if (!month) continue;
    if (o.status === 'confirmed') month.fen += fen;
    else if (o.status === 'returned') month.fen -= fen;
  }
  return months;
}

function useRevenue(customerId: string) {
  const [data, setData] = useState<MonthRevenue[] | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    const from = dayjs().subtract(11, 'month').startOf('month').format('YYYY-MM-DD');
    (async () => {
      const all: Order[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i += 1) {
        const page = await ordersApi.byCustomer(customerId, { from, limit: 200, cursor }, controller.signal);
        all.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      if (!controller.signal.aborted) setData(monthlyRevenue(all));
    })().catch(() => {
      if (!controller.signal.aborted) setData([]);
    });
    return () => controller.abort();
  }, [customerId]);
  return data;
}

function Payments({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [items, setItems] = useState<Payment[] | null>(null);
  useEffect(() => {
    ordersApi
      .payments(orderId)
      .then((p) => setItems(p.items))
      .catch(() => setItems([]));
  }, [orderId]);
  if (items === null) return <Skeleton active paragraph={{ rows: 1 }} />;
  if (items.length === 0) return <Typography.Text type="secondary">{t('order.noPayments')}</Typography.Text>;
  const columns: ColumnsType<Payment> = [
    {
      title: t('order.paymentAmount'),
      dataIndex: 'amount',
      key: 'amount',
      align: 'right',
      render: (v: string) => <Money value={v} />,
    },
    {
      title: t('order.dueDate'),
      dataIndex: 'dueDate',
      key: 'due',
      render: (v: string | null) => fmt.date(v),
    },
    {
      title: t('order.paidAt'),
      dataIndex: 'paidAt',
      key: 'paid',
      render: (v: string | null, p) =>
        v ? (
          fmt.date(v)
        ) : p.overdue ? (
          <Tag color="red" variant="filled" data-testid="payment-overdue">
            {t('order.overdue')}
          </Tag>
        ) : (
          <Tag>{t('order.unpaid')}</Tag>
        ),
    },
    { title: t('order.notes'), dataIndex: 'notes', key: 'notes', render: (v: string | null) => v || '—' },
  ];
  return (
    <Table<Payment>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={items}
      pagination={false}
      rowClassName={(p) => (p.overdue ? 'kam-row-failure' : '')}
    />
  );
}

/** Orders with their payments (overdue instalments highlighted) and a monthly revenue chart. */
export function OrdersTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { showError } = useApiError();
  const { enumLabel } = useCustomerLabels();
  const revenue = useRevenue(customerId);
  const list = useCursorList<Order>(
    (cursor, signal) => ordersApi.byCustomer(customerId, { limit: 50, cursor }, signal),
    customerId,
    showError,
  );
  const hasRevenue = revenue?.some((m) => m.fen !== 0n) ?? false;

  const columns: ColumnsType<Order> = [
    {
      title: t('order.no'),
      dataIndex: 'orderNo',
      key: 'no',
      width: 150,
      render: (v: string) => <span className="kam-mono">{v}</span>,
    },
    {
      title: t('order.date'),
      dataIndex: 'orderedAt',
      key: 'date',
      width: 120,
      render: (v: string) => fmt.date(v),
    },
    {
      title: t('order.amount'),
      dataIndex: 'amount',
      key: 'amount',
      width: 150,
      align: 'right',
      render: (v: string) => <Money value={v} strong />,
    },
    {
      title: t('order.status'),
      dataIndex: 'status',
      key: 'status',
      width: 90,
      render: (v: OrderStatus) => (
        <Tag color={STATUS_COLORS[v]} variant="filled">
          {enumLabel('orderStatus', v)}
        </Tag>
      ),
    },
    {
      title: t('order.productLine'),
      dataIndex: 'productLine',
      key: 'pl',
      width: 120,
      render: (v: string | null) => v || '—',
    },
    {
      title: t('order.paid'),
      dataIndex: 'paidAmount',
      key: 'paid',
      width: 140,
      align: 'right',
      render: (v: string) => <Money value={v} />,
    },
    {
      title: t('order.overdueAmount'),
      dataIndex: 'overdueAmount',
      key: 'overdue',
      width: 140,
      align: 'right',
      render: (v: string) =>
        (parseFen(v) ?? 0n) > 0n ? (
          <Typography.Text type="danger" strong>
            {formatMoney(v)}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  return (
    <>
      <Card size="small" title={t('order.chartTitle')} className="kam-chart-card">
        {revenue === null ? (
          <Skeleton active paragraph={{ rows: 3 }} />
        ) : hasRevenue ? (
          <Suspense fallback={<Skeleton active paragraph={{ rows: 3 }} />}>
            <RevenueChart data={revenue} />
          </Suspense>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('order.chartEmpty')} />
        )}
      </Card>
      <ListTable<Order>
        list={list}
        paged
        columns={columns}
        testId="orders-table"
        locale={{ emptyText: t('order.empty') }}
        rowClassName={(o) => ((parseFen((o as Order).overdueAmount) ?? 0n) > 0n ? 'kam-row-failure' : '')}
        expandable={{ expandedRowRender: (o) => <Payments orderId={o.id} /> }}
      />
    </>
  );
}
