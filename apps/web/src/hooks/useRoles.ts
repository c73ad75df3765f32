import { useCallback, useEffect, useState } from 'react';
import { rolesApi } from '../api/endpoints';
import type { Role } from '../api/types';

/** Role list for pickers and filters. `enabled=false` skips the request. Errors leave the list empty. */
export function useRoles(enabled: boolean): { roles: Role[]; loading: boolean; reload: () => void } {
  const [roles, setRoles] = useState<Role[]>([]);
  const [loading, setLoading] = useState(enabled);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` triggers a reload.
  useEffect(() => {
    if (!enabled) return;
    let active = true;
    setLoading(true);
    rolesApi
      .list()
      .then((page) => {
        if (active) setRoles(page.items);
      })
      .catch(() => {
        if (active) setRoles([]);
      })
      .finally(() => {
        if (active) setLoading(false);
      });
    return () => {
      active = false;
    };
  }, [enabled, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { roles, loading, reload };
}
