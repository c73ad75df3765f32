import { TreeSelect, type TreeSelectProps } from 'antd';
import { useMemo } from 'react';
import type { Department } from '../api/types';
import { type DepartmentNode, toTreeSelectData } from '../utils/departmentTree';

export interface DepartmentTreeSelectProps extends Omit<TreeSelectProps, 'treeData'> {
  roots: DepartmentNode[];
  /** Grey out departments (e.g. outside my data scope). */
  disableNode?: (department: Department) => boolean;
  /** Remove departments entirely (e.g. a department's own subtree when moving it). */
  exclude?: Set<string>;
  /** Extra top-level options (e.g. "top level" when moving). */
  extraOptions?: { value: string; title: string; key: string }[];
}

function countNodes(nodes: DepartmentNode[]): number {
  return nodes.reduce((sum, node) => sum + 1 + countNodes(node.children), 0);
}

/** Searchable department picker built from the visible department tree. */
export function DepartmentTreeSelect({
  roots,
  disableNode,
  exclude,
  extraOptions,
  ...props
}: DepartmentTreeSelectProps) {
  const treeData = useMemo(
    () => [...(extraOptions ?? []), ...toTreeSelectData(roots, disableNode, exclude)],
    [roots, disableNode, exclude, extraOptions],
  );
  const small = useMemo(() => countNodes(roots) <= 150, [roots]);
  return (
    <TreeSelect
      treeData={treeData}
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll={small}
      popupMatchSelectWidth={false}
      listHeight={360}
      {...props}
    />
  );
}
