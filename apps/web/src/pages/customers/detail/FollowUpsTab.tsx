import { PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Col,
  DatePicker,
  Drawer,
  Form,
  Input,
  List,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contactsApi, followUpsApi } from '../../../api/endpoints';
import type { FollowUp, FollowUpType } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { LoadMore } from '../../../components/LoadMore';
import { LoadError } from '../../../components/Results';
import { useApiError } from '../../../hooks/useApiError';
import { useCursorList } from '../../../hooks/useCursorList';
import { useIsMobile } from '../../../hooks/useIsMobile';
import { useFormat } from '../../../i18n/useFormat';
import { useCustomerLabels } from '../labels';

interface Values {
  type: FollowUpType;
  at: Dayjs;
  contactIds?: string[];
  summary: string;
  outcome?: string;
  nextStep?: string;
  nextStepDate?: Dayjs | null;
}

const FIELDS = ['type', 'at', 'contactIds', 'summary', 'outcome', 'nextStep', 'nextStepDate'] as const;

function blank(v: string | undefined): string | null {
  const x = v?.trim();
  return x ? x : null;
}

/** Follow-up records, newest first, and the "log a follow-up" form. */
export function FollowUpsTab({
  customerId,
  revision,
  onChanged,
}: {
  customerId: string;
  revision: number;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { can } = useAuth();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const { showError, showFormError } = useApiError();
  const { enumLabel, enumOptions } = useCustomerLabels();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);
  const [contacts, setContacts] = useState<{ value: string; label: string }[]>([]);
  const [form] = Form.useForm<Values>();
  const list = useCursorList<FollowUp>(
    (cursor, signal) => followUpsApi.byCustomer(customerId, { limit: 30, cursor }, signal),
    `${customerId}:${revision}`,
    showError,
  );

  useEffect(() => {
    if (!open || !can('contact.view')) return;
    contactsApi
      .byCustomer(customerId, { limit: 200 })
      .then((page) =>
        setContacts(
          page.items.map((c) => ({ value: c.id, label: c.title ? `${c.name}（${c.title}）` : c.name })),
        ),
      )
      .catch(() => setContacts([]));
  }, [open, customerId, can]);

  const submit = async (v: Values) => {
    setSaving(true);
    try {
      await followUpsApi.create({
        customerId,
        type: v.type,
        at: v.at.toISOString(),
        contactIds: v.contactIds ?? [],
        summary: v.summary.trim(),
        outcome: blank(v.outcome),
        nextStep: blank(v.nextStep),
        nextStepDate: v.nextStepDate ? v.nextStepDate.format('YYYY-MM-DD') : null,
      });
      void message.success(t('followUp.logged'));
      setOpen(false);
      onChanged();
    } catch (error) {
      showFormError(form, error, FIELDS);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      {can('follow_up.create') ? (
        <div className="kam-tab-toolbar">
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              form.resetFields();
              form.setFieldsValue({ type: 'visit', at: dayjs() });
              setOpen(true);
            }}
            data-testid="follow-up-add"
          >
            {t('followUp.add')}
          </Button>
        </div>
      ) : null}
      {list.error && list.items.length === 0 ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <List<FollowUp>
        loading={list.loading}
        dataSource={list.items}
        locale={{ emptyText: t('followUp.empty') }}
        data-testid="follow-ups-list"
        renderItem={(f) => (
          <List.Item key={f.id} data-testid="follow-up-item">
            <div className="kam-record">
              <Space size={6} wrap>
                <Tag color="blue" variant="filled">
                  {enumLabel('followUpType', f.type)}
                </Tag>
                <Typography.Text type="secondary">
                  {fmt.dateTime(f.at)}
                  {f.authorName ? ` · ${f.authorName}` : ''}
                </Typography.Text>
                {f.contacts.map((c) => (
                  <Tag key={c.id}>{c.name}</Tag>
                ))}
              </Space>
              <Typography.Paragraph className="kam-record-body">{f.summary}</Typography.Paragraph>
              {f.outcome ? (
                <Typography.Paragraph className="kam-record-line">
                  <Typography.Text type="secondary">{t('followUp.outcome')}：</Typography.Text>
                  {f.outcome}
                </Typography.Paragraph>
              ) : null}
              {f.nextStep ? (
                <Typography.Paragraph className="kam-record-line">
                  <Typography.Text type="secondary">{t('followUp.nextStep')}：</Typography.Text>
                  {f.nextStep}
                  {f.nextStepDate ? (
                    <Tag
                      color={
                        !f.nextStepDoneAt && f.nextStepDate < dayjs().format('YYYY-MM-DD') ? 'red' : 'default'
                      }
                      style={{ marginInlineStart: 8 }}
                    >
                      {fmt.date(f.nextStepDate)}
                    </Tag>
                  ) : null}
                </Typography.Paragraph>
              ) : null}
            </div>
          </List.Item>
        )}
      />
      <LoadMore
        count={list.items.length}
        hasMore={list.hasMore}
        loading={list.loadingMore}
        onLoadMore={list.loadMore}
      />

      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={t('followUp.add')}
        size={isMobile ? '100%' : 520}
        destroyOnHidden
        mask={{ closable: false }}
        footer={
          <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
            <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              loading={saving}
              onClick={() => form.submit()}
              data-testid="follow-up-submit"
            >
              {t('common.save')}
            </Button>
          </Space>
        }
      >
        <Form<Values> form={form} layout="vertical" onFinish={submit}>
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item name="type" label={t('followUp.type')} rules={[{ required: true }]}>
                <Select options={enumOptions('followUpType')} data-testid="follow-up-type" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item
                name="at"
                label={t('followUp.at')}
                rules={[{ required: true, message: t('followUp.atRequired') }]}
              >
                <DatePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  style={{ width: '100%' }}
                  disabledDate={(d) => d.isAfter(dayjs().endOf('day'))}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="contactIds" label={t('followUp.contacts')}>
            <Select
              mode="multiple"
              options={contacts}
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="follow-up-contacts"
            />
          </Form.Item>
          <Form.Item
            name="summary"
            label={t('followUp.summary')}
            rules={[{ required: true, whitespace: true, message: t('followUp.summaryRequired') }]}
          >
            <Input.TextArea
              maxLength={5000}
              autoSize={{ minRows: 3, maxRows: 8 }}
              data-testid="follow-up-summary"
            />
          </Form.Item>
          <Form.Item name="outcome" label={t('followUp.outcome')}>
            <Input.TextArea maxLength={2000} autoSize={{ minRows: 1, maxRows: 4 }} />
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} sm={14}>
              <Form.Item name="nextStep" label={t('followUp.nextStep')}>
                <Input maxLength={500} data-testid="follow-up-next-step" />
              </Form.Item>
            </Col>
            <Col xs={24} sm={10}>
              <Form.Item
                name="nextStepDate"
                label={t('followUp.nextStepDate')}
                dependencies={['nextStep']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: (_, value) =>
                      value || !String(getFieldValue('nextStep') ?? '').trim()
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('followUp.nextStepDateRequired'))),
                  }),
                ]}
              >
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Drawer>
    </>
  );
}
