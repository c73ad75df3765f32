import { Button, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { User } from '../../api/types';
import { OneTimeSecret } from '../../components/OneTimeSecret';

export interface InitialPasswordInfo {
  user: Pick<User, 'displayName' | 'login'>;
  password: string;
  reason: 'created' | 'reset';
}

/** Shows a generated initial password exactly once. */
export function InitialPasswordModal({
  info,
  onClose,
}: {
  info: InitialPasswordInfo | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={!!info}
      title={t('user.initialPasswordTitle')}
      onCancel={onClose}
      mask={{ closable: false }}
      keyboard={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="initial-password-done">
          {t('user.initialPasswordDone')}
        </Button>
      }
    >
      {info ? (
        <>
          <Typography.Paragraph>
            {t(info.reason === 'created' ? 'user.initialPasswordCreated' : 'user.initialPasswordReset', {
              name: info.user.displayName,
              login: info.user.login,
            })}
          </Typography.Paragraph>
          <OneTimeSecret
            value={info.password}
            note={t('user.initialPasswordNote')}
            testId="initial-password"
          />
        </>
      ) : null}
    </Modal>
  );
}
