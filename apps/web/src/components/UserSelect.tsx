import { Select, type SelectProps, Spin } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { usersApi } from '../api/endpoints';
import type { User } from '../api/types';

export interface UserOption {
  value: string;
  label: string;
}

export interface UserSelectProps
  extends Omit<SelectProps<string, UserOption>, 'options' | 'showSearch' | 'filterOption' | 'mode'> {
  /** Label for the current value, so it renders before any search. */
  initialOption?: UserOption | null;
  /** Only list active users (for assignments such as department head). */
  activeOnly?: boolean;
}

export function userLabel(user: Pick<User, 'displayName' | 'login'>): string {
  return `${user.displayName} (${user.login})`;
}

/** Remote-search user picker over GET /users?q=. */
export function UserSelect({ initialOption, activeOnly, ...props }: UserSelectProps) {
  const [options, setOptions] = useState<UserOption[]>([]);
  const [loading, setLoading] = useState(false);
  const [query, setQuery] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (query === null) return;
    const controller = new AbortController();
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setLoading(true);
      usersApi
        .list(
          {
            q: query || undefined,
            limit: 20,
            sort: 'displayName',
            order: 'asc',
            status: activeOnly ? 'active' : undefined,
          },
          controller.signal,
        )
        .then((page) => setOptions(page.items.map((u) => ({ value: u.id, label: userLabel(u) }))))
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
  }, [query, activeOnly]);

  const merged = useMemo(() => {
    if (!initialOption || options.some((o) => o.value === initialOption.value)) return options;
    return [initialOption, ...options];
  }, [options, initialOption]);

  return (
    <Select<string, UserOption>
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
