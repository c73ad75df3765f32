import { PoweroffOutlined } from '@ant-design/icons';
import { App, Button, Card, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { meApi } from '../../api/endpoints';
import type { SessionInfo } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ListTable } from '../../components/ListTable';
import { PageContainer } from '../../components/PageContainer';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useFormat } from '../../i18n/useFormat';
import { describeUserAgent } from '../../utils/userAgent';

export default function SessionsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const { logoutAll } = useAuth();
  const { modal } = App.useApp();
  const { showError } = useApiError();
  const list = useCursorList<SessionInfo>(
    async () => ({ items: (await meApi.sessions()).items, nextCursor: null }),
    'sessions',
    showError,
  );

  const confirmLogoutAll = () => {
    modal.confirm({
      title: t('header.logoutAll'),
      content: t('header.logoutAllConfirm'),
      okButtonProps: { danger: true },
      okText: t('header.logoutAll'),
      onOk: async () => {
        try {
          await logoutAll();
          navigate('/login', { replace: true });
        } catch (error) {
          showError(error);
        }
      },
    });
  };

  const columns: ColumnsType<SessionInfo> = [
    {
      title: t('session.device'),
      key: 'device',
      render: (_, session) => (
        <span>
          <Typography.Text title={session.userAgent ?? undefined}>
            {describeUserAgent(session.userAgent)}
          </Typography.Text>
          {session.current ? (
            <Tag color="blue" style={{ marginInlineStart: 8 }} data-testid="session-current">
              {t('session.current')}
            </Tag>
          ) : null}
        </span>
      ),
    },
    {
      title: t('session.ip'),
      dataIndex: 'ip',
      key: 'ip',
      width: 150,
      render: (ip: string | null) => <span className="kam-mono">{ip ?? '—'}</span>,
    },
    {
      title: t('session.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      width: 170,
      render: (v: string) => fmt.dateTime(v),
    },
    {
      title: t('session.lastSeenAt'),
      dataIndex: 'lastSeenAt',
      key: 'lastSeenAt',
      width: 170,
      render: (v: string) => fmt.dateTime(v),
    },
  ];

  return (
    <PageContainer
      title={t('session.title')}
      description={t('session.intro')}
      extra={
        <Button
          danger
          icon={<PoweroffOutlined />}
          onClick={confirmLogoutAll}
          data-testid="sessions-logout-all"
        >
          {t('session.logoutAll')}
        </Button>
      }
    >
      <Card className="kam-table-card">
        <ListTable<SessionInfo> list={list} columns={columns} testId="sessions-table" />
      </Card>
    </PageContainer>
  );
}
