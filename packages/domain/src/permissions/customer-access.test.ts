import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action } from './catalog.js';
import {
  CUSTOMER_BOUND_RESOURCES,
  type CustomerBoundResource,
  customerAccessAllows,
  isCustomerBound,
  TEAM_ACCESS_LEVELS,
  teamAccessNeeded,
} from './customer-access.js';
import { type ActorContext, type EffectiveScope, effectiveScope, type ScopedRecord } from './evaluate.js';

const ME = 'user-me';
const OTHER = 'user-other';

const scope = (parts: Partial<EffectiveScope>): EffectiveScope => ({
  all: false,
  self: false,
  departments: [],
  subtrees: [],
  ...parts,
});

/** A customer owned by `owner` in department `dept` (below `root`). */
const customer = (owner: string, dept: string | null = 'sales-east'): ScopedRecord => ({
  selfUserIds: [owner],
  departmentId: dept,
  departmentAncestorIds: dept === null ? [] : ['root', dept],
});

const RECORDS = CUSTOMER_BOUND_RESOURCES.filter((r) => r !== 'customer');

describe('teamAccessNeeded', () => {
  it('any membership allows viewing every customer-bound resource', () => {
    for (const resource of CUSTOMER_BOUND_RESOURCES) expect(teamAccessNeeded(resource, 'view')).toBe('read');
  });

  it('read_write allows create, edit and delete of attached records', () => {
    for (const resource of RECORDS) {
      for (const action of ['create', 'edit', 'delete'] as const) {
        expect(teamAccessNeeded(resource, action), `${resource}.${action}`).toBe('read_write');
      }
    }
  });

  it('on the customer itself, read_write allows editing only', () => {
    expect(teamAccessNeeded('customer', 'edit')).toBe('read_write');
    for (const action of ['create', 'delete', 'assign', 'export', 'import'] as const) {
      expect(teamAccessNeeded('customer', action), action).toBeNull();
    }
  });

  it('never grants assign, export, import, approve or configure', () => {
    for (const resource of CUSTOMER_BOUND_RESOURCES) {
      for (const action of ['assign', 'export', 'import', 'approve', 'configure'] as const) {
        expect(teamAccessNeeded(resource, action), `${resource}.${action}`).toBeNull();
      }
    }
  });

  it('knows which resources are customer-bound', () => {
    expect(CUSTOMER_BOUND_RESOURCES).toEqual(['customer', 'contact', 'follow_up', 'order', 'service_record']);
    expect(isCustomerBound('order')).toBe(true);
    expect(isCustomerBound('user')).toBe(false);
    expect(isCustomerBound('department')).toBe(false);
    expect(TEAM_ACCESS_LEVELS).toEqual(['read', 'read_write']);
  });
});

describe('customerAccessAllows', () => {
  it('a role without the permission is refused, even for the owner on the team', () => {
    for (const resource of CUSTOMER_BOUND_RESOURCES) {
      for (const action of ACTIONS) {
        expect(customerAccessAllows(null, resource, action, customer(ME), ME, 'read_write')).toBe(false);
      }
    }
  });

  it('the data scope alone decides for customers in scope', () => {
    const self = scope({ self: true });
    expect(customerAccessAllows(self, 'customer', 'view', customer(ME), ME, null)).toBe(true);
    expect(customerAccessAllows(self, 'customer', 'view', customer(OTHER), ME, null)).toBe(false);
    expect(customerAccessAllows(self, 'customer', 'delete', customer(ME), ME, null)).toBe(true);

    const dept = scope({ departments: ['sales-east'] });
    expect(customerAccessAllows(dept, 'order', 'edit', customer(OTHER, 'sales-east'), ME, null)).toBe(true);
    expect(customerAccessAllows(dept, 'order', 'edit', customer(OTHER, 'sales-west'), ME, null)).toBe(false);
    expect(customerAccessAllows(dept, 'order', 'edit', customer(OTHER, null), ME, null)).toBe(false);

    const tree = scope({ subtrees: ['root'] });
    expect(customerAccessAllows(tree, 'contact', 'view', customer(OTHER, 'sales-west'), ME, null)).toBe(true);

    const all = scope({ all: true });
    expect(customerAccessAllows(all, 'customer', 'assign', customer(OTHER, null), ME, null)).toBe(true);
  });

  it('a team member outside the scope sees the customer and its records at any access level', () => {
    const self = scope({ self: true });
    for (const resource of CUSTOMER_BOUND_RESOURCES) {
      for (const access of TEAM_ACCESS_LEVELS) {
        expect(customerAccessAllows(self, resource, 'view', customer(OTHER), ME, access)).toBe(true);
      }
      expect(customerAccessAllows(self, resource, 'view', customer(OTHER), ME, null)).toBe(false);
    }
  });

  it('read gives no writes; read_write gives the writes a team may grant', () => {
    const self = scope({ self: true });
    const allows = (resource: CustomerBoundResource, action: Action, access: 'read' | 'read_write') =>
      customerAccessAllows(self, resource, action, customer(OTHER), ME, access);
    for (const resource of RECORDS) {
      for (const action of ['create', 'edit', 'delete'] as const) {
        expect(allows(resource, action, 'read'), `${resource}.${action} read`).toBe(false);
        expect(allows(resource, action, 'read_write'), `${resource}.${action} read_write`).toBe(true);
      }
    }
    expect(allows('customer', 'edit', 'read')).toBe(false);
    expect(allows('customer', 'edit', 'read_write')).toBe(true);
  });

  it('a team never grants deleting, assigning, exporting or importing the customer', () => {
    const self = scope({ self: true });
    for (const action of ['delete', 'assign', 'export', 'import', 'create'] as const) {
      expect(customerAccessAllows(self, 'customer', action, customer(OTHER), ME, 'read_write'), action).toBe(
        false,
      );
    }
  });

  it('team access needs the role permission: a support role without customer.edit cannot edit master data', () => {
    const support: ActorContext = {
      userId: ME,
      departmentId: 'support',
      roles: [
        {
          roleId: 'support',
          grants: [
            { resource: 'customer', action: 'view', scope: 'self' },
            { resource: 'service_record', action: 'view', scope: 'self' },
            { resource: 'service_record', action: 'create', scope: 'self' },
          ],
          fieldRules: [],
        },
      ],
    };
    const acme = customer(OTHER, 'sales-east');
    const allows = (resource: CustomerBoundResource, action: Action) =>
      customerAccessAllows(
        effectiveScope(support, resource, action),
        resource,
        action,
        acme,
        ME,
        'read_write',
      );
    expect(allows('customer', 'view')).toBe(true);
    expect(allows('service_record', 'create')).toBe(true);
    expect(allows('customer', 'edit')).toBe(false);
    expect(allows('service_record', 'delete')).toBe(false);
    expect(allows('order', 'view')).toBe(false);
    // removed from the team: nothing of the customer stays visible
    expect(
      customerAccessAllows(effectiveScope(support, 'customer', 'view'), 'customer', 'view', acme, ME, null),
    ).toBe(false);
  });
});
