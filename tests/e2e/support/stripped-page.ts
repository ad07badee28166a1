// A page served without one of its parts, as a build that lacks it would serve it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newProfile } from './browser';

/**
 * Serve the page at `path` in `page` with the first match of `part` removed from its HTML. Throws
 * (failing the test) if `absent` is still in it afterwards, so a renamed part cannot go unnoticed.
 */
async function servePageWithout(
  page: Page,
  path: string,
  part: RegExp,
  absent: string,
): Promise<void> {
  await page.route(
    (address) => address.pathname === path,
    async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(part, '');
      if (html.includes(absent)) throw new Error(`${path} still contains ${absent}`);
      await route.fulfill({ response, body: html });
    },
  );
}

/**
 * A new profile (no service worker, so the route sees every request) with one page that serves
 * `path` without `part` (servePageWithout), and the errors the page throws, for the test to check.
 */
export async function newPageWithout(
  browser: Browser,
  path: string,
  part: RegExp,
  absent: string,
): Promise<{ context: BrowserContext; page: Page; errors: Error[] }> {
  const context = await newProfile(browser, { serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  await servePageWithout(page, path, part, absent);
  return { context, page, errors };
}
