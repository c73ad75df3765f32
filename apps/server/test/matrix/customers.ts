import { randomUUID } from 'node:crypto';
import { unique } from '../support/matrix-fixtures.js';
import { type Entry, list, one, rec, type Target } from '../support/matrix-table.js';

/**
 * Permission-matrix rows of the customers capability (see permission-matrix.test.ts for the columns).
 *
 * Built-in rights (packages/domain/src/permissions/builtin-roles.ts): director all customer actions in
 * 华东 (tree); head the same without delete; manager view/create/edit/import of own customers; support
 * staff view through the account team only ("in" customer: service, tech, delivery are on its team,
 * read_write) and no customer.edit; auditor nothing. "out" is 吴磊's customer in 深圳 (nobody's but
 * the super admin's).
 */

/** A fresh soft-deleted customer (version 2). */
async function deletedCustomer(t: Target): Promise<{ id: string; version: number }> {
  const c = await t.fx.customer(t.where);
  await t.fx.sql(
    `UPDATE customers SET deleted_at = now(), version = 2 WHERE tenant_id = kam_tenant() AND id = $1`,
    [c.id],
  );
  return { id: c.id, version: 2 };
}

/** A fresh customer with the side's standing manager on its team (co-follower, read). */
async function customerWithMember(t: Target): Promise<{ customerId: string; userId: string }> {
  const c = await t.fx.customer(t.where);
  await t.fx.sql(
    `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access)
     VALUES (kam_tenant(), $1, $2, 'co_follower', 'read')`,
    [c.id, t.at.user],
  );
  return { customerId: c.id, userId: t.at.user };
}

/** A saved view of `userId` (version 1). */
async function savedView(t: Target, userId: string): Promise<string> {
  const id = randomUUID();
  await t.fx.sql(
    `INSERT INTO saved_views (tenant_id, id, user_id, name, filters) VALUES (kam_tenant(), $1, $2, $3, '{}')`,
    [id, userId, `视图-${unique()}`],
  );
  return id;
}

const viewOf = (t: Target) => savedView(t, t.where === 'in' ? t.actorId : t.bystander);

export const CUSTOMER_MATRIX: Record<string, Entry> = {
  'GET /api/v1/customers': {
    ...list('both', 'in', 'in', 'in', 'in', 'in', 'in', 403),
    list: async (t) => ({
      query: 'limit=200',
      inId: (await t.fx.customer('in')).id,
      outId: (await t.fx.customer('out')).id,
    }),
  },
  'GET /api/v1/customers/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await t.fx.customer(t.where)).id }),
  },
  'POST /api/v1/customers': {
    ...one(201, 201, 201, 201, 403, 403, 403, 403),
    req: () => ({
      body: { name: `矩阵新客户${unique()}`, duplicateOverride: { reason: '矩阵测试' } },
    }),
  },
  'POST /api/v1/customers/check-duplicates': {
    ...one(200, 200, 200, 200, 200, 200, 200, 403),
    req: () => ({ body: { name: `查重客户${unique()}` } }),
  },
  'PATCH /api/v1/customers/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => {
      const c = await t.fx.customer(t.where);
      return { id: c.id, body: { version: c.version, notes: `备注 ${unique()}` } };
    },
  },
  'DELETE /api/v1/customers/:id': {
    ...rec('204/204', '204/404', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const c = await t.fx.customer(t.where);
      return { id: c.id, query: `version=${c.version}` };
    },
  },
  'POST /api/v1/customers/:id/restore': {
    ...rec('200/200', '200/404', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const c = await deletedCustomer(t);
      return { id: c.id, body: { version: c.version } };
    },
  },
  'POST /api/v1/customers/:id/merge': {
    ...rec('200/200', '200/404', '403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const keep = await t.fx.customer(t.where);
      const source = await t.fx.customer(t.where);
      return {
        id: keep.id,
        body: {
          sourceId: source.id,
          version: keep.version,
          sourceVersion: source.version,
          reason: '矩阵合并',
        },
      };
    },
  },
  // the new owner is the side's standing account manager
  'POST /api/v1/customers/:id/assign': {
    ...rec('200/200', '200/404', '200/404', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const c = await t.fx.customer(t.where);
      return { id: c.id, body: { ownerId: t.at.user, reason: '矩阵分配', version: c.version } };
    },
  },
  // in: 孙伟's customer to a manager of 上海销售一部; out: 吴磊's customer to a manager of 深圳销售部
  'POST /api/v1/customers/transfer': {
    ...rec('200/200', '200/403', '200/403', '403', '403', '403', '403', '403'),
    req: async (t) => {
      const c = await t.fx.customer(t.where);
      const from = t.fx.userIds[t.where === 'in' ? 'manager' : 'manager3']!;
      return {
        body: { fromOwnerId: from, toOwnerId: t.at.user, customerIds: [c.id], reason: '矩阵转移' },
      };
    },
  },
  'GET /api/v1/customers/:id/ownership-history': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await t.fx.customer(t.where)).id }),
  },
  'GET /api/v1/customers/:id/summary': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await t.fx.customer(t.where)).id }),
  },
  'GET /api/v1/customers/:id/timeline': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => {
      const c = await t.fx.customer(t.where);
      await t.fx.followUp(c.id);
      await t.fx.serviceRecord(c.id);
      return { id: c.id };
    },
  },
  'GET /api/v1/customers/:id/team': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await t.fx.customer(t.where)).id }),
  },
  'GET /api/v1/customers/:id/team/candidates': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({ id: (await t.fx.customer(t.where)).id }),
  },
  'POST /api/v1/customers/:id/team': {
    ...rec('201/201', '201/404', '201/404', '201/404', '403', '403', '403', '403'),
    req: async (t) => ({
      id: (await t.fx.customer(t.where)).id,
      body: { userId: t.at.user, teamRole: 'co_follower', access: 'read' },
    }),
  },
  'PATCH /api/v1/customers/:id/team/:userId': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => {
      const m = await customerWithMember(t);
      return { id: m.customerId, userId: m.userId, body: { access: 'read_write' } };
    },
  },
  'DELETE /api/v1/customers/:id/team/:userId': {
    ...rec('204/204', '204/404', '204/404', '204/404', '403', '403', '403', '403'),
    req: async (t) => {
      const m = await customerWithMember(t);
      return { id: m.customerId, userId: m.userId };
    },
  },

  // ——— saved views: anyone who may view customers, own views only (in = mine, out = another's) ———
  'GET /api/v1/saved-views': {
    ...list('in', 'in', 'in', 'in', 'in', 'in', 'in', 403),
    list: async (t) => ({ inId: await savedView(t, t.actorId), outId: await savedView(t, t.bystander) }),
  },
  'POST /api/v1/saved-views': {
    ...one(201, 201, 201, 201, 201, 201, 201, 403),
    req: () => ({ body: { name: `我的视图-${unique()}`, filters: { status: ['active'] } } }),
  },
  'PATCH /api/v1/saved-views/:id': {
    ...rec('200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: await viewOf(t), body: { version: 1, name: `改名视图-${unique()}` } }),
  },
  'DELETE /api/v1/saved-views/:id': {
    ...rec('204/404', '204/404', '204/404', '204/404', '204/404', '204/404', '204/404', '403'),
    req: async (t) => ({ id: await viewOf(t), query: 'version=1' }),
  },
};
