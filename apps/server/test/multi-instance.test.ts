import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  openTestDatabase,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

/**
 * Two KAM web instances against one PostgreSQL server (each with its own connection pool, as two
 * processes behind a load balancer would have) share sessions: a sign-in on one is valid on the
 * other, and a sign-out on one ends it on both. (Scheduled jobs running once across instances are
 * tested in src/jobs/multi-instance.test.ts.) Only meaningful on a server: skipped on the embedded
 * database, which one process owns.
 */
const onServer = inject('kamDatabaseUrl') !== null;

describe.skipIf(!onServer)('two instances on one PostgreSQL server', () => {
  let one: TestEnv;
  let two: TestEnv;
  let org: TestOrg;

  beforeAll(async () => {
    one = await createTestEnv({ db: await openTestDatabase() });
    two = await createTestEnv({ db: await openTestDatabase() });
    org = await createTestOrg(one, { demo: true });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await one.db.close();
    await two.db.close();
  });

  it('share sessions: sign in on one, work on the other, sign out everywhere from either', async () => {
    const onOne = await Client.signIn(one, org.slug, 'admin', ADMIN_PASSWORD);
    const onTwo = new Client(two, org.slug);
    onTwo.cookie = onOne.cookie;
    onTwo.csrf = onOne.csrf;
    expect((await onTwo.get('/api/v1/me')).body.login).toBe('admin');
    expect((await onTwo.patch('/api/v1/me', { locale: 'en' })).status).toBe(200);
    expect((await onOne.get('/api/v1/me')).body.locale).toBe('en');
    expect((await onTwo.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await onOne.get('/api/v1/me')).status).toBe(401);
  });

  it('see each other’s lockouts: failures counted on both instances lock the account', async () => {
    const a = new Client(one, org.slug);
    const b = new Client(two, org.slug);
    for (let i = 0; i < 4; i++) await (i % 2 ? a : b).login('manager2', 'wrong');
    expect((await a.login('manager2', 'wrong')).body.error.code).toBe('AUTH_LOCKED');
    expect((await b.login('manager2', 'Kam@2026demo')).body.error.code).toBe('AUTH_LOCKED');
  });
});
