import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
import { Client, createTestEnv, createTestOrg, type TestEnv } from './support/harness.js';

/**
 * Property: for random department trees, customers with owners, account-team memberships of the
 * actor and roles with random customer scopes, the customers the actor can list and open (view), and
 * the edits the actor may attempt (edit), are exactly those the visibility rule of decision 0010
 * defines — computed by an independent oracle from the definition, not by the server's code:
 * the role's data scope on (owner, owning department), or the account team (any membership → view,
 * read_write → edit), never more than the role holds at all.
 */

type ScopeKind = 'self' | 'department' | 'department_tree' | 'all' | 'custom';
interface GrantSpec {
  scope: ScopeKind;
  custom: number[];
}
interface World {
  parents: number[]; // department 0 is the root of the generated tree
  userDepts: number[]; // user 0 is the actor
  customers: { owner: number; team: 'read' | 'read_write' | null }[];
  roles: { view: GrantSpec | null; edit: GrantSpec | null }[];
}

const scopeArb = fc.constantFrom<ScopeKind>('self', 'department', 'department_tree', 'all', 'custom');

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.integer({ min: 1, max: 6 }).chain((u) =>
    fc.record({
      parents: fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(-1) : fc.nat(i - 1)))),
      userDepts: fc.array(fc.nat(n - 1), { minLength: u, maxLength: u }),
      customers: fc.array(
        fc.record({
          owner: fc.nat(u - 1),
          team: fc.constantFrom<'read' | 'read_write' | null>(null, null, 'read', 'read_write'),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      roles: fc.array(
        fc.record({
          view: fc.option(
            fc.record({ scope: scopeArb, custom: fc.uniqueArray(fc.nat(n - 1), { maxLength: 3 }) }),
            {
              nil: null,
            },
          ),
          edit: fc.option(
            fc.record({ scope: scopeArb, custom: fc.uniqueArray(fc.nat(n - 1), { maxLength: 3 }) }),
            {
              nil: null,
            },
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  ),
);

function ancestors(parents: number[], d: number): number[] {
  const out: number[] = [];
  for (let x = d; x >= 0; x = parents[x]!) out.push(x);
  return out;
}

/** The oracle, straight from the definitions. */
function oracle(w: World) {
  const actorDept = w.userDepts[0]!;
  const allows = (g: GrantSpec, dept: number, ownedByActor: boolean) => {
    switch (g.scope) {
      case 'all':
        return true;
      case 'self':
        return ownedByActor;
      case 'department':
        return dept === actorDept;
      case 'department_tree':
        return ancestors(w.parents, dept).includes(actorDept);
      case 'custom':
        return g.custom.includes(dept);
    }
  };
  // A grant that can match nothing (custom with no departments) holds nothing: the role lacks the permission.
  const holds = (g: GrantSpec | null) => g !== null && !(g.scope === 'custom' && g.custom.length === 0);
  const holdsView = w.roles.some((r) => holds(r.view));
  const holdsEdit = w.roles.some((r) => holds(r.edit));
  const view = new Set<number>();
  const edit = new Set<number>();
  w.customers.forEach((c, i) => {
    // the owning department is the owner's department at creation
    const dept = w.userDepts[c.owner]!;
    const mine = c.owner === 0;
    if (holdsView && (w.roles.some((r) => r.view && allows(r.view, dept, mine)) || c.team !== null))
      view.add(i);
    if (holdsEdit && (w.roles.some((r) => r.edit && allows(r.edit, dept, mine)) || c.team === 'read_write'))
      edit.add(i);
  });
  return { holdsView, holdsEdit, view, edit };
}

let env: TestEnv;
let passwordHash: string;

beforeAll(async () => {
  env = await createTestEnv();
  passwordHash = await hashPassword('Prop@Test2026');
});
afterAll(() => env.close());

describe('customer visibility through the API equals the rule (scope or account team)', () => {
  it('holds for random trees, owners, teams and roles', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        const org = await createTestOrg(env);
        const deptIds = w.parents.map(() => randomUUID());
        const userIds: string[] = [];
        const customerIds = w.customers.map(() => randomUUID());
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
            for (const [action, g] of [
              ['view', r.view],
              ['edit', r.edit],
            ] as const) {
              if (!g) continue;
              grants.push({
                resource: 'customer',
                action,
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
            userIds.push(
              await insertUser(tx, {
                tenantId: org.tenantId,
                login: `u${u}`,
                displayName: `User ${u}`,
                departmentId: deptIds[d]!,
                roleIds: u === 0 ? roleIds : [],
                now: new Date(),
              }),
            );
          }
          await setPassword(tx, {
            userId: userIds[0]!,
            hash: passwordHash,
            mustChange: false,
            now: new Date(),
          });
          for (const [i, c] of w.customers.entries()) {
            const owner = userIds[c.owner]!;
            await tx.query(
              `INSERT INTO customers (tenant_id, id, name, name_norm, owner_id, department_id)
               VALUES (kam_tenant(), $1, $2, $2, $3, $4)`,
              [customerIds[i], `客户${i}`, owner, deptIds[w.userDepts[c.owner]!]],
            );
            await tx.query(
              `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access)
               VALUES (kam_tenant(), $1, $2, 'owner', 'read_write')`,
              [customerIds[i], owner],
            );
            if (c.team && c.owner !== 0) {
              await tx.query(
                `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access)
                 VALUES (kam_tenant(), $1, $2, 'co_follower', $3)`,
                [customerIds[i], userIds[0], c.team],
              );
            }
          }
        });
        // The owner is always on the team (read_write): the oracle sees that membership too.
        const world: World = {
          ...w,
          customers: w.customers.map((c) => (c.owner === 0 ? { ...c, team: 'read_write' } : c)),
        };
        const expected = oracle(world);
        const actor = await Client.signIn(env, org.slug, 'u0', 'Prop@Test2026');

        const listed = await actor.get('/api/v1/customers?limit=200');
        if (!expected.holdsView) {
          expect(listed.status).toBe(403);
        } else {
          expect(listed.status).toBe(200);
          expect(new Set(listed.body.items.map((x: { id: string }) => x.id))).toEqual(
            new Set([...expected.view].map((i) => customerIds[i]!)),
          );
        }
        for (const [i, id] of customerIds.entries()) {
          const one = await actor.get(`/api/v1/customers/${id}`);
          expect(one.status, `GET customer ${i}`).toBe(
            !expected.holdsView ? 403 : expected.view.has(i) ? 200 : 404,
          );
          // a stale version never changes anything: 409 when the edit is allowed, else 403/404
          const edit = await actor.patch(`/api/v1/customers/${id}`, { version: 999, notes: 'x' });
          const want = !expected.holdsEdit
            ? 403
            : expected.edit.has(i)
              ? 409
              : expected.view.has(i)
                ? 403
                : 404;
          expect(edit.status, `PATCH customer ${i}`).toBe(want);
        }
      }),
      { numRuns: 15 },
    );
  });
});
