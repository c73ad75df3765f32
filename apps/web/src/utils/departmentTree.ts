import type { Department } from '../api/types';

export interface DepartmentNode {
  department: Department;
  children: DepartmentNode[];
}

const collator = new Intl.Collator(['zh-CN', 'en'], { numeric: true });

function compare(a: DepartmentNode, b: DepartmentNode): number {
  const byCode = collator.compare(a.department.code ?? '', b.department.code ?? '');
  return byCode !== 0 && a.department.code && b.department.code
    ? byCode
    : collator.compare(a.department.name, b.department.name);
}

/** Builds a forest; departments whose parent I cannot see become roots. */
export function buildDepartmentTree(departments: Department[]): DepartmentNode[] {
  const nodes = new Map<string, DepartmentNode>();
  for (const department of departments) nodes.set(department.id, { department, children: [] });
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.department.parentId ? nodes.get(node.department.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: DepartmentNode[]) => {
    list.sort(compare);
    for (const item of list) sort(item.children);
  };
  sort(roots);
  return roots;
}

/** Ids of `id` and all its descendants (by `path`, which lists ancestors root→self). */
export function subtreeIds(departments: Department[], id: string): Set<string> {
  const ids = new Set<string>([id]);
  for (const department of departments) {
    if (department.path.includes(id)) ids.add(department.id);
  }
  // Fall back to parent links in case `path` is incomplete.
  let grew = true;
  while (grew) {
    grew = false;
    for (const department of departments) {
      if (!ids.has(department.id) && department.parentId && ids.has(department.parentId)) {
        ids.add(department.id);
        grew = true;
      }
    }
  }
  return ids;
}

/** Human-readable path "总部 / 销售部 / 华东区". */
export function departmentPathLabel(byId: Map<string, Department>, department: Department): string {
  const names = department.path.map((id) => byId.get(id)?.name).filter((name): name is string => !!name);
  if (names.length === 0 || names[names.length - 1] !== department.name) names.push(department.name);
  return names.join(' / ');
}

export interface DepartmentTreeOption {
  value: string;
  title: string;
  key: string;
  disabled?: boolean;
  children?: DepartmentTreeOption[];
}

/** TreeSelect data; `disable(dept)` greys out a node (it stays visible so the tree is readable). */
export function toTreeSelectData(
  roots: DepartmentNode[],
  disable?: (department: Department) => boolean,
  exclude?: Set<string>,
): DepartmentTreeOption[] {
  const convert = (list: DepartmentNode[]): DepartmentTreeOption[] =>
    list
      .filter((node) => !exclude?.has(node.department.id))
      .map((node) => {
        const option: DepartmentTreeOption = {
          value: node.department.id,
          key: node.department.id,
          title: node.department.name,
        };
        if (disable?.(node.department)) option.disabled = true;
        const children = convert(node.children);
        if (children.length > 0) option.children = children;
        return option;
      });
  return convert(roots);
}
