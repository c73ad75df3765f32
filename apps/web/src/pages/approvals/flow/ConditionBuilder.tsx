import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ConditionOp } from '@kam/domain';
import { Button, Input, Select, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import type { ConditionFieldMeta } from '../../../components/approvals/api';
import { DepartmentTreeSelect } from '../../../components/DepartmentTreeSelect';
import { type ApprovalsKey, useApprovalsT } from '../../../i18n/approvals';
import { useFormat } from '../../../i18n/useFormat';
import type { DepartmentNode } from '../../../utils/departmentTree';
import {
  type ConditionNode,
  coerceValue,
  type GroupMode,
  type GroupNode,
  isListOp,
  newGroup,
  newRule,
  OPS_BY_KIND,
  type RuleNode,
  updateNode,
} from './model';

export interface FieldOption extends ConditionFieldMeta {
  source: 'payload' | 'context';
}

export interface ConditionBuilderProps {
  value: GroupNode;
  onChange: (next: GroupNode) => void;
  fields: FieldOption[];
  /** Operators per field kind (from GET /approval-flows/meta); the domain's defaults otherwise. */
  opsByKind?: Partial<Record<FieldOption['kind'], readonly ConditionOp[]>>;
  departments: DepartmentNode[];
  /** Path of the root group in the flow document, e.g. `steps.0.condition`. */
  path: string;
  /** Problems (already translated) at a path or below it. */
  issuesAt: (path: string, exact?: boolean) => string[];
  disabled?: boolean;
  testId?: string;
}

/**
 * Context fields that make no sense to pick in a flow's rule (the request type is the flow's own; a
 * condition on one particular requester or customer id is not a rule). Shown only when a saved rule uses them.
 */
const HIDDEN_FIELDS = new Set(['requestType', 'requesterId', 'customerId']);

/** Sub-groups may be added this many levels below the root (deeper saved conditions still show). */
const MAX_UI_NESTING = 1;

/** Where a group's children live in the domain document (`none` is stored as `not: { any: […] }`). */
function childrenPath(groupPath: string, mode: GroupMode): string {
  return mode === 'none' ? `${groupPath}.not.any` : `${groupPath}.${mode}`;
}

/**
 * Structured conditions: groups (all / any / none of) of rules "field operator value", built from
 * the fields the request type and the context offer. Nothing is typed as an expression.
 */
export function ConditionBuilder(props: ConditionBuilderProps) {
  return (
    <div className="kam-cond" data-testid={props.testId}>
      <GroupEditor {...props} group={props.value} groupPath={props.path} level={0} onRemove={null} />
    </div>
  );
}

function GroupEditor({
  group,
  groupPath,
  level,
  onRemove,
  ...props
}: ConditionBuilderProps & {
  group: GroupNode;
  groupPath: string;
  level: number;
  onRemove: (() => void) | null;
}) {
  const ta = useApprovalsT();
  const { value: root, onChange, disabled } = props;
  const edit = (key: string, update: (node: ConditionNode) => ConditionNode | null) =>
    onChange(updateNode(root, key, update));
  const setMode = (mode: GroupMode) => edit(group.key, (n) => (n.kind === 'group' ? { ...n, mode } : n));
  const add = (node: ConditionNode) =>
    edit(group.key, (n) => (n.kind === 'group' ? { ...n, children: [...n.children, node] } : n));
  const base = childrenPath(groupPath, group.mode);
  const ownIssues = props.issuesAt(base, true);

  return (
    <div className={level === 0 ? 'kam-cond-group kam-cond-root' : 'kam-cond-group'}>
      <div className="kam-cond-group-head">
        <Select<GroupMode>
          value={group.mode}
          onChange={setMode}
          disabled={disabled}
          popupMatchSelectWidth={false}
          className="kam-cond-mode"
          data-testid="cond-group-mode"
          options={(['all', 'any', 'none'] as const).map((mode) => ({
            value: mode,
            label: ta(`approvals.group.${mode}`),
          }))}
        />
        {onRemove && !disabled ? (
          <Tooltip title={ta('approvals.removeGroup')}>
            <Button
              type="text"
              size="small"
              icon={<DeleteOutlined />}
              onClick={onRemove}
              aria-label={ta('approvals.removeGroup')}
            />
          </Tooltip>
        ) : null}
      </div>
      <div className="kam-cond-children">
        {group.children.map((child, index) =>
          child.kind === 'group' ? (
            <GroupEditor
              key={child.key}
              {...props}
              group={child}
              groupPath={`${base}.${index}`}
              level={level + 1}
              onRemove={() => edit(child.key, () => null)}
            />
          ) : (
            <RuleEditor
              key={child.key}
              {...props}
              rule={child}
              rulePath={`${base}.${index}`}
              onChangeRule={(next) => edit(child.key, () => next)}
              onRemove={() => edit(child.key, () => null)}
            />
          ),
        )}
        {ownIssues.length > 0 ? (
          <Typography.Text type="danger" className="kam-field-error">
            {ownIssues.join('；')}
          </Typography.Text>
        ) : null}
      </div>
      {disabled ? null : (
        <div className="kam-cond-add">
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => add(newRule())}
            data-testid="cond-add-rule"
          >
            {ta('approvals.addRule')}
          </Button>
          {level < MAX_UI_NESTING ? (
            <Button
              size="small"
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => add(newGroup(group.mode === 'all' ? 'any' : 'all'))}
              data-testid="cond-add-group"
            >
              {ta('approvals.addGroup')}
            </Button>
          ) : null}
        </div>
      )}
    </div>
  );
}

function RuleEditor({
  rule,
  rulePath,
  onChangeRule,
  onRemove,
  fields,
  opsByKind,
  departments,
  issuesAt,
  disabled,
}: ConditionBuilderProps & {
  rule: RuleNode;
  rulePath: string;
  onChangeRule: (next: RuleNode) => void;
  onRemove: () => void;
}) {
  const ta = useApprovalsT();
  const fmt = useFormat();
  const field = fields.find((f) => f.name === rule.field) ?? null;
  const opsOf = (kind: FieldOption['kind']): readonly ConditionOp[] => opsByKind?.[kind] ?? OPS_BY_KIND[kind];
  const ops: readonly ConditionOp[] = field ? opsOf(field.kind) : [];
  const issues = issuesAt(rulePath);

  const fieldOptions = (['payload', 'context'] as const)
    .map((source) => ({
      label: ta(`approvals.fieldGroup.${source}`),
      options: fields
        .filter((f) => f.source === source && (!HIDDEN_FIELDS.has(f.name) || f.name === rule.field))
        .map((f) => ({ value: f.name, label: fmt.label(f.label, f.name) })),
    }))
    .filter((g) => g.options.length > 0);
  if (rule.field && !field) {
    fieldOptions.push({
      label: '—',
      options: [{ value: rule.field, label: ta('approvals.unknownField', { field: rule.field }) }],
    });
  }

  const pickField = (name: string) => {
    const next = fields.find((f) => f.name === name);
    const op = next ? (opsOf(next.kind)[0] ?? null) : null;
    onChangeRule({ ...rule, field: name, op, value: coerceValue(null, op) });
  };
  const pickOp = (op: ConditionOp) => onChangeRule({ ...rule, op, value: coerceValue(rule.value, op) });

  return (
    <div className="kam-cond-rule" data-testid="cond-rule">
      <div className="kam-cond-rule-row">
        <Select<string>
          className="kam-cond-field"
          value={rule.field || undefined}
          placeholder={ta('approvals.pickField')}
          onChange={pickField}
          options={fieldOptions}
          disabled={disabled}
          showSearch={{ optionFilterProp: 'label' }}
          popupMatchSelectWidth={false}
          status={rule.field === '' && issues.length > 0 ? 'error' : undefined}
          data-testid="cond-field"
        />
        <Select<ConditionOp>
          className="kam-cond-op"
          value={rule.op ?? undefined}
          placeholder={ta('approvals.pickOp')}
          onChange={pickOp}
          disabled={disabled || !field}
          popupMatchSelectWidth={false}
          options={ops.map((op) => ({ value: op, label: ta(`approvals.op.${op}` as ApprovalsKey) }))}
          data-testid="cond-op"
        />
        <div className="kam-cond-value">
          <ValueInput
            rule={rule}
            field={field}
            departments={departments}
            disabled={disabled}
            invalid={issues.length > 0}
            onChange={(value) => onChangeRule({ ...rule, value })}
          />
        </div>
        {disabled ? null : (
          <Tooltip title={ta('approvals.removeRule')}>
            <Button
              type="text"
              icon={<DeleteOutlined />}
              onClick={onRemove}
              aria-label={ta('approvals.removeRule')}
              data-testid="cond-remove-rule"
            />
          </Tooltip>
        )}
      </div>
      {issues.length > 0 ? (
        <Typography.Text type="danger" className="kam-field-error">
          {issues.join('；')}
        </Typography.Text>
      ) : null}
    </div>
  );
}

function ValueInput({
  rule,
  field,
  departments,
  disabled,
  invalid,
  onChange,
}: {
  rule: RuleNode;
  field: FieldOption | null;
  departments: DepartmentNode[];
  disabled?: boolean;
  invalid: boolean;
  onChange: (value: RuleNode['value']) => void;
}): ReactNode {
  const ta = useApprovalsT();
  const fmt = useFormat();
  const status = invalid ? ('error' as const) : undefined;
  const list = isListOp(rule.op);
  const listValue = Array.isArray(rule.value) ? rule.value : [];
  const textValue = typeof rule.value === 'string' ? rule.value : '';
  const common = { disabled: disabled || !field || !rule.op, status, 'data-testid': 'cond-value' };

  if (!field) return <Input {...common} value={textValue} onChange={(e) => onChange(e.target.value)} />;

  const isDepartment =
    field.kind === 'department_path' || (field.kind === 'text' && /DepartmentId$/.test(field.name));
  if (isDepartment) {
    return (
      <DepartmentTreeSelect
        {...common}
        roots={departments}
        multiple={list}
        value={list ? listValue : textValue || undefined}
        onChange={(v: string | string[]) => onChange(v ?? (list ? [] : null))}
        placeholder={ta('approvals.pickDepartments')}
        style={{ width: '100%' }}
      />
    );
  }
  if (field.kind === 'boolean') {
    return (
      <Select<string>
        {...common}
        value={typeof rule.value === 'boolean' ? String(rule.value) : undefined}
        placeholder={ta('approvals.pickValue')}
        onChange={(v) => onChange(v === 'true')}
        options={[
          { value: 'true', label: ta('approvals.true') },
          { value: 'false', label: ta('approvals.false') },
        ]}
        style={{ width: '100%' }}
      />
    );
  }
  if (field.options && field.options.length > 0) {
    const options = field.options.map((o) => ({ value: o.value, label: fmt.label(o.label, o.value) }));
    return list ? (
      <Select<string[]>
        {...common}
        mode="multiple"
        value={listValue}
        placeholder={ta('approvals.pickValues')}
        onChange={(v) => onChange(v)}
        options={options}
        style={{ width: '100%' }}
      />
    ) : (
      <Select<string>
        {...common}
        value={textValue || undefined}
        placeholder={ta('approvals.pickValue')}
        onChange={(v) => onChange(v)}
        options={options}
        style={{ width: '100%' }}
      />
    );
  }
  if (list) {
    return (
      <Select<string[]>
        {...common}
        mode="tags"
        value={listValue}
        placeholder={ta('approvals.pickValues')}
        onChange={(v) => onChange(v)}
        open={false}
        suffixIcon={null}
        tokenSeparators={[',', '，', ' ']}
        style={{ width: '100%' }}
      />
    );
  }
  return (
    <Input
      {...common}
      value={textValue}
      inputMode={field.kind === 'decimal' ? 'decimal' : undefined}
      suffix={field.kind === 'decimal' && /percent/i.test(field.name) ? '%' : undefined}
      placeholder={ta('approvals.pickValue')}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
