import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, SwapOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Space, Tabs, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError } from '../../../api/api';
import { customersApi } from '../../../api/endpoints';
import type { Customer, CustomerSummary } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { CustomerApprovalActions } from '../../../components/approvals/CustomerApprovalActions';
import { LoadError, NotFoundResult, PageLoading } from '../../../components/Results';
import { CustomerTierCard } from '../../../components/tiering/CustomerTierCard';
import { useApiError } from '../../../hooks/useApiError';
import { useIsMobile } from '../../../hooks/useIsMobile';
import { CustomerStatusTag, TagList } from '../CustomerBits';
import { CustomerFormDrawer } from '../CustomerFormDrawer';
import { AssignModal } from './AssignModal';
import { ContactsTab } from './ContactsTab';
import { FollowUpsTab } from './FollowUpsTab';
import { KeyFigures } from './KeyFigures';
import { OrdersTab } from './OrdersTab';
import { OwnershipTab } from './OwnershipTab';
import { ProfileTab } from './ProfileTab';
import { ServiceTab } from './ServiceTab';
import { TeamTab } from './TeamTab';
import { TimelineTab } from './TimelineTab';

/** Customer 360: header, key figures and everything attached to the customer. */
export default function CustomerDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const { showError } = useApiError();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [summary, setSummary] = useState<CustomerSummary | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [assigning, setAssigning] = useState(false);
  const [tab, setTab] = useState('timeline');
  /** Bumped after a change that shows up in the timeline / figures (follow-up logged, owner changed…). */
  const [revision, setRevision] = useState(0);

  const load = useCallback(async () => {
    try {
      setCustomer(await customersApi.get(id));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [id]);

  // The key figures load on their own: the page never waits for them.
  const loadSummary = useCallback(async () => {
    try {
      setSummary(await customersApi.summary(id));
    } catch {
      setSummary(null);
    }
  }, [id]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `revision` is the reload trigger.
  useEffect(() => {
    void load();
    void loadSummary();
  }, [load, loadSummary, revision]);

  const changed = useCallback(() => setRevision((r) => r + 1), []);

  if (error) {
    if (isApiError(error) && error.status === 404) return <NotFoundResult />;
    return <LoadError error={error} onRetry={() => void load()} />;
  }
  if (!customer) return <PageLoading />;

  const remove = () =>
    modal.confirm({
      title: t('customer.delete'),
      content: t('customer.deleteConfirm', { name: customer.name }),
      okButtonProps: { danger: true },
      okText: t('common.delete'),
      onOk: async () => {
        try {
          await customersApi.remove(customer.id, customer.version);
          void message.success(t('common.deleted'));
          navigate('/customers');
        } catch (err) {
          showError(err);
        }
      },
    });

  const actions = (
    <Space wrap size={8}>
      {can('customer.edit') ? (
        <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="customer-edit">
          {t('common.edit')}
        </Button>
      ) : null}
      {can('customer.assign') ? (
        <Button icon={<SwapOutlined />} onClick={() => setAssigning(true)} data-testid="customer-assign">
          {t('customer.assign')}
        </Button>
      ) : null}
      <CustomerApprovalActions customer={customer} />
      {can('customer.delete') ? (
        <Button danger icon={<DeleteOutlined />} onClick={remove} data-testid="customer-delete">
          {isMobile ? null : t('common.delete')}
        </Button>
      ) : null}
    </Space>
  );

  const tabLabel = (key: string, text: string) => <span data-testid={`customer-tab-${key}`}>{text}</span>;
  const tabs = [
    {
      key: 'timeline',
      label: tabLabel('timeline', t('customer.tabTimeline')),
      children: <TimelineTab customerId={id} revision={revision} />,
    },
    {
      key: 'profile',
      label: tabLabel('profile', t('customer.tabProfile')),
      children: <ProfileTab customer={customer} />,
    },
    can('contact.view')
      ? {
          key: 'contacts',
          label: tabLabel('contacts', t('customer.tabContacts')),
          children: <ContactsTab customerId={id} />,
        }
      : null,
    {
      key: 'team',
      label: tabLabel('team', t('customer.tabTeam')),
      children: <TeamTab customerId={id} onChanged={changed} />,
    },
    can('follow_up.view')
      ? {
          key: 'followUps',
          label: tabLabel('followUps', t('customer.tabFollowUps')),
          children: <FollowUpsTab customerId={id} revision={revision} onChanged={changed} />,
        }
      : null,
    can('order.view')
      ? {
          key: 'orders',
          label: tabLabel('orders', t('customer.tabOrders')),
          children: <OrdersTab customerId={id} />,
        }
      : null,
    can('service_record.view')
      ? {
          key: 'service',
          label: tabLabel('service', t('customer.tabService')),
          children: <ServiceTab customerId={id} onChanged={changed} />,
        }
      : null,
    {
      key: 'ownership',
      label: tabLabel('ownership', t('customer.tabOwnership')),
      children: <OwnershipTab customerId={id} revision={revision} />,
    },
  ].filter((x) => x !== null);

  return (
    <div className="kam-page" data-testid="customer-detail">
      <Card className="kam-customer-header" variant="borderless">
        <div className="kam-customer-header-top">
          <div className="kam-customer-title">
            <Link to="/customers" aria-label={t('common.back')} className="kam-back-link">
              <ArrowLeftOutlined />
            </Link>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="customer-name">
              {customer.name}
            </Typography.Title>
            <CustomerStatusTag status={customer.status} />
          </div>
          {actions}
        </div>
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, md: 4 }}
          className="kam-customer-header-meta"
          items={[
            { key: 'owner', label: t('customer.owner'), children: customer.ownerName ?? '—' },
            { key: 'department', label: t('customer.department'), children: customer.departmentName ?? '—' },
            ...(customer.creditCode !== undefined
              ? [
                  {
                    key: 'creditCode',
                    label: t('customer.creditCode'),
                    children: customer.creditCode ? (
                      <span className="kam-mono">{customer.creditCode}</span>
                    ) : (
                      '—'
                    ),
                  },
                ]
              : []),
            { key: 'tags', label: t('customer.tags'), children: <TagList tags={customer.tags} /> },
          ]}
        />
      </Card>

      <KeyFigures summary={summary} />

      {can('tiering.view') ? <CustomerTierCard customer={customer} /> : null}

      <Card className="kam-customer-tabs">
        <Tabs activeKey={tab} onChange={setTab} items={tabs} destroyOnHidden data-testid="customer-tabs" />
      </Card>

      <CustomerFormDrawer
        open={editing}
        customer={customer}
        onClose={() => {
          setEditing(false);
          changed();
        }}
        onSaved={(c) => {
          setEditing(false);
          setCustomer(c);
          changed();
        }}
      />
      <AssignModal
        open={assigning}
        customer={customer}
        onClose={() => setAssigning(false)}
        onDone={() => {
          setAssigning(false);
          changed();
        }}
      />
    </div>
  );
}
