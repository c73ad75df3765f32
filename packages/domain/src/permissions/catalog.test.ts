import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  CATALOG,
  fieldSensitivity,
  isPermissionKey,
  isRecordResource,
  isResource,
  PERMISSION_KEYS,
  parsePermissionKey,
  RESOURCES,
  resourceActions,
  resourceFields,
  SCOPE_LABELS,
  SCOPES,
  toPermissionKey,
} from './catalog.js';

describe('permission catalogue', () => {
  it('lists exactly the account-system and Customer 360 pairs', () => {
    expect([...PERMISSION_KEYS].sort()).toEqual(
      [
        'department.view',
        'department.create',
        'department.edit',
        'department.delete',
        'user.view',
        'user.create',
        'user.edit',
        'user.assign',
        'role.view',
        'role.configure',
        'audit.view',
        'audit.export',
        'api_token.create',
        'tenant.view',
        'tenant.configure',
        'approval_flow.view',
        'approval_flow.configure',
        'approval_request.create',
        'tiering.view',
        'tiering.create',
        'tiering.configure',
        'customer.view',
        'customer.create',
        'customer.edit',
        'customer.delete',
        'customer.assign',
        'customer.export',
        'customer.import',
        ...['contact', 'follow_up', 'order', 'service_record'].flatMap((r) =>
          ['view', 'create', 'edit', 'delete'].map((a) => `${r}.${a}`),
        ),
      ].sort(),
    );
  });

  it('has no action that deletes or edits audit entries', () => {
    expect(resourceActions('audit')).toEqual(['view', 'export']);
  });

  it('marks departments, users and customer-bound records as record resources', () => {
    expect(RESOURCES.filter(isRecordResource)).toEqual([
      'department',
      'user',
      'customer',
      'contact',
      'follow_up',
      'order',
      'service_record',
    ]);
  });

  it('labels every resource, action and field in both languages', () => {
    for (const resource of RESOURCES) {
      const def = CATALOG[resource];
      expect(def.label.zh && def.label.en).toBeTruthy();
      for (const label of Object.values(def.actions)) expect(label.zh && label.en).toBeTruthy();
      for (const field of Object.values(def.fields)) expect(field.label.zh && field.label.en).toBeTruthy();
      for (const action of Object.keys(def.actions)) expect(ACTIONS).toContain(action);
    }
    for (const scope of SCOPES) expect(SCOPE_LABELS[scope].zh).toBeTruthy();
  });

  it('knows user field sensitivities for masking', () => {
    expect(resourceFields('user')).toEqual([
      'login',
      'displayName',
      'email',
      'mobile',
      'departmentId',
      'status',
      'lastLoginAt',
    ]);
    expect(fieldSensitivity('user', 'mobile')).toBe('mobile');
    expect(fieldSensitivity('user', 'email')).toBe('email');
    expect(fieldSensitivity('user', 'departmentId')).toBe('none');
    expect(fieldSensitivity('user', 'password')).toBeUndefined();
    expect(fieldSensitivity('user', 'toString')).toBeUndefined();
    expect(resourceFields('department')).toEqual(['name', 'code', 'headUserId']);
  });

  it('validates and parses keys', () => {
    expect(isPermissionKey('user.assign')).toBe(true);
    expect(isPermissionKey('audit.delete')).toBe(false);
    expect(isPermissionKey('user')).toBe(false);
    expect(toPermissionKey('api_token', 'create')).toBe('api_token.create');
    expect(toPermissionKey('api_token', 'view')).toBeNull();
    expect(parsePermissionKey('api_token.create')).toEqual({ resource: 'api_token', action: 'create' });
    expect(isResource('tenant')).toBe(true);
    expect(isResource('__proto__')).toBe(false);
  });
});
