/**
 * Migrations that rewrite data: applied to a database holding rows of the earlier shape (a fresh embedded
 * database migrated up to the version before), the rows come out in the new shape and nothing is lost.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../src/db/database.js';
import { listMigrations, migrate } from '../src/db/migrate.js';

let db: Database;

beforeAll(async () => {
  db = await Database.open({ poolSize: 2 });
}, 60_000);
afterAll(async () => {
  await db?.close();
});

describe('0022: tier-change events, one per statement', () => {
  it('rewrites each per-customer event into an event listing its one change, and drops customer_id', async () => {
    await migrate(
      db,
      listMigrations().filter((m) => m.version < 22),
    );
    const tenant = randomUUID();
    const model = randomUUID();
    const run = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    const head = { modelId: model, modelVersion: 3, runId: run, reason: 'full_run', tierOfRecord: true };
    await db.withSystem((tx) =>
      tx.query(
        `INSERT INTO tier_events_outbox (tenant_id, customer_id, model_id, payload, processed_at) VALUES
           ($1, $2, $4, $5, NULL), ($1, $3, $4, $6, now())`,
        [
          tenant,
          a,
          b,
          model,
          JSON.stringify({ ...head, customerId: a, from: null, to: 'A', decidedBy: 'threshold' }),
          JSON.stringify({ ...head, customerId: b, from: 'B', to: 'C', decidedBy: 'cap' }),
        ],
      ),
    );

    await migrate(db);

    const { rows } = await db.withSystem((tx) =>
      tx.query<{ changes: number; payload: unknown; processed: boolean }>(
        `SELECT changes, payload, processed_at IS NOT NULL AS processed FROM tier_events_outbox
         WHERE tenant_id = $1 ORDER BY seq`,
        [tenant],
      ),
    );
    expect(rows).toEqual([
      {
        changes: 1,
        processed: false,
        payload: { ...head, changes: [{ customerId: a, from: null, to: 'A', decidedBy: 'threshold' }] },
      },
      {
        changes: 1,
        processed: true,
        payload: { ...head, changes: [{ customerId: b, from: 'B', to: 'C', decidedBy: 'cap' }] },
      },
    ]);
    const { rows: columns } = await db.withSystem((tx) =>
      tx.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'tier_events_outbox' AND column_name = 'customer_id'`,
      ),
    );
    expect(columns).toHaveLength(0);
  }, 60_000);
});
