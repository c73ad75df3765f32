import { Select, type SelectProps, Spin } from 'antd';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';

export interface RemoteOption {
  value: string;
  label: ReactNode;
}

export interface RemoteSelectProps<O extends RemoteOption>
  extends Omit<SelectProps<string, O>, 'options' | 'showSearch' | 'filterOption' | 'mode'> {
  /** The options matching a search text ('' when the list is opened), fetched from the server. */
  search: (query: string, signal: AbortSignal) => Promise<O[]>;
  /** Changes when `search` would answer differently for the same text (its parameters). */
  searchKey?: string;
  /** Label for the current value, so it renders before any search. */
  initialOption?: O | null;
}

/**
 * A picker that searches on the server as the user types (debounced, earlier searches aborted),
 * starting with an empty search when it is first opened. The pickers of users, customers and team
 * candidates are this with their own search.
 */
export function RemoteSelect<O extends RemoteOption>({
  search,
  searchKey = '',
  initialOption,
  ...props
}: RemoteSelectProps<O>) {
  const [options, setOptions] = useState<O[]>([]);
  const [loading, setLoading] = useState(false);
  const [query, setQuery] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const latestSearch = useRef(search);
  latestSearch.current = search;

  // biome-ignore lint/correctness/useExhaustiveDependencies: searchKey stands for the search's parameters
  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setLoading(true);
      latestSearch
        .current(query, controller.signal)
        .then(setOptions)
        .catch(() => {
          if (!controller.signal.aborted) setOptions([]);
        })
        .finally(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    }, 250);
    return () => {
      controller.abort();
      window.clearTimeout(timer.current);
    };
  }, [query, searchKey]);

  const merged = useMemo(() => {
    if (!initialOption || options.some((o) => o.value === initialOption.value)) return options;
    return [initialOption, ...options];
  }, [options, initialOption]);

  return (
    <Select<string, O>
      allowClear
      {...props}
      showSearch={{ filterOption: false, onSearch: (value) => setQuery(value) }}
      options={merged}
      notFoundContent={loading ? <Spin size="small" /> : undefined}
      onOpenChange={(open) => {
        if (open && query === null) setQuery('');
        props.onOpenChange?.(open);
      }}
    />
  );
}
