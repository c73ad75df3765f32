import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { type Entry, list, one, rec, type Target } from '../support/matrix-table.js';

/**
 * Permission-matrix rows of imports and exports (see permission-matrix.test.ts for the columns).
 * Every import route needs `customer.import` (super admin, director, head, account manager); an
 * import belongs to the user who uploaded it: "in" = the actor's own import, "out" = another
 * user's (404, even for the super admin). Export needs `customer.export` (super admin, director,
 * head). Support staff and the auditor have neither.
 */

let file: Buffer | null = null;
/** A one-row customers workbook, made once. */
async function customersFile(): Promise<Buffer> {
  if (!file) {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.getRow(1).values = ['客户名称'];
    ws.getRow(2).values = ['矩阵导入测试有限公司'];
    file = Buffer.from(await wb.xlsx.writeBuffer());
  }
  return file;
}

/** A fresh import of the side's owner (the actor for "in", a bystander for "out") in a given state. */
async function importFor(t: Target, status: string): Promise<{ id: string; version: number }> {
  const id = randomUUID();
  const owner = t.where === 'in' ? t.actorId : t.bystander;
  await t.fx.sql(
    `INSERT INTO imports (tenant_id, id, type, file_name, file_format, size, status, header_row, headers, preview,
       mapping, created_by)
     VALUES (kam_tenant(), $1, 'customers', 'matrix.xlsx', 'xlsx', 0, $2, 1, '["客户名称"]', '[]', $3, $4)`,
    [id, status, JSON.stringify({ 0: 'name' }), owner],
  );
  return { id, version: 1 };
}

const own = (status: string) => async (t: Target) => {
  const i = await importFor(t, status);
  return { id: i.id, body: { version: i.version } };
};

export const IMPORT_EXPORT_MATRIX: Record<string, Entry> = {
  // the raw file as the body (the matrix client sends it without a content type)
  'POST /api/v1/imports': {
    ...one(201, 201, 201, 201, 403, 403, 403, 403),
    req: async () => ({ query: 'type=customers&fileName=matrix.xlsx', body: await customersFile() }),
  },
  'GET /api/v1/imports': {
    ...list('in', 'in', 'in', 'in', 403, 403, 403, 403),
    list: async (t) => ({
      query: 'limit=200',
      inId: (await importFor({ ...t, where: 'in' }, 'uploaded')).id,
      outId: (await importFor({ ...t, where: 'out' }, 'uploaded')).id,
    }),
  },
  'GET /api/v1/imports/templates': {
    ...one(200, 200, 200, 200, 403, 403, 403, 403),
    req: () => ({ query: 'type=customers' }),
  },
  'GET /api/v1/imports/:id': {
    ...rec('200/404', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: own('uploaded'),
  },
  'PUT /api/v1/imports/:id/mapping': {
    ...rec('200/404', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => {
      const i = await importFor(t, 'uploaded');
      return { id: i.id, body: { version: i.version, mapping: { 0: 'name' } } };
    },
  },
  'POST /api/v1/imports/:id/validate': {
    ...rec('202/404', '202/404', '202/404', '202/404', '403', '403', '403', '403'),
    req: own('mapped'),
  },
  'POST /api/v1/imports/:id/commit': {
    ...rec('202/404', '202/404', '202/404', '202/404', '403', '403', '403', '403'),
    req: async (t) => {
      const i = await importFor(t, 'validated');
      return { id: i.id, body: { version: i.version, duplicatePolicy: 'skip' } };
    },
  },
  'POST /api/v1/imports/:id/cancel': {
    ...rec('200/404', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: own('uploaded'),
  },
  'GET /api/v1/imports/:id/errors': {
    ...rec('200/404', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({ id: (await importFor(t, 'validated')).id }),
  },
  'GET /api/v1/imports/:id/error-file': {
    ...rec('200/404', '200/404', '200/404', '200/404', '403', '403', '403', '403'),
    req: async (t) => ({ id: (await importFor(t, 'validated')).id }),
  },
  'GET /api/v1/exports/customers': {
    ...one(200, 200, 200, 403, 403, 403, 403, 403),
    req: () => ({ query: 'status=active' }),
  },
};
