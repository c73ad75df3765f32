import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Space } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { isApiError } from '../../api/api';
import { type UserCreateBody, type UserUpdateBody, usersApi } from '../../api/endpoints';
import type { Department, User, UserStatus } from '../../api/types';
import { useAuth, useMe } from '../../auth/AuthContext';
import { fieldRule, scopeCoversDepartment } from '../../auth/permissions';
import { ListTable } from '../../components/ListTable';
import { PageContainer } from '../../components/PageContainer';
import { useApiError } from '../../hooks/useApiError';
import { useCursorList } from '../../hooks/useCursorList';
import { useDepartments } from '../../hooks/useDepartments';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useRoles } from '../../hooks/useRoles';
import { type InitialPasswordInfo, InitialPasswordModal } from './InitialPasswordModal';
import { UserFilters, type UserFilterValues } from './UserFilters';
import { UserFormDrawer } from './UserFormDrawer';
import { UserRolesModal } from './UserRolesModal';
import { type UserAction, type UserSortKey, useUserColumns } from './useUserColumns';

const PAGE_SIZE = 50;
const SORT_KEYS: UserSortKey[] = ['displayName', 'login', 'createdAt', 'lastLoginAt'];
const STATUSES: UserStatus[] = ['active', 'disabled', 'locked'];

function readFilters(params: URLSearchParams) {
  const status = params.get('status') as UserStatus | null;
  const sort = params.get('sort') as UserSortKey | null;
  const rawOrder = params.get('order');
  const order: 'asc' | 'desc' | null = rawOrder === 'asc' || rawOrder === 'desc' ? rawOrder : null;
  return {
    filters: {
      q: params.get('q') ?? '',
      departmentId: params.get('departmentId'),
      includeSubtree: params.get('includeSubtree') !== 'false',
      status: status && STATUSES.includes(status) ? status : null,
      roleId: params.get('roleId'),
    } satisfies UserFilterValues,
    sort: sort && SORT_KEYS.includes(sort) ? sort : null,
    order,
  };
}

export default function UsersPage() {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const { message, modal } = App.useApp();
  const { showError, handleConflict } = useApiError();
  const isMobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const { filters, sort, order } = readFilters(params);

  const canCreate = can('user.create');
  const canEdit = can('user.edit');
  const canAssign = can('user.assign');
  const { roots } = useDepartments(can('department.view') || canCreate || canEdit);
  const { roles } = useRoles(can('role.view') || canAssign || canCreate);
  const fieldRules = useMemo(
    () => ({ email: fieldRule(me, 'user', 'email'), mobile: fieldRule(me, 'user', 'mobile') }),
    [me],
  );

  const [drawer, setDrawer] = useState<{ open: boolean; user: User | null }>({ open: false, user: null });
  const [rolesUser, setRolesUser] = useState<User | null>(null);
  const [initialPassword, setInitialPassword] = useState<InitialPasswordInfo | null>(null);

  const listKey = JSON.stringify({ filters, sort, order });
  const list = useCursorList<User>(
    (cursor, signal) =>
      usersApi.list(
        {
          q: filters.q || undefined,
          departmentId: filters.departmentId ?? undefined,
          includeSubtree: filters.departmentId ? filters.includeSubtree : undefined,
          status: filters.status ?? undefined,
          roleId: filters.roleId ?? undefined,
          sort: sort ?? undefined,
          order: sort ? (order ?? 'asc') : undefined,
          limit: PAGE_SIZE,
          cursor,
        },
        signal,
      ),
    listKey,
    showError,
  );

  const updateParams = useCallback(
    (patch: Record<string, string | null>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(patch)) {
            if (value === null || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  const onFilterChange = (patch: Partial<UserFilterValues>) => {
    const mapped: Record<string, string | null> = {};
    if ('q' in patch) mapped.q = patch.q ?? null;
    if ('departmentId' in patch) mapped.departmentId = patch.departmentId ?? null;
    if ('includeSubtree' in patch) mapped.includeSubtree = patch.includeSubtree ? null : 'false';
    if ('status' in patch) mapped.status = patch.status ?? null;
    if ('roleId' in patch) mapped.roleId = patch.roleId ?? null;
    updateParams(mapped);
  };

  /** Re-read one user after a mutation; drop it if it is no longer visible to me. */
  const refreshUser = async (id: string) => {
    try {
      const fresh = await usersApi.get(id);
      list.replaceItem((u) => u.id === id, fresh);
      return fresh;
    } catch (error) {
      if (isApiError(error) && (error.status === 404 || error.status === 403))
        list.removeItem((u) => u.id === id);
      return null;
    }
  };

  /** Runs a versioned mutation; on 409 VERSION_CONFLICT it tells the user and reloads the row. */
  const mutate = async (user: User, action: () => Promise<unknown>, successText?: string) => {
    try {
      await action();
      if (successText) void message.success(successText);
      await refreshUser(user.id);
      return true;
    } catch (error) {
      if (handleConflict(error)) await refreshUser(user.id);
      else showError(error);
      return false;
    }
  };

  const onAction = (action: UserAction, user: User) => {
    switch (action) {
      case 'edit':
        setDrawer({ open: true, user });
        break;
      case 'roles':
        setRolesUser(user);
        break;
      case 'enable':
        void mutate(user, () => usersApi.enable(user.id, user.version), t('user.enabled'));
        break;
      case 'unlock':
        void mutate(user, () => usersApi.unlock(user.id, user.version), t('user.unlocked'));
        break;
      case 'disable':
        modal.confirm({
          title: t('user.actionDisable'),
          content: t('user.disableConfirm', { name: user.displayName }),
          okButtonProps: { danger: true },
          okText: t('user.actionDisable'),
          onOk: () => mutate(user, () => usersApi.disable(user.id, user.version), t('user.disabled')),
        });
        break;
      case 'resetPassword':
        modal.confirm({
          title: t('user.actionResetPassword'),
          content: t('user.resetConfirm', { name: user.displayName }),
          okText: t('user.actionResetPassword'),
          onOk: () =>
            mutate(user, async () => {
              const result = await usersApi.resetPassword(user.id, user.version);
              setInitialPassword({
                user: result.user ?? user,
                password: result.initialPassword,
                reason: 'reset',
              });
            }),
        });
        break;
      default:
        break;
    }
  };

  const onCreate = async (body: UserCreateBody) => {
    const result = await usersApi.create(body);
    setDrawer({ open: false, user: null });
    void message.success(t('user.created'));
    setInitialPassword({ user: result.user, password: result.initialPassword, reason: 'created' });
    list.reload();
  };

  const onUpdate = async (user: User, body: UserUpdateBody) => {
    try {
      await usersApi.update(user.id, body);
    } catch (error) {
      if (handleConflict(error)) {
        const fresh = await refreshUser(user.id);
        setDrawer({ open: !!fresh, user: fresh });
        return;
      }
      throw error;
    }
    setDrawer({ open: false, user: null });
    void message.success(t('common.saved'));
    await refreshUser(user.id);
  };

  const onSaveRoles = async (user: User, roleIds: string[]) => {
    try {
      await usersApi.setRoles(user.id, { version: user.version, roleIds });
    } catch (error) {
      if (handleConflict(error)) setRolesUser(await refreshUser(user.id));
      else showError(error);
      return;
    }
    setRolesUser(null);
    void message.success(t('user.rolesSaved'));
    await refreshUser(user.id);
  };

  const disableDepartment = useCallback(
    (d: Department) => !scopeCoversDepartment(me, drawer.user ? 'user.edit' : 'user.create', d),
    [me, drawer.user],
  );

  const columns = useUserColumns({
    meId: me.id,
    canEdit,
    canAssign,
    fieldRules,
    sort,
    order,
    compact: isMobile,
    onAction,
  });

  return (
    <PageContainer
      title={t('user.title')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={t('common.refresh')} />
          {canCreate ? (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDrawer({ open: true, user: null })}
              data-testid="user-create"
            >
              {t('user.create')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card className="kam-table-card">
        <UserFilters
          value={filters}
          onChange={onFilterChange}
          roots={roots}
          roles={roles}
          showDepartments={roots.length > 0}
          showRoles={roles.length > 0}
        />
        <ListTable<User>
          list={list}
          paged
          columns={columns}
          testId="users-table"
          onChange={(_pagination, _filters, sorter) => {
            const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<User> | undefined;
            const key = s?.order ? (s.columnKey as UserSortKey) : null;
            updateParams({
              sort: key,
              order: key ? (s?.order === 'descend' ? 'desc' : 'asc') : null,
            });
          }}
        />
      </Card>

      <UserFormDrawer
        open={drawer.open}
        user={drawer.user}
        roots={roots}
        roles={roles}
        canAssignRoles={canAssign}
        fieldRules={fieldRules}
        disableDepartment={disableDepartment}
        onCreate={onCreate}
        onUpdate={onUpdate}
        onClose={() => setDrawer({ open: false, user: null })}
      />
      <UserRolesModal
        user={rolesUser}
        roles={roles}
        onSave={onSaveRoles}
        onClose={() => setRolesUser(null)}
      />
      <InitialPasswordModal info={initialPassword} onClose={() => setInitialPassword(null)} />
    </PageContainer>
  );
}
