import { Alert, App, Checkbox, DatePicker, Form, Input, Modal, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useApiError } from '../../hooks/useApiError';
import { useApprovalsT } from '../../i18n/approvals';
import { UserSelect } from '../UserSelect';
import { approvalRequestsApi, type RequestDetail } from './api';
import { CustomerSelect } from './CustomerSelect';
import { refreshApprovalCounts } from './counts';
import { useApprovalLabels } from './labels';

/** Request types with a form here (tier changes are requested from the tiering pages). */
export const FORM_TYPES = ['discount', 'ownership_transfer', 'contract', 'customer_creation'] as const;
export type FormType = (typeof FORM_TYPES)[number];

const isFormType = (type: string): type is FormType => (FORM_TYPES as readonly string[]).includes(type);

const PERCENT = /^(100(\.0{1,2})?|[1-9]?\d(\.\d{1,2})?)$/;
const MONEY = /^\d{1,13}(\.\d{1,2})?$/;

interface Values {
  type: FormType;
  customerId?: string;
  reason: string;
  // discount
  discountPercent?: string;
  amount?: string;
  reference?: string;
  // ownership_transfer
  toOwnerId?: string;
  includeOpenFollowUps?: boolean;
  // contract
  title?: string;
  dates?: [Dayjs | null, Dayjs | null] | null;
  // customer_creation
  name?: string;
  creditCode?: string;
}

const PAYLOAD_FIELDS = [
  'discountPercent',
  'amount',
  'reference',
  'toOwnerId',
  'includeOpenFollowUps',
  'title',
  'startDate',
  'endDate',
  'name',
  'creditCode',
];

function trimmed(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** The payload of a type from the form, only with the fields the type accepts (the server rejects others). */
function payloadOf(v: Values): Record<string, unknown> {
  const compact = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
  switch (v.type) {
    case 'discount':
      return compact({
        discountPercent: trimmed(v.discountPercent),
        amount: trimmed(v.amount),
        reference: trimmed(v.reference),
      });
    case 'ownership_transfer':
      return compact({ toOwnerId: v.toOwnerId, includeOpenFollowUps: v.includeOpenFollowUps ?? true });
    case 'contract':
      return compact({
        title: trimmed(v.title),
        reference: trimmed(v.reference),
        amount: trimmed(v.amount),
        startDate: v.dates?.[0]?.format('YYYY-MM-DD'),
        endDate: v.dates?.[1]?.format('YYYY-MM-DD'),
      });
    case 'customer_creation':
      return compact({ name: trimmed(v.name), creditCode: trimmed(v.creditCode) });
  }
}

function valuesOf(detail: RequestDetail): Partial<Values> {
  const p = detail.payload;
  const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : undefined);
  const start = text('startDate');
  const end = text('endDate');
  return {
    type: isFormType(detail.type) ? detail.type : undefined,
    customerId: detail.customer?.id,
    reason: detail.reason,
    discountPercent: text('discountPercent'),
    amount: text('amount'),
    reference: text('reference'),
    toOwnerId: text('toOwnerId'),
    includeOpenFollowUps: typeof p.includeOpenFollowUps === 'boolean' ? p.includeOpenFollowUps : true,
    title: text('title'),
    dates: start || end ? [start ? dayjs(start) : null, end ? dayjs(end) : null] : null,
    name: text('name'),
    creditCode: text('creditCode'),
  };
}

export interface RequestFormModalProps {
  open: boolean;
  onClose: () => void;
  onDone: (detail: RequestDetail) => void;
  /** Only this type (e.g. "request discount" on a customer page). */
  fixedType?: FormType;
  /** The request is about this customer (Customer 360). */
  customer?: { id: string; name: string; ownerId: string | null; ownerName: string | null } | null;
  /** Edit and resubmit a returned request. */
  resubmit?: RequestDetail | null;
}

/**
 * Submit (or, after a return, resubmit) an approval request: discount, customer transfer, contract
 * or new customer — each with its own fields — plus the customer and a reason for the approvers.
 */
export function RequestFormModal({
  open,
  onClose,
  onDone,
  fixedType,
  customer,
  resubmit,
}: RequestFormModalProps) {
  const ta = useApprovalsT();
  const labels = useApprovalLabels();
  const { message } = App.useApp();
  const { showFormError } = useApiError();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const type = Form.useWatch('type', form) ?? fixedType ?? 'discount';
  const needsCustomer = type !== 'customer_creation';
  const lockedType = !!fixedType || !!resubmit;
  const lockedCustomer = !!customer || !!resubmit;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (resubmit) form.setFieldsValue(valuesOf(resubmit));
    else
      form.setFieldsValue({
        type: fixedType ?? 'discount',
        customerId: customer?.id,
        includeOpenFollowUps: true,
      });
  }, [open, form, fixedType, customer, resubmit]);

  const customerOption = useMemo(() => {
    if (customer) return { value: customer.id, label: customer.name };
    if (resubmit?.customer) return { value: resubmit.customer.id, label: resubmit.customer.name };
    return null;
  }, [customer, resubmit]);
  const currentOwner = customer ?? resubmit?.customer ?? null;

  const submit = async (v: Values) => {
    setSaving(true);
    try {
      const payload = payloadOf(v);
      const reason = v.reason.trim();
      const detail = resubmit
        ? await approvalRequestsApi.resubmit(resubmit.id, { payload, reason })
        : await approvalRequestsApi.submit({
            type: v.type,
            customerId: needsCustomer ? v.customerId : undefined,
            payload,
            reason,
          });
      void message.success(ta(resubmit ? 'approvals.done.resubmit' : 'approvals.done.submit'));
      void refreshApprovalCounts();
      onDone(detail);
    } catch (error) {
      showFormError(form, error, ['type', 'customerId', 'reason', ...PAYLOAD_FIELDS], {
        stripPrefix: 'payload.',
        fieldAlias: { startDate: 'dates', endDate: 'dates' },
      });
    } finally {
      setSaving(false);
    }
  };

  const percentRule = {
    validator: (_: unknown, value?: string) =>
      !value || (PERCENT.test(value.trim()) && Number(value) > 0)
        ? Promise.resolve()
        : Promise.reject(new Error(ta('approvals.discountInvalid'))),
  };
  const moneyRule = {
    validator: (_: unknown, value?: string) =>
      !value || (MONEY.test(value.trim()) && Number(value) > 0)
        ? Promise.resolve()
        : Promise.reject(new Error(ta('approvals.amountInvalid'))),
  };

  const title = resubmit
    ? ta('approvals.resubmitTitle')
    : fixedType
      ? ta('approvals.submitTitleType', { type: labels.typeLabel(fixedType) })
      : ta('approvals.submitTitle');

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={resubmit ? ta('approvals.resubmit') : ta('approvals.submit')}
      okButtonProps={{ loading: saving, id: 'request-submit' }}
      width={560}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} data-testid="request-form">
        <Form.Item name="type" label={ta('approvals.requestType')} hidden={lockedType}>
          <Select
            data-testid="request-type"
            options={FORM_TYPES.map((t) => ({ value: t, label: labels.typeLabel(t) }))}
          />
        </Form.Item>
        {needsCustomer ? (
          <Form.Item
            name="customerId"
            label={ta('approvals.customer')}
            rules={[{ required: true, message: ta('approvals.customerRequired') }]}
          >
            <CustomerSelect
              initialOption={customerOption}
              disabled={lockedCustomer}
              placeholder={ta('approvals.pickCustomer')}
              data-testid="request-customer"
            />
          </Form.Item>
        ) : null}

        {type === 'discount' ? (
          <>
            <Form.Item
              name="discountPercent"
              label={ta('approvals.discountPercent')}
              extra={ta('approvals.discountPercentHint')}
              rules={[
                { required: true, whitespace: true, message: ta('approvals.discountRequired') },
                percentRule,
              ]}
            >
              <Input
                inputMode="decimal"
                suffix="%"
                data-testid="request-discount"
                style={{ maxWidth: 200 }}
              />
            </Form.Item>
            <Form.Item name="amount" label={ta('approvals.amount')} rules={[moneyRule]}>
              <Input inputMode="decimal" prefix="¥" data-testid="request-amount" style={{ maxWidth: 260 }} />
            </Form.Item>
            <Form.Item name="reference" label={ta('approvals.reference')}>
              <Input
                maxLength={100}
                placeholder={ta('approvals.referencePlaceholder')}
                data-testid="request-reference"
              />
            </Form.Item>
          </>
        ) : null}

        {type === 'ownership_transfer' ? (
          <>
            {currentOwner ? (
              <Typography.Paragraph type="secondary">
                {ta('approvals.currentOwner')}：{currentOwner.ownerName ?? '—'}
              </Typography.Paragraph>
            ) : null}
            <Form.Item
              name="toOwnerId"
              label={ta('approvals.newOwner')}
              rules={[{ required: true, message: ta('approvals.newOwnerRequired') }]}
            >
              <UserSelect activeOnly data-testid="request-new-owner" placeholder={ta('approvals.pickUser')} />
            </Form.Item>
            <Form.Item name="includeOpenFollowUps" valuePropName="checked">
              <Checkbox>{ta('approvals.includeOpenFollowUps')}</Checkbox>
            </Form.Item>
          </>
        ) : null}

        {type === 'contract' ? (
          <>
            <Form.Item
              name="title"
              label={ta('approvals.contractTitle')}
              rules={[{ required: true, whitespace: true, message: ta('approvals.contractTitleRequired') }]}
            >
              <Input maxLength={200} data-testid="request-contract-title" />
            </Form.Item>
            <Form.Item
              name="reference"
              label={ta('approvals.contractNo')}
              rules={[{ required: true, whitespace: true, message: ta('approvals.contractNoRequired') }]}
            >
              <Input maxLength={100} data-testid="request-reference" />
            </Form.Item>
            <Form.Item
              name="amount"
              label={ta('approvals.amount')}
              rules={[
                { required: true, whitespace: true, message: ta('approvals.amountRequired') },
                moneyRule,
              ]}
            >
              <Input inputMode="decimal" prefix="¥" data-testid="request-amount" style={{ maxWidth: 260 }} />
            </Form.Item>
            <Form.Item name="dates" label={ta('approvals.contractPeriod')}>
              <DatePicker.RangePicker allowEmpty={[true, true]} style={{ width: '100%' }} />
            </Form.Item>
          </>
        ) : null}

        {type === 'customer_creation' ? (
          <>
            <Form.Item
              name="name"
              label={ta('approvals.customerName')}
              rules={[{ required: true, whitespace: true, message: ta('approvals.customerNameRequired') }]}
            >
              <Input maxLength={100} data-testid="request-customer-name" />
            </Form.Item>
            <Form.Item name="creditCode" label={ta('approvals.creditCode')}>
              <Input maxLength={18} className="kam-mono" />
            </Form.Item>
          </>
        ) : null}

        <Form.Item
          name="reason"
          label={ta('approvals.reason')}
          rules={[{ required: true, whitespace: true, message: ta('approvals.reasonRequired') }]}
        >
          <Input.TextArea
            maxLength={2000}
            autoSize={{ minRows: 3, maxRows: 6 }}
            placeholder={ta('approvals.reasonPlaceholder')}
            data-testid="request-reason"
          />
        </Form.Item>
        {resubmit ? null : <Alert type="info" showIcon title={ta('approvals.submitHint')} />}
      </Form>
    </Modal>
  );
}
