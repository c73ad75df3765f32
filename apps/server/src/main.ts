#!/usr/bin/env -S node --max-old-space-size=1024
import { type Config, ConfigError, loadConfig, type Process } from './config.js';
import { migrate } from './db/migrate.js';
import { verifyOrganizationChain } from './modules/audit/verify.js';
import { createOrganization } from './modules/organization/bootstrap.js';
import { openDatabase, startKam } from './server.js';

const USAGE = `Usage: kam [command]

  start            web server, background worker and scheduler in one process (default)
  web              only the web server (API and UI)
  worker           only the background worker
  scheduler        only the scheduler
  migrate          apply pending database migrations and exit
  create-organization <code> <name>
                   add an organisation (tenant) with its super admin "admin"; prints the
                   one-time admin password (or uses KAM_ADMIN_PASSWORD)
  verify-audit [organization]
                   verify an organisation's audit hash chain (default: default); exit 1 when broken

Configuration comes from environment variables: see docs/configuration.md.`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(`Invalid configuration: ${p.variable}: ${p.message}`);
      return 2;
    }
    throw err;
  }
  const only: Record<string, Process[]> = { web: ['web'], worker: ['worker'], scheduler: ['scheduler'] };
  if (command === 'start' || only[command]) {
    const kam = await startKam(only[command] ? { ...config, processes: only[command] } : config);
    const shutdown = async () => {
      await kam.stop();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    return -1; // keep running
  }
  if (command === 'migrate') {
    const db = await openDatabase(config);
    const applied = await migrate(db);
    console.log(
      applied.length
        ? `Applied: ${applied.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`).join(', ')}`
        : 'Up to date.',
    );
    await db.close();
    return 0;
  }
  if (command === 'create-organization') {
    const [slug, ...nameParts] = argv.slice(1);
    const name = nameParts.join(' ').trim();
    if (!slug || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug) || !name) {
      console.error('Usage: kam create-organization <code: a-z, 0-9, -> <name>');
      return 2;
    }
    const db = await openDatabase(config);
    await migrate(db);
    try {
      const org = await createOrganization(db, { slug, name, adminPassword: config.adminPassword });
      console.log(`Created organisation "${name}" (sign-in code ${slug}) with super admin "admin".`);
      if (org.generatedAdminPassword) {
        console.log(
          `  admin password (shown once, change it at first sign-in): ${org.generatedAdminPassword}`,
        );
      }
      return 0;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        console.error(`An organisation with the code "${slug}" already exists.`);
        return 1;
      }
      throw err;
    } finally {
      await db.close();
    }
  }
  if (command === 'verify-audit') {
    const slug = argv[1] ?? 'default';
    const db = await openDatabase(config);
    await migrate(db);
    const r = await verifyOrganizationChain(db, slug);
    await db.close();
    if (!r) {
      console.error(`No organisation "${slug}".`);
      return 2;
    }
    if (r.ok) {
      console.log(`${slug}: audit chain intact (${r.checked} entries)`);
      return 0;
    }
    const b = r.firstBroken!;
    console.log(
      `${slug}: audit chain BROKEN at entry #${b.seq}${b.id ? ` (${b.id}, ${b.at})` : ''}: ${b.reason}`,
    );
    return 1;
  }
  console.error(`Unknown command: ${command}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
