import { Select, type SelectProps, Spin } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { customersApi } from '../../api/endpoints';

export interface CustomerOption {
  value: string;
  label: string;
}

export interface CustomerSelectProps
  extends Omit<SelectProps<string, CustomerOption>, 'options' | 'showSearch' | 'filterOption' | 'mode'> {
  /** Label for the current value, so it renders before any search. */
  initialOption?: CustomerOption | null;
}

/** Remote-search picker over the customers I may see (GET /customers?q=). */
export function CustomerSelect({ initialOption, ...props }: CustomerSelectProps) {
  const [options, setOptions] = useState<CustomerOption[]>([]);
  const [loading, setLoading] = useState(false);
  const [query, setQuery] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setLoading(true);
      customersApi
        .list({ q: query || undefined }, { limit: 20 }, controller.signal)
        .then((page) => setOptions(page.items.map((c) => ({ value: c.id, label: c.name }))))
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
  }, [query]);

  const merged = useMemo(() => {
    if (!initialOption || options.some((o) => o.value === initialOption.value)) return options;
    return [initialOption, ...options];
  }, [options, initialOption]);

  return (
    <Select<string, CustomerOption>
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
