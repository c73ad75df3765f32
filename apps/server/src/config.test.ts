import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration from the environment', () => {
  it('has working defaults: port 3000, ./data, embedded database with demo data, all processes', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./data');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.demo).toBe(true);
    expect(c.processes).toEqual(['web', 'worker', 'scheduler']);
  });

  it('turns demo data off for a database server unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://kam@db/kam' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://kam@db/kam', KAM_DEMO: 'true' }).demo).toBe(true);
  });

  it('reads the first admin password and process roles', () => {
    const c = loadConfig({ KAM_ADMIN_PASSWORD: 'Str0ng#Pass', KAM_ROLES: 'web,worker', PORT: '8080' });
    expect(c.adminPassword).toBe('Str0ng#Pass');
    expect(c.processes).toEqual(['web', 'worker']);
    expect(c.port).toBe(8080);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['KAM_DEMO', 'maybe'],
    ['KAM_ADMIN_PASSWORD', 'short'],
    ['KAM_ROLES', 'web,cron'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects a bad %s (%s) naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
  });
});
