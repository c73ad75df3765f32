import { Descriptions, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../api/types';
import { useFormat } from '../../../i18n/useFormat';
import { CustomerStatusTag, Money, TagList } from '../CustomerBits';
import { useCustomerLabels } from '../labels';
import { useRegions } from '../regions';

/** Every field of the customer (fields a field rule hides are not shown at all). */
export function ProfileTab({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { enumLabel } = useCustomerLabels();
  const { industryLabel, regionLabel } = useRegions();
  const items = [
    { key: 'name', label: t('customer.name'), children: c.name },
    c.creditCode !== undefined
      ? { key: 'creditCode', label: t('customer.creditCode'), children: c.creditCode ?? '—' }
      : null,
    { key: 'status', label: t('customer.status'), children: <CustomerStatusTag status={c.status} /> },
    { key: 'industry', label: t('customer.industry'), children: industryLabel(c.industry) },
    { key: 'region', label: t('customer.region'), children: regionLabel(c.provinceCode, c.cityCode) },
    { key: 'sizeBand', label: t('customer.sizeBand'), children: enumLabel('sizeBand', c.sizeBand) },
    { key: 'source', label: t('customer.source'), children: enumLabel('customerSource', c.source) },
    c.website !== undefined
      ? {
          key: 'website',
          label: t('customer.website'),
          children: c.website ? (
            <Typography.Link href={c.website} target="_blank" rel="noreferrer noopener">
              {c.website}
            </Typography.Link>
          ) : (
            '—'
          ),
        }
      : null,
    c.address !== undefined
      ? { key: 'address', label: t('customer.address'), children: c.address || '—' }
      : null,
    { key: 'owner', label: t('customer.owner'), children: c.ownerName ?? '—' },
    { key: 'department', label: t('customer.department'), children: c.departmentName ?? '—' },
    { key: 'tags', label: t('customer.tags'), children: <TagList tags={c.tags} /> },
    c.revenue12m !== undefined
      ? { key: 'revenue', label: t('customer.revenue12m'), children: <Money value={c.revenue12m} /> }
      : null,
    { key: 'orders12m', label: t('customer.orders12m'), children: c.orders12m },
    { key: 'lastOrderAt', label: t('customer.lastOrderAt'), children: fmt.date(c.lastOrderAt) },
    { key: 'lastFollowUpAt', label: t('customer.lastFollowUp'), children: fmt.dateTime(c.lastFollowUpAt) },
    { key: 'createdAt', label: t('customer.createdAt'), children: fmt.dateTime(c.createdAt) },
    { key: 'updatedAt', label: t('customer.updatedAt'), children: fmt.dateTime(c.updatedAt) },
    c.notes !== undefined
      ? {
          key: 'notes',
          label: t('customer.notes'),
          span: 'filled' as const,
          children: c.notes ? (
            <Typography.Paragraph className="kam-pre">{c.notes}</Typography.Paragraph>
          ) : (
            '—'
          ),
        }
      : null,
  ].filter((x) => x !== null);
  return (
    <Descriptions
      bordered
      size="small"
      column={{ xs: 1, md: 2 }}
      items={items}
      data-testid="customer-profile"
    />
  );
}
