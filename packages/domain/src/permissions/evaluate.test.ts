import { describe, expect, it } from 'vitest';
import {
  type ActorContext,
  applyFieldRules,
  can,
  type EffectiveScope,
  effectiveFieldRules,
  effectiveScope,
  exceedingGrants,
  type FieldRule,
  type Grant,
  permissionsExceeding,
  type RoleRights,
  readonlyViolations,
  type ScopedRecord,
  scopeAllows,
} from './evaluate.js';

const role = (roleId: string, grants: Grant[], fieldRules: FieldRule[] = []): RoleRights => ({
  roleId,
  grants,
  fieldRules,
});
const actor = (roles: RoleRights[], extra: Partial<ActorContext> = {}): ActorContext => ({
  userId: 'u1',
  departmentId: 'sales',
  roles,
  ...extra,
});
const userView = (scope: Grant['scope'], departmentIds?: string[]): Grant => ({
  resource: 'user',
  action: 'view',
  scope,
  ...(departmentIds ? { departmentIds } : {}),
});
const scope = (partial: Partial<EffectiveScope>): EffectiveScope => ({
  all: false,
  self: false,
  departments: [],
  subtrees: [],
  ...partial,
});

describe('effectiveScope', () => {
  it('returns null without a matching grant', () => {
    expect(effectiveScope(actor([]), 'user', 'view')).toBeNull();
    expect(effectiveScope(actor([role('r', [userView('all')])]), 'user', 'edit')).toBeNull();
    expect(effectiveScope(actor([role('r', [userView('all')])]), 'department', 'view')).toBeNull();
  });

  it('maps each scope kind', () => {
    const of = (g: Grant) => effectiveScope(actor([role('r', [g])]), 'user', 'view');
    expect(of(userView('all'))).toEqual(scope({ all: true }));
    expect(of(userView('self'))).toEqual(scope({ self: true }));
    expect(of(userView('department'))).toEqual(scope({ departments: ['sales'] }));
    expect(of(userView('department_tree'))).toEqual(scope({ subtrees: ['sales'] }));
    expect(of(userView('custom', ['b', 'a', 'b']))).toEqual(scope({ departments: ['a', 'b'] }));
  });

  it('unions scopes across roles, sorted and deduplicated', () => {
    const a = actor([
      role('r1', [userView('self'), userView('custom', ['x'])]),
      role('r2', [userView('department'), userView('custom', ['c', 'x'])]),
    ]);
    expect(effectiveScope(a, 'user', 'view')).toEqual(
      scope({ self: true, departments: ['c', 'sales', 'x'] }),
    );
  });

  it('drops departments already covered as subtree roots', () => {
    const a = actor([
      role('r', [userView('department'), userView('department_tree'), userView('custom', ['z'])]),
    ]);
    expect(effectiveScope(a, 'user', 'view')).toEqual(scope({ departments: ['z'], subtrees: ['sales'] }));
  });

  it('normalises to plain "all" when any role grants all', () => {
    const a = actor([
      role('r1', [userView('self'), userView('department_tree')]),
      role('r2', [userView('all')]),
    ]);
    expect(effectiveScope(a, 'user', 'view')).toEqual(scope({ all: true }));
  });

  it('gives department scopes nothing for an actor without a department', () => {
    const noDept = (grants: Grant[]) =>
      effectiveScope(actor([role('r', grants)], { departmentId: null }), 'user', 'view');
    expect(noDept([userView('department'), userView('department_tree')])).toBeNull();
    expect(noDept([userView('department'), userView('self')])).toEqual(scope({ self: true }));
    expect(noDept([userView('custom', ['x'])])).toEqual(scope({ departments: ['x'] }));
  });

  it('ignores record grants without a scope (fail closed)', () => {
    expect(
      effectiveScope(actor([role('r', [{ resource: 'user', action: 'view' }])]), 'user', 'view'),
    ).toBeNull();
  });

  it('treats non-record resources as all-or-nothing', () => {
    const a = actor([role('r', [{ resource: 'audit', action: 'view' }])]);
    expect(effectiveScope(a, 'audit', 'view')).toEqual(scope({ all: true }));
    expect(effectiveScope(a, 'audit', 'export')).toBeNull();
  });

  it('intersects with the API token permissions', () => {
    const roles = [role('r', [userView('all'), { resource: 'audit', action: 'view' }])];
    const token = actor(roles, { tokenPermissions: ['user.view'] });
    expect(effectiveScope(token, 'user', 'view')).toEqual(scope({ all: true }));
    expect(effectiveScope(token, 'audit', 'view')).toBeNull();
    expect(can(actor(roles, { tokenPermissions: [] }), 'user.view')).toBe(false);
    // a token key the user lacks grants nothing
    expect(can(actor([], { tokenPermissions: ['user.view'] }), 'user.view')).toBe(false);
  });

  it('rejects pairs that are not in the catalogue even if a grant names them', () => {
    const a = actor([role('r', [{ resource: 'audit', action: 'delete' }])]);
    expect(effectiveScope(a, 'audit', 'delete')).toBeNull();
  });
});

describe('can', () => {
  it('is true exactly when some scope exists', () => {
    const a = actor([role('r', [userView('self'), { resource: 'tenant', action: 'view' }])]);
    expect(can(a, 'user.view')).toBe(true);
    expect(can(a, 'tenant.view')).toBe(true);
    expect(can(a, 'tenant.configure')).toBe(false);
    expect(can(a, 'user.edit')).toBe(false);
  });
});

describe('scopeAllows', () => {
  const record = (
    departmentId: string | null,
    ancestors: string[],
    selfUserIds = ['other'],
  ): ScopedRecord => ({
    selfUserIds,
    departmentId,
    departmentAncestorIds: ancestors,
  });
  it('all allows everything', () => {
    expect(scopeAllows(scope({ all: true }), record(null, []), 'me')).toBe(true);
  });
  it('self matches only records of the actor', () => {
    expect(scopeAllows(scope({ self: true }), record('d', ['d'], ['me']), 'me')).toBe(true);
    expect(scopeAllows(scope({ self: true }), record('d', ['d']), 'me')).toBe(false);
  });
  it('departments match exactly, not children', () => {
    const s = scope({ departments: ['sales'] });
    expect(scopeAllows(s, record('sales', ['root', 'sales']), 'me')).toBe(true);
    expect(scopeAllows(s, record('east', ['root', 'sales', 'east']), 'me')).toBe(false);
    expect(scopeAllows(s, record(null, []), 'me')).toBe(false);
  });
  it('subtrees match the root and all descendants', () => {
    const s = scope({ subtrees: ['sales'] });
    expect(scopeAllows(s, record('sales', ['root', 'sales']), 'me')).toBe(true);
    expect(scopeAllows(s, record('east', ['root', 'sales', 'east']), 'me')).toBe(true);
    expect(scopeAllows(s, record('root', ['root']), 'me')).toBe(false);
  });
});

describe('effectiveFieldRules', () => {
  const masksContact = role(
    'support',
    [userView('department')],
    [
      { resource: 'user', field: 'mobile', rule: 'masked' },
      { resource: 'user', field: 'email', rule: 'hidden' },
      { resource: 'user', field: 'login', rule: 'readonly' },
    ],
  );

  it('applies the rules of a single viewing role', () => {
    expect(effectiveFieldRules(actor([masksContact]), 'user')).toEqual({
      mobile: 'masked',
      email: 'hidden',
      login: 'readonly',
    });
  });

  it('lets the least restrictive rule win across viewing roles', () => {
    const other = role(
      'other',
      [userView('self')],
      [
        { resource: 'user', field: 'mobile', rule: 'hidden' },
        { resource: 'user', field: 'email', rule: 'readonly' },
        { resource: 'user', field: 'login', rule: 'readonly' },
      ],
    );
    expect(effectiveFieldRules(actor([masksContact, other]), 'user')).toEqual({
      mobile: 'masked',
      email: 'readonly',
      login: 'readonly',
    });
  });

  it('makes a field visible when a viewing role has no rule for it', () => {
    const plain = role('plain', [userView('self')]);
    expect(effectiveFieldRules(actor([masksContact, plain]), 'user')).toEqual({});
  });

  it('ignores roles that cannot view the resource', () => {
    const editorOnly = role('editor', [{ resource: 'user', action: 'edit', scope: 'all' }]);
    const deptViewer = role('dept', [{ resource: 'department', action: 'view', scope: 'all' }]);
    expect(effectiveFieldRules(actor([masksContact, editorOnly, deptViewer]), 'user')).toEqual({
      mobile: 'masked',
      email: 'hidden',
      login: 'readonly',
    });
  });

  it('ignores roles whose view contributes nothing for this actor', () => {
    const deptOnly = role('deptOnly', [userView('department')]);
    const self = role('self', [userView('self')], [{ resource: 'user', field: 'mobile', rule: 'masked' }]);
    expect(effectiveFieldRules(actor([deptOnly, self], { departmentId: null }), 'user')).toEqual({
      mobile: 'masked',
    });
  });

  it('uses the most restrictive rule when one role repeats a field, and ignores other resources', () => {
    const r = role(
      'r',
      [userView('all')],
      [
        { resource: 'user', field: 'mobile', rule: 'readonly' },
        { resource: 'user', field: 'mobile', rule: 'hidden' },
        { resource: 'department', field: 'name', rule: 'hidden' },
      ],
    );
    expect(effectiveFieldRules(actor([r]), 'user')).toEqual({ mobile: 'hidden' });
  });

  it('hides every field when nobody can view', () => {
    expect(effectiveFieldRules(actor([]), 'department')).toEqual({
      name: 'hidden',
      code: 'hidden',
      headUserId: 'hidden',
    });
  });
});

describe('applyFieldRules', () => {
  const user = {
    id: 'u2',
    login: 'zhangsan',
    displayName: '张三丰',
    email: 'zhang@example.com',
    mobile: '+8613812345678',
    departmentId: 'sales',
    lastLoginAt: null,
  };

  it('removes hidden, masks masked and keeps readonly fields', () => {
    const out = applyFieldRules('user', user, { email: 'hidden', mobile: 'masked', login: 'readonly' });
    expect(out).toEqual({
      id: 'u2',
      login: 'zhangsan',
      displayName: '张三丰',
      mobile: '138****5678',
      departmentId: 'sales',
      lastLoginAt: null,
    });
    expect('email' in out).toBe(false);
  });

  it('masks by catalogue sensitivity', () => {
    expect(applyFieldRules('user', user, { email: 'masked', displayName: 'masked' })).toMatchObject({
      email: 'z***@example.com',
      displayName: '张**',
    });
  });

  it('hides masked fields that cannot be masked, but keeps null values', () => {
    const out = applyFieldRules('user', user, { departmentId: 'masked', lastLoginAt: 'masked' });
    expect('departmentId' in out).toBe(false);
    expect(out.lastLoginAt).toBeNull();
  });

  it('does not mutate the input', () => {
    applyFieldRules('user', user, { email: 'hidden' });
    expect(user.email).toBe('zhang@example.com');
  });
});

describe('readonlyViolations', () => {
  it('reports every changed field with any rule, once, in input order', () => {
    const rules = { login: 'readonly', mobile: 'masked', email: 'hidden' } as const;
    expect(readonlyViolations(rules, ['displayName', 'mobile', 'login', 'email', 'mobile'])).toEqual([
      'mobile',
      'login',
      'email',
    ]);
    expect(readonlyViolations(rules, ['displayName'])).toEqual([]);
    expect(readonlyViolations({}, ['toString'])).toEqual([]);
  });
});

describe('permissionsExceeding', () => {
  it('lists token keys the user does not hold, ignoring the current token', () => {
    const a = actor([role('r', [userView('self')])], { tokenPermissions: [] });
    expect(permissionsExceeding(a, ['user.view', 'user.edit', 'audit.view'])).toEqual([
      'user.edit',
      'audit.view',
    ]);
  });
});

describe('exceedingGrants', () => {
  // tree: root > sales > east; root > hr
  const ancestors: Record<string, string[]> = {
    root: ['root'],
    sales: ['root', 'sales'],
    east: ['root', 'sales', 'east'],
    hr: ['root', 'hr'],
  };
  const ancestorsOf = (id: string) => ancestors[id] ?? [id];
  const director = actor([
    role('dir', [userView('department_tree'), { resource: 'user', action: 'edit', scope: 'department' }]),
  ]);
  const target = { userId: 'u9', departmentId: 'east', departmentAncestorIds: ancestors.east ?? [] };

  it('accepts grants within the actor scope for a target inside it', () => {
    const grants: Grant[] = [
      userView('self'),
      userView('department'),
      userView('department_tree'),
      userView('custom', ['east']),
    ];
    expect(exceedingGrants(director, grants, target, ancestorsOf)).toEqual([]);
  });

  it('rejects wider scopes, foreign departments and keys the actor lacks', () => {
    const grants: Grant[] = [
      userView('all'),
      userView('custom', ['east', 'hr']),
      { resource: 'user', action: 'edit', scope: 'department' },
      { resource: 'role', action: 'configure' },
    ];
    expect(exceedingGrants(director, grants, target, ancestorsOf)).toEqual(grants);
  });

  it('lets an actor with scope all grant anything it holds', () => {
    const admin = actor([role('admin', [userView('all'), { resource: 'audit', action: 'view' }])]);
    expect(
      exceedingGrants(admin, [userView('all'), { resource: 'audit', action: 'view' }], target, ancestorsOf),
    ).toEqual([]);
  });
});
