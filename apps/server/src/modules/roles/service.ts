import { randomUUID } from 'node:crypto';
import {
  ACTIONS,
  type Action,
  CATALOG,
  type ErrorCode,
  effectiveScope,
  type FieldRule,
  fieldRulesBeyondEditor,
  type Grant,
  grantKey,
  grantsBeyondEditor,
  grantsBeyondEditorForHolders,
  isRecordResource,
  type LocalizedText,
  RESOURCES,
  type ResourceDef,
  resourceActions,
  SCOPE_LABELS,
  SCOPES,
  type Sensitivity,
} from '@kam/domain';
import { inTenant, type ServiceContext } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { AppError, type FieldError } from '../../http/errors.js';
import { decodeCursor, toPage } from '../../http/schemas.js';
import { diffChanges, writeAudit } from '../audit/writer.js';
import { auditWho } from '../auth/service.js';
import * as repo from './repo.js';

export interface Role {
  id: string;
  key: string | null;
  builtin: boolean;
  name: string;
  description: string;
  userCount: number;
  version: number;
  grants: Grant[];
  fieldRules: FieldRule[];
}

export interface RoleRights {
  grants: Grant[];
  fieldRules: FieldRule[];
}

const AUDITED = ['name', 'description', 'grants', 'fieldRules'] as const;

function present(row: repo.RoleRow): Role {
  return {
    id: row.id,
    key: row.key,
    builtin: row.builtin,
    name: row.name,
    description: row.description,
    userCount: row.user_count,
    version: row.version,
    grants: row.grants,
    fieldRules: row.field_rules,
  };
}

const auditState = (r: { name: string; description: string; grants: Grant[]; fieldRules: FieldRule[] }) => ({
  name: r.name,
  description: r.description,
  grants: r.grants,
  fieldRules: r.fieldRules,
});

const fieldError = (path: string, code: ErrorCode): { fields: FieldError[] } => ({
  fields: [{ path, code, message: code }],
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// Permission catalogue

export interface PermissionCatalog {
  actions: { key: string; label: LocalizedText }[];
  scopes: { key: string; label: LocalizedText }[];
  resources: {
    key: string;
    label: LocalizedText;
    scoped: boolean;
    actions: string[];
    fields: { key: string; label: LocalizedText; sensitivity: Sensitivity }[];
  }[];
}

const ACTION_LABELS: Record<Action, LocalizedText> = {
  view: { zh: '查看', en: 'View' },
  create: { zh: '新建', en: 'Create' },
  edit: { zh: '编辑', en: 'Edit' },
  delete: { zh: '删除', en: 'Delete' },
  assign: { zh: '分配', en: 'Assign' },
  export: { zh: '导出', en: 'Export' },
  import: { zh: '导入', en: 'Import' },
  approve: { zh: '审批', en: 'Approve' },
  configure: { zh: '配置', en: 'Configure' },
};

/** The catalogue the role editor is built from (labels in both languages). */
export function permissionCatalog(): PermissionCatalog {
  return {
    actions: ACTIONS.map((key) => ({ key, label: ACTION_LABELS[key] })),
    scopes: SCOPES.map((key) => ({ key, label: SCOPE_LABELS[key] })),
    resources: RESOURCES.map((key) => {
      const def: ResourceDef = CATALOG[key];
      return {
        key,
        label: def.label,
        scoped: isRecordResource(key),
        actions: resourceActions(key),
        fields: Object.entries(def.fields).map(([field, f]) => ({
          key: field,
          label: f.label,
          sensitivity: f.sensitivity,
        })),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

export async function listRoles(
  ctx: ServiceContext,
  q: { limit: number; cursor?: string | undefined },
): Promise<{ items: Role[]; nextCursor: string | null }> {
  const after = decodeCursor(q.cursor, 1);
  const rows = await inTenant(ctx, (tx) =>
    repo.listRoles(tx, { limit: q.limit + 1, after: after ? String(after[0]) : null }),
  );
  return toPage(rows, q.limit, present, (last) => [last.sort_key]);
}

export async function getRole(ctx: ServiceContext, id: string): Promise<Role> {
  const row = await inTenant(ctx, (tx) => repo.getRole(tx, id));
  if (!row) throw new AppError('NOT_FOUND');
  return present(row);
}

// ---------------------------------------------------------------------------------------------
// Validation beyond the request schema

/**
 * De-duplicates grants, checks that `custom` departments exist in the tenant and that no field has two
 * rules. (Catalogue pairs, scopes and field names are checked by `zGrant` / `zFieldRule`.)
 */
async function normalizeRights(tx: Tx, rights: RoleRights): Promise<RoleRights> {
  const seen = new Set<string>();
  const grants: Grant[] = [];
  for (const g of rights.grants) {
    const canonical: Grant = {
      resource: g.resource,
      action: g.action,
      ...(g.scope ? { scope: g.scope } : {}),
      ...(g.departmentIds ? { departmentIds: [...new Set(g.departmentIds)].sort() } : {}),
    };
    const key = grantKey(canonical);
    if (!seen.has(key)) {
      seen.add(key);
      grants.push(canonical);
    }
  }
  const ids = [...new Set(grants.flatMap((g) => g.departmentIds ?? []))];
  const wellFormed = ids.filter((id) => UUID.test(id));
  const existing = await repo.departmentPaths(tx, wellFormed);
  const fields: FieldError[] = [];
  rights.grants.forEach((g, i) => {
    if ((g.departmentIds ?? []).some((id) => !existing.has(id))) {
      fields.push({ path: `body.grants.${i}.departmentIds`, code: 'NOT_FOUND', message: 'NOT_FOUND' });
    }
  });
  const ruleKeys = new Set<string>();
  rights.fieldRules.forEach((r, i) => {
    const key = `${r.resource}.${r.field}`;
    if (ruleKeys.has(key)) {
      fields.push({
        path: `body.fieldRules.${i}`,
        code: 'PERMISSION_INVALID',
        message: 'PERMISSION_INVALID',
      });
    }
    ruleKeys.add(key);
  });
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', {}, { fields });
  const fieldRules = rights.fieldRules.map((r) => ({ resource: r.resource, field: r.field, rule: r.rule }));
  return { grants, fieldRules };
}

/**
 * Rejects an edit that would put into a role more than the editor holds (rules in escalation.ts).
 * `before` is the role as it was (null on create); only what the edit adds is judged.
 */
async function assertWithinEditor(
  tx: Tx,
  ctx: ServiceContext,
  roleId: string | null,
  before: RoleRights | null,
  after: RoleRights,
): Promise<void> {
  const editor = ctx.actor;
  const existing = new Set(before?.grants.map(grantKey) ?? []);
  const added = after.grants.filter((g) => !existing.has(grantKey(g)));
  const paths = await repo.departmentPaths(tx, [...new Set(added.flatMap((g) => g.departmentIds ?? []))]);
  const ancestorsOf = (id: string) => paths.get(id) ?? [id];

  const grants = grantsBeyondEditor(editor, added, ancestorsOf);
  const loosenedBefore = new Set(
    before
      ? fieldRulesBeyondEditor(editor, before.grants, before.fieldRules).map(
          (f) => `${f.resource}.${f.field}`,
        )
      : [],
  );
  const fieldRules = fieldRulesBeyondEditor(editor, after.grants, after.fieldRules).filter(
    (f) => !loosenedBefore.has(`${f.resource}.${f.field}`),
  );
  const needsHolderCheck =
    roleId !== null &&
    grants.length === 0 &&
    added.some((g) => isRecordResource(g.resource) && !effectiveScope(editor, g.resource, g.action)?.all);
  if (needsHolderCheck) {
    const holders = (await repo.roleHolders(tx, roleId)).map((h) => ({
      userId: h.user_id,
      departmentId: h.department_id,
      departmentAncestorIds: h.department_path ?? [],
    }));
    grants.push(...grantsBeyondEditorForHolders(editor, added, holders, ancestorsOf));
  }
  if (grants.length > 0 || fieldRules.length > 0) {
    throw new AppError(
      'ROLE_GRANT_EXCEEDED',
      {},
      { grants, fieldRules },
      { entityType: 'role', ...(roleId ? { entityId: roleId } : {}), reason: 'grant_exceeded' },
    );
  }
}

/** pg unique violation of the role name → 409 CONFLICT on the name field. */
function translateUnique(err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e.code === '23505' && e.constraint === 'roles_name_key') {
    throw new AppError('CONFLICT', {}, { reason: 'ROLE_NAME_TAKEN', ...fieldError('body.name', 'CONFLICT') });
  }
  throw err;
}

// ---------------------------------------------------------------------------------------------
// Changes

export interface CreateRoleInput {
  name: string;
  description?: string | undefined;
  grants?: Grant[] | undefined;
  fieldRules?: FieldRule[] | undefined;
  copyFromRoleId?: string | undefined;
}

/**
 * Creates a custom role. With `copyFromRoleId`, grants and field rules that the request omits are
 * copied from that role (built-in or custom) — "copy and adjust" for the read-only built-in roles.
 */
export async function createRole(ctx: ServiceContext, input: CreateRoleInput): Promise<Role> {
  return inTenant(ctx, async (tx) => {
    let grants = input.grants;
    let fieldRules = input.fieldRules;
    let copiedFrom: { id: string; name: string } | null = null;
    if (input.copyFromRoleId) {
      const source = await repo.getRole(tx, input.copyFromRoleId);
      if (!source)
        throw new AppError('VALIDATION_FAILED', {}, fieldError('body.copyFromRoleId', 'NOT_FOUND'));
      grants ??= source.grants;
      fieldRules ??= source.field_rules;
      copiedFrom = { id: source.id, name: source.name };
    }
    const rights = await normalizeRights(tx, { grants: grants ?? [], fieldRules: fieldRules ?? [] });
    await assertWithinEditor(tx, ctx, null, null, rights);
    const id = randomUUID();
    const description = input.description ?? '';
    await repo
      .insertRole(tx, { id, name: input.name, description, ...rights, now: ctx.now })
      .catch(translateUnique);
    await writeAudit(tx, auditWho(ctx), {
      action: 'role.create',
      entityType: 'role',
      entityId: id,
      changes: diffChanges(null, auditState({ name: input.name, description, ...rights }), AUDITED),
      details: copiedFrom ? { copiedFrom } : null,
    });
    return present((await repo.getRole(tx, id))!);
  });
}

export interface UpdateRoleInput {
  version: number;
  name: string;
  description: string;
  grants: Grant[];
  fieldRules: FieldRule[];
}

async function lockCustomRole(tx: Tx, id: string, version: number): Promise<repo.RoleRow> {
  const row = await repo.getRole(tx, id, true);
  if (!row) throw new AppError('NOT_FOUND');
  if (row.builtin) throw new AppError('ROLE_BUILTIN_READONLY');
  if (row.version !== version) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: row.version });
  return row;
}

/** Replaces a custom role's name, description and rights. Holders get the new rights at their next request. */
export async function updateRole(ctx: ServiceContext, id: string, input: UpdateRoleInput): Promise<Role> {
  return inTenant(ctx, async (tx) => {
    const before = await lockCustomRole(tx, id, input.version);
    const rights = await normalizeRights(tx, { grants: input.grants, fieldRules: input.fieldRules });
    await assertWithinEditor(tx, ctx, id, { grants: before.grants, fieldRules: before.field_rules }, rights);
    const updated = await repo
      .updateRole(tx, {
        id,
        version: input.version,
        name: input.name,
        description: input.description,
        ...rights,
        now: ctx.now,
      })
      .catch(translateUnique);
    if (!updated) throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    const changes = diffChanges(
      auditState({ ...before, fieldRules: before.field_rules }),
      auditState({ name: input.name, description: input.description, ...rights }),
      AUDITED,
    );
    if (changes.length > 0) {
      await writeAudit(tx, auditWho(ctx), {
        action: 'role.update',
        entityType: 'role',
        entityId: id,
        changes,
        details: { userCount: before.user_count },
      });
    }
    return present((await repo.getRole(tx, id))!);
  });
}

/** Deletes a custom role that nobody holds. */
export async function deleteRole(ctx: ServiceContext, id: string, version: number): Promise<void> {
  await inTenant(ctx, async (tx) => {
    const before = await lockCustomRole(tx, id, version);
    if (before.user_count > 0) throw new AppError('ROLE_IN_USE', {}, { userCount: before.user_count });
    if (!(await repo.deleteRole(tx, id, version))) {
      throw new AppError('VERSION_CONFLICT', {}, { currentVersion: before.version });
    }
    await writeAudit(tx, auditWho(ctx), {
      action: 'role.delete',
      entityType: 'role',
      entityId: id,
      changes: diffChanges(auditState({ ...before, fieldRules: before.field_rules }), null, AUDITED),
    });
  });
}
