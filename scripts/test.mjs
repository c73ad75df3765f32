#!/usr/bin/env node
// The whole test suite, as `npm test` and CI run it:
//   1. build (TypeScript project references + the web UI) and typecheck the UI and all tests,
//   2. lint and format check (Biome),
//   3. Vitest: unit, server (embedded PostgreSQL) and e2e (Chromium) projects,
//   4. with KAM_TEST_PG_URL set: the server project again, against that PostgreSQL server.
// Ends with one line "N passed, N failed" that CI reads, and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const out = '.test-output';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
const failures = [];

function run(title, cmd, args, env = {}) {
  console.log(`\n=== ${title}\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function vitest(title, file, args, env) {
  const ok = run(
    title,
    'npx',
    ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`],
    env,
  );
  if (!existsSync(file)) {
    console.log(`${title}: no results written`);
    broken = true;
    return;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  for (const file of r.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status !== 'failed') continue;
      const why = (t.failureMessages?.[0] ?? '').split('\n').slice(0, 3).join(' / ');
      failures.push(`${title}: ${file.name} > ${t.fullName}\n      ${why}`);
    }
  }
  // A file that failed to load has no failing test but a failed suite.
  if (!ok && r.numFailedTests === 0) broken = true;
}

if (!run('build', 'npm', ['run', 'build'])) broken = true;
// The build typechecks domain and server; these cover the web UI and every test file.
for (const project of ['apps/web', 'e2e', 'tsconfig.tests.json']) {
  if (!run(`typecheck ${project}`, 'npx', ['tsc', '-p', project, '--noEmit'])) broken = true;
}
if (!run('lint', 'npx', ['biome', 'check', '.'])) broken = true;
if (!broken) {
  const { KAM_TEST_PG_URL, ...rest } = process.env;
  vitest('tests (embedded database)', `${out}/embedded.json`, [], { KAM_TEST_PG_URL: '' });
  if (KAM_TEST_PG_URL) {
    vitest('server tests (PostgreSQL server)', `${out}/server.json`, ['--project', 'server'], {
      KAM_TEST_PG_URL,
    });
  }
  void rest;
}

// The failing tests again at the end, where a truncated CI log still shows them.
if (failures.length > 0) console.log(`\nFailed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (broken) console.log('(build, lint or a test file failed outside the counted tests — see above)');
process.exit(failed > 0 || broken ? 1 : 0);
