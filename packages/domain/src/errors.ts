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

  // Customer 360
  CUSTOMER_DUPLICATE: {
    status: 409,
    zh: '客户已存在：{reason}',
    en: 'This customer already exists: {reason}.',
  },
  CUSTOMER_DUPLICATE_OWNED: {
    status: 409,
    zh: '该客户已由 {owner} 负责',
    en: 'This customer already exists and is owned by {owner}.',
  },
  CUSTOMER_SIMILAR: {
    status: 409,
    zh: '发现名称相近的客户，请确认不是重复客户；如确需新建，请填写原因',
    en: 'Customers with a similar name exist. Confirm it is not a duplicate and give a reason to go ahead.',
  },
  CUSTOMER_DELETED: {
    status: 409,
    zh: '该客户已被删除',
    en: 'This customer has been deleted.',
  },
  CUSTOMER_NOT_DELETED: {
    status: 409,
    zh: '该客户未被删除，无需恢复',
    en: 'This customer is not deleted.',
  },
  MERGE_SAME_CUSTOMER: {
    status: 409,
    zh: '不能将客户与其自身合并',
    en: 'A customer cannot be merged into itself.',
  },
  OWNER_INVALID: {
    status: 400,
    zh: '负责人必须是启用状态的用户',
    en: 'The owner must be an active user.',
  },
  TEAM_MEMBER_EXISTS: {
    status: 409,
    zh: '该成员已在客户团队中',
    en: 'This person is already on the account team.',
  },
  TEAM_OWNER_FIXED: {
    status: 409,
    zh: '负责人由分配/转移操作维护，不能在团队中直接修改或移除',
    en: 'The owner is changed by assigning or transferring the customer, not on the team.',
  },
  ORDER_NO_TAKEN: {
    status: 409,
    zh: '订单编号已存在',
    en: 'This order number is already in use.',
  },
  IMPORT_STATE_INVALID: {
    status: 409,
    zh: '导入任务当前状态不允许此操作：{state}',
    en: 'The import cannot do this in its current state: {state}.',
  },
  IMPORT_FILE_INVALID: {
    status: 400,
    zh: '无法读取文件：{reason}',
    en: 'The file cannot be read: {reason}.',
  },
  IMPORT_MAPPING_INVALID: {
    status: 400,
    zh: '列映射不完整：{reason}',
    en: 'The column mapping is incomplete: {reason}.',
  },
  EXPORT_TOO_LARGE: {
    status: 413,
    zh: '导出行数超过上限 {max}，请缩小筛选范围',
    en: 'The export exceeds {max} rows. Narrow the filter.',
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
  CREDIT_CODE_INVALID: {
    status: 400,
    zh: '统一社会信用代码无效（18 位，校验位不符或含无效字符）',
    en: 'Invalid unified social credit code (18 characters with a valid check character).',
  },
  COMPANY_NAME_INVALID: {
    status: 400,
    zh: '请输入有效的公司名称（2–100 个字符）',
    en: 'Enter a valid company name (2–100 characters).',
  },
  INDUSTRY_INVALID: {
    status: 400,
    zh: '行业须为国民经济行业分类 A–T 门类之一',
    en: 'The industry must be one of the GB/T 4754 sections A–T.',
  },
  REGION_INVALID: {
    status: 400,
    zh: '地区代码无效（GB/T 2260 省或地级市代码）',
    en: 'Invalid region code (a GB/T 2260 province or city code).',
  },
  PHONE_INVALID: {
    status: 400,
    zh: '请输入有效的电话号码',
    en: 'Enter a valid phone number.',
  },
  AMOUNT_INVALID: {
    status: 400,
    zh: '金额格式不正确（最多两位小数）',
    en: 'Invalid amount (at most two decimal places).',
  },
  AMOUNT_NEGATIVE: { status: 400, zh: '金额不能为负数', en: 'The amount must not be negative.' },
  DATE_INVALID: {
    status: 400,
    zh: '日期格式不正确（例如 2026-01-31）',
    en: 'Invalid date (e.g. 2026-01-31).',
  },
  ENUM_INVALID: {
    status: 400,
    zh: '取值不在可选范围内：{allowed}',
    en: 'The value is not one of: {allowed}.',
  },
  URL_INVALID: { status: 400, zh: '网址格式不正确', en: 'Enter a valid web address.' },
  NUMERIC_CELL_TEXT_EXPECTED: {
    status: 400,
    zh: '该列须为文本格式：Excel 将长数字保存为数值会丢失精度，请将单元格设为文本后重新填写',
    en: 'This column must be text: Excel stores long numbers with lost digits. Format the cells as text and re-enter them.',
  },
  USER_NOT_FOUND_BY_NAME: {
    status: 400,
    zh: '找不到用户：{name}',
    en: 'No such user: {name}.',
  },
  CUSTOMER_NOT_FOUND_BY_KEY: {
    status: 400,
    zh: '找不到客户：{key}',
    en: 'No such customer: {key}.',
  },
  DUPLICATE_IN_FILE: {
    status: 400,
    zh: '与文件第 {row} 行重复',
    en: 'Duplicates row {row} of the file.',
  },
  FORMULA_NOT_ALLOWED: {
    status: 400,
    zh: '单元格包含公式且无计算结果，请粘贴为数值',
    en: 'The cell holds a formula without a value. Paste it as a value.',
  },
  TAGS_INVALID: {
    status: 400,
    zh: '标签最多 20 个，每个不超过 20 个字符',
    en: 'At most 20 tags of up to 20 characters each.',
  },
  // Approval flows
  APPROVAL_REQUEST_TYPE_INVALID: {
    status: 400,
    zh: '审批类型无效',
    en: 'The approval request type is not valid.',
  },
  APPROVAL_NO_STEPS: {
    status: 400,
    zh: '审批流程至少需要一个步骤',
    en: 'An approval flow needs at least one step.',
  },
  APPROVAL_STEP_ID_DUPLICATE: {
    status: 400,
    zh: '步骤标识重复：{id}',
    en: 'Duplicate step id: {id}.',
  },
  APPROVAL_STEP_NO_APPROVERS: {
    status: 400,
    zh: '每个步骤至少需要一个审批人',
    en: 'Every step needs at least one approver.',
  },
  APPROVAL_CONDITION_INVALID: {
    status: 400,
    zh: '步骤条件设置有误，请检查字段、运算符和取值',
    en: 'The step condition is invalid. Check its field, operator and value.',
  },
  APPROVAL_CONDITION_TOO_DEEP: {
    status: 400,
    zh: '条件嵌套不能超过 {max} 层',
    en: 'Conditions can be nested at most {max} levels deep.',
  },
  APPROVAL_NO_APPROVER: {
    status: 409,
    zh: '审批步骤“{step}”找不到审批人，请联系管理员检查审批流程或部门负责人设置',
    en: 'No approver found for step "{step}". Ask an administrator to check the approval flow and department heads.',
  },
  APPROVAL_ALREADY_DECIDED: {
    status: 409,
    zh: '该审批已结束，无法再处理',
    en: 'This request has already been decided.',
  },
  APPROVAL_STATE_INVALID: {
    status: 409,
    zh: '审批单当前状态不允许此操作',
    en: 'The request cannot do this in its current state.',
  },
  APPROVAL_SELF_APPROVAL: {
    status: 403,
    zh: '不能审批自己提交的申请',
    en: 'You cannot decide on your own request.',
  },
  APPROVAL_NOT_APPROVER: {
    status: 403,
    zh: '您不是当前步骤的审批人',
    en: 'You are not an approver of the current step.',
  },
  APPROVAL_ALREADY_VOTED: {
    status: 409,
    zh: '您已处理过当前步骤',
    en: 'You have already decided on this step.',
  },
  APPROVAL_REASON_REQUIRED: {
    status: 400,
    zh: '请填写原因',
    en: 'Please give a reason.',
  },
  APPROVAL_NOT_REQUESTER: {
    status: 403,
    zh: '只有申请人可以执行此操作',
    en: 'Only the requester can do this.',
  },
  APPROVAL_NOT_PARTICIPANT: {
    status: 403,
    zh: '只有申请人和审批人可以评论',
    en: 'Only the requester and approvers can comment.',
  },
  APPROVAL_TIMEOUT_STALE: {
    status: 409,
    zh: '审批超时提醒已失效',
    en: 'This approval timeout no longer applies.',
  },
  APPROVAL_FLOW_NOT_CONFIGURED: {
    status: 409,
    zh: '“{type}”尚未配置审批流程，请联系管理员',
    en: 'No approval flow has been set up for "{type}". Ask an administrator.',
  },
  APPROVAL_EFFECT_FAILED: {
    status: 409,
    zh: '审批通过后无法执行：{reason}。审批单仍为待审批状态',
    en: 'The approved change could not be carried out: {reason} The request stays pending.',
  },
  APPROVAL_DELEGATE_INVALID: {
    status: 400,
    zh: '代理人须为本组织中的其他在职用户',
    en: 'The delegate must be another active user of the organisation.',
  },
  APPROVAL_SAME_OWNER: {
    status: 400,
    zh: '该客户已由此人负责',
    en: 'This user already owns the customer.',
  },
  DATE_RANGE_INVALID: {
    status: 400,
    zh: '结束日期不能早于开始日期',
    en: 'The end date must not be before the start date.',
  },
  IMPORT_RECORD_EXISTS: {
    status: 409,
    zh: '已存在相同的记录：{name}',
    en: 'The same record already exists: {name}.',
  },
  // Why a background job (an import, a tiering run) stopped: recorded on it, shown in the reader's language
  // (the status is that of the job's failure, never answered to a request)
  JOB_FAILED: {
    status: 500,
    zh: '后台任务出错而中止，请重试；如仍失败请联系管理员（{reason}）',
    en: 'The background job stopped with an error. Try again; if it fails again, contact the administrator ({reason}).',
  },
  IMPORT_NOT_ALLOWED_ANYMORE: {
    status: 403,
    zh: '发起导入的用户已停用或不再拥有导入权限，导入已中止',
    en: 'The user who started the import is disabled or may no longer import: the import stopped.',
  },
  IMPORT_DRY_RUN_STALE: {
    status: 409,
    zh: '试导入结果已失效，请重新试导入后再导入',
    en: 'The dry run is no longer available. Repeat the dry run, then import.',
  },
  TIERING_RUN_STALLED: {
    status: 500,
    zh: '运行停滞：已 {attempts} 次交给其他工作进程继续，仍无进展',
    en: 'Stalled: no progress after {attempts} hand-overs to another worker.',
  },
  TIERING_RUN_ABANDONED: {
    status: 500,
    zh: '运行中断：{hours} 小时无进展',
    en: 'Abandoned: no progress for {hours} hours.',
  },
  TIERING_RUN_STAGE_LOST: {
    status: 500,
    zh: '运行期间数据库服务器重启，暂存的指标已丢失，请重新运行',
    en: 'The database server restarted during the run and its staged metrics were lost: run it again.',
  },
  IMPORT_BATCH_FAILED: {
    status: 409,
    zh: '第 {first}–{last} 行所在批次导入失败，已整体回滚（{reason}）',
    en: 'The batch of rows {first}–{last} failed and was rolled back as a whole ({reason}).',
  },
  // Tiering
  TIERING_WEIGHTS_SUM: {
    status: 400,
    zh: '各维度权重之和须恰好为 100%（当前为 {sum}%）',
    en: 'The dimension weights must add up to exactly 100% (now {sum}%).',
  },
  TIERING_THRESHOLDS_INVALID: {
    status: 400,
    zh: '分级阈值须在 0–100 之间、从高到低严格递减，且最低一级从 0 分开始',
    en: 'Tier thresholds must lie within 0–100, decrease strictly from the top tier down, and the lowest tier must start at 0.',
  },
  TIERING_TIER_DUPLICATE: { status: 400, zh: '级别重复：{id}', en: 'Duplicate tier: {id}.' },
  TIERING_TIER_UNKNOWN: {
    status: 400,
    zh: '该模型中没有此级别：{id}',
    en: 'This model has no tier {id}.',
  },
  TIERING_RULE_DUPLICATE: { status: 400, zh: '规则标识重复：{id}', en: 'Duplicate rule id: {id}.' },
  TIERING_DIMENSION_DUPLICATE: { status: 400, zh: '维度重复：{key}', en: 'Duplicate dimension: {key}.' },
  TIERING_METRIC_INVALID: { status: 400, zh: '指标无效', en: 'The metric is not valid.' },
  TIERING_BOUNDS_INVALID: {
    status: 400,
    zh: '下限须小于上限（对数刻度的下限不能为负数）',
    en: 'The lower bound must be below the upper bound (and not negative on a logarithmic scale).',
  },
  TIERING_BANDS_INVALID: {
    status: 400,
    zh: '分段须按下限从高到低排列，且下限不能重复',
    en: 'Bands must be listed by their lower limit from highest to lowest, without repeats.',
  },
  TIERING_CATEGORY_DUPLICATE: { status: 400, zh: '类别重复：{value}', en: 'Duplicate category: {value}.' },
  TIERING_AT_LEAST_INVALID: {
    status: 400,
    zh: '“至少满足 k 项”中的 k 须在 1 到 {max} 之间',
    en: '"At least k of n" needs k between 1 and {max}.',
  },
  TIERING_POPULATION_MISSING: {
    status: 409,
    zh: '缺少指标“{metric}”的总体统计，请先完成一次全量分级',
    en: 'Population statistics for "{metric}" are missing. Run a full tiering run first.',
  },
  TIERING_FIT_INSUFFICIENT_DATA: {
    status: 409,
    zh: '数据不足，无法拟合模型（至少需要 {min} 位有复购的客户）',
    en: 'Not enough data to fit the model (at least {min} customers with repeat purchases are needed).',
  },
  TIERING_MODEL_NAME_TAKEN: {
    status: 409,
    zh: '已存在同名的分级模型',
    en: 'A tier model with this name already exists.',
  },
  TIERING_MODEL_KIND_FIXED: {
    status: 400,
    zh: '模型类型创建后不能更改',
    en: 'The kind of a model cannot be changed after it is created.',
  },
  TIERING_METRIC_UNAVAILABLE: {
    status: 400,
    zh: '指标 {metric} 暂不能用于此处',
    en: 'The metric {metric} cannot be used here.',
  },
  TIERING_NO_DRAFT: {
    status: 409,
    zh: '模型没有待发布的草稿',
    en: 'The model has no draft to publish.',
  },
  TIERING_NOT_PUBLISHED: {
    status: 409,
    zh: '模型尚未发布，请先发布再运行',
    en: 'The model has not been published yet. Publish it before running it.',
  },
  TIERING_RUN_UNSUPPORTED: {
    status: 409,
    zh: '此类模型暂不支持运行',
    en: 'Models of this kind cannot be run yet.',
  },
  TIERING_SIMULATION_UNSUPPORTED: {
    status: 409,
    zh: '客户终身价值模型没有级别，不能模拟：请发布后运行，在运行结果中查看拟合参数',
    en: 'A customer lifetime value model has no tiers to simulate. Publish and run it to see its fitted parameters.',
  },
  TIERING_RUN_IN_PROGRESS: {
    status: 409,
    zh: '该模型已有运行中的任务，请等待其完成',
    en: 'A run of this model is already in progress. Wait for it to finish.',
  },
  TIERING_RECORD_MODEL_INVALID: {
    status: 400,
    zh: '分级结果模型必须是已发布的加权评分或条件分级模型',
    en: 'The tier of record must come from a published weighted or criteria model.',
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
