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

/* ---------------------------------------------------------------- Customer 360 */

export type CustomerStatus = 'prospect' | 'active' | 'dormant' | 'lost';
export type TeamRole =
  | 'owner'
  | 'co_follower'
  | 'customer_service'
  | 'technical_support'
  | 'delivery'
  | 'executive_sponsor';
export type TeamAccess = 'read' | 'read_write';
export type DecisionRole = 'decision_maker' | 'influencer' | 'user' | 'gatekeeper' | 'champion';
export type ContactAttitude = 'supportive' | 'neutral' | 'opposed';
export type FollowUpType = 'visit' | 'call' | 'meeting' | 'email' | 'wechat' | 'other';
export type OrderStatus = 'confirmed' | 'cancelled' | 'returned';
export type ServiceType = 'question' | 'incident' | 'complaint' | 'request';
export type ServiceSeverity = 'low' | 'medium' | 'high' | 'critical';

/** A customer as the API returns it; fields a field rule hides are absent. Money: decimal strings. */
export interface Customer {
  id: string;
  name: string;
  creditCode?: string | null;
  industry: string | null;
  provinceCode: string | null;
  cityCode: string | null;
  sizeBand: string | null;
  source: string | null;
  website?: string | null;
  address?: string | null;
  tags: string[];
  status: CustomerStatus;
  ownerId: string | null;
  ownerName: string | null;
  departmentId: string | null;
  departmentName: string | null;
  notes?: string | null;
  lastFollowUpAt: string | null;
  revenue12m?: string;
  orders12m: number;
  lastOrderAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedBy: string | null;
  updatedAt: string;
  deletedAt: string | null;
  mergedIntoId: string | null;
  version: number;
  /** the tier of record; absent without tiering.view, null before the customer's first run */
  tier?: { id: string; name: string; overridden: boolean } | null;
}

export type CustomerSort = 'name' | 'createdAt' | 'updatedAt' | 'lastFollowUpAt' | 'revenue12m';

/** Filters of the customer list; also what a saved view stores and what the export takes. */
export interface CustomerFilter {
  q?: string;
  ownerId?: string;
  departmentId?: string;
  includeSubtree?: boolean;
  industry?: string[];
  provinceCode?: string;
  cityCode?: string;
  status?: CustomerStatus[];
  tags?: string[];
  /** tier ids of the tier-of-record model */
  tier?: string[];
  lastFollowUpBefore?: string;
  lastFollowUpAfter?: string;
  /** yuan, decimal strings */
  revenueMin?: string;
  revenueMax?: string;
  sort?: CustomerSort;
  order?: 'asc' | 'desc';
}

export interface DuplicateOverride {
  reason: string;
}

export interface CustomerWriteFields {
  creditCode?: string | null;
  industry?: string | null;
  provinceCode?: string | null;
  cityCode?: string | null;
  sizeBand?: string | null;
  source?: string | null;
  website?: string | null;
  address?: string | null;
  tags?: string[];
  status?: CustomerStatus;
  notes?: string | null;
  duplicateOverride?: DuplicateOverride;
}

export interface CustomerCreateBody extends CustomerWriteFields {
  name: string;
  ownerId?: string;
}

export interface CustomerPatchBody extends CustomerWriteFields {
  version: number;
  name?: string;
}

export interface DuplicateExisting {
  id: string;
  name: string;
  ownerName: string | null;
}

export interface DuplicateReport {
  conflicts: { field: 'creditCode' | 'name'; ownerName: string | null; existing?: DuplicateExisting }[];
  similar: (DuplicateExisting & { similarity: number })[];
  similarHiddenCount: number;
}

export interface CustomerSummary {
  revenue12m: string | null;
  ordersCount12m: number | null;
  lastOrderAt: string | null;
  lastFollowUpAt: string | null;
  openComplaints: number | null;
  openServiceRecords: number | null;
  overdueReceivables: { amount: string; count: number } | null;
  contactsCount: number | null;
  teamSize: number;
}

export interface TeamMember {
  userId: string;
  displayName: string;
  teamRole: TeamRole;
  access: TeamAccess;
  addedAt: string;
  addedBy: string | null;
}

/** A user who may join an account team (GET /customers/:id/team/candidates): no contact data. */
export interface TeamCandidate {
  id: string;
  displayName: string;
  departmentName: string | null;
  roles: string[];
}

export interface OwnershipEntry {
  id: string;
  kind: string;
  fromOwnerId: string | null;
  fromOwnerName: string | null;
  toOwnerId: string | null;
  toOwnerName: string | null;
  fromDepartmentId: string | null;
  toDepartmentId: string | null;
  reason: string | null;
  changedBy: string | null;
  changedByName: string | null;
  changedAt: string;
}

export type TimelineKind =
  | 'follow_up'
  | 'order'
  | 'payment_paid'
  | 'payment_due'
  | 'service_opened'
  | 'service_closed'
  | 'ownership'
  | 'change';

export interface TimelineItem {
  kind: TimelineKind;
  at: string;
  id: string;
  title: string | null;
  summary: string | null;
  amount: string | null;
  actorName: string | null;
  changes: AuditChange[] | null;
}

export interface SavedView {
  id: string;
  name: string;
  filters: CustomerFilter;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A contact; `mobile`, `phone`, `email`, `wechat`, `birthday` are absent when hidden, masked as the server sends them. */
export interface Contact {
  id: string;
  customerId: string;
  customerName: string;
  name: string;
  title: string | null;
  department: string | null;
  mobile?: string | null;
  phone?: string | null;
  email?: string | null;
  wechat?: string | null;
  birthday?: string | null;
  decisionRole: DecisionRole | null;
  attitude: ContactAttitude | null;
  notes: string | null;
  isPrimary: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ContactFields {
  title?: string | null;
  department?: string | null;
  mobile?: string | null;
  phone?: string | null;
  email?: string | null;
  wechat?: string | null;
  decisionRole?: DecisionRole | null;
  attitude?: ContactAttitude | null;
  birthday?: string | null;
  notes?: string | null;
  isPrimary?: boolean;
}

export interface FollowUp {
  id: string;
  customerId: string;
  customerName: string;
  type: FollowUpType;
  at: string;
  authorId: string | null;
  authorName: string | null;
  contacts: { id: string; name: string }[];
  summary: string;
  outcome: string | null;
  nextStep: string | null;
  nextStepDate: string | null;
  nextStepOwnerId: string | null;
  nextStepOwnerName: string | null;
  nextStepDoneAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface FollowUpFields {
  type: FollowUpType;
  at: string;
  contactIds: string[];
  summary: string;
  outcome: string | null;
  nextStep: string | null;
  nextStepDate: string | null;
}

export interface Payment {
  id: string;
  orderId: string;
  orderNo: string;
  customerId: string;
  amount: string;
  dueDate: string | null;
  paidAt: string | null;
  overdue: boolean;
  notes: string | null;
  version: number;
}

export interface Order {
  id: string;
  orderNo: string;
  customerId: string;
  customerName: string;
  orderedAt: string;
  amount: string;
  grossMargin?: string | null;
  productLine: string | null;
  status: OrderStatus;
  notes: string | null;
  /** received so far */
  paidAmount: string;
  /** a confirmed order's amount not yet received */
  outstanding: string;
  overdueAmount: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ServiceRecord {
  id: string;
  customerId: string;
  customerName: string;
  type: ServiceType;
  severity: ServiceSeverity;
  title: string;
  description: string | null;
  openedAt: string;
  closedAt: string | null;
  satisfaction: number | null;
  handlerId: string | null;
  handlerName: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}
