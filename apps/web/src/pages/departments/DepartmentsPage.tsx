import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Empty, Row } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { departmentsApi } from '../../api/endpoints';
import type { Department } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { scopeCoversDepartment, scopeIsAll } from '../../auth/permissions';
import { PageContainer } from '../../components/PageContainer';
import { LoadError, PageLoading } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import { useDepartments } from '../../hooks/useDepartments';
import { useIsMobile } from '../../hooks/useIsMobile';
import { DepartmentForm, type DepartmentFormValues } from './DepartmentForm';
import { DepartmentPanel } from './DepartmentPanel';
import { DepartmentTree } from './DepartmentTree';
import { MoveDepartmentModal } from './MoveDepartmentModal';

type Mode = { kind: 'view' } | { kind: 'create'; parentId: string | null };

export default function DepartmentsPage() {
  const { t } = useTranslation();
  const { me, can } = useAuth();
  const { message, modal } = App.useApp();
  const { showError, handleConflict } = useApiError();
  const isMobile = useIsMobile();
  const { departments, byId, roots, loading, error, reload } = useDepartments();
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('id');
  const [mode, setMode] = useState<Mode>({ kind: 'view' });
  const [moving, setMoving] = useState<Department | null>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const selected = selectedId ? byId.get(selectedId) : undefined;

  const select = useCallback(
    (id: string | null) => {
      setMode({ kind: 'view' });
      setParams(id ? { id } : {}, { replace: true });
    },
    [setParams],
  );

  // Select the first root by default, so the panel is never empty without reason.
  useEffect(() => {
    if (!loading && !selectedId && roots[0]) select(roots[0].department.id);
  }, [loading, selectedId, roots, select]);

  // On phones the panel sits below the tree: bring it into view after an explicit choice.
  const revealPanel = useCallback(() => {
    if (isMobile) {
      window.setTimeout(() => panelRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }), 50);
    }
  }, [isMobile]);

  const covers = useCallback(
    (permission: 'department.create' | 'department.edit' | 'department.delete', d: Department) =>
      can(permission) && scopeCoversDepartment(me, permission, d),
    [can, me],
  );
  const disableForEdit = useCallback(
    (d: Department) => !scopeCoversDepartment(me, 'department.edit', d),
    [me],
  );

  const onSave = async (values: DepartmentFormValues) => {
    if (!selected) return;
    try {
      await departmentsApi.update(selected.id, { version: selected.version, ...values });
      void message.success(t('common.saved'));
      await reload();
    } catch (err) {
      if (handleConflict(err)) {
        await reload();
        return;
      }
      throw err;
    }
  };

  const onCreate = async (values: DepartmentFormValues) => {
    if (mode.kind !== 'create') return;
    const created = await departmentsApi.create({ ...values, parentId: mode.parentId });
    void message.success(t('dept.created'));
    await reload();
    select(created?.id ?? mode.parentId);
  };

  const onMove = async (parentId: string | null) => {
    if (!moving) return;
    try {
      await departmentsApi.move(moving.id, { version: moving.version, parentId });
      void message.success(t('dept.moved'));
      setMoving(null);
      await reload();
    } catch (err) {
      if (handleConflict(err)) {
        setMoving(null);
        await reload();
        return;
      }
      showError(err);
    }
  };

  const onDelete = (department: Department) => {
    modal.confirm({
      title: t('dept.delete'),
      content: t('dept.deleteConfirm', { name: department.name }),
      okButtonProps: { danger: true },
      okText: t('common.delete'),
      onOk: async () => {
        try {
          await departmentsApi.remove(department.id, department.version);
          void message.success(t('common.deleted'));
          await reload();
          select(department.parentId);
        } catch (err) {
          if (handleConflict(err)) await reload();
          else showError(err);
        }
      },
    });
  };

  if (loading && departments.length === 0) return <PageLoading />;
  if (error && departments.length === 0) return <LoadError error={error} onRetry={() => void reload()} />;

  const createParent = mode.kind === 'create' && mode.parentId ? byId.get(mode.parentId) : undefined;
  const canCreateRoot = can('department.create') && scopeIsAll(me, 'department.create');

  return (
    <PageContainer
      title={t('dept.title')}
      extra={
        canCreateRoot ? (
          <Button
            icon={<PlusOutlined />}
            onClick={() => setMode({ kind: 'create', parentId: null })}
            data-testid="dept-add-root"
          >
            {t('dept.addRoot')}
          </Button>
        ) : null
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9} xl={8}>
          <Card className="kam-dept-tree-card">
            <DepartmentTree
              roots={roots}
              departments={departments}
              selectedId={selectedId}
              onSelect={select}
            />
          </Card>
        </Col>
        <Col xs={24} lg={15} xl={16}>
          <div ref={panelRef}>
            {mode.kind === 'create' ? (
              <Card
                title={
                  createParent
                    ? t('dept.createTitle', { parent: createParent.name })
                    : t('dept.createRootTitle')
                }
              >
                <DepartmentForm onSubmit={onCreate} onCancel={() => setMode({ kind: 'view' })} />
              </Card>
            ) : selected ? (
              <DepartmentPanel
                department={selected}
                byId={byId}
                canEdit={covers('department.edit', selected)}
                canAddChild={covers('department.create', selected)}
                canDelete={covers('department.delete', selected)}
                canViewUsers={can('user.view')}
                onSave={onSave}
                onAddChild={() => {
                  setMode({ kind: 'create', parentId: selected.id });
                  revealPanel();
                }}
                onMove={() => setMoving(selected)}
                onDelete={() => onDelete(selected)}
              />
            ) : (
              <Card>
                <Empty description={t('dept.selectHint')} />
              </Card>
            )}
          </div>
        </Col>
      </Row>
      {moving ? (
        <MoveDepartmentModal
          department={moving}
          departments={departments}
          roots={roots}
          allowRoot={scopeIsAll(me, 'department.edit')}
          disableNode={disableForEdit}
          onMove={onMove}
          onClose={() => setMoving(null)}
        />
      ) : null}
    </PageContainer>
  );
}
