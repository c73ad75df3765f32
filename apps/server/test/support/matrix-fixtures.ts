import { randomBytes, randomUUID } from 'node:crypto';
import type { BuiltinRoleKey } from '@kam/domain';
import { setPassword } from '../../src/modules/auth/service.js';
import { insertUser } from '../../src/modules/organization/bootstrap.js';
import type { TestEnv, TestOrg } from './harness.js';

/**
 * Quick SQL fixtures for the permission matrix: fresh records per case, so that cases stay
 * independent and every mutation finds its target in the expected state (right version, status).
 */

let counter = 0;
/** A short unique suffix usable in logins, names and codes. */
export const unique = (): string => `${(++counter).toString(36)}${randomBytes(3).toString('hex')}`;

export type UserStatus = 'active' | 'disabled' | 'locked';

export class MatrixFixtures {
  private constructor(
    readonly env: TestEnv,
    readonly org: TestOrg,
    /** demo department ids by code (SH01, SZ01, HZ01, GZ01, …) */
    readonly dept: Record<string, string>,
    /** demo user ids by login (admin included) */
    readonly userIds: Record<string, string>,
  ) {}

  static async load(env: TestEnv, org: TestOrg): Promise<MatrixFixtures> {
    const fx = new MatrixFixtures(env, org, {}, {});
    for (const d of await fx.sql<{ id: string; code: string | null }>(
      'SELECT id, code FROM departments WHERE tenant_id = kam_tenant()',
    )) {
      if (d.code) fx.dept[d.code] = d.id;
    }
    for (const u of await fx.sql<{ id: string; login: string }>(
      'SELECT id, login FROM users WHERE tenant_id = kam_tenant()',
    )) {
      fx.userIds[u.login] = u.id;
    }
    return fx;
  }

  sql<T extends Record<string, any> = Record<string, any>>(text: string, params: unknown[] = []) {
    return this.env.db.withTenant(this.org.tenantId, async (tx) => (await tx.query<T>(text, params)).rows);
  }

  /** The department a user belongs to. */
  async departmentOf(userId: string): Promise<string> {
    const rows = await this.sql<{ department_id: string }>(
      'SELECT department_id FROM users WHERE tenant_id = kam_tenant() AND id = $1',
      [userId],
    );
    return rows[0]!.department_id;
  }

  /** A new empty department under `parentId` (version 1). */
  async department(parentId: string): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO departments (tenant_id, id, parent_id, name, path)
       SELECT kam_tenant(), $1, $2, $3, p.path || $1::uuid FROM departments p
       WHERE p.tenant_id = kam_tenant() AND p.id = $2`,
      [id, parentId, `矩阵部门-${unique()}`],
    );
    return { id, version: 1 };
  }

  /** A new user in `departmentId` with a built-in role, in the given status; with a password when given. */
  async user(
    departmentId: string,
    opts: { role?: BuiltinRoleKey; status?: UserStatus; passwordHash?: string; login?: string } = {},
  ): Promise<{ id: string; login: string; version: number }> {
    const login = opts.login ?? `mx-${unique()}`;
    const now = new Date();
    return this.env.db.withTenant(this.org.tenantId, async (tx) => {
      const id = await insertUser(tx, {
        tenantId: this.org.tenantId,
        login,
        displayName: `矩阵用户 ${login}`,
        departmentId,
        roleIds: [this.org.roleIds[opts.role ?? 'account_manager']],
        email: `${login}@matrix.kam.example`,
        mobile: '+8613900000000',
        now,
      });
      if (opts.passwordHash)
        await setPassword(tx, { userId: id, hash: opts.passwordHash, mustChange: false, now });
      const status = opts.status ?? 'active';
      if (status !== 'active') {
        await tx.query(
          `UPDATE users SET status = $2, locked_at = CASE WHEN $2 = 'locked' THEN $3::timestamptz END
           WHERE tenant_id = kam_tenant() AND id = $1`,
          [id, status, now],
        );
      }
      const { rows } = await tx.query<{ version: number }>(
        'SELECT version FROM users WHERE tenant_id = kam_tenant() AND id = $1',
        [id],
      );
      return { id, login, version: rows[0]!.version };
    });
  }

  /** A new custom role without grants, held by nobody (version 1). */
  async customRole(): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO roles (tenant_id, id, name, grants, field_rules) VALUES (kam_tenant(), $1, $2, '[]', '[]')`,
      [id, `矩阵角色-${unique()}`],
    );
    return { id, version: 1 };
  }

  /** A new working API token of `userId` (the secret is never needed). */
  async token(userId: string): Promise<string> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO api_tokens (tenant_id, id, user_id, name, prefix, token_hash, permissions)
       VALUES (kam_tenant(), $1, $2, $3, $4, $5, $6)`,
      [
        id,
        userId,
        `矩阵令牌-${unique()}`,
        randomBytes(4).toString('hex'),
        randomBytes(32).toString('hex'),
        [],
      ],
    );
    return id;
  }

  /** A new live session of `userId` (nobody holds its cookie). */
  async session(userId: string): Promise<string> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO sessions (tenant_id, id, user_id, token_hash, csrf_token, expires_at)
       VALUES (kam_tenant(), $1, $2, $3, $4, now() + interval '1 hour')`,
      [id, userId, randomBytes(32).toString('hex'), randomBytes(16).toString('hex')],
    );
    return id;
  }

  /** The user's live sessions. */
  async sessionsOf(userId: string): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(
      `SELECT id FROM sessions WHERE tenant_id = kam_tenant() AND user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A fresh customer. "in": owned by `manager` (上海销售一部) with `service`, `tech` and `delivery` on
   * its account team (read_write) — inside the sphere of director, head, manager and the support
   * staff. "out": owned by `manager3` (深圳销售部), no team — outside everyone's but the super admin's.
   */
  async customer(where: 'in' | 'out'): Promise<{ id: string; version: number; name: string }> {
    const id = randomUUID();
    const name = `矩阵客户${unique()}有限公司`;
    const owner = this.userIds[where === 'in' ? 'manager' : 'manager3']!;
    const dept = this.dept[where === 'in' ? 'SH01' : 'SZ01']!;
    await this.sql(
      `INSERT INTO customers (tenant_id, id, name, name_norm, name_pinyin, status, owner_id, department_id)
       VALUES (kam_tenant(), $1, $2, $3, $3, 'active', $4, $5)`,
      [id, name, name.toLowerCase(), owner, dept],
    );
    const team: [string, string][] = [[owner, 'owner']];
    if (where === 'in') {
      team.push(
        [this.userIds.service!, 'customer_service'],
        [this.userIds.tech!, 'technical_support'],
        [this.userIds.delivery!, 'delivery'],
      );
    }
    for (const [userId, role] of team) {
      await this.sql(
        `INSERT INTO customer_team (tenant_id, customer_id, user_id, team_role, access)
         VALUES (kam_tenant(), $1, $2, $3, 'read_write')`,
        [id, userId, role],
      );
    }
    return { id, version: 1, name };
  }

  /** A fresh contact of a customer (version 1). */
  async contact(customerId: string): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO contacts (tenant_id, id, customer_id, name, name_pinyin, mobile, email)
       VALUES (kam_tenant(), $1, $2, $3, $3, '+8613912345678', 'contact@matrix.kam.example')`,
      [id, customerId, `联系人${unique()}`],
    );
    return { id, version: 1 };
  }

  /** A fresh follow-up of a customer by its owner (version 1). */
  async followUp(customerId: string): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO follow_ups (tenant_id, id, customer_id, type, at, author_id, summary)
       SELECT kam_tenant(), $1, c.id, 'call', now(), c.owner_id, '矩阵跟进'
       FROM customers c WHERE c.tenant_id = kam_tenant() AND c.id = $2`,
      [id, customerId],
    );
    return { id, version: 1 };
  }

  /** A fresh confirmed order of a customer (version 1). */
  async order(customerId: string): Promise<{ id: string; version: number; orderNo: string }> {
    const id = randomUUID();
    const orderNo = `MX-${unique()}`;
    await this.sql(
      `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount)
       VALUES (kam_tenant(), $1, $2, $3, current_date, 1000.00)`,
      [id, orderNo, customerId],
    );
    return { id, version: 1, orderNo };
  }

  /** A fresh unpaid payment instalment of an order (version 1). */
  async payment(orderId: string): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO payments (tenant_id, id, order_id, customer_id, amount, due_date)
       SELECT kam_tenant(), $1, o.id, o.customer_id, 500.00, current_date + 30
       FROM orders o WHERE o.tenant_id = kam_tenant() AND o.id = $2`,
      [id, orderId],
    );
    return { id, version: 1 };
  }

  /** A fresh open service record (a question) of a customer (version 1). */
  async serviceRecord(customerId: string): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    await this.sql(
      `INSERT INTO service_records (tenant_id, id, customer_id, type, severity, title, opened_at)
       VALUES (kam_tenant(), $1, $2, 'question', 'medium', $3, now())`,
      [id, customerId, `矩阵工单${unique()}`],
    );
    return { id, version: 1 };
  }

  /** The organisation's security policy version. */
  async policyVersion(): Promise<number> {
    const rows = await this.sql<{ version: number }>(
      'SELECT version FROM tenants WHERE tenant_id = kam_tenant()',
    );
    return rows[0]!.version;
  }

  /** `authz.denied` entries written for one request (by its request id). */
  async denialsOf(
    requestId: string,
  ): Promise<{ entity_id: string | null; details: Record<string, unknown> }[]> {
    return this.sql(
      `SELECT entity_id, details FROM audit_log
       WHERE tenant_id = kam_tenant() AND action = 'authz.denied' AND request_id = $1`,
      [requestId],
    );
  }

  async countDenials(): Promise<number> {
    const rows = await this.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = kam_tenant() AND action = 'authz.denied'`,
    );
    return rows[0]!.n;
  }
}
