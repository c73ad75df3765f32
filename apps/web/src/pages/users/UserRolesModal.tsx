import { Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role, User } from '../../api/types';

export interface UserRolesModalProps {
  user: User | null;
  roles: Role[];
  onSave: (user: User, roleIds: string[]) => Promise<void>;
  onClose: () => void;
}

/** PUT /users/:id/roles with the version read. */
export function UserRolesModal({ user, roles, onSave, onClose }: UserRolesModalProps) {
  const { t } = useTranslation();
  const [value, setValue] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    setValue(user?.roles.map((r) => r.id) ?? []);
  }, [user]);

  const options = roles.map((role) => ({ value: role.id, label: role.name }));
  // Keep roles I cannot list (e.g. filtered by the server) visible by name.
  for (const role of user?.roles ?? []) {
    if (!options.some((o) => o.value === role.id)) options.push({ value: role.id, label: role.name });
  }

  const ok = async () => {
    if (!user) return;
    setSaving(true);
    try {
      await onSave(user, value);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open={!!user}
      title={user ? t('user.rolesTitle', { name: user.displayName }) : ''}
      onCancel={onClose}
      onOk={ok}
      okButtonProps={{ loading: saving }}
      okText={t('common.save')}
      destroyOnHidden
    >
      <Select
        mode="multiple"
        style={{ width: '100%' }}
        value={value}
        onChange={setValue}
        options={options}
        placeholder={t('user.rolesPlaceholder')}
        showSearch={{ optionFilterProp: 'label' }}
        data-testid="user-roles-select"
      />
    </Modal>
  );
}
