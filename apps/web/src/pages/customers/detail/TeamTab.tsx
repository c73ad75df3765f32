import { UserAddOutlined } from '@ant-design/icons';
import { App, Button, Form, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../../../api/endpoints';
import type { TeamAccess, TeamMember, TeamRole } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { LoadError } from '../../../components/Results';
import { useApiError } from '../../../hooks/useApiError';
import { useFormat } from '../../../i18n/useFormat';
import { useCustomerLabels } from '../labels';
import { TeamCandidateSelect } from './TeamCandidateSelect';

interface AddValues {
  userId: string;
  teamRole: TeamRole;
  access: TeamAccess;
}

/** The account team: who serves the customer, in which role, with which access. */
export function TeamTab({ customerId, onChanged }: { customerId: string; onChanged: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { can } = useAuth();
  const { message } = App.useApp();
  const { showError, showFormError } = useApiError();
  const { enumLabel, enumOptions } = useCustomerLabels();
  const [members, setMembers] = useState<TeamMember[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<AddValues>();
  const canEdit = can('customer.edit');
  const roleOptions = enumOptions('teamRole').filter((o) => o.value !== 'owner');
  const accessOptions = enumOptions('teamAccess');

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setMembers((await customersApi.team(customerId)).items);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, [customerId]);

  useEffect(() => {
    void load();
  }, [load]);

  const run = async (action: () => Promise<unknown>) => {
    try {
      await action();
      void message.success(t('common.saved'));
      onChanged();
    } catch (err) {
      showError(err);
    }
    await load();
  };

  const add = async (v: AddValues) => {
    setSaving(true);
    try {
      await customersApi.addMember(customerId, v);
      void message.success(t('team.added'));
      setAdding(false);
      onChanged();
      await load();
    } catch (err) {
      showFormError(form, err, ['userId', 'teamRole', 'access']);
    } finally {
      setSaving(false);
    }
  };

  const columns: ColumnsType<TeamMember> = [
    {
      title: t('team.member'),
      dataIndex: 'displayName',
      key: 'name',
      width: 140,
      render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
    },
    {
      title: t('team.role'),
      dataIndex: 'teamRole',
      key: 'role',
      width: 170,
      render: (_, m) =>
        canEdit && m.teamRole !== 'owner' ? (
          <Select<TeamRole>
            size="small"
            value={m.teamRole}
            options={roleOptions}
            style={{ width: 150 }}
            onChange={(teamRole) =>
              void run(() => customersApi.updateMember(customerId, m.userId, { teamRole }))
            }
          />
        ) : (
          <Tag color={m.teamRole === 'owner' ? 'blue' : 'default'} variant="filled">
            {enumLabel('teamRole', m.teamRole)}
          </Tag>
        ),
    },
    {
      title: t('team.access'),
      dataIndex: 'access',
      key: 'access',
      width: 150,
      render: (_, m) =>
        canEdit && m.teamRole !== 'owner' ? (
          <Select<TeamAccess>
            size="small"
            value={m.access}
            options={accessOptions}
            style={{ width: 130 }}
            onChange={(access) => void run(() => customersApi.updateMember(customerId, m.userId, { access }))}
          />
        ) : (
          enumLabel('teamAccess', m.access)
        ),
    },
    {
      title: t('team.addedAt'),
      dataIndex: 'addedAt',
      key: 'addedAt',
      width: 160,
      render: (v: string) => fmt.dateTime(v),
    },
  ];
  if (canEdit) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, m) =>
        m.teamRole === 'owner' ? null : (
          <Popconfirm
            title={t('team.removeConfirm', { name: m.displayName })}
            onConfirm={() => run(() => customersApi.removeMember(customerId, m.userId))}
          >
            <Button type="link" size="small" danger data-testid="team-remove">
              {t('team.remove')}
            </Button>
          </Popconfirm>
        ),
    });
  }

  if (error && members.length === 0) return <LoadError error={error} onRetry={() => void load()} />;
  return (
    <>
      {canEdit ? (
        <div className="kam-tab-toolbar">
          <Button
            type="primary"
            icon={<UserAddOutlined />}
            onClick={() => {
              form.resetFields();
              form.setFieldsValue({ teamRole: 'co_follower', access: 'read' });
              setAdding(true);
            }}
            data-testid="team-add"
          >
            {t('team.add')}
          </Button>
        </div>
      ) : null}
      <Table<TeamMember>
        rowKey="userId"
        size="middle"
        scroll={{ x: 'max-content' }}
        columns={columns}
        dataSource={members}
        loading={loading}
        pagination={false}
        data-testid="team-table"
      />
      <Modal
        open={adding}
        title={t('team.add')}
        onCancel={() => setAdding(false)}
        onOk={() => form.submit()}
        okButtonProps={{ loading: saving, id: 'team-add-submit' }}
        destroyOnHidden
      >
        <Form<AddValues> form={form} layout="vertical" onFinish={add}>
          <Form.Item
            name="userId"
            label={t('team.member')}
            rules={[{ required: true, message: t('team.memberRequired') }]}
          >
            <TeamCandidateSelect customerId={customerId} data-testid="team-add-user" />
          </Form.Item>
          <Space.Compact block>
            <Form.Item
              name="teamRole"
              label={t('team.role')}
              style={{ flex: 1, marginRight: 12 }}
              rules={[{ required: true }]}
            >
              <Select options={roleOptions} data-testid="team-add-role" />
            </Form.Item>
            <Form.Item
              name="access"
              label={t('team.access')}
              style={{ flex: 1 }}
              rules={[{ required: true }]}
            >
              <Select options={accessOptions} data-testid="team-add-access" />
            </Form.Item>
          </Space.Compact>
          <Typography.Text type="secondary">{t('team.accessHelp')}</Typography.Text>
        </Form>
      </Modal>
    </>
  );
}
