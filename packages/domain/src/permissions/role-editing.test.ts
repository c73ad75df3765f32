import { describe, expect, it } from 'vitest';
import { builtinRole } from './builtin-roles.js';
import type { ActorContext, Grant } from './evaluate.js';
import { fieldRulesBeyondEditor, grantsBeyondEditor, grantsBeyondEditorForHolders } from './role-editing.js';

// Departments: root R > east E > shanghai S; root R > south X.
const ANCESTORS: Record<string, string[]> = { R: ['R'], E: ['R', 'E'], S: ['R', 'E', 'S'], X: ['R', 'X'] };
const ancestorsOf = (id: string) => ANCESTORS[id] ?? [id];

function actor(key: Parameters<typeof builtinRole>[0], departmentId: string | null): ActorContext {
  const role = builtinRole(key);
  return {
    userId: 'u1',
    departmentId,
    roles: [{ roleId: key, grants: role.grants, fieldRules: role.fieldRules }],
  };
}

describe('what a role editor may put into a role', () => {
  const admin = actor('super_admin', 'R');
  const director = actor('sales_director', 'E'); // user.* with department_tree, role.view only

  it('lets a super admin grant anything', () => {
    const grants: Grant[] = [
      { resource: 'user', action: 'edit', scope: 'all' },
      { resource: 'role', action: 'configure' },
      { resource: 'department', action: 'view', scope: 'custom', departmentIds: ['X'] },
    ];
    expect(grantsBeyondEditor(admin, grants, ancestorsOf)).toEqual([]);
  });

  it('refuses keys the editor does not hold and scopes wider than their own', () => {
    const wider: Grant = { resource: 'user', action: 'view', scope: 'all' };
    const unheld: Grant = { resource: 'role', action: 'configure' };
    const fine: Grant = { resource: 'user', action: 'view', scope: 'department' };
    expect(grantsBeyondEditor(director, [wider, unheld, fine], ancestorsOf)).toEqual([wider, unheld]);
  });

  it('allows custom departments only inside the editor’s own scope', () => {
    const inside: Grant = { resource: 'user', action: 'view', scope: 'custom', departmentIds: ['S'] };
    const outside: Grant = { resource: 'user', action: 'view', scope: 'custom', departmentIds: ['S', 'X'] };
    expect(grantsBeyondEditor(director, [inside, outside], ancestorsOf)).toEqual([outside]);
  });

  it('refuses field rules that show more than the editor sees', () => {
    const support = actor('customer_service', 'S'); // sees user mobile/email masked
    const grants: Grant[] = [{ resource: 'user', action: 'view', scope: 'department' }];
    const loosened = fieldRulesBeyondEditor(support, grants, [
      { resource: 'user', field: 'email', rule: 'masked' },
    ]);
    expect(loosened.map((f) => f.field)).toEqual(['mobile']);
  });

  it('checks added grants against every current holder of the role', () => {
    const added: Grant[] = [{ resource: 'user', action: 'edit', scope: 'department' }];
    const holderInEast = { userId: 'h1', departmentId: 'S', departmentAncestorIds: ancestorsOf('S') };
    const holderInSouth = { userId: 'h2', departmentId: 'X', departmentAncestorIds: ancestorsOf('X') };
    expect(grantsBeyondEditorForHolders(director, added, [holderInEast], ancestorsOf)).toEqual([]);
    expect(grantsBeyondEditorForHolders(director, added, [holderInEast, holderInSouth], ancestorsOf)).toEqual(
      added,
    );
  });
});
