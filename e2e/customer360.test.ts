import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { choose, launch, newPage, SCREENSHOTS_DIR as SHOTS } from './support/browser.js';

/**
 * Customer 360 in the browser against the built app (embedded database, demo company):
 * an account manager creates a customer, adds a contact and logs a follow-up that the timeline shows;
 * a support user put on the account team sees the contact's mobile masked and no master-data edits;
 * export is offered (and allowed) only to roles holding customer.export.
 * `KAM_SCREENSHOTS=1` also writes customers*.png (desktop 1366 px and phone 390 px) to docs/screenshots,
 * or to `KAM_SCREENSHOTS_DIR` when set.
 */
const base = inject('kamBaseUrl');
const DEMO_PASSWORD = 'Kam@2026demo';

// A name no other test or demo record resembles (trigram similarity would ask for an override).
const suffix = Date.now().toString(36).toUpperCase();
const CUSTOMER = `澜舟精密仪器${suffix}有限公司`;
const FOLLOW_UP = `首次上门拜访，客户对 ${suffix} 方案有兴趣`;

let browser: Browser;
let customerPath = '';

beforeAll(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, login: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-username').fill(login);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('home-greeting').waitFor();
}

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.waitForTimeout(400); // let drawers, charts and tags settle
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

async function openTab(page: Page, key: string) {
  await page.getByTestId(`customer-tab-${key}`).click();
}

describe('Customer 360 in the browser', () => {
  it('an account manager creates a customer, adds a contact, logs a follow-up and sees it on the timeline', async () => {
    const page = await newPage(browser);
    await signIn(page, 'manager', DEMO_PASSWORD);
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customers-table').waitFor();

    // Create: the duplicate check runs while typing; a fresh name raises no conflict.
    await page.getByTestId('customer-create').click();
    await page.getByTestId('customer-form-name').fill(CUSTOMER);
    await choose(page, page.getByTestId('customer-form-industry'), '制造', 'C 制造业');
    await shot(page, 'customers-create');
    await page.getByTestId('customer-form-submit').click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    customerPath = new URL(page.url()).pathname;
    await expect.poll(() => page.getByTestId('customer-name').textContent()).toBe(CUSTOMER);
    // The owner is the creator, with the edit action of their role.
    await expect.poll(() => page.getByTestId('customer-detail').textContent()).toContain('孙伟');
    expect(await page.getByTestId('customer-edit').count()).toBe(1);

    // A contact with a decision-chain role; the owner sees the full mobile.
    await openTab(page, 'contacts');
    await page.getByTestId('contact-add').click();
    await page.getByTestId('contact-form-name').fill('王立新');
    await page.getByTestId('contact-form-mobile').fill('13912345678');
    await choose(page, page.getByTestId('contact-form-role'), '决策', '决策人');
    await page.locator('#contact-form-submit').click();
    await page.getByTestId('contacts-table').getByText('王立新').waitFor();
    expect(await page.getByTestId('contact-mobile').first().textContent()).toBe('139 1234 5678');

    // Log a follow-up; it shows in the follow-up list and, newest first, on the timeline.
    await openTab(page, 'followUps');
    await page.getByTestId('follow-up-add').click();
    await page.getByTestId('follow-up-summary').fill(FOLLOW_UP);
    await choose(page, page.getByTestId('follow-up-contacts'), '王', '王立新');
    await page.keyboard.press('Escape');
    await page.getByTestId('follow-up-submit').click();
    await page.getByTestId('follow-ups-list').getByText(FOLLOW_UP).waitFor();
    await openTab(page, 'timeline');
    const first = page.getByTestId('timeline-item').first();
    await expect.poll(() => first.getAttribute('data-kind')).toBe('follow_up');
    await expect.poll(() => first.textContent()).toContain(FOLLOW_UP);
    await shot(page, 'customers-360');

    // The list shows it, followed up just now.
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-search').locator('input').fill(suffix);
    await page.getByTestId('customer-search').locator('input').press('Enter');
    await page.getByTestId('customers-table').getByText(CUSTOMER).waitFor();
    await page.context().close();
  });

  it('a support user on the account team sees masked mobiles and no master-data edits', async () => {
    expect(customerPath).not.toBe('');
    // The owner staffs the account team with customer service from another department.
    const owner = await newPage(browser);
    await signIn(owner, 'manager', DEMO_PASSWORD);
    await owner.goto(`${base}${customerPath}`);
    await openTab(owner, 'team');
    await owner.getByTestId('team-add').click();
    await choose(owner, owner.getByTestId('team-add-user'), '郑丽', '郑丽');
    await choose(owner, owner.getByTestId('team-add-role'), '客服', '客服');
    await owner.locator('#team-add-submit').click();
    await owner.getByTestId('team-table').getByText('郑丽').waitFor();
    await owner.context().close();

    const page = await newPage(browser);
    await signIn(page, 'service', DEMO_PASSWORD);
    await page.getByTestId('nav-customers').click();
    // Exactly the customers of their teams.
    await page.getByTestId('customers-table').getByText(CUSTOMER).click();
    await expect.poll(() => page.getByTestId('customer-name').textContent()).toBe(CUSTOMER);
    await openTab(page, 'contacts');
    await page.getByTestId('contacts-table').getByText('王立新').waitFor();
    expect(await page.getByTestId('contact-mobile').first().textContent()).toBe('139****5678');
    // No master-data or contact edits for support roles.
    for (const hidden of [
      'customer-edit',
      'customer-assign',
      'customer-delete',
      'contact-add',
      'contact-edit',
    ]) {
      expect(await page.getByTestId(hidden).count(), hidden).toBe(0);
    }
    // Nor does the server let them.
    const patch = await page.evaluate(async (path) => {
      const me = await (await fetch('/api/v1/me')).json();
      const id = path.split('/').pop();
      const current = await (await fetch(`/api/v1/customers/${id}`)).json();
      const res = await fetch(`/api/v1/customers/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ version: current.version, notes: 'x' }),
      });
      return res.status;
    }, customerPath);
    expect(patch).toBe(403);
    await page.context().close();
  });

  it('only roles with customer.export see the export button, and the API refuses the others', async () => {
    const manager = await newPage(browser);
    await signIn(manager, 'manager', DEMO_PASSWORD);
    await manager.getByTestId('nav-customers').click();
    await manager.getByTestId('customers-table').waitFor();
    expect(await manager.getByTestId('customer-export').count()).toBe(0);
    // The import entry (customer.import) is there for the account manager.
    expect(await manager.getByTestId('customer-import').count()).toBe(1);
    const status = await manager.evaluate(async () => (await fetch('/api/v1/exports/customers')).status);
    expect(status).toBe(403);
    await manager.context().close();

    const head = await newPage(browser);
    await signIn(head, 'head', DEMO_PASSWORD);
    await head.getByTestId('nav-customers').click();
    await head.getByTestId('customers-table').getByText(CUSTOMER).waitFor();
    await shot(head, 'customers-list');
    const [download] = await Promise.all([
      head.waitForEvent('download'),
      head.getByTestId('customer-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    await head.context().close();
  });

  it('works on a 390 px phone: cards instead of the table, the 360 page stacked', async () => {
    const page = await newPage(browser, { mobile: true });
    await signIn(page, 'head', DEMO_PASSWORD);
    await page.goto(`${base}/customers`);
    await page.getByTestId('customers-cards').getByText(CUSTOMER).waitFor();
    expect(await page.getByTestId('customers-table').count()).toBe(0);
    // Nothing wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot(page, 'customers-list-phone');
    await page.getByTestId('customers-cards').getByText(CUSTOMER).click();
    await expect.poll(() => page.getByTestId('customer-name').textContent()).toBe(CUSTOMER);
    await page.getByTestId('timeline-item').first().waitFor();
    const overflow360 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow360).toBeLessThanOrEqual(1);
    await shot(page, 'customers-360-phone');
    await page.context().close();
  });
});
