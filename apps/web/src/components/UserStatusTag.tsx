import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { UserStatus } from '../api/types';

const COLORS: Record<UserStatus, string> = { active: 'success', disabled: 'default', locked: 'error' };

export function UserStatusTag({ status }: { status: UserStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={COLORS[status]} data-status={status}>
      {t(`user.status.${status}`)}
    </Tag>
  );
}
