import { type Browser, chromium, type Page } from 'playwright-core';

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
  opts: { locale?: string; mobile?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'zh-CN',
    viewport: opts.mobile ? { width: 390, height: 844 } : { width: 1366, height: 860 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}
