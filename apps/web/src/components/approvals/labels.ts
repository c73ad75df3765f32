import { useMemo } from 'react';
import type { LocalizedLabel } from '../../api/types';
import { type ApprovalsKey, useApprovalsT } from '../../i18n/approvals';
import { useFormat } from '../../i18n/useFormat';
import type { RequestStatus, SeatStatus, StepStatus } from './api';

export const STATUS_COLORS: Record<RequestStatus, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  returned: 'warning',
  withdrawn: 'default',
};

export const STEP_COLORS: Record<StepStatus, string> = {
  waiting: 'default',
  skipped: 'default',
  active: 'processing',
  approved: 'success',
  rejected: 'error',
  returned: 'warning',
  withdrawn: 'default',
  cancelled: 'default',
};

export const SEAT_COLORS: Record<SeatStatus, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  returned: 'warning',
  not_required: 'default',
};

export interface ApprovalLabels {
  /** The server's label in my language; the built-in fallback or the code itself otherwise. */
  typeLabel: (type: string, label?: LocalizedLabel | null) => string;
  status: (status: RequestStatus) => string;
  stepStatus: (status: StepStatus) => string;
  seatStatus: (status: SeatStatus) => string;
}

export function useApprovalLabels(): ApprovalLabels {
  const ta = useApprovalsT();
  const fmt = useFormat();
  return useMemo(
    () => ({
      typeLabel: (type, label) => {
        const server = fmt.label(label ?? null);
        if (server) return server;
        const key = `approvals.type.${type}` as ApprovalsKey;
        const text = ta(key);
        return text === key ? type : text;
      },
      status: (status) => ta(`approvals.status.${status}` as ApprovalsKey),
      stepStatus: (status) => ta(`approvals.stepStatus.${status}` as ApprovalsKey),
      seatStatus: (status) => ta(`approvals.seatStatus.${status}` as ApprovalsKey),
    }),
    [ta, fmt],
  );
}
