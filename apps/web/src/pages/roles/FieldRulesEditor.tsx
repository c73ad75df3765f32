import { Radio, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CatalogField, FieldRuleKind, PermissionCatalog } from '../../api/types';
import { useFormat } from '../../i18n/useFormat';
import type { FieldRuleMatrix } from './roleModel';

export interface FieldRulesEditorProps {
  catalog: PermissionCatalog;
  value: FieldRuleMatrix;
  onChange: (next: FieldRuleMatrix) => void;
  readOnly: boolean;
}

type Choice = 'visible' | FieldRuleKind;
const CHOICES: Choice[] = ['visible', 'masked', 'hidden', 'readonly'];

/** Per resource: field × (visible / masked / hidden / read-only). */
export function FieldRulesEditor({ catalog, value, onChange, readOnly }: FieldRulesEditorProps) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const resources = catalog.resources.filter((r) => r.fields.length > 0);

  const set = (resource: string, field: string, choice: Choice) => {
    const row = { ...(value[resource] ?? {}) };
    if (choice === 'visible') delete row[field];
    else row[field] = choice;
    onChange({ ...value, [resource]: row });
  };

  return (
    <div className="kam-field-rules">
      {resources.map((resource) => (
        <div key={resource.key} className="kam-field-rules-group">
          <Typography.Text strong>{fmt.label(resource.label, resource.key)}</Typography.Text>
          <Table<CatalogField>
            rowKey="key"
            size="small"
            pagination={false}
            dataSource={resource.fields}
            scroll={{ x: 'max-content' }}
            style={{ marginTop: 8 }}
            columns={[
              {
                title: t('role.field'),
                key: 'field',
                width: 160,
                render: (_, field) => fmt.label(field.label, field.key),
              },
              {
                title: t('role.fieldRules'),
                key: 'rule',
                render: (_, field) => (
                  <Radio.Group
                    size="small"
                    optionType="button"
                    disabled={readOnly}
                    value={value[resource.key]?.[field.key] ?? 'visible'}
                    onChange={(e) => set(resource.key, field.key, e.target.value as Choice)}
                    data-testid={`field-rule-${resource.key}-${field.key}`}
                    options={CHOICES.map((choice) => ({
                      value: choice,
                      label: t(`role.rule.${choice}`),
                      disabled: choice === 'masked' && field.sensitivity === 'none',
                    }))}
                  />
                ),
              },
            ]}
          />
        </div>
      ))}
    </div>
  );
}
