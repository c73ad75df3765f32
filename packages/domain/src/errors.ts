import type { Locale } from './i18n.js';

export interface ErrorDef {
  /** HTTP status the server answers with. */
  readonly status: number;
  readonly zh: string;
  readonly en: string;
}

/**
 * Stable error codes shared by server, UI and API clients. Messages may contain `{param}` placeholders;
 * both languages use the same placeholders. Field-level codes (400) are also used as zod issue messages.
 */
export const ERRORS = {
  // Generic
  VALIDATION_FAILED: {
    status: 400,
    zh: '提交的数据有误，请检查后重试',
    en: 'Some of the submitted data is invalid.',
  },
  OUT_OF_RANGE: { status: 400, zh: '取值超出允许范围', en: 'The value is outside the allowed range.' },
  REQUIRED: { status: 400, zh: '此项为必填项', en: 'This field is required.' },
  UNKNOWN_PROPERTY: { status: 400, zh: '不支持的字段：{name}', en: 'Unknown property: {name}.' },
  INVALID_VALUE: { status: 400, zh: '取值格式不正确', en: 'The value is not valid.' },
  TOO_LONG: { status: 400, zh: '长度不能超过 {max} 个字符', en: 'Must be at most {max} characters.' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容过大', en: 'The request is too large.' },
  RATE_LIMITED: {
    status: 429,
    zh: '操作过于频繁，请稍后再试',
    en: 'Too many requests. Please try again later.',
  },
  NOT_FOUND: {
    status: 404,
    zh: '记录不存在或已被删除',
    en: 'The record does not exist or has been deleted.',
  },
  CONFLICT: { status: 409, zh: '操作与现有数据冲突', en: 'The operation conflicts with existing data.' },
  VERSION_CONFLICT: {
    status: 409,
    zh: '数据已被他人修改，请刷新后重试',
    en: 'Someone else changed this record. Refresh and try again.',
  },
  INTERNAL: { status: 500, zh: '系统繁忙，请稍后再试', en: 'Something went wrong. Please try again later.' },
  TENANT_NOT_FOUND: { status: 404, zh: '组织不存在', en: 'The organisation does not exist.' },

  // Authentication and sessions
  AUTH_REQUIRED: { status: 401, zh: '请先登录', en: 'Please sign in.' },
  AUTH_INVALID_CREDENTIALS: { status: 401, zh: '用户名或密码错误', en: 'Incorrect username or password.' },
  AUTH_LOCKED: {
    status: 401,
    zh: '账号已锁定，请稍后再试或联系管理员',
    en: 'This account is locked. Try again later or contact your administrator.',
  },
  AUTH_DISABLED: {
    status: 401,
    zh: '账号已停用，请联系管理员',
    en: 'This account has been disabled. Contact your administrator.',
  },
  SESSION_EXPIRED: {
    status: 401,
    zh: '登录已过期，请重新登录',
    en: 'Your session has expired. Please sign in again.',
  },
  CSRF_INVALID: {
    status: 403,
    zh: '页面已失效，请刷新后重试',
    en: 'This page has expired. Refresh and try again.',
  },
  PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    zh: '请先修改密码',
    en: 'You need to change your password before continuing.',
  },
  PASSWORD_EXPIRED: {
    status: 403,
    zh: '密码已过期，请修改密码',
    en: 'Your password has expired. Please change it.',
  },
  CURRENT_PASSWORD_INCORRECT: { status: 400, zh: '当前密码不正确', en: 'The current password is incorrect.' },

  // Password policy
  PASSWORD_TOO_SHORT: {
    status: 400,
    zh: '密码长度不能少于 {min} 位',
    en: 'The password must be at least {min} characters long.',
  },
  PASSWORD_TOO_LONG: {
    status: 400,
    zh: '密码长度不能超过 {max} 位',
    en: 'The password must be at most {max} characters long.',
  },
  PASSWORD_TOO_FEW_CLASSES: {
    status: 400,
    zh: '密码须包含大写字母、小写字母、数字、特殊字符中的至少 {min} 种',
    en: 'The password must contain at least {min} of: lowercase letters, uppercase letters, digits, symbols.',
  },
  PASSWORD_CONTAINS_LOGIN: {
    status: 400,
    zh: '密码不能包含用户名',
    en: 'The password must not contain the username.',
  },
  PASSWORD_REUSED: {
    status: 400,
    zh: '不能使用最近 {count} 次用过的密码',
    en: 'The password must differ from your last {count} passwords.',
  },

  // Authorisation
  FORBIDDEN: { status: 403, zh: '您没有执行此操作的权限', en: 'You do not have permission to do this.' },
  ROLE_GRANT_EXCEEDED: {
    status: 403,
    zh: '不能授予超出您自身权限的角色',
    en: 'You cannot assign a role with rights beyond your own.',
  },
  TOKEN_PERMISSION_EXCEEDED: {
    status: 400,
    zh: '令牌权限不能超出您自身的权限',
    en: 'A token cannot have rights beyond your own.',
  },
  PERMISSION_INVALID: { status: 400, zh: '权限配置无效', en: 'The permission settings are invalid.' },

  // Business rules
  LOGIN_TAKEN: { status: 409, zh: '该用户名已被使用', en: 'This username is already taken.' },
  DEPARTMENT_NAME_TAKEN: {
    status: 409,
    zh: '同一上级部门下已有同名部门',
    en: 'A department with this name already exists under the same parent.',
  },
  DEPARTMENT_CODE_TAKEN: {
    status: 409,
    zh: '该部门编码已被使用',
    en: 'This department code is already in use.',
  },
  DEPARTMENT_NOT_EMPTY: {
    status: 409,
    zh: '该部门下仍有成员或下级部门，无法删除',
    en: 'The department still has members or sub-departments and cannot be deleted.',
  },
  DEPARTMENT_CYCLE: {
    status: 409,
    zh: '不能将部门移动到其自身或下级部门之下',
    en: 'A department cannot be moved under itself or one of its sub-departments.',
  },
  ROLE_BUILTIN_READONLY: {
    status: 409,
    zh: '内置角色不能修改或删除',
    en: 'Built-in roles cannot be changed or deleted.',
  },
  ROLE_IN_USE: {
    status: 409,
    zh: '该角色仍分配给用户，无法删除',
    en: 'This role is still assigned to users and cannot be deleted.',
  },
  LAST_SUPER_ADMIN: {
    status: 409,
    zh: '系统至少需要保留一名启用状态的超级管理员',
    en: 'At least one active super administrator must remain.',
  },
  SELF_ACTION_FORBIDDEN: {
    status: 409,
    zh: '不能对自己的账号执行此操作',
    en: 'You cannot perform this action on your own account.',
  },

  // Field validation
  MOBILE_INVALID: {
    status: 400,
    zh: '请输入有效的中国大陆手机号',
    en: 'Enter a valid mainland China mobile number.',
  },
  EMAIL_INVALID: { status: 400, zh: '邮箱格式不正确', en: 'Enter a valid email address.' },
  LOGIN_INVALID: {
    status: 400,
    zh: '用户名须为 3–32 位字母、数字或 . _ -，且以字母或数字开头',
    en: 'Usernames have 3–32 letters, digits, or . _ - and start with a letter or digit.',
  },
  NAME_INVALID: { status: 400, zh: '名称包含无效字符', en: 'The name contains invalid characters.' },
  CODE_INVALID: {
    status: 400,
    zh: '编码须为 1–32 位字母、数字或 . _ -，且以字母或数字开头',
    en: 'Codes have 1–32 letters, digits, or . _ - and start with a letter or digit.',
  },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams = Readonly<Record<string, string | number>>;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERRORS, value);
}

/** The message for a code in a locale, with `{param}` placeholders filled (unknown ones are left as is). */
export function errorMessage(code: ErrorCode, locale: Locale, params: ErrorParams = {}): string {
  const def: ErrorDef = ERRORS[code];
  const template = locale === 'zh-CN' ? def.zh : def.en;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The placeholder names a message template uses, sorted. */
export function messagePlaceholders(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(/\{(\w+)\}/g), (m) => m[1] ?? ''))].sort();
}

/** A domain rule violation carrying a stable code; the server maps it to `ERRORS[code].status`. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}) {
    super(errorMessage(code, 'en', params));
    this.name = 'DomainError';
    this.code = code;
    this.params = params;
  }
}
