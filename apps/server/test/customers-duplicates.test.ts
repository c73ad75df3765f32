import { creditCodeCheckChar } from '@kam/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

/**
 * Duplicate prevention (decision 0010): credit code and normalised name are unique among live
 * customers; a conflict with a customer the user cannot see reveals only its owner; similar names
 * warn unless overridden with a reason.
 */

let env: TestEnv;
let org: TestOrg;
let admin: Client;
let director: Client;
let manager: Client;
let manager3: Client;

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  env.db.withTenant(org.tenantId, async (tx) => (await tx.query<T>(sql, params)).rows);

const code = (n: number) => {
  const body = `91440300MA5D${String(n).padStart(5, '0')}`;
  return body + creditCodeCheckChar(body)!;
};

beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env, { demo: true });
  admin = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
  director = await Client.signIn(env, org.slug, 'director');
  manager = await Client.signIn(env, org.slug, 'manager');
  manager3 = await Client.signIn(env, org.slug, 'manager3');
});
afterAll(() => env.close());

describe('exact duplicates', () => {
  let theirs: { id: string; name: string };

  beforeAll(async () => {
    const res = await manager3.post('/api/v1/customers', {
      name: '深圳鹏程光电科技有限公司',
      creditCode: code(1),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    theirs = res.body;
  });

  it('a conflict with a customer the user cannot see reveals only its owner: “该客户已由 吴磊 负责”', async () => {
    for (const body of [
      { name: '深圳鹏程光电科技股份有限公司' }, // same normalised name
      { name: '（深圳）鹏程 光电科技有限公司'.replace('（深圳）', '深圳') },
      { name: '完全不同的名字科技有限公司', creditCode: code(1) },
    ]) {
      const res = await manager.post('/api/v1/customers', body);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error.code).toBe('CUSTOMER_DUPLICATE_OWNED');
      expect(res.body.error.message).toBe('该客户已由 吴磊 负责');
      expect(Object.keys(res.body.error.details).sort()).toEqual(['field', 'ownerName']);
      expect(res.body.error.details.ownerName).toBe('吴磊');
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(theirs.id);
      expect(text).not.toContain('鹏程光电科技有限公司');
    }
    // the director of the other region cannot see it either
    const dir = await director.post('/api/v1/customers', { name: '深圳鹏程光电科技有限公司' });
    expect(dir.body.error.code).toBe('CUSTOMER_DUPLICATE_OWNED');
    // the English message names the owner too
    manager.locale = 'en';
    const en = await manager.post('/api/v1/customers', { name: '深圳鹏程光电科技有限公司' });
    manager.locale = 'zh-CN';
    expect(en.body.error.message).toBe('This customer already exists and is owned by 吴磊.');
  });

  it('a conflict with a visible customer names it', async () => {
    const res = await admin.post('/api/v1/customers', { name: '深圳鹏程光电科技有限公司' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CUSTOMER_DUPLICATE');
    expect(res.body.error.details).toEqual({
      field: 'name',
      existing: { id: theirs.id, name: '深圳鹏程光电科技有限公司', ownerName: '吴磊' },
    });
    const byCode = await manager3.post('/api/v1/customers', {
      name: '另一家公司名称有限公司',
      creditCode: code(1),
    });
    expect(byCode.body.error.details.field).toBe('creditCode');
  });

  it('the duplicate override does not bypass an exact conflict; an edit into a conflict is refused', async () => {
    const res = await manager.post('/api/v1/customers', {
      name: '深圳鹏程光电科技有限公司',
      duplicateOverride: { reason: '确实是另一家' },
    });
    expect(res.body.error.code).toBe('CUSTOMER_DUPLICATE_OWNED');
    const mine = (await manager.post('/api/v1/customers', { name: '上海青禾食品有限公司' })).body;
    const edit = await manager.patch(`/api/v1/customers/${mine.id}`, { version: 1, creditCode: code(1) });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('CUSTOMER_DUPLICATE_OWNED');
    // editing a customer's own name to itself is not a conflict
    const self = await manager.patch(`/api/v1/customers/${mine.id}`, {
      version: 1,
      name: '上海青禾食品股份有限公司',
    });
    expect(self.status).toBe(200);
  });

  it('check-duplicates gives the same answer for the live check, with the same reveal rules', async () => {
    const res = await manager.post('/api/v1/customers/check-duplicates', {
      name: '深圳鹏程光电科技有限公司',
      creditCode: code(1),
    });
    expect(res.status).toBe(200);
    expect(res.body.conflicts).toEqual([
      { field: 'creditCode', ownerName: '吴磊' },
      { field: 'name', ownerName: '吴磊' },
    ]);
    const visible = await manager3.post('/api/v1/customers/check-duplicates', {
      name: '深圳鹏程光电科技有限公司',
    });
    expect(visible.body.conflicts[0].existing.id).toBe(theirs.id);
    const excluded = await manager3.post('/api/v1/customers/check-duplicates', {
      name: '深圳鹏程光电科技有限公司',
      excludeId: theirs.id,
    });
    expect(excluded.body.conflicts).toEqual([]);
  });

  it('concurrent creates of the same company: exactly one succeeds (the unique index decides)', async () => {
    const results = await Promise.all(
      [manager, manager3, director].map((c) =>
        c.post('/api/v1/customers', { name: '并发测试机电设备有限公司', creditCode: code(77) }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(['CUSTOMER_DUPLICATE', 'CUSTOMER_DUPLICATE_OWNED']).toContain(r.body.error.code);
    }
    const rows = await q(`SELECT id FROM customers WHERE tenant_id = kam_tenant() AND credit_code = $1`, [
      code(77),
    ]);
    expect(rows.length).toBe(1);
  });
});

describe('unique-index races on edit and restore', () => {
  const override = { reason: '并发测试，名称独立' };
  const audits = (id: string, action: string) =>
    q(`SELECT id FROM audit_log WHERE tenant_id = kam_tenant() AND entity_id = $1 AND action = $2`, [
      id,
      action,
    ]);

  it('two concurrent renames of different customers to the same name: one 200, one 409, the loser untouched', async () => {
    for (let round = 0; round < 3; round++) {
      const a = (
        await director.post('/api/v1/customers', {
          name: `甲乙丙并发改名${round}号原厂`,
          duplicateOverride: override,
        })
      ).body;
      const b = (
        await director.post('/api/v1/customers', {
          name: `丁戊己竞态更名${round}号旧店`,
          duplicateOverride: override,
        })
      ).body;
      expect([a.version, b.version]).toEqual([1, 1]);
      const target = `庚辛壬癸同名${round}号贸易有限公司`;
      const results = await Promise.all(
        [a, b].map((c) =>
          director.patch(`/api/v1/customers/${c.id}`, {
            version: 1,
            name: target,
            duplicateOverride: override,
          }),
        ),
      );
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([
        200, 409,
      ]);
      const winner = results[0]!.status === 200 ? a : b;
      const loser = winner === a ? b : a;
      const lost = results.find((r) => r.status === 409)!;
      expect(lost.body.error.code).toBe('CUSTOMER_DUPLICATE');
      expect(lost.body.error.details).toMatchObject({
        field: 'name',
        existing: { id: winner.id, name: target },
      });

      const rows = await q<{ id: string; name: string; version: number }>(
        `SELECT id, name, version FROM customers WHERE tenant_id = kam_tenant() AND id = ANY($1::uuid[])`,
        [[a.id, b.id]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(winner.id)).toMatchObject({ name: target, version: 2 });
      // no half state: the loser keeps its name and version, and no update of it was audited
      expect(byId.get(loser.id)).toMatchObject({ name: loser.name, version: 1 });
      expect(await audits(loser.id, 'customer.update')).toEqual([]);
      expect((await audits(winner.id, 'customer.update')).length).toBe(1);
    }
  });

  it('restoring a deleted customer while a live one with its credit code is created: one wins, the other gets 409', async () => {
    for (let round = 0; round < 4; round++) {
      const cc = code(600 + round);
      const old = (
        await director.post('/api/v1/customers', {
          name: `子丑寅卯复原测试${round}号老厂`,
          creditCode: cc,
          duplicateOverride: override,
        })
      ).body;
      expect((await director.delete(`/api/v1/customers/${old.id}?version=1`)).status).toBe(204);
      const newName = `辰巳午未新建竞争${round}号新厂`;
      const [restore, create] = await Promise.all([
        director.post(`/api/v1/customers/${old.id}/restore`, { version: 2 }),
        director.post('/api/v1/customers', { name: newName, creditCode: cc, duplicateOverride: override }),
      ]);
      const statuses = [restore.status, create.status];
      expect(
        [
          [200, 409],
          [409, 201],
        ],
        JSON.stringify([restore.body, create.body]),
      ).toContainEqual(statuses);
      const live = await q<{ id: string; name: string }>(
        `SELECT id, name FROM customers WHERE tenant_id = kam_tenant() AND credit_code = $1 AND deleted_at IS NULL`,
        [cc],
      );
      expect(live.length).toBe(1);
      const [restored] = await q<{ deleted_at: Date | null; version: number }>(
        `SELECT deleted_at, version FROM customers WHERE tenant_id = kam_tenant() AND id = $1`,
        [old.id],
      );
      if (restore.status === 200) {
        expect(create.body.error.code).toBe('CUSTOMER_DUPLICATE');
        expect(create.body.error.details).toMatchObject({ field: 'creditCode', existing: { id: old.id } });
        expect(live[0]!.id).toBe(old.id);
        expect(restored).toMatchObject({ deleted_at: null, version: 3 });
        expect(
          await q(`SELECT id FROM customers WHERE tenant_id = kam_tenant() AND name = $1`, [newName]),
        ).toEqual([]);
      } else {
        expect(restore.body.error.code).toBe('CUSTOMER_DUPLICATE');
        expect(restore.body.error.details).toMatchObject({
          field: 'creditCode',
          existing: { id: create.body.id },
        });
        expect(live[0]!.id).toBe(create.body.id);
        // the deleted customer stays deleted, unchanged; no restore audited
        expect(restored!.deleted_at).not.toBeNull();
        expect(restored!.version).toBe(2);
        expect(await audits(old.id, 'customer.restore')).toEqual([]);
      }
    }
  });
});

describe('similar names', () => {
  it('warn with the visible matches, count the invisible ones, and go ahead with an audited reason', async () => {
    const seen = (await manager.post('/api/v1/customers', { name: '杭州远景智能制造有限公司' })).body;
    const hidden = await manager3.post('/api/v1/customers', { name: '杭州远景智能制造设备有限公司' });
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(409);
    expect(hidden.body.error.code).toBe('CUSTOMER_SIMILAR');
    // manager3 cannot see 孙伟's customer: only counted
    expect(hidden.body.error.details).toEqual({ similar: [], similarHiddenCount: 1 });

    const warn = await manager.post('/api/v1/customers', { name: '杭州远景智能制造装备有限公司' });
    expect(warn.status).toBe(409);
    expect(warn.body.error.code).toBe('CUSTOMER_SIMILAR');
    expect(warn.body.error.details.similar[0]).toMatchObject({
      id: seen.id,
      name: '杭州远景智能制造有限公司',
      ownerName: '孙伟',
    });
    expect(warn.body.error.details.similar[0].similarity).toBeGreaterThanOrEqual(0.6);

    const short = await manager.post('/api/v1/customers', {
      name: '杭州远景智能制造装备有限公司',
      duplicateOverride: { reason: 'x' },
    });
    expect(short.status).toBe(400);
    const ok = await manager.post('/api/v1/customers', {
      name: '杭州远景智能制造装备有限公司',
      duplicateOverride: { reason: '装备公司是独立法人' },
    });
    expect(ok.status).toBe(201);
    const [audit] = await q<{ details: { duplicateOverride: { reason: string; similarIds: string[] } } }>(
      `SELECT details FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'customer.create' AND entity_id = $1`,
      [ok.body.id],
    );
    expect(audit!.details.duplicateOverride).toEqual({ reason: '装备公司是独立法人', similarIds: [seen.id] });

    const live = await manager.post('/api/v1/customers/check-duplicates', {
      name: '杭州远景智能制造设备有限公司',
    });
    expect(live.body.conflicts).toEqual([]);
    expect(live.body.similar.map((s: { id: string }) => s.id)).toContain(seen.id);
  });

  it('deleted customers do not count as duplicates', async () => {
    const c = (await director.post('/api/v1/customers', { name: '苏州工业园区晨光包装有限公司' })).body;
    expect((await director.delete(`/api/v1/customers/${c.id}?version=1`)).status).toBe(204);
    const again = await director.post('/api/v1/customers', { name: '苏州工业园区晨光包装有限公司' });
    expect(again.status).toBe(201);
  });
});
