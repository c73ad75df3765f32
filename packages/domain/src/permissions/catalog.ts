import type { LocalizedText } from '../i18n.js';

export const ACTIONS = [
  'view',
  'create',
  'edit',
  'delete',
  'assign',
  'export',
  'import',
  'approve',
  'configure',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Data scopes of a grant on a record resource:
 * - self: records the actor "owns" (for users: their own user record);
 * - department: records in the actor's own department (not its children);
 * - department_tree: records in the actor's department or any descendant;
 * - all: every record of the tenant;
 * - custom: records in exactly the listed departments (children not included).
 */
export const SCOPES = ['self', 'department', 'department_tree', 'all', 'custom'] as const;
export type Scope = (typeof SCOPES)[number];

/** How a field is masked when a field rule says `masked`. `none` fields cannot be masked, only hidden. */
export type Sensitivity = 'mobile' | 'email' | 'text' | 'none';

export interface FieldDef {
  readonly label: LocalizedText;
  readonly sensitivity: Sensitivity;
}

export interface ResourceDef {
  readonly label: LocalizedText;
  /** Record resources carry a data scope on every grant; the others are all-or-nothing. */
  readonly recordScoped: boolean;
  /** The actions that exist for this resource, with their labels. */
  readonly actions: Partial<Record<Action, LocalizedText>>;
  /** Fields that field rules may target. */
  readonly fields: Readonly<Record<string, FieldDef>>;
}

/** The permission catalogue. A new resource (e.g. `customer`) is one more entry here. */
export const CATALOG = {
  department: {
    label: { zh: '部门', en: 'Departments' },
    recordScoped: true,
    actions: {
      view: { zh: '查看部门', en: 'View departments' },
      create: { zh: '新建部门', en: 'Create departments' },
      edit: { zh: '编辑部门（含调整上级）', en: 'Edit departments (incl. moving)' },
      delete: { zh: '删除部门', en: 'Delete departments' },
    },
    fields: {
      name: { label: { zh: '名称', en: 'Name' }, sensitivity: 'text' },
      code: { label: { zh: '编码', en: 'Code' }, sensitivity: 'text' },
      headUserId: { label: { zh: '负责人', en: 'Head' }, sensitivity: 'none' },
    },
  },
  user: {
    label: { zh: '用户', en: 'Users' },
    recordScoped: true,
    actions: {
      view: { zh: '查看用户', en: 'View users' },
      create: { zh: '新建用户', en: 'Create users' },
      edit: {
        zh: '编辑用户（含停用、启用、解锁、重置密码）',
        en: 'Edit users (incl. disable, enable, unlock, reset password)',
      },
      assign: { zh: '分配角色', en: 'Assign roles' },
    },
    fields: {
      login: { label: { zh: '用户名', en: 'Username' }, sensitivity: 'text' },
      displayName: { label: { zh: '姓名', en: 'Name' }, sensitivity: 'text' },
      email: { label: { zh: '邮箱', en: 'Email' }, sensitivity: 'email' },
      mobile: { label: { zh: '手机号', en: 'Mobile' }, sensitivity: 'mobile' },
      departmentId: { label: { zh: '所属部门', en: 'Department' }, sensitivity: 'none' },
      status: { label: { zh: '状态', en: 'Status' }, sensitivity: 'none' },
      lastLoginAt: { label: { zh: '最近登录', en: 'Last sign-in' }, sensitivity: 'none' },
    },
  },
  customer: {
    label: { zh: '客户', en: 'Customers' },
    recordScoped: true,
    actions: {
      view: { zh: '查看客户', en: 'View customers' },
      create: { zh: '新建客户', en: 'Create customers' },
      edit: { zh: '编辑客户资料与团队', en: 'Edit customers and their account teams' },
      delete: { zh: '删除、恢复与合并客户', en: 'Delete, restore and merge customers' },
      assign: { zh: '分配与转移客户', en: 'Assign and transfer customers' },
      export: { zh: '导出客户', en: 'Export customers' },
      import: { zh: '导入客户数据', en: 'Import customer data' },
    },
    fields: {
      creditCode: { label: { zh: '统一社会信用代码', en: 'Credit code' }, sensitivity: 'text' },
      address: { label: { zh: '地址', en: 'Address' }, sensitivity: 'text' },
      website: { label: { zh: '网址', en: 'Website' }, sensitivity: 'text' },
      notes: { label: { zh: '备注', en: 'Notes' }, sensitivity: 'text' },
      revenue12m: { label: { zh: '近 12 个月收入', en: 'Revenue (12 months)' }, sensitivity: 'none' },
    },
  },
  contact: {
    label: { zh: '联系人', en: 'Contacts' },
    recordScoped: true,
    actions: {
      view: { zh: '查看联系人', en: 'View contacts' },
      create: { zh: '新建联系人', en: 'Create contacts' },
      edit: { zh: '编辑联系人', en: 'Edit contacts' },
      delete: { zh: '删除联系人', en: 'Delete contacts' },
    },
    fields: {
      mobile: { label: { zh: '手机号', en: 'Mobile' }, sensitivity: 'mobile' },
      phone: { label: { zh: '座机', en: 'Phone' }, sensitivity: 'mobile' },
      email: { label: { zh: '邮箱', en: 'Email' }, sensitivity: 'email' },
      wechat: { label: { zh: '微信号', en: 'WeChat ID' }, sensitivity: 'text' },
      birthday: { label: { zh: '生日', en: 'Birthday' }, sensitivity: 'none' },
    },
  },
  follow_up: {
    label: { zh: '跟进记录', en: 'Follow-ups' },
    recordScoped: true,
    actions: {
      view: { zh: '查看跟进记录', en: 'View follow-ups' },
      create: { zh: '新建跟进记录', en: 'Log follow-ups' },
      edit: { zh: '编辑跟进记录', en: 'Edit follow-ups' },
      delete: { zh: '删除跟进记录', en: 'Delete follow-ups' },
    },
    fields: {},
  },
  order: {
    label: { zh: '订单与回款', en: 'Orders & payments' },
    recordScoped: true,
    actions: {
      view: { zh: '查看订单与回款', en: 'View orders and payments' },
      create: { zh: '新建订单与回款', en: 'Create orders and payments' },
      edit: { zh: '编辑订单与回款', en: 'Edit orders and payments' },
      delete: { zh: '删除订单与回款', en: 'Delete orders and payments' },
    },
    fields: {
      grossMargin: { label: { zh: '毛利', en: 'Gross margin' }, sensitivity: 'none' },
    },
  },
  service_record: {
    label: { zh: '服务记录', en: 'Service records' },
    recordScoped: true,
    actions: {
      view: { zh: '查看服务记录', en: 'View service records' },
      create: { zh: '新建服务记录', en: 'Create service records' },
      edit: { zh: '编辑与关闭服务记录', en: 'Edit and close service records' },
      delete: { zh: '删除服务记录', en: 'Delete service records' },
    },
    fields: {},
  },
  approval_flow: {
    label: { zh: '审批流程', en: 'Approval flows' },
    recordScoped: false,
    actions: {
      view: { zh: '查看审批流程', en: 'View approval flows' },
      configure: {
        zh: '配置审批流程（步骤、审批人、条件、时限）',
        en: 'Configure approval flows (steps, approvers, conditions, time limits)',
      },
    },
    fields: {},
  },
  approval_request: {
    label: { zh: '审批申请', en: 'Approval requests' },
    recordScoped: false,
    actions: {
      create: { zh: '提交审批申请', en: 'Submit approval requests' },
    },
    fields: {},
  },
  role: {
    label: { zh: '角色与权限', en: 'Roles & permissions' },
    recordScoped: false,
    actions: {
      view: { zh: '查看角色', en: 'View roles' },
      configure: {
        zh: '管理角色及其权限（新建、编辑、删除）',
        en: 'Manage roles and their permissions (create, edit, delete)',
      },
    },
    fields: {},
  },
  audit: {
    label: { zh: '审计日志', en: 'Audit log' },
    recordScoped: false,
    actions: {
      view: { zh: '查看审计日志', en: 'View the audit log' },
      export: { zh: '导出审计日志', en: 'Export the audit log' },
    },
    fields: {},
  },
  api_token: {
    label: { zh: 'API 令牌', en: 'API tokens' },
    recordScoped: false,
    actions: {
      create: { zh: '创建个人 API 令牌', en: 'Create personal API tokens' },
    },
    fields: {},
  },
  tenant: {
    label: { zh: '组织设置', en: 'Organisation settings' },
    recordScoped: false,
    actions: {
      view: { zh: '查看组织设置', en: 'View organisation settings' },
      configure: {
        zh: '修改组织设置（含安全策略）',
        en: 'Change organisation settings (incl. security policy)',
      },
    },
    fields: {},
  },
  tiering: {
    label: { zh: '客户分级', en: 'Customer tiering' },
    recordScoped: false,
    actions: {
      view: {
        zh: '查看分级模型、运行记录及可见客户的分级明细',
        en: 'View tier models, runs, and the tier breakdown of visible customers',
      },
      create: { zh: '运行分级（全量重算与模拟）', en: 'Run tiering (full runs and simulations)' },
      configure: {
        zh: '配置分级模型（新建、编辑、发布、设为正式分级）',
        en: 'Configure tier models (create, edit, publish, choose the tier of record)',
      },
    },
    fields: {},
  },
} as const satisfies Record<string, ResourceDef>;

export type Resource = keyof typeof CATALOG;
export type ActionOf<R extends Resource> = keyof (typeof CATALOG)[R]['actions'] & Action;
export type FieldOf<R extends Resource> = keyof (typeof CATALOG)[R]['fields'] & string;
/** `resource.action`, restricted to the pairs that exist in the catalogue. */
export type PermissionKey = { [R in Resource]: `${R}.${ActionOf<R>}` }[Resource];

export const SCOPE_LABELS: Readonly<Record<Scope, LocalizedText>> = {
  self: { zh: '仅本人', en: 'Own only' },
  department: { zh: '本部门', en: 'Own department' },
  department_tree: { zh: '本部门及下级部门', en: 'Own department and below' },
  all: { zh: '全部', en: 'All' },
  custom: { zh: '指定部门', en: 'Selected departments' },
};

const def = (resource: Resource): ResourceDef => CATALOG[resource];

export const RESOURCES = Object.keys(CATALOG) as readonly Resource[];

export function isResource(value: string): value is Resource {
  return Object.hasOwn(CATALOG, value);
}

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isRecordResource(resource: Resource): boolean {
  return def(resource).recordScoped;
}

/** The actions that exist for a resource, in `ACTIONS` order. */
export function resourceActions(resource: Resource): Action[] {
  const actions = def(resource).actions;
  return ACTIONS.filter((action) => action in actions);
}

export function resourceFields(resource: Resource): string[] {
  return Object.keys(def(resource).fields);
}

/** The field's sensitivity, or `undefined` when the field is not in the catalogue. */
export function fieldSensitivity(resource: Resource, field: string): Sensitivity | undefined {
  const fields = def(resource).fields;
  return Object.hasOwn(fields, field) ? fields[field]?.sensitivity : undefined;
}

/** The key for a pair, or `null` when the pair is not in the catalogue. */
export function toPermissionKey(resource: Resource, action: Action): PermissionKey | null {
  return action in def(resource).actions ? (`${resource}.${action}` as PermissionKey) : null;
}

export const PERMISSION_KEYS: readonly PermissionKey[] = RESOURCES.flatMap((resource) =>
  resourceActions(resource).map((action) => `${resource}.${action}` as PermissionKey),
);

export function isPermissionKey(value: string): value is PermissionKey {
  return (PERMISSION_KEYS as readonly string[]).includes(value);
}

export function parsePermissionKey(key: PermissionKey): { resource: Resource; action: Action } {
  const dot = key.lastIndexOf('.');
  return { resource: key.slice(0, dot) as Resource, action: key.slice(dot + 1) as Action };
}
