import { customersApi } from '../../api/endpoints';
import { RemoteSelect, type RemoteSelectProps } from '../RemoteSelect';

export interface CustomerOption {
  value: string;
  label: string;
}

export type CustomerSelectProps = Omit<RemoteSelectProps<CustomerOption>, 'search' | 'searchKey'>;

/** Remote-search picker over the customers I may see (GET /customers?q=). */
export function CustomerSelect(props: CustomerSelectProps) {
  return (
    <RemoteSelect<CustomerOption>
      {...props}
      search={async (q, signal) => {
        const page = await customersApi.list({ q: q || undefined }, { limit: 20 }, signal);
        return page.items.map((c) => ({ value: c.id, label: c.name }));
      }}
    />
  );
}
