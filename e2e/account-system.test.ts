import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { choose, launch, newPage } from './support/browser.js';

const base = inject('kamBaseUrl');
const adminPassword = inject('kamAdminPassword');
const DEMO_PASSWORD = 'Kam@2026demo';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, login: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-username').fill(login);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

describe('account system in the browser', () => {
  it('admin creates a department and an account manager, who must change the password and sees only what the role allows', async () => {
    const page = await newPage(browser);
    await signIn(page, 'admin', adminPassword);
    await page.getByTestId('nav-departments').click();

    // A new department under the organisation's root.
    await page.getByText('星海科技有限公司', { exact: true }).first().click();
    await page.getByTestId('dept-add-child').click();
    await page.getByTestId('dept-name-input').fill('E2E 测试部');
    await page.getByTestId('dept-save').click();
    await expect.poll(() => page.getByText('E2E 测试部', { exact: true }).count()).toBeGreaterThan(0);

    // A new account manager in it.
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-form-login').fill('e2e.rep');
    await page.getByTestId('user-form-name').fill('测试代表');
    await page.getByTestId('user-form-mobile').fill('139 1234 5678');
    await choose(page, page.getByTestId('user-form-department'), 'E2E 测试部', 'E2E 测试部');
    await choose(page, page.getByTestId('user-form-roles'), '客户经理', '客户经理');
    await page.keyboard.press('Escape');
    await page.getByTestId('user-form-submit').click();
    const initial = (await page.getByTestId('initial-password').textContent())?.trim() ?? '';
    expect(initial.length).toBeGreaterThanOrEqual(8);
    await page.context().clearCookies();

    // The account manager signs in and is forced to change the password first.
    await signIn(page, 'e2e.rep', initial);
    await page.getByTestId('pwd-current').fill(initial);
    await page.getByTestId('pwd-new').fill('Field@Sales2026');
    await page.getByTestId('pwd-confirm').fill('Field@Sales2026');
    await page.getByTestId('pwd-submit').click();
    await page.getByTestId('nav-users').waitFor();

    // Only what the role allows: no roles, audit or security pages in the navigation...
    for (const hidden of ['nav-roles', 'nav-audit', 'nav-security']) {
      expect(await page.getByTestId(hidden).count(), hidden).toBe(0);
    }
    // ...the user list holds only their own department...
    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-table').getByText('e2e.rep').waitFor();
    expect(await page.getByTestId('users-table').getByText('manager', { exact: true }).count()).toBe(0);
    // ...and the server refuses what the UI hides.
    const status = await page.evaluate(async () => (await fetch('/api/v1/roles')).status);
    expect(status).toBe(403);
    await page.context().close();
  });

  it('locks an account after five wrong passwords', async () => {
    const page = await newPage(browser);
    for (let i = 0; i < 5; i++) {
      await signIn(page, 'manager2', `wrong-${i}`);
      await page.getByTestId('login-error').waitFor();
    }
    await expect
      .poll(async () => (await page.getByTestId('login-error').textContent()) ?? '')
      .toMatch(/锁定/);
    await signIn(page, 'manager2', DEMO_PASSWORD);
    await expect
      .poll(async () => (await page.getByTestId('login-error').textContent()) ?? '')
      .toMatch(/锁定/);
    await page.context().close();
  });

  it('switches the language to English and remembers it', async () => {
    const page = await newPage(browser);
    await signIn(page, 'director', DEMO_PASSWORD);
    await page.getByTestId('nav-users').waitFor();
    expect(await page.getByTestId('nav-users').textContent()).toBe('用户管理');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('nav-users').textContent()).toBe('Users');
    // Remembered for the user: a new browser session comes back in English.
    const again = await newPage(browser);
    await signIn(again, 'director', DEMO_PASSWORD);
    await expect.poll(() => again.getByTestId('nav-users').textContent()).toBe('Users');
    // Back to Chinese (saved on the profile too): the other journeys sign this demo user in as well.
    await again.getByTestId('lang-switch').click();
    await expect.poll(() => again.getByTestId('nav-users').textContent()).toBe('用户管理');
    const third = await newPage(browser);
    await signIn(third, 'director', DEMO_PASSWORD);
    await expect.poll(() => third.getByTestId('nav-users').textContent()).toBe('用户管理');
    await third.context().close();
    await page.context().close();
    await again.context().close();
  });

  it('honours the system setting "reduce motion": no animated transitions', async () => {
    // the login button's transition: antd's motion durations, 0 s when the user asked for less motion
    const transition = async (motion: boolean) => {
      const page = await newPage(browser, { motion });
      await page.goto(`${base}/login`);
      const seconds = await page
        .getByTestId('login-submit')
        .evaluate((el) => Number.parseFloat(getComputedStyle(el).transitionDuration));
      await page.context().close();
      return seconds;
    };
    expect(await transition(true)).toBeGreaterThan(0);
    expect(await transition(false)).toBe(0);
  });
});
