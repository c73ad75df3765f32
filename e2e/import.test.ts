import { mkdirSync } from 'node:fs';
import { creditCodeCheckChar } from '@kam/domain';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, newPage, SCREENSHOTS_DIR as SHOTS } from './support/browser.js';

const base = inject('kamBaseUrl');
const DEMO_PASSWORD = 'Kam@2026demo';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** KAM_SCREENSHOTS=1 also saves every wizard step (desktop and 390 px phone) to docs/screenshots/ (or KAM_SCREENSHOTS_DIR). */

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

/** A valid unified social credit code (GB 32100-2015) from a 17-character body. */
function creditCode(body17: string): string {
  const check = creditCodeCheckChar(body17);
  if (!check) throw new Error(`bad credit code body ${body17}`);
  return body17 + check;
}

async function xlsx(headers: string[], rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(headers);
  for (const row of rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(page: Page, name: string, buffer: Buffer) {
  await page
    .getByTestId('import-dropzone')
    .locator('input[type=file]')
    .setInputFiles({ name, mimeType: XLSX, buffer });
}

/** The wizard's current step (data-step on the wizard card). */
async function waitForStep(page: Page, step: string) {
  try {
    await expect
      .poll(() => page.getByTestId('import-wizard').getAttribute('data-step'), { timeout: 60_000 })
      .toBe(step);
  } catch (error) {
    const shown = await page.getByTestId('import-wizard').textContent();
    throw new Error(
      `wizard did not reach "${step}" (shows: ${shown}); my latest import: ${await latestImport(page)}`,
      {
        cause: error,
      },
    );
  }
}

/** Waits for the dry run to finish. */
async function validated(page: Page) {
  try {
    await page.getByTestId('import-validated').waitFor({ timeout: 60_000 });
  } catch (error) {
    throw new Error(`the dry run did not finish; my latest import: ${await latestImport(page)}`, {
      cause: error,
    });
  }
}

/** A count card of the wizard (dry run or result) shows `n`. */
async function expectCount(page: Page, key: string, n: number) {
  const text = await page.getByTestId(`import-count-${key}`).textContent();
  expect(text?.replace(/\D/g, ''), `${key} count; my latest import: ${await latestImport(page)}`).toBe(
    String(n),
  );
}

/** Status, progress and error of my latest import, for failure messages. */
async function latestImport(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const res = await fetch('/api/v1/imports?limit=1');
    const body = (await res.json()) as { items?: Record<string, unknown>[] };
    const job = body.items?.[0];
    if (!job) return `HTTP ${res.status}`;
    const { status, processedRows, totalRows, validRows, errorRows, createdRows, failedRows, error } = job;
    return JSON.stringify({
      status,
      processedRows,
      totalRows,
      validRows,
      errorRows,
      createdRows,
      failedRows,
      error,
    });
  });
}

/** Saves the page at desktop width and at 390 px (phone), when screenshots are asked for. */
async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/import-${name}.png`, fullPage: true });
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/import-${name}-phone.png`, fullPage: true });
  if (desktop) await page.setViewportSize(desktop);
  await page.waitForTimeout(300);
}

describe('import wizard in the browser', () => {
  it('an account manager imports customers (fixing a rejected row) and their contacts, then logs a follow-up', async () => {
    const run = Date.now().toString(36).toUpperCase();
    const names = [`导入甲${run}科技有限公司`, `导入乙${run}贸易有限公司`, `导入丙${run}制造有限公司`];
    const digits = String(Date.now()).slice(-6);
    const good = [creditCode(`91310000${digits}001`), creditCode(`91310000${digits}002`)];
    // The second code with a wrong check character.
    const badCode = `${good[1]?.slice(0, 17)}${good[1]?.endsWith('0') ? '1' : '0'}`;
    const headers = ['客户名称', '统一社会信用代码', '行业', '状态'];

    const page = await newPage(browser);
    await signIn(page, 'manager', DEMO_PASSWORD);
    await page.getByTestId('nav-imports').click();
    await waitForStep(page, 'upload');
    await shot(page, '1-upload');

    // Step 1 → 2: customers, one row with a bad credit code.
    await page.getByTestId('import-type-customers').click();
    await upload(
      page,
      'customers.xlsx',
      await xlsx(headers, [
        [names[0] ?? '', good[0] ?? '', 'I', '潜在客户'],
        [names[1] ?? '', badCode, 'F', '潜在客户'],
        [names[2] ?? '', null, 'C', '潜在客户'],
      ]),
    );
    await waitForStep(page, 'mapping');
    // The columns were matched from the Chinese headers.
    await expect.poll(() => page.getByTestId('import-map-0').textContent()).toContain('客户名称');
    await expect.poll(() => page.getByTestId('import-map-1').textContent()).toContain('统一社会信用代码');
    await expect.poll(() => page.getByTestId('import-preview').textContent()).toContain(names[0]);
    await shot(page, '2-mapping');

    // Step 3: the dry run rejects the row with the bad code, with its row number and message.
    await page.getByTestId('import-start-validate').click();
    await waitForStep(page, 'validate');
    await validated(page);
    await expectCount(page, 'valid', 2);
    await expectCount(page, 'errors', 1);
    const errors = page.getByTestId('import-errors');
    await expect.poll(() => errors.textContent()).toContain(badCode);
    const errorRow = errors.locator('tbody tr', { hasText: badCode });
    expect(await errorRow.locator('td').first().textContent()).toBe('3');
    expect(await errorRow.textContent()).toMatch(/信用代码/);
    await shot(page, '3-dry-run');

    // Fix the file and upload it again: every row passes now.
    await page.getByTestId('import-reupload').click();
    await waitForStep(page, 'upload');
    await upload(
      page,
      'customers-fixed.xlsx',
      await xlsx(headers, [
        [names[0] ?? '', good[0] ?? '', 'I', '潜在客户'],
        [names[1] ?? '', good[1] ?? '', 'F', '潜在客户'],
        [names[2] ?? '', null, 'C', '潜在客户'],
      ]),
    );
    await waitForStep(page, 'mapping');
    await page.getByTestId('import-start-validate').click();
    await validated(page);
    await expectCount(page, 'valid', 3);
    await expectCount(page, 'errors', 0);

    // Step 4: duplicate policy, then the import.
    await page.getByTestId('import-next').click();
    await waitForStep(page, 'commit');
    await page.getByTestId('import-policy-create').click();
    await page.getByTestId('import-create-warning').waitFor();
    await page.getByTestId('import-policy-skip').click();
    await shot(page, '4-policy');
    await page.getByTestId('import-commit').click();

    // Step 5: the result.
    await waitForStep(page, 'result');
    await expectCount(page, 'created', 3);
    await expectCount(page, 'failed', 0);
    await shot(page, '5-result');
    // The recent imports list holds both files.
    await expect
      .poll(() => page.getByTestId('import-recent').textContent())
      .toContain('customers-fixed.xlsx');
    expect(await page.getByTestId('import-recent').textContent()).toContain('customers.xlsx');

    // The customers are in the customer list.
    await page.getByTestId('import-view-customers').click();
    await page
      .getByTestId('customer-search')
      .locator('input')
      .fill(names[1] ?? '');
    await page.getByTestId('customer-search').locator('input').press('Enter');
    const table = page.getByTestId('customers-table');
    await expect.poll(() => table.textContent()).toContain(names[1]);

    // Contacts for those customers.
    await page.getByTestId('nav-imports').click();
    await page.getByTestId('import-type-contacts').click();
    await upload(
      page,
      'contacts.xlsx',
      await xlsx(
        ['客户名称', '联系人姓名', '职务', '手机'],
        [
          [names[0] ?? '', '王导入', '采购总监', '13912345678'],
          [names[1] ?? '', '李导入', '总经理', '13812345678'],
        ],
      ),
    );
    await waitForStep(page, 'mapping');
    await page.getByTestId('import-start-validate').click();
    await validated(page);
    await expectCount(page, 'valid', 2);
    await page.getByTestId('import-next').click();
    await page.getByTestId('import-commit').click();
    await waitForStep(page, 'result');
    await expectCount(page, 'created', 2);

    // The contact is on the customer's page.
    await page.getByTestId('import-view-customers').click();
    await page
      .getByTestId('customer-search')
      .locator('input')
      .fill(names[0] ?? '');
    await page.getByTestId('customer-search').locator('input').press('Enter');
    await expect.poll(() => table.textContent()).toContain(names[0]);
    await table
      .getByTestId('customer-link')
      .filter({ hasText: names[0] ?? '' })
      .click();
    await page.getByTestId('customer-tab-contacts').click();
    await expect.poll(() => page.getByTestId('contacts-table').textContent()).toContain('王导入');

    // The rep logs a follow-up with the imported contact; the timeline shows it first.
    const summary = `导入后首次拜访 ${Date.now()}`;
    await page.getByTestId('customer-tab-followUps').click();
    await page.getByTestId('follow-up-add').click();
    await page.getByTestId('follow-up-summary').fill(summary);
    await page.getByTestId('follow-up-contacts').click();
    await page.keyboard.type('王');
    await page.locator('.ant-select-dropdown:visible').getByText('王导入').first().click();
    await page.keyboard.press('Escape');
    await page.getByTestId('follow-up-submit').click();
    await page.getByTestId('follow-ups-list').getByText(summary).waitFor();
    await page.getByTestId('customer-tab-timeline').click();
    const first = page.getByTestId('timeline-item').first();
    await expect.poll(() => first.getAttribute('data-kind')).toBe('follow_up');
    await expect.poll(() => first.textContent()).toContain(summary);
    await page.context().close();
  });
});
