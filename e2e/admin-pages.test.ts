import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newPage } from './support/browser.js';

/** The admin pages against the real server: each page's main action, checked through the API. */
const base = inject('kamBaseUrl');
const adminPassword = inject('kamAdminPassword');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await newPage(browser);
  await page.goto(`${base}/login`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(adminPassword);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-users').waitFor();
});
afterAll(async () => {
  await browser?.close();
});

/** A JSON API call with the page's session (cookie + CSRF from /me). */
async function api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ([m, u, b]) => {
      const me = await (await fetch('/api/v1/me')).json();
      const res = await fetch(u as string, {
        method: m as string,
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    [method, url, body],
  );
}

describe('admin pages against the real server', () => {
  it('copies a built-in role, narrows it in the permission matrix and saves it', async () => {
    await page.getByTestId('nav-roles').click();
    await page.getByTestId('role-link-account_manager').click();
    await page.getByTestId('role-copy').click();
    // The copy's form is prefilled from the original once it has loaded.
    await expect.poll(() => page.getByTestId('role-name').inputValue()).not.toBe('');
    await page.getByTestId('role-name').fill('客户经理-只读');
    await page.getByTestId('grant-api_token-create').click();
    await page.getByTestId('role-save').click();
    await expect
      .poll(async () => (await api('GET', '/api/v1/roles')).body.items.map((r: { name: string }) => r.name))
      .toContain('客户经理-只读');
    const role = (await api('GET', '/api/v1/roles')).body.items.find(
      (r: { name: string }) => r.name === '客户经理-只读',
    );
    const keys = role.grants.map((g: { resource: string; action: string }) => `${g.resource}.${g.action}`);
    expect(keys).toContain('user.view');
    expect(keys).not.toContain('api_token.create');
  });

  it('creates an API token that works as a Bearer token within its permissions', async () => {
    await page.getByTestId('nav-tokens').click();
    await page.getByTestId('token-create').click();
    await page.getByTestId('token-name').fill('ERP 同步');
    await page.getByTestId('token-perm-user.view').click();
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    const secret = ((await page.getByTestId('token-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^kam_/);
    const call = (url: string) =>
      fetch(`${base}${url}`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status);
    expect(await call('/api/v1/users')).toBe(200);
    expect(await call('/api/v1/roles')).toBe(403);
    await page.getByTestId('token-secret-done').click();
    await page.getByTestId('tokens-table').getByText('ERP 同步').waitFor();
  });

  it('unlocks a locked user from the user list', async () => {
    for (let i = 0; i < 5; i++) {
      await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'manager3', password: `wrong-${i}` }),
      });
    }
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-search').locator('input').fill('manager3');
    await page.keyboard.press('Enter');
    const row = page.getByTestId('users-table').locator('tr', { hasText: 'manager3' });
    await row.getByText('锁定').waitFor();
    await row.getByTestId('user-action-more').click();
    await page.getByTestId('user-action-unlock').click();
    await row.getByText('正常').waitFor();
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'manager3', password: 'Kam@2026demo' }),
    });
    expect(login.status).toBe(200);
  });

  it('shows the audit trail with an intact chain and exports it as CSV', async () => {
    await page.getByTestId('nav-audit').click();
    await expect.poll(() => page.getByTestId('audit-verify-status').getAttribute('data-status')).toBe('ok');
    await page.getByTestId('audit-table').getByText('auth.lockout').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-\d{8}\.csv$/);
  });

  it('applies the MLPS 2.0 preset to the security policy and back', async () => {
    await page.getByTestId('nav-security').click();
    await page.getByTestId('sec-preset-mlps2').click();
    await page.getByTestId('sec-save').click();
    await expect.poll(async () => (await api('GET', '/api/v1/security-policy')).body.preset).toBe('mlps2');
    expect((await api('GET', '/api/v1/security-policy')).body.policy.passwordMinLength).toBe(10);
    await page.getByTestId('sec-preset-default').click();
    await page.getByTestId('sec-save').click();
    await expect.poll(async () => (await api('GET', '/api/v1/security-policy')).body.preset).toBe('default');
  });
});
