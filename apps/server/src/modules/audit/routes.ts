import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zIsoDate, zPageQuery } from '../../http/schemas.js';
import {
  EXPORT_ROW_CAP,
  exportAuditLogs,
  listAuditLogs,
  Q_SCAN_WINDOW,
  verifyAuditChain,
} from './service.js';

const zFilter = {
  actorId: z.uuid().optional(),
  action: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/)
    .optional()
    .describe('exact action (e.g. `role.update`) or a prefix ending in `.*` (e.g. `auth.*`)'),
  entityType: z.string().min(1).max(64).optional(),
  entityId: z.string().min(1).max(100).optional(),
  from: zIsoDate.optional().describe('entries at or after this time'),
  to: zIsoDate.optional().describe('entries before this time'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      `free text in actor name, entity id or action; each request examines at most ${Q_SCAN_WINDOW} entries, ` +
        'so a page may hold fewer items than `limit` while `nextCursor` continues the search',
    ),
  result: z.enum(['success', 'failure']).optional(),
};

const zEntry = z.object({
  id: z.string(),
  seq: z.string().describe('position in the organisation’s hash chain (64-bit, as a string)'),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  changes: z.unknown().describe('[{ field, before, after }] or null; sensitive values masked'),
  details: z.unknown(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  result: z.enum(['success', 'failure']),
});

const zVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z
    .object({
      seq: z.string(),
      id: z.string().nullable(),
      at: z.string().nullable(),
      reason: z.enum(['entry_altered', 'chain_broken', 'entries_missing', 'tail_missing']),
    })
    .nullable(),
});

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/audit-logs',
    {
      config: { permission: 'audit.view' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail, newest first (append-only; nobody can change or delete entries)',
        querystring: z.strictObject({ ...zFilter, ...zPageQuery }),
        response: { 200: page(zEntry) },
      },
    },
    async (req) => listAuditLogs(req.ctx, req.query),
  );

  app.get(
    '/audit-logs/verify',
    {
      config: { permission: 'audit.view' },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the hash chain and name the first entry that does not hold',
        response: { 200: zVerification },
      },
    },
    async (req) => verifyAuditChain(req.ctx),
  );

  app.get(
    '/audit-logs/export',
    {
      config: { permission: 'audit.export' },
      schema: {
        tags: ['audit'],
        summary: `Download the matching entries as CSV (UTF-8 with BOM), newest first, at most ${EXPORT_ROW_CAP} rows`,
        description:
          'Headers: `x-export-row-limit` (the cap), `x-export-rows` (rows in this file), `x-export-truncated` ' +
          '(true when more entries matched than the cap: narrow the filter). The export is itself audited.',
        querystring: z.strictObject(zFilter),
        response: { 200: z.string().describe('text/csv; charset=utf-8') },
      },
    },
    async (req, reply) => {
      const out = await exportAuditLogs(req.ctx, req.query, req.locale);
      return (
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${out.filename}"`)
          .header('x-export-row-limit', String(out.cap))
          .header('x-export-rows', String(out.rows))
          .header('x-export-truncated', String(out.truncated))
          // A stream is sent as is (the string schema documents the body; it is not serialised).
          .send(out.stream as unknown as string)
      );
    },
  );
};
