import { DownloadOutlined } from '@ant-design/icons';
import { App, Button } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { exportsApi } from '../../api/endpoints';
import type { CustomerFilter } from '../../api/types';
import { useApiError } from '../../hooks/useApiError';

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the current filter as .xlsx (only rows and fields I may see; masked stays masked). */
export function ExportButton({ filter, compact }: { filter: CustomerFilter; compact?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { showError } = useApiError();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    const key = 'customer-export';
    void message.loading({ content: t('customer.exporting'), key, duration: 0 });
    try {
      const { blob, filename } = await exportsApi.customers(filter);
      saveBlob(blob, filename ?? `customers-${new Date().toISOString().slice(0, 10)}.xlsx`);
      void message.success({ content: t('customer.exported'), key });
    } catch (error) {
      message.destroy(key);
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Button
      icon={<DownloadOutlined />}
      loading={busy}
      onClick={() => void run()}
      data-testid="customer-export"
    >
      {compact ? null : t('customer.export')}
    </Button>
  );
}
