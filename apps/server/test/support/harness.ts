import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { Database } from '../../src/db/database.js';
import { buildApp } from '../../src/http/app.js';
import { InlineQueue } from '../../src/jobs/inline.js';
import { createOrganization, type NewOrganization } from '../../src/modules/organization/bootstrap.js';
import { DEMO_LOGINS, DEMO_PASSWORD, type DemoLogin, seedDemo } from '../../src/modules/organization/demo.js';

export const ADMIN_PASSWORD = 'Admin@2026x';

/** The run's test database: the server's throwaway database, or a fresh embedded copy of the snapshot. */
export async function openTestDatabase(): Promise<Database> {
  const url = inject('kamDatabaseUrl');
  if (url) return Database.open({ url, poolSize: 5 });
  const path = inject('kamSnapshotPath');
  if (!path) throw new Error('test database not prepared (global setup missing)');
  return Database.open({ poolSize: 5, snapshot: new Blob([readFileSync(path)]) });
}

/** A controllable clock for session and lockout tests. */
export class TestClock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

export interface TestEnv {
  db: Database;
  app: FastifyInstance;
  jobs: InlineQueue;
  clock: TestClock;
  close(): Promise<void>;
}

export async function createTestEnv(opts: { db?: Database; loginRateLimit?: number } = {}): Promise<TestEnv> {
  const db = opts.db ?? (await openTestDatabase());
  const clock = new TestClock();
  const jobs = new InlineQueue();
  const app = await buildApp({
    config: {
      trustProxy: false,
      cookieSecure: 'never',
      loginRateLimit: opts.loginRateLimit ?? 10_000,
      logLevel: 'silent',
    },
    db,
    jobs,
    clock: clock.now,
    serveWeb: false,
  });
  await app.ready();
  return {
    db,
    app,
    jobs,
    clock,
    async close() {
      await app.close();
      await jobs.stop();
      if (!opts.db) await db.close();
    },
  };
}

export interface TestOrg extends NewOrganization {
  /** The demo company's users by login (when seeded). */
  demo: DemoLogin[];
}

/** A fresh organisation (its own tenant) so test files never see each other's data. */
export async function createTestOrg(env: TestEnv, opts: { demo?: boolean } = {}): Promise<TestOrg> {
  const slug = `t-${randomBytes(6).toString('hex')}`;
  const org = await createOrganization(env.db, {
    slug,
    name: `测试公司 ${slug}`,
    adminPassword: ADMIN_PASSWORD,
  });
  if (opts.demo) await seedDemo(env.db, org);
  return { ...org, demo: opts.demo ? DEMO_LOGINS : [] };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** A browser-like API client over app.inject: keeps the session cookie and sends the CSRF token. */
export class Client {
  cookie: string | null = null;
  csrf: string | null = null;
  bearer: string | null = null;
  locale = 'zh-CN';

  constructor(
    readonly env: TestEnv,
    readonly org?: string,
  ) {}

  static async signIn(env: TestEnv, org: string, login: string, password = DEMO_PASSWORD): Promise<Client> {
    const c = new Client(env, org);
    const res = await c.login(login, password);
    if (res.status !== 200)
      throw new Error(`sign-in of ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return c;
  }

  async login(login: string, password: string): Promise<Res> {
    const res = await this.request('POST', '/api/v1/auth/login', { login, password, organization: this.org });
    if (res.status === 200) {
      const set = res.headers['set-cookie'];
      const first = Array.isArray(set) ? set[0] : String(set);
      this.cookie = first?.split(';')[0] ?? null;
      this.csrf = (res.body as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  async request<T = any>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res<T>> {
    const h: Record<string, string> = { 'accept-language': this.locale, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const res = await this.env.app.inject({
      method: method as 'GET',
      url,
      headers: h,
      ...(body === undefined ? {} : { payload: body as object }),
    });
    const text = res.body;
    let parsed: unknown = text;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && text) parsed = JSON.parse(text);
    return { status: res.statusCode, body: parsed as T, headers: res.headers };
  }

  get<T = any>(url: string) {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body: unknown = {}) {
    return this.request<T>('POST', url, body);
  }
  put<T = any>(url: string, body: unknown) {
    return this.request<T>('PUT', url, body);
  }
  patch<T = any>(url: string, body: unknown) {
    return this.request<T>('PATCH', url, body);
  }
  delete<T = any>(url: string) {
    return this.request<T>('DELETE', url);
  }
}
