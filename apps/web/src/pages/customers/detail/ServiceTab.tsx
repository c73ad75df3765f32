import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Col, Form, Input, Modal, Rate, Row, Select, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { serviceRecordsApi } from '../../../api/endpoints';
import type { ServiceRecord, ServiceSeverity, ServiceType } from '../../../api/types';
import { useAuth } from '../../../auth/AuthContext';
import { ListTable } from '../../../components/ListTable';
import { useApiError } from '../../../hooks/useApiError';
import { useCursorList } from '../../../hooks/useCursorList';
import { useFormat } from '../../../i18n/useFormat';
import { useCustomerLabels } from '../labels';

const SEVERITY_COLORS: Record<ServiceSeverity, string> = {
  low: 'default',
  medium: 'blue',
  high: 'orange',
  critical: 'red',
};

interface OpenValues {
  type: ServiceType;
  severity: ServiceSeverity;
  title: string;
  description?: string;
}

/** Service records (tickets): open one, close it with a satisfaction score. */
export function ServiceTab({ customerId, onChanged }: { customerId: string; onChanged: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { can } = useAuth();
  const { message } = App.useApp();
  const { showError, showFormError, handleConflict } = useApiError();
  const { enumLabel, enumOptions } = useCustomerLabels();
  const [opening, setOpening] = useState(false);
  const [closing, setClosing] = useState<ServiceRecord | null>(null);
  const [satisfaction, setSatisfaction] = useState(5);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<OpenValues>();
  const list = useCursorList<ServiceRecord>(
    (cursor, signal) => serviceRecordsApi.byCustomer(customerId, { limit: 50, cursor }, signal),
    customerId,
    showError,
  );

  const open = async (v: OpenValues) => {
    setSaving(true);
    try {
      await serviceRecordsApi.create({
        customerId,
        type: v.type,
        severity: v.severity,
        title: v.title.trim(),
        description: v.description?.trim() || null,
        openedAt: new Date().toISOString(),
      });
      void message.success(t('service.opened'));
      setOpening(false);
      list.reload();
      onChanged();
    } catch (error) {
      showFormError(form, error, ['type', 'severity', 'title', 'description']);
    } finally {
      setSaving(false);
    }
  };

  const close = async () => {
    if (!closing) return;
    setSaving(true);
    try {
      await serviceRecordsApi.update(closing.id, {
        version: closing.version,
        closedAt: new Date().toISOString(),
        satisfaction,
      });
      void message.success(t('service.closed'));
      setClosing(null);
      list.reload();
      onChanged();
    } catch (error) {
      if (handleConflict(error)) {
        setClosing(null);
        list.reload();
      } else showError(error);
    } finally {
      setSaving(false);
    }
  };

  const columns: ColumnsType<ServiceRecord> = [
    {
      title: t('service.title'),
      dataIndex: 'title',
      key: 'title',
      width: 220,
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text strong>{r.title}</Typography.Text>
          {r.description ? (
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: 320 }}>
              {r.description}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    {
      title: t('service.type'),
      dataIndex: 'type',
      key: 'type',
      width: 90,
      render: (v: ServiceType) => (
        <Tag color={v === 'complaint' ? 'red' : 'default'} variant="filled">
          {enumLabel('serviceType', v)}
        </Tag>
      ),
    },
    {
      title: t('service.severity'),
      dataIndex: 'severity',
      key: 'severity',
      width: 80,
      render: (v: ServiceSeverity) => <Tag color={SEVERITY_COLORS[v]}>{enumLabel('serviceSeverity', v)}</Tag>,
    },
    {
      title: t('service.openedAt'),
      dataIndex: 'openedAt',
      key: 'openedAt',
      width: 150,
      render: (v: string) => fmt.dateTime(v),
    },
    {
      title: t('service.state'),
      key: 'state',
      width: 190,
      render: (_, r) =>
        r.closedAt ? (
          <Space size={6} wrap>
            <Tag>{t('service.stateClosed')}</Tag>
            {r.satisfaction ? <Rate disabled value={r.satisfaction} style={{ fontSize: 12 }} /> : null}
          </Space>
        ) : (
          <Tag color="processing">{t('service.stateOpen')}</Tag>
        ),
    },
    {
      title: t('service.handler'),
      dataIndex: 'handlerName',
      key: 'handler',
      width: 100,
      render: (v: string | null) => v ?? '—',
    },
  ];
  if (can('service_record.edit')) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, r) =>
        r.closedAt ? null : (
          <Button
            type="link"
            size="small"
            onClick={() => {
              setSatisfaction(5);
              setClosing(r);
            }}
            data-testid="service-close"
          >
            {t('service.close')}
          </Button>
        ),
    });
  }

  return (
    <>
      {can('service_record.create') ? (
        <div className="kam-tab-toolbar">
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              form.resetFields();
              form.setFieldsValue({ type: 'question', severity: 'medium' });
              setOpening(true);
            }}
            data-testid="service-add"
          >
            {t('service.add')}
          </Button>
        </div>
      ) : null}
      <ListTable<ServiceRecord>
        list={list}
        paged
        columns={columns}
        testId="service-table"
        locale={{ emptyText: t('service.empty') }}
      />
      <Modal
        open={opening}
        title={t('service.add')}
        onCancel={() => setOpening(false)}
        onOk={() => form.submit()}
        okButtonProps={{ loading: saving, id: 'service-add-submit' }}
        destroyOnHidden
      >
        <Form<OpenValues> form={form} layout="vertical" onFinish={open}>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item name="type" label={t('service.type')} rules={[{ required: true }]}>
                <Select options={enumOptions('serviceType')} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="severity" label={t('service.severity')} rules={[{ required: true }]}>
                <Select options={enumOptions('serviceSeverity')} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item
            name="title"
            label={t('service.title')}
            rules={[{ required: true, whitespace: true, message: t('service.titleRequired') }]}
          >
            <Input maxLength={200} data-testid="service-title" />
          </Form.Item>
          <Form.Item name="description" label={t('service.description')}>
            <Input.TextArea maxLength={5000} autoSize={{ minRows: 3, maxRows: 8 }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!closing}
        title={t('service.close')}
        onCancel={() => setClosing(null)}
        onOk={() => void close()}
        okButtonProps={{ loading: saving, id: 'service-close-submit' }}
        destroyOnHidden
      >
        <Typography.Paragraph>{closing?.title}</Typography.Paragraph>
        <Space>
          <Typography.Text>{t('service.satisfaction')}</Typography.Text>
          <Rate value={satisfaction} onChange={(v) => setSatisfaction(v || 1)} />
        </Space>
      </Modal>
    </>
  );
}
