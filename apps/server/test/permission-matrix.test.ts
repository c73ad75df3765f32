/**
 * The permission matrix: every endpoint × every built-in role × a record in and out of the role's
 * scope → the expected HTTP status, driven by ONE hand-written table (TABLE below).
 *
 * The expectations are written by reading the role definitions (packages/domain/src/permissions/
 * builtin-roles.ts, docs/decisions/0007) — never computed from @kam/domain, which would be circular.
 * A route of the server that is missing from the table, or a table entry that is not a route, fails
 * the completeness test: add every new endpoint here.
 *
 * Actors are the demo company's users (docs: modules/organization/demo.ts):
 *   super_admin = admin (root) · sales_director = director (华东大区) · department_head = head
 *   (上海销售一部) · account_manager = manager (上海销售一部) · customer_service = service (客户服务中心)
 *   · technical_support = tech (技术支持部) · delivery = delivery (交付中心) · auditor = auditor (内审部)
 * "in" = a record in 上海销售一部 (inside the sphere of director, head and manager);
 * "out" = the same kind of record in 深圳销售部 (华南大区). For the caller's own data (API tokens,
 * sessions) "in" is the caller's own record and "out" another user's.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_SECURITY_POLICY } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, sha256 } from '../src/modules/auth/crypto.js';
import { DEMO_PASSWORD } from '../src/modules/organization/demo.js';
import { APPROVALS_MATRIX } from './matrix/approvals.js';
import { CUSTOMER_MATRIX } from './matrix/customers.js';
import { IMPORT_EXPORT_MATRIX } from './matrix/imports.js';
import { CUSTOMER_RECORDS_MATRIX } from './matrix/records.js';
import { TIERING_MATRIX } from './matrix/tiering.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';
import { MatrixFixtures, unique } from './support/matrix-fixtures.js';
import {
  type Entry,
  LOGIN,
  list,
  one,
  type Req,
  ROLES,
  type Role,
  rec,
  type Sees,
  type Side,
  type Target,
  type Where,
} from './support/matrix-table.js';

/** A fresh user in the case's department, ready for a status change. */
async function freshUser(t: Target, status: 'active' | 'disabled' | 'locked' = 'active'): Promise<Req> {
  const u = await t.fx.user(t.at.dept, { status });
  return { id: u.id, body: { version: u.version } };
}

const THROWAWAY_PASSWORD = 'Matrix#Pass2026';

// ——— THE TABLE ———————————————————————————————————————————————————————————————————————————————
//
// Column order of every rec/one/list row:
//   super_admin, sales_director, department_head, account_manager,
//   customer_service, technical_support, delivery, auditor

const ACCOUNT_SYSTEM: Record<string, Entry> = {
  // ——— auth: any signed-in user, own data only ———
  'POST /api/v1/auth/logout': { ...one(204, 204, 204, 204, 204, 204, 204, 204), throwaway: true },
  'POST /api/v1/auth/logout-all': { ...one(204, 204, 204, 204, 204, 204, 204, 204), throwaway: true },
  'POST /api/v1/auth/password': {
    ...one(200, 200, 200, 200, 200, 200, 200, 200),
    throwaway: true,
    req: () => ({ body: { currentPassword: THROWAWAY_PASSWORD, newPassword: 'Changed#Pass2026' } }),
  },
  'GET /api/v1/me': one(200, 200, 200, 200, 200, 200, 200, 200),
  'PATCH /api/v1/me': {
    ...one(200, 200, 200, 200, 200, 200, 200, 200),
    req: () => ({ body: { locale: 'zh-CN' } }),
  },
  // own sessions only: in = my session, out = another user's
  'GET /api/v1/sessions': {
    ...list('in', 'in', 'in', 'in', 'in', 'in', 'in', 'in'),
    list: async (t) => ({ inId: t.sessionId!, outId: await t.fx.session(t.bystander) }),
  },

  // ——— departments: view by scope; create/edit/delete only the super admin ———
  'GET /api/v1/departments': {
    ...list('both', 'in', 'in', 'in', 'none', 'none', 'none', 403),
    list: (t) => ({ inId: t.in.dept, outId: t.out.dept }),
  },
  'GET /api/v1/departments/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '404/404', '404/404', '404/404', '403'),
    req: (t) => ({ id: t.at.dept }),
  },
  // target = the parent
  'POST /api/v1/departments': {
    ...rec('201/201', '403', '403', '403', '403', '403', '403', '403'),
    req: (t) => ({ body: { name: `新部门-${unique()}`, parentId: t.at.dept } }),
  },
  'PATCH /api/v1/departments/:id': {
    ...rec('200/200', '403', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const d = await t.fx.department(t.at.dept);
      return { id: d.id, body: { version: d.version, name: `改名-${unique()}` } };
    },
  },
  // a fresh sub-department moves to the region's other branch
  'POST /api/v1/departments/:id/move': {
    ...rec('200/200', '403', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const d = await t.fx.department(t.at.dept);
      return { id: d.id, body: { version: d.version, parentId: t.at.sibling } };
    },
  },
  'DELETE /api/v1/departments/:id': {
    ...rec('204/204', '403', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const d = await t.fx.department(t.at.dept);
      return { id: d.id, query: `version=${d.version}` };
    },
  },

  // ——— users: view by scope; director creates/edits/assigns in the tree; head edits own department ———
  'GET /api/v1/users': {
    ...list('both', 'in', 'in', 'in', 'none', 'none', 'none', 403),
    list: (t) => ({ query: 'limit=200', inId: t.in.user, outId: t.out.user }),
  },
  'GET /api/v1/users/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '404/404', '404/404', '404/404', '403'),
    req: (t) => ({ id: t.at.user }),
  },
  // target = the new user's department. An out-of-scope department named in the BODY is a 400 on the
  // field when the actor cannot even see it (documented in users/service.ts `targetDepartment`).
  'POST /api/v1/users': {
    ...rec('201/201', '201/400', '403', '403', '403', '403', '403', '403'),
    req: (t) => ({
      body: { login: `mx-new-${unique()}`, displayName: '新同事', departmentId: t.at.dept, roleIds: [] },
    }),
  },
  'PATCH /api/v1/users/:id': {
    ...rec('200/200', '200/404', '200/404', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const u = await t.fx.user(t.at.dept);
      return { id: u.id, body: { version: u.version, displayName: `改名 ${unique()}` } };
    },
  },
  // hands out an existing role the director may give (customer service)
  'PUT /api/v1/users/:id/roles': {
    ...rec('200/200', '200/404', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const u = await t.fx.user(t.at.dept);
      return { id: u.id, body: { version: u.version, roleIds: [t.fx.org.roleIds.customer_service] } };
    },
  },
  'POST /api/v1/users/:id/disable': {
    ...rec('200/200', '200/404', '200/404', '403', '403', '403', '403', '403'),
    req: (t) => freshUser(t, 'active'),
  },
  'POST /api/v1/users/:id/enable': {
    ...rec('200/200', '200/404', '200/404', '403', '403', '403', '403', '403'),
    req: (t) => freshUser(t, 'disabled'),
  },
  'POST /api/v1/users/:id/unlock': {
    ...rec('200/200', '200/404', '200/404', '403', '403', '403', '403', '403'),
    req: (t) => freshUser(t, 'locked'),
  },
  'POST /api/v1/users/:id/reset-password': {
    ...rec('200/200', '200/404', '200/404', '403', '403', '403', '403', '403'),
    req: (t) => freshUser(t, 'active'),
  },

  // ——— roles: view for super admin and director; configure only the super admin ———
  'GET /api/v1/permission-catalog': one(200, 200, 200, 200, 200, 200, 200, 200),
  'GET /api/v1/roles': one(200, 200, 403, 403, 403, 403, 403, 403),
  'GET /api/v1/roles/:id': {
    ...one(200, 200, 403, 403, 403, 403, 403, 403),
    req: (t) => ({ id: t.fx.org.roleIds.account_manager }),
  },
  'POST /api/v1/roles': {
    ...one(201, 403, 403, 403, 403, 403, 403, 403),
    req: () => ({ body: { name: `新角色-${unique()}`, description: '', grants: [], fieldRules: [] } }),
  },
  'PUT /api/v1/roles/:id': {
    ...one(200, 403, 403, 403, 403, 403, 403, 403),
    req: async (t) => {
      const r = await t.fx.customRole();
      const body = {
        version: r.version,
        name: `改名角色-${unique()}`,
        description: '',
        grants: [],
        fieldRules: [],
      };
      return { id: r.id, body };
    },
  },
  'DELETE /api/v1/roles/:id': {
    ...one(204, 403, 403, 403, 403, 403, 403, 403),
    req: async (t) => {
      const r = await t.fx.customRole();
      return { id: r.id, query: `version=${r.version}` };
    },
  },

  // ——— personal API tokens: create with api_token.create; list/revoke own only (in = mine, out = another's) ———
  'GET /api/v1/api-tokens': {
    ...list('in', 'in', 'in', 'in', 'in', 'in', 'in', 'in'),
    list: async (t) => ({ inId: await t.fx.token(t.actorId), outId: await t.fx.token(t.bystander) }),
  },
  'POST /api/v1/api-tokens': {
    ...one(201, 201, 201, 201, 403, 403, 403, 403),
    req: () => ({ body: { name: `令牌-${unique()}`, permissions: ['department.view'] } }),
  },
  'DELETE /api/v1/api-tokens/:id': {
    ...rec('204/404', '204/404', '204/404', '204/404', '204/404', '204/404', '204/404', '204/404'),
    req: async (t) => ({ id: await t.fx.token(t.where === 'in' ? t.actorId : t.bystander) }),
  },

  // ——— audit: the super admin and the auditor ———
  'GET /api/v1/audit-logs': {
    ...one(200, 403, 403, 403, 403, 403, 403, 200),
    req: () => ({ query: 'limit=5' }),
  },
  'GET /api/v1/audit-logs/verify': one(200, 403, 403, 403, 403, 403, 403, 200),
  'GET /api/v1/audit-logs/export': {
    ...one(200, 403, 403, 403, 403, 403, 403, 200),
    req: () => ({ query: 'action=role.create' }),
  },

  // ——— organisation security policy: view for super admin and director; configure only the super admin ———
  'GET /api/v1/security-policy': one(200, 200, 403, 403, 403, 403, 403, 403),
  'GET /api/v1/security-policy/presets': one(200, 200, 403, 403, 403, 403, 403, 403),
  // re-saves the unchanged default policy, so the other sessions are not affected
  'PUT /api/v1/security-policy': {
    ...one(200, 403, 403, 403, 403, 403, 403, 403),
    req: async (t) => ({ body: { version: await t.fx.policyVersion(), policy: DEFAULT_SECURITY_POLICY } }),
  },
};

const TABLE: Record<string, Entry> = {
  ...ACCOUNT_SYSTEM,
  ...CUSTOMER_MATRIX,
  ...CUSTOMER_RECORDS_MATRIX,
  ...IMPORT_EXPORT_MATRIX,
  ...TIERING_MATRIX,
  ...APPROVALS_MATRIX,
};

/** Public routes: 200 without signing in. */
const PUBLIC: Record<string, (org: TestOrg) => { body?: unknown }> = {
  'GET /api/health': () => ({}),
  'GET /api/openapi.json': () => ({}),
  'POST /api/v1/auth/login': (org) => ({
    body: { login: 'manager2', password: DEMO_PASSWORD, organization: org.slug },
  }),
};

// ——— the run ————————————————————————————————————————————————————————————————————————————————

let env: TestEnv;
let org: TestOrg;
let other: TestOrg;
let fxA: MatrixFixtures;
let fxB: MatrixFixtures;
let throwawayHash: string;
const actors = {} as Record<Role, { client: Client; userId: string; deptId: string; sessionId: string }>;
let sidesA: Record<Where, Side>;
let sidesB: Record<Where, Side>;

async function sides(fx: MatrixFixtures): Promise<Record<Where, Side>> {
  const make = async (dept: string, sibling: string): Promise<Side> => ({
    dept,
    sibling,
    user: (await fx.user(dept, { login: `mx-standing-${unique()}` })).id,
  });
  return {
    in: await make(fx.dept.SH01!, fx.dept.HZ01!),
    out: await make(fx.dept.SZ01!, fx.dept.GZ01!),
  };
}

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  other = await createTestOrg(env, { demo: true });
  fxA = await MatrixFixtures.load(env, org);
  fxB = await MatrixFixtures.load(env, other);
  sidesA = await sides(fxA);
  sidesB = await sides(fxB);
  throwawayHash = await hashPassword(THROWAWAY_PASSWORD);
  for (const role of ROLES) {
    const login = LOGIN[role];
    const client = await Client.signIn(
      env,
      org.slug,
      login,
      role === 'super_admin' ? ADMIN_PASSWORD : DEMO_PASSWORD,
    );
    const userId = fxA.userIds[login]!;
    const token = client.cookie!.slice(client.cookie!.indexOf('=') + 1);
    const [session] = await fxA.sql<{ id: string }>(
      'SELECT id FROM sessions WHERE tenant_id = kam_tenant() AND token_hash = $1',
      [sha256(token)],
    );
    actors[role] = { client, userId, deptId: await fxA.departmentOf(userId), sessionId: session!.id };
  }
});
afterAll(() => env?.close());

function targetFor(
  fx: MatrixFixtures,
  s: Record<Where, Side>,
  where: Where,
  actorId: string,
  sessionId: string | null,
) {
  return {
    fx,
    where,
    at: s[where],
    in: s.in,
    out: s.out,
    actorId,
    sessionId,
    bystander: fx.userIds.manager3!,
  } satisfies Target;
}

function urlOf(route: string, req: Req): { method: string; url: string } {
  const [method, pattern] = route.split(' ') as [string, string];
  const path = pattern
    .replace(/:id(?=\/|$)/, req.id ?? randomUUID())
    .replace(/:userId(?=\/|$)/, req.userId ?? randomUUID())
    .replace(/:type(?=\/|$)/, req.type ?? 'discount')
    .replace(/:version(?=\/|$)/, req.version ?? '1');
  return { method, url: req.query ? `${path}?${req.query}` : path };
}

function send(client: Client, method: string, url: string, body: unknown): Promise<Res<any>> {
  const payload = body ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
  return client.request(method, url, payload);
}

/** Every item id of a list, following `nextCursor` to the end. */
async function allIds(client: Client, url: string, first: Res<any>): Promise<string[]> {
  const ids: string[] = first.body.items.map((i: { id: string }) => i.id);
  let cursor: string | null = first.body.nextCursor ?? null;
  while (cursor) {
    const next = await client.get(
      `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`,
    );
    expect(next.status).toBe(200);
    ids.push(...next.body.items.map((i: { id: string }) => i.id));
    cursor = next.body.nextCursor ?? null;
  }
  return ids;
}

const seen = (hasIn: boolean, hasOut: boolean): Sees =>
  hasIn && hasOut ? 'both' : hasIn ? 'in' : hasOut ? 'out' : 'none';

const brief = (res: Res<any>) => JSON.stringify(res.body)?.slice(0, 400);

/** A user with `role` in the same department as the role's demo actor, freshly signed in. */
async function throwaway(role: Role): Promise<{ client: Client; userId: string }> {
  const u = await fxA.user(actors[role].deptId, {
    role,
    passwordHash: throwawayHash,
    login: `mx-tmp-${unique()}`,
  });
  return { client: await Client.signIn(env, org.slug, u.login, THROWAWAY_PASSWORD), userId: u.id };
}

async function runCell(route: string, role: Role, where: Where): Promise<void> {
  const entry = TABLE[route]!;
  const expected = entry.expect[role][where === 'in' ? 0 : 1];
  const shared = actors[role];
  const { client, userId } = entry.throwaway ? await throwaway(role) : shared;
  const t = targetFor(fxA, sidesA, where, userId, entry.throwaway ? null : shared.sessionId);
  const req = (await entry.req?.(t)) ?? {};
  const probe = entry.list ? await entry.list(t) : undefined;
  const { method, url } = urlOf(route, { ...req, query: req.query ?? probe?.query });
  const res = await send(client, method, url, req.body);
  const context = `${route} as ${role} (${where}): ${res.status} ${brief(res)}`;

  expect(res.status, context).toBe(typeof expected === 'number' ? expected : 200);
  if (typeof expected === 'string' && probe) {
    const ids = await allIds(client, url, res);
    expect(seen(ids.includes(probe.inId), ids.includes(probe.outId)), `${context} — records listed`).toBe(
      expected,
    );
  }
  if (res.status === 403 || res.status === 404) {
    // Every denial is recorded (0007): find the authz.denied entry of this very request.
    const denials = await fxA.denialsOf(String(res.headers['x-request-id']));
    expect(denials.length, `${context} — no authz.denied audit entry for this denial`).toBe(1);
  }
}

const cellsOf = (route: string) =>
  ROLES.flatMap((role) =>
    (TABLE[route]!.record ? (['in', 'out'] as const) : (['in'] as const)).map((where) => ({
      role,
      where: TABLE[route]!.record ? where : '-',
      expected: TABLE[route]!.expect[role][where === 'in' ? 0 : 1],
    })),
  );

describe('permission matrix', () => {
  describe.each(Object.keys(TABLE))('%s', (route) => {
    it.each(cellsOf(route))('$role › $where → $expected', async ({ role, where }) => {
      await runCell(route, role, where === 'out' ? 'out' : 'in');
    });
  });
});

describe('the table is complete', () => {
  it('lists every /api route of the server, and nothing else', () => {
    const routes = env.app.kamRoutes.map((r) => `${r.method} ${r.url}`);
    const listed = [...Object.keys(TABLE), ...Object.keys(PUBLIC)];
    const missing = routes.filter((k) => !listed.includes(k));
    const unknown = listed.filter((k) => !routes.includes(k));
    expect({ missingFromTable: missing, notARoute: unknown }).toEqual({
      missingFromTable: [],
      notARoute: [],
    });
  });

  it('lists as public exactly the routes reachable without signing in', () => {
    const publicRoutes = env.app.kamRoutes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual(Object.keys(PUBLIC).sort());
  });
});

describe('without signing in', () => {
  it.each(Object.keys(PUBLIC))('%s answers 200 (public)', async (route) => {
    const { method, url } = urlOf(route, {});
    const res = await send(new Client(env, org.slug), method, url, PUBLIC[route]!(org).body);
    expect(res.status, brief(res)).toBe(200);
  });

  it.each(Object.keys(TABLE))('%s answers 401', async (route) => {
    const { method, url } = urlOf(route, {});
    const res = await send(new Client(env, org.slug), method, url, undefined);
    expect(res.status, brief(res)).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });
});

describe('another organisation', () => {
  const withId = Object.keys(TABLE).filter((route) => route.includes(':id'));
  it.each(withId)('%s: the super admin gets 404 for the other organisation’s record', async (route) => {
    const entry = TABLE[route]!;
    const t = targetFor(fxB, sidesB, 'in', other.adminUserId, null);
    const req = (await entry.req?.(t)) ?? {};
    expect(req.id, 'the request addresses a record of the other organisation').toBeDefined();
    if (route.includes(':userId')) {
      expect(req.userId, 'the request addresses a member of the other organisation').toBeDefined();
    }
    const { method, url } = urlOf(route, req);
    const res = await send(actors.super_admin.client, method, url, req.body);
    expect(res.status, brief(res)).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('denials are audited', () => {
  it('a 403 for a missing permission and 404s for out-of-scope records each leave one authz.denied entry', async () => {
    const before = await fxA.countDenials();

    const noPermission = await actors.account_manager.client.patch(`/api/v1/users/${sidesA.in.user}`, {
      version: 1,
      displayName: '不该改',
    });
    expect(noPermission.status).toBe(403);
    const noList = await actors.auditor.client.get('/api/v1/departments');
    expect(noList.status).toBe(403);
    const outOfScope = await actors.sales_director.client.get(`/api/v1/users/${sidesA.out.user}`);
    expect(outOfScope.status).toBe(404);
    const target = await fxA.user(sidesA.out.dept);
    const outOfScopeChange = await actors.department_head.client.post(`/api/v1/users/${target.id}/disable`, {
      version: target.version,
    });
    expect(outOfScopeChange.status).toBe(404);

    expect(await fxA.countDenials()).toBe(before + 4);
    const [d1] = await fxA.denialsOf(String(noPermission.headers['x-request-id']));
    expect(d1!.details).toMatchObject({ code: 'FORBIDDEN', permission: 'user.edit', method: 'PATCH' });
    const [d2] = await fxA.denialsOf(String(noList.headers['x-request-id']));
    expect(d2!.details).toMatchObject({ code: 'FORBIDDEN', permission: 'department.view' });
    const [d3] = await fxA.denialsOf(String(outOfScope.headers['x-request-id']));
    expect(d3).toMatchObject({
      entity_id: sidesA.out.user,
      details: { code: 'NOT_FOUND', reason: 'out_of_scope' },
    });
    const [d4] = await fxA.denialsOf(String(outOfScopeChange.headers['x-request-id']));
    expect(d4).toMatchObject({
      entity_id: target.id,
      details: { code: 'NOT_FOUND', reason: 'out_of_scope' },
    });
    // the out-of-scope user was not touched
    const [row] = await fxA.sql(
      'SELECT status, version FROM users WHERE tenant_id = kam_tenant() AND id = $1',
      [target.id],
    );
    expect(row).toMatchObject({ status: 'active', version: target.version });
  });
});
