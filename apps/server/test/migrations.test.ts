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

describe('0026: whether an override decided the current tier, on tier_current', () => {
  it('marks the current tiers whose latest result an override decided, in every tenant, and no other', async () => {
    // a database of its own: the one above is migrated to the latest version already
    const db = await Database.open({ poolSize: 2 });
    try {
      await migrate(
        db,
        listMigrations().filter((m) => m.version < 26),
      );
      const [t1, t2] = [randomUUID(), randomUUID()];
      const model = randomUUID();
      const run = randomUUID();
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      // a: an override decided it (tenant 1); b: the model (tenant 1); c: an override, in tenant 2
      const rows: [string, string, string][] = [
        [t1, a, 'override'],
        [t1, b, 'model'],
        [t2, c, 'override'],
      ];
      await db.withSystem(async (tx) => {
        for (const [tenant, customer, decidedBy] of rows) {
          await tx.query(
            `INSERT INTO tier_results (tenant_id, model_id, customer_id, run_id, as_of, raw_tier, tier, decided_by)
           VALUES ($1, $2, $3, $4, '2026-12-01', 'B', 'A', $5)`,
            [tenant, model, customer, run, decidedBy],
          );
          await tx.query(
            `INSERT INTO tier_current (tenant_id, model_id, customer_id, tier, held_tier, run_id)
           VALUES ($1, $2, $3, 'A', 'B', $4)`,
            [tenant, model, customer, run],
          );
        }
      });

      await migrate(db);

      const { rows: flags } = await db.withSystem((tx) =>
        tx.query<{ customer_id: string; overridden: boolean }>(
          'SELECT customer_id, overridden FROM tier_current WHERE model_id = $1',
          [model],
        ),
      );
      expect(new Map(flags.map((r) => [r.customer_id, r.overridden]))).toEqual(
        new Map([
          [a, true],
          [b, false],
          [c, true],
        ]),
      );
      // row-level security is forced again on both tables
      const { rows: forced } = await db.withSystem((tx) =>
        tx.query<{ relname: string; relforcerowsecurity: boolean }>(
          `SELECT relname, relforcerowsecurity FROM pg_class WHERE relname IN ('tier_current', 'tier_results') ORDER BY relname`,
        ),
      );
      expect(forced).toEqual([
        { relname: 'tier_current', relforcerowsecurity: true },
        { relname: 'tier_results', relforcerowsecurity: true },
      ]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
