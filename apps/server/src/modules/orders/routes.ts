import { moneyToFen, ORDER_STATUSES, zDate, zMoney, zOrderStatus, zSignedMoney } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zId, zIdParams, zPageQuery, zVersion, zVersionQuery } from '../../http/schemas.js';
import { zText } from '../customer-records.js';
import { ORDER_SORTS, type OrderSort } from './repo.js';
import {
  createOrder,
  createPayment,
  deleteOrder,
  deletePayment,
  getOrder,
  listOrders,
  listPayments,
  updateOrder,
  updatePayment,
} from './service.js';

const zMoneyText = z.string().describe('CNY, decimal string with two decimals, e.g. "1234.50"');

/** A payment instalment (回款). `overdue`: unpaid, due before today (Asia/Shanghai), of a confirmed order. */
export const zPayment = z.object({
  id: z.string(),
  orderId: z.string(),
  orderNo: z.string(),
  customerId: z.string(),
  amount: zMoneyText,
  dueDate: z.string().nullable().describe('YYYY-MM-DD'),
  paidAt: z.string().nullable().describe('YYYY-MM-DD; null = not received yet'),
  notes: z.string().nullable(),
  overdue: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

/**
 * An order (订单). `grossMargin` is absent when a field rule hides it. Derived from the payments:
 * `paidAmount` (received), `outstanding` (a confirmed order's amount not yet received; cancelled
 * and returned documents owe nothing), `overdueAmount` (overdue instalments).
 */
export const zOrder = z.object({
  id: z.string(),
  orderNo: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  orderedAt: z.string().describe('YYYY-MM-DD'),
  amount: zMoneyText,
  grossMargin: zMoneyText.nullable().optional(),
  productLine: z.string().nullable(),
  status: z.enum(ORDER_STATUSES),
  notes: z.string().nullable(),
  paidAmount: zMoneyText,
  outstanding: zMoneyText,
  overdueAmount: zMoneyText,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
const zOrderWithPayments = zOrder.extend({ payments: z.array(zPayment) });

/** A payment amount: more than zero (`OUT_OF_RANGE` for 0). */
const zPaymentAmount = zMoney.refine((v) => moneyToFen(v) > 0n, { message: 'OUT_OF_RANGE' });
const zOrderNo = z.string().trim().min(1).max(64);
const MAX_PAYMENTS = 120;

const paymentFields = {
  dueDate: zDate.nullable().optional(),
  paidAt: zDate.nullable().optional().describe('the day the money came in; null = not yet'),
  notes: zText(500).nullable().optional(),
};
const orderFields = {
  grossMargin: zSignedMoney.nullable().optional(),
  productLine: zText(64).nullable().optional(),
  status: zOrderStatus.optional().describe('confirmed counts +amount, returned −amount, cancelled nothing'),
  notes: zText(2000).nullable().optional(),
};

const tags = ['orders'];

export const orderRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/orders',
    {
      config: { permission: 'order.view' },
      schema: {
        tags,
        summary: 'Orders of the customers I may see (default newest order date first)',
        querystring: z.strictObject({
          ...zPageQuery,
          customerId: zId.optional(),
          status: zOrderStatus.optional(),
          from: zDate.optional().describe('ordered on or after'),
          to: zDate.optional().describe('ordered on or before'),
          productLine: z.string().max(64).optional(),
          sort: z.enum(Object.keys(ORDER_SORTS) as [OrderSort, ...OrderSort[]]).default('-orderedAt'),
        }),
        response: { 200: page(zOrder) },
      },
    },
    async (req) => listOrders(req.ctx, req.query),
  );

  app.get(
    '/orders/:id',
    {
      config: { permission: 'order.view' },
      schema: {
        tags,
        summary: 'One order with its payments and derived figures',
        params: zIdParams,
        response: { 200: zOrderWithPayments },
      },
    },
    async (req) => getOrder(req.ctx, req.params.id),
  );

  app.post(
    '/orders',
    {
      config: { permission: 'order.create' },
      schema: {
        tags,
        summary: 'Record an order, optionally with its payment instalments',
        body: z.strictObject({
          orderNo: zOrderNo.describe('unique per organisation, case-insensitive'),
          customerId: zId,
          orderedAt: zDate,
          amount: zMoney,
          ...orderFields,
          payments: z
            .array(z.strictObject({ amount: zPaymentAmount, ...paymentFields }))
            .max(MAX_PAYMENTS)
            .optional(),
        }),
        response: { 201: zOrderWithPayments },
      },
    },
    async (req, reply) => reply.status(201).send(await createOrder(req.ctx, req.body)),
  );

  app.patch(
    '/orders/:id',
    {
      config: { permission: 'order.edit' },
      schema: {
        tags,
        summary: 'Change an order (e.g. cancel it); only the given fields, null clears',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          orderNo: zOrderNo.optional(),
          orderedAt: zDate.optional(),
          amount: zMoney.optional(),
          ...orderFields,
        }),
        response: { 200: zOrder },
      },
    },
    async (req) => updateOrder(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/orders/:id',
    {
      config: { permission: 'order.delete' },
      schema: {
        tags,
        summary: 'Delete an order with its payments',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deleteOrder(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/orders/:id/payments',
    {
      config: { permission: 'order.view' },
      schema: {
        tags,
        summary: "An order's payments by due date",
        params: zIdParams,
        querystring: z.strictObject(zPageQuery),
        response: { 200: page(zPayment) },
      },
    },
    async (req) => listPayments(req.ctx, req.params.id, req.query),
  );

  app.post(
    '/orders/:id/payments',
    {
      config: { permission: 'order.create' },
      schema: {
        tags,
        summary: 'Add a payment instalment to an order',
        params: zIdParams,
        body: z.strictObject({ amount: zPaymentAmount, ...paymentFields }),
        response: { 201: zPayment },
      },
    },
    async (req, reply) => reply.status(201).send(await createPayment(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/payments/:id',
    {
      config: { permission: 'order.edit' },
      schema: {
        tags,
        summary: 'Change a payment (e.g. mark it received with paidAt)',
        params: zIdParams,
        body: z.strictObject({ version: zVersion, amount: zPaymentAmount.optional(), ...paymentFields }),
        response: { 200: zPayment },
      },
    },
    async (req) => updatePayment(req.ctx, req.params.id, req.body),
  );

  app.delete(
    '/payments/:id',
    {
      config: { permission: 'order.delete' },
      schema: {
        tags,
        summary: 'Delete a payment',
        params: zIdParams,
        querystring: zVersionQuery,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await deletePayment(req.ctx, req.params.id, req.query.version);
      return reply.status(204).send(null);
    },
  );
};
