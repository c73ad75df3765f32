import { usersApi } from '../api/endpoints';
import type { User } from '../api/types';
import { RemoteSelect, type RemoteSelectProps } from './RemoteSelect';

export interface UserOption {
  value: string;
  label: string;
}

export interface UserSelectProps extends Omit<RemoteSelectProps<UserOption>, 'search' | 'searchKey'> {
  /** Only list active users (for assignments such as department head). */
  activeOnly?: boolean;
}

export function userLabel(user: Pick<User, 'displayName' | 'login'>): string {
  return `${user.displayName} (${user.login})`;
}

/** Remote-search user picker over GET /users?q=. */
export function UserSelect({ activeOnly, ...props }: UserSelectProps) {
  return (
    <RemoteSelect<UserOption>
      {...props}
      searchKey={activeOnly ? 'active' : 'all'}
      search={async (q, signal) => {
        const page = await usersApi.list(
          {
            q: q || undefined,
            limit: 20,
            sort: 'displayName',
            order: 'asc',
            status: activeOnly ? 'active' : undefined,
          },
          signal,
        );
        return page.items.map((u) => ({ value: u.id, label: userLabel(u) }));
      }}
    />
  );
}
