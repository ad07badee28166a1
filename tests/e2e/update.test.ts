// A new version of the site while a review is open: the prompt appears, the review goes on, and
// the page reloads only when the reader presses "Reload".
//
// The two versions are two builds of the service worker over the same site: the second copy has
// every page changed (a marker in each page's head) and its service worker generated again by the
// same function the build uses (src/site/offline/service-worker.ts), so its precache revisions differ.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSW } from 'workbox-build';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { serviceWorkerOptions } from '../../src/site/offline/service-worker';
import { launchBrowser, newProfile } from './support/browser';
import { copyOfSite, waitForServiceWorker } from './support/offline';
import { introduceNewInListOrder, reviewReady, shownCardId, storedRows } from './support/review';

const MARKER = '<meta name="residual-test-build" content="second">';

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return htmlFiles(path);
      return Promise.resolve(entry.name.endsWith('.html') ? [path] : []);
    }),
  );
  return files.flat();
}

/** A second version of the site: every page changed, service worker generated again. */
async function secondVersion(): Promise<{ root: string; remove: () => Promise<void> }> {
  const copy = await copyOfSite();
  for (const file of await htmlFiles(copy.root)) {
    const html = await readFile(file, 'utf8');
    await writeFile(file, html.replace('<head>', `<head>${MARKER}`));
  }
  await generateSW(serviceWorkerOptions(copy.root));
  return copy;
}

type Server = Awaited<ReturnType<typeof startStaticServer>>;
let first: { root: string; remove: () => Promise<void> };
let second: { root: string; remove: () => Promise<void> };
let server: Server;
let browser: Browser;
let page: Page;
/** A second tab, open on another page the whole time. */
let other: Page;

beforeAll(async () => {
  first = await copyOfSite();
  second = await secondVersion();
  server = await startStaticServer({ root: first.root });
  browser = await launchBrowser();
  const context = await newProfile(browser);
  page = await context.newPage();
  other = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await first?.remove();
  await second?.remove();
});

const hasMarker = (tab: Page = page) =>
  tab.evaluate(() => document.querySelector('meta[name="residual-test-build"]') !== null);

describe('a new version while a review is open', () => {
  let cardId: string;

  it('says nothing on the first visit, when the service worker installs for the first time', async () => {
    await page.goto(new URL('/review/', server.url).href);
    await waitForServiceWorker(page);
    await reviewReady(page);
    await introduceNewInListOrder(page);
    await other.goto(new URL('/glossary/', server.url).href);
    await other.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await expect(page.locator('.residual-update').count()).resolves.toBe(0);
    await expect(hasMarker()).resolves.toBe(false);
  });

  it('offers "update available — reload" without touching the open review', async () => {
    cardId = await shownCardId(page);
    await page.keyboard.press('Space');
    await page.locator('[data-back]').waitFor({ state: 'visible' });
    await page.evaluate(() => {
      (window as unknown as { residualTestPage: boolean }).residualTestPage = true;
    });

    // The site is redeployed on the same address; the browser checks for a new service worker.
    await server.close();
    server = await startStaticServer({ root: second.root, port: server.port });
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });

    const prompt = page.locator('.residual-update');
    await prompt.waitFor({ state: 'visible', timeout: 30_000 });
    await expect(prompt.textContent()).resolves.toContain('Update available');
    await expect(prompt.getByRole('button', { name: 'Reload' }).isVisible()).resolves.toBe(true);

    // Same page, same card, answer still shown.
    await expect(
      page.evaluate(
        () => (window as unknown as { residualTestPage?: boolean }).residualTestPage === true,
      ),
    ).resolves.toBe(true);
    await expect(shownCardId(page)).resolves.toBe(cardId);
    await expect(page.locator('[data-back]').isVisible()).resolves.toBe(true);
  });

  it('lets the reader finish the card before reloading', async () => {
    await page.keyboard.press('3');
    await page.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      cardId,
    );
    const log = await storedRows<{ cardId: string }>(page, 'log');
    expect(log.map((row) => row.cardId)).toEqual([cardId]);
    await expect(page.locator('.residual-update').isVisible()).resolves.toBe(true);
  });

  it('reloads into the new version when the reader presses "Reload", with the answer kept', async () => {
    await Promise.all([
      page.waitForEvent('framenavigated', { timeout: 30_000 }),
      page.locator('.residual-update').getByRole('button', { name: 'Reload' }).click(),
    ]);
    await page.waitForLoadState('load');
    await expect(hasMarker()).resolves.toBe(true);
    await reviewReady(page);
    const log = await storedRows<{ cardId: string }>(page, 'log');
    expect(log.map((row) => row.cardId)).toEqual([cardId]);
    await expect(page.locator('.residual-update').count()).resolves.toBe(0);
  });

  it('leaves the other tab as it was, with the prompt, until its reader reloads it too', async () => {
    await expect(hasMarker(other)).resolves.toBe(false);
    const prompt = other.locator('.residual-update');
    await prompt.waitFor({ state: 'visible' });
    await Promise.all([
      other.waitForEvent('framenavigated', { timeout: 30_000 }),
      prompt.getByRole('button', { name: 'Reload' }).click(),
    ]);
    await other.waitForLoadState('load');
    await expect(hasMarker(other)).resolves.toBe(true);
  });
});
