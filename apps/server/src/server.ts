import type { FastifyInstance } from 'fastify';
import type { Config, Process } from './config.js';
import { Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { createQueue } from './jobs/index.js';
import type { JobQueue } from './jobs/queue.js';
import { registerJobs } from './modules/jobs.js';
import {
  createOrganization,
  installationTenant,
  recordInstallation,
  syncBuiltinRoles,
} from './modules/organization/bootstrap.js';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from './modules/organization/demo.js';
import { seedDemoCustomers } from './modules/organization/demo-customers.js';
import { seedDemoTiering } from './modules/organization/demo-tiering.js';

export interface RunningKam {
  db: Database;
  jobs: JobQueue;
  app: FastifyInstance | null;
  url: string | null;
  stop(): Promise<void>;
}

export function openDatabase(config: Config, onEmbeddedCrash?: (error: Error) => void): Promise<Database> {
  return Database.open({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.poolSize,
    onEmbeddedCrash,
  });
}

/**
 * A running KAM whose embedded database died cannot serve anything (every request would fail, the
 * health check answers 503): it exits with EX_SOFTWARE, and its supervisor (systemd, Docker, a shell
 * loop) starts it again — the data folder is intact up to the last commit.
 */
function exitOnDatabaseCrash(error: Error): void {
  console.error('KAM: the embedded database stopped unexpectedly; exiting so that KAM is restarted.', error);
  process.exit(70);
}

/** First start: the organisation, its super admin and (when asked) the demo company. */
async function ensureInstalled(db: Database, config: Config, log: (line: string) => void): Promise<void> {
  if (await installationTenant(db)) return;
  const name = config.orgName ?? (config.demo ? '星海科技有限公司' : 'My Organization');
  // The demo's admin uses the documented demo password unless the operator chose one.
  const adminPassword = config.adminPassword ?? (config.demo ? DEMO_PASSWORD : undefined);
  const org = await createOrganization(db, { slug: 'default', name, adminPassword });
  if (config.demo) {
    await seedDemo(db, org);
    await seedDemoCustomers(db, org);
    await seedDemoTiering(db, org);
  }
  await recordInstallation(db, org.tenantId);
  log(`Created organisation "${name}" with super admin "admin".`);
  if (org.generatedAdminPassword) {
    log(`  admin password (shown once, change it at first sign-in): ${org.generatedAdminPassword}`);
  }
  if (config.demo) {
    log(`  demo accounts seeded (password ${DEMO_PASSWORD}), with demo customers, tiered by the B2B model.`);
  }
}

export async function startKam(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<RunningKam> {
  const db = await openDatabase(config, exitOnDatabaseCrash);
  await migrate(db);
  await syncBuiltinRoles(db);
  await ensureInstalled(db, config, log);

  const roles = new Set<Process>(config.processes);
  const jobs = createQueue(db, { driver: 'pgboss' });
  const shutdown = new AbortController();
  await registerJobs(jobs, db, shutdown.signal);
  await jobs.start({ worker: roles.has('worker'), scheduler: roles.has('scheduler') });

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (roles.has('web')) {
    app = await buildApp({ config, db, jobs });
    await app.listen({ port: config.port, host: config.host });
    url = `http://localhost:${config.port}`;
    log(`KAM is running at ${url}  (${db.kind} database, processes: ${[...roles].join(', ')})`);
    if (config.demo) {
      log(`Demo sign-ins (initial password ${DEMO_PASSWORD}):`);
      log(`  admin         super_admin${config.adminPassword ? ' (password from KAM_ADMIN_PASSWORD)' : ''}`);
      for (const d of DEMO_LOGINS) log(`  ${d.login.padEnd(13)} ${d.role} · ${d.name} · ${d.department}`);
    }
  } else {
    log(`KAM ${[...roles].join(', ')} started (${db.kind} database)`);
  }

  return {
    db,
    jobs,
    app,
    url,
    async stop() {
      await app?.close();
      shutdown.abort();
      await jobs.stop();
      await db.close();
    },
  };
}
