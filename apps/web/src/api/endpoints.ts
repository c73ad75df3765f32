import { download, http, type Query } from './api';
import type {
  ApiToken,
  AuditLog,
  AuditVerifyResult,
  Department,
  FieldRule,
  Grant,
  Locale,
  LoginResponse,
  Me,
  Page,
  PermissionCatalog,
  Role,
  SecurityPolicy,
  SecurityPolicyPresets,
  SecurityPolicyResponse,
  SessionInfo,
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
