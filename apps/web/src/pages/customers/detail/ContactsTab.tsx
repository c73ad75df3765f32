import { PlusOutlined, StarFilled } from '@ant-design/icons';
import { App, Button, Popconfirm, Space, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contactsApi } from '../../../api/endpoints';
import type { Contact, ContactAttitude } from '../../../api/types';
import { useAuth, useMe } from '../../../auth/AuthContext';
import { fieldRule } from '../../../auth/permissions';
import { ListTable } from '../../../components/ListTable';
import { useApiError } from '../../../hooks/useApiError';
import { useCursorList } from '../../../hooks/useCursorList';
import { displayMobile } from '../../../utils/phone';
import { useCustomerLabels } from '../labels';
import { ContactFormModal } from './ContactFormModal';

const ATTITUDE_COLORS: Record<ContactAttitude, string> = {
  supportive: 'green',
  neutral: 'default',
  opposed: 'red',
};

/** Contacts with their role in the decision chain; mobiles and e-mails as the server sends them (masked or not). */
export function ContactsTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const { can } = useAuth();
  const { message } = App.useApp();
  const { showError, handleConflict } = useApiError();
  const { enumLabel } = useCustomerLabels();
  const [editing, setEditing] = useState<{ open: boolean; contact: Contact | null }>({
    open: false,
    contact: null,
  });
  const list = useCursorList<Contact>(
    (cursor, signal) => contactsApi.byCustomer(customerId, { limit: 100, cursor }, signal),
    customerId,
    showError,
  );
  const rules = {
    mobile: fieldRule(me, 'contact', 'mobile'),
    phone: fieldRule(me, 'contact', 'phone'),
    email: fieldRule(me, 'contact', 'email'),
  };

  const remove = async (c: Contact) => {
    try {
      await contactsApi.remove(c.id, c.version);
      void message.success(t('common.deleted'));
      list.removeItem((x) => x.id === c.id);
    } catch (error) {
      if (handleConflict(error)) list.reload();
      else showError(error);
    }
  };

  const columns: ColumnsType<Contact> = [
    {
      title: t('contact.name'),
      dataIndex: 'name',
      key: 'name',
      width: 140,
      render: (_, c) => (
        <Space size={4}>
          <Typography.Text strong>{c.name}</Typography.Text>
          {c.isPrimary ? <StarFilled style={{ color: '#ff8800' }} title={t('contact.primary')} /> : null}
        </Space>
      ),
    },
    {
      title: t('contact.title'),
      key: 'title',
      width: 160,
      render: (_, c) => [c.department, c.title].filter(Boolean).join(' · ') || '—',
    },
    {
      title: t('contact.role'),
      key: 'role',
      width: 170,
      render: (_, c) => (
        <Space size={[4, 4]} wrap>
          {c.decisionRole ? (
            <Tag color="blue" variant="filled" data-testid="contact-decision-role">
              {enumLabel('decisionRole', c.decisionRole)}
            </Tag>
          ) : null}
          {c.attitude ? (
            <Tag color={ATTITUDE_COLORS[c.attitude]} variant="filled">
              {enumLabel('attitude', c.attitude)}
            </Tag>
          ) : null}
          {!c.decisionRole && !c.attitude ? '—' : null}
        </Space>
      ),
    },
  ];
  if (rules.mobile !== 'hidden') {
    columns.push({
      title: t('contact.mobile'),
      dataIndex: 'mobile',
      key: 'mobile',
      width: 140,
      render: (v: string | null | undefined) => <span data-testid="contact-mobile">{displayMobile(v)}</span>,
    });
  }
  if (rules.phone !== 'hidden') {
    columns.push({
      title: t('contact.phone'),
      dataIndex: 'phone',
      key: 'phone',
      width: 140,
      render: (v) => v || '—',
    });
  }
  if (rules.email !== 'hidden') {
    columns.push({
      title: t('contact.email'),
      dataIndex: 'email',
      key: 'email',
      width: 200,
      ellipsis: true,
      render: (v) => v || '—',
    });
  }
  columns.push({
    title: t('contact.wechat'),
    dataIndex: 'wechat',
    key: 'wechat',
    width: 120,
    render: (v) => v || '—',
  });
  if (can('contact.edit') || can('contact.delete')) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 130,
      render: (_, c) => (
        <Space size={0} className="kam-row-actions">
          {can('contact.edit') ? (
            <Button
              type="link"
              size="small"
              onClick={() => setEditing({ open: true, contact: c })}
              data-testid="contact-edit"
            >
              {t('common.edit')}
            </Button>
          ) : null}
          {can('contact.delete') ? (
            <Popconfirm title={t('common.confirmDelete', { name: c.name })} onConfirm={() => remove(c)}>
              <Button type="link" size="small" danger data-testid="contact-delete">
                {t('common.delete')}
              </Button>
            </Popconfirm>
          ) : null}
        </Space>
      ),
    });
  }

  return (
    <>
      {can('contact.create') ? (
        <div className="kam-tab-toolbar">
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ open: true, contact: null })}
            data-testid="contact-add"
          >
            {t('contact.add')}
          </Button>
        </div>
      ) : null}
      <ListTable<Contact> list={list} paged columns={columns} testId="contacts-table" />
      <ContactFormModal
        open={editing.open}
        customerId={customerId}
        contact={editing.contact}
        rules={rules}
        onClose={() => setEditing({ open: false, contact: null })}
        onSaved={() => {
          setEditing({ open: false, contact: null });
          list.reload();
        }}
      />
    </>
  );
}
