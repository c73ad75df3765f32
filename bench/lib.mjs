// Shared pieces of the benchmarks: the bench database (throwaway, or kept across runs), load
// generation with autocannon, and small formatting helpers.
import autocannon from 'autocannon';
import pg from 'pg';
import { Database } from '../apps/server/dist/db/database.js';

export const CONNECTIONS = Number(process.env.KAM_BENCH_CONNECTIONS ?? 16);
export const DURATION_S = Number(process.env.KAM_BENCH_SECONDS ?? 8);

async function adminQuery(server, sql) {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * The database a bench runs on. With KAM_BENCH_DATABASE_URL a throwaway database `kam_bench_<ts>`
 * is created on that server and dropped afterwards; with `keep` (KAM_BENCH_KEEP=1) a database named
 * `keep` is reused across runs (it is created when missing and never dropped) so a large generated
 * tenant survives between measurements. Without KAM_BENCH_DATABASE_URL: the embedded database.
 */
export async function openBenchDatabase({ poolSize = 10, keep } = {}) {
  const server = process.env.KAM_BENCH_DATABASE_URL;
  if (!server) return { db: await Database.open({ poolSize }), drop: async () => {}, reused: false };
  const name = keep ?? `kam_bench_${Date.now()}_${Math.floor(Math.random() * 1000)}`;
  let reused = false;
  if (keep) {
    const { rows } = await adminQuery(server, `SELECT 1 FROM pg_database WHERE datname = '${name}'`);
    reused = rows.length > 0;
  }
  if (!reused) await adminQuery(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = await Database.open({ url: url.toString(), poolSize });
  return {
    db,
    name,
    reused,
    drop: async () => {
      if (keep) return;
      await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Drops a kept bench database (used when a kept database turns out to be incomplete). */
export async function dropBenchDatabase(name) {
  const server = process.env.KAM_BENCH_DATABASE_URL;
  if (server) await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Load with autocannon: `connections` concurrent connections for `seconds`, every request the same
 * GET. Returns latency percentiles (ms), throughput (req/s) and error counts; non-2xx responses are
 * counted as errors. The load generator runs in a worker thread: the server under test is in this
 * process, and a generator on its event loop would queue every response behind its own work.
 */
export async function load(url, { headers = {}, seconds = DURATION_S, connections = CONNECTIONS } = {}) {
  const r = await autocannon({ url, headers, connections, duration: seconds, pipelining: 1, workers: 1 });
  return {
    requests: r.requests.total,
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** Runs `fn`, returning its result and the elapsed milliseconds. */
export async function timed(fn) {
  const t = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - t };
}

export const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

/** Peak RSS and heap of this process, sampled every 100 ms until `stop()` (`reset()` starts again). */
export function sampler() {
  let peakRss = 0;
  let peakHeap = 0;
  const tick = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  tick();
  const timer = setInterval(tick, 100);
  return {
    reset() {
      peakRss = 0;
      peakHeap = 0;
      tick();
    },
    stop() {
      clearInterval(timer);
      tick();
      return { peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20 };
    },
  };
}

/**
 * Records statements the pool's clients run while `on` (to EXPLAIN them afterwards): `pick(text, values)`
 * returns the statement to keep, or null. `text` is the SQL whether sent as text or as a (named
 * prepared) query config. `take()` returns the last one kept and forgets them all.
 */
export function captureStatements(db, pick) {
  const capture = {
    on: false,
    seen: [],
    take() {
      const last = capture.seen.at(-1);
      capture.seen.length = 0;
      return last;
    },
  };
  const connect = db.pool.connect.bind(db.pool);
  db.pool.connect = async (...args) => {
    const client = await connect(...args);
    if (!client.__benchCapture) {
      const query = client.query.bind(client);
      client.query = (text, values, ...rest) => {
        const sql = typeof text === 'string' ? text : text?.text;
        if (capture.on && typeof sql === 'string') {
          const kept = pick(sql, typeof text === 'string' ? values : text.values);
          if (kept) capture.seen.push(kept);
        }
        return query(text, values, ...rest);
      };
      client.__benchCapture = true;
    }
    return client;
  };
  return capture;
}
