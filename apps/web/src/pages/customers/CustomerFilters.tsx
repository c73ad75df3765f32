import { FilterOutlined } from '@ant-design/icons';
import { Badge, Button, Cascader, Checkbox, DatePicker, Input, InputNumber, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerFilter, CustomerStatus } from '../../api/types';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import type { TierRef } from '../../components/tiering/api';
import { UserSelect } from '../../components/UserSelect';
import type { DepartmentNode } from '../../utils/departmentTree';
import { wanToYuan, yuanToWan } from '../../utils/money';
import { activeFilterCount } from './filterParams';
import { useCustomerLabels } from './labels';
import { useRegions } from './regions';

export interface CustomerFiltersProps {
  value: CustomerFilter;
  onChange: (patch: Partial<CustomerFilter>) => void;
  onReset: () => void;
  roots: DepartmentNode[];
  ownerLabel: string | null;
  compact: boolean;
  /** the tier-of-record model's tiers (a tier filter), or null: none, or not the viewer's to see */
  tiers: TierRef[] | null;
}

const MORE_KEYS: (keyof CustomerFilter)[] = [
  'departmentId',
  'industry',
  'provinceCode',
  'tags',
  'lastFollowUpAfter',
  'lastFollowUpBefore',
  'revenueMin',
  'revenueMax',
];

export function CustomerFilters({
  value,
  onChange,
  onReset,
  roots,
  ownerLabel,
  compact,
  tiers,
}: CustomerFiltersProps) {
  const { t } = useTranslation();
  const { enumOptions } = useCustomerLabels();
  const regions = useRegions();
  const [text, setText] = useState(value.q ?? '');
  useEffect(() => setText(value.q ?? ''), [value.q]);
  const moreCount = activeFilterCount(value, MORE_KEYS);
  const [showMore, setShowMore] = useState(!compact && moreCount > 0);
  const [revenue, setRevenue] = useState<[string | null, string | null]>([
    yuanToWan(value.revenueMin),
    yuanToWan(value.revenueMax),
  ]);
  useEffect(
    () => setRevenue([yuanToWan(value.revenueMin), yuanToWan(value.revenueMax)]),
    [value.revenueMin, value.revenueMax],
  );

  const applyRevenue = () =>
    onChange({
      revenueMin: wanToYuan(revenue[0]) ?? undefined,
      revenueMax: wanToYuan(revenue[1]) ?? undefined,
    });

  const range: [Dayjs | null, Dayjs | null] = [
    value.lastFollowUpAfter ? dayjs(value.lastFollowUpAfter) : null,
    value.lastFollowUpBefore ? dayjs(value.lastFollowUpBefore) : null,
  ];

  return (
    <div className="kam-customer-filters">
      <div className="kam-filters">
        <Input.Search
          allowClear
          className="kam-filter-search"
          placeholder={t('customer.searchPlaceholder')}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (!e.target.value) onChange({ q: undefined });
          }}
          onSearch={(q) => onChange({ q: q.trim() || undefined })}
          data-testid="customer-search"
        />
        <Select<CustomerStatus[]>
          mode="multiple"
          allowClear
          maxTagCount="responsive"
          className="kam-filter-select"
          placeholder={t('customer.status')}
          value={value.status ?? []}
          onChange={(status) => onChange({ status: status.length ? status : undefined })}
          options={enumOptions('customerStatus')}
          data-testid="customer-filter-status"
        />
        {tiers && tiers.length > 0 ? (
          <Select<string[]>
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            className="kam-filter-select"
            placeholder={t('customer.tier')}
            value={value.tier ?? []}
            onChange={(tier) => onChange({ tier: tier.length ? tier : undefined })}
            options={tiers.map((x) => ({ value: x.id, label: x.name }))}
            data-testid="customer-filter-tier"
          />
        ) : null}
        <UserSelect
          className="kam-filter-select"
          placeholder={t('customer.owner')}
          value={value.ownerId}
          initialOption={value.ownerId && ownerLabel ? { value: value.ownerId, label: ownerLabel } : null}
          onChange={(ownerId) => onChange({ ownerId: ownerId ?? undefined })}
          data-testid="customer-filter-owner"
        />
        <span className="kam-filter-actions">
          <Badge count={showMore ? 0 : moreCount} size="small">
            <Button
              icon={<FilterOutlined />}
              onClick={() => setShowMore((v) => !v)}
              type={showMore ? 'primary' : 'default'}
              ghost={showMore}
              data-testid="customer-filter-more"
            >
              {showMore ? t('customer.fewerFilters') : t('customer.moreFilters')}
            </Button>
          </Badge>
          <Button type="link" onClick={onReset} data-testid="customer-filter-reset">
            {t('common.reset')}
          </Button>
        </span>
      </div>
      {showMore ? (
        <div className="kam-filters kam-filters-more">
          {roots.length > 0 ? (
            <span className="kam-filter-group">
              <DepartmentTreeSelect
                roots={roots}
                allowClear
                className="kam-filter-select"
                placeholder={t('customer.department')}
                value={value.departmentId}
                onChange={(id: string | undefined) => onChange({ departmentId: id ?? undefined })}
                data-testid="customer-filter-department"
              />
              <Checkbox
                checked={value.includeSubtree !== false}
                disabled={!value.departmentId}
                onChange={(e) => onChange({ includeSubtree: e.target.checked })}
              >
                {t('customer.includeSubtree')}
              </Checkbox>
            </span>
          ) : null}
          <Select<string[]>
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            className="kam-filter-select"
            placeholder={t('customer.industry')}
            value={value.industry ?? []}
            onChange={(industry) => onChange({ industry: industry.length ? industry : undefined })}
            options={regions.industryOptions}
            showSearch={{ optionFilterProp: 'label' }}
            popupMatchSelectWidth={false}
            data-testid="customer-filter-industry"
          />
          <Cascader
            className="kam-filter-select"
            placeholder={t('customer.region')}
            options={regions.regionOptions}
            changeOnSelect
            showSearch
            value={[value.provinceCode, value.cityCode].filter((v): v is string => !!v)}
            onChange={(path) => {
              const [provinceCode, cityCode] = (path ?? []) as string[];
              onChange({ provinceCode: provinceCode || undefined, cityCode: cityCode || undefined });
            }}
            data-testid="customer-filter-region"
          />
          <Select<string[]>
            mode="tags"
            allowClear
            maxTagCount="responsive"
            className="kam-filter-select"
            placeholder={t('customer.tags')}
            value={value.tags ?? []}
            onChange={(tags) => onChange({ tags: tags.length ? tags : undefined })}
            open={false}
            suffixIcon={null}
            data-testid="customer-filter-tags"
          />
          <DatePicker.RangePicker
            className="kam-filter-range"
            allowEmpty={[true, true]}
            placeholder={[t('customer.followUpAfter'), t('customer.followUpBefore')]}
            value={range}
            onChange={(dates) =>
              onChange({
                lastFollowUpAfter: dates?.[0]?.format('YYYY-MM-DD') ?? undefined,
                lastFollowUpBefore: dates?.[1]?.format('YYYY-MM-DD') ?? undefined,
              })
            }
            data-testid="customer-filter-follow-up"
          />
          <Space.Compact className="kam-filter-range">
            <InputNumber<string>
              stringMode
              min="0"
              placeholder={t('customer.revenueMinWan')}
              value={revenue[0]}
              onChange={(v) => setRevenue([v, revenue[1]])}
              onBlur={applyRevenue}
              onPressEnter={applyRevenue}
              style={{ width: '50%' }}
              data-testid="customer-filter-revenue-min"
            />
            <InputNumber<string>
              stringMode
              min="0"
              placeholder={t('customer.revenueMaxWan')}
              value={revenue[1]}
              onChange={(v) => setRevenue([revenue[0], v])}
              onBlur={applyRevenue}
              onPressEnter={applyRevenue}
              style={{ width: '50%' }}
              suffix={t('customer.wan')}
              data-testid="customer-filter-revenue-max"
            />
          </Space.Compact>
        </div>
      ) : null}
    </div>
  );
}
