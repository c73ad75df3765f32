// Verification of the CLV fits on the published CDNOW example (not part of `npm test` or `npm run bench`):
//   npx tsc -b packages/domain && node bench/cdnow-fit.mjs [--json]
//   npm run build && node bench/cdnow-fit.mjs --server      (also the whole server pipeline, see 4.)
// Reads the 1/10 CDNOW sample (Fader, Hardie & Lee) from ../shared/datasets/cdnow (or KAM_CDNOW_DIR) and fits,
// with the built domain package (packages/domain/dist — the code the server runs):
//   1. BG/NBD on the 2,357 customers, weeks 1–39 (`cdnow_customers_summary_with_transactions.csv`: x, t_x, T);
//   2. Gamma-Gamma on the 946 customers with x > 0 (same file: z̄);
//   3. the same from the raw transactions (`CDNOW_sample.txt`) the way the server extracts them (a purchase is
//      a distinct day; x = purchase days after the first; t_x, T in days / 7; z̄ = mean repeat-day value to fen),
//      grouped by identical (x, t_x, T) as the server groups them;
//   4. with --server: the transactions imported as orders of a tenant in an embedded database (apps/server/dist),
//      a CLV model (time unit 7 days) run as of 1997-09-30 by the server's full run — its SQL extraction
//      ignores the later orders — and the parameters stored with the run compared with 3.
// Prints our parameters next to the published ones (FHL 2005; Fader & Hardie 2013) and the log-likelihoods.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdTotalLogLikelihood,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaTotalLogLikelihood,
} from '../packages/domain/dist/index.js';

const dir = process.env.KAM_CDNOW_DIR ?? join(import.meta.dirname, '../../shared/datasets/cdnow');
const json = process.argv.includes('--json');

const PUBLISHED_BG = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, ll: -9582.4 };
const PUBLISHED_GG = { p: 6.25, q: 3.74, gamma: 15.44, ll: -4055.92 };

function readSummary() {
  const lines = readFileSync(join(dir, 'cdnow_customers_summary_with_transactions.csv'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const [header, ...rows] = lines;
  if (header.trim() !== 'ID,x,t_x,T,zbar') throw new Error(`unexpected header: ${header}`);
  return rows.map((l) => {
    const [, x, tx, T, zbar] = l.split(',');
    return { x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}

/** The server's extraction rules on the raw sample, calibration period ending 1997-09-30. */
function extractFromTransactions() {
  const end = Date.UTC(1997, 8, 30) / 86_400_000;
  const byCustomer = new Map();
  for (const line of readFileSync(join(dir, 'CDNOW_sample.txt'), 'utf8').split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [, id, ymd, , value] = f;
    const day =
      Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(4, 6)) - 1, Number(ymd.slice(6, 8))) / 86_400_000;
    if (day > end) continue;
    const days = byCustomer.get(id) ?? new Map();
    // money in cents, exactly
    days.set(day, (days.get(day) ?? 0) + Math.round(Number(value) * 100));
    byCustomer.set(id, days);
  }
  const groups = new Map();
  const spend = [];
  for (const days of byCustomer.values()) {
    const sorted = [...days.keys()].sort((a, b) => a - b);
    const birth = sorted[0];
    const x = sorted.length - 1;
    const txDays = sorted[x] - birth;
    const tDays = end - birth;
    const key = `${x}:${txDays}:${tDays}`;
    const g = groups.get(key) ?? { x, tx: txDays / 7, T: tDays / 7, count: 0 };
    g.count++;
    groups.set(key, g);
    if (x > 0) {
      let cents = 0;
      for (const d of sorted.slice(1)) cents += days.get(d);
      // z̄ to fen, half-up (the server: kam_div_half_up(value * 100, x) * 0.01)
      spend.push({ x, zbar: Math.round(cents / x) / 100 });
    }
  }
  return { customers: byCustomer.size, bg: [...groups.values()], gg: spend };
}

const timed = (f) => {
  const t = performance.now();
  const out = f();
  return { out, ms: Math.round(performance.now() - t) };
};

const summary = readSummary();
const bgFit = timed(() => fitBgNbd(summary));
const ggData = summary.filter((o) => o.x > 0);
const ggFit = timed(() => fitGammaGamma(ggData));
const raw = extractFromTransactions();
const bgRaw = timed(() => fitBgNbd(raw.bg));
const ggRaw = timed(() => fitGammaGamma(raw.gg));

const server = process.argv.includes('--server') ? await serverPipeline() : null;

/** 4.: the server's extraction, fit and run on CDNOW imported as orders (embedded database, throwaway). */
async function serverPipeline() {
  const { Database } = await import('../apps/server/dist/db/database.js');
  const { migrate } = await import('../apps/server/dist/db/migrate.js');
  const { createOrganization } = await import('../apps/server/dist/modules/organization/bootstrap.js');
  const { executeFullRun } = await import('../apps/server/dist/modules/tiering/runner.js');
  const t0 = performance.now();
  const db = await Database.open({ poolSize: 2 });
  try {
    await migrate(db);
    const org = await createOrganization(db, { slug: 'cdnow', name: 'CDNOW', adminPassword: 'Cdnow#2026x' });
    const docs = [];
    for (const line of readFileSync(join(dir, 'CDNOW_sample.txt'), 'utf8').split(/\r?\n/)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const [, id, ymd, , value] = f;
      docs.push({
        c: Number(id),
        d: `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`,
        a: value,
        i: docs.length + 1,
      });
    }
    const model = {
      kind: 'clv',
      historical: { windowDays: 273, lifetimeYears: '3' },
      probabilistic: { timeUnitDays: 7, horizonUnits: 39, marginRate: '1' },
    };
    const id = crypto.randomUUID();
    await db.withTenant(org.tenantId, async (tx) => {
      await tx.query(
        `INSERT INTO customers (tenant_id, id, name, name_norm, status)
         SELECT kam_tenant(), md5('cdnow' || n)::uuid, 'CDNOW ' || n, 'cdnow ' || n, 'active'
         FROM generate_series(1, 2357) n`,
      );
      await tx.query(
        `INSERT INTO orders (tenant_id, id, order_no, customer_id, ordered_at, amount)
         SELECT kam_tenant(), gen_random_uuid(), 'CD-' || o.i, md5('cdnow' || o.c)::uuid, o.d, o.a
         FROM jsonb_to_recordset($1::jsonb) o(c int, d date, a numeric, i int)`,
        [JSON.stringify(docs)],
      );
      await tx.query(
        `INSERT INTO tier_models (tenant_id, id, name, kind) VALUES (kam_tenant(), $1, 'CLV', 'clv')`,
        [id],
      );
      await tx.query(
        `INSERT INTO tier_model_versions (tenant_id, model_id, version_no, definition) VALUES (kam_tenant(), $1, 1, $2)`,
        [id, JSON.stringify(model)],
      );
      await tx.query(
        `UPDATE tier_models SET published_version = 1 WHERE tenant_id = kam_tenant() AND id = $1`,
        [id],
      );
      await tx.query(
        `INSERT INTO tier_runs (tenant_id, id, model_id, model_version, definition, kind, as_of)
         VALUES (kam_tenant(), $1, $1, 1, $2, 'full', '1997-09-30')`,
        [id, JSON.stringify(model)],
      );
    });
    const t1 = performance.now();
    await executeFullRun(db, org.tenantId, id);
    const runMs = Math.round(performance.now() - t1);
    const { rows } = await db.withTenant(org.tenantId, (tx) =>
      tx.query(
        'SELECT status, processed, statistics FROM tier_runs WHERE tenant_id = kam_tenant() AND id = $1',
        [id],
      ),
    );
    const clv = rows[0].statistics.clv;
    return {
      status: rows[0].status,
      processed: rows[0].processed,
      orders: docs.length,
      bgnbd: { ...clv.bgnbd.params, ll: clv.bgnbd.logLikelihood, observations: clv.bgnbd.observations },
      gammaGamma: {
        ...clv.gammaGamma.params,
        ll: clv.gammaGamma.logLikelihood,
        observations: clv.gammaGamma.observations,
      },
      customers: { buyers: clv.buyers, repeat: clv.repeatCustomers },
      extractMs: clv.extractMs,
      fitMs: clv.fitMs,
      runMs,
      totalMs: Math.round(performance.now() - t0),
    };
  } finally {
    await db.close();
  }
}

const out = {
  data: {
    customers: summary.length,
    repeatCustomers: ggData.length,
    rawCustomers: raw.customers,
    rawObservations: raw.bg.length,
  },
  bgnbd: {
    published: PUBLISHED_BG,
    llAtPublished: bgnbdTotalLogLikelihood(PUBLISHED_BG, summary),
    summary: {
      ...bgFit.out.params,
      ll: bgFit.out.logLikelihood,
      iterations: bgFit.out.iterations,
      evaluations: bgFit.out.evaluations,
      converged: bgFit.out.converged,
      ms: bgFit.ms,
    },
    transactions: {
      ...bgRaw.out.params,
      ll: bgRaw.out.logLikelihood,
      converged: bgRaw.out.converged,
      ms: bgRaw.ms,
    },
    expected: [1, 39, 78].map((t) => ({ t, value: bgnbdExpectedPurchases(bgFit.out.params, t) })),
    conditional: bgnbdConditionalExpectedPurchases(bgFit.out.params, { x: 2, tx: 30.43, T: 38.86 }, 39),
  },
  gammaGamma: {
    published: PUBLISHED_GG,
    llAtPublished: gammaGammaTotalLogLikelihood(PUBLISHED_GG, ggData),
    summary: {
      ...ggFit.out.params,
      ll: ggFit.out.logLikelihood,
      iterations: ggFit.out.iterations,
      evaluations: ggFit.out.evaluations,
      converged: ggFit.out.converged,
      ms: ggFit.ms,
    },
    transactions: {
      ...ggRaw.out.params,
      ll: ggRaw.out.logLikelihood,
      converged: ggRaw.out.converged,
      ms: ggRaw.ms,
    },
  },
  server,
};

if (json) {
  console.log(JSON.stringify(out, null, 2));
} else {
  const f = (v, d) => (typeof v === 'number' ? v.toFixed(d) : String(v));
  const row = (name, cells) => `| ${name} | ${cells.join(' | ')} |`;
  console.log(
    `CDNOW 1/10 sample: ${out.data.customers} customers, ${out.data.repeatCustomers} with repeat purchases (weeks 1–39)`,
  );
  console.log(
    `raw transactions → ${out.data.rawCustomers} customers in ${out.data.rawObservations} (x, t_x, T) groups\n`,
  );
  console.log('BG/NBD');
  console.log('| | r | α | a | b | LL |\n| --- | --- | --- | --- | --- | --- |');
  const b = out.bgnbd;
  console.log(
    row(
      'published (FHL 2005)',
      [b.published.r, b.published.alpha, b.published.a, b.published.b, b.published.ll].map((v) => f(v, 3)),
    ),
  );
  console.log(
    row('KAM, summary file', [
      f(b.summary.r, 6),
      f(b.summary.alpha, 6),
      f(b.summary.a, 6),
      f(b.summary.b, 6),
      f(b.summary.ll, 4),
    ]),
  );
  console.log(
    row('KAM, raw transactions', [
      f(b.transactions.r, 6),
      f(b.transactions.alpha, 6),
      f(b.transactions.a, 6),
      f(b.transactions.b, 6),
      f(b.transactions.ll, 4),
    ]),
  );
  console.log(
    `LL at the published parameters: ${f(b.llAtPublished, 4)}; converged ${b.summary.converged} in ${b.summary.iterations} iterations (${b.summary.evaluations} evaluations, ${b.summary.ms} ms)`,
  );
  console.log(
    `E[X(t)] t = 1, 39, 78: ${b.expected.map((e) => f(e.value, 4)).join(', ')}; E[Y(39) | 2, 30.43, 38.86] = ${f(b.conditional, 4)} (published 1.226)\n`,
  );
  console.log('Gamma-Gamma');
  console.log('| | p | q | γ | LL |\n| --- | --- | --- | --- | --- |');
  const g = out.gammaGamma;
  console.log(
    row('published (Fader & Hardie 2013)', [
      f(g.published.p, 2),
      f(g.published.q, 2),
      f(g.published.gamma, 2),
      f(g.published.ll, 2),
    ]),
  );
  console.log(
    row('KAM, summary file', [
      f(g.summary.p, 4),
      f(g.summary.q, 4),
      f(g.summary.gamma, 4),
      f(g.summary.ll, 4),
    ]),
  );
  console.log(
    row('KAM, raw transactions', [
      f(g.transactions.p, 4),
      f(g.transactions.q, 4),
      f(g.transactions.gamma, 4),
      f(g.transactions.ll, 4),
    ]),
  );
  console.log(
    `LL at the published parameters: ${f(g.llAtPublished, 4)}; converged ${g.summary.converged} in ${g.summary.iterations} iterations (${g.summary.ms} ms)`,
  );
  if (server) {
    const s = server;
    console.log(
      `\nServer pipeline (embedded database): ${s.orders} orders → run ${s.status}, ${s.processed} customers (${s.customers.buyers} buyers, ${s.customers.repeat} with repeat purchases as of 1997-09-30)`,
    );
    console.log(
      `| BG/NBD | r ${f(s.bgnbd.r, 6)} | α ${f(s.bgnbd.alpha, 6)} | a ${f(s.bgnbd.a, 6)} | b ${f(s.bgnbd.b, 6)} | LL ${f(s.bgnbd.ll, 4)} | ${s.bgnbd.observations} observations |`,
    );
    console.log(
      `| Gamma-Gamma | p ${f(s.gammaGamma.p, 4)} | q ${f(s.gammaGamma.q, 4)} | γ ${f(s.gammaGamma.gamma, 4)} | LL ${f(s.gammaGamma.ll, 4)} | ${s.gammaGamma.observations} observations |`,
    );
    console.log(
      `extraction ${s.extractMs} ms, fit ${s.fitMs} ms, run ${s.runMs} ms (database start, migrations and load included: ${s.totalMs} ms)`,
    );
  }
}
