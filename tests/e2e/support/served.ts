/** The built site and a Chromium, shared by the tests of one file. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { serveSite, type ServedSite } from './site';

export interface Served {
  readonly site: ServedSite;
  readonly browser: Browser;
}

/**
 * Serves dist/ and launches Chromium before the file's tests (beforeAll), and closes both after
 * them (afterAll). Read `site` and `browser` inside tests and hooks, once they have started.
 */
export function servedSiteAndBrowser(): Served {
  let site: ServedSite | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    site = await serveSite(process.env['RESIDUAL_DIST'] || undefined);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the site and browser start in beforeAll');
    return value;
  };
  return {
    get site() {
      return started(site);
    },
    get browser() {
      return started(browser);
    },
  };
}
