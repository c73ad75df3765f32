import { useCallback, useEffect, useMemo, useState } from 'react';
import { departmentsApi } from '../api/endpoints';
import type { Department } from '../api/types';
import { buildDepartmentTree, type DepartmentNode } from '../utils/departmentTree';

export interface DepartmentsState {
  departments: Department[];
  byId: Map<string, Department>;
  roots: DepartmentNode[];
  loading: boolean;
  error: unknown;
  reload: () => Promise<Department[]>;
}

/** All departments visible to me. `enabled=false` skips the request (e.g. without department.view). */
export function useDepartments(enabled = true): DepartmentsState {
  const [departments, setDepartments] = useState<Department[]>([]);
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(async () => {
    if (!enabled) return [];
    setLoading(true);
    try {
      const list = await departmentsApi.listAll();
      setDepartments(list);
      setError(null);
      return list;
    } catch (err) {
      setError(err);
      return [];
    } finally {
      setLoading(false);
    }
  }, [enabled]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const byId = useMemo(() => new Map(departments.map((d) => [d.id, d])), [departments]);
  const roots = useMemo(() => buildDepartmentTree(departments), [departments]);
  return { departments, byId, roots, loading, error, reload };
}
