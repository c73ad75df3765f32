// Types owned by the domain package are imported as types only (nothing of it is bundled).
import type { FieldRuleKind, Locale, Scope as ScopeKind, SecurityPolicy } from '@kam/domain';

export type { FieldRuleKind, Locale, ScopeKind, SecurityPolicy };

/** Types mirroring the KAM HTTP API (prefix /api/v1). Keep in sync with the server's OpenAPI document. */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface RoleRef {
  id: string;
  key: string | null;
  name: string;
}

export interface Scope {
  all: boolean;
  self: boolean;
  departments: string[];
  subtrees: string[];
}

export interface Me {
  id: string;
  login: string;
  displayName: string;
  email: string | null;
  mobile: string | null;
  departmentId: string | null;
  locale: Locale;
  mustChangePassword: boolean;
  passwordExpired: boolean;
  organization: { id: string; name: string };
  roles: RoleRef[];
  permissions: string[];
  scopes: Record<string, Scope>;
  fieldRules: Record<string, Record<string, FieldRuleKind>>;
  csrfToken: string;
}

export interface LoginResponse {
  user: Me;
  csrfToken: string;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface Department {
  id: string;
  parentId: string | null;
  name: string;
  code: string | null;
  headUserId: string | null;
  headName: string | null;
  path: string[];
  userCount: number;
  version: number;
}

export type UserStatus = 'active' | 'disabled' | 'locked';

export interface User {
  id: string;
  login: string;
  displayName: string;
  email?: string | null;
  mobile?: string | null;
  departmentId: string | null;
  departmentName: string | null;
  status: UserStatus;
  roles: RoleRef[];
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  version: number;
}

export interface UserWithPassword {
  user: User;
  initialPassword: string;
}

export interface Grant {
  resource: string;
  action: string;
  scope?: ScopeKind;
  departmentIds?: string[];
}

export interface FieldRule {
  resource: string;
  field: string;
  rule: FieldRuleKind;
}

export interface Role {
  id: string;
  key: string | null;
  builtin: boolean;
  name: string;
  description: string | null;
  userCount: number;
  version: number;
  grants: Grant[];
  fieldRules: FieldRule[];
}

export interface LocalizedLabel {
  zh: string;
  en: string;
}

export interface CatalogField {
  key: string;
  label: LocalizedLabel;
  sensitivity: 'mobile' | 'email' | 'text' | 'none';
}

export interface CatalogResource {
  key: string;
  label: LocalizedLabel;
  scoped: boolean;
  actions: string[];
  fields: CatalogField[];
}

export interface PermissionCatalog {
  actions: { key: string; label: LocalizedLabel }[];
  scopes: { key: ScopeKind; label: LocalizedLabel }[];
  resources: CatalogResource[];
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface AuditChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface AuditLog {
  id: string;
  seq: number;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  changes: AuditChange[] | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  result: 'success' | 'failure';
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBroken: null | { seq: number; id: string; at: string; reason: string };
}

export type PolicyPreset = 'default' | 'mlps2' | 'custom';

export interface SecurityPolicyResponse {
  policy: SecurityPolicy;
  preset: PolicyPreset;
  version: number;
}

export interface SecurityPolicyPresets {
  default: SecurityPolicy;
  mlps2: SecurityPolicy;
}
