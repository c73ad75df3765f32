import { BUILTIN_ROLES } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
import { DEMO_PASSWORD } from '../src/modules/organization/demo.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
let admin: Client;
const dept: Record<string, string> = {};

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  const rows = await env.db.withTenant(org.tenantId, (tx) =>
    tx.query<{ id: string; code: string }>('SELECT id, code FROM departments WHERE tenant_id = kam_tenant()'),
  );
  for (const r of rows.rows) dept[r.code] = r.id;
});
afterAll(() => env.close());

async function userId(login: string): Promise<string> {
  const { rows } = await env.db.withTenant(org.tenantId, (tx) =>
    tx.query<{ id: string }>('SELECT id FROM users WHERE tenant_id = kam_tenant() AND login = $1', [login]),
  );
  return rows[0]!.id;
}

async function makeUser(login: string, departmentId: string, roleIds: string[]): Promise<string> {
  const hash = await hashPassword(DEMO_PASSWORD);
  return env.db.withTenant(org.tenantId, async (tx) => {
    const id = await insertUser(tx, {
      tenantId: org.tenantId,
      login,
      displayName: login,
      departmentId,
      roleIds,
      now: new Date(),
    });
    await setPassword(tx, { userId: id, hash, mustChange: false, now: new Date() });
    return id;
  });
}

async function assign(roleId: string, login: string) {
  const id = await userId(login);
  await env.db.withTenant(org.tenantId, (tx) =>
    tx.query('INSERT INTO user_roles (tenant_id, user_id, role_id) VALUES (kam_tenant(), $1, $2)', [
      id,
      roleId,
    ]),
  );
}

async function unassign(roleId: string, login: string) {
  const id = await userId(login);
  await env.db.withTenant(org.tenantId, (tx) =>
    tx.query('DELETE FROM user_roles WHERE tenant_id = kam_tenant() AND user_id = $1 AND role_id = $2', [
      id,
      roleId,
    ]),
  );
}

async function auditOf(entityId: string) {
  const { rows } = await env.db.withTenant(org.tenantId, (tx) =>
    tx.query<{
      action: string;
      changes: { field: string; before: unknown; after: unknown }[] | null;
      details: any;
    }>(
      'SELECT action, changes, details FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1 ORDER BY seq',
      [entityId],
    ),
  );
  return rows;
}

const userView = (scope: string, departmentIds?: string[]) => ({
  resource: 'user',
  action: 'view',
  scope,
  ...(departmentIds ? { departmentIds } : {}),
});

describe('permission catalogue', () => {
  it('is readable by any signed-in user, with labels in both languages', async () => {
    const auditor = await Client.signIn(env, org.slug, 'auditor');
    const res = await auditor.get('/api/v1/permission-catalog');
    expect(res.status).toBe(200);
    expect(res.body.scopes.map((s: { key: string }) => s.key)).toEqual([
      'self',
      'department',
      'department_tree',
      'all',
      'custom',
    ]);
    expect(res.body.actions.find((a: { key: string }) => a.key === 'view').label).toEqual({
      zh: '查看',
      en: 'View',
    });
    const user = res.body.resources.find((r: { key: string }) => r.key === 'user');
    expect(user.scoped).toBe(true);
    expect(user.actions).toEqual(['view', 'create', 'edit', 'assign']);
    expect(user.fields).toContainEqual({
      key: 'mobile',
      label: { zh: '手机号', en: 'Mobile' },
      sensitivity: 'mobile',
    });
    const audit = res.body.resources.find((r: { key: string }) => r.key === 'audit');
    expect(audit).toMatchObject({ scoped: false, actions: ['view', 'export'], fields: [] });
    expect((await new Client(env, org.slug).get('/api/v1/permission-catalog')).status).toBe(401);
  });
});

describe('reading roles', () => {
  it('lists the built-in roles with their holders counted, page by page', async () => {
    const all = await admin.get('/api/v1/roles?limit=200');
    expect(all.status).toBe(200);
    const builtins = all.body.items.filter((r: { builtin: boolean }) => r.builtin);
    expect(builtins.map((r: { key: string }) => r.key).sort()).toEqual(
      BUILTIN_ROLES.map((r) => r.key).sort(),
    );
    const byKey = Object.fromEntries(builtins.map((r: { key: string }) => [r.key, r]));
    expect(byKey.account_manager.userCount).toBe(3);
    expect(byKey.super_admin.userCount).toBe(1);
    expect(byKey.auditor).toMatchObject({
      name: '审计员',
      version: 1,
      grants: [
        { resource: 'audit', action: 'view' },
        { resource: 'audit', action: 'export' },
      ],
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await admin.get(`/api/v1/roles?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((r: { id: string }) => r.id));
  });

  it('shows one role; unknown ids answer 404', async () => {
    const res = await admin.get(`/api/v1/roles/${org.roleIds.sales_director}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'sales_director', builtin: true, userCount: 1 });
    expect((await admin.get('/api/v1/roles/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('needs role.view: a director may read but not change roles; a manager may not read', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    expect((await director.get('/api/v1/roles')).status).toBe(200);
    const create = await director.post('/api/v1/roles', { name: 'x', grants: [], fieldRules: [] });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('FORBIDDEN');
    const manager = await Client.signIn(env, org.slug, 'manager');
    expect((await manager.get('/api/v1/roles')).status).toBe(403);
  });
});

describe('validating roles', () => {
  const bad = async (body: Record<string, unknown>) => {
    const res = await admin.post('/api/v1/roles', { name: 'Bad', fieldRules: [], grants: [], ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    return res.body.error.details.fields as { path: string; code: string }[];
  };

  it('accepts only catalogue pairs with the right kind of scope', async () => {
    expect((await bad({ grants: [{ resource: 'audit', action: 'delete' }] }))[0]!.code).toBe(
      'PERMISSION_INVALID',
    );
    expect((await bad({ grants: [{ resource: 'user', action: 'view' }] }))[0]!.code).toBe(
      'PERMISSION_INVALID',
    );
    expect((await bad({ grants: [{ resource: 'tenant', action: 'view', scope: 'all' }] }))[0]!.code).toBe(
      'PERMISSION_INVALID',
    );
    expect(
      (await bad({ grants: [{ ...userView('department'), departmentIds: [dept.SH01] }] }))[0]!.code,
    ).toBe('PERMISSION_INVALID');
    expect((await bad({ grants: [userView('custom')] }))[0]!.code).toBe('PERMISSION_INVALID');
    expect(
      (await bad({ grants: [{ resource: 'opportunity', action: 'view', scope: 'all' }] }))[0]!.code,
    ).toBe('PERMISSION_INVALID');
  });

  it('requires custom departments to exist in the organisation', async () => {
    const fields = await bad({
      grants: [userView('custom', [dept.SH01!, '00000000-0000-4000-8000-000000000000'])],
    });
    expect(fields).toEqual([
      expect.objectContaining({ path: 'body.grants.0.departmentIds', code: 'NOT_FOUND' }),
    ]);
    expect((await bad({ grants: [userView('custom', ['not-a-uuid'])] }))[0]!.code).toBe('NOT_FOUND');
  });

  it('accepts field rules on catalogue fields only, one rule per field', async () => {
    expect(
      (await bad({ fieldRules: [{ resource: 'user', field: 'password', rule: 'hidden' }] }))[0]!.code,
    ).toBe('PERMISSION_INVALID');
    expect(
      (await bad({ fieldRules: [{ resource: 'user', field: 'status', rule: 'masked' }] }))[0]!.code,
    ).toBe('PERMISSION_INVALID');
    const twice = await bad({
      fieldRules: [
        { resource: 'user', field: 'mobile', rule: 'masked' },
        { resource: 'user', field: 'mobile', rule: 'hidden' },
      ],
    });
    expect(twice[0]).toMatchObject({ path: 'body.fieldRules.1', code: 'PERMISSION_INVALID' });
  });

  it('requires grants and field rules unless copying, and rejects unknown properties', async () => {
    const res = await admin.post('/api/v1/roles', { name: 'No rights' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'body.fieldRules',
      'body.grants',
    ]);
    expect((await bad({ builtin: true }))[0]!.code).toBe('UNKNOWN_PROPERTY');
    expect((await bad({ name: '   ' }))[0]!.code).toBe('REQUIRED');
  });

  it('keeps names unique per organisation regardless of case', async () => {
    const a = await admin.post('/api/v1/roles', { name: 'Key Account Team', grants: [], fieldRules: [] });
    expect(a.status).toBe(201);
    const b = await admin.post('/api/v1/roles', { name: 'key account team', grants: [], fieldRules: [] });
    expect(b.status).toBe(409);
    expect(b.body.error.code).toBe('CONFLICT');
    expect(b.body.error.details.fields[0].path).toBe('body.name');
    expect((await admin.post('/api/v1/roles', { name: '审计员', grants: [], fieldRules: [] })).status).toBe(
      409,
    );
  });
});

describe('changing roles', () => {
  it('creates a role and audits its rights as a permission change', async () => {
    const grants = [
      { resource: 'department', action: 'view', scope: 'department_tree' },
      userView('custom', [dept.SZ01!, dept.GZ01!, dept.SZ01!]),
      { resource: 'tenant', action: 'view' },
    ];
    const fieldRules = [{ resource: 'user', field: 'mobile', rule: 'masked' }];
    const res = await admin.post('/api/v1/roles', {
      name: '  华南 客户成功 ',
      description: '华南区域',
      grants,
      fieldRules,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      key: null,
      builtin: false,
      name: '华南 客户成功',
      userCount: 0,
      version: 1,
      fieldRules,
    });
    expect(res.body.grants[1].departmentIds).toEqual([dept.SZ01, dept.GZ01].sort());
    const [entry] = await auditOf(res.body.id);
    expect(entry!.action).toBe('role.create');
    const changed = Object.fromEntries(entry!.changes!.map((c) => [c.field, c]));
    expect(changed.grants!.before).toBeNull();
    expect(changed.grants!.after).toEqual(res.body.grants);
    expect(changed.fieldRules!.after).toEqual(fieldRules);
  });

  it('copies a built-in role: omitted rights come from the source, given ones replace them', async () => {
    const copy = await admin.post('/api/v1/roles', {
      name: '销售总监（华东）',
      copyFromRoleId: org.roleIds.sales_director,
    });
    expect(copy.status).toBe(201);
    const director = BUILTIN_ROLES.find((r) => r.key === 'sales_director')!;
    expect(copy.body.grants).toEqual(director.grants);
    expect(copy.body.fieldRules).toEqual([]);
    const masked = [{ resource: 'user', field: 'email', rule: 'masked' }];
    const partial = await admin.post('/api/v1/roles', {
      name: '客服（邮箱脱敏）',
      copyFromRoleId: org.roleIds.customer_service,
      fieldRules: masked,
    });
    expect(partial.body.fieldRules).toEqual(masked);
    expect(partial.body.grants).toEqual(BUILTIN_ROLES.find((r) => r.key === 'customer_service')!.grants);
    expect((await auditOf(copy.body.id))[0]!.details.copiedFrom.id).toBe(org.roleIds.sales_director);
    const missing = await admin.post('/api/v1/roles', {
      name: 'copy',
      copyFromRoleId: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.fields[0]).toMatchObject({
      path: 'body.copyFromRoleId',
      code: 'NOT_FOUND',
    });
  });

  it('keeps built-in roles read-only', async () => {
    const id = org.roleIds.account_manager;
    const put = await admin.put(`/api/v1/roles/${id}`, {
      version: 1,
      name: 'AM',
      description: '',
      grants: [],
      fieldRules: [],
    });
    expect(put.status).toBe(409);
    expect(put.body.error.code).toBe('ROLE_BUILTIN_READONLY');
    const del = await admin.delete(`/api/v1/roles/${id}?version=1`);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('ROLE_BUILTIN_READONLY');
  });

  it('changes the rights of every holder at their next request, with optimistic versions', async () => {
    const created = await admin.post('/api/v1/roles', {
      name: 'Policy readers',
      grants: [{ resource: 'tenant', action: 'view' }],
      fieldRules: [],
    });
    const id = created.body.id as string;
    await assign(id, 'manager');
    const manager = await Client.signIn(env, org.slug, 'manager');
    expect((await manager.get('/api/v1/security-policy')).status).toBe(200);
    expect((await admin.get(`/api/v1/roles/${id}`)).body.userCount).toBe(1);

    const update = await admin.put(`/api/v1/roles/${id}`, {
      version: 1,
      name: 'Policy readers',
      description: 'no longer reading',
      grants: [],
      fieldRules: [],
    });
    expect(update.status).toBe(200);
    expect(update.body.version).toBe(2);
    expect((await manager.get('/api/v1/security-policy')).status).toBe(403);

    const stale = await admin.put(`/api/v1/roles/${id}`, {
      version: 1,
      name: 'x',
      description: '',
      grants: [],
      fieldRules: [],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.error.details.currentVersion).toBe(2);

    const entries = await auditOf(id);
    const upd = entries.find((e) => e.action === 'role.update')!;
    expect(upd.changes).toContainEqual({
      field: 'grants',
      before: [{ resource: 'tenant', action: 'view' }],
      after: [],
    });
    expect(upd.changes).toContainEqual({ field: 'description', before: '', after: 'no longer reading' });
    expect(upd.changes!.find((c) => c.field === 'name')).toBeUndefined();

    // in use → cannot be deleted; once unassigned, it can (with the current version)
    const inUse = await admin.delete(`/api/v1/roles/${id}?version=2`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('ROLE_IN_USE');
    await unassign(id, 'manager');
    expect((await admin.delete(`/api/v1/roles/${id}?version=1`)).body.error.code).toBe('VERSION_CONFLICT');
    expect((await admin.delete(`/api/v1/roles/${id}?version=2`)).status).toBe(204);
    expect((await admin.get(`/api/v1/roles/${id}`)).status).toBe(404);
    const del = (await auditOf(id)).find((e) => e.action === 'role.delete')!;
    expect(del.changes).toContainEqual({ field: 'name', before: 'Policy readers', after: null });
    expect(
      (
        await admin.put(`/api/v1/roles/${id}`, {
          version: 2,
          name: 'x',
          description: '',
          grants: [],
          fieldRules: [],
        })
      ).status,
    ).toBe(404);
  });
});

describe('no escalation through role editing', () => {
  let hr: Client;
  let hrRoleId: string;

  beforeAll(async () => {
    // A regional HR partner in 华东大区 who may configure roles, with limited rights of their own.
    const role = await admin.post('/api/v1/roles', {
      name: '华东 HR',
      grants: [
        { resource: 'role', action: 'view' },
        { resource: 'role', action: 'configure' },
        { resource: 'department', action: 'view', scope: 'department_tree' },
        userView('department_tree'),
        { resource: 'user', action: 'edit', scope: 'department' },
      ],
      fieldRules: [{ resource: 'user', field: 'mobile', rule: 'masked' }],
    });
    expect(role.status).toBe(201);
    hrRoleId = role.body.id;
    await makeUser('east.hr', dept.EAST!, [hrRoleId]);
    hr = await Client.signIn(env, org.slug, 'east.hr');
  });

  const masked = [{ resource: 'user', field: 'mobile', rule: 'masked' }];
  const create = (name: string, grants: unknown[], fieldRules: unknown[] = masked) =>
    hr.post('/api/v1/roles', { name, grants, fieldRules });

  it('lets the editor grant what they hold, no wider than their own scope', async () => {
    expect((await create('East viewers', [userView('department')])).status).toBe(201);
    expect((await create('East tree viewers', [userView('department_tree')])).status).toBe(201);
    expect((await create('Self editors', [{ resource: 'user', action: 'edit', scope: 'self' }])).status).toBe(
      201,
    );
    expect((await create('Shanghai viewers', [userView('custom', [dept.SH01!, dept.HZ01!])])).status).toBe(
      201,
    );
    expect((await create('Role readers', [{ resource: 'role', action: 'view' }])).status).toBe(201);
  });

  it('rejects keys the editor lacks, wider scopes and departments outside their scope', async () => {
    const cases: [string, Record<string, unknown> & { departmentIds?: string[] }][] = [
      ['all', userView('all')],
      ['tree edit', { resource: 'user', action: 'edit', scope: 'department_tree' }],
      ['create', { resource: 'user', action: 'create', scope: 'department' }],
      ['audit', { resource: 'audit', action: 'view' }],
      ['south', userView('custom', [dept.SH01!, dept.SZ01!])],
      ['hq', userView('custom', [org.rootDepartmentId])],
    ];
    for (const [name, grant] of cases) {
      const res = await create(`Too much ${name}`, [grant]);
      expect(res.status, name).toBe(403);
      expect(res.body.error.code).toBe('ROLE_GRANT_EXCEEDED');
      // the error names the grant as stored (custom departments sorted)
      const stored = grant.departmentIds
        ? { ...grant, departmentIds: [...grant.departmentIds].sort() }
        : grant;
      expect(res.body.error.details.grants).toEqual([stored]);
    }
    const denied = await env.db.withTenant(org.tenantId, (tx) =>
      tx.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'authz.denied'
           AND details->>'code' = 'ROLE_GRANT_EXCEEDED' AND details->>'reason' = 'grant_exceeded'`,
      ),
    );
    expect(denied.rows[0]!.n).toBe(cases.length);
  });

  it('rejects field rules that show more than the editor sees', async () => {
    const open = await create('Unmasked', [userView('department')], []);
    expect(open.status).toBe(403);
    expect(open.body.error.details.fieldRules).toEqual([
      { resource: 'user', field: 'mobile', required: 'masked' },
    ]);
    const readonly = await create(
      'Readonly mobile',
      [userView('department')],
      [{ resource: 'user', field: 'mobile', rule: 'readonly' }],
    );
    expect(readonly.status).toBe(403);
    const hidden = await create(
      'Hidden mobile',
      [userView('department')],
      [{ resource: 'user', field: 'mobile', rule: 'hidden' }],
    );
    expect(hidden.status).toBe(201);
    // no view grant on users: the field rule does not matter
    expect(
      (await create('Dept only', [{ resource: 'department', action: 'view', scope: 'department' }], []))
        .status,
    ).toBe(201);
  });

  it('judges only what an edit adds, including against the users who already hold the role', async () => {
    // Built by the super admin: broader than the HR partner, held by a user in 华南.
    const wide = await admin.post('/api/v1/roles', {
      name: 'Everyone self',
      grants: [userView('self')],
      fieldRules: [],
    });
    await assign(wide.body.id, 'manager3');
    const id = wide.body.id as string;

    // Renaming keeps the existing (unmasked) rights: allowed.
    const renamed = await hr.put(`/api/v1/roles/${id}`, {
      version: 1,
      name: 'Own profile',
      description: '',
      grants: [userView('self')],
      fieldRules: [],
    });
    expect(renamed.status).toBe(200);

    // Adding department scope is within the editor's rank, but the holder sits in 深圳 — outside
    // the editor's tree — so the holder would gain rights the editor could not assign to them.
    const widen = await hr.put(`/api/v1/roles/${id}`, {
      version: 2,
      name: 'Own profile',
      description: '',
      grants: [userView('self'), userView('department')],
      fieldRules: [],
    });
    expect(widen.status).toBe(403);
    expect(widen.body.error.details.grants).toEqual([userView('department')]);

    // The same edit by the super admin is fine.
    const byAdmin = await admin.put(`/api/v1/roles/${id}`, {
      version: 2,
      name: 'Own profile',
      description: '',
      grants: [userView('self'), userView('department')],
      fieldRules: [],
    });
    expect(byAdmin.status).toBe(200);

    // Removing rights is never an escalation.
    const narrowed = await hr.put(`/api/v1/roles/${id}`, {
      version: 3,
      name: 'Own profile',
      description: '',
      grants: [userView('self')],
      fieldRules: [],
    });
    expect(narrowed.status).toBe(200);
  });

  it('lets the super admin grant anything', async () => {
    const res = await admin.post('/api/v1/roles', {
      name: 'Almost admin',
      grants: [userView('all'), { resource: 'audit', action: 'export' }, userView('custom', [dept.SZ01!])],
      fieldRules: [],
    });
    expect(res.status).toBe(201);
  });
});

describe('API documentation', () => {
  it('documents the roles, token, policy and audit routes in OpenAPI', async () => {
    const res = await new Client(env).get('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as any;
    for (const path of [
      '/api/v1/permission-catalog',
      '/api/v1/roles',
      '/api/v1/roles/{id}',
      '/api/v1/api-tokens',
      '/api/v1/api-tokens/{id}',
      '/api/v1/security-policy',
      '/api/v1/security-policy/presets',
      '/api/v1/audit-logs',
      '/api/v1/audit-logs/verify',
      '/api/v1/audit-logs/export',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(
      doc.paths['/api/v1/roles'].post.requestBody.content['application/json'].schema.description,
    ).toMatch(/copyFromRoleId/);
  });
});
