import { Empty, Input, Tree, type TreeDataNode, Typography } from 'antd';
import { type Key, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Department } from '../../api/types';
import type { DepartmentNode } from '../../utils/departmentTree';

export interface DepartmentTreeProps {
  roots: DepartmentNode[];
  departments: Department[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

function highlight(text: string, query: string) {
  if (!query) return text;
  const index = text.toLowerCase().indexOf(query.toLowerCase());
  if (index < 0) return text;
  return (
    <>
      {text.slice(0, index)}
      <mark className="kam-mark">{text.slice(index, index + query.length)}</mark>
      {text.slice(index + query.length)}
    </>
  );
}

/** Searchable department tree; the search keeps matching nodes and their ancestors. */
export function DepartmentTree({ roots, departments, selectedId, onSelect }: DepartmentTreeProps) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<Key[]>([]);
  const [autoExpandParent, setAutoExpandParent] = useState(true);
  const q = query.trim().toLowerCase();

  const matches = useMemo(() => {
    if (!q) return null;
    const ids = new Set<string>();
    for (const d of departments) {
      if (d.name.toLowerCase().includes(q) || (d.code ?? '').toLowerCase().includes(q)) ids.add(d.id);
    }
    return ids;
  }, [departments, q]);

  // Default: expand the first two levels; while searching, expand everything on the way to matches.
  useEffect(() => {
    if (matches) {
      const keys = new Set<string>();
      for (const d of departments) {
        if (matches.has(d.id)) for (const ancestor of d.path) if (ancestor !== d.id) keys.add(ancestor);
      }
      setExpanded([...keys]);
      setAutoExpandParent(true);
    } else {
      setExpanded(roots.flatMap((root) => [root.department.id]));
    }
  }, [matches, departments, roots]);

  // Keep the selected department visible (e.g. after creating a child).
  useEffect(() => {
    if (!selectedId) return;
    const selected = departments.find((d) => d.id === selectedId);
    if (!selected) return;
    const ancestors = selected.path.filter((id) => id !== selectedId);
    setExpanded((prev) => {
      const missing = ancestors.filter((id) => !prev.includes(id));
      return missing.length ? [...prev, ...missing] : prev;
    });
  }, [selectedId, departments]);

  const treeData = useMemo<TreeDataNode[]>(() => {
    const keep = (node: DepartmentNode): boolean =>
      !matches || matches.has(node.department.id) || node.children.some(keep);
    const convert = (nodes: DepartmentNode[]): TreeDataNode[] =>
      nodes.filter(keep).map((node) => ({
        key: node.department.id,
        title: (
          <span className="kam-tree-title" data-testid={`dept-node-${node.department.id}`}>
            <span>{highlight(node.department.name, query.trim())}</span>
            <Typography.Text type="secondary" className="kam-tree-count">
              {node.department.userCount}
            </Typography.Text>
          </span>
        ),
        children: node.children.length > 0 ? convert(node.children) : undefined,
      }));
    return convert(roots);
  }, [roots, matches, query]);

  return (
    <div className="kam-dept-tree">
      <Input.Search
        allowClear
        placeholder={t('dept.searchPlaceholder')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="dept-search"
        style={{ marginBottom: 12 }}
      />
      {treeData.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(q ? 'common.empty' : 'dept.empty')} />
      ) : (
        <Tree
          blockNode
          showLine
          treeData={treeData}
          expandedKeys={expanded}
          autoExpandParent={autoExpandParent}
          onExpand={(keys) => {
            setExpanded(keys);
            setAutoExpandParent(false);
          }}
          selectedKeys={selectedId ? [selectedId] : []}
          onSelect={(keys) => {
            const key = keys[0];
            if (key !== undefined) onSelect(String(key));
          }}
        />
      )}
    </div>
  );
}
