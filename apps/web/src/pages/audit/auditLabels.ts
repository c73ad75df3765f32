import { translateDynamic } from '../../i18n';

/** Audit actions with a translation; others are shown by their raw key. */
export const KNOWN_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.logout_all',
  'auth.password_change',
  'auth.locked',
  'authz.denied',
  'user.create',
  'user.update',
  'user.disable',
  'user.enable',
  'user.unlock',
  'user.reset_password',
  'user.assign_roles',
  'department.create',
  'department.update',
  'department.move',
  'department.delete',
  'role.create',
  'role.update',
  'role.delete',
  'api_token.create',
  'api_token.revoke',
  'security_policy.update',
  'audit.export',
] as const;

export const KNOWN_ENTITY_TYPES = [
  'user',
  'department',
  'role',
  'api_token',
  'session',
  'security_policy',
  'tenant',
  'audit_log',
] as const;

export function actionLabel(action: string): string {
  return translateDynamic(`auditAction.${action}`, action);
}

export function entityLabel(entityType: string | null): string {
  if (!entityType) return '—';
  return translateDynamic(`entity.${entityType}`, entityType);
}

/** Render a before/after value compactly (objects as JSON). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
