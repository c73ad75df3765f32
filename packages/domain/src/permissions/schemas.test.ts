import { describe, expect, it } from 'vitest';
import { zFieldRule, zGrant } from './schemas.js';

const issues = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('zGrant', () => {
  it('accepts catalogue grants and normalises custom department lists', () => {
    expect(
      zGrant.parse({ resource: 'user', action: 'view', scope: 'custom', departmentIds: ['b', 'a', 'b'] }),
    ).toEqual({ resource: 'user', action: 'view', scope: 'custom', departmentIds: ['a', 'b'] });
    expect(zGrant.parse({ resource: 'audit', action: 'export' })).toEqual({
      resource: 'audit',
      action: 'export',
    });
  });

  it.each<[object, string]>([
    [{ resource: 'audit', action: 'delete' }, 'pair not in catalogue'],
    [{ resource: 'opportunity', action: 'view', scope: 'all' }, 'unknown resource'],
    [{ resource: 'user', action: 'view' }, 'record grant without scope'],
    [{ resource: 'role', action: 'view', scope: 'all' }, 'scope on non-record resource'],
    [{ resource: 'user', action: 'view', scope: 'custom' }, 'custom without departments'],
    [{ resource: 'user', action: 'view', scope: 'custom', departmentIds: [] }, 'custom with empty list'],
    [{ resource: 'user', action: 'view', scope: 'all', departmentIds: ['a'] }, 'departments without custom'],
    [{ resource: 'user', action: 'view', scope: 'everything' }, 'unknown scope'],
  ])('rejects %o (%s) with PERMISSION_INVALID', (input, _why) => {
    const result = zGrant.safeParse(input);
    expect(result.success).toBe(false);
    expect(issues(result)).toContain('PERMISSION_INVALID');
  });

  it('rejects unknown properties', () => {
    expect(zGrant.safeParse({ resource: 'audit', action: 'view', extra: 1 }).success).toBe(false);
  });
});

describe('zFieldRule', () => {
  it('accepts rules on catalogue fields', () => {
    expect(zFieldRule.safeParse({ resource: 'user', field: 'mobile', rule: 'masked' }).success).toBe(true);
    expect(zFieldRule.safeParse({ resource: 'user', field: 'departmentId', rule: 'hidden' }).success).toBe(
      true,
    );
  });
  it('rejects unknown fields and masking of non-maskable fields', () => {
    expect(issues(zFieldRule.safeParse({ resource: 'user', field: 'password', rule: 'hidden' }))).toEqual([
      'PERMISSION_INVALID',
    ]);
    expect(zFieldRule.safeParse({ resource: 'user', field: 'status', rule: 'masked' }).success).toBe(false);
    expect(zFieldRule.safeParse({ resource: 'user', field: 'mobile', rule: 'blurred' }).success).toBe(false);
  });
});
