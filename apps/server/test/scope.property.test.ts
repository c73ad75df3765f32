import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
import { Client, createTestEnv, createTestOrg, type TestEnv } from './support/harness.js';

/**
 * Property: for random department trees, users and role assignments, the users and departments an
 * actor can list through the API are exactly those the scope rules define — computed here by an
 * independent oracle straight from the definitions, not by the server's code.
 */

type ScopeKind = 'self' | 'department' | 'department_tree' | 'all' | 'custom';
interface GrantSpec {
  scope: ScopeKind;
  custom: number[]; // indexes into departments
}
interface World {
  parents: number[]; // parents[i] < i for i > 0; department 0 is the root
  userDepts: number[]; // department index of each user; user 0 is the actor
  roles: { users: GrantSpec | null; departments: GrantSpec | null }[];
}

const scopeArb = fc.constantFrom<ScopeKind>('self', 'department', 'department_tree', 'all', 'custom');

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    parents: fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(-1) : fc.nat(i - 1)))),
    userDepts: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 15 }),
    roles: fc.array(
      fc.record({
        users: fc.option(
          fc.record({ scope: scopeArb, custom: fc.uniqueArray(fc.nat(n - 1), { maxLength: 3 }) }),
          { nil: null },
        ),
        departments: fc.option(
          fc.record({ scope: scopeArb, custom: fc.uniqueArray(fc.nat(n - 1), { maxLength: 3 }) }),
          { nil: null },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);

function ancestors(parents: number[], d: number): number[] {
  const out: number[] = [];
  for (let x = d; x >= 0; x = parents[x]!) out.push(x);
  return out;
}

/** The oracle: straight from the definition of each scope kind, OR-ed over the roles. */
function oracle(w: World) {
  const actorDept = w.userDepts[0]!;
  const inSubtree = (d: number, root: number) => ancestors(w.parents, d).includes(root);
  const allows = (g: GrantSpec, recordDept: number, isSelf: boolean) => {
    switch (g.scope) {
      case 'all':
        return true;
      case 'self':
        return isSelf;
      case 'department':
        return recordDept === actorDept;
      case 'department_tree':
        return inSubtree(recordDept, actorDept);
      case 'custom':
        return g.custom.includes(recordDept);
    }
  };
  const users = new Set<number>();
  w.userDepts.forEach((d, u) => {
    if (w.roles.some((r) => r.users && allows(r.users, d, u === 0))) users.add(u);
  });
  const depts = new Set<number>();
  w.parents.forEach((_, d) => {
    // For a department record, "self" never matches (no user owns a department).
    if (w.roles.some((r) => r.departments && allows(r.departments, d, false))) depts.add(d);
  });
  return { users, depts };
}

let env: TestEnv;
let passwordHash: string;

beforeAll(async () => {
  env = await createTestEnv();
  passwordHash = await hashPassword('Prop@Test2026');
});
afterAll(() => env.close());

describe('data scopes through the API equal the scope definition', () => {
  it('holds for random trees, users and roles', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        const org = await createTestOrg(env);
        const deptIds = w.parents.map(() => randomUUID());
        const userIds: string[] = [];
        await env.db.withTenant(org.tenantId, async (tx) => {
          for (let i = 0; i < deptIds.length; i++) {
            const parent = i === 0 ? org.rootDepartmentId : deptIds[w.parents[i]!]!;
            await tx.query(
              `INSERT INTO departments (tenant_id, id, parent_id, name, path)
               SELECT kam_tenant(), $1, $2, $3, p.path || $1::uuid FROM departments p
               WHERE p.tenant_id = kam_tenant() AND p.id = $2`,
              [deptIds[i], parent, `d${i}`],
            );
          }
          const roleIds: string[] = [];
          for (const [i, r] of w.roles.entries()) {
            const grants = [];
            for (const [resource, g] of [
              ['user', r.users],
              ['department', r.departments],
            ] as const) {
              if (!g) continue;
              grants.push({
                resource,
                action: 'view',
                scope: g.scope,
                ...(g.scope === 'custom' ? { departmentIds: g.custom.map((c) => deptIds[c]!) } : {}),
              });
            }
            const id = randomUUID();
            roleIds.push(id);
            await tx.query(
              `INSERT INTO roles (tenant_id, id, name, grants) VALUES (kam_tenant(), $1, $2, $3)`,
              [id, `prop-role-${i}`, JSON.stringify(grants)],
            );
          }
          for (const [u, d] of w.userDepts.entries()) {
            const id = await insertUser(tx, {
              tenantId: org.tenantId,
              login: `u${u}`,
              displayName: `User ${u}`,
              departmentId: deptIds[d]!,
              roleIds: u === 0 ? roleIds : [],
              now: new Date(),
            });
            userIds.push(id);
          }
          await setPassword(tx, {
            userId: userIds[0]!,
            hash: passwordHash,
            mustChange: false,
            now: new Date(),
          });
        });

        const expected = oracle(w);
        const actor = await Client.signIn(env, org.slug, 'u0', 'Prop@Test2026');
        const users = await actor.get('/api/v1/users?limit=200');
        if (expected.users.size === 0) {
          expect([200, 403]).toContain(users.status);
        } else {
          expect(users.status).toBe(200);
        }
        const seenUsers = new Set(
          users.status === 200 ? users.body.items.map((x: { id: string }) => x.id) : [],
        );
        const wantUsers = new Set([...expected.users].map((u) => userIds[u]!));
        // The organisation's admin sits in the root department, outside every generated one.
        if (w.roles.some((r) => r.users?.scope === 'all')) wantUsers.add(org.adminUserId);
        expect(seenUsers).toEqual(wantUsers);

        const depts = await actor.get('/api/v1/departments?limit=1000');
        const seenDepts = new Set(
          depts.status === 200 ? depts.body.items.map((x: { id: string }) => x.id) : [],
        );
        seenDepts.delete(org.rootDepartmentId);
        const wantDepts = new Set([...expected.depts].map((d) => deptIds[d]!));
        expect(seenDepts).toEqual(wantDepts);
      }),
      { numRuns: 25 },
    );
  });
});
