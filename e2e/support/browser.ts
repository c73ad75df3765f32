import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';

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
  traceApi(page);
  return page;
}

/**
 * Keeps the page's API calls that failed (status ≥ 400) or were slow (≥ 2 s), and prints them when the
 * test fails: what the server answered is what a failed browser journey needs explained first.
 */
function traceApi(page: Page) {
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
  onTestFailed(() => {
    const pending = [...started.entries()].map(
      ([req, t0]) => `${req.method()} ${req.url()} still waiting since ${new Date(t0).toISOString()}`,
    );
    if (seen.length + pending.length > 0)
      console.error(`API calls of a page in the failed test:\n  ${[...seen, ...pending].join('\n  ')}`);
  });
}
