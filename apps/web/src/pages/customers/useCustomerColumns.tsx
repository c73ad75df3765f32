import { Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { SortOrder } from 'antd/es/table/interface';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Customer, CustomerSort } from '../../api/types';
import type { TierRef } from '../../components/tiering/api';
import { CustomerStatusTag, LastFollowUp, Money, TagList, TierTag } from './CustomerBits';
import { useRegions } from './regions';

function sortOrderFor(key: CustomerSort, sort?: CustomerSort, order?: 'asc' | 'desc'): SortOrder {
  if (sort !== key) return null;
  return order === 'desc' ? 'descend' : 'ascend';
}

/**
 * The list's columns; the tier of record's only with `showTier` (the viewer has tiering.view), coloured
 * by rank among `tiers` when they are known.
 */
export function useCustomerColumns(
  sort: CustomerSort | undefined,
  order: 'asc' | 'desc' | undefined,
  showTier: boolean,
  tiers: TierRef[] | null,
): ColumnsType<Customer> {
  const { t } = useTranslation();
  const { industryLabel, regionLabel } = useRegions();
  const tierColumn: ColumnsType<Customer> = showTier
    ? [
        {
          title: t('customer.tier'),
          key: 'tier',
          width: 130,
          render: (_, c) => <TierTag tier={c.tier} tiers={tiers} />,
        },
      ]
    : [];
  return [
    {
      title: t('customer.name'),
      dataIndex: 'name',
      key: 'name',
      fixed: 'left',
      width: 240,
      ellipsis: true,
      sorter: true,
      sortOrder: sortOrderFor('name', sort, order),
      render: (_, c) => (
        <Link to={`/customers/${c.id}`} data-testid="customer-link">
          <Typography.Text strong style={{ color: 'inherit' }}>
            {c.name}
          </Typography.Text>
        </Link>
      ),
    },
    {
      title: t('customer.status'),
      dataIndex: 'status',
      key: 'status',
      width: 90,
      render: (_, c) => <CustomerStatusTag status={c.status} />,
    },
    ...tierColumn,
    {
      title: t('customer.owner'),
      dataIndex: 'ownerName',
      key: 'owner',
      width: 100,
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('customer.lastFollowUp'),
      dataIndex: 'lastFollowUpAt',
      key: 'lastFollowUpAt',
      width: 120,
      sorter: true,
      sortOrder: sortOrderFor('lastFollowUpAt', sort, order),
      render: (v: string | null) => <LastFollowUp at={v} />,
    },
    {
      title: t('customer.revenue12m'),
      dataIndex: 'revenue12m',
      key: 'revenue12m',
      width: 140,
      align: 'right',
      sorter: true,
      sortOrder: sortOrderFor('revenue12m', sort, order),
      render: (v: string | undefined) => <Money value={v} />,
    },
    {
      title: t('customer.industry'),
      dataIndex: 'industry',
      key: 'industry',
      width: 130,
      ellipsis: true,
      render: (v: string | null) => industryLabel(v),
    },
    {
      title: t('customer.region'),
      key: 'region',
      width: 120,
      ellipsis: true,
      render: (_, c) => regionLabel(c.provinceCode, c.cityCode),
    },
    {
      title: t('customer.department'),
      dataIndex: 'departmentName',
      key: 'department',
      width: 130,
      ellipsis: true,
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('customer.creditCode'),
      dataIndex: 'creditCode',
      key: 'creditCode',
      width: 170,
      render: (v: string | null | undefined) => (v ? <span className="kam-mono">{v}</span> : '—'),
    },
    {
      title: t('customer.tags'),
      dataIndex: 'tags',
      key: 'tags',
      width: 180,
      render: (tags: string[]) => <TagList tags={tags} />,
    },
  ];
}
