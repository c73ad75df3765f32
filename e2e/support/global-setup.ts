import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kamBaseUrl: string;
    kamAdminPassword: string;
  }
}

export const E2E_ADMIN_PASSWORD = 'E2e#Admin2026';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts the built KAM exactly as `npm start` would (embedded database, demo data) on a free port
 * with a throwaway data folder, for the browser tests.
 */
export default async function setup(project: TestProject) {
  const main = 'apps/server/dist/main.js';
  if (!existsSync(main) || !existsSync('apps/web/dist/index.html')) {
    throw new Error('Build first: `npm run build` (npm test does it).');
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kam-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KAM_DATA_DIR: dataDir,
      KAM_DEMO: 'true',
      // Every browser test signs in from 127.0.0.1: the per-IP sign-in limit is not under test here.
      KAM_LOGIN_RATE_LIMIT: '1000',
      KAM_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`KAM exited during start:\n${output}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`KAM did not become healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  project.provide('kamBaseUrl', base);
  project.provide('kamAdminPassword', E2E_ADMIN_PASSWORD);
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        r(null);
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(t);
        r(null);
      });
    });
    rmSync(dataDir, { recursive: true, force: true });
  };
}
