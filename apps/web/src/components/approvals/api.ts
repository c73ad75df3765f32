import type {
  ApprovalFlow,
  ApprovalStatus,
  ApprovalStepStatus,
  ApproverKind,
  ApproverSeatStatus,
  ConditionFieldKind,
  StepMode,
} from '@kam/domain';
import { http, type Query } from '../../api/api';
import type { LocalizedLabel, Page } from '../../api/types';

/** Types mirroring the approvals HTTP API (apps/server/src/modules/approvals/schemas.ts). */

export type { ApprovalStatus };

export interface ConditionFieldMeta {
  name: string;
  kind: ConditionFieldKind;
  label: LocalizedLabel;
  /** Closed value sets (e.g. tiers): the values and their labels. */
  options?: { value: string; label: LocalizedLabel }[];
}

export interface RequestTypeMeta {
  type: string;
  label: LocalizedLabel;
  /** `required`: a request names a customer; `none`: it must not (customer creation). */
  customer: 'required' | 'none';
  /** Payload fields conditions may use (in addition to the context fields). */
  payloadFields: ConditionFieldMeta[];
}

export interface FlowsMeta {
  types: RequestTypeMeta[];
  contextFields: ConditionFieldMeta[];
  approverKinds: { kind: ApproverKind; label: LocalizedLabel }[];
  operators: { op: string; label: LocalizedLabel; kinds: ConditionFieldKind[] }[];
  limits: {
    maxSteps: number;
    maxApproversPerStep: number;
    maxConditionDepth: number;
    maxTimeLimitHours: number;
    maxHeadLevels: number;
    maxTextLength: number;
  };
}

/** A user as approvals show them: name and department only. */
export interface UserRef {
  id: string;
  displayName: string;
  departmentName: string | null;
}

export interface FlowSummary {
  type: string;
  label: LocalizedLabel;
  /** null: no flow saved yet (requests of this type cannot be submitted). */
  version: number | null;
  steps: { id: string; name: string; mode: StepMode; conditional: boolean }[];
  updatedAt: string | null;
  updatedBy: UserRef | null;
}

export interface FlowVersionInfo {
  version: number;
  createdAt: string;
  createdBy: UserRef | null;
  /** Requests pinned to this version that are still pending or returned. */
  openRequests: number;
}

export interface FlowDetail {
  type: string;
  label: LocalizedLabel;
  version: number | null;
  flow: ApprovalFlow | null;
  /** Names of the users and roles the flow refers to, for display. */
  refs: { users: UserRef[]; roles: { id: string; name: string }[] };
  /** Condition fields the flow uses that the request type does not know. */
  unknownFields: string[];
  /** Newest first. */
  versions: FlowVersionInfo[];
}

/** One saved (immutable) version of a flow. */
export interface FlowVersionDetail {
  type: string;
  version: number;
  flow: ApprovalFlow;
  createdAt: string;
  createdBy: UserRef | null;
  refs: { users: UserRef[]; roles: { id: string; name: string }[] };
}

export type InboxBox = 'todo' | 'submitted' | 'processed';
export type RequestStatus = Exclude<ApprovalStatus, 'draft'>;
export const REQUEST_STATUSES: readonly RequestStatus[] = [
  'pending',
  'approved',
  'rejected',
  'returned',
  'withdrawn',
];

export interface CustomerRef {
  id: string;
  name: string;
  ownerId: string | null;
  ownerName: string | null;
}

export interface RequestListItem {
  id: string;
  type: string;
  typeLabel: LocalizedLabel;
  status: RequestStatus;
  /** One line in the reader's language. */
  summary: string;
  requester: UserRef;
  customer: CustomerRef | null;
  currentStep: { id: string; name: string; dueAt: string | null } | null;
  round: number;
  submittedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** todo: since when it waits for me; processed: my last decision; else submittedAt. */
  boxAt: string;
}

export type SeatStatus = ApproverSeatStatus;

export interface RequestSeat {
  holders: UserRef[];
  actsFor: UserRef[];
  status: SeatStatus;
  decidedBy: UserRef | null;
  decidedAt: string | null;
  escalations: number;
}

export type StepStatus = ApprovalStepStatus;

export interface RequestStep {
  stepId: string;
  name: string;
  mode: StepMode;
  status: StepStatus;
  seats: RequestSeat[];
  startedAt: string | null;
  dueAt: string | null;
  finishedAt: string | null;
  timeouts: number;
}

export type HistoryAction =
  | 'submitted'
  | 'resubmitted'
  | 'approved'
  | 'rejected'
  | 'returned'
  | 'withdrawn'
  | 'commented'
  | 'timed_out';

export interface RequestHistoryEntry {
  at: string;
  /** null: the system (time limits). */
  by: UserRef | null;
  action: HistoryAction;
  round: number;
  stepId: string | null;
  stepName: string | null;
  onBehalfOf: UserRef[];
  text: string | null;
  escalatedTo: UserRef[];
}

export interface RequestCan {
  approve: boolean;
  reject: boolean;
  return: boolean;
  withdraw: boolean;
  resubmit: boolean;
  comment: boolean;
}

export interface RequestDetail extends RequestListItem {
  reason: string;
  payload: Record<string, unknown>;
  flowVersion: number;
  steps: RequestStep[];
  history: RequestHistoryEntry[];
  effectAppliedAt: string | null;
  can: RequestCan;
  version: number;
}

export interface ApprovalCounts {
  todo: number;
  submittedPending: number;
  submittedReturned: number;
  unreadNotifications: number;
}

export interface Delegation {
  id: string;
  delegate: UserRef;
  startDate: string;
  endDate: string;
  note: string | null;
  active: boolean;
  createdAt: string;
}

/** An in-app notification (modules/notifications/schemas.ts). */
export interface AppNotification {
  id: string;
  /** e.g. `approval.step_started` */
  kind: string;
  /** In the reader's language. */
  title: string;
  body: string | null;
  /** e.g. `approval_request` with its id: what the notification links to. */
  entityType: string | null;
  entityId: string | null;
  /** Who caused it; null for the system. */
  actorName: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage extends Page<AppNotification> {
  unreadCount: number;
}

export interface RequestQuery {
  box: InboxBox;
  status?: RequestStatus;
  type?: string;
  limit?: number;
  cursor?: string | null;
}

export interface SubmitBody {
  type: string;
  customerId?: string;
  payload: Record<string, unknown>;
  reason: string;
}

const enc = encodeURIComponent;

export const approvalFlowsApi = {
  meta: () => http.get<FlowsMeta>('/approval-flows/meta'),
  list: () => http.get<{ items: FlowSummary[] }>('/approval-flows'),
  get: (type: string) => http.get<FlowDetail>(`/approval-flows/${enc(type)}`),
  version: (type: string, version: number) =>
    http.get<FlowVersionDetail>(`/approval-flows/${enc(type)}/versions/${version}`),
  save: (type: string, body: { flow: unknown; expectedVersion: number | null }) =>
    http.put<FlowDetail>(`/approval-flows/${enc(type)}`, body),
};

export const approvalRequestsApi = {
  list: (query: RequestQuery, signal?: AbortSignal) =>
    http.get<Page<RequestListItem>>('/approval-requests', { ...query } as Query, signal),
  counts: () => http.get<ApprovalCounts>('/approval-requests/counts'),
  get: (id: string) => http.get<RequestDetail>(`/approval-requests/${enc(id)}`),
  submit: (body: SubmitBody) => http.post<RequestDetail>('/approval-requests', body),
  approve: (id: string, comment?: string) =>
    http.post<RequestDetail>(`/approval-requests/${enc(id)}/approve`, comment ? { comment } : {}),
  reject: (id: string, reason: string) =>
    http.post<RequestDetail>(`/approval-requests/${enc(id)}/reject`, { reason }),
  return: (id: string, reason: string) =>
    http.post<RequestDetail>(`/approval-requests/${enc(id)}/return`, { reason }),
  withdraw: (id: string) => http.post<RequestDetail>(`/approval-requests/${enc(id)}/withdraw`, {}),
  resubmit: (id: string, body: { payload: Record<string, unknown>; reason: string }) =>
    http.post<RequestDetail>(`/approval-requests/${enc(id)}/resubmit`, body),
  comment: (id: string, text: string) =>
    http.post<RequestDetail>(`/approval-requests/${enc(id)}/comments`, { text }),
};

export const delegationsApi = {
  list: (includePast = false) =>
    http.get<{ items: Delegation[] }>('/approval-delegations', { includePast: includePast || undefined }),
  create: (body: { delegateId: string; startDate: string; endDate: string; note?: string }) =>
    http.post<Delegation>('/approval-delegations', body),
  remove: (id: string) => http.del(`/approval-delegations/${enc(id)}`),
};

export const notificationsApi = {
  list: (query: { unread?: boolean; limit?: number; cursor?: string | null }) =>
    http.get<NotificationPage>('/notifications', { ...query } as Query),
  read: (id: string) => http.post<unknown>(`/notifications/${enc(id)}/read`, {}),
  readAll: () => http.post<{ updated: number }>('/notifications/read-all', {}),
};
