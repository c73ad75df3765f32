import { ArrowLeftOutlined, CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { rolesApi } from '../../api/endpoints';
import type { PermissionCatalog, Role } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { PageContainer } from '../../components/PageContainer';
import { LoadError, PageLoading } from '../../components/Results';
import { useApiError } from '../../hooks/useApiError';
import { useDepartments } from '../../hooks/useDepartments';
import { FieldRulesEditor } from './FieldRulesEditor';
import { PermissionMatrix } from './PermissionMatrix';
import {
  emptyCustomScopes,
  type FieldRuleMatrix,
  fieldRulesToMatrix,
  type GrantMatrix,
  grantsToMatrix,
  matrixToFieldRules,
  matrixToGrants,
} from './roleModel';

interface BasicValues {
  name: string;
  description?: string;
}

interface Loaded {
  catalog: PermissionCatalog;
  role: Role | null;
  /** Role copied from (new role only). */
  source: Role | null;
}

/** /roles/new[?copyFrom=id] and /roles/:id — matrix + scopes + field rules. */
export default function RoleEditorPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const copyFrom = params.get('copyFrom');
  const isNew = !id || id === 'new';
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { can } = useAuth();
  const { message } = App.useApp();
  const { showFormError, handleConflict } = useApiError();
  const [form] = Form.useForm<BasicValues>();
  const { roots } = useDepartments(can('role.configure'));

  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [grants, setGrants] = useState<GrantMatrix>({});
  const [fieldRules, setFieldRules] = useState<FieldRuleMatrix>({});
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` forces a reload (after a conflict).
  useEffect(() => {
    let active = true;
    setLoadError(null);
    const load = async (): Promise<Loaded> => {
      const [catalog, role, source] = await Promise.all([
        rolesApi.catalog(),
        isNew ? Promise.resolve(null) : rolesApi.get(id),
        isNew && copyFrom ? rolesApi.get(copyFrom) : Promise.resolve(null),
      ]);
      return { catalog, role, source };
    };
    load()
      .then((result) => {
        if (!active) return;
        const base = result.role ?? result.source;
        setLoaded(result);
        setGrants(grantsToMatrix(base?.grants ?? []));
        setFieldRules(fieldRulesToMatrix(base?.fieldRules ?? []));
        form.setFieldsValue({
          name: result.role
            ? result.role.name
            : result.source
              ? `${result.source.name}${t('role.copySuffix')}`
              : '',
          description: base?.description ?? '',
        });
        setDirty(false);
      })
      .catch((error: unknown) => {
        if (active) setLoadError(error);
      });
    return () => {
      active = false;
    };
  }, [id, copyFrom, isNew, generation, form]);

  // Warn before leaving the page with unsaved edits.
  useEffect(() => {
    if (!dirty) return;
    const handler = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', handler);
    return () => window.removeEventListener('beforeunload', handler);
  }, [dirty]);

  const role = loaded?.role ?? null;
  const readOnly = !can('role.configure') || !!role?.builtin;
  const invalidCustom = useMemo(() => emptyCustomScopes(grants), [grants]);

  const changeGrants = useCallback((next: GrantMatrix) => {
    setGrants(next);
    setDirty(true);
  }, []);
  const changeFieldRules = useCallback((next: FieldRuleMatrix) => {
    setFieldRules(next);
    setDirty(true);
  }, []);

  const save = async () => {
    if (!loaded || readOnly) return;
    let basics: BasicValues;
    try {
      basics = await form.validateFields();
    } catch {
      return;
    }
    if (invalidCustom.length > 0) {
      void message.error(t('role.customDepartmentsRequired'));
      return;
    }
    const body = {
      name: basics.name.trim(),
      description: basics.description?.trim() ?? '',
      grants: matrixToGrants(grants, loaded.catalog),
      fieldRules: matrixToFieldRules(fieldRules, loaded.catalog),
    };
    setSaving(true);
    try {
      if (role) {
        await rolesApi.update(role.id, { ...body, version: role.version });
        void message.success(t('role.saved'));
        setDirty(false);
        setGeneration((g) => g + 1);
      } else {
        const created = await rolesApi.create({ ...body, ...(copyFrom ? { copyFromRoleId: copyFrom } : {}) });
        void message.success(t('role.created'));
        setDirty(false);
        navigate(created?.id ? `/roles/${encodeURIComponent(created.id)}` : '/roles', { replace: true });
      }
    } catch (error) {
      if (handleConflict(error)) {
        setGeneration((g) => g + 1);
        return;
      }
      showFormError(form, error, ['name', 'description']);
    } finally {
      setSaving(false);
    }
  };

  if (loadError) return <LoadError error={loadError} onRetry={() => setGeneration((g) => g + 1)} />;
  if (!loaded) return <PageLoading />;

  const title = isNew ? t('role.newTitle') : readOnly ? t('role.viewTitle') : t('role.editTitle');

  return (
    <PageContainer
      title={
        <Space size={8} wrap>
          <span>{title}</span>
          {role?.builtin ? <Tag color="gold">{t('role.builtin')}</Tag> : null}
          {dirty ? <Tag color="orange">{t('role.unsaved')}</Tag> : null}
        </Space>
      }
      extra={
        <Space wrap>
          <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/roles')}>
            {t('common.back')}
          </Button>
          {role && can('role.configure') ? (
            <Button
              icon={<CopyOutlined />}
              onClick={() => navigate(`/roles/new?copyFrom=${encodeURIComponent(role.id)}`)}
              data-testid="role-copy"
            >
              {t('role.copy')}
            </Button>
          ) : null}
        </Space>
      }
    >
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {role?.builtin ? <Alert type="info" showIcon title={t('role.builtinReadonly')} /> : null}
        <Card title={t('role.basic')} size="small">
          <Form<BasicValues>
            form={form}
            layout="vertical"
            disabled={readOnly}
            onValuesChange={() => setDirty(true)}
            style={{ maxWidth: 640 }}
          >
            <Form.Item
              name="name"
              label={t('role.name')}
              rules={[{ required: true, whitespace: true, message: t('role.nameRequired') }, { max: 64 }]}
            >
              <Input maxLength={64} data-testid="role-name" />
            </Form.Item>
            <Form.Item name="description" label={t('role.description')} rules={[{ max: 500 }]}>
              <Input.TextArea
                autoSize={{ minRows: 2, maxRows: 5 }}
                maxLength={500}
                data-testid="role-description"
              />
            </Form.Item>
          </Form>
        </Card>
        <Card title={t('role.matrix')} size="small">
          <Typography.Paragraph type="secondary">{t('role.matrixHint')}</Typography.Paragraph>
          <PermissionMatrix
            catalog={loaded.catalog}
            value={grants}
            onChange={changeGrants}
            roots={roots}
            readOnly={readOnly}
          />
        </Card>
        <Card title={t('role.fieldRules')} size="small">
          <Typography.Paragraph type="secondary">{t('role.fieldRulesHint')}</Typography.Paragraph>
          <FieldRulesEditor
            catalog={loaded.catalog}
            value={fieldRules}
            onChange={changeFieldRules}
            readOnly={readOnly}
          />
        </Card>
      </Space>
      {readOnly ? null : (
        <div className="kam-sticky-footer">
          <Space>
            <Button onClick={() => navigate('/roles')}>{t('common.cancel')}</Button>
            <Button type="primary" loading={saving} onClick={save} data-testid="role-save">
              {t('common.save')}
            </Button>
          </Space>
        </div>
      )}
    </PageContainer>
  );
}
