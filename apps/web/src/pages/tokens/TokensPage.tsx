import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Modal, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tokensApi } from '../../api/endpoints';
import type { ApiToken } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { ListTable } from '../../components/ListTable';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { PageContainer } from '../../components/PageContainer';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { translateDynamic } from '../../i18n';
import { useFormat } from '../../i18n/useFormat';
import { CreateTokenModal } from './CreateTokenModal';

type TokenStatus = 'active' | 'revoked' | 'expired';

function statusOf(token: ApiToken): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) return 'expired';
  return 'active';
}

export default function TokensPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const { showError } = useApiError();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const list = useCursorList<ApiToken>(
    async () => ({ items: (await tokensApi.list()).items, nextCursor: null }),
    'tokens',
    showError,
  );

  const revoke = (token: ApiToken) => {
    modal.confirm({
      title: t('token.revoke'),
      content: t('token.revokeConfirm', { name: token.name }),
      okButtonProps: { danger: true },
      okText: t('token.revoke'),
      onOk: async () => {
        try {
          await tokensApi.revoke(token.id);
          void message.success(t('token.revoked'));
          list.reload();
        } catch (error) {
          showError(error);
        }
      },
    });
  };

  const statusTag = (status: TokenStatus) => {
    const map = {
      active: { color: 'success', key: 'token.statusActive' },
      revoked: { color: 'default', key: 'token.statusRevoked' },
      expired: { color: 'warning', key: 'token.statusExpired' },
    } as const;
    return <Tag color={map[status].color}>{t(map[status].key)}</Tag>;
  };

  const columns: ColumnsType<ApiToken> = [
    { title: t('token.name'), dataIndex: 'name', key: 'name', width: 180 },
    {
      title: t('token.prefix'),
      dataIndex: 'prefix',
      key: 'prefix',
      width: 140,
      render: (prefix: string) => <Typography.Text code>{prefix}…</Typography.Text>,
    },
    {
      title: t('token.permissions'),
      dataIndex: 'permissions',
      key: 'permissions',
      width: 280,
      render: (permissions: string[]) => (
        <Space size={[4, 4]} wrap>
          {permissions.slice(0, 4).map((p) => (
            <Tag key={p}>{translateDynamic(`perm.${p}`, p)}</Tag>
          ))}
          {permissions.length > 4 ? (
            <Tooltip
              title={permissions
                .slice(4)
                .map((p) => translateDynamic(`perm.${p}`, p))
                .join('、')}
            >
              <Tag>+{permissions.length - 4}</Tag>
            </Tooltip>
          ) : null}
        </Space>
      ),
    },
    { title: t('token.status'), key: 'status', width: 90, render: (_, token) => statusTag(statusOf(token)) },
    {
      title: t('token.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      width: 160,
      render: (v: string) => fmt.dateTime(v),
    },
    {
      title: t('token.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      key: 'lastUsedAt',
      width: 160,
      render: (v: string | null) => (v ? fmt.dateTime(v) : t('token.neverUsed')),
    },
    {
      title: t('token.expiresAt'),
      dataIndex: 'expiresAt',
      key: 'expiresAt',
      width: 160,
      render: (v: string | null) => (v ? fmt.dateTime(v) : t('token.neverExpires')),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, token) =>
        statusOf(token) === 'revoked' ? null : (
          <Button type="link" size="small" danger onClick={() => revoke(token)} data-testid="token-revoke">
            {t('token.revoke')}
          </Button>
        ),
    },
  ];

  return (
    <PageContainer
      title={t('token.title')}
      extra={
        can('api_token.create') ? (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="token-create"
          >
            {t('token.create')}
          </Button>
        ) : null
      }
    >
      <Alert type="info" showIcon title={t('token.intro')} style={{ marginBottom: 16 }} />
      <Card className="kam-table-card">
        <ListTable<ApiToken> list={list} columns={columns} testId="tokens-table" />
      </Card>
      <CreateTokenModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(_token, value) => {
          setCreating(false);
          setSecret(value);
          list.reload();
        }}
      />
      <Modal
        open={!!secret}
        title={t('token.secretTitle')}
        onCancel={() => setSecret(null)}
        mask={{ closable: false }}
        keyboard={false}
        destroyOnHidden
        width={640}
        footer={
          <Button type="primary" onClick={() => setSecret(null)} data-testid="token-secret-done">
            {t('user.initialPasswordDone')}
          </Button>
        }
      >
        {secret ? (
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <OneTimeSecret value={secret} note={t('token.secretNote')} testId="token-secret" />
            <div>
              <Typography.Text strong>{t('token.usage')}</Typography.Text>
              <pre className="kam-code-block">{`curl -H "Authorization: Bearer ${secret}" \\\n  ${window.location.origin}/api/v1/users?limit=10`}</pre>
            </div>
          </Space>
        ) : null}
      </Modal>
    </PageContainer>
  );
}
