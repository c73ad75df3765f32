import { Select, type SelectProps, Spin, Typography } from 'antd';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { customersApi } from '../../../api/endpoints';
import type { TeamCandidate } from '../../../api/types';

interface Option {
  value: string;
  label: ReactNode;
}

/** The name, then department and roles in grey (the name in an element of its own). */
function candidateLabel(u: TeamCandidate): ReactNode {
  const meta = [u.departmentName, u.roles.join('、')].filter((s) => s).join(' · ');
  return (
    <span>
      <span>{u.displayName}</span>
      {meta && <Typography.Text type="secondary">{` ${meta}`}</Typography.Text>}
    </span>
  );
}

/**
 * Remote-search picker of users who may join the customer's account team
 * (GET /customers/:id/team/candidates): any department, active, not yet on the team.
 */
export function TeamCandidateSelect({
  customerId,
  ...props
}: { customerId: string } & Omit<
  SelectProps<string, Option>,
  'options' | 'showSearch' | 'filterOption' | 'mode'
>) {
  const [options, setOptions] = useState<Option[]>([]);
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
        .teamCandidates(customerId, query, controller.signal)
        .then((page) => setOptions(page.items.map((u) => ({ value: u.id, label: candidateLabel(u) }))))
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
  }, [query, customerId]);

  return (
    <Select<string, Option>
      allowClear
      {...props}
      showSearch={{ filterOption: false, onSearch: (value) => setQuery(value) }}
      options={options}
      notFoundContent={loading ? <Spin size="small" /> : undefined}
      onOpenChange={(open) => {
        if (open && query === null) setQuery('');
        props.onOpenChange?.(open);
      }}
    />
  );
}
