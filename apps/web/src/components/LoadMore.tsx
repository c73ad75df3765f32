import { Button, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export interface LoadMoreProps {
  count: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
}

/** Footer for cursor-paginated tables: no totals, just what is shown and a "load more" button. */
export function LoadMore({ count, hasMore, loading, onLoadMore }: LoadMoreProps) {
  const { t } = useTranslation();
  if (count === 0) return null;
  return (
    <div className="kam-load-more">
      <Typography.Text type="secondary">{t('common.shownCount', { count })}</Typography.Text>
      {hasMore ? (
        <Button onClick={onLoadMore} loading={loading} data-testid="load-more">
          {t('common.loadMore')}
        </Button>
      ) : (
        <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
      )}
    </div>
  );
}
