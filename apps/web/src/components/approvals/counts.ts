import { useSyncExternalStore } from 'react';
import { type ApprovalCounts, approvalRequestsApi, notificationsApi } from './api';

/**
 * The app shell's approval counts (to approve, my pending requests, unread notifications): one
 * poller for the whole page, started by the first component that shows a count and stopped with the
 * last. Refreshed every minute, when the tab becomes visible again, and right after any approval
 * action (`refreshApprovalCounts()`), so the badge follows what the user just did.
 */

const POLL_MS = 60_000;

let counts: ApprovalCounts | null = null;
const listeners = new Set<() => void>();
let timer: number | undefined;
let inFlight: Promise<void> | null = null;
let again = false;

function emit() {
  for (const listener of listeners) listener();
}

async function fetchCounts(): Promise<void> {
  try {
    const next = await approvalRequestsApi.counts();
    if (
      !counts ||
      next.todo !== counts.todo ||
      next.submittedPending !== counts.submittedPending ||
      next.unreadNotifications !== counts.unreadNotifications
    ) {
      counts = next;
      emit();
    }
  } catch {
    // Offline or signed out: keep the last counts; the next tick tries again.
  }
}

/** Fetch the counts now (coalesced: a refresh asked for during a fetch runs once after it). */
export function refreshApprovalCounts(): Promise<void> {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = fetchCounts().finally(() => {
    inFlight = null;
    if (again) {
      again = false;
      void refreshApprovalCounts();
    }
  });
  return inFlight;
}

function onVisible() {
  if (document.visibilityState === 'visible') void refreshApprovalCounts();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    // A new shell (e.g. after signing in as someone else) never shows the previous user's counts.
    counts = null;
    void refreshApprovalCounts();
    timer = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') void refreshApprovalCounts();
    }, POLL_MS);
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    }
  };
}

/** The current counts; null until the first answer. */
export function useApprovalCounts(): ApprovalCounts | null {
  return useSyncExternalStore(
    subscribe,
    () => counts,
    () => null,
  );
}

/**
 * Opening a request counts as seeing its notifications: the unread ones about it are marked read
 * (best effort; the bell refreshes). The API has no per-request filter, so the latest unread page is scanned.
 */
export async function markRequestNotificationsRead(requestId: string): Promise<void> {
  try {
    const page = await notificationsApi.list({ unread: true, limit: 100 });
    const about = page.items.filter((n) => n.entityType === 'approval_request' && n.entityId === requestId);
    if (about.length === 0) return;
    await Promise.all(about.map((n) => notificationsApi.read(n.id)));
    await refreshApprovalCounts();
  } catch {
    // Not worth bothering the user: the notifications simply stay unread.
  }
}
