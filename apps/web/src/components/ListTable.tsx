import { Table, type TableProps } from 'antd';
import type { CursorList } from '../hooks/useCursorList';
import { LoadMore } from './LoadMore';
import { LoadError } from './Results';

export interface ListTableProps<T> extends Omit<TableProps<T>, 'dataSource' | 'loading' | 'pagination'> {
  list: CursorList<T>;
  /** data-testid of the table. */
  testId: string;
  /** Show the "shown N / load more" footer (lists that can be longer than one page). */
  paged?: boolean;
}

/**
 * The table of a cursor-paginated list: an error with "retry" when the first page failed,
 * otherwise the rows (scrolling sideways on phones) and, for paged lists, the load-more footer.
 */
export function ListTable<T extends object>({ list, testId, paged = false, ...table }: ListTableProps<T>) {
  if (list.error && list.items.length === 0) return <LoadError error={list.error} onRetry={list.reload} />;
  return (
    <>
      <Table<T>
        rowKey="id"
        size="middle"
        scroll={{ x: 'max-content' }}
        {...table}
        dataSource={list.items}
        loading={list.loading}
        pagination={false}
        data-testid={testId}
      />
      {paged ? (
        <LoadMore
          count={list.items.length}
          hasMore={list.hasMore}
          loading={list.loadingMore}
          onLoadMore={list.loadMore}
        />
      ) : null}
    </>
  );
}
