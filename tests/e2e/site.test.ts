import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { serveSite, type ServedSite } from './support/site';

let browser: Browser;
let site: ServedSite;
let page: Page;

beforeAll(async () => {
  site = await serveSite();
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('a reader new to the site', () => {
  it('follows the sidebar from the start page to a chapter and sees a paper there', async () => {
    await page.goto(site.url);
    await page.getByRole('link', { name: 'Foundational Work', exact: true }).first().click();
    await page.waitForURL(/\/foundational-work\/$/);
    const section = page.locator('section[data-paper-id="mathematical-framework"]');
    await expect(section.getByRole('heading', { level: 2 }).textContent()).resolves.toBe(
      'A Mathematical Framework for Transformer Circuits',
    );
    await expect(section.locator('.residual-priority').count()).resolves.toBe(1);
  });

  it("searches for a paper by an author's name and lands on its section", async () => {
    await page.goto(site.url);
    await page
      .getByRole('button', { name: /search/i })
      .first()
      .click();
    const input = page.locator('dialog input.pagefind-ui__search-input');
    await input.fill('Gurnee');
    const result = page
      .locator('.pagefind-ui__result-link', { hasText: 'Finding Neurons' })
      .first();
    await result.waitFor({ timeout: 20_000 });
    await result.click();
    await page.waitForURL(/\/superposition\/#finding-neurons-in-a-haystack$/);
    const heading = page.locator('h2#finding-neurons-in-a-haystack');
    await expect(heading.isVisible()).resolves.toBe(true);
  });

  it('builds the search only when the reader goes to search, then types into it at once', async () => {
    const reader = await browser.newPage();
    const searchUi: string[] = [];
    reader.on('request', (request) => {
      if (/\/(ui-core\.|pagefind\/)/.test(request.url())) searchUi.push(request.url());
    });
    await reader.goto(new URL('/foundational-work/', site.url).href);
    await reader.waitForLoadState('load');
    // Starlight would build it once the page is idle; give an idle page time to do so.
    await reader.evaluate(
      () => new Promise((done) => requestIdleCallback(() => setTimeout(done, 500))),
    );
    expect(searchUi).toEqual([]);
    await reader.keyboard.press('Control+k');
    const input = reader.locator('dialog input.pagefind-ui__search-input');
    await input.waitFor();
    await expect(input.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await reader.keyboard.type('Gurnee');
    await reader
      .locator('.pagefind-ui__result-link', { hasText: 'Finding Neurons' })
      .first()
      .waitFor({ timeout: 20_000 });
    await reader.close();
  });

  it('says search could not be loaded when its script fails, and searches after Try again, without a reload', async () => {
    const reader = await browser.newPage();
    const uiCore = /\/_astro\/ui-core\.[^/]*\.js(\?.*)?$/;
    await reader.route(uiCore, (route) => route.abort('internetdisconnected'));
    await reader.goto(new URL('/glossary/', site.url).href);
    await reader.keyboard.press('Control+k');
    const alert = reader.locator('dialog [role="alert"]');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe(
      'Search could not be loaded. Check the connection, then try again.',
    );
    // Try again has the focus; while the connection is still down it fails again, and says so.
    const again = reader.getByRole('button', { name: 'Try again' });
    await expect(again.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await reader.keyboard.press('Enter');
    await expect.poll(() => again.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect(alert.count()).resolves.toBe(1);
    // With the connection back, the same page loads search (Chromium keeps a failed import for
    // the life of the page: the retry asks for the module at a new address).
    await reader.unroute(uiCore);
    await reader.keyboard.press('Enter');
    const input = reader.locator('dialog input.pagefind-ui__search-input');
    await input.waitFor();
    await expect(input.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await expect(reader.locator('dialog [role="alert"]').count()).resolves.toBe(0);
    await reader.keyboard.type('Gurnee');
    await reader
      .locator('.pagefind-ui__result-link', { hasText: 'Finding Neurons' })
      .first()
      .waitFor({ timeout: 20_000 });
    await reader.close();
  });

  it.each(['/', '/foundational-work/', '/glossary/'])(
    'finds no accessibility violation on %s',
    async (path) => {
      await page.goto(new URL(path, site.url).href);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    },
  );
});
