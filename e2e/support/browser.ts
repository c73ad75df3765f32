import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page, type Request } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';

/**
 * Where journeys write their screenshots with `KAM_SCREENSHOTS=1`: docs/screenshots (the pictures the
 * docs show), or `KAM_SCREENSHOTS_DIR`; null (none written) otherwise.
 */
export const SCREENSHOTS_DIR =
  process.env.KAM_SCREENSHOTS === '1' ? (process.env.KAM_SCREENSHOTS_DIR ?? 'docs/screenshots') : null;

/**
 * Debian's Chromium by default; point KAM_CHROMIUM (or CHROME_PATH) at another Chromium/Chrome
 * binary to use that instead. Never a downloaded browser.
 */
export const CHROMIUM = process.env.KAM_CHROMIUM ?? process.env.CHROME_PATH ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newPage(
  browser: Browser,
  opts: { locale?: string; mobile?: boolean; motion?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'zh-CN',
    viewport: opts.mobile ? { width: 390, height: 844 } : { width: 1366, height: 860 },
    // The app honours the system's "reduce motion" setting: dialogs and dropdowns open without
    // animations, so no click lands on an option or button still moving into place under load.
    reducedMotion: opts.motion ? 'no-preference' : 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  explainFailure(page);
  return page;
}

/**
 * Picks an option of an antd Select or TreeSelect (`select`): opens it, types `typed` (to filter; ''
 * types nothing) and clicks the option showing `label` (the whole text, or a match of the RegExp).
 */
export async function choose(page: Page, select: Locator, typed: string, label: string | RegExp) {
  await select.click();
  if (typed) await page.keyboard.type(typed);
  await page
    .locator('.ant-select-dropdown:visible')
    .getByText(label, typeof label === 'string' ? { exact: true } : undefined)
    // not antd's hidden list of the options for screen readers
    .filter({ visible: true })
    .first()
    .click();
}

let pagesOpened = 0;

/**
 * When the test fails: prints the page's API calls that failed (status ≥ 400), were slow (≥ 2 s) or
 * were still waiting — what the server answered is what a failed browser journey needs explained
 * first — and saves a screenshot of the page to the temp folder.
 */
function explainFailure(page: Page) {
  const shot = join(tmpdir(), `kam-e2e-page-${process.pid}-${++pagesOpened}.png`);
  const seen: string[] = [];
  const started = new Map<Request, number>();
  page.on('request', (req) => {
    if (req.url().includes('/api/')) started.set(req, Date.now());
  });
  page.on('requestfinished', async (req) => {
    const t0 = started.get(req);
    if (t0 === undefined) return;
    started.delete(req);
    const res = await req.response().catch(() => null);
    const ms = Date.now() - t0;
    if (!res || (res.status() < 400 && ms < 2_000)) return;
    const body = res.status() >= 400 ? (await res.text().catch(() => '')).slice(0, 300) : '';
    seen.push(
      `${new Date(t0).toISOString()} ${req.method()} ${req.url()} → ${res.status()} in ${ms} ms ${body}`,
    );
  });
  page.on('requestfailed', (req) => {
    started.delete(req);
    if (req.url().includes('/api/'))
      seen.push(`${req.method()} ${req.url()} failed: ${req.failure()?.errorText}`);
  });
  // pages opened outside a test (a beforeAll) are not traced: there is no test to fail
  if (!expect.getState().currentTestName) return;
  onTestFailed(async () => {
    const pending = [...started.entries()].map(
      ([req, t0]) => `${req.method()} ${req.url()} still waiting since ${new Date(t0).toISOString()}`,
    );
    const saved =
      !page.isClosed() &&
      (await page
        .screenshot({ path: shot, fullPage: true })
        .then(() => true)
        .catch(() => false));
    if (!saved && seen.length + pending.length === 0) return; // closed, and nothing to tell
    console.error(
      [
        `A page of the failed test (${page.isClosed() ? 'closed' : page.url()})${saved ? `, screenshot ${shot}` : ''}:`,
        ...[...seen, ...pending].map((line) => `  ${line}`),
      ].join('\n'),
    );
  });
}
