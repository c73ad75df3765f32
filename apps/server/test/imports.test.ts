import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { creditCodeCheckChar, normalizeCompanyName } from '@kam/domain';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerImportJobs, resumeImports } from '../src/modules/imports/jobs.js';
import { runCommit, runValidation } from '../src/modules/imports/pipeline.js';
import {
  Client,
  createTestEnv,
  createTestOrg,
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
let director: Client;
let manager: Client;
let users: Record<string, string>;

beforeAll(async () => {
  env = await createTestEnv();
  await registerImportJobs(env.jobs, env.db);
  org = await createTestOrg(env, { demo: true });
  director = await Client.signIn(env, org.slug, 'director');
  manager = await Client.signIn(env, org.slug, 'manager');
  users = Object.fromEntries(
    (
      await sql<{ id: string; login: string }>('SELECT id, login FROM users WHERE tenant_id = kam_tenant()')
    ).map((u) => [u.login, u.id]),
  );
});
afterAll(() => env.close());

function sql<T extends Record<string, any> = Record<string, any>>(text: string, params: unknown[] = []) {
  return env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(text, params)).rows);
}

let serial = 0;
/** A valid unified social credit code (GB 32100-2015 check character). */
function creditCode(n = ++serial + Math.floor(Math.random() * 1e6)): string {
  const first = `91310000${String(n).padStart(9, '0')}`;
  return first + creditCodeCheckChar(first)!;
}

async function xlsx(build: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('客户'));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(c: Client, type: string, fileName: string, body: Buffer): Promise<Res> {
  return c.request('POST', `/api/v1/imports?type=${type}&fileName=${encodeURIComponent(fileName)}`, body, {
    'content-type': 'application/octet-stream',
  });
}

/** Upload → mapping as suggested → dry run; returns the import after the dry run. */
async function dryRun(c: Client, type: string, fileName: string, body: Buffer) {
  const up = await upload(c, type, fileName, body);
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const mapped = await c.put(`/api/v1/imports/${up.body.id}/mapping`, {
    version: up.body.version,
    mapping: up.body.mapping,
  });
  expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
  const started = await c.post(`/api/v1/imports/${up.body.id}/validate`, { version: mapped.body.version });
  expect(started.status).toBe(202);
  await env.jobs.drain();
  const done = await c.get(`/api/v1/imports/${up.body.id}`);
  expect(done.body.status, JSON.stringify(done.body)).toBe('validated');
  return { upload: up.body, imp: done.body };
}

async function commit(c: Client, id: string, duplicatePolicy: 'skip' | 'update' | 'create') {
  const cur = await c.get(`/api/v1/imports/${id}`);
  const res = await c.post(`/api/v1/imports/${id}/commit`, { version: cur.body.version, duplicatePolicy });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await env.jobs.drain();
  return (await c.get(`/api/v1/imports/${id}`)).body;
}

async function issues(c: Client, id: string, phase?: 'validate' | 'commit') {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const res: Res = await c.get(
      `/api/v1/imports/${id}/errors?limit=200${phase ? `&phase=${phase}` : ''}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items.map((i) => ({
    row: i.rowNumber,
    kind: i.kind,
    field: i.field,
    code: i.code,
    params: i.params,
  }));
}

async function existingCustomer(name: string, owner = 'manager', cc: string | null = null): Promise<string> {
  const id = randomUUID();
  await sql(
    `INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, credit_code, owner_id, department_id)
     SELECT kam_tenant(), $1, $2, $3, $3, $5, u.id, u.department_id FROM users u
     WHERE u.tenant_id = kam_tenant() AND u.login = $4`,
    [id, name, normalizeCompanyName(name), owner, cc],
  );
  await sql(
    `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access)
     SELECT kam_tenant(), $1, owner_id, 'owner', 'read_write' FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
    [id],
  );
  return id;
}

async function customerByName(name: string) {
  const rows = await sql<{
    id: string;
    owner_id: string;
    credit_code: string | null;
    status: string;
    tags: string[];
    notes: string | null;
    department_id: string;
    version: number;
  }>(
    `SELECT id, owner_id, credit_code, status, tags, notes, department_id, version FROM customers
     WHERE tenant_id = kam_tenant() AND name_norm = $1 AND deleted_at IS NULL`,
    [normalizeCompanyName(name)],
  );
  return rows[0];
}

describe('customer import: the dry run report', () => {
  it('finds duplicates inside the file across batches (the first occurrence in an earlier batch wins)', async () => {
    // 2,600 data rows = three batches of the dry run, each checked against the keys of the batches
    // before it; credit codes of their own range (creditCode()'s random ones could repeat among 2,600)
    const codes = Array.from({ length: 2600 }, (_, i) => creditCode(800_000_000 + i));
    const file = await xlsx((ws) => {
      ws.addRow(['客户名称', '统一社会信用代码']);
      for (let i = 0; i < 2600; i++) {
        const rowNo = i + 2;
        if (rowNo === 1500)
          ws.addRow(['跨批次甲有限公司', creditCode(800_100_000)]); // same name as row 3 (batch 1)
        else if (rowNo === 2400)
          ws.addRow([`跨批次丙公司${i}`, codes[1700]]); // same code as row 1702 (batch 2)
        else if (rowNo === 2500)
          ws.addRow(['跨批次乙股份有限公司', creditCode(800_100_001)]); // same name as row 2100 (batch 3)
        else if (rowNo === 3) ws.addRow(['跨批次甲有限责任公司', codes[i]]);
        else if (rowNo === 2100) ws.addRow(['跨批次乙有限公司', codes[i]]);
        else ws.addRow([`跨批次${i}号贸易有限公司`, codes[i]]);
      }
    });
    const { upload: up, imp } = await dryRun(director, 'customers', 'batches.xlsx', file);
    expect(await issues(director, up.id)).toEqual([
      { row: 1500, kind: 'error', field: 'name', code: 'DUPLICATE_IN_FILE', params: { row: 3 } },
      { row: 2400, kind: 'error', field: 'creditCode', code: 'DUPLICATE_IN_FILE', params: { row: 1702 } },
      { row: 2500, kind: 'error', field: 'name', code: 'DUPLICATE_IN_FILE', params: { row: 2100 } },
    ]);
    expect(imp).toMatchObject({ totalRows: 2600, validRows: 2597, errorRows: 3 });
  });

  it('reports every row of a mixed file exactly, by the row numbers Excel shows', async () => {
    const dupInDb = await existingCustomer(`已存在客户${serial}有限公司`);
    const dupName = (
      await sql<{ name: string }>('SELECT name FROM customers WHERE tenant_id = kam_tenant() AND id = $1', [
        dupInDb,
      ])
    )[0]!.name;
    const cc1 = creditCode();
    const file = await xlsx((ws) => {
      ws.getCell('A1').value = '2026 年客户名单（华东）';
      ws.mergeCells('A1:F1'); // a merged title row above the header
      ws.getRow(2).values = ['客户名称', '统一社会信用代码', '负责人', '客户状态', '标签', '备注'];
      ws.getRow(3).values = ['上海甲科技有限公司', cc1, '孙伟', '活跃', 'VIP,华东', '老客户'];
      ws.getRow(4).values = ['上海乙科技有限公司', '91310000MA1FL0000X', 'manager', 'active'];
      ws.getRow(5).values = ['上海丙科技有限公司', null, '孙伟'];
      ws.getRow(6).values = ['上海丁科技有限公司'];
      ws.mergeCells('C5:C6'); // one owner for two rows, merged
      ws.getRow(7).values = ['上海戊科技有限公司', null, '不存在的人'];
      // row 8 stays empty
      ws.getRow(9).values = ['上海甲科技有限公司（重复）', null, 'director'];
      ws.getRow(10).values = ['上海甲科技 有限公司'];
      ws.getRow(11).values = [dupName];
      ws.getCell('A12').value = {
        formula: '"上海"&"庚科技有限公司"',
        result: '上海庚科技有限公司',
      } as ExcelJS.CellFormulaValue;
      ws.getCell('A13').value = '上海辛科技有限公司';
      ws.getCell('B13').value = { formula: 'CONCATENATE("9131","0000")' } as ExcelJS.CellFormulaValue;
      ws.getCell('A14').value = '上海壬科技有限公司';
      ws.getCell('B14').value = 913100001234567000;
      ws.getRow(15).values = ['上海癸科技有限公司', null, '孙伟', '不知道'];
    });
    const { upload: up, imp } = await dryRun(director, 'customers', '客户.xlsx', file);
    expect(up.headerRow).toBe(2);
    expect(up.headers).toEqual(['客户名称', '统一社会信用代码', '负责人', '客户状态', '标签', '备注']);
    expect(up.mapping).toEqual({
      0: 'name',
      1: 'creditCode',
      2: 'owner',
      3: 'status',
      4: 'tags',
      5: 'notes',
    });
    expect(up.preview[0]).toEqual(['上海甲科技有限公司', cc1, '孙伟', '活跃', 'VIP,华东', '老客户']);

    expect(await issues(director, up.id)).toEqual([
      { row: 4, kind: 'error', field: 'creditCode', code: 'CREDIT_CODE_INVALID', params: {} },
      {
        row: 7,
        kind: 'error',
        field: 'owner',
        code: 'USER_NOT_FOUND_BY_NAME',
        params: { name: '不存在的人' },
      },
      // the first occurrence wins; the same normalised name is the same customer
      { row: 10, kind: 'error', field: 'name', code: 'DUPLICATE_IN_FILE', params: { row: 3 } },
      { row: 11, kind: 'duplicate', field: 'name', code: 'CUSTOMER_DUPLICATE', params: { reason: dupName } },
      { row: 13, kind: 'error', field: 'creditCode', code: 'FORMULA_NOT_ALLOWED', params: {} },
      { row: 14, kind: 'error', field: 'creditCode', code: 'NUMERIC_CELL_TEXT_EXPECTED', params: {} },
      {
        row: 15,
        kind: 'error',
        field: 'status',
        code: 'ENUM_INVALID',
        params: { allowed: '潜在、活跃、休眠、流失' },
      },
    ]);
    // rows 3, 5, 6, 9, 11, 12 are valid (11 as a duplicate); the empty row 8 is no row at all
    expect(imp).toMatchObject({
      totalRows: 12,
      processedRows: 12,
      validRows: 6,
      errorRows: 6,
      duplicateRows: 1,
    });
    const duplicate = (await director.get(`/api/v1/imports/${up.id}/errors?kind=duplicate`)).body.items[0];
    expect(duplicate).toMatchObject({ rowNumber: 11, matchId: dupInDb, column: '客户名称', value: dupName });

    // Import, skipping the duplicate: the valid rows become customers, with their owners.
    const done = await commit(director, up.id, 'skip');
    expect(done).toMatchObject({
      status: 'completed',
      createdRows: 5,
      skippedRows: 1,
      updatedRows: 0,
      failedRows: 6,
    });
    const a = (await customerByName('上海甲科技有限公司'))!;
    expect(a).toMatchObject({
      owner_id: users.manager,
      credit_code: cc1,
      status: 'active',
      tags: ['VIP', '华东'],
      notes: '老客户',
    });
    // the merged owner cell applies to both rows it covers
    expect((await customerByName('上海丙科技有限公司'))!.owner_id).toBe(users.manager);
    expect((await customerByName('上海丁科技有限公司'))!.owner_id).toBe(users.manager);
    expect((await customerByName('上海甲科技有限公司（重复）'))!.owner_id).toBe(users.director);
    expect((await customerByName('上海庚科技有限公司'))!.owner_id).toBe(users.director);
    expect(await customerByName('上海乙科技有限公司')).toBeUndefined();
    // owner on the account team, ownership history of kind 'import'
    const team = await sql(
      'SELECT user_id, team_role, access FROM customer_team WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [a.id],
    );
    expect(team).toEqual([{ user_id: users.manager, team_role: 'owner', access: 'read_write' }]);
    const history = await sql(
      'SELECT kind, to_owner_id, changed_by FROM customer_ownership_history WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [a.id],
    );
    expect(history).toEqual([{ kind: 'import', to_owner_id: users.manager, changed_by: users.director }]);
    // audited: upload and commit with counts
    const audit = await sql<{ action: string; details: any }>(
      `SELECT action, details FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1 AND action IN ('import.upload', 'import.commit') ORDER BY seq`,
      [up.id],
    );
    expect(audit.map((e) => e.action)).toEqual(['import.upload', 'import.commit']);
    expect(audit[1]!.details).toMatchObject({
      type: 'customers',
      fileName: '客户.xlsx',
      created: 5,
      skipped: 1,
      failed: 6,
    });
  });

  it('reads GBK-encoded CSV (as Excel saves it in China) and UTF-8 with a BOM', async () => {
    const csv =
      '客户名称,负责人,备注\r\n杭州甲贸易有限公司,李强,国标编码\r\n\r\n杭州乙贸易有限公司,manager2,"多行\r\n备注"\r\n';
    const gbk = await dryRun(director, 'customers', 'gbk.csv', iconv.encode(csv, 'gbk'));
    expect(gbk.upload).toMatchObject({
      fileFormat: 'csv',
      encoding: 'gbk',
      headers: ['客户名称', '负责人', '备注'],
    });
    expect(gbk.upload.preview).toEqual([
      ['杭州甲贸易有限公司', '李强', '国标编码'],
      ['杭州乙贸易有限公司', 'manager2', '多行\r\n备注'],
    ]);
    expect(gbk.imp).toMatchObject({ totalRows: 2, validRows: 2, errorRows: 0 });
    const done = await commit(director, gbk.upload.id, 'skip');
    expect(done.createdRows).toBe(2);
    expect((await customerByName('杭州甲贸易有限公司'))!.owner_id).toBe(users.manager2);

    const utf8 = await dryRun(
      director,
      'customers',
      'utf8.csv',
      Buffer.from(`\uFEFF客户名称\r\n杭州丙贸易有限公司\r\n`, 'utf8'),
    );
    expect(utf8.upload).toMatchObject({
      encoding: 'utf8',
      headers: ['客户名称'],
      preview: [['杭州丙贸易有限公司']],
    });
  });

  it('refuses a mapping without the required fields, and an old .xls file', async () => {
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['公司', '备注'];
      ws.getRow(2).values = ['宁波甲有限公司', 'x'];
    });
    const up = await upload(director, 'customers', 'a.xlsx', file);
    const res = await director.put(`/api/v1/imports/${up.body.id}/mapping`, {
      version: up.body.version,
      mapping: { 0: null, 1: 'notes' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('IMPORT_MAPPING_INVALID');
    expect(res.body.details?.missing ?? res.body.error.details.missing).toEqual(['name']);
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(100),
    ]);
    const bad = await upload(director, 'customers', 'old.xls', xls);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('IMPORT_FILE_INVALID');
  });
});

describe('duplicate policies', () => {
  async function fileWithDuplicate(name: string, notes: string) {
    return xlsx((ws) => {
      ws.getRow(1).values = ['客户名称', '客户状态', '备注', '地址'];
      ws.getRow(2).values = [name, null, notes, null];
    });
  }

  it('skip leaves the existing customer; update changes its mapped non-empty fields only; create rejects the exact duplicate', async () => {
    const name = `策略测试${randomUUID().slice(0, 6)}有限公司`;
    const id = await existingCustomer(name);
    await sql(
      `UPDATE customers SET status = 'active', address = '原地址' WHERE tenant_id = kam_tenant() AND id = $1`,
      [id],
    );

    const skip = await dryRun(director, 'customers', 'skip.xlsx', await fileWithDuplicate(name, '新备注'));
    expect(await commit(director, skip.upload.id, 'skip')).toMatchObject({
      createdRows: 0,
      skippedRows: 1,
      updatedRows: 0,
    });
    expect(await customerByName(name)).toMatchObject({ notes: null, version: 1 });

    const update = await dryRun(
      director,
      'customers',
      'update.xlsx',
      await fileWithDuplicate(name, '新备注'),
    );
    expect(await commit(director, update.upload.id, 'update')).toMatchObject({
      createdRows: 0,
      updatedRows: 1,
    });
    // notes were given; the empty status (default 'prospect') and address cells change nothing
    expect(await customerByName(name)).toMatchObject({ notes: '新备注', status: 'active', version: 2 });

    const create = await dryRun(director, 'customers', 'create.xlsx', await fileWithDuplicate(name, '再次'));
    const done = await commit(director, create.upload.id, 'create');
    expect(done).toMatchObject({ createdRows: 0, failedRows: 1 });
    expect(await issues(director, create.upload.id, 'commit')).toEqual([
      { row: 2, kind: 'error', field: 'name', code: 'CUSTOMER_DUPLICATE', params: { reason: name } },
    ]);
    expect(
      (
        await sql('SELECT 1 FROM customers WHERE tenant_id = kam_tenant() AND name_norm = $1', [
          normalizeCompanyName(name),
        ])
      ).length,
    ).toBe(1);
  });

  it('a duplicate the importer cannot see reveals only its owner, and update may not touch it', async () => {
    const name = `深圳隐藏${randomUUID().slice(0, 6)}有限公司`;
    await existingCustomer(name, 'manager3');
    const run = await dryRun(manager, 'customers', 'hidden.xlsx', await fileWithDuplicate(name, 'x'));
    expect(await issues(manager, run.upload.id)).toEqual([
      {
        row: 2,
        kind: 'duplicate',
        field: 'name',
        code: 'CUSTOMER_DUPLICATE_OWNED',
        params: { owner: '吴磊' },
      },
    ]);
    const items = (await manager.get(`/api/v1/imports/${run.upload.id}/errors`)).body.items;
    expect(items[0].matchId).toBeNull();
    const done = await commit(manager, run.upload.id, 'update');
    expect(done).toMatchObject({ updatedRows: 0, failedRows: 1 });
  });

  it('an account manager can only import customers for themselves', async () => {
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称', '负责人'];
      ws.getRow(2).values = [`自己的${randomUUID().slice(0, 6)}公司`, '孙伟'];
      ws.getRow(3).values = [`别人的${randomUUID().slice(0, 6)}公司`, '李强'];
    });
    const run = await dryRun(manager, 'customers', 'scope.xlsx', file);
    expect(await issues(manager, run.upload.id)).toEqual([
      { row: 3, kind: 'error', field: 'owner', code: 'FORBIDDEN', params: {} },
    ]);
  });
});

describe('all-or-nothing per batch', () => {
  it('a batch that fails is rolled back entirely and reported; the other batches are imported', async () => {
    const tag = randomUUID().slice(0, 6);
    const poison = `批次故障${tag}有限公司`;
    // A trigger that fails the one transaction inserting the poison row (row 1502, in batch 2).
    const fn = `kam_test_fail_${tag}`;
    await env.db.withSystem(async (tx) => {
      await tx.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.name = '${poison}' THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$`);
      await tx.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    });
    try {
      const file = await xlsx((ws) => {
        ws.getRow(1).values = ['客户名称'];
        for (let i = 0; i < 2500; i++)
          ws.getRow(i + 2).values = [i === 1500 ? poison : `批次${tag}客户${i}有限公司`];
      });
      const run = await dryRun(director, 'customers', 'batches.xlsx', file);
      expect(run.imp).toMatchObject({ totalRows: 2500, validRows: 2500 });
      const done = await commit(director, run.upload.id, 'skip');
      expect(done).toMatchObject({
        status: 'completed',
        createdRows: 1500,
        failedRows: 1000,
        processedRows: 2500,
      });
      const batches = await sql(
        'SELECT batch_no, first_row, last_row, status FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1 ORDER BY batch_no',
        [run.upload.id],
      );
      expect(batches).toEqual([
        { batch_no: 1, first_row: 2, last_row: 1001, status: 'committed' },
        { batch_no: 2, first_row: 1002, last_row: 2001, status: 'failed' },
        { batch_no: 3, first_row: 2002, last_row: 2501, status: 'committed' },
      ]);
      // nothing of batch 2 exists
      const names = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM customers WHERE tenant_id = kam_tenant() AND name LIKE $1`,
        [`批次${tag}客户%`],
      );
      // every name intact (exceljs's reader split multi-byte characters at chunk edges: see sheet.ts)
      expect(names[0]!.n).toBe(1500);
      const report = await issues(director, run.upload.id, 'commit');
      expect(report.length).toBe(1000);
      expect(report[0]).toMatchObject({
        row: 1002,
        code: 'IMPORT_BATCH_FAILED',
        params: { first: 1002, last: 2001 },
      });
      expect(report.at(-1)!.row).toBe(2001);

      // the error file: the original cells plus the reason, row by row
      const res = await env.app.inject({
        method: 'GET',
        url: `/api/v1/imports/${run.upload.id}/error-file`,
        headers: { cookie: director.cookie!, 'accept-language': 'zh-CN' },
      });
      expect(res.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const sheet = wb.worksheets[0]!;
      expect(sheet.getRow(1).values).toEqual([undefined, '原行号', '客户名称', '错误原因']);
      expect(sheet.rowCount).toBe(1001);
      expect(sheet.getRow(2).getCell(1).value).toBe(1002);
      expect(sheet.getRow(2).getCell(2).value).toBe(`批次${tag}客户1000有限公司`);
      expect(String(sheet.getRow(2).getCell(3).value)).toContain('第 1002–2001 行所在批次导入失败');
    } finally {
      await env.db.withSystem(async (tx) => {
        await tx.query(`DROP TRIGGER ${fn} ON customers`);
        await tx.query(`DROP FUNCTION ${fn}()`);
      });
    }
  });
});

describe('records referencing customers', () => {
  let acme: string;
  const acmeCc = creditCode();
  beforeAll(async () => {
    acme = await existingCustomer(`引用测试${randomUUID().slice(0, 6)}有限公司`, 'manager', acmeCc);
  });

  it('imports orders with payments: wrong dates, negative amounts, order numbers duplicated in the file', async () => {
    const name = (
      await sql<{ name: string }>('SELECT name FROM customers WHERE tenant_id = kam_tenant() AND id = $1', [
        acme,
      ])
    )[0]!.name;
    const no = `PO-${randomUUID().slice(0, 6)}`;
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['订单编号', '客户', '下单日期', '订单金额', '回款金额', '回款日期'];
      ws.getRow(2).values = [`${no}-1`, acmeCc, '2026-03-01', 1000.5, 400, '2026-03-20'];
      ws.getRow(3).values = [`${no}-2`, name, '2026-02-30', 10];
      ws.getRow(4).values = [`${no}-3`, name, new Date(Date.UTC(2026, 2, 5)), -5];
      ws.getRow(5).values = [`${no}-1`, name, '2026-03-02', 5];
      ws.getRow(6).values = [`${no}-4`, '不存在的客户有限公司', '2026-03-02', 5];
    });
    const run = await dryRun(manager, 'orders', 'orders.xlsx', file);
    expect(await issues(manager, run.upload.id)).toEqual([
      { row: 3, kind: 'error', field: 'orderedAt', code: 'DATE_INVALID', params: {} },
      { row: 4, kind: 'error', field: 'amount', code: 'AMOUNT_NEGATIVE', params: {} },
      { row: 5, kind: 'error', field: 'orderNo', code: 'DUPLICATE_IN_FILE', params: { row: 2 } },
      {
        row: 6,
        kind: 'error',
        field: 'customer',
        code: 'CUSTOMER_NOT_FOUND_BY_KEY',
        params: { key: '不存在的客户有限公司' },
      },
    ]);
    expect(await commit(manager, run.upload.id, 'skip')).toMatchObject({ createdRows: 1, failedRows: 4 });
    const orders = await sql(
      'SELECT order_no, amount, ordered_at::text AS d FROM orders WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [acme],
    );
    expect(orders).toEqual([{ order_no: `${no}-1`, amount: '1000.50', d: '2026-03-01' }]);
    const payments = await sql(
      'SELECT amount, paid_at::text AS paid FROM payments WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [acme],
    );
    expect(payments).toEqual([{ amount: '400.00', paid: '2026-03-20' }]);
  });

  it('imports contacts, follow-ups and service records, only for customers in scope', async () => {
    const outside = await existingCustomer(`范围外${randomUUID().slice(0, 6)}有限公司`, 'manager3');
    const outsideName = (
      await sql<{ name: string }>('SELECT name FROM customers WHERE tenant_id = kam_tenant() AND id = $1', [
        outside,
      ])
    )[0]!.name;
    const contacts = await xlsx((ws) => {
      ws.getRow(1).values = ['客户', '联系人姓名', '手机', '职务'];
      ws.getRow(2).values = [acmeCc, '张经理', '13912345678', '采购总监'];
      ws.getRow(3).values = [outsideName, '李四', '13912345679'];
    });
    const c = await dryRun(manager, 'contacts', 'contacts.xlsx', contacts);
    expect(await issues(manager, c.upload.id)).toEqual([
      {
        row: 3,
        kind: 'error',
        field: 'customer',
        code: 'CUSTOMER_NOT_FOUND_BY_KEY',
        params: { key: outsideName },
      },
    ]);
    expect(await commit(manager, c.upload.id, 'skip')).toMatchObject({ createdRows: 1 });
    expect(
      await sql(
        'SELECT name, mobile, title FROM contacts WHERE tenant_id = kam_tenant() AND customer_id = $1',
        [acme],
      ),
    ).toEqual([{ name: '张经理', mobile: '+8613912345678', title: '采购总监' }]);

    const followUps = await xlsx((ws) => {
      ws.getRow(1).values = ['客户', '跟进方式', '跟进时间', '跟进内容', '跟进人'];
      ws.getRow(2).values = [acmeCc, '拜访', '2026-03-01 10:00', '初次拜访', '孙伟'];
    });
    const f = await dryRun(manager, 'follow_ups', 'f.xlsx', followUps);
    expect(await commit(manager, f.upload.id, 'skip')).toMatchObject({ createdRows: 1, failedRows: 0 });
    const fu = await sql(
      'SELECT type, author_id, summary FROM follow_ups WHERE tenant_id = kam_tenant() AND customer_id = $1',
      [acme],
    );
    expect(fu).toEqual([{ type: 'visit', author_id: users.manager, summary: '初次拜访' }]);
    const last = await sql<{ at: Date }>(
      'SELECT last_follow_up_at AS at FROM customers WHERE tenant_id = kam_tenant() AND id = $1',
      [acme],
    );
    expect(last[0]!.at.toISOString()).toBe('2026-03-01T02:00:00.000Z');

    const service = await xlsx((ws) => {
      ws.getRow(1).values = ['客户', '服务类型', '标题', '创建时间', '关闭时间', '满意度'];
      ws.getRow(2).values = [acmeCc, '投诉', '发货延迟', '2026-03-02 09:00', '2026-03-03 09:00', 4];
      ws.getRow(3).values = [acmeCc, '咨询', '满意度无关闭', '2026-03-02 09:00', null, 5];
    });
    const s = await dryRun(manager, 'service_records', 's.xlsx', service);
    expect(await issues(manager, s.upload.id)).toEqual([
      { row: 3, kind: 'error', field: 'closedAt', code: 'REQUIRED', params: {} },
    ]);
    expect(await commit(manager, s.upload.id, 'skip')).toMatchObject({ createdRows: 1 });
    expect(
      await sql(
        'SELECT type, title, satisfaction FROM service_records WHERE tenant_id = kam_tenant() AND customer_id = $1',
        [acme],
      ),
    ).toEqual([{ type: 'complaint', title: '发货延迟', satisfaction: 4 }]);
  });
});

describe('imports belong to their uploader', () => {
  it('lists my imports newest first and hides the others’ (404)', async () => {
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称'];
      ws.getRow(2).values = ['归属测试有限公司'];
    });
    const mine = await upload(manager, 'customers', 'mine.xlsx', file);
    const list = await manager.get('/api/v1/imports?limit=200');
    expect(list.body.items[0].id).toBe(mine.body.id);
    expect((await director.get(`/api/v1/imports/${mine.body.id}`)).status).toBe(404);
    const cancelled = await manager.post(`/api/v1/imports/${mine.body.id}/cancel`, {
      version: mine.body.version,
    });
    expect(cancelled.body.status).toBe('cancelled');
    const again = await manager.post(`/api/v1/imports/${mine.body.id}/validate`, {
      version: cancelled.body.version,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('IMPORT_STATE_INVALID');
  });
});

describe('templates', () => {
  it('has Chinese headers with required ones marked, text-formatted code columns and an explanation sheet', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/api/v1/imports/templates?type=contacts',
      headers: { cookie: manager.cookie!, 'accept-language': 'zh-CN' },
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const [data, help] = wb.worksheets;
    const headers = (data!.getRow(1).values as string[]).slice(1);
    expect(headers.slice(0, 3)).toEqual(['*客户（信用代码或名称）', '*联系人姓名', '职务']);
    const mobileCol = headers.indexOf('手机') + 1;
    expect(data!.getColumn(mobileCol).numFmt).toBe('@');
    expect(data!.getColumn(1).numFmt).toBe('@');
    expect(help!.name).toBe('填写说明');
    const roleRow = (help!.getSheetValues() as unknown[][]).find((r) => r?.[1] === '决策角色')!;
    expect(String(roleRow[3])).toContain('决策人');
  });
});

describe('an import interrupted mid-way', () => {
  it('the resume job re-queues an import left importing with no job, which then completes', async () => {
    const tag = randomUUID().slice(0, 6);
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称', '备注'];
      for (let i = 0; i < 3; i++) ws.getRow(i + 2).values = [`续传${tag}客户${i}有限公司`, `第 ${i} 个`];
    });
    const run = await dryRun(director, 'customers', 'stuck.xlsx', file);
    // as a worker that died after the commit started leaves it: status importing, no job queued
    await sql(
      `UPDATE imports SET status = 'importing', duplicate_policy = 'skip' WHERE tenant_id = kam_tenant() AND id = $1`,
      [run.upload.id],
    );
    expect(await resumeImports(env.jobs, env.db)).toBeGreaterThanOrEqual(1);
    await env.jobs.drain();
    expect((await director.get(`/api/v1/imports/${run.upload.id}`)).body).toMatchObject({
      status: 'completed',
      createdRows: 3,
    });
    const [n] = await sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM customers WHERE tenant_id = kam_tenant() AND name LIKE $1',
      [`续传${tag}客户%`],
    );
    expect(n!.n).toBe(3);
  });

  it('a dry run started again (its job retried) counts and stages every row once', async () => {
    const tag = randomUUID().slice(0, 6);
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称', '统一社会信用代码'];
      for (let i = 0; i < 2500; i++)
        ws.getRow(i + 2).values = [`重验${tag}客户${i}有限公司`, i % 500 === 7 ? '91310000ABC' : null];
    });
    const run = await dryRun(director, 'customers', 'again.xlsx', file);
    expect(run.imp).toMatchObject({ totalRows: 2500, validRows: 2495, errorRows: 5 });
    // as a worker that died mid-way leaves it: still validating, its counters and staged rows in place
    await sql(`UPDATE imports SET status = 'validating' WHERE tenant_id = kam_tenant() AND id = $1`, [
      run.upload.id,
    ]);
    await runValidation(env.db, org.tenantId, run.upload.id);
    expect((await director.get(`/api/v1/imports/${run.upload.id}`)).body).toMatchObject({
      status: 'validated',
      totalRows: 2500,
      processedRows: 2500,
      validRows: 2495,
      errorRows: 5,
    });
    const [rows] = await sql<{ n: number; d: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT row_no)::int AS d FROM import_rows
       WHERE tenant_id = kam_tenant() AND import_id = $1`,
      [run.upload.id],
    );
    expect(rows).toEqual({ n: 2500, d: 2500 });
  });

  it('an import that cannot go on says why, in the reader’s language', async () => {
    const tag = randomUUID().slice(0, 6);
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称'];
      for (let i = 0; i < 3; i++) ws.getRow(i + 2).values = [`失效${tag}客户${i}有限公司`];
    });
    const run = await dryRun(director, 'customers', 'stale.xlsx', file);
    // the dry run's staged rows are gone (pruned) before the import job reads them — removed before
    // the commit request, as the job starts as soon as it is queued
    await sql('DELETE FROM import_rows WHERE tenant_id = kam_tenant() AND import_id = $1', [run.upload.id]);
    const started = await director.post(`/api/v1/imports/${run.upload.id}/commit`, {
      version: run.imp.version,
      duplicatePolicy: 'skip',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await env.jobs.drain();
    expect((await director.get(`/api/v1/imports/${run.upload.id}`)).body).toMatchObject({
      status: 'failed',
      errorCode: 'IMPORT_DRY_RUN_STALE',
      error: '试导入结果已失效，请重新试导入后再导入',
    });
    expect((await director.patch('/api/v1/me', { locale: 'en' })).status).toBe(200);
    const mine = (await director.get('/api/v1/imports?limit=100')).body.items;
    expect((await director.patch('/api/v1/me', { locale: 'zh-CN' })).status).toBe(200);
    expect(mine.find((i: { id: string }) => i.id === run.upload.id)).toMatchObject({
      errorCode: 'IMPORT_DRY_RUN_STALE',
      error: 'The dry run is no longer available. Repeat the dry run, then import.',
    });
    const [made] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM customers WHERE tenant_id = kam_tenant() AND name LIKE $1`,
      [`失效${tag}%`],
    );
    expect(made!.n).toBe(0);
  });

  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  // A second process cannot share the embedded (in-memory, in-process) database: this runs only
  // against the PostgreSQL server (KAM_TEST_PG_URL), where CI runs the server tests too.
  it.skipIf(!inject('kamDatabaseUrl'))(
    'killed with SIGKILL after some batches, resumes: every batch complete, none partial, nothing twice',
    async () => {
      expect(existsSync(`${dist}modules/imports/pipeline.js`), 'needs the build (npm run build)').toBe(true);
      const tag = randomUUID().slice(0, 6);
      const total = 20_000;
      const file = await xlsx((ws) => {
        ws.getRow(1).values = ['客户名称', '备注'];
        for (let i = 0; i < total; i++)
          ws.getRow(i + 2).values = [`中断${tag}客户${i}有限公司`, `第 ${i} 个`];
      });
      const run = await dryRun(director, 'customers', 'big.xlsx', file);
      expect(run.imp).toMatchObject({ totalRows: total, validRows: total });
      // Started as the API would, but run by another process (not this test's inline queue).
      await sql(
        `UPDATE imports SET status = 'importing', duplicate_policy = 'skip' WHERE tenant_id = kam_tenant() AND id = $1`,
        [run.upload.id],
      );
      const code = `
        const { Database } = await import(${JSON.stringify(`${dist}db/database.js`)});
        const { runCommit } = await import(${JSON.stringify(`${dist}modules/imports/pipeline.js`)});
        const db = await Database.open({ url: process.env.KAM_URL, poolSize: 3 });
        await runCommit(db, process.env.KAM_TENANT, process.env.KAM_IMPORT);
        await db.close();`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
        env: {
          ...process.env,
          KAM_URL: inject('kamDatabaseUrl')!,
          KAM_TENANT: org.tenantId,
          KAM_IMPORT: run.upload.id,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += String(d);
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      const batches = async () =>
        (
          await sql<{ n: number }>(
            'SELECT count(*)::int AS n FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1',
            [run.upload.id],
          )
        )[0]!.n;
      const deadline = Date.now() + 60_000;
      while ((await batches()) < 1 && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
      expect(stderr).toBe('');
      const like = `中断${tag}客户%`;
      const count = async () =>
        (
          await sql<{ n: number; distinct: number }>(
            `SELECT count(*)::int AS n, count(DISTINCT name_norm)::int AS distinct FROM customers WHERE tenant_id = kam_tenant() AND name LIKE $1`,
            [like],
          )
        )[0]!;
      const committed = await sql<{ batch_no: number; created_count: number }>(
        `SELECT batch_no, created_count FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1 ORDER BY batch_no`,
        [run.upload.id],
      );
      expect(committed.length).toBeGreaterThanOrEqual(1);
      expect(committed.length, 'the process was killed before the end').toBeLessThan(total / 1000);
      // consistent at the moment of the kill: exactly the committed batches' rows, complete
      expect((await count()).n).toBe(committed.reduce((s, b) => s + b.created_count, 0));
      expect(committed.every((b) => b.created_count === 1000)).toBe(true);
      expect((await director.get(`/api/v1/imports/${run.upload.id}`)).body.status).toBe('importing');

      // the worker restarts: the job runs again and resumes after the last committed batch
      await runCommit(env.db, org.tenantId, run.upload.id);
      const done = (await director.get(`/api/v1/imports/${run.upload.id}`)).body;
      expect(done).toMatchObject({
        status: 'completed',
        createdRows: total,
        failedRows: 0,
        processedRows: total,
      });
      expect(await count()).toEqual({ n: total, distinct: total });
      const all = await sql<{ batch_no: number; status: string; first_row: number }>(
        `SELECT batch_no, status, first_row FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1 ORDER BY batch_no`,
        [run.upload.id],
      );
      expect(all.map((b) => b.batch_no)).toEqual(Array.from({ length: total / 1000 }, (_, i) => i + 1));
      expect(all.every((b) => b.status === 'committed' && b.first_row === (b.batch_no - 1) * 1000 + 2)).toBe(
        true,
      );
    },
  );
});

describe("the planner's figure for a growing tenant", () => {
  it('is brought up to date while an import grows a new tenant, so the per-key probes stay probes', async () => {
    const fresh = await createTestOrg(env, { demo: true });
    const head = await Client.signIn(env, fresh.slug, 'director');
    const estimate = async () =>
      env.db.withTenant(fresh.tenantId, async (tx) => {
        const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
          'EXPLAIN (FORMAT JSON) SELECT 1 FROM customers WHERE tenant_id = $1::uuid AND deleted_at IS NULL',
          [fresh.tenantId],
        );
        return rows[0]!['QUERY PLAN'][0].Plan['Plan Rows'];
      });
    // the statistics do not know this tenant yet
    expect(await estimate()).toBeLessThan(1500);
    const tag = randomUUID().slice(0, 6);
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称'];
      for (let i = 0; i < 3000; i++) ws.getRow(i + 2).values = [`新租户${tag}客户${i}有限公司`];
    });
    const run = await dryRun(head, 'customers', 'grow.xlsx', file);
    expect(await commit(head, run.upload.id, 'skip')).toMatchObject({
      status: 'completed',
      createdRows: 3000,
    });
    // re-analysed when the import had doubled the tenant (after 2,000 customers)
    expect(await estimate()).toBeGreaterThan(1500);
  });
});

describe('staged rows (the import reads the dry run, not the file)', () => {
  const staged = async (id: string) =>
    sql<{ batch_no: number; outcome: string; n: number }>(
      `SELECT batch_no, outcome, count(*)::int AS n FROM import_rows WHERE tenant_id = kam_tenant() AND import_id = $1
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [id],
    );

  it('imports the staged rows without the file; a new mapping needs a new dry run; staging is gone when done', async () => {
    const tag = randomUUID().slice(0, 6);
    const file = await xlsx((ws) => {
      ws.getRow(1).values = ['客户名称', '统一社会信用代码'];
      for (let i = 0; i < 1200; i++)
        ws.getRow(i + 2).values = [`暂存${tag}客户${i}有限公司`, i === 3 ? '91310000ABC' : null];
    });
    const run = await dryRun(director, 'customers', 'staged.xlsx', file);
    expect(run.imp).toMatchObject({ totalRows: 1200, validRows: 1199, errorRows: 1 });
    expect(await staged(run.upload.id)).toEqual([
      { batch_no: 1, outcome: 'error', n: 1 },
      { batch_no: 1, outcome: 'valid', n: 999 },
      { batch_no: 2, outcome: 'valid', n: 200 },
    ]);

    // the mapping changes: the dry run no longer applies, its rows are gone, the import is refused
    const remapped = await director.put(`/api/v1/imports/${run.upload.id}/mapping`, {
      version: run.imp.version,
      mapping: run.imp.mapping,
    });
    expect(remapped.body.status).toBe('mapped');
    expect(await staged(run.upload.id)).toEqual([]);
    const refused = await director.post(`/api/v1/imports/${run.upload.id}/commit`, {
      version: remapped.body.version,
      duplicatePolicy: 'skip',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('IMPORT_STATE_INVALID');
    await director.post(`/api/v1/imports/${run.upload.id}/validate`, { version: remapped.body.version });
    await env.jobs.drain();
    expect((await staged(run.upload.id)).reduce((s, r) => s + r.n, 0)).toBe(1200);

    // the stored file is not read again by the import
    await sql('DELETE FROM import_file_chunks WHERE tenant_id = kam_tenant() AND import_id = $1', [
      run.upload.id,
    ]);
    const done = await commit(director, run.upload.id, 'skip');
    expect(done).toMatchObject({
      status: 'completed',
      createdRows: 1199,
      failedRows: 1,
      processedRows: 1200,
    });
    const [made] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM customers WHERE tenant_id = kam_tenant() AND name LIKE $1`,
      [`暂存${tag}客户%`],
    );
    expect(made!.n).toBe(1199);
    expect(await issues(director, run.upload.id, 'commit')).toEqual([
      { row: 5, kind: 'error', field: 'creditCode', code: expect.any(String), params: expect.any(Object) },
    ]);
    expect(await staged(run.upload.id)).toEqual([]);
  });

  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  it.skipIf(!inject('kamDatabaseUrl'))(
    'batches commit two at a time on the server; killed with a gap (batch 3 in, batch 2 not), the resume fills it',
    async () => {
      expect(existsSync(`${dist}modules/imports/pipeline.js`), 'needs the build (npm run build)').toBe(true);
      const tag = randomUUID().slice(0, 6);
      const slow = `缓慢${tag}有限公司`;
      // batch 2 (its row 1502) waits inside its transaction for a lock this test holds until the
      // process is killed, so batch 3 commits before it however busy the machine is
      const fn = `kam_test_slow_${tag}`;
      const lockKey = Number.parseInt(tag, 16);
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      let locked = () => {};
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = env.db.withSystem(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
        locked();
        await held;
      });
      await isLocked;
      await env.db.withSystem(async (tx) => {
        await tx.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.name = '${slow}' THEN PERFORM pg_advisory_xact_lock(${lockKey}); END IF; RETURN NEW; END $$`);
        await tx.query(
          `CREATE TRIGGER ${fn} BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
        );
      });
      const file = await xlsx((ws) => {
        ws.getRow(1).values = ['客户名称'];
        for (let i = 0; i < 3000; i++)
          ws.getRow(i + 2).values = [i === 1500 ? slow : `间隙${tag}客户${i}有限公司`];
      });
      const run = await dryRun(director, 'customers', 'gap.xlsx', file);
      await sql(
        `UPDATE imports SET status = 'importing', duplicate_policy = 'skip' WHERE tenant_id = kam_tenant() AND id = $1`,
        [run.upload.id],
      );
      const code = `
        const { Database } = await import(${JSON.stringify(`${dist}db/database.js`)});
        const { runCommit } = await import(${JSON.stringify(`${dist}modules/imports/pipeline.js`)});
        const db = await Database.open({ url: process.env.KAM_URL, poolSize: 3 });
        await runCommit(db, process.env.KAM_TENANT, process.env.KAM_IMPORT);
        await db.close();`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
        env: {
          ...process.env,
          KAM_URL: inject('kamDatabaseUrl')!,
          KAM_TENANT: org.tenantId,
          KAM_IMPORT: run.upload.id,
        },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      const checkpoints = async () =>
        (
          await sql<{ batch_no: number }>(
            'SELECT batch_no FROM import_batches WHERE tenant_id = kam_tenant() AND import_id = $1 ORDER BY 1',
            [run.upload.id],
          )
        ).map((b) => b.batch_no);
      const deadline = Date.now() + 30_000;
      while (!(await checkpoints()).includes(3) && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
      try {
        // batch 3 committed while batch 2 was still in its transaction: a gap
        expect(await checkpoints()).toEqual([1, 3]);
        const [mid] = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM customers WHERE tenant_id = kam_tenant() AND name LIKE $1`,
          [`间隙${tag}客户%`],
        );
        expect(mid!.n).toBe(2000);
      } finally {
        // the orphaned batch-2 transaction goes on, finds its client gone and is rolled back; dropping
        // the trigger waits for it to end
        release();
        await holder;
        await env.db.withSystem(async (tx) => {
          await tx.query(`DROP TRIGGER ${fn} ON customers`);
          await tx.query(`DROP FUNCTION ${fn}()`);
        });
      }
      await runCommit(env.db, org.tenantId, run.upload.id);
      const done = (await director.get(`/api/v1/imports/${run.upload.id}`)).body;
      expect(done).toMatchObject({
        status: 'completed',
        createdRows: 3000,
        failedRows: 0,
        processedRows: 3000,
      });
      expect(await checkpoints()).toEqual([1, 2, 3]);
      const [all] = await sql<{ n: number; d: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT name_norm)::int AS d FROM customers
         WHERE tenant_id = kam_tenant() AND (name LIKE $1 OR name = $2)`,
        [`间隙${tag}客户%`, slow],
      );
      expect(all).toEqual({ n: 3000, d: 3000 });
    },
  );
});
