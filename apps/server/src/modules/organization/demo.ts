import { randomUUID } from 'node:crypto';
import { type BuiltinRoleKey, pinyinKey } from '@kam/domain';
import type { Database, Tx } from '../../db/database.js';
import { hashPassword } from '../auth/crypto.js';
import { setPassword } from '../auth/service.js';
import { insertUser, type NewOrganization } from './bootstrap.js';

/** The documented password of every demo account (README). */
export const DEMO_PASSWORD = 'Kam@2026demo';

export interface DemoLogin {
  login: string;
  name: string;
  role: BuiltinRoleKey;
  department: string;
}

/** A realistic demo company: headquarters, two sales regions with branches, support centres. */
const DEPARTMENTS: { key: string; parent: string | null; name: string; code: string }[] = [
  { key: 'east', parent: null, name: '华东大区', code: 'EAST' },
  { key: 'sh', parent: 'east', name: '上海销售一部', code: 'SH01' },
  { key: 'hz', parent: 'east', name: '杭州销售部', code: 'HZ01' },
  { key: 'south', parent: null, name: '华南大区', code: 'SOUTH' },
  { key: 'sz', parent: 'south', name: '深圳销售部', code: 'SZ01' },
  { key: 'gz', parent: 'south', name: '广州销售部', code: 'GZ01' },
  { key: 'cs', parent: null, name: '客户服务中心', code: 'CS' },
  { key: 'ts', parent: null, name: '技术支持部', code: 'TS' },
  { key: 'dl', parent: null, name: '交付中心', code: 'DL' },
  { key: 'audit', parent: null, name: '内审部', code: 'AUDIT' },
];

const USERS: {
  login: string;
  name: string;
  role: BuiltinRoleKey;
  dept: string;
  mobile: string;
  head?: boolean;
}[] = [
  {
    login: 'director',
    name: '赵明',
    role: 'sales_director',
    dept: 'east',
    mobile: '+8613800000001',
    head: true,
  },
  { login: 'head', name: '钱芳', role: 'department_head', dept: 'sh', mobile: '+8613800000002', head: true },
  { login: 'manager', name: '孙伟', role: 'account_manager', dept: 'sh', mobile: '+8613800000003' },
  { login: 'manager2', name: '李强', role: 'account_manager', dept: 'hz', mobile: '+8613800000004' },
  {
    login: 'south.head',
    name: '周婷',
    role: 'department_head',
    dept: 'sz',
    mobile: '+8613800000005',
    head: true,
  },
  { login: 'manager3', name: '吴磊', role: 'account_manager', dept: 'sz', mobile: '+8613800000006' },
  { login: 'service', name: '郑丽', role: 'customer_service', dept: 'cs', mobile: '+8613800000007' },
  { login: 'tech', name: '王涛', role: 'technical_support', dept: 'ts', mobile: '+8613800000008' },
  { login: 'delivery', name: '冯雪', role: 'delivery', dept: 'dl', mobile: '+8613800000009' },
  { login: 'auditor', name: '陈静', role: 'auditor', dept: 'audit', mobile: '+8613800000010' },
];

export const DEMO_LOGINS: DemoLogin[] = USERS.map((u) => ({
  login: u.login,
  name: u.name,
  role: u.role,
  department: DEPARTMENTS.find((d) => d.key === u.dept)!.name,
}));

/** Seeds the demo company into a freshly created organisation. */
export async function seedDemo(db: Database, org: NewOrganization, now = new Date()): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  await db.withTenant(org.tenantId, async (tx) => {
    const company = '星海科技有限公司';
    await tx.query(
      `UPDATE departments SET name = $2, name_pinyin = $3, code = 'HQ' WHERE tenant_id = kam_tenant() AND id = $1`,
      [org.rootDepartmentId, company, pinyinKey(company)],
    );
    const ids = new Map<string, string>();
    for (const d of DEPARTMENTS) {
      const id = randomUUID();
      ids.set(d.key, id);
      const parent = d.parent ? ids.get(d.parent)! : org.rootDepartmentId;
      await insertDepartment(tx, { id, parentId: parent, name: d.name, code: d.code, now });
    }
    for (const u of USERS) {
      const userId = await insertUser(tx, {
        tenantId: org.tenantId,
        login: u.login,
        displayName: u.name,
        departmentId: ids.get(u.dept)!,
        roleIds: [org.roleIds[u.role]],
        mobile: u.mobile,
        email: `${u.login.replace('.', '-')}@demo.kam.example`,
        now,
      });
      await setPassword(tx, { userId, hash, mustChange: false, now });
      if (u.head) {
        await tx.query(
          'UPDATE departments SET head_user_id = $2 WHERE tenant_id = kam_tenant() AND id = $1',
          [ids.get(u.dept)!, userId],
        );
      }
    }
  });
}

async function insertDepartment(
  tx: Tx,
  d: { id: string; parentId: string; name: string; code: string; now: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO departments (tenant_id, id, parent_id, name, name_pinyin, code, path, created_at, updated_at)
     SELECT kam_tenant(), $1, $2, $3, $6, $4, p.path || $1::uuid, $5, $5
     FROM departments p WHERE p.tenant_id = kam_tenant() AND p.id = $2`,
    [d.id, d.parentId, d.name, d.code, d.now, pinyinKey(d.name)],
  );
}
