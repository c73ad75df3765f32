import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { rolesApi } from '../../api/endpoints';
import type { Role } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ListTable } from '../../components/ListTable';
import { PageContainer } from '../../components/PageContainer';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useIsMobile } from '../../hooks/useIsMobile';

export default function RolesPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const { showError, handleConflict } = useApiError();
  const isMobile = useIsMobile();
  const canConfigure = can('role.configure');
  const list = useCursorList<Role>(() => rolesApi.list(), 'roles', showError);

  const remove = (role: Role) => {
    modal.confirm({
      title: t('common.delete'),
      content: t('role.deleteConfirm', { name: role.name }),
      okButtonProps: { danger: true },
      okText: t('common.delete'),
      onOk: async () => {
        try {
          await rolesApi.remove(role.id, role.version);
          void message.success(t('common.deleted'));
          list.removeItem((r) => r.id === role.id);
        } catch (error) {
          if (handleConflict(error)) list.reload();
          else showError(error);
        }
      },
    });
  };

  const columns: ColumnsType<Role> = [
    {
      title: t('role.name'),
      dataIndex: 'name',
      key: 'name',
      width: 200,
      fixed: isMobile ? undefined : 'left',
      render: (_, role) => (
        <Space size={6} wrap>
          <Link to={`/roles/${encodeURIComponent(role.id)}`} data-testid={`role-link-${role.key ?? role.id}`}>
            {role.name}
          </Link>
          {role.builtin ? <Tag color="gold">{t('role.builtin')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('role.description'),
      dataIndex: 'description',
      key: 'description',
      ellipsis: true,
      render: (value: string | null) => value || <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      title: t('role.matrix'),
      key: 'grants',
      width: 130,
      render: (_, role) => t('role.grantsSummary', { count: role.grants?.length ?? 0 }),
    },
    { title: t('role.userCount'), dataIndex: 'userCount', key: 'userCount', width: 90, align: 'right' },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 220,
      fixed: isMobile ? undefined : 'right',
      render: (_, role) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => navigate(`/roles/${encodeURIComponent(role.id)}`)}>
            {role.builtin || !canConfigure ? t('role.view') : t('common.edit')}
          </Button>
          {canConfigure ? (
            <Button
              type="link"
              size="small"
              onClick={() => navigate(`/roles/new?copyFrom=${encodeURIComponent(role.id)}`)}
              data-testid="role-action-copy"
            >
              {t('role.copy')}
            </Button>
          ) : null}
          {canConfigure && !role.builtin ? (
            <Button
              type="link"
              size="small"
              danger
              onClick={() => remove(role)}
              data-testid="role-action-delete"
            >
              {t('common.delete')}
            </Button>
          ) : null}
        </Space>
      ),
    },
  ];

  return (
    <PageContainer
      title={t('role.title')}
      extra={
        canConfigure ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => navigate('/roles/new')}
            data-testid="role-create"
          >
            {t('role.create')}
          </Button>
        ) : null
      }
    >
      <Card className="kam-table-card">
        <ListTable<Role> list={list} columns={columns} testId="roles-table" />
      </Card>
    </PageContainer>
  );
}
