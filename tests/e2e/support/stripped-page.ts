// A page served without one of its parts, as a build that lacks it would serve it.
import type { Page } from 'playwright-core';

/**
 * Serve the page at `path` in `page` with the first match of `part` removed from its HTML. Throws
 * (failing the test) if `absent` is still in it afterwards, so a renamed part cannot go unnoticed.
 */
export async function servePageWithout(
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
