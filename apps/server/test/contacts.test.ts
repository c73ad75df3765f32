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

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  fx = await MatrixFixtures.load(env, org);
  manager = await Client.signIn(env, org.slug, 'manager');
  manager2 = await Client.signIn(env, org.slug, 'manager2');
  service = await Client.signIn(env, org.slug, 'service');
});
afterAll(() => env.close());

interface Contact {
  id: string;
  customerId: string;
  customerName: string;
  name: string;
  mobile?: string | null;
  phone?: string | null;
  email?: string | null;
  wechat?: string | null;
  birthday?: string | null;
  decisionRole: string | null;
  attitude: string | null;
  isPrimary: boolean;
  version: number;
}

/** A customer of `manager` (上海销售一部) with service, tech and delivery on its team (read_write). */
const ownCustomer = () => fx.customer('in');

async function audits(action: string, entityId: string) {
  return fx.sql<{
    entity_type: string;
    changes: { field: string; before: unknown; after: unknown }[];
    details: Record<string, unknown>;
  }>(
    `SELECT entity_type, changes, details FROM audit_log
     WHERE tenant_id = kam_tenant() AND action = $1 AND entity_id = $2 ORDER BY seq`,
    [action, entityId],
  );
}

async function allPages(c: Client, url: string): Promise<Contact[]> {
  const items: Contact[] = [];
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

describe('adding and changing contacts', () => {
  it('adds a contact with normalised data, audited with masked contact data and the customer id', async () => {
    const customer = await ownCustomer();
    const res = await manager.post('/api/v1/contacts', {
      customerId: customer.id,
      name: ' 王建国 ',
      title: '采购总监',
      mobile: '139 1234 5678',
      phone: '021-6888 1234',
      email: 'Wang.JG@Example.COM',
      wechat: 'wjg_2026',
      decisionRole: 'decision_maker',
      attitude: 'supportive',
      birthday: '1980-05-17',
      isPrimary: true,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const c: Contact = res.body;
    expect(c).toMatchObject({
      customerId: customer.id,
      customerName: customer.name,
      name: '王建国',
      mobile: '+8613912345678',
      email: 'Wang.JG@example.com',
      wechat: 'wjg_2026',
      birthday: '1980-05-17',
      decisionRole: 'decision_maker',
      isPrimary: true,
      version: 1,
    });
    const [entry] = await audits('contact.create', c.id);
    expect(entry?.entity_type).toBe('contact');
    expect(entry?.details).toMatchObject({ customerId: customer.id });
    expect(entry?.changes).toEqual(
      expect.arrayContaining([
        { field: 'mobile', before: null, after: '139****5678' },
        { field: 'email', before: null, after: 'W***@example.com' },
        { field: 'name', before: null, after: '王建国' },
      ]),
    );
    expect(JSON.stringify(entry?.changes)).not.toContain('12345678');
  });

  it('refuses invalid data with stable codes per field', async () => {
    const customer = await ownCustomer();
    const bad = await manager.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '李四',
      mobile: '12345',
      email: 'not-an-email',
      birthday: '1980-02-30',
      decisionRole: 'boss',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const codes = Object.fromEntries(
      bad.body.error.details.fields.map((f: { path: string; code: string }) => [f.path, f.code]),
    );
    expect(codes).toMatchObject({
      'body.mobile': 'MOBILE_INVALID',
      'body.email': 'EMAIL_INVALID',
      'body.birthday': 'DATE_INVALID',
      'body.decisionRole': 'ENUM_INVALID',
    });
    const noName = await manager.post('/api/v1/contacts', { customerId: customer.id });
    expect(noName.body.error.details.fields[0]).toMatchObject({ path: 'body.name', code: 'REQUIRED' });
    const unknown = await manager.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '李四',
      qq: '1',
    });
    expect(unknown.body.error.details.fields[0].code).toBe('UNKNOWN_PROPERTY');
    const ghost = await manager.post('/api/v1/contacts', {
      customerId: '6a0c1f49-5d46-4c8e-9d07-1f4a2b3c4d5e',
      name: '李四',
    });
    expect(ghost.status).toBe(404);
    expect(ghost.body.error.details.fields[0].path).toBe('body.customerId');
  });

  it('keeps one primary contact per customer: a new primary demotes the old one in the same change', async () => {
    const customer = await ownCustomer();
    const a = (
      await manager.post('/api/v1/contacts', { customerId: customer.id, name: '张伟', isPrimary: true })
    ).body as Contact;
    const b = (await manager.post('/api/v1/contacts', { customerId: customer.id, name: '艾米' }))
      .body as Contact;
    await manager.post('/api/v1/contacts', { customerId: customer.id, name: '白雪' });
    expect(b.isPrimary).toBe(false);
    const promoted = await manager.patch(`/api/v1/contacts/${b.id}`, { version: b.version, isPrimary: true });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ isPrimary: true, version: 2 });
    const demoted = (await manager.get(`/api/v1/contacts/${a.id}`)).body as Contact;
    expect(demoted).toMatchObject({ isPrimary: false, version: 2 });
    const [entry] = (await audits('contact.update', a.id)).slice(-1);
    expect(entry?.changes).toEqual([{ field: 'isPrimary', before: true, after: false }]);
    expect(entry?.details).toMatchObject({ customerId: customer.id });
    // primary first, then by pinyin: 艾米 (aimi) before 白雪 (baixue) before 张伟 (zhangwei)
    const listed = await allPages(manager, `/api/v1/customers/${customer.id}/contacts?limit=1`);
    expect(listed.map((c) => c.name)).toEqual(['艾米', '白雪', '张伟']);
  });

  it('changes a contact with the current version only; a stale version changes nothing', async () => {
    const customer = await ownCustomer();
    const c = (
      await manager.post('/api/v1/contacts', { customerId: customer.id, name: '赵六', title: '工程师' })
    ).body as Contact;
    const ok = await manager.patch(`/api/v1/contacts/${c.id}`, {
      version: 1,
      title: '总工程师',
      mobile: null,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ title: '总工程师', version: 2 });
    const stale = await manager.patch(`/api/v1/contacts/${c.id}`, { version: 1, title: '副总' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    expect(stale.body.error.details.currentVersion).toBe(2);
    expect((await manager.get(`/api/v1/contacts/${c.id}`)).body.title).toBe('总工程师');
    const [entry] = await audits('contact.update', c.id);
    expect(entry?.changes).toEqual([{ field: 'title', before: '工程师', after: '总工程师' }]);

    const staleDelete = await manager.delete(`/api/v1/contacts/${c.id}?version=1`);
    expect(staleDelete.status).toBe(409);
    const deleted = await manager.delete(`/api/v1/contacts/${c.id}?version=2`);
    expect(deleted.status).toBe(204);
    expect((await manager.get(`/api/v1/contacts/${c.id}`)).status).toBe(404);
    const [gone] = await audits('contact.delete', c.id);
    expect(gone?.details).toMatchObject({ customerId: customer.id, name: '赵六' });
  });
});

describe('who sees contacts, and how', () => {
  it('shows support staff on the account team masked mobile, phone and email, and lets them change nothing', async () => {
    const customer = await ownCustomer();
    const c = (
      await manager.post('/api/v1/contacts', {
        customerId: customer.id,
        name: '钱七',
        mobile: '13912345678',
        phone: '021-68881234',
        email: 'qian@example.com',
        wechat: 'qian7',
      })
    ).body as Contact;
    const seen = await service.get(`/api/v1/contacts/${c.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      name: '钱七',
      mobile: '139****5678',
      email: 'q***@example.com',
      wechat: 'qian7',
    });
    expect(seen.body.phone).not.toContain('6888');
    const listed = await allPages(service, `/api/v1/customers/${customer.id}/contacts`);
    expect(listed.find((x) => x.id === c.id)?.mobile).toBe('139****5678');
    // the manager sees the real number
    expect((await manager.get(`/api/v1/contacts/${c.id}`)).body.mobile).toBe('+8613912345678');

    const edit = await service.patch(`/api/v1/contacts/${c.id}`, { version: c.version, title: '经理' });
    expect(edit.status).toBe(403);
    expect((await service.post('/api/v1/contacts', { customerId: customer.id, name: '孙八' })).status).toBe(
      403,
    );
    expect((await service.delete(`/api/v1/contacts/${c.id}?version=1`)).status).toBe(403);
  });

  it("hides another rep's customers' contacts (404, audited as a denial naming the contact)", async () => {
    const customer = await ownCustomer();
    const c = await fx.contact(customer.id);
    const res = await manager2.get(`/api/v1/contacts/${c.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    const [denial] = await fx.denialsOf(String(res.headers['x-request-id']));
    expect(denial).toMatchObject({
      entity_id: c.id,
      details: { entityType: 'contact', customerId: customer.id },
    });
    expect((await manager2.get(`/api/v1/customers/${customer.id}/contacts`)).status).toBe(404);
    const change = await manager2.patch(`/api/v1/contacts/${c.id}`, { version: 1, title: 'x' });
    expect(change.status).toBe(404);
    const all = await allPages(manager2, '/api/v1/contacts?limit=200');
    expect(all.map((x) => x.id)).not.toContain(c.id);
    // the support user is on the "in" team only
    const out = await fx.customer('out');
    const outContact = await fx.contact(out.id);
    expect((await service.get(`/api/v1/contacts/${outContact.id}`)).status).toBe(404);
  });

  it('answers 404 for a contact that does not exist', async () => {
    const res = await manager.get('/api/v1/contacts/6a0c1f49-5d46-4c8e-9d07-1f4a2b3c4d5e');
    expect(res.status).toBe(404);
  });

  it('lists contacts across my customers by name with search by name, pinyin and — unmasked only — mobile digits', async () => {
    const customer = await ownCustomer();
    const other = await ownCustomer();
    await manager.post('/api/v1/contacts', {
      customerId: customer.id,
      name: '欧阳锋',
      mobile: '13700001111',
      decisionRole: 'influencer',
    });
    await manager.post('/api/v1/contacts', { customerId: other.id, name: '欧阳克', decisionRole: 'user' });
    const byName = await allPages(manager, `/api/v1/contacts?q=${encodeURIComponent('欧阳')}`);
    expect(byName.map((c) => c.name).sort()).toEqual(['欧阳克', '欧阳锋']);
    const byPinyin = await allPages(manager, '/api/v1/contacts?q=ouyangf');
    expect(byPinyin.map((c) => c.name)).toEqual(['欧阳锋']);
    const byMobile = await allPages(manager, '/api/v1/contacts?q=0000111');
    expect(byMobile.map((c) => c.name)).toEqual(['欧阳锋']);
    // support staff see mobiles masked: digits do not search them
    expect(await allPages(service, '/api/v1/contacts?q=0000111')).toEqual([]);
    const byRole = await allPages(
      manager,
      `/api/v1/contacts?q=${encodeURIComponent('欧阳')}&decisionRole=user`,
    );
    expect(byRole.map((c) => c.name)).toEqual(['欧阳克']);
    const byCustomer = await allPages(manager, `/api/v1/contacts?customerId=${other.id}`);
    expect(byCustomer.map((c) => c.name)).toEqual(['欧阳克']);
    const paged = await allPages(manager, '/api/v1/contacts?limit=2');
    const whole = await allPages(manager, '/api/v1/contacts?limit=200');
    expect(paged.map((c) => c.id)).toEqual(whole.map((c) => c.id));
    expect(new Set(whole.map((c) => c.id)).size).toBe(whole.length);
    const bad = await manager.get('/api/v1/contacts?cursor=nonsense');
    expect(bad.status).toBe(400);
  });
});
