import { DeleteOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  DatePicker,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Spin,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { type Delegation, delegationsApi } from '../../components/approvals/api';
import { UserSelect } from '../../components/UserSelect';
import { useApiError } from '../../hooks/useApiError';
import { useApprovalsT } from '../../i18n/approvals';

interface Values {
  delegateId: string;
  range: [Dayjs, Dayjs];
  note?: string;
}

/** My delegations: while I am away, the delegate decides the approvals that would wait for me. */
export function DelegationsModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ta = useApprovalsT();
  const { message } = App.useApp();
  const { showError, showFormError } = useApiError();
  const [form] = Form.useForm<Values>();
  const [items, setItems] = useState<Delegation[] | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems((await delegationsApi.list()).items);
    } catch (error) {
      setItems([]);
      showError(error);
    }
  }, [showError]);

  useEffect(() => {
    if (!open) return;
    setItems(null);
    form.resetFields();
    void load();
  }, [open, load, form]);

  const add = async (v: Values) => {
    setSaving(true);
    try {
      await delegationsApi.create({
        delegateId: v.delegateId,
        startDate: v.range[0].format('YYYY-MM-DD'),
        endDate: v.range[1].format('YYYY-MM-DD'),
        note: v.note?.trim() || undefined,
      });
      void message.success(ta('approvals.delegationSaved'));
      form.resetFields();
      await load();
    } catch (error) {
      showFormError(form, error, ['delegateId', 'range', 'note'], {
        fieldAlias: { startDate: 'range', endDate: 'range' },
      });
    } finally {
      setSaving(false);
    }
  };

  const remove = async (d: Delegation) => {
    try {
      await delegationsApi.remove(d.id);
      await load();
    } catch (error) {
      showError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={ta('approvals.delegations')}
      onCancel={onClose}
      footer={null}
      width={600}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{ta('approvals.delegationsHint')}</Typography.Paragraph>
      {items === null ? (
        <div className="kam-center-pad">
          <Spin />
        </div>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={ta('approvals.noDelegations')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          data-testid="delegations-list"
          renderItem={(d) => (
            <List.Item
              actions={[
                <Popconfirm
                  key="remove"
                  title={ta('approvals.delegationRemoveConfirm')}
                  onConfirm={() => void remove(d)}
                >
                  <Button
                    type="text"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={ta('approvals.delegationRemove')}
                  />
                </Popconfirm>,
              ]}
            >
              <List.Item.Meta
                title={
                  <span>
                    {d.delegate.displayName}{' '}
                    {d.active ? <Tag color="green">{ta('approvals.delegationActive')}</Tag> : null}
                  </span>
                }
                description={`${d.startDate} – ${d.endDate}${d.note ? ` · ${d.note}` : ''}`}
              />
            </List.Item>
          )}
        />
      )}
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {ta('approvals.delegationAdd')}
      </Typography.Title>
      <Form<Values> form={form} layout="vertical" onFinish={add}>
        <Form.Item
          name="delegateId"
          label={ta('approvals.delegate')}
          rules={[{ required: true, message: ta('approvals.delegateRequired') }]}
        >
          <UserSelect activeOnly placeholder={ta('approvals.pickUser')} />
        </Form.Item>
        <Form.Item
          name="range"
          label={ta('approvals.delegationPeriod')}
          rules={[{ required: true, message: ta('approvals.delegationPeriodRequired') }]}
        >
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="note" label={ta('approvals.note')}>
          <Input maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          {ta('approvals.delegationAdd')}
        </Button>
      </Form>
    </Modal>
  );
}
