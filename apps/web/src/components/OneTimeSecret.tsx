import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { Alert, Button, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../utils/clipboard';

export interface OneTimeSecretProps {
  value: string;
  note: string;
  /** data-testid of the element whose text is exactly the secret. */
  testId?: string;
}

/** Displays a secret that will never be shown again, with a copy button. */
export function OneTimeSecret({ value, note, testId }: OneTimeSecretProps) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (await copyText(value)) {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    }
  };
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Alert type="warning" showIcon title={note} />
      <div className="kam-secret">
        <code className="kam-secret-value" data-testid={testId}>
          {value}
        </code>
        <Button
          icon={copied ? <CheckOutlined /> : <CopyOutlined />}
          onClick={copy}
          type={copied ? 'default' : 'primary'}
          data-testid={testId ? `${testId}-copy` : undefined}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </Button>
      </div>
    </Space>
  );
}
