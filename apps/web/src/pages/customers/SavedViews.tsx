import { DeleteOutlined, DownOutlined, EditOutlined, EyeOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Dropdown,
  Form,
  Input,
  List,
  type MenuProps,
  Modal,
  Popconfirm,
  Space,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { savedViewsApi } from '../../api/endpoints';
import type { CustomerFilter, SavedView } from '../../api/types';
import { useApiError } from '../../hooks/useApiError';
import { compactFilter } from './filterParams';

export interface SavedViewsProps {
  current: CustomerFilter;
  activeId: string | null;
  onApply: (view: SavedView) => void;
}

/** Saved list views (per user): apply, save the current filters, rename, delete. */
export function SavedViews({ current, activeId, onApply }: SavedViewsProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { showError, showFormError, handleConflict } = useApiError();
  const [views, setViews] = useState<SavedView[]>([]);
  const [saveOpen, setSaveOpen] = useState(false);
  const [manageOpen, setManageOpen] = useState(false);
  const [renaming, setRenaming] = useState<SavedView | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ name: string }>();

  const load = useCallback(async () => {
    try {
      setViews((await savedViewsApi.list()).items);
    } catch (error) {
      showError(error);
    }
  }, [showError]);

  useEffect(() => {
    void load();
  }, [load]);

  const active = views.find((v) => v.id === activeId) ?? null;

  const items: MenuProps['items'] = [
    ...views.map((view) => ({
      key: view.id,
      label: <span data-testid="saved-view-item">{view.name}</span>,
      icon: view.id === activeId ? <EyeOutlined /> : undefined,
    })),
    ...(views.length > 0 ? [{ type: 'divider' as const }] : []),
    { key: '__save', label: <span data-testid="saved-view-save">{t('customer.viewSave')}</span> },
    ...(views.length > 0 ? [{ key: '__manage', label: t('customer.viewManage') }] : []),
  ];

  const openSave = (view: SavedView | null) => {
    setRenaming(view);
    form.setFieldsValue({ name: view?.name ?? '' });
    setSaveOpen(true);
  };

  const submit = async ({ name }: { name: string }) => {
    setBusy(true);
    try {
      if (renaming) {
        await savedViewsApi.update(renaming.id, { version: renaming.version, name: name.trim() });
        void message.success(t('common.saved'));
      } else {
        const view = await savedViewsApi.create({ name: name.trim(), filters: compactFilter(current) });
        void message.success(t('customer.viewSaved'));
        onApply(view);
      }
      setSaveOpen(false);
      await load();
    } catch (error) {
      if (handleConflict(error)) await load();
      else showFormError(form, error, ['name']);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (view: SavedView) => {
    try {
      await savedViewsApi.remove(view.id, view.version);
      void message.success(t('common.deleted'));
      await load();
    } catch (error) {
      showError(error);
    }
  };

  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items,
          onClick: ({ key }) => {
            if (key === '__save') openSave(null);
            else if (key === '__manage') setManageOpen(true);
            else {
              const view = views.find((v) => v.id === key);
              if (view) onApply(view);
            }
          },
        }}
      >
        <Button data-testid="saved-views" autoInsertSpace={false}>
          <Space size={4}>
            <Typography.Text ellipsis style={{ maxWidth: 140 }}>
              {active ? active.name : t('customer.views')}
            </Typography.Text>
            <DownOutlined style={{ fontSize: 10 }} />
          </Space>
        </Button>
      </Dropdown>

      <Modal
        open={saveOpen}
        title={renaming ? t('customer.viewRename') : t('customer.viewSave')}
        onCancel={() => setSaveOpen(false)}
        onOk={() => form.submit()}
        okButtonProps={{ loading: busy, id: 'saved-view-submit' }}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item
            name="name"
            label={t('customer.viewName')}
            rules={[
              { required: true, whitespace: true, message: t('customer.viewNameRequired') },
              { max: 50 },
            ]}
          >
            <Input maxLength={50} autoFocus data-testid="saved-view-name" />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={manageOpen}
        title={t('customer.viewManage')}
        onCancel={() => setManageOpen(false)}
        footer={null}
        destroyOnHidden
      >
        <List
          dataSource={views}
          locale={{ emptyText: t('common.empty') }}
          renderItem={(view) => (
            <List.Item
              actions={[
                <Button
                  key="rename"
                  type="text"
                  size="small"
                  icon={<EditOutlined />}
                  aria-label={t('customer.viewRename')}
                  onClick={() => openSave(view)}
                />,
                <Popconfirm
                  key="delete"
                  title={t('common.confirmDelete', { name: view.name })}
                  onConfirm={() => remove(view)}
                >
                  <Button
                    type="text"
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('common.delete')}
                  />
                </Popconfirm>,
              ]}
            >
              <Typography.Link
                onClick={() => {
                  onApply(view);
                  setManageOpen(false);
                }}
              >
                {view.name}
              </Typography.Link>
            </List.Item>
          )}
        />
      </Modal>
    </>
  );
}
