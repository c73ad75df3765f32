import { download, http, type Query } from './api';
import type {
  ApiToken,
  AuditLog,
  AuditVerifyResult,
  Contact,
  ContactFields,
  Customer,
  CustomerCreateBody,
  CustomerFilter,
  CustomerPatchBody,
  CustomerSummary,
  Department,
  DuplicateReport,
  FieldRule,
  FollowUp,
  FollowUpFields,
  Grant,
  Locale,
  LoginResponse,
  Me,
  Order,
  OwnershipEntry,
  Page,
  Payment,
  PermissionCatalog,
  Role,
  SavedView,
  SecurityPolicy,
  SecurityPolicyPresets,
  SecurityPolicyResponse,
  ServiceRecord,
  ServiceSeverity,
  ServiceType,
  SessionInfo,
  TeamAccess,
  TeamCandidate,
  TeamMember,
  TeamRole,
  TimelineItem,
  TimelineKind,
  User,
  UserStatus,
  UserWithPassword,
} from './types';

const enc = encodeURIComponent;

export const authApi = {
  login: (body: { login: string; password: string; organization?: string }) =>
    http.post<LoginResponse>('/auth/login', body),
  logout: () => http.post<void>('/auth/logout'),
  logoutAll: () => http.post<void>('/auth/logout-all'),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    http.post<{ csrfToken: string }>('/auth/password', body),
};

export const meApi = {
  get: () => http.get<Me>('/me'),
  update: (body: { locale?: Locale; displayName?: string }) => http.patch<Me>('/me', body),
  sessions: () => http.get<{ items: SessionInfo[] }>('/sessions'),
};

export const departmentsApi = {
  /** Fetches every department visible to me (follows cursors; bounded). */
  async listAll(): Promise<Department[]> {
    const all: Department[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i += 1) {
      const page: Page<Department> = await http.get<Page<Department>>('/departments', {
        limit: 1000,
        cursor,
      });
      all.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return all;
  },
  create: (body: {
    name: string;
    parentId: string | null;
    code?: string | null;
    headUserId?: string | null;
  }) => http.post<Department>('/departments', body),
  update: (
    id: string,
    body: { version: number; name?: string; code?: string | null; headUserId?: string | null },
  ) => http.patch<Department>(`/departments/${enc(id)}`, body),
  move: (id: string, body: { version: number; parentId: string | null }) =>
    http.post<Department>(`/departments/${enc(id)}/move`, body),
  remove: (id: string, version: number) => http.del(`/departments/${enc(id)}`, { version }),
};

export interface UserQuery {
  q?: string;
  departmentId?: string;
  includeSubtree?: boolean;
  status?: UserStatus;
  roleId?: string;
  sort?: 'displayName' | 'login' | 'createdAt' | 'lastLoginAt';
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string | null;
}

export interface UserCreateBody {
  login: string;
  displayName: string;
  email?: string;
  mobile?: string;
  departmentId: string;
  roleIds: string[];
  password?: string;
}

export interface UserUpdateBody {
  version: number;
  displayName?: string;
  email?: string | null;
  mobile?: string | null;
  departmentId?: string;
}

export const usersApi = {
  list: (query: UserQuery, signal?: AbortSignal) =>
    http.get<Page<User>>('/users', { ...query } as Query, signal),
  get: (id: string) => http.get<User>(`/users/${enc(id)}`),
  create: (body: UserCreateBody) => http.post<UserWithPassword>('/users', body),
  update: (id: string, body: UserUpdateBody) => http.patch<User>(`/users/${enc(id)}`, body),
  setRoles: (id: string, body: { version: number; roleIds: string[] }) =>
    http.put<User>(`/users/${enc(id)}/roles`, body),
  disable: (id: string, version: number) => http.post<User>(`/users/${enc(id)}/disable`, { version }),
  enable: (id: string, version: number) => http.post<User>(`/users/${enc(id)}/enable`, { version }),
  unlock: (id: string, version: number) => http.post<User>(`/users/${enc(id)}/unlock`, { version }),
  resetPassword: (id: string, version: number) =>
    http.post<UserWithPassword>(`/users/${enc(id)}/reset-password`, { version }),
};

export interface RoleBody {
  name: string;
  description: string;
  grants: Grant[];
  fieldRules: FieldRule[];
}

export const rolesApi = {
  list: () => http.get<Page<Role>>('/roles', { limit: 1000 }),
  get: (id: string) => http.get<Role>(`/roles/${enc(id)}`),
  create: (body: RoleBody & { copyFromRoleId?: string }) => http.post<Role>('/roles', body),
  update: (id: string, body: RoleBody & { version: number }) => http.put<Role>(`/roles/${enc(id)}`, body),
  remove: (id: string, version: number) => http.del(`/roles/${enc(id)}`, { version }),
  catalog: () => http.get<PermissionCatalog>('/permission-catalog'),
};

export const tokensApi = {
  list: () => http.get<{ items: ApiToken[] }>('/api-tokens'),
  create: (body: { name: string; permissions: string[]; expiresAt?: string }) =>
    http.post<{ token: ApiToken; secret: string }>('/api-tokens', body),
  revoke: (id: string) => http.del(`/api-tokens/${enc(id)}`),
};

export interface AuditQuery {
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
  q?: string;
}

export const auditApi = {
  list: (query: AuditQuery & { limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
    http.get<Page<AuditLog>>('/audit-logs', { ...query } as Query, signal),
  verify: () => http.get<AuditVerifyResult>('/audit-logs/verify'),
  exportCsv: (query: AuditQuery) => download('/audit-logs/export', { ...query } as Query),
};

export const securityApi = {
  get: () => http.get<SecurityPolicyResponse>('/security-policy'),
  update: (body: { version: number; policy: SecurityPolicy }) =>
    http.put<SecurityPolicyResponse>('/security-policy', body),
  presets: () => http.get<SecurityPolicyPresets>('/security-policy/presets'),
};

/** A customer filter as query parameters (lists are sent as repeated keys). */
export function customerFilterQuery(filter: CustomerFilter): Query {
  return {
    q: filter.q,
    ownerId: filter.ownerId,
    departmentId: filter.departmentId,
    includeSubtree: filter.departmentId ? filter.includeSubtree : undefined,
    industry: filter.industry,
    provinceCode: filter.provinceCode,
    cityCode: filter.cityCode,
    status: filter.status,
    tags: filter.tags,
    tier: filter.tier,
    lastFollowUpBefore: filter.lastFollowUpBefore,
    lastFollowUpAfter: filter.lastFollowUpAfter,
    revenueMin: filter.revenueMin,
    revenueMax: filter.revenueMax,
    sort: filter.sort,
    order: filter.sort ? filter.order : undefined,
  };
}

export const customersApi = {
  list: (filter: CustomerFilter, page: { limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
    http.get<Page<Customer>>('/customers', { ...customerFilterQuery(filter), ...page }, signal),
  get: (id: string) => http.get<Customer>(`/customers/${enc(id)}`),
  create: (body: CustomerCreateBody) => http.post<Customer>('/customers', body),
  update: (id: string, body: CustomerPatchBody) => http.patch<Customer>(`/customers/${enc(id)}`, body),
  remove: (id: string, version: number) => http.del(`/customers/${enc(id)}`, { version }),
  checkDuplicates: (body: { name?: string; creditCode?: string; excludeId?: string }) =>
    http.post<DuplicateReport>('/customers/check-duplicates', body),
  assign: (
    id: string,
    body: { ownerId: string; reason: string; version: number; includeOpenFollowUps?: boolean },
  ) => http.post<Customer>(`/customers/${enc(id)}/assign`, body),
  summary: (id: string) => http.get<CustomerSummary>(`/customers/${enc(id)}/summary`),
  timeline: (
    id: string,
    query: { kinds?: TimelineKind[]; limit?: number; cursor?: string | null },
    signal?: AbortSignal,
  ) => http.get<Page<TimelineItem>>(`/customers/${enc(id)}/timeline`, { ...query }, signal),
  ownershipHistory: (id: string, query: { limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
    http.get<Page<OwnershipEntry>>(`/customers/${enc(id)}/ownership-history`, { ...query }, signal),
  team: (id: string) => http.get<Page<TeamMember>>(`/customers/${enc(id)}/team`, { limit: 200 }),
  teamCandidates: (id: string, q: string, signal?: AbortSignal) =>
    http.get<{ items: TeamCandidate[] }>(
      `/customers/${enc(id)}/team/candidates`,
      { q: q || undefined, limit: 20 },
      signal,
    ),
  addMember: (id: string, body: { userId: string; teamRole: TeamRole; access: TeamAccess }) =>
    http.post<TeamMember>(`/customers/${enc(id)}/team`, body),
  updateMember: (id: string, userId: string, body: { teamRole?: TeamRole; access?: TeamAccess }) =>
    http.patch<TeamMember>(`/customers/${enc(id)}/team/${enc(userId)}`, body),
  removeMember: (id: string, userId: string) => http.del(`/customers/${enc(id)}/team/${enc(userId)}`),
};

export const savedViewsApi = {
  list: () => http.get<Page<SavedView>>('/saved-views', { limit: 200 }),
  create: (body: { name: string; filters: CustomerFilter }) => http.post<SavedView>('/saved-views', body),
  update: (id: string, body: { version: number; name?: string; filters?: CustomerFilter }) =>
    http.patch<SavedView>(`/saved-views/${enc(id)}`, body),
  remove: (id: string, version: number) => http.del(`/saved-views/${enc(id)}`, { version }),
};

export const exportsApi = {
  /** The customer list (current filter) as .xlsx; only rows and fields I may see. */
  customers: (filter: CustomerFilter) =>
    download(
      '/exports/customers',
      customerFilterQuery(filter),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json;q=0.5',
    ),
};

type PageQuery = { limit?: number; cursor?: string | null };

export const contactsApi = {
  byCustomer: (customerId: string, page: PageQuery, signal?: AbortSignal) =>
    http.get<Page<Contact>>(`/customers/${enc(customerId)}/contacts`, { ...page }, signal),
  create: (body: ContactFields & { customerId: string; name: string }) =>
    http.post<Contact>('/contacts', body),
  update: (id: string, body: ContactFields & { version: number; name?: string }) =>
    http.patch<Contact>(`/contacts/${enc(id)}`, body),
  remove: (id: string, version: number) => http.del(`/contacts/${enc(id)}`, { version }),
};

export const followUpsApi = {
  byCustomer: (customerId: string, page: PageQuery, signal?: AbortSignal) =>
    http.get<Page<FollowUp>>('/follow-ups', { customerId, ...page }, signal),
  create: (body: FollowUpFields & { customerId: string }) => http.post<FollowUp>('/follow-ups', body),
  update: (id: string, body: Partial<FollowUpFields> & { version: number }) =>
    http.patch<FollowUp>(`/follow-ups/${enc(id)}`, body),
  remove: (id: string, version: number) => http.del(`/follow-ups/${enc(id)}`, { version }),
};

export const ordersApi = {
  byCustomer: (customerId: string, query: PageQuery & { from?: string }, signal?: AbortSignal) =>
    http.get<Page<Order>>('/orders', { customerId, ...query }, signal),
  payments: (orderId: string) => http.get<Page<Payment>>(`/orders/${enc(orderId)}/payments`, { limit: 200 }),
};

export const serviceRecordsApi = {
  byCustomer: (customerId: string, page: PageQuery, signal?: AbortSignal) =>
    http.get<Page<ServiceRecord>>('/service-records', { customerId, ...page }, signal),
  create: (body: {
    customerId: string;
    type: ServiceType;
    severity: ServiceSeverity;
    title: string;
    description?: string | null;
    openedAt?: string;
  }) => http.post<ServiceRecord>('/service-records', body),
  update: (
    id: string,
    body: {
      version: number;
      closedAt?: string | null;
      satisfaction?: number | null;
      title?: string;
      description?: string | null;
    },
  ) => http.patch<ServiceRecord>(`/service-records/${enc(id)}`, body),
};
