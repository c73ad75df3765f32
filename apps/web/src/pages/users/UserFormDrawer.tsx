import { Button, Drawer, Form, Input, Select, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserCreateBody, UserUpdateBody } from '../../api/endpoints';
import type { Department, FieldRuleKind, Role, User } from '../../api/types';
import { DepartmentTreeSelect } from '../../components/DepartmentTreeSelect';
import { useApiError } from '../../hooks/useApiError';
import { useIsMobile } from '../../hooks/useIsMobile';
import type { DepartmentNode } from '../../utils/departmentTree';

interface Values {
  login: string;
  displayName: string;
  email?: string;
  mobile?: string;
  departmentId?: string;
  roleIds?: string[];
  password?: string;
}

export interface UserFormDrawerProps {
  open: boolean;
  /** Present when editing. */
  user: User | null;
  roots: DepartmentNode[];
  roles: Role[];
  canAssignRoles: boolean;
  fieldRules: { email: FieldRuleKind | null; mobile: FieldRuleKind | null };
  disableDepartment?: (department: Department) => boolean;
  onCreate: (body: UserCreateBody) => Promise<void>;
  onUpdate: (user: User, body: UserUpdateBody) => Promise<void>;
  onClose: () => void;
}

const FIELDS = ['login', 'displayName', 'email', 'mobile', 'departmentId', 'roleIds', 'password'] as const;
const LOGIN_PATTERN = /^[A-Za-z0-9._@-]{2,64}$/;
const MOBILE_PATTERN = /^\+?[0-9][0-9 -]{5,19}$/;

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Create / edit user. Hidden fields are omitted; masked or read-only fields can't be edited. */
export function UserFormDrawer(props: UserFormDrawerProps) {
  const { open, user, roots, roles, canAssignRoles, fieldRules, disableDepartment, onClose } = props;
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const { showFormError } = useApiError();
  const editing = !!user;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (user) {
      form.setFieldsValue({
        login: user.login,
        displayName: user.displayName,
        email: user.email ?? '',
        mobile: user.mobile ?? '',
        departmentId: user.departmentId ?? undefined,
      });
    }
  }, [open, user, form]);

  const lockedField = (rule: FieldRuleKind | null) => editing && (rule === 'masked' || rule === 'readonly');
  const roleOptions = useMemo(() => roles.map((role) => ({ value: role.id, label: role.name })), [roles]);

  const submit = async (values: Values) => {
    setSaving(true);
    try {
      if (user) {
        const body: UserUpdateBody = { version: user.version };
        const displayName = values.displayName.trim();
        if (displayName !== user.displayName) body.displayName = displayName;
        if (fieldRules.email !== 'hidden' && !lockedField(fieldRules.email)) {
          const email = blankToUndefined(values.email) ?? null;
          if (email !== (user.email ?? null)) body.email = email;
        }
        if (fieldRules.mobile !== 'hidden' && !lockedField(fieldRules.mobile)) {
          const mobile = blankToUndefined(values.mobile) ?? null;
          if (mobile !== (user.mobile ?? null)) body.mobile = mobile;
        }
        if (values.departmentId && values.departmentId !== user.departmentId)
          body.departmentId = values.departmentId;
        await props.onUpdate(user, body);
      } else {
        await props.onCreate({
          login: values.login.trim(),
          displayName: values.displayName.trim(),
          email: blankToUndefined(values.email),
          mobile: blankToUndefined(values.mobile),
          departmentId: values.departmentId ?? '',
          roleIds: values.roleIds ?? [],
          password: values.password ? values.password : undefined,
        });
      }
    } catch (error) {
      showFormError(form, error, FIELDS);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={editing ? t('user.editTitle') : t('user.createTitle')}
      size={isMobile ? '100%' : 520}
      destroyOnHidden
      mask={{ closable: false }}
      footer={
        <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            loading={saving}
            onClick={() => form.submit()}
            data-testid="user-form-submit"
          >
            {editing ? t('common.save') : t('common.create')}
          </Button>
        </Space>
      }
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} autoComplete="off">
        <Form.Item
          name="login"
          label={t('user.login')}
          rules={[
            { required: true, whitespace: true, message: t('user.loginRequired') },
            { pattern: LOGIN_PATTERN, message: t('user.loginPattern') },
          ]}
        >
          <Input disabled={editing} maxLength={64} data-testid="user-form-login" autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('user.displayName')}
          rules={[{ required: true, whitespace: true, message: t('user.nameRequired') }, { max: 100 }]}
        >
          <Input maxLength={100} data-testid="user-form-name" />
        </Form.Item>
        {fieldRules.mobile === 'hidden' ? null : (
          <Form.Item
            name="mobile"
            label={t('user.mobile')}
            rules={
              lockedField(fieldRules.mobile)
                ? []
                : [{ pattern: MOBILE_PATTERN, message: t('user.mobileInvalid') }]
            }
            extra={lockedField(fieldRules.mobile) ? t('user.maskedHelp') : undefined}
          >
            <Input
              disabled={lockedField(fieldRules.mobile)}
              inputMode="tel"
              maxLength={20}
              data-testid="user-form-mobile"
            />
          </Form.Item>
        )}
        {fieldRules.email === 'hidden' ? null : (
          <Form.Item
            name="email"
            label={t('user.email')}
            rules={lockedField(fieldRules.email) ? [] : [{ type: 'email', message: t('user.emailInvalid') }]}
            extra={lockedField(fieldRules.email) ? t('user.maskedHelp') : undefined}
          >
            <Input
              disabled={lockedField(fieldRules.email)}
              inputMode="email"
              maxLength={254}
              data-testid="user-form-email"
            />
          </Form.Item>
        )}
        <Form.Item
          name="departmentId"
          label={t('user.department')}
          rules={[{ required: true, message: t('user.departmentRequired') }]}
        >
          <DepartmentTreeSelect
            roots={roots}
            disableNode={disableDepartment}
            placeholder={t('user.departmentRequired')}
            data-testid="user-form-department"
          />
        </Form.Item>
        {!editing && canAssignRoles ? (
          <Form.Item name="roleIds" label={t('user.roles')}>
            <Select
              mode="multiple"
              options={roleOptions}
              placeholder={t('user.rolesPlaceholder')}
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="user-form-roles"
            />
          </Form.Item>
        ) : null}
        {!editing ? (
          <Form.Item name="password" label={t('user.password')} extra={t('user.passwordHelp')}>
            <Input.Password autoComplete="new-password" data-testid="user-form-password" />
          </Form.Item>
        ) : null}
      </Form>
    </Drawer>
  );
}
