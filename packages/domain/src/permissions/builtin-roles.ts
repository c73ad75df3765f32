/**
 * Built-in roles (read-only; tenants create their own roles for anything else).
 *
 * Account system:
 * | role              | department        | user                                   | role   | audit       | api_token | tenant           |
 * |-------------------|-------------------|----------------------------------------|--------|-------------|-----------|------------------|
 * | super_admin       | every action, all | every action, all                      | all    | view,export | create    | view,configure   |
 * | sales_director    | view: tree        | view,create,edit,assign: tree          | view   | –           | create    | view             |
 * | department_head   | view: tree        | view: tree; edit: department           | –      | –           | create    | –                |
 * | account_manager   | view: department  | view: department                       | –      | –           | create    | –                |
 * | customer_service, | view: department  | view: department, mobile+email masked  | –      | –           | –         | –                |
 * | technical_support,|                   |                                        |        |             |           |                  |
 * | delivery          |                   |                                        |        |             |           |                  |
 * | auditor           | –                 | –                                      | –      | view,export | –         | –                |
 *
 * Customer 360 (scopes look at the customer's owner — `self` — and owning department; the account
 * team adds customers outside the scope, see `customer-access.ts`):
 * | role              | customer                                         | contact, follow_up, order, service_record |
 * |-------------------|--------------------------------------------------|-------------------------------------------|
 * | super_admin       | every action, all                                | every action, all                         |
 * | sales_director    | view,create,edit,delete,assign,export,import: tree | view,create,edit,delete: tree           |
 * | department_head   | view,create,edit,assign,export,import: tree      | view,create,edit,delete: tree             |
 * | account_manager   | view,create,edit,import: self                    | view,create,edit,delete: self             |
 * | customer_service, | view: self (i.e. their account teams only)       | contact view (mobile, phone, email        |
 * | technical_support,|                                                  | masked); follow_up view,create;           |
 * | delivery          |                                                  | service_record view,create,edit: self     |
 * | auditor           | –                                                | –                                         |
 *
 * Rationale: the super admin sets everything up and automatically gets every catalogue pair (new resources
 * included) — nothing in the catalogue can erase audit entries. A director runs a sales organisation: sees and
 * staffs their department and everything below it, and may hand out existing roles (the server must reject
 * roles exceeding the director's own rights, see `exceedingGrants`) but cannot define roles. A department head
 * sees their subtree and maintains the users of their own department. Account managers see their own
 * department. Support staff are read-only and see colleagues' contact data masked. The auditor is separated
 * from administration (segregation of duties) and only reads/exports the audit log.
 * Approvals (decision 0014): `approval_flow.view/configure` (build the flows) — super admin and sales
 * director; `approval_request.create` (submit requests) — super admin, director, head, account manager.
 * Deciding needs no permission: only the users a flow names hold a seat, and only they may decide.
 * Tiering (decision 0016, not record-scoped): `tiering.view` (models, runs; breakdowns of the customers
 * the user may see) — every role but the auditor; `tiering.create` (start full runs and simulations)
 * and `tiering.configure` (models, publishing, the tier of record) — super admin and sales director.
 * For customers: reps own their customers and cannot export (exports leak data) or reassign them;
 * heads and directors assign, transfer and export within their subtree; only directors delete,
 * restore and merge. Support staff see exactly the customers whose account team they are on,
 * never edit master data, and log service records (with read-write team access).
 */
import type { LocalizedText } from '../i18n.js';
import {
  type Action,
  isRecordResource,
  RESOURCES,
  type Resource,
  resourceActions,
  type Scope,
} from './catalog.js';
import type { FieldRule, Grant } from './evaluate.js';

export const BUILTIN_ROLE_KEYS = [
  'super_admin',
  'sales_director',
  'department_head',
  'account_manager',
  'customer_service',
  'technical_support',
  'delivery',
  'auditor',
] as const;
export type BuiltinRoleKey = (typeof BUILTIN_ROLE_KEYS)[number];

export interface BuiltinRole {
  readonly key: BuiltinRoleKey;
  readonly name: LocalizedText;
  readonly description: LocalizedText;
  readonly grants: readonly Grant[];
  readonly fieldRules: readonly FieldRule[];
}

const grant = (resource: Resource, actions: Action[], scope?: Scope): Grant[] =>
  actions.map((action) => (scope ? { resource, action, scope } : { resource, action }));

/** The same actions on every record attached to a customer. */
const customerRecords = (actions: Action[], scope: Scope): Grant[] =>
  (['contact', 'follow_up', 'order', 'service_record'] as const).flatMap((r) => grant(r, actions, scope));

const everything: Grant[] = RESOURCES.flatMap((resource) =>
  grant(resource, resourceActions(resource), isRecordResource(resource) ? 'all' : undefined),
);

const supportStaff = (key: BuiltinRoleKey, name: LocalizedText, description: LocalizedText): BuiltinRole => ({
  key,
  name,
  description,
  grants: [
    ...grant('department', ['view'], 'department'),
    ...grant('user', ['view'], 'department'),
    ...grant('customer', ['view'], 'self'),
    ...grant('contact', ['view'], 'self'),
    ...grant('follow_up', ['view', 'create'], 'self'),
    ...grant('service_record', ['view', 'create', 'edit'], 'self'),
    ...grant('tiering', ['view']),
  ],
  fieldRules: [
    { resource: 'user', field: 'mobile', rule: 'masked' },
    { resource: 'user', field: 'email', rule: 'masked' },
    { resource: 'contact', field: 'mobile', rule: 'masked' },
    { resource: 'contact', field: 'phone', rule: 'masked' },
    { resource: 'contact', field: 'email', rule: 'masked' },
  ],
});

export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  {
    key: 'super_admin',
    name: { zh: '超级管理员', en: 'Super administrator' },
    description: {
      zh: '拥有全部权限，负责组织、用户、角色和安全策略的配置',
      en: 'Full access; sets up the organisation, users, roles and security policy',
    },
    grants: everything,
    fieldRules: [],
  },
  {
    key: 'sales_director',
    name: { zh: '销售总监', en: 'Sales director' },
    description: {
      zh: '管理本部门及下级部门的人员，可分配已有角色',
      en: 'Manages people in their department and below; can assign existing roles',
    },
    grants: [
      ...grant('department', ['view'], 'department_tree'),
      ...grant('user', ['view', 'create', 'edit', 'assign'], 'department_tree'),
      ...grant(
        'customer',
        ['view', 'create', 'edit', 'delete', 'assign', 'export', 'import'],
        'department_tree',
      ),
      ...customerRecords(['view', 'create', 'edit', 'delete'], 'department_tree'),
      ...grant('role', ['view']),
      ...grant('tenant', ['view']),
      ...grant('api_token', ['create']),
      ...grant('approval_flow', ['view', 'configure']),
      ...grant('approval_request', ['create']),
      ...grant('tiering', ['view', 'create', 'configure']),
    ],
    fieldRules: [],
  },
  {
    key: 'department_head',
    name: { zh: '部门主管', en: 'Department head' },
    description: {
      zh: '查看本部门及下级部门，维护本部门人员信息',
      en: 'Sees their department and below; maintains the users of their own department',
    },
    grants: [
      ...grant('department', ['view'], 'department_tree'),
      ...grant('user', ['view'], 'department_tree'),
      ...grant('user', ['edit'], 'department'),
      ...grant('customer', ['view', 'create', 'edit', 'assign', 'export', 'import'], 'department_tree'),
      ...customerRecords(['view', 'create', 'edit', 'delete'], 'department_tree'),
      ...grant('api_token', ['create']),
      ...grant('approval_request', ['create']),
      ...grant('tiering', ['view']),
    ],
    fieldRules: [],
  },
  {
    key: 'account_manager',
    name: { zh: '客户经理', en: 'Account manager' },
    description: {
      zh: '查看本部门及其成员，维护自己负责的客户',
      en: 'Sees their own department and its members; looks after the customers they own',
    },
    grants: [
      ...grant('department', ['view'], 'department'),
      ...grant('user', ['view'], 'department'),
      ...grant('customer', ['view', 'create', 'edit', 'import'], 'self'),
      ...customerRecords(['view', 'create', 'edit', 'delete'], 'self'),
      ...grant('api_token', ['create']),
      ...grant('approval_request', ['create']),
      ...grant('tiering', ['view']),
    ],
    fieldRules: [],
  },
  supportStaff(
    'customer_service',
    { zh: '客服', en: 'Customer service' },
    { zh: '只读查看本部门成员，联系方式脱敏', en: 'Read-only view of their department; contact data masked' },
  ),
  supportStaff(
    'technical_support',
    { zh: '技术支持', en: 'Technical support' },
    { zh: '只读查看本部门成员，联系方式脱敏', en: 'Read-only view of their department; contact data masked' },
  ),
  supportStaff(
    'delivery',
    { zh: '交付', en: 'Delivery' },
    { zh: '只读查看本部门成员，联系方式脱敏', en: 'Read-only view of their department; contact data masked' },
  ),
  {
    key: 'auditor',
    name: { zh: '审计员', en: 'Auditor' },
    description: {
      zh: '仅可查看和导出审计日志，与系统管理职责分离',
      en: 'Can only view and export the audit log; separated from administration',
    },
    grants: grant('audit', ['view', 'export']),
    fieldRules: [],
  },
];

export function builtinRole(key: BuiltinRoleKey): BuiltinRole {
  const role = BUILTIN_ROLES.find((r) => r.key === key);
  if (!role) throw new Error(`unknown built-in role ${key}`);
  return role;
}
