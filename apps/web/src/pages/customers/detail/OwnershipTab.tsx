import { Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../../../api/endpoints';
import type { OwnershipEntry } from '../../../api/types';
import { ListTable } from '../../../components/ListTable';
import { useApiError } from '../../../hooks/useApiError';
import { useCursorList } from '../../../hooks/useCursorList';
import { translateDynamic } from '../../../i18n';
import { useFormat } from '../../../i18n/useFormat';

/** Every change of owner: who, when, why. */
export function OwnershipTab({ customerId, revision }: { customerId: string; revision: number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { showError } = useApiError();
  const list = useCursorList<OwnershipEntry>(
    (cursor, signal) => customersApi.ownershipHistory(customerId, { limit: 50, cursor }, signal),
    `${customerId}:${revision}`,
    showError,
  );
  const columns: ColumnsType<OwnershipEntry> = [
    {
      title: t('customer.changedAt'),
      dataIndex: 'changedAt',
      key: 'at',
      width: 160,
      render: (v: string) => fmt.dateTime(v),
    },
    {
      title: t('customer.ownershipKind'),
      dataIndex: 'kind',
      key: 'kind',
      width: 90,
      render: (v: string) => translateDynamic(`customer.ownership.${v}`, v),
    },
    {
      title: t('customer.ownershipChange'),
      key: 'change',
      width: 200,
      render: (_, e) => (
        <span className="kam-nowrap">
          {e.fromOwnerName ?? '—'} → <Typography.Text strong>{e.toOwnerName ?? '—'}</Typography.Text>
        </span>
      ),
    },
    {
      title: t('customer.reason'),
      dataIndex: 'reason',
      key: 'reason',
      render: (v: string | null) => v || '—',
    },
    {
      title: t('customer.changedBy'),
      dataIndex: 'changedByName',
      key: 'by',
      width: 100,
      render: (v: string | null) => v ?? '—',
    },
  ];
  return <ListTable<OwnershipEntry> list={list} paged columns={columns} testId="customer-ownership" />;
}
