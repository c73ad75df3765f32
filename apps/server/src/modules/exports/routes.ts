import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zCustomerFilter } from '../customers/schemas.js';
import { EXPORT_MAX_ROWS, exportCustomers } from './service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/exports/customers',
    {
      config: { permission: 'customer.export' },
      schema: {
        tags: ['exports'],
        summary: `Download the customers of a list filter as .xlsx (at most ${EXPORT_MAX_ROWS} rows)`,
        description:
          'The same filters as GET /customers. Only customers the caller may see, field rules applied (masked ' +
          'values stay masked, hidden fields have no column); headers in the request language; amounts as ' +
          'numbers in ¥ format, dates as dates, codes as text. More than the cap → 413 EXPORT_TOO_LARGE. ' +
          'Header `x-export-rows`: the rows in the file. Audited as customer.export.',
        querystring: zCustomerFilter,
        response: { 200: z.string().describe(XLSX) },
      },
    },
    async (req, reply) => {
      const out = await exportCustomers(req.ctx, req.query, req.locale);
      return (
        reply
          .header('content-type', XLSX)
          .header('content-disposition', `attachment; filename="${out.filename}"`)
          .header('x-export-rows', String(out.rows))
          // A stream is sent as is (the string schema documents the body; it is not serialised).
          .send(out.stream as unknown as string)
      );
    },
  );
};
