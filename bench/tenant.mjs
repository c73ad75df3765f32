// The generated bench tenant, opened for a bench: a throwaway database (generated for this run),
// or with KAM_BENCH_KEEP=1 a kept database `kam_bench_keep_<customers>` generated once and reused
// (a marker row records a completed generation; an incomplete kept database is regenerated).
import { migrate } from '../apps/server/dist/db/migrate.js';
import { BENCH_SLUG, benchActors, generateTenant, sizesFromEnv, tenantCounts } from './generate-tenant.mjs';
import { dropBenchDatabase, openBenchDatabase } from './lib.mjs';

export async function openBenchTenant({
  sizes = sizesFromEnv(),
  log = () => {},
  poolSize = 10,
  keep: allowKeep = true,
} = {}) {
  const keep =
    allowKeep && process.env.KAM_BENCH_KEEP === '1'
      ? `kam_bench_keep_${sizes.customers}_${sizes.orders}`
      : undefined;
  let opened = await openBenchDatabase({ keep, poolSize });
  let generation = null;
  if (opened.reused) {
    const { rows } = await opened.db.withSystem((tx) =>
      tx.query(`SELECT to_regclass('kam_sys.bench_generated') IS NOT NULL AS ok`),
    );
    const marker = rows[0].ok
      ? (
          await opened.db.withSystem((tx) =>
            tx.query('SELECT timings, generated_at FROM kam_sys.bench_generated'),
          )
        ).rows[0]
      : undefined;
    if (marker) {
      generation = { timings: marker.timings, reused: true, generatedAt: marker.generated_at };
    } else {
      log(`kept database ${keep} is incomplete: regenerating`);
      await opened.db.close();
      await dropBenchDatabase(keep);
      opened = await openBenchDatabase({ keep, poolSize });
    }
  }
  const { db } = opened;
  await migrate(db);
  let tenantId;
  let actors;
  if (generation) {
    const { rows } = await db.withSystem((tx) =>
      tx.query('SELECT tenant_id FROM kam_sys.tenant_directory WHERE slug = $1', [BENCH_SLUG]),
    );
    tenantId = rows[0].tenant_id;
    actors = await benchActors(db, tenantId);
  } else {
    const t = performance.now();
    const g = await generateTenant(db, sizes, log);
    tenantId = g.org.tenantId;
    actors = g.actors;
    generation = { timings: g.timings, totalMs: Math.round(performance.now() - t), reused: false };
    await db.withSystem(async (tx) => {
      await tx.query(
        'CREATE TABLE kam_sys.bench_generated (timings jsonb NOT NULL, generated_at timestamptz NOT NULL)',
      );
      await tx.query('INSERT INTO kam_sys.bench_generated VALUES ($1, now())', [
        JSON.stringify({ steps: g.timings, totalMs: generation.totalMs }),
      ]);
    });
    generation.timings = { steps: g.timings, totalMs: generation.totalMs };
  }
  const counts = await tenantCounts(db, tenantId);
  return { db, drop: opened.drop, name: opened.name, tenantId, actors, generation, counts, sizes };
}
