import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  createTestEnv,
  createTestOrg,
  type Res,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';
import { MatrixFixtures } from './support/matrix-fixtures.js';

let env: TestEnv;
let org: TestOrg;
let fx: MatrixFixtures;
let manager: Client;
let manager2: Client;
let service: Client;
let tech: Client;

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  fx = await MatrixFixtures.load(env, org);
  manager = await Client.signIn(env, org.slug, 'manager');
  manager2 = await Client.signIn(env, org.slug, 'manager2');
  service = await Client.signIn(env, org.slug, 'service');
  tech = await Client.signIn(env, org.slug, 'tech');
});
afterAll(() => env.close());

interface ServiceRecord {
  id: string;
  customerId: string;
  type: string;
  severity: string;
  title: string;
  openedAt: string;
  closedAt: string | null;
  satisfaction: number | null;
  handlerId: string | null;
  handlerName: string | null;
  version: number;
}

const open = (c: Client, body: Record<string, unknown>) => c.post('/api/v1/service-records', body);

async function allPages(c: Client, url: string): Promise<ServiceRecord[]> {
  const items: ServiceRecord[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: Res = await c.get(`${url}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('service records of support staff', () => {
  it('lets a support user on the account team (read_write) log, change, close and reopen a ticket, audited', async () => {
    const customer = await fx.customer('in');
    const res = await open(service, {
      customerId: customer.id,
      type: 'complaint',
      severity: 'high',
      title: ' 发货延迟投诉 ',
      description: '客户反映上周订单未按期发货',
      openedAt: '2026-11-01T09:00:00+08:00',
      handlerId: fx.userIds.service,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const s: ServiceRecord = res.body;
    expect(s).toMatchObject({
      type: 'complaint',
      severity: 'high',
      title: '发货延迟投诉',
      openedAt: '2026-11-01T01:00:00.000Z',
      closedAt: null,
      handlerName: '郑丽',
      version: 1,
    });
    const changed = await service.patch(`/api/v1/service-records/${s.id}`, {
      version: 1,
      severity: 'critical',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ severity: 'critical', version: 2 });

    const early = await service.post(`/api/v1/service-records/${s.id}/close`, {
      version: 2,
      closedAt: '2026-10-31T09:00:00+08:00',
    });
    expect(early.status).toBe(400);
    expect(early.body.error.details.fields[0]).toMatchObject({ path: 'body.closedAt', code: 'OUT_OF_RANGE' });
    const badScore = await service.post(`/api/v1/service-records/${s.id}/close`, {
      version: 2,
      satisfaction: 6,
    });
    expect(badScore.status).toBe(400);
    expect(badScore.body.error.details.fields[0]).toMatchObject({
      path: 'body.satisfaction',
      code: 'OUT_OF_RANGE',
    });

    const closed = await service.post(`/api/v1/service-records/${s.id}/close`, {
      version: 2,
      closedAt: '2026-11-03T18:00:00+08:00',
      satisfaction: 4,
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ closedAt: '2026-11-03T10:00:00.000Z', satisfaction: 4, version: 3 });
    const twice = await service.post(`/api/v1/service-records/${s.id}/close`, { version: 3 });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('CONFLICT');

    const reopened = await service.post(`/api/v1/service-records/${s.id}/reopen`, { version: 3 });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ closedAt: null, satisfaction: null, version: 4 });
    const reopenOpen = await service.post(`/api/v1/service-records/${s.id}/reopen`, { version: 4 });
    expect(reopenOpen.status).toBe(409);
    const stale = await service.patch(`/api/v1/service-records/${s.id}`, { version: 3, title: '旧' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 4 } });

    // support roles cannot delete; the owner can
    expect((await service.delete(`/api/v1/service-records/${s.id}?version=4`)).status).toBe(403);
    expect((await manager.delete(`/api/v1/service-records/${s.id}?version=4`)).status).toBe(204);

    const trail = await fx.sql<{ action: string; entity_type: string; details: Record<string, unknown> }>(
      `SELECT action, entity_type, details FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1
         AND action LIKE 'service_record.%' ORDER BY seq`,
      [s.id],
    );
    expect(trail.map((t) => t.action)).toEqual([
      'service_record.create',
      'service_record.update',
      'service_record.close',
      'service_record.reopen',
      'service_record.delete',
    ]);
    expect(
      trail.every((t) => t.entity_type === 'service_record' && t.details.customerId === customer.id),
    ).toBe(true);
  });

  it('refuses a read-only team member (403) and everyone off the team (404)', async () => {
    const customer = await fx.customer('in');
    await fx.sql(
      `UPDATE customer_team SET access = 'read' WHERE tenant_id = kam_tenant() AND customer_id = $1 AND user_id = $2`,
      [customer.id, fx.userIds.tech],
    );
    const readOnly = await open(tech, { customerId: customer.id, type: 'question', title: '咨询' });
    expect(readOnly.status).toBe(403);
    const existing = await fx.serviceRecord(customer.id);
    expect((await tech.get(`/api/v1/service-records/${existing.id}`)).status).toBe(200);
    expect(
      (await tech.patch(`/api/v1/service-records/${existing.id}`, { version: 1, title: '改' })).status,
    ).toBe(403);

    const out = await fx.customer('out');
    expect((await open(service, { customerId: out.id, type: 'question', title: '咨询' })).status).toBe(404);
    const outRecord = await fx.serviceRecord(out.id);
    expect((await service.get(`/api/v1/service-records/${outRecord.id}`)).status).toBe(404);
    expect((await manager2.get(`/api/v1/service-records/${existing.id}`)).status).toBe(404);
  });

  it('validates type, title and handler', async () => {
    const customer = await fx.customer('in');
    const codes = async (body: Record<string, unknown>) => {
      const res = await open(manager, { customerId: customer.id, type: 'incident', title: '宕机', ...body });
      expect(res.status).toBe(400);
      return res.body.error.details.fields.map((f: { path: string; code: string }) => `${f.path}:${f.code}`);
    };
    expect(await codes({ type: 'praise' })).toEqual(['body.type:ENUM_INVALID']);
    expect(await codes({ severity: 'urgent' })).toEqual(['body.severity:ENUM_INVALID']);
    expect(await codes({ title: '' })).toEqual(['body.title:REQUIRED']);
    expect(await codes({ handlerId: '6a0c1f49-5d46-4c8e-9d07-1f4a2b3c4d5e' })).toEqual([
      'body.handlerId:NOT_FOUND',
    ]);
    const ok = await open(manager, { customerId: customer.id, type: 'incident', title: '宕机' });
    expect(ok.body).toMatchObject({ severity: 'medium', handlerId: null });
  });
});

describe('listing service records', () => {
  it('filters by customer, type, severity, open/closed and time, newest first, in keyset pages', async () => {
    const customer = await fx.customer('in');
    const specs = [
      { type: 'question', severity: 'low', openedAt: '2026-09-01T00:00:00Z' },
      { type: 'complaint', severity: 'high', openedAt: '2026-09-02T00:00:00Z' },
      { type: 'complaint', severity: 'medium', openedAt: '2026-09-03T00:00:00Z' },
    ];
    const ids: string[] = [];
    for (const s of specs) {
      ids.push((await open(manager, { customerId: customer.id, title: s.type, ...s })).body.id);
    }
    await service.post(`/api/v1/service-records/${ids[1]}/close`, { version: 1, satisfaction: 2 });
    const base = `/api/v1/service-records?customerId=${customer.id}`;
    expect((await allPages(service, `${base}&limit=1`)).map((s) => s.id)).toEqual([...ids].reverse());
    expect((await allPages(manager, `${base}&type=complaint`)).map((s) => s.id)).toEqual([ids[2], ids[1]]);
    expect((await allPages(manager, `${base}&type=complaint&open=true`)).map((s) => s.id)).toEqual([ids[2]]);
    expect((await allPages(manager, `${base}&open=false`)).map((s) => s.satisfaction)).toEqual([2]);
    expect((await allPages(manager, `${base}&severity=low`)).map((s) => s.id)).toEqual([ids[0]]);
    const window = await allPages(manager, `${base}&from=2026-09-02T00:00:00Z&to=2026-09-03T00:00:00Z`);
    expect(window.map((s) => s.id)).toEqual([ids[1]]);
    // another rep sees none of them
    expect(await allPages(manager2, base)).toEqual([]);
  });
});
