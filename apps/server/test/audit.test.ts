import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField } from '../src/modules/audit/service.js';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
let admin: Client;
let auditor: Client;
let auditorId: string;

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  auditor = await Client.signIn(env, org.slug, 'auditor');
  auditorId = (await auditor.get('/api/v1/me')).body.id;
  // Some history: a few role changes and a failed sign-in.
  for (const name of ['审计测试 A', '审计测试 B', '审计测试 C']) {
    await admin.post('/api/v1/roles', {
      name,
      grants: [{ resource: 'tenant', action: 'view' }],
      fieldRules: [],
    });
  }
  await new Client(env, org.slug).login('director', 'wrong-password');
});
afterAll(() => env.close());

type Entry = {
  id: string;
  seq: string;
  at: string;
  actorId: string | null;
  action: string;
  entityId: string | null;
};

async function all(client: Client, query = ''): Promise<Entry[]> {
  const items: Entry[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '';
    const res: any = await client.get(
      `/api/v1/audit-logs?${query}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

function parseCsv(text: string): string[][] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

describe('the auditor', () => {
  it('can list, verify and export the audit log', async () => {
    const list = await auditor.get('/api/v1/audit-logs?limit=5');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(5);
    expect(list.body.items[0]).toMatchObject({
      id: expect.any(String),
      seq: expect.stringMatching(/^\d+$/),
      at: expect.any(String),
      result: expect.stringMatching(/^(success|failure)$/),
    });
    const verify = await auditor.get('/api/v1/audit-logs/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, firstBroken: null });
    expect(verify.body.checked).toBeGreaterThanOrEqual(6);
    const csv = await auditor.get('/api/v1/audit-logs/export?action=role.*');
    expect(csv.status).toBe(200);
  });

  it('sees nothing else: users, roles and settings are denied, and the denials are recorded', async () => {
    for (const url of ['/api/v1/users', '/api/v1/roles', '/api/v1/security-policy']) {
      const res = await auditor.get(url);
      expect(res.status, url).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const denials = await all(auditor, `action=authz.denied&actorId=${auditorId}`);
    const routes = denials.map((e: any) => e.details.route);
    expect(routes).toEqual(
      expect.arrayContaining(['/api/v1/users', '/api/v1/roles', '/api/v1/security-policy']),
    );
    expect(denials.every((e: any) => e.result === 'failure' && e.details.code === 'FORBIDDEN')).toBe(true);
  });

  it('has no way to change or delete entries', async () => {
    const [entry] = (await admin.get('/api/v1/audit-logs?limit=1')).body.items;
    expect((await admin.delete(`/api/v1/audit-logs/${entry.id}`)).status).toBe(404);
    expect((await admin.put(`/api/v1/audit-logs/${entry.id}`, { action: 'x' })).status).toBe(404);
    expect((await admin.patch(`/api/v1/audit-logs/${entry.id}`, { action: 'x' })).status).toBe(404);
  });
});

describe('searching the audit log', () => {
  it('lists newest first and pages without gaps or repeats', async () => {
    const everything = await all(admin);
    const seqs = everything.map((e) => BigInt(e.seq));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]! < seqs[i - 1]!).toBe(true);
    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await admin.get(`/api/v1/audit-logs?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      paged.push(...res.body.items.map((e: Entry) => e.seq));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    // entries written while paging (none here: listing is not audited) would only appear at the head
    expect(paged).toEqual(everything.map((e) => e.seq));
    expect((await admin.get('/api/v1/audit-logs?limit=201')).status).toBe(400);
  });

  it('filters by actor, action (exact or prefix), entity, result and time', async () => {
    const byAdmin = await all(admin, `actorId=${org.adminUserId}`);
    expect(byAdmin.length).toBeGreaterThan(0);
    expect(byAdmin.every((e) => e.actorId === org.adminUserId)).toBe(true);

    const creates = await all(admin, 'action=role.create');
    expect(creates).toHaveLength(3);
    const auth = await all(admin, `action=${encodeURIComponent('auth.*')}`);
    expect(new Set(auth.map((e) => e.action))).toEqual(new Set(['auth.login', 'auth.login_failed']));
    const failed = await all(admin, 'result=failure&action=auth.login_failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect((await admin.get('/api/v1/audit-logs?action=auth.%25')).status).toBe(400);

    const role = creates[0]!;
    const byEntity = await all(admin, `entityType=role&entityId=${role.entityId}`);
    expect(byEntity.map((e) => e.id)).toEqual([role.id]);

    const middle = creates[1]!;
    const from = await all(admin, `action=role.create&from=${encodeURIComponent(middle.at)}`);
    expect(from.map((e) => e.id)).toEqual([creates[0]!.id, middle.id]);
    const to = await all(admin, `action=role.create&to=${encodeURIComponent(middle.at)}`);
    expect(to.map((e) => e.id)).toEqual([creates[2]!.id]);
  });

  it('finds free text in actor names, entity ids and actions', async () => {
    const byName = await all(admin, `q=${encodeURIComponent('系统管理')}`);
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.every((e: any) => e.actorName.includes('系统管理'))).toBe(true);
    const byAction = await all(admin, 'q=login_fail');
    expect(byAction.every((e) => e.action === 'auth.login_failed')).toBe(true);
    // LIKE wildcards are taken literally
    expect(await all(admin, `q=${encodeURIComponent('%')}`)).toEqual([]);
  });
});

describe('exporting the audit log', () => {
  it('downloads CSV with BOM and a header row, states the cap, and records the export', async () => {
    const expected = await all(auditor, 'action=role.create');
    const res = await auditor.get('/api/v1/audit-logs/export?action=role.create');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{8}\.csv"$/);
    expect(res.headers['x-export-row-limit']).toBe('100000');
    expect(res.headers['x-export-rows']).toBe(String(expected.length));
    expect(res.headers['x-export-truncated']).toBe('false');
    const text = res.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = parseCsv(text);
    expect(lines[0]!.slice(0, 5)).toEqual(['序号', '时间', '操作人', '操作人ID', '操作']);
    expect(lines.slice(1).map((l) => l[0])).toEqual(expected.map((e) => e.seq));
    expect(lines[1]![2]).toBe('系统管理员');

    const exports = await all(auditor, 'action=audit.export');
    expect(exports[0]).toMatchObject({ actorId: auditorId });
    expect((exports[0] as any).details).toMatchObject({
      filter: { action: 'role.create' },
      rows: expected.length,
      truncated: false,
    });

    auditor.locale = 'en';
    const en = await auditor.get('/api/v1/audit-logs/export?entityType=nothing-here');
    auditor.locale = 'zh-CN';
    expect(parseCsv(en.body as string)).toEqual([
      [
        'Seq',
        'Time',
        'Actor',
        'Actor ID',
        'Action',
        'Entity type',
        'Entity ID',
        'Result',
        'IP',
        'User agent',
        'Request ID',
        'Changes',
        'Details',
      ],
    ]);
  });

  it('needs audit.export', async () => {
    const director = await Client.signIn(env, org.slug, 'director');
    expect((await director.get('/api/v1/audit-logs/export')).status).toBe(403);
    expect((await director.get('/api/v1/audit-logs')).status).toBe(403);
  });

  it('escapes CSV fields and defuses spreadsheet formulas', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField([{ field: 'name' }])).toBe('"[{""field"":""name""}]"');
  });
});

describe('tamper evidence', () => {
  /** As the connecting (super)user with triggers off, as a DBA could — then reset. */
  async function tamper(tenantId: string, sql: string, params: unknown[]) {
    await env.db.withSystem(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await tx.query(`SELECT set_config('kam.tenant_id', $1, true)`, [tenantId]);
      await tx.query(sql, params);
      await tx.query('SET LOCAL session_replication_role = origin');
    });
  }

  async function freshOrg() {
    const other = await createTestOrg(env);
    const c = await Client.signIn(env, other.slug, 'admin', ADMIN_PASSWORD);
    for (const name of ['R1', 'R2', 'R3', 'R4']) {
      await c.post('/api/v1/roles', { name, grants: [], fieldRules: [] });
    }
    const entries = await all(c, 'action=role.create');
    return { other, c, entries };
  }

  it('names an altered entry', async () => {
    const { other, c, entries } = await freshOrg();
    expect((await c.get('/api/v1/audit-logs/verify')).body.ok).toBe(true);
    const victim = entries[2]!;
    await tamper(other.tenantId, `UPDATE audit_log SET action = 'x' WHERE tenant_id = $1 AND seq = $2`, [
      other.tenantId,
      victim.seq,
    ]);
    const res = await c.get('/api/v1/audit-logs/verify');
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBroken).toMatchObject({ seq: victim.seq, id: victim.id, reason: 'entry_altered' });
    // the failed check is itself on record
    const [check] = (await c.get('/api/v1/audit-logs?action=audit.verify&limit=1')).body.items;
    expect(check).toMatchObject({ result: 'failure' });
  });

  it('notices a removed entry in the middle', async () => {
    const { other, c, entries } = await freshOrg();
    const victim = entries[1]!;
    await tamper(other.tenantId, 'DELETE FROM audit_log WHERE tenant_id = $1 AND seq = $2', [
      other.tenantId,
      victim.seq,
    ]);
    const res = await c.get('/api/v1/audit-logs/verify');
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBroken).toMatchObject({
      seq: String(BigInt(victim.seq) + 1n),
      reason: 'entries_missing',
    });
  });

  it('the application role cannot change or delete entries', async () => {
    const attempt = (sql: string) => env.db.withTenant(org.tenantId, (tx) => tx.query(sql));
    await expect(attempt(`UPDATE audit_log SET action = 'x' WHERE tenant_id = kam_tenant()`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(attempt('DELETE FROM audit_log WHERE tenant_id = kam_tenant()')).rejects.toThrow(
      /permission denied/,
    );
    await expect(attempt('TRUNCATE audit_log')).rejects.toThrow(/permission denied/);
    expect((await auditor.get('/api/v1/audit-logs/verify')).body.ok).toBe(true);
  });
});
