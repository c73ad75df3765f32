import {
  type AssignmentTarget,
  applyFieldRules,
  can,
  checkPassword,
  type ErrorCode,
  effectiveFieldRules,
  effectiveScope,
  errorMessage,
  exceedingGrants,
  type FieldRules,
  type Grant,
  maskEmail,
  maskMobile,
  PASSWORD_MAX_LENGTH,
  readonlyViolations,
} from '@kam/domain';
import { denyRecord } from '../../access/deny.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { generatePassword, hashPassword } from '../auth/crypto.js';
import { auditWho, setPassword } from '../auth/service.js';
import { revokeUserSessions } from '../auth/sessions.js';
import { insertUser } from '../organization/bootstrap.js';
import * as repo from './repo.js';

/** A user as the API returns it. Catalogue fields a field rule hides are absent. */
export interface User {
  id: string;
  login?: string;
  displayName?: string;
  email?: string | null;
  mobile?: string | null;
  departmentId?: string | null;
  departmentName?: string | null;
  status?: repo.UserStatus;
  roles: repo.RoleRef[];
  mustChangePassword: boolean;
  lastLoginAt?: string | null;
  createdAt: string;
  version: number;
}

export interface UserListQuery {
  q?: string | undefined;
  departmentId?: string | undefined;
  includeSubtree?: boolean | undefined;
  status?: repo.UserStatus | undefined;
  roleId?: string | undefined;
  sort: repo.UserSort;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string | undefined;
}

type UserAction = 'create' | 'edit' | 'assign';

const PROFILE_FIELDS = ['login', 'displayName', 'email', 'mobile', 'departmentId'] as const;
const SENSITIVE = {
  mobile: (v: unknown) => maskMobile(v as string | null),
  email: (v: unknown) => maskEmail(v as string | null),
};
/** Stands for the not-yet-created user in the escalation check (never the actor). */
const NEW_USER_ID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function present(
  ctx: ServiceContext,
  row: repo.UserRow,
  rules = effectiveFieldRules(ctx.actor, 'user'),
): User {
  const shown = applyFieldRules(
    'user',
    {
      login: row.login,
      displayName: row.display_name,
      email: row.email,
      mobile: row.mobile,
      departmentId: row.department_id,
      status: row.status,
      lastLoginAt: row.last_login_at?.toISOString() ?? null,
    },
    rules,
  );
  const { departmentId, ...rest } = shown;
  return {
    id: row.id,
    ...rest,
    // The department's name goes with its id: hidden together.
    ...('departmentId' in shown
      ? { departmentId: departmentId ?? null, departmentName: row.department_name }
      : {}),
    roles: row.roles,
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at.toISOString(),
    version: row.version,
  };
}

function fieldError(
  ctx: ServiceContext,
  path: string,
  code: ErrorCode,
  params?: Record<string, number>,
): { fields: FieldError[] } {
  return { fields: [{ path, code, message: errorMessage(code, ctx.actor.locale, params) }] };
}

const auditState = (u: {
  login: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  department_id: string | null;
}) => ({
  login: u.login,
  displayName: u.display_name,
  email: u.email,
  mobile: u.mobile,
  departmentId: u.department_id,
});

async function reload(tx: Tx, ctx: ServiceContext, id: string): Promise<User> {
  const row = await repo.getUser(tx, id, null, ctx.actor.userId);
  if (!row) throw new AppError('NOT_FOUND');
  return present(ctx, row);
}

function assertVersion(row: { version: number }, version: number): void {
  if (row.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
}

/**
 * The user addressed by the URL, row-locked, when `action` covers them. Otherwise 403 if the actor
 * can at least see them, else 404 (a denial is recorded when the user exists).
 */
async function lockTarget(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  action: 'edit' | 'assign',
): Promise<repo.LockedUser> {
  const scope = effectiveScope(ctx.actor, 'user', action);
  const row = scope && (await repo.lockUser(tx, id, scope, ctx.actor.userId));
  if (row) return row;
  if (!(await repo.userExists(tx, id))) throw denyRecord('user', id, 'missing');
  const view = effectiveScope(ctx.actor, 'user', 'view');
  const visible = view !== null && (await repo.getUser(tx, id, view, ctx.actor.userId)) !== null;
  throw denyRecord('user', id, visible ? 'visible' : 'invisible');
}

/**
 * A department a user is being put into, when `action` covers users there. Unknown or invisible
 * departments are a 400 on the field; visible ones outside the scope a 403.
 */
async function targetDepartment(
  tx: Tx,
  ctx: ServiceContext,
  departmentId: string,
  action: UserAction,
  field: string,
): Promise<{ id: string; path: string[] }> {
  const scope = effectiveScope(ctx.actor, 'user', action);
  const row = scope && (await repo.lockDepartmentInScope(tx, departmentId, scope, ctx.actor.userId));
  if (row) return row;
  const exists = await repo.departmentExists(tx, departmentId);
  const denial = { entityType: 'department', entityId: departmentId, reason: 'out_of_scope' };
  const view = effectiveScope(ctx.actor, 'department', 'view');
  if (exists && view && (await repo.lockDepartmentInScope(tx, departmentId, view, ctx.actor.userId))) {
    throw new AppError('FORBIDDEN', {}, undefined, denial);
  }
  throw new AppError(
    'VALIDATION_FAILED',
    {},
    fieldError(ctx, field, 'NOT_FOUND'),
    exists ? denial : undefined,
  );
}

/** Field rules forbid writing fields the actor may not fully see or edit (on create: hidden/masked only). */
function assertWritable(ctx: ServiceContext, rules: FieldRules, fields: string[], creating = false): void {
  const relevant = creating
    ? Object.fromEntries(Object.entries(rules).filter(([, r]) => r !== 'readonly'))
    : rules;
  const violations = readonlyViolations(relevant, fields);
  if (violations.length > 0) {
    const message = errorMessage('FORBIDDEN', ctx.actor.locale);
    throw new AppError(
      'FORBIDDEN',
      {},
      { fields: violations.map((f) => ({ path: `body.${f}`, code: 'FORBIDDEN', message })) },
      { entityType: 'user', reason: 'field_rule' },
    );
  }
}

async function loadRoles(tx: Tx, ctx: ServiceContext, ids: string[]): Promise<repo.RoleWithGrants[]> {
  const roles = await repo.rolesByIds(tx, ids);
  if (roles.length !== ids.length) {
    const found = new Set(roles.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    throw new AppError('VALIDATION_FAILED', {}, { ...fieldError(ctx, 'body.roleIds', 'NOT_FOUND'), missing });
  }
  return roles;
}

/** Per role, the grants that would give the target more than the actor holds. */
async function exceeding(
  tx: Tx,
  ctx: ServiceContext,
  roles: repo.RoleWithGrants[],
  target: AssignmentTarget,
): Promise<{ roleId: string; roleName: string; grants: Grant[] }[]> {
  const custom = new Set<string>();
  for (const role of roles) {
    for (const g of role.grants) for (const id of g.departmentIds ?? []) if (UUID.test(id)) custom.add(id);
  }
  const paths = await repo.departmentPaths(tx, [...custom]);
  const ancestorsOf = (id: string) => paths.get(id) ?? [id];
  return roles
    .map((role) => ({
      roleId: role.id,
      roleName: role.name,
      grants: exceedingGrants(ctx.actor, role.grants, target, ancestorsOf),
    }))
    .filter((r) => r.grants.length > 0);
}

/** Refuses to hand out roles with rights beyond the actor's own (relative to the target user). */
async function assertNoEscalation(
  tx: Tx,
  ctx: ServiceContext,
  roles: repo.RoleWithGrants[],
  target: AssignmentTarget,
): Promise<void> {
  const over = await exceeding(tx, ctx, roles, target);
  if (over.length > 0) {
    throw new AppError(
      'FORBIDDEN',
      {},
      { reason: 'ROLE_GRANT_EXCEEDED', exceeding: over },
      { entityType: 'user', entityId: target.userId, reason: 'role_grant_exceeded' },
    );
  }
}

/**
 * Account control (edit, roles, disable, password reset) over a user whose current rights exceed the
 * actor's own would be a way around the escalation check (e.g. resetting a super admin's password):
 * refused. Returns the target's current roles.
 */
async function assertAdministrable(
  tx: Tx,
  ctx: ServiceContext,
  target: repo.LockedUser,
): Promise<repo.RoleWithGrants[]> {
  const roles = await repo.rolesOfUser(tx, target.id);
  const over = await exceeding(tx, ctx, roles, targetOf(target));
  if (over.length > 0) {
    throw new AppError(
      'FORBIDDEN',
      {},
      { reason: 'TARGET_EXCEEDS_ACTOR', exceeding: over },
      { entityType: 'user', entityId: target.id, reason: 'target_exceeds_actor' },
    );
  }
  return roles;
}

const targetOf = (u: repo.LockedUser): AssignmentTarget => ({
  userId: u.id,
  departmentId: u.department_id,
  departmentAncestorIds: u.department_path ?? [],
});

const isSuperAdmin = (roles: { key: string | null }[]) => roles.some((r) => r.key === 'super_admin');

/** The last active super admin must stay one: not disabled, not stripped of the role. */
async function assertNotLastSuperAdmin(
  tx: Tx,
  target: repo.LockedUser,
  roles: repo.RoleWithGrants[],
): Promise<void> {
  if (target.status !== 'active' || !isSuperAdmin(roles)) return;
  if ((await repo.otherActiveSuperAdmins(tx, target.id)) === 0) {
    throw new AppError('LAST_SUPER_ADMIN', {}, undefined);
  }
}

// ——— queries ———

export async function listUsers(
  ctx: ServiceContext,
  q: UserListQuery,
): Promise<{ items: User[]; nextCursor: string | null }> {
  const scope = effectiveScope(ctx.actor, 'user', 'view');
  if (!scope)
    throw new AppError('FORBIDDEN', { permission: 'user.view' }, undefined, { permission: 'user.view' });
  const rules = effectiveFieldRules(ctx.actor, 'user');
  const raw = decodeCursor(q.cursor, 4);
  if (
    q.cursor &&
    (!raw ||
      raw[0] !== q.sort ||
      raw[1] !== q.order ||
      typeof raw[2] !== 'string' ||
      typeof raw[3] !== 'string' ||
      !UUID.test(raw[3]))
  ) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  // Filtering or sorting by a field the actor may not see would reveal it.
  const blind = (field: string) => rules[field] === 'hidden' || rules[field] === 'masked';
  const probing = [
    ...(q.status && blind('status') ? ['status'] : []),
    ...(q.departmentId && blind('departmentId') ? ['departmentId'] : []),
    ...(q.sort !== 'createdAt' && blind(q.sort) ? ['sort'] : []),
  ];
  if (probing.length > 0) {
    const message = errorMessage('FORBIDDEN', ctx.actor.locale);
    throw new AppError(
      'FORBIDDEN',
      {},
      { fields: probing.map((f) => ({ path: `querystring.${f}`, code: 'FORBIDDEN', message })) },
      { entityType: 'user', reason: 'field_rule' },
    );
  }
  const text = q.q?.normalize('NFKC').trim() ?? '';
  // A field the actor sees masked or not at all cannot be searched (no guessing by search).
  const searchable = new Set((['login', 'displayName', 'email', 'mobile'] as const).filter((f) => !blind(f)));
  const filter: repo.UserFilter = {
    scope,
    actorUserId: ctx.actor.userId,
    ...(text ? { search: { text, digits: text.replace(/\D/g, ''), fields: searchable } } : {}),
    departmentId: q.departmentId,
    includeSubtree: q.includeSubtree ?? false,
    status: q.status,
    roleId: q.roleId,
  };
  const after = raw ? ([raw[2], raw[3]] as [string, string]) : null;
  const rows = await inTenant(ctx, (tx) =>
    repo.listUsers(tx, filter, { sort: q.sort, order: q.order, limit: q.limit + 1, after }),
  );
  return toPage(
    rows,
    q.limit,
    (r) => present(ctx, r, rules),
    (last) => [q.sort, q.order, last.sort_key, last.id],
  );
}

export async function getUser(ctx: ServiceContext, id: string): Promise<User> {
  return inTenant(ctx, async (tx) => {
    const scope = effectiveScope(ctx.actor, 'user', 'view');
    const row = scope && (await repo.getUser(tx, id, scope, ctx.actor.userId));
    if (row) return present(ctx, row);
    throw denyRecord('user', id, (await repo.userExists(tx, id)) ? 'invisible' : 'missing');
  });
}

// ——— changes ———

export async function createUser(
  ctx: ServiceContext,
  input: {
    login: string;
    displayName: string;
    email?: string | null | undefined;
    mobile?: string | null | undefined;
    departmentId: string;
    roleIds: string[];
    password?: string | undefined;
  },
): Promise<{ user: User; initialPassword: string | null }> {
  const roleIds = [...new Set(input.roleIds)];
  if (roleIds.length > 0 && !can(ctx.actor, 'user.assign')) {
    throw new AppError('FORBIDDEN', { permission: 'user.assign' }, undefined, { permission: 'user.assign' });
  }
  const rules = effectiveFieldRules(ctx.actor, 'user');
  assertWritable(
    ctx,
    rules,
    PROFILE_FIELDS.filter((f) => input[f] !== undefined && input[f] !== null),
    true,
  );
  const policy = await inTenant(ctx, (tx) => repo.tenantPolicy(tx));
  let password = input.password;
  if (password !== undefined) {
    const violations = checkPassword(password, { login: input.login, policy });
    if (violations.length > 0) {
      const params = { min: policy.passwordMinLength, max: PASSWORD_MAX_LENGTH };
      throw new AppError(
        'VALIDATION_FAILED',
        {},
        {
          fields: violations.map((code) => ({
            path: 'body.password',
            code,
            message: errorMessage(code, ctx.actor.locale, params),
          })),
        },
      );
    }
  }
  const generated = password === undefined;
  password ??= generatePassword();
  // argon2 is slow: hash before the transaction.
  const hash = await hashPassword(password);

  return inTenant(ctx, async (tx) => {
    const dept = await targetDepartment(tx, ctx, input.departmentId, 'create', 'body.departmentId');
    let roles: repo.RoleWithGrants[] = [];
    if (roleIds.length > 0) {
      await targetDepartment(tx, ctx, dept.id, 'assign', 'body.departmentId');
      roles = await loadRoles(tx, ctx, roleIds);
      await assertNoEscalation(tx, ctx, roles, {
        userId: NEW_USER_ID,
        departmentId: dept.id,
        departmentAncestorIds: dept.path,
      });
    }
    const id = await insertUser(tx, {
      tenantId: ctx.actor.tenantId,
      login: input.login,
      displayName: input.displayName,
      email: input.email ?? null,
      mobile: input.mobile ?? null,
      departmentId: dept.id,
      roleIds: roles.map((r) => r.id),
      locale: ctx.actor.locale,
      createdBy: ctx.actor.userId,
      now: ctx.now,
    }).catch((err: { code?: string; constraint?: string }) => {
      if (err.code === '23505' && err.constraint === 'users_login_key') {
        throw new AppError('LOGIN_TAKEN', {}, fieldError(ctx, 'body.login', 'LOGIN_TAKEN'));
      }
      throw err;
    });
    await setPassword(tx, { userId: id, hash, mustChange: policy.forceChangeOnFirstLogin, now: ctx.now });
    await writeAudit(tx, auditWho(ctx), {
      action: 'user.create',
      entityType: 'user',
      entityId: id,
      changes: diffChanges(
        null,
        {
          login: input.login,
          displayName: input.displayName,
          email: input.email ?? null,
          mobile: input.mobile ?? null,
          departmentId: dept.id,
        },
        PROFILE_FIELDS,
        SENSITIVE,
      ),
      details: { roles: roles.map((r) => r.name), passwordGenerated: generated },
    });
    return { user: await reload(tx, ctx, id), initialPassword: generated ? password : null };
  });
}

export async function updateUser(
  ctx: ServiceContext,
  id: string,
  input: {
    version: number;
    displayName?: string | undefined;
    email?: string | null | undefined;
    mobile?: string | null | undefined;
    departmentId?: string | undefined;
  },
): Promise<User> {
  return inTenant(ctx, async (tx) => {
    const before = await lockTarget(tx, ctx, id, 'edit');
    assertVersion(before, input.version);
    const patch: {
      displayName?: string;
      email?: string | null;
      mobile?: string | null;
      departmentId?: string;
    } = {};
    if (input.displayName !== undefined && input.displayName !== before.display_name)
      patch.displayName = input.displayName;
    if (input.email !== undefined && input.email !== before.email) patch.email = input.email;
    if (input.mobile !== undefined && input.mobile !== before.mobile) patch.mobile = input.mobile;
    if (input.departmentId !== undefined && input.departmentId !== before.department_id) {
      patch.departmentId = input.departmentId;
    }
    if (Object.keys(patch).length === 0) return reload(tx, ctx, id);
    assertWritable(ctx, effectiveFieldRules(ctx.actor, 'user'), Object.keys(patch));
    await assertAdministrable(tx, ctx, before);
    if (patch.departmentId !== undefined) {
      await targetDepartment(tx, ctx, patch.departmentId, 'edit', 'body.departmentId');
    }
    if (!(await repo.updateProfile(tx, id, input.version, patch, ctx.now))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    const old = auditState(before);
    await writeAudit(tx, auditWho(ctx), {
      action: 'user.update',
      entityType: 'user',
      entityId: id,
      changes: diffChanges(old, { ...old, ...patch }, PROFILE_FIELDS, SENSITIVE),
    });
    return reload(tx, ctx, id);
  });
}

export async function setUserRoles(
  ctx: ServiceContext,
  id: string,
  input: { version: number; roleIds: string[] },
): Promise<User> {
  const roleIds = [...new Set(input.roleIds)];
  return inTenant(ctx, async (tx) => {
    const target = await lockTarget(tx, ctx, id, 'assign');
    assertVersion(target, input.version);
    const current = await assertAdministrable(tx, ctx, target);
    const next = await loadRoles(tx, ctx, roleIds);
    await assertNoEscalation(tx, ctx, next, targetOf(target));
    const same = current.length === next.length && current.every((r) => roleIds.includes(r.id));
    if (same) return reload(tx, ctx, id);
    if (!isSuperAdmin(next)) await assertNotLastSuperAdmin(tx, target, current);
    await repo.replaceRoles(tx, id, roleIds);
    if (!(await repo.touchUser(tx, id, input.version, ctx.now))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: target.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'user.roles',
      entityType: 'user',
      entityId: id,
      changes: [{ field: 'roles', before: current.map((r) => r.name), after: next.map((r) => r.name) }],
    });
    // Sessions go on: rights are re-read on every request.
    return reload(tx, ctx, id);
  });
}

type StatusChange = 'disable' | 'enable' | 'unlock';
const TRANSITIONS: Record<StatusChange, { from: repo.UserStatus[]; to: repo.UserStatus }> = {
  disable: { from: ['active', 'locked'], to: 'disabled' },
  enable: { from: ['disabled'], to: 'active' },
  unlock: { from: ['locked'], to: 'active' },
};

/** Disable (ends every session; tokens stop working), enable, or unlock (clears lock and counters). */
export async function changeStatus(
  ctx: ServiceContext,
  id: string,
  change: StatusChange,
  input: { version: number },
): Promise<User> {
  return inTenant(ctx, async (tx) => {
    const target = await lockTarget(tx, ctx, id, 'edit');
    if (change === 'disable' && id === ctx.actor.userId) {
      throw new AppError('SELF_ACTION_FORBIDDEN', {}, undefined);
    }
    assertVersion(target, input.version);
    const roles = await assertAdministrable(tx, ctx, target);
    const { from, to } = TRANSITIONS[change];
    if (!from.includes(target.status)) {
      throw new AppError('CONFLICT', {}, { reason: 'STATUS', status: target.status });
    }
    if (change === 'disable') await assertNotLastSuperAdmin(tx, target, roles);
    if (!(await repo.setStatus(tx, id, input.version, to, ctx.now))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: target.version });
    }
    const sessionsEnded = change === 'disable' ? await revokeUserSessions(tx, id, ctx.now) : 0;
    await writeAudit(tx, auditWho(ctx), {
      action: `user.${change}`,
      entityType: 'user',
      entityId: id,
      changes: [{ field: 'status', before: target.status, after: to }],
      ...(change === 'disable' ? { details: { sessionsEnded } } : {}),
    });
    return reload(tx, ctx, id);
  });
}

/** A new generated password, to be changed at next sign-in; all the user's sessions end. */
export async function resetPassword(
  ctx: ServiceContext,
  id: string,
  input: { version: number },
): Promise<{ user: User; initialPassword: string }> {
  const password = generatePassword();
  const hash = await hashPassword(password);
  return inTenant(ctx, async (tx) => {
    const target = await lockTarget(tx, ctx, id, 'edit');
    // Your own password is changed with the current one (POST /auth/password), not reset.
    if (id === ctx.actor.userId) throw new AppError('SELF_ACTION_FORBIDDEN', {}, undefined);
    assertVersion(target, input.version);
    await assertAdministrable(tx, ctx, target);
    await setPassword(tx, { userId: id, hash, mustChange: true, now: ctx.now });
    const sessionsEnded = await revokeUserSessions(tx, id, ctx.now);
    await writeAudit(tx, auditWho(ctx), {
      action: 'user.reset_password',
      entityType: 'user',
      entityId: id,
      details: { sessionsEnded },
    });
    return { user: await reload(tx, ctx, id), initialPassword: password };
  });
}
