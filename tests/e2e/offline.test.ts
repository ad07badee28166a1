import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import order from '../../content/order.json';
import { launchBrowser, newProfile } from './support/browser';
import { copyOfSite, reachesServer, waitForServiceWorker } from './support/offline';
import {
  introduceNewInListOrder,
  reviewReady,
  shownCardId,
  shownCounts,
  storedRows,
} from './support/review';
import { serveSite, type ServedSite } from './support/site';

const chapterPaths = order.chapters.map((chapter) =>
  chapter.slug === 'start' ? '/' : `/${chapter.slug}/`,
);

let site: ServedSite;
let removeSite: () => Promise<void>;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  const copy = await copyOfSite();
  removeSite = copy.remove;
  site = await serveSite(copy.root);
  browser = await launchBrowser();
  context = await newProfile(browser);
  page = await context.newPage();
  await page.goto(site.url);
  await waitForServiceWorker(page);
  await context.setOffline(true);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await removeSite?.();
});

/** Loads `path` with the network off and returns the response, which must exist. */
async function visitOffline(path: string) {
  const response = await page.goto(new URL(path, site.url).href);
  if (!response) throw new Error(`no response for ${path}`);
  return response;
}

describe('the site as an app', () => {
  it('is installable: Chromium finds nothing missing in its manifest, icons or service worker', async () => {
    const session = await context.newCDPSession(page);
    await context.setOffline(false);
    await page.goto(site.url);
    const { installabilityErrors } = (await session.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    await context.setOffline(true);
    // Test profiles are incognito, where Chromium never offers to install: that one is expected.
    const errors = installabilityErrors.map((error) => error.errorId);
    expect(errors.filter((id) => id !== 'in-incognito')).toEqual([]);
  });
});

describe('a reader who visited once and then lost the network', () => {
  it('cannot reach the server any more (the test really is offline)', async () => {
    expect(await reachesServer(page, site.url)).toBe(false);
  });

  it.each([...chapterPaths, '/glossary/', '/review/', '/progress/'])(
    'opens %s from the service worker',
    async (path) => {
      const response = await visitOffline(path);
      expect(response.fromServiceWorker()).toBe(true);
      expect(response.status()).toBe(200);
      await expect(page.locator('h1').first().textContent()).resolves.not.toBe('404');
    },
  );

  it('opens a chapter addressed without its trailing slash', async () => {
    const response = await visitOffline('/superposition');
    expect(response.fromServiceWorker()).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/superposition/');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Superposition');
  });

  it('shows the 404 page for an address the site does not have', async () => {
    await visitOffline('/no-such-chapter/');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('404');
  });

  it('finds a paper with search', async () => {
    await visitOffline('/');
    await page
      .getByRole('button', { name: /search/i })
      .first()
      .click();
    const input = page.locator('dialog input.pagefind-ui__search-input');
    await input.fill('Gurnee');
    const result = page.locator('.pagefind-ui__result-link', { hasText: 'Finding Neurons' });
    await result.first().waitFor({ timeout: 20_000 });
    await result.first().click();
    await page.waitForURL(/\/superposition\/#finding-neurons-in-a-haystack$/);
  });

  it('reviews a card, and the answer is stored', async () => {
    await visitOffline('/review/');
    await reviewReady(page);
    await introduceNewInListOrder(page);
    const before = await shownCounts(page);
    const card = await shownCardId(page);
    expect(card).not.toBe('');
    await page.keyboard.press('Space');
    await page.locator('[data-grades]:not([hidden])').waitFor();
    await page.keyboard.press('3');
    await page.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      card,
    );
    const log = await storedRows<{ cardId: string; grade: number }>(page, 'log');
    expect(log).toEqual([expect.objectContaining({ cardId: card, grade: 3 })]);
    expect(await shownCounts(page)).toEqual({
      ...before,
      new: before.new - 1,
      learning: before.learning + 1,
    });
  });

  it('shows the reading progress page with the chapters filled in', async () => {
    await visitOffline('/progress/');
    await page.locator('[data-continue] a[data-paper-id]').waitFor();
    await expect(page.locator('li[data-chapter] [data-chapter-text]').count()).resolves.toBe(
      order.chapters.length,
    );
  });
});
