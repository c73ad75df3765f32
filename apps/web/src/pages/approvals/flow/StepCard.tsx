import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import type { ConditionOp, StepMode } from '@kam/domain';
import {
  Button,
  Card,
  Checkbox,
  Input,
  InputNumber,
  Popconfirm,
  Radio,
  Space,
  Switch,
  Tooltip,
  Typography,
} from 'antd';
import type { ReactNode } from 'react';
import type { FlowsMeta, UserRef } from '../../../components/approvals/api';
import { useApprovalsT } from '../../../i18n/approvals';
import type { DepartmentNode } from '../../../utils/departmentTree';
import { ApproverList } from './ApproverList';
import { ConditionBuilder, type FieldOption } from './ConditionBuilder';
import { type EditorStep, newGroup } from './model';

export interface StepCardProps {
  step: EditorStep;
  index: number;
  count: number;
  onChange: (next: EditorStep) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
  meta: FlowsMeta | null;
  fields: FieldOption[];
  opsByKind?: Partial<Record<FieldOption['kind'], readonly ConditionOp[]>>;
  departments: DepartmentNode[];
  roles: { id: string; name: string }[];
  users: UserRef[];
  issuesAt: (path: string, exact?: boolean) => string[];
  disabled?: boolean;
}

function Field({ label, children, extra }: { label: ReactNode; children: ReactNode; extra?: ReactNode }) {
  return (
    <div className="kam-step-field">
      <div className="kam-step-label">
        <Typography.Text strong>{label}</Typography.Text>
        {extra}
      </div>
      <div className="kam-step-control">{children}</div>
    </div>
  );
}

/** One step of the flow: name, approvers, 或签/会签, when it applies, time limit and escalation. */
export function StepCard({
  step,
  index,
  count,
  onChange,
  onMove,
  onRemove,
  meta,
  fields,
  opsByKind,
  departments,
  roles,
  users,
  issuesAt,
  disabled,
}: StepCardProps) {
  const ta = useApprovalsT();
  const path = `steps.${index}`;
  const set = (patch: Partial<EditorStep>) => onChange({ ...step, ...patch });
  const nameIssues = issuesAt(`${path}.name`);
  const limitIssues = [...issuesAt(`${path}.timeLimitHours`), ...issuesAt(`${path}.escalateOnTimeout`)];
  const otherIssues = [...issuesAt(`${path}.id`), ...issuesAt(`${path}.mode`), ...issuesAt(path, true)];
  const maxHours = meta?.limits.maxTimeLimitHours ?? 8760;
  // Problems of the condition as a whole (its rules show their own).
  const conditionIssues = issuesAt(`${path}.condition`, step.condition !== null);

  return (
    <Card
      size="small"
      className="kam-step-card"
      data-testid="flow-step"
      title={
        <div className="kam-step-title">
          <span className="kam-step-index">{index + 1}</span>
          <Input
            value={step.name}
            onChange={(e) => set({ name: e.target.value })}
            placeholder={ta('approvals.stepNamePlaceholder')}
            maxLength={64}
            disabled={disabled}
            status={nameIssues.length > 0 ? 'error' : undefined}
            aria-label={ta('approvals.stepName')}
            className="kam-step-name"
            data-testid="step-name"
          />
        </div>
      }
      extra={
        disabled ? null : (
          <Space size={0}>
            <Tooltip title={ta('approvals.moveUp')}>
              <Button
                type="text"
                icon={<ArrowUpOutlined />}
                disabled={index === 0}
                onClick={() => onMove(index - 1)}
                aria-label={ta('approvals.moveUp')}
                data-testid="step-up"
              />
            </Tooltip>
            <Tooltip title={ta('approvals.moveDown')}>
              <Button
                type="text"
                icon={<ArrowDownOutlined />}
                disabled={index === count - 1}
                onClick={() => onMove(index + 1)}
                aria-label={ta('approvals.moveDown')}
                data-testid="step-down"
              />
            </Tooltip>
            <Popconfirm
              title={ta('approvals.removeStepConfirm', {
                name: step.name || ta('approvals.stepN', { n: index + 1 }),
              })}
              onConfirm={onRemove}
            >
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                aria-label={ta('approvals.removeStep')}
                data-testid="step-remove"
              />
            </Popconfirm>
          </Space>
        )
      }
    >
      {nameIssues.length > 0 ? (
        <Typography.Text type="danger" className="kam-field-error kam-step-name-error">
          {nameIssues.join('；')}
        </Typography.Text>
      ) : null}

      <Field label={ta('approvals.approvers')}>
        <ApproverList
          value={step.approvers}
          onChange={(approvers) => set({ approvers })}
          roles={roles}
          users={users}
          meta={meta}
          path={`${path}.approvers`}
          issuesAt={issuesAt}
          disabled={disabled}
        />
      </Field>

      <Field label={ta('approvals.mode')}>
        <Radio.Group
          value={step.mode}
          onChange={(e) => set({ mode: e.target.value as StepMode })}
          disabled={disabled}
          data-testid="step-mode"
          className="kam-step-mode"
          options={(['any', 'all'] as const).map((mode) => ({
            value: mode,
            label: (
              <span>
                {ta(`approvals.mode.${mode}`)}
                <Typography.Text type="secondary" className="kam-step-mode-hint">
                  {ta(`approvals.modeHint.${mode}`)}
                </Typography.Text>
              </span>
            ),
          }))}
        />
      </Field>

      <Field label={ta('approvals.condition')}>
        <Radio.Group
          value={step.condition ? 'when' : 'always'}
          onChange={(e) =>
            set({ condition: e.target.value === 'when' ? (step.condition ?? newGroup()) : null })
          }
          disabled={disabled}
          data-testid="step-condition-toggle"
          options={[
            { value: 'always', label: ta('approvals.conditionAlways') },
            {
              value: 'when',
              label: <span data-testid="step-condition-when">{ta('approvals.conditionWhen')}</span>,
            },
          ]}
        />
        {step.condition ? (
          <>
            <ConditionBuilder
              value={step.condition}
              onChange={(condition) => set({ condition })}
              fields={fields}
              opsByKind={opsByKind}
              departments={departments}
              path={`${path}.condition`}
              issuesAt={issuesAt}
              disabled={disabled}
              testId="step-condition"
            />
            <Typography.Text type="secondary" className="kam-step-note">
              {ta('approvals.conditionSkipped')}
            </Typography.Text>
          </>
        ) : null}
        {conditionIssues.length > 0 ? (
          <Typography.Text type="danger" className="kam-field-error">
            {conditionIssues.join('；')}
          </Typography.Text>
        ) : null}
      </Field>

      <Field label={ta('approvals.timeLimit')}>
        <div className="kam-step-limit">
          <Switch
            checked={step.timeLimitHours !== null}
            onChange={(on) =>
              set({ timeLimitHours: on ? 24 : null, escalateOnTimeout: on ? step.escalateOnTimeout : false })
            }
            disabled={disabled}
            aria-label={ta('approvals.timeLimitOn')}
            data-testid="step-limit-toggle"
          />
          {step.timeLimitHours !== null ? (
            <>
              <InputNumber<number>
                min={1}
                max={maxHours}
                precision={0}
                value={step.timeLimitHours}
                onChange={(v) => set({ timeLimitHours: v ?? 1 })}
                suffix={ta('approvals.hours')}
                disabled={disabled}
                status={limitIssues.length > 0 ? 'error' : undefined}
                style={{ width: 140 }}
                data-testid="step-limit-hours"
              />
              <Checkbox
                checked={step.escalateOnTimeout}
                onChange={(e) => set({ escalateOnTimeout: e.target.checked })}
                disabled={disabled}
                data-testid="step-escalate"
              >
                {ta('approvals.escalate')}
              </Checkbox>
            </>
          ) : (
            <Typography.Text type="secondary">{ta('approvals.timeLimitHint')}</Typography.Text>
          )}
        </div>
        {limitIssues.length > 0 ? (
          <Typography.Text type="danger" className="kam-field-error">
            {limitIssues.join('；')}
          </Typography.Text>
        ) : null}
      </Field>

      {otherIssues.length > 0 ? (
        <Typography.Text type="danger" className="kam-field-error">
          {otherIssues.join('；')}
        </Typography.Text>
      ) : null}
    </Card>
  );
}
