import { randomUUID } from 'node:crypto';
import {
  applyFieldRules,
  type ErrorCode,
  effectiveFieldRules,
  effectiveScope,
  errorMessage,
  readonlyViolations,
} from '@kam/domain';
import { denyRecord } from '../../access/deny.js';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo.js';

/** A department as the API returns it. Fields a field rule hides are absent. */
export interface Department {
  id: string;
  parentId: string | null;
  name?: string;
  code?: string | null;
  headUserId?: string | null;
  headName?: string | null;
  path: string[];
  userCount: number;
  version: number;
}

type DepartmentAction = 'view' | 'create' | 'edit' | 'delete';
const AUDITED = ['name', 'code', 'parentId', 'headUserId'] as const;

function present(
  ctx: ServiceContext,
  row: repo.DepartmentRow,
  rules = effectiveFieldRules(ctx.actor, 'department'),
): Department {
  const shown = applyFieldRules(
    'department',
    { name: row.name, code: row.code, headUserId: row.head_user_id },
    rules,
  );
  return {
    id: row.id,
    parentId: row.parent_id,
    ...shown,
    // The head's name goes with the head: hidden together.
    ...('headUserId' in shown ? { headName: row.head_name } : {}),
    path: row.path,
    userCount: row.user_count,
    version: row.version,
  };
}

const auditState = (d: {
  name: string;
  code: string | null;
  parent_id: string | null;
  head_user_id: string | null;
}) => ({
  name: d.name,
  code: d.code,
  parentId: d.parent_id,
  headUserId: d.head_user_id,
});

function fieldError(ctx: ServiceContext, path: string, code: ErrorCode) {
  return { fields: [{ path, code, message: errorMessage(code, ctx.actor.locale) }] };
}

/** pg unique violations of the department keys → 409 CONFLICT naming the field. */
function translateUnique(ctx: ServiceContext, err: unknown, nameField = 'body.name'): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint === 'departments_sibling_name_key') {
    throw new AppError(
      'CONFLICT',
      {},
      { reason: 'DEPARTMENT_NAME_TAKEN', ...fieldError(ctx, nameField, 'DEPARTMENT_NAME_TAKEN') },
    );
  }
  if (e.code === '23505' && e.constraint === 'departments_code_key') {
    throw new AppError(
      'CONFLICT',
      {},
      { reason: 'DEPARTMENT_CODE_TAKEN', ...fieldError(ctx, 'body.code', 'DEPARTMENT_CODE_TAKEN') },
    );
  }
  throw err;
}

async function visible(tx: Tx, ctx: ServiceContext, id: string): Promise<boolean> {
  const view = effectiveScope(ctx.actor, 'department', 'view');
  return view !== null && (await repo.getDepartment(tx, id, view, ctx.actor.userId)) !== null;
}

/**
 * The department addressed by the URL, locked, when the actor may do `action` on it. Otherwise:
 * 403 when the actor can at least see it, else 404 (recorded as a denial when it exists).
 */
async function lockTarget(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  action: DepartmentAction,
): Promise<repo.LockedDepartment> {
  const scope = effectiveScope(ctx.actor, 'department', action);
  const row = scope && (await repo.lockDepartment(tx, id, scope, ctx.actor.userId, 'update'));
  if (row) return row;
  if (!(await repo.departmentExists(tx, id))) throw denyRecord('department', id, 'missing');
  throw denyRecord('department', id, (await visible(tx, ctx, id)) ? 'visible' : 'invisible');
}

/**
 * A department named in the request body (a new parent), share-locked, when the actor may do
 * `action` there. Unknown or invisible → 400 on the field; visible but outside the scope → 403.
 */
async function lockReferenced(
  tx: Tx,
  ctx: ServiceContext,
  id: string,
  action: DepartmentAction,
  field: string,
): Promise<repo.LockedDepartment> {
  const scope = effectiveScope(ctx.actor, 'department', action);
  const row = scope && (await repo.lockDepartment(tx, id, scope, ctx.actor.userId, 'share'));
  if (row) return row;
  const denial = { entityType: 'department', entityId: id, reason: 'out_of_scope' };
  const exists = await repo.departmentExists(tx, id);
  if (exists && (await visible(tx, ctx, id))) throw new AppError('FORBIDDEN', {}, undefined, denial);
  throw new AppError(
    'VALIDATION_FAILED',
    {},
    fieldError(ctx, field, 'NOT_FOUND'),
    exists ? denial : undefined,
  );
}

function assertVersion(row: { version: number }, version: number): void {
  if (row.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
}

async function assertHead(tx: Tx, ctx: ServiceContext, headUserId: string | null | undefined): Promise<void> {
  if (!headUserId) return;
  if (!(await repo.findActiveUser(tx, headUserId))) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'body.headUserId', 'NOT_FOUND'));
  }
}

/**
 * Field rules forbid writing a field the actor may not fully see or edit. On create only hidden and
 * masked fields count (a readonly field may still be set initially).
 */
function assertWritable(ctx: ServiceContext, fields: string[], creating = false): void {
  const rules = effectiveFieldRules(ctx.actor, 'department');
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
      { entityType: 'department', reason: 'field_rule' },
    );
  }
}

async function reload(tx: Tx, ctx: ServiceContext, id: string): Promise<Department> {
  const row = await repo.getDepartment(tx, id, null, ctx.actor.userId);
  if (!row) throw new AppError('NOT_FOUND');
  return present(ctx, row);
}

export async function listDepartments(
  ctx: ServiceContext,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: Department[]; nextCursor: string | null }> {
  const scope = effectiveScope(ctx.actor, 'department', 'view');
  if (!scope)
    throw new AppError('FORBIDDEN', { permission: 'department.view' }, undefined, {
      permission: 'department.view',
    });
  const raw = decodeCursor(q.cursor, 3);
  if (
    q.cursor &&
    (!raw || typeof raw[0] !== 'number' || typeof raw[1] !== 'string' || typeof raw[2] !== 'string')
  ) {
    throw new AppError('VALIDATION_FAILED', {}, fieldError(ctx, 'querystring.cursor', 'OUT_OF_RANGE'));
  }
  const after = raw as repo.DepartmentKey | null;
  const rules = effectiveFieldRules(ctx.actor, 'department');
  const rows = await inTenant(ctx, (tx) =>
    repo.listDepartments(tx, { scope, actorUserId: ctx.actor.userId, limit: q.limit + 1, after }),
  );
  return toPage(
    rows,
    q.limit,
    (r) => present(ctx, r, rules),
    (last) => [last.path.length, last.name_pinyin, last.id],
  );
}

export async function getDepartment(ctx: ServiceContext, id: string): Promise<Department> {
  return inTenant(ctx, async (tx) => {
    const scope = effectiveScope(ctx.actor, 'department', 'view');
    const row = scope && (await repo.getDepartment(tx, id, scope, ctx.actor.userId));
    if (row) return present(ctx, row);
    throw denyRecord('department', id, (await repo.departmentExists(tx, id)) ? 'invisible' : 'missing');
  });
}

export async function createDepartment(
  ctx: ServiceContext,
  input: {
    name: string;
    parentId: string;
    code?: string | null | undefined;
    headUserId?: string | null | undefined;
  },
): Promise<Department> {
  const given = Object.entries(input)
    .filter(([k, v]) => v !== undefined && k !== 'parentId')
    .map(([k]) => k);
  assertWritable(ctx, given, true);
  return inTenant(ctx, async (tx) => {
    const parent = await lockReferenced(tx, ctx, input.parentId, 'create', 'body.parentId');
    await assertHead(tx, ctx, input.headUserId);
    const id = randomUUID();
    const code = input.code ?? null;
    const headUserId = input.headUserId ?? null;
    await repo
      .insertDepartment(tx, {
        id,
        parentId: parent.id,
        parentPath: parent.path,
        name: input.name,
        code,
        headUserId,
        now: ctx.now,
      })
      .catch((err) => translateUnique(ctx, err));
    await writeAudit(tx, auditWho(ctx), {
      action: 'department.create',
      entityType: 'department',
      entityId: id,
      changes: diffChanges(null, { name: input.name, code, parentId: parent.id, headUserId }, AUDITED),
    });
    return reload(tx, ctx, id);
  });
}

export async function updateDepartment(
  ctx: ServiceContext,
  id: string,
  input: {
    version: number;
    name?: string | undefined;
    code?: string | null | undefined;
    headUserId?: string | null | undefined;
  },
): Promise<Department> {
  return inTenant(ctx, async (tx) => {
    const before = await lockTarget(tx, ctx, id, 'edit');
    assertVersion(before, input.version);
    const patch: { name?: string; code?: string | null; headUserId?: string | null } = {};
    if (input.name !== undefined && input.name !== before.name) patch.name = input.name;
    if (input.code !== undefined && input.code !== before.code) patch.code = input.code;
    if (input.headUserId !== undefined && input.headUserId !== before.head_user_id)
      patch.headUserId = input.headUserId;
    if (Object.keys(patch).length === 0) return reload(tx, ctx, id);
    assertWritable(ctx, Object.keys(patch));
    await assertHead(tx, ctx, patch.headUserId);
    const updated = await repo
      .updateDepartment(tx, id, input.version, patch, ctx.now)
      .catch((err) => translateUnique(ctx, err));
    if (!updated) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    const after = {
      ...auditState(before),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.code !== undefined ? { code: patch.code } : {}),
      ...(patch.headUserId !== undefined ? { headUserId: patch.headUserId } : {}),
    };
    await writeAudit(tx, auditWho(ctx), {
      action: 'department.update',
      entityType: 'department',
      entityId: id,
      changes: diffChanges(auditState(before), after, AUDITED),
    });
    return reload(tx, ctx, id);
  });
}

export async function moveDepartment(
  ctx: ServiceContext,
  id: string,
  input: { version: number; parentId: string },
): Promise<Department> {
  return inTenant(ctx, async (tx) => {
    const dept = await lockTarget(tx, ctx, id, 'edit');
    if (dept.parent_id === null) {
      throw new AppError(
        'CONFLICT',
        {},
        { reason: 'ROOT_DEPARTMENT' },
        { entityType: 'department', entityId: id, reason: 'root' },
      );
    }
    assertVersion(dept, input.version);
    if (input.parentId === id) throw new AppError('DEPARTMENT_CYCLE');
    const target = await lockReferenced(tx, ctx, input.parentId, 'edit', 'body.parentId');
    // The target lies in the moved subtree when its path contains the department.
    if (target.path.includes(id)) throw new AppError('DEPARTMENT_CYCLE');
    if (target.id === dept.parent_id) return reload(tx, ctx, id);
    const from = await repo.getDepartment(tx, dept.parent_id, null, ctx.actor.userId);
    const moved = await repo
      .moveSubtree(tx, {
        id,
        version: input.version,
        oldDepth: dept.path.length,
        newParentId: target.id,
        newParentPath: target.path,
        now: ctx.now,
      })
      .catch((err) => translateUnique(ctx, err, 'body.parentId'));
    if (moved === 0) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: dept.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'department.move',
      entityType: 'department',
      entityId: id,
      changes: [{ field: 'parentId', before: dept.parent_id, after: target.id }],
      details: {
        name: dept.name,
        fromParentName: from?.name ?? null,
        toParentName: target.name,
        departmentsMoved: moved,
      },
    });
    return reload(tx, ctx, id);
  });
}

export async function deleteDepartment(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const dept = await lockTarget(tx, ctx, id, 'delete');
    if (dept.parent_id === null) {
      throw new AppError(
        'CONFLICT',
        {},
        { reason: 'ROOT_DEPARTMENT' },
        { entityType: 'department', entityId: id, reason: 'root' },
      );
    }
    assertVersion(dept, version);
    const contents = await repo.departmentContents(tx, id);
    if (contents.children > 0 || contents.users > 0) throw new AppError('DEPARTMENT_NOT_EMPTY', {}, contents);
    const deleted = await repo.deleteDepartment(tx, id, version).catch((err: { code?: string }) => {
      // A row that still points here (e.g. added concurrently) keeps the department.
      if (err.code === '23503') throw new AppError('DEPARTMENT_NOT_EMPTY');
      throw err;
    });
    if (!deleted) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: dept.version });
    await writeAudit(tx, auditWho(ctx), {
      action: 'department.delete',
      entityType: 'department',
      entityId: id,
      changes: diffChanges(auditState(dept), null, AUDITED),
    });
  });
}
