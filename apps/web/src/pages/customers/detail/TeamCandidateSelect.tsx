import { Typography } from 'antd';
import type { ReactNode } from 'react';
import { customersApi } from '../../../api/endpoints';
import type { TeamCandidate } from '../../../api/types';
import { RemoteSelect, type RemoteSelectProps } from '../../../components/RemoteSelect';

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
}: { customerId: string } & Omit<RemoteSelectProps<Option>, 'search' | 'searchKey' | 'initialOption'>) {
  return (
    <RemoteSelect<Option>
      {...props}
      searchKey={customerId}
      search={async (q, signal) => {
        const page = await customersApi.teamCandidates(customerId, q, signal);
        return page.items.map((u) => ({ value: u.id, label: candidateLabel(u) }));
      }}
    />
  );
}
