import { ImportOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Select, Space } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { customersApi, usersApi } from '../../api/endpoints';
import type { Customer, CustomerFilter, CustomerSort, SavedView } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ListTable } from '../../components/ListTable';
import { PageContainer } from '../../components/PageContainer';
import { useRecordTiers } from '../../components/tiering/useRecordTiers';
import { userLabel } from '../../components/UserSelect';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useDepartments } from '../../hooks/useDepartments';
import { useIsMobile } from '../../hooks/useIsMobile';
import { CustomerCards } from './CustomerCards';
import { CustomerFilters } from './CustomerFilters';
import { CustomerFormDrawer } from './CustomerFormDrawer';
import { ExportButton } from './ExportButton';
import { compactFilter, readCustomerFilter, writeCustomerFilter } from './filterParams';
import { SavedViews } from './SavedViews';
import { useCustomerColumns } from './useCustomerColumns';

const PAGE_SIZE = 50;

const MOBILE_SORTS = [
  { value: 'name.asc', sort: 'name', order: 'asc', labelKey: 'customer.sort.name.asc' },
  {
    value: 'lastFollowUpAt.asc',
    sort: 'lastFollowUpAt',
    order: 'asc',
    labelKey: 'customer.sort.lastFollowUpAt.asc',
  },
  {
    value: 'lastFollowUpAt.desc',
    sort: 'lastFollowUpAt',
    order: 'desc',
    labelKey: 'customer.sort.lastFollowUpAt.desc',
  },
  { value: 'revenue12m.desc', sort: 'revenue12m', order: 'desc', labelKey: 'customer.sort.revenue12m.desc' },
  { value: 'updatedAt.desc', sort: 'updatedAt', order: 'desc', labelKey: 'customer.sort.updatedAt.desc' },
  { value: 'createdAt.desc', sort: 'createdAt', order: 'desc', labelKey: 'customer.sort.createdAt.desc' },
] as const satisfies readonly {
  value: string;
  sort: CustomerSort;
  order: 'asc' | 'desc';
  labelKey: string;
}[];

export default function CustomersPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { showError } = useApiError();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => readCustomerFilter(params), [params]);
  const viewId = params.get('view');
  const { roots } = useDepartments(can('department.view'));
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [ownerLabel, setOwnerLabel] = useState<string | null>(null);

  // The owner filter shows a name, also when it comes from the address bar or a saved view.
  useEffect(() => {
    if (!filter.ownerId) return;
    let cancelled = false;
    usersApi
      .get(filter.ownerId)
      .then((u) => !cancelled && setOwnerLabel(userLabel(u)))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [filter.ownerId]);

  const listKey = JSON.stringify(filter);
  const list = useCursorList<Customer>(
    (cursor, signal) => customersApi.list(filter, { limit: PAGE_SIZE, cursor }, signal),
    listKey,
    showError,
  );

  const setFilter = useCallback(
    (next: CustomerFilter, view: string | null = null) => {
      const search = writeCustomerFilter(next);
      if (view) search.set('view', view);
      setParams(search, { replace: true });
    },
    [setParams],
  );

  const onChange = (patch: Partial<CustomerFilter>) => setFilter({ ...filter, ...patch }, null);
  const applyView = (view: SavedView) => setFilter(compactFilter(view.filters), view.id);
  const showTier = can('tiering.view');
  const tiers = useRecordTiers(showTier);
  const columns = useCustomerColumns(filter.sort, filter.order, showTier, tiers);

  return (
    <PageContainer
      title={t('customer.title')}
      extra={
        <Space wrap>
          <SavedViews current={filter} activeId={viewId} onApply={applyView} />
          <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('common.refresh')} />
          {can('customer.import') ? (
            <Link to="/imports">
              <Button icon={<ImportOutlined />} data-testid="customer-import">
                {isMobile ? null : t('customer.import')}
              </Button>
            </Link>
          ) : null}
          {can('customer.export') ? <ExportButton filter={filter} compact={isMobile} /> : null}
          {can('customer.create') ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDrawerOpen(true)}
              data-testid="customer-create"
            >
              {t('customer.create')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card className="kam-table-card">
        <CustomerFilters
          key={viewId ?? 'none'}
          value={filter}
          onChange={onChange}
          onReset={() => setFilter({})}
          roots={roots}
          ownerLabel={ownerLabel}
          compact={isMobile}
          tiers={showTier ? tiers : null}
        />
        {isMobile ? (
          <>
            <Select
              className="kam-mobile-sort"
              value={filter.sort ? `${filter.sort}.${filter.order ?? 'asc'}` : undefined}
              placeholder={t('customer.sortBy')}
              allowClear
              onChange={(value?: string) => {
                const picked = MOBILE_SORTS.find((s) => s.value === value);
                onChange({ sort: picked?.sort, order: picked?.order });
              }}
              options={MOBILE_SORTS.map((s) => ({ value: s.value, label: t(s.labelKey) }))}
            />
            <CustomerCards list={list} showTier={showTier} tiers={tiers} />
          </>
        ) : (
          <ListTable<Customer>
            list={list}
            paged
            columns={columns}
            testId="customers-table"
            tableLayout="fixed"
            scroll={{ x: showTier ? 1530 : 1400 }}
            locale={{ emptyText: t('customer.empty') }}
            onRow={(c) => ({ onDoubleClick: () => navigate(`/customers/${c.id}`) })}
            onChange={(_p, _f, sorter) => {
              const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<Customer> | undefined;
              const key = s?.order ? (s.columnKey as CustomerSort) : undefined;
              onChange({ sort: key, order: key ? (s?.order === 'descend' ? 'desc' : 'asc') : undefined });
            }}
          />
        )}
      </Card>
      <CustomerFormDrawer
        open={drawerOpen}
        customer={null}
        onClose={() => setDrawerOpen(false)}
        onSaved={(c) => {
          setDrawerOpen(false);
          navigate(`/customers/${c.id}`);
        }}
      />
    </PageContainer>
  );
}
