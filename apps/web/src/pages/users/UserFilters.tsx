import { Checkbox, Input, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role, UserStatus } from '../../api/types';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import type { DepartmentNode } from '../../utils/departmentTree';

export interface UserFilterValues {
  q: string;
  departmentId: string | null;
  includeSubtree: boolean;
  status: UserStatus | null;
  roleId: string | null;
}

export interface UserFiltersProps {
  value: UserFilterValues;
  onChange: (next: Partial<UserFilterValues>) => void;
  roots: DepartmentNode[];
  roles: Role[];
  showDepartments: boolean;
  showRoles: boolean;
}

export function UserFilters({ value, onChange, roots, roles, showDepartments, showRoles }: UserFiltersProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(value.q);
  useEffect(() => setText(value.q), [value.q]);

  return (
    <div className="kam-filters">
      <Input.Search
        allowClear
        className="kam-filter-search"
        placeholder={t('user.searchPlaceholder')}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value) onChange({ q: '' });
        }}
        onSearch={(q) => onChange({ q: q.trim() })}
        data-testid="user-search"
      />
      {showDepartments ? (
        <span className="kam-filter-group">
          <DepartmentTreeSelect
            roots={roots}
            allowClear
            className="kam-filter-select"
            placeholder={t('user.departmentFilter')}
            value={value.departmentId ?? undefined}
            onChange={(id: string | undefined) => onChange({ departmentId: id ?? null })}
            data-testid="user-filter-department"
          />
          <Checkbox
            checked={value.includeSubtree}
            onChange={(e) => onChange({ includeSubtree: e.target.checked })}
            data-testid="user-filter-subtree"
          >
            {t('user.includeSubtree')}
          </Checkbox>
        </span>
      ) : null}
      <Select<UserStatus>
        allowClear
        className="kam-filter-select-sm"
        placeholder={t('user.statusFilter')}
        value={value.status ?? undefined}
        onChange={(status) => onChange({ status: status ?? null })}
        options={(['active', 'disabled', 'locked'] as const).map((s) => ({
          value: s,
          label: t(`user.status.${s}`),
        }))}
        data-testid="user-filter-status"
      />
      {showRoles ? (
        <Select<string>
          allowClear
          className="kam-filter-select"
          placeholder={t('user.roleFilter')}
          value={value.roleId ?? undefined}
          onChange={(roleId) => onChange({ roleId: roleId ?? null })}
          options={roles.map((r) => ({ value: r.id, label: r.name }))}
          showSearch={{ optionFilterProp: 'label' }}
          data-testid="user-filter-role"
        />
      ) : null}
    </div>
  );
}
