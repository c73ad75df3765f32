import { unique } from '../support/matrix-fixtures.js';
import { type Entry, list, rec, type Target } from '../support/matrix-table.js';

/**
 * Permission-matrix rows of the records attached to a customer: contacts, follow-ups, orders with
 * payments, service records (see permission-matrix.test.ts for the columns).
 *
 * Their access is the customer's (decision 0010). "in" = a fresh customer owned by `manager`
 * (上海销售一部) with service, tech and delivery on its account team (read_write); "out" = one owned by
 * `manager3` (深圳销售部) without a team. So director, head and manager (owner) reach "in" only; the
 * support roles reach "in" through the team, with their role's rights (contact view; follow-up view
 * and create; service record view, create, edit); the auditor holds none of these permissions.
 */

const customer = (t: Target) => t.fx.customer(t.where);

/** A fresh record of the case's customer, addressed by id, with its version where a change needs it. */
const contactReq = async (t: Target, withVersion: 'body' | 'query' | 'none') => {
  const c = await t.fx.contact((await customer(t)).id);
  if (withVersion === 'body')
    return { id: c.id, body: { version: c.version, title: `采购经理 ${unique()}` } };
  if (withVersion === 'query') return { id: c.id, query: `version=${c.version}` };
  return { id: c.id };
};

/** A fresh follow-up (by the customer's owner) with an open next step owed by its author. */
async function followUpWithNextStep(t: Target) {
  const f = await t.fx.followUp((await customer(t)).id);
  await t.fx.sql(
    `UPDATE follow_ups SET next_step = '发报价', next_step_date = current_date + 3, next_step_owner_id = author_id
     WHERE tenant_id = kam_tenant() AND id = $1`,
    [f.id],
  );
  return f;
}

async function orderOf(t: Target) {
  return t.fx.order((await customer(t)).id);
}

async function paymentOf(t: Target) {
  return t.fx.payment((await orderOf(t)).id);
}

async function serviceRecordOf(t: Target, closed = false) {
  const s = await t.fx.serviceRecord((await customer(t)).id);
  if (closed) {
    await t.fx.sql(
      `UPDATE service_records SET closed_at = opened_at + interval '1 hour', satisfaction = 4
       WHERE tenant_id = kam_tenant() AND id = $1`,
      [s.id],
    );
  }
  return s;
}

/** Lists read every page; a large page keeps that quick as the matrix adds records. */
const PAGE = 'limit=200';

export const CUSTOMER_RECORDS_MATRIX: Record<string, Entry> = {
  // ——— contacts: view for everyone reaching the customer (support via the team); changes by the sales line ———
  'GET /api/v1/customers/:id/contacts': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await customer(t)).id }),
  },
  'GET /api/v1/contacts': {
    ...list('both', 'in', 'in', 'in', 'in', 'in', 'in', 403),
    list: async (t) => ({
      query: PAGE,
      inId: (await t.fx.contact((await t.fx.customer('in')).id)).id,
      outId: (await t.fx.contact((await t.fx.customer('out')).id)).id,
    }),
  },
  'GET /api/v1/contacts/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: (t) => contactReq(t, 'none'),
  },
  'POST /api/v1/contacts': {
    ...rec('201/201', '201/404', '201/404', '201/404', '403', '403', '403', '403'),
    req: async (t) => ({ body: { customerId: (await customer(t)).id, name: `联系人${unique()}` } }),
  },
  'PATCH /api/v1/contacts/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: (t) => contactReq(t, 'body'),
  },
  'DELETE /api/v1/contacts/:id': {
    ...rec('204/204', '204/404', '204/404', '204/404', '403', '403', '403', '403'),
    req: (t) => contactReq(t, 'query'),
  },

  // ——— follow-ups: support staff view and log them (read_write team), but edit only their own ———
  'GET /api/v1/follow-ups': {
    ...list('both', 'in', 'in', 'in', 'in', 'in', 'in', 403),
    list: async (t) => ({
      query: PAGE,
      inId: (await t.fx.followUp((await t.fx.customer('in')).id)).id,
      outId: (await t.fx.followUp((await t.fx.customer('out')).id)).id,
    }),
  },
  'GET /api/v1/follow-ups/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await t.fx.followUp((await customer(t)).id)).id }),
  },
  'POST /api/v1/follow-ups': {
    ...rec('201/201', '201/404', '201/404', '201/404', '201/404', '201/404', '201/404', '403'),
    req: async (t) => ({
      body: { customerId: (await customer(t)).id, type: 'call', summary: `电话沟通 ${unique()}` },
    }),
  },
  // the follow-up's author is the customer's owner: the manager edits as author; support staff, not
  // the author and without follow_up.edit, see it (403) — or not (404)
  'PATCH /api/v1/follow-ups/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403/404', '403/404', '403/404', '403'),
    req: async (t) => {
      const f = await t.fx.followUp((await customer(t)).id);
      return { id: f.id, body: { version: f.version, outcome: `已确认需求 ${unique()}` } };
    },
  },
  'POST /api/v1/follow-ups/:id/complete-next-step': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403/404', '403/404', '403/404', '403'),
    req: async (t) => {
      const f = await followUpWithNextStep(t);
      return { id: f.id, body: { version: f.version } };
    },
  },
  'DELETE /api/v1/follow-ups/:id': {
    ...rec('204/204', '204/404', '204/404', '204/404', '403', '403', '403', '403'),
    req: async (t) => {
      const f = await t.fx.followUp((await customer(t)).id);
      return { id: f.id, query: `version=${f.version}` };
    },
  },

  // ——— orders and payments (permission order.*): the sales line only ———
  'GET /api/v1/orders': {
    ...list('both', 'in', 'in', 'in', 403, 403, 403, 403),
    list: async (t) => ({
      query: PAGE,
      inId: (await t.fx.order((await t.fx.customer('in')).id)).id,
      outId: (await t.fx.order((await t.fx.customer('out')).id)).id,
    }),
  },
  'GET /api/v1/orders/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({ id: (await orderOf(t)).id }),
  },
  'POST /api/v1/orders': {
    ...rec('201/201', '201/404', '201/404', '201/404', '403', '403', '403', '403'),
    req: async (t) => ({
      body: {
        orderNo: `MX-NEW-${unique()}`,
        customerId: (await customer(t)).id,
        orderedAt: '2026-11-01',
        amount: '1200.00',
      },
    }),
  },
  'PATCH /api/v1/orders/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => {
      const o = await orderOf(t);
      return { id: o.id, body: { version: o.version, productLine: `产品线${unique()}` } };
    },
  },
  'DELETE /api/v1/orders/:id': {
    ...rec('204/204', '204/404', '204/404', '204/404', '403', '403', '403', '403'),
    req: async (t) => {
      const o = await orderOf(t);
      return { id: o.id, query: `version=${o.version}` };
    },
  },
  'GET /api/v1/orders/:id/payments': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({ id: (await orderOf(t)).id }),
  },
  'POST /api/v1/orders/:id/payments': {
    ...rec('201/201', '201/404', '201/404', '201/404', '403', '403', '403', '403'),
    req: async (t) => ({ id: (await orderOf(t)).id, body: { amount: '300.00', dueDate: '2026-12-31' } }),
  },
  'PATCH /api/v1/payments/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => {
      const y = await paymentOf(t);
      return { id: y.id, body: { version: y.version, paidAt: '2026-11-20' } };
    },
  },
  'DELETE /api/v1/payments/:id': {
    ...rec('204/204', '204/404', '204/404', '204/404', '403', '403', '403', '403'),
    req: async (t) => {
      const y = await paymentOf(t);
      return { id: y.id, query: `version=${y.version}` };
    },
  },

  // ——— service records: support staff log, edit, close and reopen them (read_write team), never delete ———
  'GET /api/v1/service-records': {
    ...list('both', 'in', 'in', 'in', 'in', 'in', 'in', 403),
    list: async (t) => ({
      query: PAGE,
      inId: (await t.fx.serviceRecord((await t.fx.customer('in')).id)).id,
      outId: (await t.fx.serviceRecord((await t.fx.customer('out')).id)).id,
    }),
  },
  'GET /api/v1/service-records/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => ({ id: (await serviceRecordOf(t)).id }),
  },
  'POST /api/v1/service-records': {
    ...rec('201/201', '201/404', '201/404', '201/404', '201/404', '201/404', '201/404', '403'),
    req: async (t) => ({
      body: { customerId: (await customer(t)).id, type: 'question', title: `咨询 ${unique()}` },
    }),
  },
  'PATCH /api/v1/service-records/:id': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => {
      const s = await serviceRecordOf(t);
      return { id: s.id, body: { version: s.version, severity: 'high' } };
    },
  },
  'POST /api/v1/service-records/:id/close': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => {
      const s = await serviceRecordOf(t);
      return { id: s.id, body: { version: s.version, satisfaction: 5 } };
    },
  },
  'POST /api/v1/service-records/:id/reopen': {
    ...rec('200/200', '200/404', '200/404', '200/404', '200/404', '200/404', '200/404', '403'),
    req: async (t) => {
      const s = await serviceRecordOf(t, true);
      return { id: s.id, body: { version: s.version } };
    },
  },
  'DELETE /api/v1/service-records/:id': {
    ...rec('204/204', '204/404', '204/404', '204/404', '403', '403', '403', '403'),
    req: async (t) => {
      const s = await serviceRecordOf(t);
      return { id: s.id, query: `version=${s.version}` };
    },
  },
};
