import { Checkbox, Select, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import type { CatalogResource, PermissionCatalog, ScopeKind } from '../../api/types';
import { useFormat } from '../../i18n/useFormat';
import type { DepartmentNode } from '../../utils/departmentTree';
import { CustomDepartmentsPicker } from './CustomDepartmentsPicker';
import { type CellGrant, defaultScope, type GrantMatrix } from './roleModel';

export interface PermissionMatrixProps {
  catalog: PermissionCatalog;
  value: GrantMatrix;
  onChange: (next: GrantMatrix) => void;
  roots: DepartmentNode[];
  readOnly: boolean;
}

/** Rows = resources, columns = actions; each cell a checkbox plus, for scoped resources, a data scope. */
export function PermissionMatrix({ catalog, value, onChange, roots, readOnly }: PermissionMatrixProps) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const usedActions = catalog.actions.filter((a) => catalog.resources.some((r) => r.actions.includes(a.key)));
  const scopeOptions = catalog.scopes.map((s) => ({ value: s.key, label: fmt.label(s.label, s.key) }));

  const setCell = (resource: string, action: string, cell: CellGrant | null) => {
    const row = { ...(value[resource] ?? {}) };
    if (cell) row[action] = cell;
    else delete row[action];
    onChange({ ...value, [resource]: row });
  };

  const setRow = (resource: CatalogResource, checked: boolean) => {
    const row: Record<string, CellGrant> = {};
    if (checked) {
      for (const action of resource.actions) {
        row[action] =
          value[resource.key]?.[action] ?? (resource.scoped ? { scope: defaultScope(catalog) } : {});
      }
    }
    onChange({ ...value, [resource.key]: row });
  };

  const columns: ColumnsType<CatalogResource> = [
    {
      title: t('role.resource'),
      key: 'resource',
      fixed: 'left',
      width: 150,
      render: (_, resource) => {
        const granted = resource.actions.filter((a) => value[resource.key]?.[a]).length;
        return (
          <Checkbox
            checked={granted > 0 && granted === resource.actions.length}
            indeterminate={granted > 0 && granted < resource.actions.length}
            disabled={readOnly}
            onChange={(e) => setRow(resource, e.target.checked)}
            data-testid={`grant-row-${resource.key}`}
          >
            <Typography.Text strong>{fmt.label(resource.label, resource.key)}</Typography.Text>
          </Checkbox>
        );
      },
    },
    ...usedActions.map((action) => ({
      title: fmt.label(action.label, action.key),
      key: action.key,
      width: 150,
      render: (_: unknown, resource: CatalogResource) => {
        if (!resource.actions.includes(action.key)) {
          return <Typography.Text type="secondary">—</Typography.Text>;
        }
        const cell = value[resource.key]?.[action.key];
        const id = `${resource.key}-${action.key}`;
        return (
          <div className="kam-grant-cell">
            <Checkbox
              checked={!!cell}
              disabled={readOnly}
              onChange={(e) =>
                setCell(
                  resource.key,
                  action.key,
                  e.target.checked ? (resource.scoped ? { scope: defaultScope(catalog) } : {}) : null,
                )
              }
              data-testid={`grant-${id}`}
            />
            {cell && resource.scoped ? (
              <div className="kam-grant-scope">
                <Select<ScopeKind>
                  size="small"
                  value={cell.scope ?? defaultScope(catalog)}
                  options={scopeOptions}
                  disabled={readOnly}
                  popupMatchSelectWidth={false}
                  onChange={(scope) =>
                    setCell(resource.key, action.key, {
                      scope,
                      departmentIds: scope === 'custom' ? (cell.departmentIds ?? []) : undefined,
                    })
                  }
                  style={{ width: 120 }}
                  data-testid={`scope-${id}`}
                />
                {cell.scope === 'custom' ? (
                  <CustomDepartmentsPicker
                    roots={roots}
                    value={cell.departmentIds ?? []}
                    disabled={readOnly}
                    onChange={(ids) =>
                      setCell(resource.key, action.key, { scope: 'custom', departmentIds: ids })
                    }
                    testId={`scope-depts-${id}`}
                  />
                ) : null}
              </div>
            ) : null}
          </div>
        );
      },
    })),
  ];

  return (
    <Table<CatalogResource>
      rowKey="key"
      size="small"
      bordered
      columns={columns}
      dataSource={catalog.resources}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid="role-matrix"
    />
  );
}
