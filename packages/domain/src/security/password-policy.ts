import type { ErrorCode } from '../errors.js';
import { PASSWORD_MAX_LENGTH, type SecurityPolicy } from './security-policy.js';

export type PasswordViolation = Extract<
  ErrorCode,
  'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_TOO_FEW_CLASSES' | 'PASSWORD_CONTAINS_LOGIN'
>;

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

/** How many of the four classes (lower, upper, digit, anything else = symbol) occur in the password. */
export function passwordClasses(password: string): number {
  return CLASSES.filter((re) => re.test(password)).length;
}

/**
 * Policy violations of a new password, in a stable order; empty = acceptable. Lengths count characters.
 * Reuse (`PASSWORD_REUSED`) needs hash comparisons and is checked by the server.
 */
export function checkPassword(
  password: string,
  { login, policy }: { login: string; policy: SecurityPolicy },
): PasswordViolation[] {
  const violations: PasswordViolation[] = [];
  const length = Array.from(password).length;
  if (length < policy.passwordMinLength) violations.push('PASSWORD_TOO_SHORT');
  if (length > PASSWORD_MAX_LENGTH) violations.push('PASSWORD_TOO_LONG');
  if (passwordClasses(password) < policy.passwordMinClasses) violations.push('PASSWORD_TOO_FEW_CLASSES');
  if (policy.passwordDisallowLogin && login !== '') {
    const pw = password.toLowerCase();
    const name = login.toLowerCase();
    if (name.length >= 3 ? pw.includes(name) : pw === name) violations.push('PASSWORD_CONTAINS_LOGIN');
  }
  return violations;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** With rotation on, a password expires `passwordMaxAgeDays` after it was set (inclusive). */
export function isPasswordExpired(
  changedAt: Date,
  now: Date,
  policy: Pick<SecurityPolicy, 'passwordMaxAgeDays'>,
): boolean {
  if (policy.passwordMaxAgeDays === 0) return false;
  return now.getTime() - changedAt.getTime() >= policy.passwordMaxAgeDays * DAY;
}

/** Failed sign-in counter as stored per user. */
export interface FailureCounter {
  failures: number;
  /** Start of the current counting window; `null` when nothing is counted. */
  windowStart: Date | null;
}

/** Counter after a successful sign-in or an unlock. */
export const NO_FAILURES: Readonly<FailureCounter> = Object.freeze({ failures: 0, windowStart: null });

/**
 * Registers one failed sign-in at `now`. The window is `[windowStart, windowStart + lockoutWindowMinutes)`;
 * a failure at or after its end starts a new window. `lock` is true when this failure reaches the
 * threshold: the server then stores `lockedAt = now` and resets the counter to `NO_FAILURES`.
 */
export function lockoutState(
  counter: FailureCounter,
  now: Date,
  policy: Pick<SecurityPolicy, 'lockoutThreshold' | 'lockoutWindowMinutes'>,
): { counter: FailureCounter; lock: boolean } {
  const windowOpen =
    counter.windowStart !== null &&
    now.getTime() >= counter.windowStart.getTime() &&
    now.getTime() < counter.windowStart.getTime() + policy.lockoutWindowMinutes * MINUTE;
  const next: FailureCounter = windowOpen
    ? { failures: counter.failures + 1, windowStart: counter.windowStart }
    : { failures: 1, windowStart: now };
  return { counter: next, lock: next.failures >= policy.lockoutThreshold };
}

/** When a lock set at `lockedAt` ends; `null` = only an administrator can unlock. */
export function lockExpiresAt(
  lockedAt: Date,
  policy: Pick<SecurityPolicy, 'lockoutDurationMinutes'>,
): Date | null {
  if (policy.lockoutDurationMinutes === 0) return null;
  return new Date(lockedAt.getTime() + policy.lockoutDurationMinutes * MINUTE);
}

/** Whether an account locked at `lockedAt` (or never: `null`) is still locked at `now`. */
export function isLockActive(
  lockedAt: Date | null,
  now: Date,
  policy: Pick<SecurityPolicy, 'lockoutDurationMinutes'>,
): boolean {
  if (lockedAt === null) return false;
  const until = lockExpiresAt(lockedAt, policy);
  return until === null || now.getTime() < until.getTime();
}
