import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PermissionKey, Scope } from './catalog.js';
import { type ActorContext, effectiveScope, type Grant, type RoleRights, scopeAllows } from './evaluate.js';

interface World {
  /** parents[i] = index of department i's parent, -1 for a root (a forest is allowed). */
  parents: number[];
  /** userDepartments[i] = department index of user i or null; user 0 is the actor. */
  userDepartments: (number | null)[];
  roles: Grant[][];
  extraRole: Grant[];
  token: PermissionKey[] | undefined;
}

const deptId = (i: number) => `d${i}`;
const userId = (i: number) => `u${i}`;

const grantArb = (departments: number) =>
  fc
    .record({
      resource: fc.constantFrom('user', 'user', 'user', 'department'),
      action: fc.constantFrom('view', 'view', 'edit'),
      scope: fc.constantFrom<Scope>('all', 'self', 'department', 'department_tree', 'custom'),
      custom: fc.subarray([...Array.from({ length: departments }, (_, i) => deptId(i)), 'ghost']),
    })
    .map(
      ({ resource, action, scope, custom }): Grant =>
        scope === 'custom' ? { resource, action, scope, departmentIds: custom } : { resource, action, scope },
    );

const worldArb: fc.Arbitrary<World> = fc
  .array(fc.nat(1000), { minLength: 1, maxLength: 30 })
  .chain((seeds) => {
    const n = seeds.length;
    const parents = seeds.map((seed, i) => (seed % (i + 1)) - 1);
    return fc.record({
      parents: fc.constant(parents),
      userDepartments: fc.array(fc.option(fc.nat({ max: n - 1 }), { nil: null }), {
        minLength: 1,
        maxLength: 20,
      }),
      roles: fc.array(fc.array(grantArb(n), { maxLength: 4 }), { maxLength: 4 }),
      extraRole: fc.array(grantArb(n), { maxLength: 4 }),
      token: fc.option(fc.subarray<PermissionKey>(['user.view', 'user.edit', 'department.view']), {
        nil: undefined,
      }),
    });
  });

const toRoles = (grantLists: Grant[][]): RoleRights[] =>
  grantLists.map((grants, i) => ({ roleId: `r${i}`, grants, fieldRules: [] }));

function actorOf(world: World, roles: Grant[][]): ActorContext {
  const dept = world.userDepartments[0] ?? null;
  return {
    userId: userId(0),
    departmentId: dept === null ? null : deptId(dept),
    roles: toRoles(roles),
    ...(world.token ? { tokenPermissions: world.token } : {}),
  };
}

/** root..dept inclusive, by walking parent pointers up. */
function ancestorIds(parents: number[], dept: number): string[] {
  const chain: string[] = [];
  for (let d = dept; d !== -1; d = parents[d] ?? -1) chain.unshift(deptId(d));
  return chain;
}

/** The subtree of `root` (inclusive), computed downwards from child lists — independently of ancestorIds. */
function subtree(parents: number[], root: number): Set<number> {
  const result = new Set([root]);
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift();
    parents.forEach((parent, child) => {
      if (parent === current && !result.has(child)) {
        result.add(child);
        queue.push(child);
      }
    });
  }
  return result;
}

/** Which users the actor may view, straight from the definition of each grant. */
function oracle(world: World, roles: Grant[][]): boolean[] {
  const actorDept = world.userDepartments[0] ?? null;
  if (world.token && !world.token.includes('user.view')) return world.userDepartments.map(() => false);
  const below = actorDept === null ? new Set<number>() : subtree(world.parents, actorDept);
  return world.userDepartments.map((dept, u) =>
    roles.some((grants) =>
      grants.some((g) => {
        if (g.resource !== 'user' || g.action !== 'view') return false;
        switch (g.scope) {
          case 'all':
            return true;
          case 'self':
            return u === 0;
          case 'department':
            return actorDept !== null && dept === actorDept;
          case 'department_tree':
            return dept !== null && below.has(dept);
          case 'custom':
            return dept !== null && (g.departmentIds ?? []).includes(deptId(dept));
          default:
            return false;
        }
      }),
    ),
  );
}

function visible(world: World, roles: Grant[][]): boolean[] {
  const actor = actorOf(world, roles);
  const scope = effectiveScope(actor, 'user', 'view');
  return world.userDepartments.map((dept, u) =>
    scope === null
      ? false
      : scopeAllows(
          scope,
          {
            selfUserIds: [userId(u)],
            departmentId: dept === null ? null : deptId(dept),
            departmentAncestorIds: dept === null ? [] : ancestorIds(world.parents, dept),
          },
          actor.userId,
        ),
  );
}

describe('user view scope (property-based)', () => {
  it('matches an oracle computed from the grant definitions', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        expect(visible(world, world.roles)).toEqual(oracle(world, world.roles));
      }),
      { numRuns: 500 },
    );
  });

  it('never shrinks when a role is added (monotone union)', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const before = visible(world, world.roles);
        const after = visible(world, [...world.roles, world.extraRole]);
        before.forEach((seen, u) => {
          if (seen) expect(after[u]).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('produces a normalised scope', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const scope = effectiveScope(actorOf(world, world.roles), 'user', 'view');
        if (scope === null) return;
        if (scope.all) expect(scope).toEqual({ all: true, self: false, departments: [], subtrees: [] });
        for (const list of [scope.departments, scope.subtrees]) {
          expect(list).toEqual([...new Set(list)].sort());
        }
        expect(scope.departments.some((d) => scope.subtrees.includes(d))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
