import { randomUUID } from 'node:crypto';
import { creditCodeCheckChar, maskText, normalizeCompanyName } from '@kam/domain';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/auth/crypto.js';
import { setPassword } from '../src/modules/auth/service.js';
import { EXPORT_MAX_ROWS, exportLimits } from '../src/modules/exports/service.js';
import { insertUser } from '../src/modules/organization/bootstrap.js';
import { DEMO_PASSWORD } from '../src/modules/organization/demo.js';
import { Client, createTestEnv, createTestOrg, type TestEnv, type TestOrg } from './support/harness.js';

function creditCode(): string {
  const first = `91440300${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  return first + creditCodeCheckChar(first)!;
}

let env: TestEnv;
let org: TestOrg;

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
});
afterAll(() => env.close());

function sql<T extends Record<string, any> = Record<string, any>>(text: string, params: unknown[] = []) {
  return env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(text, params)).rows);
}

async function customer(
  name: string,
  owner: string,
  extra: { cc?: string; notes?: string; revenue?: string } = {},
) {
  const id = randomUUID();
  await sql(
    `INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, credit_code, notes, revenue_12m, status,
       owner_id, department_id)
     SELECT kam_tenant(), $1, $2, $3, $3, $5, $6, $7, 'active', u.id, u.department_id FROM users u
     WHERE u.tenant_id = kam_tenant() AND u.login = $4`,
    [
      id,
      name,
      normalizeCompanyName(name),
      owner,
      extra.cc ?? null,
      extra.notes ?? null,
      extra.revenue ?? '0',
    ],
  );
  return id;
}

async function download(c: Client, query = '', lang = 'zh-CN') {
  const res = await env.app.inject({
    method: 'GET',
    url: `/api/v1/exports/customers${query}`,
    headers: { cookie: c.cookie!, 'accept-language': lang },
  });
  if (res.statusCode !== 200) return { status: res.statusCode, body: res.json(), rows: [] as unknown[][] };
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: unknown[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return { status: 200, headers: res.headers, rows, ws };
}

describe('customer export', () => {
  // starts with a letter: an all-digit search term is taken as a credit code / phone number search
  const tag = `x${randomUUID().slice(0, 6)}`;
  const cc = creditCode();
  beforeAll(async () => {
    await customer(`导出上海${tag}有限公司`, 'manager', { cc, notes: '重要', revenue: '1234567.89' });
    await customer(`导出深圳${tag}有限公司`, 'manager3');
  });

  it('exports the customers the director may see, with typed cells, and audits it', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const out = await download(director, `?q=${encodeURIComponent(tag)}`);
    expect(out.status).toBe(200);
    const [header, ...rows] = out.rows;
    expect(header!.slice(0, 3)).toEqual(['客户名称', '统一社会信用代码', '行业']);
    expect(rows.map((r) => r[0])).toEqual([`导出上海${tag}有限公司`]);
    const col = (name: string) => (header as string[]).indexOf(name);
    expect(rows[0]![col('统一社会信用代码')]).toBe(cc);
    expect(rows[0]![col('近 12 个月收入')]).toBe(1234567.89);
    expect(out.ws!.getColumn(col('近 12 个月收入') + 1).numFmt).toContain('¥');
    expect(rows[0]![col('状态')]).toBe('活跃');
    expect(rows[0]![col('负责人')]).toBe('孙伟');
    expect(rows[0]![col('创建时间')]).toBeInstanceOf(Date);
    expect(out.headers!['x-export-rows']).toBe('1');
    const audit = await sql<{ details: any; actor_name: string }>(
      `SELECT details, actor_name FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.export' ORDER BY seq DESC LIMIT 1`,
    );
    expect(audit[0]).toMatchObject({
      actor_name: '赵明',
      details: { rows: 1, filter: { q: tag }, format: 'xlsx' },
    });

    const en = await download(director, `?q=${encodeURIComponent(tag)}`, 'en');
    expect(en.rows[0]!.slice(0, 2)).toEqual(['Customer name', 'Credit code']);

    // the count (header and audit) is the filter's, not the scope's: a filter matching none exports none
    const none = await download(director, `?q=${encodeURIComponent(tag)}&status=dormant`);
    expect(none.rows.length).toBe(1);
    expect(none.headers!['x-export-rows']).toBe('0');
    const all = await download(director);
    expect(all.headers!['x-export-rows']).toBe(String(all.rows.length - 1));
    const [last] = await sql<{ details: any }>(
      `SELECT details FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.export' ORDER BY seq DESC LIMIT 2`,
    );
    expect(last!.details.rows).toBe(all.rows.length - 1);
  });

  it('keeps masked fields masked and leaves hidden fields out', async () => {
    const role = randomUUID();
    await sql(
      `INSERT INTO roles (tenant_id, id, name, grants, field_rules) VALUES (kam_tenant(), $1, $2, $3, $4)`,
      [
        role,
        `导出受限-${tag}`,
        JSON.stringify([
          { resource: 'customer', action: 'view', scope: 'all' },
          { resource: 'customer', action: 'export', scope: 'all' },
        ]),
        JSON.stringify([
          { resource: 'customer', field: 'creditCode', rule: 'masked' },
          { resource: 'customer', field: 'notes', rule: 'hidden' },
        ]),
      ],
    );
    const hash = await hashPassword(DEMO_PASSWORD);
    const [sh] = await sql<{ department_id: string }>(
      `SELECT department_id FROM users WHERE tenant_id = kam_tenant() AND login = 'manager'`,
    );
    const login = `exp-${tag}`;
    await env.db.withTenant(org.tenantId, async (tx) => {
      const id = await insertUser(tx, {
        tenantId: org.tenantId,
        login,
        displayName: login,
        departmentId: sh!.department_id,
        roleIds: [role],
        now: new Date(),
      });
      await setPassword(tx, { userId: id, hash, mustChange: false, now: new Date() });
    });
    const limited = await Client.signIn(env, org.slug, login);
    const out = await download(limited, `?q=${encodeURIComponent(tag)}`);
    const [header, ...rows] = out.rows as string[][];
    expect(header).not.toContain('备注');
    expect(rows.length).toBe(2);
    const row = rows.find((r) => r[0] === `导出上海${tag}有限公司`)!;
    expect(row[header!.indexOf('统一社会信用代码')]).toBe(maskText(cc));
  });

  it('refuses a filter matching more rows than the cap (413 EXPORT_TOO_LARGE), writing no audit entry', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    const before = await sql(
      `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.export'`,
    );
    try {
      // the director sees one of the two tagged customers: above a cap of 0, within a cap of 1
      exportLimits.maxRows = 0;
      const res = await director.get(`/api/v1/exports/customers?q=${encodeURIComponent(tag)}`);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: { code: 'EXPORT_TOO_LARGE' } });
      exportLimits.maxRows = 1;
      const one = await download(director, `?q=${encodeURIComponent(tag)}`);
      expect(one.status).toBe(200);
      expect(one.rows.length).toBe(2);
    } finally {
      exportLimits.maxRows = EXPORT_MAX_ROWS;
    }
    const after = await sql(
      `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.export'`,
    );
    expect(after[0]!.n).toBe(before[0]!.n + 1);
  });

  it('refuses users without customer.export (403, audited)', async () => {
    const manager = await Client.signIn(env, org.slug, 'manager');
    const res = await manager.get('/api/v1/exports/customers');
    expect(res.status).toBe(403);
    const denied = await sql(
      `SELECT 1 FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'authz.denied' AND request_id = $1`,
      [String(res.headers['x-request-id'])],
    );
    expect(denied.length).toBe(1);
    const service = await Client.signIn(env, org.slug, 'service');
    expect((await service.get('/api/v1/exports/customers')).status).toBe(403);
  });
});
