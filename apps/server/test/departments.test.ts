import { randomUUID } from 'node:crypto';
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
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
let admin: Client;

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
});
afterAll(() => env.close());

interface Dept {
  id: string;
  parentId: string | null;
  name: string;
  code: string | null;
  headUserId: string | null;
  headName: string | null;
  path: string[];
  userCount: number;
  version: number;
}

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

async function deptByCode(
  code: string,
): Promise<{ id: string; path: string[]; version: number; name: string }> {
  const rows = await q<{ id: string; path: string[]; version: number; name: string }>(
    'SELECT id, path, version, name FROM departments WHERE tenant_id = kam_tenant() AND code = $1',
    [code],
  );
  return rows[0]!;
}

async function deptRow(id: string) {
  const rows = await q<{ name: string; parent_id: string | null; path: string[]; version: number }>(
    'SELECT name, parent_id, path, version FROM departments WHERE tenant_id = kam_tenant() AND id = $1',
    [id],
  );
  return rows[0];
}

async function audits(action: string, entityId: string) {
  return q<{
    action: string;
    actor_name: string;
    changes: { field: string; before: unknown; after: unknown }[] | null;
    details: Record<string, unknown> | null;
  }>(
    `SELECT action, actor_name, changes, details FROM audit_log
     WHERE tenant_id = kam_tenant() AND action = $1 AND entity_id = $2 ORDER BY seq`,
    [action, entityId],
  );
}

async function listAll(c: Client, limit = 1000): Promise<Dept[]> {
  const items: Dept[] = [];
  let cursor: string | null = null;
  do {
    const res: Res = await c.get(`/api/v1/departments?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** A user signed in with a fixed password, placed in a department with a built-in role. */
function makeUser(login: string, departmentId: string, role: keyof TestOrg['roleIds']): Promise<string> {
  return makeUserWithRole(login, departmentId, org.roleIds[role]);
}

async function makeUserWithRole(login: string, departmentId: string, roleId: string): Promise<string> {
  const hash = await hashPassword(DEMO_PASSWORD);
  return env.db.withTenant(org.tenantId, async (tx) => {
    const id = await insertUser(tx, {
      tenantId: org.tenantId,
      login,
      displayName: login,
      departmentId,
      roleIds: [roleId],
      now: new Date(),
    });
    await setPassword(tx, { userId: id, hash, mustChange: false, now: new Date() });
    return id;
  });
}

describe('department visibility', () => {
  it('shows a sales director their region and its branches, by depth then name, and nothing else', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const items = await listAll(director);
    expect(items[0]!.name).toBe('华东大区');
    expect(new Set(items.map((d) => d.name))).toEqual(new Set(['华东大区', '上海销售一部', '杭州销售部']));
    const east = items[0]!;
    expect(east.code).toBe('EAST');
    expect(east.headName).toBe('赵明');
    expect(east.userCount).toBe(1);
    expect(east.path).toEqual([org.rootDepartmentId, east.id]);
    const sh = items.find((d) => d.code === 'SH01')!;
    expect(sh.parentId).toBe(east.id);
    expect(sh.path).toEqual([org.rootDepartmentId, east.id, sh.id]);
    expect(sh.userCount).toBe(2);
    // 华南 exists but is outside the director's scope: 404, recorded as a denial.
    const south = await deptByCode('SOUTH');
    const res = await director.get(`/api/v1/departments/${south.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    const denied = await q(
      'SELECT 1 FROM audit_log WHERE tenant_id = kam_tenant() AND action = $1 AND entity_id = $2',
      ['authz.denied', south.id],
    );
    expect(denied.length).toBe(1);
  });

  it('shows a department head only their own subtree and an account manager only their department', async () => {
    const head = await Client.signIn(env, org.slug, 'head');
    expect((await listAll(head)).map((d) => d.name)).toEqual(['上海销售一部']);
    const east = await deptByCode('EAST');
    expect((await head.get(`/api/v1/departments/${east.id}`)).status).toBe(404);
    const manager2 = await Client.signIn(env, org.slug, 'manager2');
    expect((await listAll(manager2)).map((d) => d.name)).toEqual(['杭州销售部']);
    const service = await Client.signIn(env, org.slug, 'service');
    expect((await listAll(service)).map((d) => d.name)).toEqual(['客户服务中心']);
  });

  it('gives a "self" department grant nothing of its own, also when combined with another scope', async () => {
    const sh = await deptByCode('SH01');
    const both = randomUUID();
    const selfOnly = randomUUID();
    await q(
      `INSERT INTO roles (tenant_id, id, name, grants) VALUES (kam_tenant(), $1, '自己+本部门', $2), (kam_tenant(), $3, '仅自己', $4)`,
      [
        both,
        JSON.stringify([
          { resource: 'department', action: 'view', scope: 'self' },
          { resource: 'department', action: 'view', scope: 'department' },
        ]),
        selfOnly,
        JSON.stringify([{ resource: 'department', action: 'view', scope: 'self' }]),
      ],
    );
    await makeUserWithRole('self.both', sh.id, both);
    await makeUserWithRole('self.only', sh.id, selfOnly);
    const a = await Client.signIn(env, org.slug, 'self.both');
    expect((await listAll(a)).map((d) => d.name)).toEqual(['上海销售一部']);
    const b = await Client.signIn(env, org.slug, 'self.only');
    expect(await listAll(b)).toEqual([]);
    expect((await b.get(`/api/v1/departments/${sh.id}`)).status).toBe(404);
  });

  it('refuses the auditor (no department rights)', async () => {
    const auditor = await Client.signIn(env, org.slug, 'auditor');
    const res = await auditor.get('/api/v1/departments');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('pages through the whole tree with a keyset cursor: no duplicates, nothing missing, same order', async () => {
    const all = await listAll(admin);
    expect(all.length).toBe(11);
    expect(all[0]!.id).toBe(org.rootDepartmentId);
    const paged = await listAll(admin, 3);
    expect(paged.map((d) => d.id)).toEqual(all.map((d) => d.id));
    const depths = all.map((d) => d.path.length);
    expect(depths).toEqual([...depths].sort((a, b) => a - b));
  });
});

describe('creating and editing departments', () => {
  it('creates a department under a parent, audited', async () => {
    const east = await deptByCode('EAST');
    const res = await admin.post('/api/v1/departments', {
      name: ' 南京销售部 ',
      parentId: east.id,
      code: 'NJ01',
    });
    expect(res.status).toBe(201);
    const created: Dept = res.body;
    expect(created).toMatchObject({
      name: '南京销售部',
      code: 'NJ01',
      parentId: east.id,
      headUserId: null,
      userCount: 0,
      version: 1,
    });
    expect(created.path).toEqual([...east.path, created.id]);
    const [entry] = await audits('department.create', created.id);
    expect(entry?.actor_name).toBe('系统管理员');
    expect(entry?.changes).toEqual(
      expect.arrayContaining([
        { field: 'name', before: null, after: '南京销售部' },
        { field: 'parentId', before: null, after: east.id },
      ]),
    );
  });

  it('refuses a duplicate sibling name (case-insensitive) and a duplicate code with 409 CONFLICT', async () => {
    const east = await deptByCode('EAST');
    const sameName = await admin.post('/api/v1/departments', { name: '上海销售一部', parentId: east.id });
    expect(sameName.status).toBe(409);
    expect(sameName.body.error.code).toBe('CONFLICT');
    expect(sameName.body.error.details.fields[0]).toMatchObject({
      path: 'body.name',
      code: 'DEPARTMENT_NAME_TAKEN',
    });
    expect(sameName.body.error.details.fields[0].message).toContain('同名');
    await admin.post('/api/v1/departments', { name: 'Key Accounts', parentId: east.id });
    const upper = await admin.post('/api/v1/departments', { name: 'KEY ACCOUNTS', parentId: east.id });
    expect(upper.status).toBe(409);
    // The same name under another parent is fine.
    const south = await deptByCode('SOUTH');
    expect(
      (await admin.post('/api/v1/departments', { name: 'Key Accounts', parentId: south.id })).status,
    ).toBe(201);
    const sameCode = await admin.post('/api/v1/departments', {
      name: '苏州销售部',
      parentId: east.id,
      code: 'sh01',
    });
    expect(sameCode.status).toBe(409);
    expect(sameCode.body.error.details.fields[0]).toMatchObject({
      path: 'body.code',
      code: 'DEPARTMENT_CODE_TAKEN',
    });
  });

  it('requires a parent, valid fields, no unknown properties, and department.create', async () => {
    const noParent = await admin.post('/api/v1/departments', { name: '第二个根' });
    expect(noParent.status).toBe(400);
    expect(noParent.body.error.details.fields[0].path).toBe('body.parentId');
    const east = await deptByCode('EAST');
    const unknown = await admin.post('/api/v1/departments', {
      name: 'X 部',
      parentId: east.id,
      sortOrder: 3,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields[0].code).toBe('UNKNOWN_PROPERTY');
    const badCode = await admin.post('/api/v1/departments', { name: 'X 部', parentId: east.id, code: '-x' });
    expect(badCode.body.error.details.fields[0]).toMatchObject({ path: 'body.code', code: 'CODE_INVALID' });
    const director = await Client.signIn(env, org.slug, 'director');
    const denied = await director.post('/api/v1/departments', { name: 'X 部', parentId: east.id });
    expect(denied.status).toBe(403);
    const ghost = await admin.post('/api/v1/departments', {
      name: 'X 部',
      parentId: '6a0c1f49-5d46-4c8e-9d07-1f4a2b3c4d5e',
    });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.details.fields[0]).toMatchObject({ path: 'body.parentId', code: 'NOT_FOUND' });
  });

  it('renames with the current version; a stale version is refused and changes nothing', async () => {
    const hz = await deptByCode('HZ01');
    const renamed = await admin.patch(`/api/v1/departments/${hz.id}`, {
      version: hz.version,
      name: '杭州销售一部',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: '杭州销售一部', version: hz.version + 1 });
    const stale = await admin.patch(`/api/v1/departments/${hz.id}`, {
      version: hz.version,
      name: '杭州销售二部',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.error.details.currentVersion).toBe(hz.version + 1);
    expect((await deptRow(hz.id))?.name).toBe('杭州销售一部');
    const [entry] = await audits('department.update', hz.id);
    expect(entry?.changes).toEqual([{ field: 'name', before: '杭州销售部', after: '杭州销售一部' }]);
  });

  it('sets a head only to an active user of the organisation, and clears it with null', async () => {
    const hz = await deptByCode('HZ01');
    const [m2] = await q<{ id: string }>(
      `SELECT id FROM users WHERE tenant_id = kam_tenant() AND login = 'manager2'`,
    );
    const set = await admin.patch(`/api/v1/departments/${hz.id}`, {
      version: hz.version,
      headUserId: m2!.id,
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ headUserId: m2!.id, headName: '李强' });
    const ghost = await admin.patch(`/api/v1/departments/${hz.id}`, {
      version: set.body.version,
      headUserId: '6a0c1f49-5d46-4c8e-9d07-1f4a2b3c4d5e',
    });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.details.fields[0].path).toBe('body.headUserId');
    const disabledId = await makeUser('gone.head', hz.id, 'account_manager');
    await q(`UPDATE users SET status = 'disabled' WHERE tenant_id = kam_tenant() AND id = $1`, [disabledId]);
    const disabled = await admin.patch(`/api/v1/departments/${hz.id}`, {
      version: set.body.version,
      headUserId: disabledId,
    });
    expect(disabled.status).toBe(400);
    const cleared = await admin.patch(`/api/v1/departments/${hz.id}`, {
      version: set.body.version,
      headUserId: null,
    });
    expect(cleared.body).toMatchObject({ headUserId: null, headName: null });
  });
});

describe('moving a subtree', () => {
  it('moves a department with all descendants in one go; scopes follow the new place', async () => {
    const east = await deptByCode('EAST');
    const south = await deptByCode('SOUTH');
    const a = (await admin.post('/api/v1/departments', { name: '大客户部', parentId: east.id, code: 'KA' }))
      .body as Dept;
    const b = (await admin.post('/api/v1/departments', { name: '大客户一组', parentId: a.id })).body as Dept;
    const c = (await admin.post('/api/v1/departments', { name: '大客户一组甲', parentId: b.id }))
      .body as Dept;
    const member = await makeUser('ka.member', c.id, 'account_manager');
    const southDirectorId = await makeUser('south.director', south.id, 'sales_director');
    expect(southDirectorId).toBeTruthy();

    const eastDirector = await Client.signIn(env, org.slug, 'director');
    const southDirector = await Client.signIn(env, org.slug, 'south.director');
    expect((await eastDirector.get(`/api/v1/users/${member}`)).status).toBe(200);
    expect((await southDirector.get(`/api/v1/users/${member}`)).status).toBe(404);

    const moved = await admin.post(`/api/v1/departments/${a.id}/move`, {
      version: a.version,
      parentId: south.id,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      parentId: south.id,
      version: a.version + 1,
      path: [...south.path, a.id],
    });
    expect((await deptRow(b.id))?.path).toEqual([...south.path, a.id, b.id]);
    expect((await deptRow(c.id))?.path).toEqual([...south.path, a.id, b.id, c.id]);
    expect((await deptRow(b.id))?.parent_id).toBe(a.id);

    expect((await southDirector.get(`/api/v1/users/${member}`)).status).toBe(200);
    expect((await eastDirector.get(`/api/v1/users/${member}`)).status).toBe(404);
    const southNames = (await listAll(southDirector)).map((d) => d.name);
    expect(southNames).toEqual(expect.arrayContaining(['大客户部', '大客户一组', '大客户一组甲']));
    expect((await listAll(eastDirector)).map((d) => d.name)).not.toContain('大客户一组');

    const [entry] = await audits('department.move', a.id);
    expect(entry?.changes).toEqual([{ field: 'parentId', before: east.id, after: south.id }]);
    expect(entry?.details).toMatchObject({
      fromParentName: '华东大区',
      toParentName: '华南大区',
      departmentsMoved: 3,
    });
  });

  it('refuses a move under itself or its own subtree, and moving the root; nothing changes', async () => {
    const east = await deptByCode('EAST');
    const sh = await deptByCode('SH01');
    const under = await admin.post(`/api/v1/departments/${east.id}/move`, {
      version: east.version,
      parentId: sh.id,
    });
    expect(under.status).toBe(409);
    expect(under.body.error.code).toBe('DEPARTMENT_CYCLE');
    const self = await admin.post(`/api/v1/departments/${east.id}/move`, {
      version: east.version,
      parentId: east.id,
    });
    expect(self.body.error.code).toBe('DEPARTMENT_CYCLE');
    expect(await deptRow(east.id)).toMatchObject({
      parent_id: org.rootDepartmentId,
      path: east.path,
      version: east.version,
    });
    expect((await deptRow(sh.id))?.path).toEqual(sh.path);
    const root = await deptRow(org.rootDepartmentId);
    const rootMove = await admin.post(`/api/v1/departments/${org.rootDepartmentId}/move`, {
      version: root!.version,
      parentId: east.id,
    });
    expect(rootMove.status).toBe(409);
    expect(rootMove.body.error.code).toBe('CONFLICT');
  });

  it('refuses a stale version and a move into a sibling with the same name', async () => {
    const sz = await deptByCode('SZ01');
    const gz = await deptByCode('GZ01');
    const stale = await admin.post(`/api/v1/departments/${sz.id}/move`, {
      version: sz.version + 5,
      parentId: gz.id,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect((await deptRow(sz.id))?.parent_id).not.toBe(gz.id);
    const twin = (await admin.post('/api/v1/departments', { name: '深圳销售部', parentId: gz.id }))
      .body as Dept;
    const clash = await admin.post(`/api/v1/departments/${sz.id}/move`, {
      version: sz.version,
      parentId: gz.id,
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('CONFLICT');
    expect((await deptRow(sz.id))?.path).toEqual(sz.path);
    expect(twin.id).toBeTruthy();
  });
});

describe('deleting departments', () => {
  it('refuses departments with sub-departments or users, and the root', async () => {
    const east = await deptByCode('EAST');
    const withChildren = await admin.delete(`/api/v1/departments/${east.id}?version=${east.version}`);
    expect(withChildren.status).toBe(409);
    expect(withChildren.body.error.code).toBe('DEPARTMENT_NOT_EMPTY');
    const cs = await deptByCode('CS');
    const withUsers = await admin.delete(`/api/v1/departments/${cs.id}?version=${cs.version}`);
    expect(withUsers.status).toBe(409);
    expect(withUsers.body.error.code).toBe('DEPARTMENT_NOT_EMPTY');
    const root = await deptRow(org.rootDepartmentId);
    const rootDelete = await admin.delete(
      `/api/v1/departments/${org.rootDepartmentId}?version=${root!.version}`,
    );
    expect(rootDelete.status).toBe(409);
    expect(await deptRow(east.id)).toBeTruthy();
  });

  it('deletes an empty department with the current version only, audited', async () => {
    const east = await deptByCode('EAST');
    const temp = (
      await admin.post('/api/v1/departments', { name: '临时项目组', parentId: east.id, code: 'TMP' })
    ).body as Dept;
    const stale = await admin.delete(`/api/v1/departments/${temp.id}?version=${temp.version + 1}`);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(await deptRow(temp.id)).toBeTruthy();
    const director = await Client.signIn(env, org.slug, 'director');
    expect((await director.delete(`/api/v1/departments/${temp.id}?version=${temp.version}`)).status).toBe(
      403,
    );
    const ok = await admin.delete(`/api/v1/departments/${temp.id}?version=${temp.version}`);
    expect(ok.status).toBe(204);
    expect(await deptRow(temp.id)).toBeUndefined();
    expect((await admin.get(`/api/v1/departments/${temp.id}`)).status).toBe(404);
    const [entry] = await audits('department.delete', temp.id);
    expect(entry?.changes).toEqual(
      expect.arrayContaining([
        { field: 'name', before: '临时项目组', after: null },
        { field: 'code', before: 'TMP', after: null },
      ]),
    );
  });
});
