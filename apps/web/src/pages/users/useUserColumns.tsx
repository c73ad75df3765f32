import { DownOutlined } from '@ant-design/icons';
import { Button, Dropdown, type MenuProps, Space, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { SortOrder } from 'antd/es/table/interface';
import { useTranslation } from 'react-i18next';
import type { FieldRuleKind, User } from '../../api/types';
import { UserStatusTag } from '../../components/UserStatusTag';
import { useFormat } from '../../i18n/useFormat';
import { displayMobile } from '../../utils/phone';

export type UserAction = 'edit' | 'roles' | 'disable' | 'enable' | 'unlock' | 'resetPassword';
export type UserSortKey = 'displayName' | 'login' | 'createdAt' | 'lastLoginAt';

export interface UserColumnOptions {
  meId: string;
  canEdit: boolean;
  canAssign: boolean;
  fieldRules: { email: FieldRuleKind | null; mobile: FieldRuleKind | null };
  sort: UserSortKey | null;
  order: 'asc' | 'desc' | null;
  compact: boolean;
  onAction: (action: UserAction, user: User) => void;
}

function sortOrderFor(key: UserSortKey, sort: UserSortKey | null, order: 'asc' | 'desc' | null): SortOrder {
  if (sort !== key) return null;
  return order === 'desc' ? 'descend' : 'ascend';
}

export function useUserColumns(options: UserColumnOptions): ColumnsType<User> {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { meId, canEdit, canAssign, fieldRules, sort, order, compact, onAction } = options;

  const moreItems = (user: User): MenuProps['items'] => {
    const items: NonNullable<MenuProps['items']> = [];
    if (user.status === 'locked') {
      items.push({
        key: 'unlock',
        label: <span data-testid="user-action-unlock">{t('user.actionUnlock')}</span>,
      });
    }
    if (user.status === 'disabled') {
      items.push({
        key: 'enable',
        label: <span data-testid="user-action-enable">{t('user.actionEnable')}</span>,
      });
    } else if (user.id !== meId) {
      items.push({
        key: 'disable',
        danger: true,
        label: <span data-testid="user-action-disable">{t('user.actionDisable')}</span>,
      });
    }
    if (user.id !== meId) {
      items.push({
        key: 'resetPassword',
        label: <span data-testid="user-action-reset-password">{t('user.actionResetPassword')}</span>,
      });
    }
    return items;
  };

  const columns: ColumnsType<User> = [
    {
      title: t('user.displayName'),
      dataIndex: 'displayName',
      key: 'displayName',
      fixed: compact ? undefined : 'left',
      width: 160,
      sorter: true,
      sortOrder: sortOrderFor('displayName', sort, order),
      render: (_, user) => (
        <Space size={4} wrap>
          <Typography.Text strong>{user.displayName}</Typography.Text>
          {user.id === meId ? <Typography.Text type="secondary">{t('user.self')}</Typography.Text> : null}
          {user.mustChangePassword ? (
            <Tag color="warning" variant="filled">
              {t('user.mustChange')}
            </Tag>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('user.login'),
      dataIndex: 'login',
      key: 'login',
      width: 140,
      sorter: true,
      sortOrder: sortOrderFor('login', sort, order),
    },
    {
      title: t('user.department'),
      dataIndex: 'departmentName',
      key: 'department',
      width: 160,
      ellipsis: true,
      render: (name: string | null) => name ?? '—',
    },
    {
      title: t('user.roles'),
      key: 'roles',
      width: 200,
      render: (_, user) => {
        const shown = user.roles.slice(0, 3);
        const rest = user.roles.slice(3);
        return (
          <Space size={[4, 4]} wrap>
            {shown.map((role) => (
              <Tag key={role.id} variant="filled" color="blue">
                {role.name}
              </Tag>
            ))}
            {rest.length > 0 ? (
              <Tooltip title={rest.map((r) => r.name).join('、')}>
                <Tag>+{rest.length}</Tag>
              </Tooltip>
            ) : null}
          </Space>
        );
      },
    },
    {
      title: t('user.status'),
      dataIndex: 'status',
      key: 'status',
      width: 90,
      render: (_, user) => <UserStatusTag status={user.status} />,
    },
  ];

  if (fieldRules.mobile !== 'hidden') {
    columns.push({
      title: t('user.mobile'),
      dataIndex: 'mobile',
      key: 'mobile',
      width: 140,
      render: (value: string | null | undefined) => displayMobile(value),
    });
  }
  if (fieldRules.email !== 'hidden') {
    columns.push({
      title: t('user.email'),
      dataIndex: 'email',
      key: 'email',
      width: 200,
      ellipsis: true,
      render: (value: string | null | undefined) => value || '—',
    });
  }
  columns.push(
    {
      title: t('user.lastLoginAt'),
      dataIndex: 'lastLoginAt',
      key: 'lastLoginAt',
      width: 160,
      sorter: true,
      sortOrder: sortOrderFor('lastLoginAt', sort, order),
      render: (value: string | null) =>
        value ? (
          fmt.dateTime(value)
        ) : (
          <Typography.Text type="secondary">{t('user.neverLoggedIn')}</Typography.Text>
        ),
    },
    {
      title: t('user.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      width: 160,
      sorter: true,
      sortOrder: sortOrderFor('createdAt', sort, order),
      render: (value: string) => fmt.dateTime(value),
    },
  );

  if (canEdit || canAssign) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      fixed: compact ? undefined : 'right',
      width: 190,
      render: (_, user) => {
        const more = canEdit ? moreItems(user) : [];
        return (
          <Space size={0} className="kam-row-actions">
            {canEdit ? (
              <Button
                type="link"
                size="small"
                onClick={() => onAction('edit', user)}
                data-testid="user-action-edit"
              >
                {t('user.actionEdit')}
              </Button>
            ) : null}
            {canAssign ? (
              <Button
                type="link"
                size="small"
                onClick={() => onAction('roles', user)}
                data-testid="user-action-roles"
              >
                {t('user.actionRoles')}
              </Button>
            ) : null}
            {more && more.length > 0 ? (
              <Dropdown
                trigger={['click']}
                menu={{ items: more, onClick: ({ key }) => onAction(key as UserAction, user) }}
              >
                <Button type="link" size="small" data-testid="user-action-more">
                  {t('common.more')} <DownOutlined style={{ fontSize: 10 }} />
                </Button>
              </Dropdown>
            ) : null}
          </Space>
        );
      },
    });
  }
  return columns;
}
