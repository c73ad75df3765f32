import { Alert, App, Button, Cascader, Drawer, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { isApiError } from '../../api/api';
import { customersApi } from '../../api/endpoints';
import type {
  Customer,
  CustomerCreateBody,
  CustomerPatchBody,
  CustomerStatus,
  CustomerWriteFields,
  DuplicateReport,
} from '../../api/types';
import { useAuth, useMe } from '../../auth/AuthContext';
import { UserSelect } from '../../components/UserSelect';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useCustomerLabels } from './labels';
import { useRegions } from './regions';

interface Values {
  name: string;
  creditCode?: string;
  status: CustomerStatus;
  industry?: string;
  region?: string[];
  sizeBand?: string;
  source?: string;
  website?: string;
  address?: string;
  tags?: string[];
  notes?: string;
  ownerId?: string;
}

const FIELDS = [
  'name',
  'creditCode',
  'status',
  'industry',
  'region',
  'sizeBand',
  'source',
  'website',
  'address',
  'tags',
  'notes',
  'ownerId',
] as const;
const ALIAS = { provinceCode: 'region', cityCode: 'region' };
const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

function blank(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

export interface CustomerFormDrawerProps {
  open: boolean;
  /** Present when editing. */
  customer: Customer | null;
  onClose: () => void;
  onSaved: (customer: Customer) => void;
}

/** Create / edit a customer with a live duplicate check and the similar-name override. */
export function CustomerFormDrawer({ open, customer, onClose, onSaved }: CustomerFormDrawerProps) {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const { enumOptions } = useCustomerLabels();
  const regions = useRegions();
  const { showFormError, handleConflict } = useApiError();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [report, setReport] = useState<DuplicateReport | null>(null);
  const [ownedBy, setOwnedBy] = useState<string | null>(null);
  const [override, setOverride] = useState<{ body: CustomerCreateBody | CustomerPatchBody } | null>(null);
  const [reason, setReason] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const seq = useRef(0);
  const editing = !!customer;
  const name = Form.useWatch('name', form);
  const creditCode = Form.useWatch('creditCode', form);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setReport(null);
    setOwnedBy(null);
    if (customer) {
      form.setFieldsValue({
        name: customer.name,
        creditCode: customer.creditCode ?? undefined,
        status: customer.status,
        industry: customer.industry ?? undefined,
        region: [customer.provinceCode, customer.cityCode].filter((v): v is string => !!v),
        sizeBand: customer.sizeBand ?? undefined,
        source: customer.source ?? undefined,
        website: customer.website ?? undefined,
        address: customer.address ?? undefined,
        tags: customer.tags,
        notes: customer.notes ?? undefined,
      });
    } else {
      form.setFieldsValue({ status: 'prospect' });
    }
  }, [open, customer, form]);

  // Live duplicate check while typing (debounced; only well-formed values are sent).
  useEffect(() => {
    if (!open) return;
    window.clearTimeout(timer.current);
    const trimmedName = name?.trim() ?? '';
    const code = creditCode?.trim().toUpperCase() ?? '';
    const body = {
      name: trimmedName.length >= 2 && trimmedName !== customer?.name ? trimmedName : undefined,
      creditCode: CREDIT_CODE.test(code) && code !== customer?.creditCode ? code : undefined,
      excludeId: customer?.id,
    };
    if (!body.name && !body.creditCode) {
      setReport(null);
      return;
    }
    const mine = ++seq.current;
    timer.current = window.setTimeout(() => {
      customersApi
        .checkDuplicates(body)
        .then((r) => mine === seq.current && setReport(r))
        .catch(() => mine === seq.current && setReport(null));
    }, 400);
    return () => window.clearTimeout(timer.current);
  }, [open, name, creditCode, customer]);

  const buildFields = (values: Values): CustomerWriteFields => ({
    creditCode: blank(values.creditCode)?.toUpperCase() ?? null,
    status: values.status,
    industry: values.industry ?? null,
    provinceCode: values.region?.[0] ?? null,
    cityCode: values.region?.[1] ?? null,
    sizeBand: values.sizeBand ?? null,
    source: values.source ?? null,
    website: blank(values.website),
    address: blank(values.address),
    tags: (values.tags ?? []).map((x) => x.trim()).filter(Boolean),
    notes: blank(values.notes),
  });

  const send = async (body: CustomerCreateBody | CustomerPatchBody) => {
    setSaving(true);
    setOwnedBy(null);
    try {
      const saved = customer
        ? await customersApi.update(customer.id, body as CustomerPatchBody)
        : await customersApi.create(body as CustomerCreateBody);
      void message.success(customer ? t('common.saved') : t('customer.created'));
      setOverride(null);
      onSaved(saved);
    } catch (error) {
      if (isApiError(error) && error.code === 'CUSTOMER_SIMILAR') {
        setReason('');
        setOverride({ body });
      } else if (isApiError(error) && error.code === 'CUSTOMER_DUPLICATE_OWNED') {
        setOverride(null);
        setOwnedBy(error.message);
      } else if (handleConflict(error)) {
        setOverride(null);
        onClose();
      } else {
        setOverride(null);
        showFormError(form, error, FIELDS, { fieldAlias: ALIAS });
      }
    } finally {
      setSaving(false);
    }
  };

  const submit = (values: Values) => {
    const fields = buildFields(values);
    if (customer) {
      const body: CustomerPatchBody = { version: customer.version, ...fields };
      if (values.name.trim() !== customer.name) body.name = values.name.trim();
      void send(body);
    } else {
      void send({
        name: values.name.trim(),
        ...fields,
        ownerId: values.ownerId && values.ownerId !== me.id ? values.ownerId : undefined,
      });
    }
  };

  const conflicts = report?.conflicts ?? [];
  const similar = report?.similar ?? [];

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={editing ? t('customer.editTitle') : t('customer.createTitle')}
      size={isMobile ? '100%' : 560}
      destroyOnHidden
      mask={{ closable: false }}
      footer={
        <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            loading={saving}
            onClick={() => form.submit()}
            data-testid="customer-form-submit"
          >
            {editing ? t('common.save') : t('common.create')}
          </Button>
        </Space>
      }
    >
      {ownedBy ? (
        <Alert
          type="error"
          showIcon
          title={ownedBy}
          style={{ marginBottom: 16 }}
          data-testid="customer-owned-by"
        />
      ) : null}
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Form.Item
          name="name"
          label={t('customer.name')}
          rules={[
            { required: true, whitespace: true, message: t('customer.nameRequired') },
            { min: 2, max: 100, message: t('customer.nameLength') },
          ]}
        >
          <Input maxLength={100} data-testid="customer-form-name" />
        </Form.Item>
        <Form.Item
          name="creditCode"
          label={t('customer.creditCode')}
          normalize={(v: string) => v?.toUpperCase().replace(/\s+/g, '')}
          rules={[{ pattern: CREDIT_CODE, message: t('customer.creditCodeInvalid') }]}
          extra={t('customer.creditCodeHelp')}
        >
          <Input maxLength={18} className="kam-mono" data-testid="customer-form-credit-code" />
        </Form.Item>
        {conflicts.length > 0 || similar.length > 0 || (report?.similarHiddenCount ?? 0) > 0 ? (
          <div className="kam-dup-report" data-testid="customer-duplicates">
            {conflicts.map((c) => (
              <Alert
                key={`${c.field}-${c.existing?.id ?? c.ownerName}`}
                type="error"
                showIcon
                title={
                  c.existing ? (
                    <span>
                      {t(c.field === 'creditCode' ? 'customer.dupCreditCode' : 'customer.dupName')}{' '}
                      <Link to={`/customers/${c.existing.id}`} target="_blank">
                        {c.existing.name}
                      </Link>
                      {c.ownerName ? ` · ${t('customer.ownerIs', { name: c.ownerName })}` : null}
                    </span>
                  ) : (
                    t('customer.dupOwnedBy', { name: c.ownerName ?? t('customer.noOwner') })
                  )
                }
              />
            ))}
            {similar.length > 0 || (report?.similarHiddenCount ?? 0) > 0 ? (
              <Alert
                type="warning"
                showIcon
                title={t('customer.similarTitle')}
                description={
                  <Space orientation="vertical" size={2}>
                    {similar.map((s) => (
                      <span key={s.id}>
                        <Link to={`/customers/${s.id}`} target="_blank">
                          {s.name}
                        </Link>
                        {s.ownerName ? (
                          <Typography.Text type="secondary"> · {s.ownerName}</Typography.Text>
                        ) : null}
                      </span>
                    ))}
                    {report?.similarHiddenCount ? (
                      <Typography.Text type="secondary">
                        {t('customer.similarHidden', { count: report.similarHiddenCount })}
                      </Typography.Text>
                    ) : null}
                  </Space>
                }
              />
            ) : null}
          </div>
        ) : null}
        <Form.Item name="status" label={t('customer.status')} rules={[{ required: true }]}>
          <Select options={enumOptions('customerStatus')} data-testid="customer-form-status" />
        </Form.Item>
        {!editing && can('customer.assign') ? (
          <Form.Item name="ownerId" label={t('customer.owner')} extra={t('customer.ownerDefaultMe')}>
            <UserSelect activeOnly placeholder={me.displayName} data-testid="customer-form-owner" />
          </Form.Item>
        ) : null}
        <Form.Item name="industry" label={t('customer.industry')}>
          <Select
            allowClear
            options={regions.industryOptions}
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="customer-form-industry"
          />
        </Form.Item>
        <Form.Item name="region" label={t('customer.region')}>
          <Cascader
            options={regions.regionOptions}
            changeOnSelect
            showSearch
            data-testid="customer-form-region"
          />
        </Form.Item>
        <Space.Compact block>
          <Form.Item name="sizeBand" label={t('customer.sizeBand')} style={{ flex: 1, marginRight: 12 }}>
            <Select allowClear options={enumOptions('sizeBand')} />
          </Form.Item>
          <Form.Item name="source" label={t('customer.source')} style={{ flex: 1 }}>
            <Select allowClear options={enumOptions('customerSource')} />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="tags" label={t('customer.tags')}>
          <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', ' ']} />
        </Form.Item>
        <Form.Item name="website" label={t('customer.website')}>
          <Input maxLength={200} inputMode="url" placeholder="https://" />
        </Form.Item>
        <Form.Item name="address" label={t('customer.address')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="notes" label={t('customer.notes')}>
          <Input.TextArea maxLength={5000} autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
      </Form>

      <Modal
        open={!!override}
        title={t('customer.overrideTitle')}
        onCancel={() => setOverride(null)}
        okText={t('customer.overrideOk')}
        okButtonProps={{ disabled: reason.trim().length < 2, loading: saving, id: 'customer-override-ok' }}
        onOk={() => override && void send({ ...override.body, duplicateOverride: { reason: reason.trim() } })}
        destroyOnHidden
      >
        <Typography.Paragraph>{t('customer.overrideIntro')}</Typography.Paragraph>
        {similar.length > 0 ? (
          <ul className="kam-plain-list">
            {similar.map((s) => (
              <li key={s.id}>
                {s.name}
                {s.ownerName ? <Typography.Text type="secondary"> · {s.ownerName}</Typography.Text> : null}
              </li>
            ))}
          </ul>
        ) : null}
        <Input.TextArea
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={200}
          autoSize={{ minRows: 2, maxRows: 4 }}
          placeholder={t('customer.overrideReason')}
          data-testid="customer-override-reason"
        />
      </Modal>
    </Drawer>
  );
}
