import { randomUUID } from 'node:crypto';
import {
  BUILTIN_ROLES,
  type BuiltinRoleKey,
  DEFAULT_SECURITY_POLICY,
  type Locale,
  localize,
  pinyinKey,
} from '@kam/domain';
import type { Database, Tx } from '../../db/database.js';
import { type AuditWho, writeAudit } from '../audit/writer.js';
import { generatePassword, hashPassword } from '../auth/crypto.js';
import { setPassword } from '../auth/service.js';

export interface NewOrganization {
  tenantId: string;
  slug: string;
  adminUserId: string;
  adminLogin: string;
  /** Set when KAM generated the password (shown once, must be changed at first sign-in). */
  generatedAdminPassword: string | null;
  rootDepartmentId: string;
  roleIds: Record<BuiltinRoleKey, string>;
}

/**
 * Creates an organisation (tenant) with its built-in roles, a root department and its first super
 * admin `admin`. With `adminPassword` the operator chose the password; otherwise one is generated and
 * must be changed at first sign-in.
 */
export async function createOrganization(
  db: Database,
  args: { slug: string; name: string; adminPassword?: string | undefined; locale?: Locale; now?: Date },
): Promise<NewOrganization> {
  const tenantId = randomUUID();
  const now = args.now ?? new Date();
  const locale = args.locale ?? 'zh-CN';
  const password = args.adminPassword ?? generatePassword();
  const hash = await hashPassword(password);
  return db.withTenant(tenantId, async (tx) => {
    await tx.query(
      `INSERT INTO tenants (tenant_id, slug, name, security_policy, security_preset, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'default', $5, $5)`,
      [tenantId, args.slug, args.name, JSON.stringify(DEFAULT_SECURITY_POLICY), now],
    );
    const roleIds = {} as Record<BuiltinRoleKey, string>;
    for (const role of BUILTIN_ROLES) {
      const id = randomUUID();
      roleIds[role.key] = id;
      await tx.query(
        `INSERT INTO roles (tenant_id, id, key, builtin, name, description, grants, field_rules, created_at, updated_at)
         VALUES ($1, $2, $3, true, $4, $5, $6, $7, $8, $8)`,
        [
          tenantId,
          id,
          role.key,
          localize(role.name, locale),
          localize(role.description, locale),
          JSON.stringify(role.grants),
          JSON.stringify(role.fieldRules),
          now,
        ],
      );
    }
    const rootDepartmentId = randomUUID();
    await tx.query(
      `INSERT INTO departments (tenant_id, id, parent_id, name, name_pinyin, path, created_at, updated_at)
       VALUES ($1, $2, NULL, $3, $5, ARRAY[$2::uuid], $4, $4)`,
      [tenantId, rootDepartmentId, args.name, now, pinyinKey(args.name)],
    );
    const adminUserId = await insertUser(tx, {
      tenantId,
      login: 'admin',
      displayName: locale === 'en' ? 'Administrator' : '系统管理员',
      departmentId: rootDepartmentId,
      roleIds: [roleIds.super_admin],
      locale,
      now,
    });
    await setPassword(tx, { userId: adminUserId, hash, mustChange: args.adminPassword === undefined, now });
    const system: AuditWho = {
      tenantId,
      actorId: null,
      actorName: 'system',
      ip: null,
      userAgent: null,
      requestId: null,
    };
    await writeAudit(tx, system, {
      action: 'organization.create',
      entityType: 'organization',
      entityId: tenantId,
      details: { slug: args.slug, name: args.name, admin: 'admin' },
    });
    return {
      tenantId,
      slug: args.slug,
      adminUserId,
      adminLogin: 'admin',
      generatedAdminPassword: args.adminPassword === undefined ? password : null,
      rootDepartmentId,
      roleIds,
    };
  });
}

export async function insertUser(
  tx: Tx,
  u: {
    tenantId: string;
    login: string;
    displayName: string;
    departmentId: string | null;
    roleIds: string[];
    email?: string | null;
    mobile?: string | null;
    locale?: Locale;
    createdBy?: string | null;
    now: Date;
  },
): Promise<string> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO users (tenant_id, id, login, display_name, name_pinyin, email, mobile, department_id, locale, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $11, $5, $6, $7, $8, $9, $10, $10)`,
    [
      u.tenantId,
      id,
      u.login,
      u.displayName,
      u.email ?? null,
      u.mobile ?? null,
      u.departmentId,
      u.locale ?? 'zh-CN',
      u.createdBy ?? null,
      u.now,
      pinyinKey(u.displayName),
    ],
  );
  if (u.roleIds.length > 0) {
    await tx.query('INSERT INTO user_roles (tenant_id, user_id, role_id) SELECT $1, $2, unnest($3::uuid[])', [
      u.tenantId,
      id,
      u.roleIds,
    ]);
  }
  return id;
}

/** The installation record: which organisation was created at first start. */
export async function installationTenant(db: Database): Promise<string | null> {
  return db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>('SELECT tenant_id FROM kam_sys.installation');
    return rows[0]?.tenant_id ?? null;
  });
}

export async function recordInstallation(db: Database, tenantId: string): Promise<void> {
  await db.withSystem((tx) =>
    tx.query('INSERT INTO kam_sys.installation (tenant_id) VALUES ($1)', [tenantId]),
  );
}

/**
 * Brings every organisation's built-in roles up to the current `BUILTIN_ROLES` definition. Built-in
 * roles are inserted when an organisation is created and are read-only afterwards, so rights added by
 * a later release (e.g. the customer permissions) reach existing installations only through this
 * sync, run at every start right after the migrations. A role is rewritten (and audited as
 * `role.sync`) only when its grants, field rules, name or description differ; the name keeps the
 * language it was created in.
 */
export async function syncBuiltinRoles(db: Database): Promise<{ tenantId: string; roles: string[] }[]> {
  const tenants = await db.withSystem(async (tx) => {
    const { rows } = await tx.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM kam_sys.tenant_directory ORDER BY tenant_id',
    );
    return rows.map((r) => r.tenant_id);
  });
  const out: { tenantId: string; roles: string[] }[] = [];
  for (const tenantId of tenants) {
    const synced = await db.withTenant(tenantId, async (tx) => {
      const { rows } = await tx.query<{ id: string; key: BuiltinRoleKey; name: string }>(
        `SELECT id, key, name FROM roles WHERE tenant_id = kam_tenant() AND builtin ORDER BY key FOR UPDATE`,
      );
      const changed: string[] = [];
      for (const row of rows) {
        const def = BUILTIN_ROLES.find((r) => r.key === row.key);
        if (!def) continue;
        const locale: Locale = row.name === def.name.en && def.name.en !== def.name.zh ? 'en' : 'zh-CN';
        const { rows: updated } = await tx.query<{ old_grants: unknown; old_field_rules: unknown }>(
          `WITH old AS (SELECT grants, field_rules FROM roles WHERE tenant_id = kam_tenant() AND id = $1)
           UPDATE roles r SET name = $2, description = $3, grants = $4::jsonb, field_rules = $5::jsonb,
             version = r.version + 1, updated_at = now()
           FROM old
           WHERE r.tenant_id = kam_tenant() AND r.id = $1
             AND (r.name, r.description, r.grants, r.field_rules) IS DISTINCT FROM ($2, $3, $4::jsonb, $5::jsonb)
           RETURNING old.grants AS old_grants, old.field_rules AS old_field_rules`,
          [
            row.id,
            localize(def.name, locale),
            localize(def.description, locale),
            JSON.stringify(def.grants),
            JSON.stringify(def.fieldRules),
          ],
        );
        const before = updated[0];
        if (!before) continue;
        changed.push(row.key);
        await writeAudit(
          tx,
          { tenantId, actorId: null, actorName: 'system', ip: null, userAgent: null, requestId: null },
          {
            action: 'role.sync',
            entityType: 'role',
            entityId: row.id,
            changes: [
              { field: 'grants', before: before.old_grants, after: def.grants },
              { field: 'fieldRules', before: before.old_field_rules, after: def.fieldRules },
            ].filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after)),
            details: { key: row.key },
          },
        );
      }
      return changed;
    });
    out.push({ tenantId, roles: synced });
  }
  return out;
}
