import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The `kam` command as operators script it (the built program, embedded database). */
const dataDir = mkdtempSync(join(tmpdir(), 'kam-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function kam(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['apps/server/dist/main.js', ...args], {
    env: { ...process.env, KAM_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('kam command line', () => {
  it('stops at start on a bad setting, naming the variable', () => {
    const r = kam(['start'], { PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/Invalid configuration: PORT/);
  });

  it('applies migrations, then reports nothing left to do', () => {
    const first = kam(['migrate']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Applied: 0001_foundation/);
    const again = kam(['migrate']);
    expect(again.out).toMatch(/Up to date/);
  });

  it('verifies an organisation’s audit chain and says when there is no such organisation', async () => {
    // First start creates the organisation (its creation is the chain's first entry), then stops.
    const child = spawn(process.execPath, ['apps/server/dist/main.js', 'start'], {
      env: {
        ...process.env,
        KAM_DATA_DIR: dataDir,
        DATABASE_URL: '',
        PORT: String(40_000 + Math.floor(Math.random() * 10_000)),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('KAM is running')) resolve();
      });
      child.once('exit', () => reject(new Error(`start exited early: ${out}`)));
    });
    expect(out).toMatch(/demo accounts seeded/);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const ok = kam(['verify-audit']);
    expect(ok.out).toMatch(/default: audit chain intact \(\d+ entries\)/);
    expect(ok.code).toBe(0);
    expect(kam(['verify-audit', 'nope']).code).toBe(2);
  });

  it('adds an organisation with its own admin and audit chain, refusing duplicates and bad codes', () => {
    const r = kam(['create-organization', 'acme', 'Acme', 'Trading', 'Co']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Created organisation "Acme Trading Co" \(sign-in code acme\)/);
    expect(r.out).toMatch(/admin password \(shown once, change it at first sign-in\): \S{8,}/);
    expect(kam(['create-organization', 'acme', 'Again']).code).toBe(1);
    expect(kam(['create-organization', 'Bad Code', 'X']).code).toBe(2);
    const v = kam(['verify-audit', 'acme']);
    expect(v.out).toMatch(/acme: audit chain intact \(1 entries\)/);
  });

  it('prints usage for unknown commands', () => {
    const r = kam(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/Usage: kam/);
  });
});
