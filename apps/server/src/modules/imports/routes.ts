import type { Readable } from 'node:stream';
import { IMPORT_TYPES } from '@kam/domain';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { page, zIdParams, zPageQuery, zVersion } from '../../http/schemas.js';
import { errorFile, templateFile } from './files.js';
import {
  cancelImport,
  getImport,
  listImports,
  listIssues,
  MAX_UPLOAD_BYTES,
  setMapping,
  startCommit,
  startValidation,
  uploadImport,
} from './service.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The upload is the raw file: these content types are streamed to the chunk store, never parsed. */
const UPLOAD_TYPES = [
  'application/octet-stream',
  XLSX,
  'text/csv',
  'application/csv',
  'application/vnd.ms-excel',
];

const zType = z.enum(IMPORT_TYPES);
const zCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const zMapping = z.record(z.string().regex(/^\d{1,4}$/), z.string().max(64).nullable());

const zImport = z.object({
  id: z.string(),
  type: zType,
  status: z.enum([
    'uploading',
    'uploaded',
    'mapped',
    'validating',
    'validated',
    'importing',
    'completed',
    'failed',
    'cancelled',
  ]),
  fileName: z.string(),
  fileFormat: z.enum(['xlsx', 'csv']),
  encoding: z.enum(['utf8', 'gbk']).nullable(),
  size: z.number().int(),
  headerRow: z.number().int().describe('the header row as numbered in the sheet'),
  headers: z.array(z.string()),
  preview: z.array(z.array(zCell)).describe('the first data rows, by column'),
  mapping: zMapping.describe(
    'column index → field key (null: not imported); before PUT mapping: the suggestion',
  ),
  duplicatePolicy: z.enum(['skip', 'update', 'create']).nullable(),
  totalRows: z.number().int().nullable(),
  processedRows: z.number().int(),
  validRows: z.number().int(),
  errorRows: z.number().int(),
  duplicateRows: z.number().int(),
  createdRows: z.number().int(),
  updatedRows: z.number().int(),
  skippedRows: z.number().int(),
  failedRows: z.number().int(),
  error: z.string().nullable().describe("why it failed, in the reader's language"),
  errorCode: z
    .string()
    .nullable()
    .describe('the stable code of the failure (e.g. IMPORT_FILE_INVALID, JOB_FAILED)'),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const zIssue = z.object({
  rowNumber: z.number().int().describe('the row as numbered in the sheet'),
  kind: z.enum(['error', 'duplicate']),
  field: z.string().nullable(),
  column: z.string().nullable(),
  value: zCell,
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  matchId: z.string().nullable().describe('duplicate: the existing record the row matches'),
});

const tags = ['imports'];

export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  // Only in this plugin: the raw file body, streamed (the service enforces the size limit as it reads).
  const raw = (_req: unknown, payload: Readable, done: (err: Error | null, body?: unknown) => void) =>
    done(null, payload);
  app.addContentTypeParser(UPLOAD_TYPES, { bodyLimit: MAX_UPLOAD_BYTES }, raw);
  // A file sent without a content type (or an unusual one) is taken as the raw file too.
  app.addContentTypeParser('*', { bodyLimit: MAX_UPLOAD_BYTES }, raw);

  app.post(
    '/imports',
    {
      config: { permission: 'customer.import' },
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        tags,
        summary: 'Upload an .xlsx or .csv file (the raw file as the body) to import records of a type',
        description:
          'Content type application/octet-stream (or the xlsx/csv types), at most 50 MB. Answers the import ' +
          'with the detected header row, a preview and the suggested mapping (a saved template for the same ' +
          'headers first, else by header names). CSV in UTF-8 (with or without BOM) or GBK.',
        querystring: z.strictObject({
          type: zType,
          fileName: z.string().trim().min(1).max(255),
        }),
        response: { 201: zImport },
      },
    },
    async (req, reply) => {
      const body = req.body as Readable | Buffer | undefined;
      const stream: AsyncIterable<Buffer> =
        body === undefined || body === null
          ? (async function* () {})()
          : Buffer.isBuffer(body)
            ? (async function* () {
                yield body;
              })()
            : (body as AsyncIterable<Buffer>);
      return reply.status(201).send(await uploadImport(req.ctx, req.query, stream));
    },
  );

  app.get(
    '/imports',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary: 'My imports, newest first',
        querystring: z.strictObject(zPageQuery),
        response: { 200: page(zImport) },
      },
    },
    async (req) => listImports(req.ctx, req.query),
  );

  app.get(
    '/imports/templates',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary:
          'Download the .xlsx template of a record type (headers in the request language, * = required)',
        querystring: z.strictObject({ type: zType }),
        response: { 200: z.string().describe(XLSX) },
      },
    },
    async (req, reply) => {
      const out = templateFile(req.query.type, req.locale);
      return reply
        .header('content-type', XLSX)
        .header(
          'content-disposition',
          `attachment; filename="${out.filename}"; filename*=UTF-8''${encodeURIComponent(out.displayName)}`,
        )
        .send(out.stream as unknown as string);
    },
  );

  app.get(
    '/imports/:id',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary: 'One of my imports: status, progress, counts',
        params: zIdParams,
        response: { 200: zImport },
      },
    },
    async (req) => getImport(req.ctx, req.params.id),
  );

  app.put(
    '/imports/:id/mapping',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary:
          'Set the column mapping (column index → field key or null); all required fields must be mapped',
        params: zIdParams,
        body: z.strictObject({
          version: zVersion,
          mapping: zMapping,
          saveAsTemplate: z.boolean().optional().describe('remember it for files with the same headers'),
        }),
        response: { 200: zImport },
      },
    },
    async (req) => setMapping(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/imports/:id/validate',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary: 'Start the dry run in the background: per-row errors and duplicates, nothing written',
        params: zIdParams,
        body: z.strictObject({ version: zVersion }),
        response: { 202: zImport },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await startValidation(req.ctx, app.deps.jobs, req.params.id, req.body.version)),
  );

  app.post(
    '/imports/:id/commit',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary: 'Start the import in the background with a duplicate policy (after a dry run)',
        description:
          'skip: rows matching an existing record are left out; update: the matching record gets the row’s ' +
          'non-empty mapped fields; create: rows are created anyway where the unique keys allow (similar ' +
          'names), exact duplicates are rejected per row. All-or-nothing per batch of 1,000 rows.',
        params: zIdParams,
        body: z.strictObject({ version: zVersion, duplicatePolicy: z.enum(['skip', 'update', 'create']) }),
        response: { 202: zImport },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await startCommit(req.ctx, app.deps.jobs, req.params.id, req.body)),
  );

  app.post(
    '/imports/:id/cancel',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary: 'Cancel an unfinished import (committed batches stay)',
        params: zIdParams,
        body: z.strictObject({ version: zVersion }),
        response: { 200: zImport },
      },
    },
    async (req) => cancelImport(req.ctx, req.params.id, req.body.version),
  );

  app.get(
    '/imports/:id/errors',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary:
          'Row errors and duplicates, by row (default: of the import once started, else of the dry run)',
        params: zIdParams,
        querystring: z.strictObject({
          ...zPageQuery,
          phase: z.enum(['validate', 'commit']).optional(),
          kind: z.enum(['error', 'duplicate']).optional(),
        }),
        response: { 200: page(zIssue) },
      },
    },
    async (req) => listIssues(req.ctx, req.params.id, req.query),
  );

  app.get(
    '/imports/:id/error-file',
    {
      config: { permission: 'customer.import' },
      schema: {
        tags,
        summary: 'Download the rejected rows as .xlsx: the original cells plus the reasons (错误原因)',
        params: zIdParams,
        querystring: z.strictObject({ phase: z.enum(['validate', 'commit']).optional() }),
        response: { 200: z.string().describe(XLSX) },
      },
    },
    async (req, reply) => {
      const out = await errorFile(req.ctx, req.params.id, req.query.phase);
      return reply
        .header('content-type', XLSX)
        .header('content-disposition', `attachment; filename="${out.filename}"`)
        .send(out.stream as unknown as string);
    },
  );
};
