import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLE_KEYS, BUILTIN_ROLES, builtinRole } from './builtin-roles.js';
import { PERMISSION_KEYS, type PermissionKey } from './catalog.js';
import { type ActorContext, can, effectiveFieldRules, effectiveScope } from './evaluate.js';
import { zFieldRule, zGrant } from './schemas.js';

const as = (...keys: (typeof BUILTIN_ROLE_KEYS)[number][]): ActorContext => ({
  userId: 'u1',
  departmentId: 'sales',
  roles: keys.map((key) => ({ roleId: key, ...builtinRole(key) })),
});
const recordKeys = (actions: string[]): PermissionKey[] =>
  ['contact', 'follow_up', 'order', 'service_record'].flatMap((r) =>
    actions.map((a) => `${r}.${a}` as PermissionKey),
  );
const keysOf = (actor: ActorContext): PermissionKey[] => PERMISSION_KEYS.filter((key) => can(actor, key));

describe('built-in roles', () => {
  it('defines every key once, with names and descriptions in both languages', () => {
    expect(BUILTIN_ROLES.map((r) => r.key)).toEqual([...BUILTIN_ROLE_KEYS]);
    for (const role of BUILTIN_ROLES) {
      expect(role.name.zh && role.name.en && role.description.zh && role.description.en).toBeTruthy();
    }
    expect(builtinRole('sales_director').name.zh).toBe('销售总监');
  });

  it('consists only of valid grants and field rules', () => {
    for (const role of BUILTIN_ROLES) {
      for (const grant of role.grants) expect(zGrant.safeParse(grant).success).toBe(true);
      for (const rule of role.fieldRules) expect(zFieldRule.safeParse(rule).success).toBe(true);
    }
  });

  it('gives the super admin every catalogue right with scope all', () => {
    const admin = as('super_admin');
    expect(keysOf(admin)).toEqual(PERMISSION_KEYS);
    expect(effectiveScope(admin, 'user', 'edit')?.all).toBe(true);
    expect(effectiveFieldRules(admin, 'user')).toEqual({});
  });

  it('limits the auditor to viewing and exporting the audit log', () => {
    expect(keysOf(as('auditor'))).toEqual(['audit.view', 'audit.export']);
  });

  it('lets a sales director manage users in their subtree but not define roles or see audit', () => {
    const director = as('sales_director');
    expect(keysOf(director)).toEqual([
      'department.view',
      'user.view',
      'user.create',
      'user.edit',
      'user.assign',
      'customer.view',
      'customer.create',
      'customer.edit',
      'customer.delete',
      'customer.assign',
      'customer.export',
      'customer.import',
      ...recordKeys(['view', 'create', 'edit', 'delete']),
      'approval_flow.view',
      'approval_flow.configure',
      'approval_request.create',
      'role.view',
      'api_token.create',
      'tenant.view',
      'tiering.view',
      'tiering.create',
      'tiering.configure',
    ]);
    expect(effectiveScope(director, 'user', 'edit')?.subtrees).toEqual(['sales']);
    expect(effectiveScope(director, 'customer', 'assign')?.subtrees).toEqual(['sales']);
  });

  it('lets a department head view the subtree but edit only the own department', () => {
    const head = as('department_head');
    expect(effectiveScope(head, 'user', 'view')?.subtrees).toEqual(['sales']);
    expect(effectiveScope(head, 'user', 'edit')?.departments).toEqual(['sales']);
    expect(can(head, 'user.create')).toBe(false);
    expect(effectiveScope(head, 'customer', 'export')?.subtrees).toEqual(['sales']);
    expect(can(head, 'customer.delete')).toBe(false);
  });

  it('lets an account manager see only the own department', () => {
    const am = as('account_manager');
    expect(effectiveScope(am, 'user', 'view')).toEqual({
      all: false,
      self: false,
      departments: ['sales'],
      subtrees: [],
    });
    expect(keysOf(am)).toEqual([
      'department.view',
      'user.view',
      'customer.view',
      'customer.create',
      'customer.edit',
      'customer.import',
      ...recordKeys(['view', 'create', 'edit', 'delete']),
      'approval_request.create',
      'api_token.create',
      'tiering.view',
    ]);
    // customers: only their own (the account team adds more, see customer-access.ts)
    expect(effectiveScope(am, 'customer', 'view')).toEqual({
      all: false,
      self: true,
      departments: [],
      subtrees: [],
    });
    expect(can(am, 'customer.export')).toBe(false);
    expect(can(am, 'customer.assign')).toBe(false);
  });

  it('keeps support staff read-only with masked contact data', () => {
    for (const key of ['customer_service', 'technical_support', 'delivery'] as const) {
      const staff = as(key);
      expect(keysOf(staff)).toEqual([
        'department.view',
        'user.view',
        'customer.view',
        'contact.view',
        'follow_up.view',
        'follow_up.create',
        'service_record.view',
        'service_record.create',
        'service_record.edit',
        'tiering.view',
      ]);
      expect(effectiveFieldRules(staff, 'user')).toEqual({ mobile: 'masked', email: 'masked' });
      expect(effectiveFieldRules(staff, 'contact')).toEqual({
        mobile: 'masked',
        phone: 'masked',
        email: 'masked',
      });
      // no master data edits, and their customers come only from account teams
      expect(can(staff, 'customer.edit') || can(staff, 'contact.edit')).toBe(false);
      expect(effectiveScope(staff, 'customer', 'view')?.self).toBe(true);
    }
  });

  it('unmasks contact data when a support user also holds an unmasked viewing role', () => {
    expect(effectiveFieldRules(as('delivery', 'account_manager'), 'user')).toEqual({});
  });
});
