import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ApproverKind, ApproverSpec } from '@kam/domain';
import { Button, InputNumber, Select, Tooltip, Typography } from 'antd';
import type { FlowsMeta, UserRef } from '../../../components/approvals/api';
import { UserSelect } from '../../../components/UserSelect';
import { type ApprovalsKey, useApprovalsT } from '../../../i18n/approvals';
import { type EditorApprover, newKey } from './model';

export const APPROVER_KINDS: readonly ApproverKind[] = [
  'requester_department_head',
  'department_head_levels_up',
  'user',
  'role',
  'customer_owner',
  'customer_executive_sponsor',
];

/** A fresh spec of a kind, with the parameters it needs left empty (validation names what is missing). */
function specOf(kind: ApproverKind): EditorApprover['spec'] {
  if (kind === 'department_head_levels_up') return { kind, levels: 1 };
  return { kind };
}

export interface ApproverListProps {
  value: EditorApprover[];
  onChange: (next: EditorApprover[]) => void;
  roles: { id: string; name: string }[];
  users: UserRef[];
  meta: FlowsMeta | null;
  /** Path of the approvers list in the flow document, e.g. `steps.0.approvers`. */
  path: string;
  issuesAt: (path: string, exact?: boolean) => string[];
  disabled?: boolean;
}

/** The approvers of one step: each a kind (named person, role, heads, customer owner/sponsor) and its parameter. */
export function ApproverList({
  value,
  onChange,
  roles,
  users,
  meta,
  path,
  issuesAt,
  disabled,
}: ApproverListProps) {
  const ta = useApprovalsT();
  const maxApprovers = meta?.limits.maxApproversPerStep ?? 20;
  const maxLevels = meta?.limits.maxHeadLevels ?? 10;
  const replace = (index: number, spec: EditorApprover['spec']) =>
    onChange(value.map((a, i) => (i === index ? { ...a, spec } : a)));
  const listIssues = issuesAt(path, true);
  const offered = meta
    ? APPROVER_KINDS.filter((k) => meta.approverKinds.some((m) => m.kind === k))
    : APPROVER_KINDS;

  return (
    <div className="kam-approvers" data-testid="approver-list">
      {value.map((approver, index) => {
        const spec = approver.spec;
        const issues = issuesAt(`${path}.${index}`);
        return (
          <div key={approver.key} className="kam-approver" data-testid="approver-row">
            <div className="kam-approver-row">
              <Select<ApproverKind>
                className="kam-approver-kind"
                value={spec.kind}
                disabled={disabled}
                onChange={(kind) => replace(index, specOf(kind))}
                popupMatchSelectWidth={false}
                data-testid="approver-kind"
                options={offered.map((kind) => ({
                  value: kind,
                  label: ta(`approvals.approver.${kind}` as ApprovalsKey),
                }))}
              />
              <div className="kam-approver-param">
                {spec.kind === 'user' ? (
                  <UserSelect
                    activeOnly
                    value={(spec as Partial<Extract<ApproverSpec, { kind: 'user' }>>).userId}
                    initialOption={initialUser(users, (spec as { userId?: string }).userId)}
                    onChange={(userId?: string) => replace(index, { kind: 'user', userId })}
                    placeholder={ta('approvals.pickUser')}
                    disabled={disabled}
                    status={issues.length > 0 ? 'error' : undefined}
                    style={{ width: '100%' }}
                    data-testid="approver-user"
                  />
                ) : null}
                {spec.kind === 'role' ? (
                  <Select<string>
                    value={(spec as { roleId?: string }).roleId}
                    onChange={(roleId) => replace(index, { kind: 'role', roleId })}
                    placeholder={ta('approvals.pickRole')}
                    options={roles.map((r) => ({ value: r.id, label: r.name }))}
                    showSearch={{ optionFilterProp: 'label' }}
                    disabled={disabled}
                    status={issues.length > 0 ? 'error' : undefined}
                    style={{ width: '100%' }}
                    data-testid="approver-role"
                  />
                ) : null}
                {spec.kind === 'department_head_levels_up' ? (
                  <InputNumber<number>
                    min={1}
                    max={maxLevels}
                    precision={0}
                    value={(spec as { levels?: number }).levels ?? null}
                    onChange={(levels) =>
                      replace(index, { kind: 'department_head_levels_up', levels: levels ?? undefined })
                    }
                    disabled={disabled}
                    prefix={ta('approvals.levelsUpLabel')}
                    status={issues.length > 0 ? 'error' : undefined}
                    style={{ width: '100%' }}
                    data-testid="approver-levels"
                  />
                ) : null}
                {spec.kind === 'requester_department_head' || spec.kind === 'customer_executive_sponsor' ? (
                  <Typography.Text type="secondary" className="kam-approver-hint">
                    {ta(`approvals.approverHint.${spec.kind}`)}
                  </Typography.Text>
                ) : null}
              </div>
              {disabled ? null : (
                <Tooltip title={ta('approvals.removeApprover')}>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    onClick={() => onChange(value.filter((_, i) => i !== index))}
                    aria-label={ta('approvals.removeApprover')}
                    data-testid="approver-remove"
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
      })}
      {listIssues.length > 0 ? (
        <Typography.Text type="danger" className="kam-field-error" data-testid="approvers-error">
          {listIssues.join('；')}
        </Typography.Text>
      ) : null}
      {disabled || value.length >= maxApprovers ? null : (
        <Button
          size="small"
          type="dashed"
          icon={<PlusOutlined />}
          onClick={() =>
            onChange([...value, { key: newKey('a'), spec: specOf('requester_department_head') }])
          }
          data-testid="approver-add"
        >
          {ta('approvals.addApprover')}
        </Button>
      )}
    </div>
  );
}

function initialUser(users: UserRef[], id: string | undefined) {
  if (!id) return null;
  const user = users.find((u) => u.id === id);
  return user ? { value: user.id, label: user.displayName } : null;
}
