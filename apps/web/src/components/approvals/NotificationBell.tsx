import { BellOutlined, CheckOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, Popover, Segmented, Spin, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import { useApprovalsT } from '../../i18n/approvals';
import { useFormat } from '../../i18n/useFormat';
import { type AppNotification, notificationsApi } from './api';
import { refreshApprovalCounts, useApprovalCounts } from './counts';
import './shell.css';

const LIST_SIZE = 20;

/** Where a notification leads (approval requests open in the inbox drawer). */
function linkOf(n: AppNotification): string | null {
  if (n.entityType === 'approval_request' && n.entityId)
    return `/approvals?id=${encodeURIComponent(n.entityId)}`;
  if (n.entityType === 'customer' && n.entityId) return `/customers/${encodeURIComponent(n.entityId)}`;
  return null;
}

/** Header bell: unread in-app notifications (count refreshed with the approval counts), mark read, open. */
export function NotificationBell() {
  const ta = useApprovalsT();
  const fmt = useFormat();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const { showError } = useApiError();
  const counts = useApprovalCounts();
  const unread = counts?.unreadNotifications ?? 0;
  const [open, setOpen] = useState(false);
  const [unreadOnly, setUnreadOnly] = useState(true);
  const [items, setItems] = useState<AppNotification[] | null>(null);

  const load = useCallback(async () => {
    try {
      const page = await notificationsApi.list({ unread: unreadOnly || undefined, limit: LIST_SIZE });
      setItems(page.items);
    } catch (error) {
      setItems([]);
      showError(error);
    }
  }, [unreadOnly, showError]);

  // Reload when opened, when the filter changes and when the unread count moves while open.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `unread` is a reload trigger.
  useEffect(() => {
    if (open) void load();
  }, [open, load, unread]);

  const markRead = async (n: AppNotification) => {
    if (n.readAt) return;
    try {
      await notificationsApi.read(n.id);
      setItems((prev) =>
        unreadOnly
          ? (prev ?? []).filter((x) => x.id !== n.id)
          : (prev ?? []).map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)),
      );
      void refreshApprovalCounts();
    } catch (error) {
      showError(error);
    }
  };

  const readAll = async () => {
    try {
      await notificationsApi.readAll();
      void refreshApprovalCounts();
      await load();
    } catch (error) {
      showError(error);
    }
  };

  const openItem = (n: AppNotification) => {
    void markRead(n);
    const link = linkOf(n);
    if (link) {
      setOpen(false);
      navigate(link);
    }
  };

  const content = (
    <div className="kam-notifications" data-testid="notifications-panel">
      <div className="kam-notifications-head">
        <Segmented<'unread' | 'all'>
          size="small"
          value={unreadOnly ? 'unread' : 'all'}
          onChange={(v) => setUnreadOnly(v === 'unread')}
          options={[
            { value: 'unread', label: ta('notifications.unreadOnly') },
            { value: 'all', label: ta('notifications.showAll') },
          ]}
        />
        <Button
          type="link"
          size="small"
          disabled={unread === 0}
          onClick={() => void readAll()}
          data-testid="notifications-read-all"
        >
          {ta('notifications.readAll')}
        </Button>
      </div>
      {items === null ? (
        <div className="kam-center-pad">
          <Spin />
        </div>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={ta('notifications.empty')} />
      ) : (
        <ul className="kam-notification-list">
          {items.map((n) => (
            <li
              key={n.id}
              className={n.readAt ? 'kam-notification' : 'kam-notification kam-notification-unread'}
              data-testid="notification-item"
            >
              <button type="button" className="kam-notification-main" onClick={() => openItem(n)}>
                <Typography.Text strong={!n.readAt} className="kam-notification-title">
                  {n.title}
                </Typography.Text>
                {n.body ? (
                  <Typography.Paragraph
                    type="secondary"
                    ellipsis={{ rows: 2 }}
                    className="kam-notification-body"
                  >
                    {n.body}
                  </Typography.Paragraph>
                ) : null}
                <Typography.Text type="secondary" className="kam-notification-time">
                  {fmt.dateTime(n.createdAt)}
                </Typography.Text>
              </button>
              {n.readAt ? null : (
                <Tooltip title={ta('notifications.markRead')}>
                  <Button
                    type="text"
                    size="small"
                    icon={<CheckOutlined />}
                    onClick={() => void markRead(n)}
                    aria-label={ta('notifications.markRead')}
                    data-testid="notification-read"
                  />
                </Tooltip>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );

  return (
    <Popover
      content={content}
      title={ta('notifications.title')}
      trigger="click"
      open={open}
      onOpenChange={setOpen}
      placement={isMobile ? 'bottom' : 'bottomRight'}
      arrow={false}
    >
      <Button
        type="text"
        aria-label={ta('notifications.bell', { count: unread })}
        data-testid="notification-bell"
        icon={
          <Badge count={unread} size="small" overflowCount={99} data-testid="notification-count">
            <BellOutlined style={{ fontSize: 16 }} />
          </Badge>
        }
      />
    </Popover>
  );
}
