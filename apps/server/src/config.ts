import { z } from 'zod';

/**
 * Every setting KAM reads from the environment, validated once at start.
 * docs/configuration.md documents the same table; keep the two in step.
 */
const bool = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['1', 'true', 'on', 'yes'].includes(v));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  KAM_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  KAM_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  KAM_DEMO: bool.optional(),
  KAM_ORG_NAME: z.string().min(1).max(100).optional(),
  KAM_ROLES: z
    .string()
    .regex(
      /^(all|web|worker|scheduler)(,(web|worker|scheduler))*$/,
      'must be all or a list of web,worker,scheduler',
    )
    .default('all'),
  KAM_TRUST_PROXY: bool.default(false),
  KAM_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  KAM_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10000).default(20),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Process = 'web' | 'worker' | 'scheduler';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  poolSize: number;
  adminPassword: string | undefined;
  demo: boolean;
  orgName: string | undefined;
  processes: Process[];
  trustProxy: boolean;
  cookieSecure: 'auto' | 'always' | 'never';
  loginRateLimit: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('; '));
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0]), message: i.message })),
    );
  }
  const e = parsed.data;
  const roles = e.KAM_ROLES === 'all' ? ['web', 'worker', 'scheduler'] : e.KAM_ROLES.split(',');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.KAM_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    adminPassword: e.KAM_ADMIN_PASSWORD,
    // Demo data: on by default for the embedded database, off for a server unless asked.
    demo: e.KAM_DEMO ?? e.DATABASE_URL === undefined,
    orgName: e.KAM_ORG_NAME,
    processes: [...new Set(roles)] as Process[],
    trustProxy: e.KAM_TRUST_PROXY,
    cookieSecure: e.KAM_COOKIE_SECURE,
    loginRateLimit: e.KAM_LOGIN_RATE_LIMIT,
    logLevel: e.LOG_LEVEL,
  };
}
