import { App, Checkbox, Col, DatePicker, Form, Input, Modal, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contactsApi } from '../../../api/endpoints';
import type {
  Contact,
  ContactAttitude,
  ContactFields,
  DecisionRole,
  FieldRuleKind,
} from '../../../api/types';
import { useApiError } from '../../../hooks/useApiError';
import { useCustomerLabels } from '../labels';

interface Values {
  name: string;
  title?: string;
  department?: string;
  mobile?: string;
  phone?: string;
  email?: string;
  wechat?: string;
  decisionRole?: DecisionRole;
  attitude?: ContactAttitude;
  birthday?: Dayjs | null;
  notes?: string;
  isPrimary?: boolean;
}

const FIELDS = [
  'name',
  'title',
  'department',
  'mobile',
  'phone',
  'email',
  'wechat',
  'decisionRole',
  'attitude',
  'birthday',
  'notes',
  'isPrimary',
] as const;

type Rule = FieldRuleKind | null;

function blank(v: string | undefined): string | null {
  const x = v?.trim();
  return x ? x : null;
}

export interface ContactFormModalProps {
  open: boolean;
  customerId: string;
  contact: Contact | null;
  rules: { mobile: Rule; phone: Rule; email: Rule };
  onClose: () => void;
  onSaved: () => void;
}

/** Add / edit a contact. Masked or read-only fields cannot be changed (the server would refuse). */
export function ContactFormModal({
  open,
  customerId,
  contact,
  rules,
  onClose,
  onSaved,
}: ContactFormModalProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { showFormError, handleConflict } = useApiError();
  const { enumOptions } = useCustomerLabels();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const locked = (rule: Rule) => !!contact && (rule === 'masked' || rule === 'readonly');
  const writable = (rule: Rule) => rule !== 'hidden' && !locked(rule) && rule !== 'masked';

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (contact) {
      form.setFieldsValue({
        name: contact.name,
        title: contact.title ?? undefined,
        department: contact.department ?? undefined,
        mobile: contact.mobile ?? undefined,
        phone: contact.phone ?? undefined,
        email: contact.email ?? undefined,
        wechat: contact.wechat ?? undefined,
        decisionRole: contact.decisionRole ?? undefined,
        attitude: contact.attitude ?? undefined,
        birthday: contact.birthday ? dayjs(contact.birthday) : null,
        notes: contact.notes ?? undefined,
        isPrimary: contact.isPrimary,
      });
    }
  }, [open, contact, form]);

  const submit = async (v: Values) => {
    const body: ContactFields = {
      title: blank(v.title),
      department: blank(v.department),
      wechat: blank(v.wechat),
      decisionRole: v.decisionRole ?? null,
      attitude: v.attitude ?? null,
      notes: blank(v.notes),
      isPrimary: !!v.isPrimary,
    };
    if (contact?.birthday !== undefined || !contact)
      body.birthday = v.birthday ? v.birthday.format('YYYY-MM-DD') : null;
    if (writable(rules.mobile)) body.mobile = blank(v.mobile);
    if (writable(rules.phone)) body.phone = blank(v.phone);
    if (writable(rules.email)) body.email = blank(v.email);
    setSaving(true);
    try {
      if (contact) {
        await contactsApi.update(contact.id, { version: contact.version, name: v.name.trim(), ...body });
      } else {
        await contactsApi.create({ customerId, name: v.name.trim(), ...body });
      }
      void message.success(t('common.saved'));
      onSaved();
    } catch (error) {
      if (handleConflict(error)) onSaved();
      else showFormError(form, error, FIELDS);
    } finally {
      setSaving(false);
    }
  };

  const maskedHelp = (rule: Rule) => (rule === 'masked' ? t('user.maskedHelp') : undefined);

  return (
    <Modal
      open={open}
      title={contact ? t('contact.editTitle') : t('contact.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ loading: saving, id: 'contact-form-submit' }}
      width={640}
      destroyOnHidden
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="name"
              label={t('contact.name')}
              rules={[{ required: true, whitespace: true, message: t('contact.nameRequired') }]}
            >
              <Input maxLength={50} data-testid="contact-form-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="isPrimary" label=" " valuePropName="checked">
              <Checkbox>{t('contact.primary')}</Checkbox>
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="title" label={t('contact.jobTitle')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="department" label={t('contact.department')}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          {rules.mobile !== 'hidden' ? (
            <Col xs={24} sm={12}>
              <Form.Item
                name="mobile"
                label={t('contact.mobile')}
                extra={maskedHelp(rules.mobile)}
                rules={
                  writable(rules.mobile)
                    ? [
                        {
                          pattern: /^(\+?86)?\s*1\d{2}[\s-]?\d{4}[\s-]?\d{4}$/,
                          message: t('user.mobileInvalid'),
                        },
                      ]
                    : []
                }
              >
                <Input
                  inputMode="tel"
                  maxLength={20}
                  disabled={!writable(rules.mobile)}
                  data-testid="contact-form-mobile"
                />
              </Form.Item>
            </Col>
          ) : null}
          {rules.phone !== 'hidden' ? (
            <Col xs={24} sm={12}>
              <Form.Item name="phone" label={t('contact.phone')} extra={maskedHelp(rules.phone)}>
                <Input inputMode="tel" maxLength={30} disabled={!writable(rules.phone)} />
              </Form.Item>
            </Col>
          ) : null}
          {rules.email !== 'hidden' ? (
            <Col xs={24} sm={12}>
              <Form.Item
                name="email"
                label={t('contact.email')}
                extra={maskedHelp(rules.email)}
                rules={writable(rules.email) ? [{ type: 'email', message: t('user.emailInvalid') }] : []}
              >
                <Input inputMode="email" maxLength={254} disabled={!writable(rules.email)} />
              </Form.Item>
            </Col>
          ) : null}
          <Col xs={24} sm={12}>
            <Form.Item name="wechat" label={t('contact.wechat')}>
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="decisionRole" label={t('contact.decisionRole')}>
              <Select allowClear options={enumOptions('decisionRole')} data-testid="contact-form-role" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="attitude" label={t('contact.attitude')}>
              <Select allowClear options={enumOptions('attitude')} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="birthday" label={t('contact.birthday')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="notes" label={t('contact.notes')}>
              <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 5 }} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
