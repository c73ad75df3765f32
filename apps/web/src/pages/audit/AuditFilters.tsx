import { DatePicker, Input, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditQuery } from '../../api/endpoints';
import { UserSelect } from '../../components/UserSelect';
import { actionLabel, entityLabel, KNOWN_ACTIONS, KNOWN_ENTITY_TYPES } from './auditLabels';

export interface AuditFiltersProps {
  value: AuditQuery;
  onChange: (patch: Partial<AuditQuery>) => void;
  canSearchUsers: boolean;
  actorLabel?: string;
}

function toDayjs(value: string | undefined): Dayjs | null {
  if (!value) return null;
  const parsed = dayjs(value);
  return parsed.isValid() ? parsed : null;
}

export function AuditFilters({ value, onChange, canSearchUsers, actorLabel }: AuditFiltersProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(value.q ?? '');
  useEffect(() => setText(value.q ?? ''), [value.q]);

  const actionOptions = [
    ...KNOWN_ACTIONS,
    ...(value.action && !(KNOWN_ACTIONS as readonly string[]).includes(value.action) ? [value.action] : []),
  ].map((action) => ({ value: action, label: `${actionLabel(action)} · ${action}` }));
  const entityOptions = [
    ...KNOWN_ENTITY_TYPES,
    ...(value.entityType && !(KNOWN_ENTITY_TYPES as readonly string[]).includes(value.entityType)
      ? [value.entityType]
      : []),
  ].map((type) => ({ value: type, label: entityLabel(type) }));

  return (
    <div className="kam-filters">
      {canSearchUsers ? (
        <UserSelect
          className="kam-filter-select"
          placeholder={t('audit.actorPlaceholder')}
          value={value.actorId}
          initialOption={value.actorId ? { value: value.actorId, label: actorLabel ?? value.actorId } : null}
          onChange={(actorId) => onChange({ actorId: actorId ?? undefined })}
          data-testid="audit-filter-actor"
        />
      ) : null}
      <Select<string>
        allowClear
        className="kam-filter-select"
        placeholder={t('audit.actionPlaceholder')}
        value={value.action}
        onChange={(action) => onChange({ action: action ?? undefined })}
        options={actionOptions}
        showSearch={{ optionFilterProp: 'label' }}
        popupMatchSelectWidth={false}
        data-testid="audit-filter-action"
      />
      <Select<string>
        allowClear
        className="kam-filter-select-sm"
        placeholder={t('audit.entityTypePlaceholder')}
        value={value.entityType}
        onChange={(entityType) => onChange({ entityType: entityType ?? undefined })}
        options={entityOptions}
        data-testid="audit-filter-entity"
      />
      <DatePicker.RangePicker
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        className="kam-filter-range"
        value={[toDayjs(value.from), toDayjs(value.to)]}
        allowEmpty={[true, true]}
        onChange={(range) =>
          onChange({
            from: range?.[0] ? range[0].toISOString() : undefined,
            to: range?.[1] ? range[1].toISOString() : undefined,
          })
        }
        data-testid="audit-filter-range"
      />
      <Input.Search
        allowClear
        className="kam-filter-search"
        placeholder={t('audit.keywordPlaceholder')}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value) onChange({ q: undefined });
        }}
        onSearch={(q) => onChange({ q: q.trim() || undefined })}
        data-testid="audit-filter-q"
      />
    </div>
  );
}
