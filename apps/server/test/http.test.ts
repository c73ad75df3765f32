import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  Client,
  createTestEnv,
  createTestOrg,
  type TestEnv,
  type TestOrg,
} from './support/harness.js';

let env: TestEnv;
let org: TestOrg;
beforeAll(async () => {
  env = await createTestEnv();
  org = await createTestOrg(env);
});
afterAll(() => env.close());

describe('HTTP conventions', () => {
  it('serves health without a session', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: expect.stringMatching(/embedded|server/) });
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas, covering every /api/v1 route', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const r of env.app.kamRoutes.filter((x) => x.url.startsWith('/api/v1/'))) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url}`).toBeDefined();
    }
    // The login body schema is the one the server validates with.
    const login = doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
    expect(login.required).toEqual(expect.arrayContaining(['login', 'password']));
    expect(login.additionalProperties).toBe(false);
    const page = await env.app.inject({ method: 'GET', url: '/api/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });

  it('sends security headers and echoes or assigns a request id', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
    const other = await env.app.inject({ method: 'GET', url: '/api/health' });
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown API paths with the one error shape', async () => {
    const c = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
    const res = await c.get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(typeof res.body.error.message).toBe('string');
  });

  it('answers 413 for an oversized body and 400 with field paths for bad input', async () => {
    const c = await Client.signIn(env, org.slug, 'admin', ADMIN_PASSWORD);
    const big = await c.patch('/api/v1/me', { displayName: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const bad = await c.patch('/api/v1/me', { locale: 'fr' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].path).toBe('body.locale');
  });

  it('translates messages: zh-CN by default, English on request', async () => {
    const zh = await env.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(zh.json().error.message).toMatch(/[\u4e00-\u9fa5]/);
    const en = await env.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(en.json().error.message).toMatch(/^[\x20-\x7e]+$/);
  });
});
