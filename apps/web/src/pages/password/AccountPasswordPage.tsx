import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageContainer } from '../../components/PageContainer';
import { ChangePasswordForm } from './ChangePasswordForm';

/** Voluntary password change from the user menu. */
export default function AccountPasswordPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <PageContainer title={t('pwd.title')}>
      <Card style={{ maxWidth: 820 }}>
        <ChangePasswordForm onDone={() => navigate('/')} />
      </Card>
    </PageContainer>
  );
}
