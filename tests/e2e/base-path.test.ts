// The site published under a path (/residual/, as a project page on a static host is), built by
// `npm run build:base` into dist-base/: a reader reads a chapter, reviews a card, runs a widget,
// and reloads a chapter offline, with every page, file and model fetched under the base.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newProfile } from './support/browser';
import { copyOfSite, waitForServiceWorker } from './support/offline';
import { introduceNewInListOrder, reviewReady, shownCardId, storedRows } from './support/review';
import { serveSite, type ServedSite } from './support/site';

const DIST_BASE = fileURLToPath(new URL('../../dist-base/', import.meta.url));
const BASE = '/residual/';
const WIDGET = 'residual-widget[data-widget="induction-heads"]';

let site: ServedSite;
let removeSite: () => Promise<void>;
let browser: Browser;
let context: BrowserContext;
/** Every URL the pages asked the server for, to find any that left the base. */
const requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(DIST_BASE, 'index.html')))
    throw new Error('dist-base/ has no built site: run "npm run build:base" (npm test does).');
  // The host serves the site's folder under /residual/ and nothing at its root.
  const copy = await copyOfSite(DIST_BASE);
  const host = await mkdtemp(join(tmpdir(), 'residual-host-'));
  await symlink(copy.root, join(host, 'residual'));
  removeSite = async () => {
    await rm(host, { recursive: true, force: true });
    await copy.remove();
  };
  site = await serveSite(host);
  browser = await launchBrowser();
  context = await newProfile(browser);
  context.on('request', (request) => requested.push(request.url()));
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await removeSite?.();
});

const url = (path: string) => new URL(`${BASE}${path.replace(/^\//, '')}`, site.url).href;

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(url(path), { waitUntil: 'networkidle' });
  expect(response?.status(), path).toBe(200);
  return page;
}

describe('the site built for the base /residual/', () => {
  it('serves a chapter whose links, sidebar and assets stay under the base', async () => {
    const page = await open('/bonus/');
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Bonus');
    const hrefs = await page
      .locator('main a[href^="/"], nav.sidebar a[href^="/"]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(10);
    expect(hrefs.filter((href) => !href.startsWith(BASE))).toEqual([]);
    // The chapter's own Markdown link to the glossary, and the glossary itself.
    await page.locator('main a[href="/residual/glossary/"]').first().click();
    await page.waitForURL(url('/glossary/'));
    await page.close();
  });

  it('reviews a card: the deck comes from under the base, and the grade is stored', async () => {
    const page = await open('/review/');
    await reviewReady(page);
    // New cards from the whole list (by default they come from papers marked read).
    await introduceNewInListOrder(page);
    const card = await shownCardId(page);
    expect(card).not.toBe('');
    await expect(page.locator('[data-open]').getAttribute('href')).resolves.toMatch(
      /^\/residual\/([a-z0-9-]+\/)?#/,
    );
    await page.keyboard.press('Space');
    await page.locator('[data-grades]:not([hidden])').waitFor();
    await page.keyboard.press('3');
    await page.waitForFunction((id) => {
      const shown = document.querySelector('residual-review')?.getAttribute('data-card-id');
      return shown !== id;
    }, card);
    const log = await storedRows<{ cardId: string; grade: number }>(page, 'log');
    expect(log.map((row) => [row.cardId, row.grade])).toEqual([[card, 3]]);
    await page.close();
  });

  it('searches: the index comes from under the base, and results link there', async () => {
    const page = await open('/bonus/');
    await page.keyboard.press('Control+k');
    const input = page.locator('dialog input.pagefind-ui__search-input');
    await input.fill('Gurnee');
    const result = page.locator('.pagefind-ui__result-link', { hasText: 'Finding Neurons' });
    await result.first().waitFor({ timeout: 20_000 });
    await expect(result.first().getAttribute('href')).resolves.toMatch(
      /^\/residual\/superposition\//,
    );
    expect(requested.some((address) => address.startsWith(url('/pagefind/pagefind.js')))).toBe(
      true,
    );
    await page.close();
  });

  it('runs a widget: the model and onnxruntime load from under the base', async () => {
    const page = await open('/foundational-work/');
    await page.locator(WIDGET).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: 240_000 });
    await page.waitForSelector(`${WIDGET} [data-computed="done"]`, { timeout: 240_000 });
    const ours = requested.filter((address) => address.startsWith(site.url));
    expect(ours.some((address) => address.startsWith(url('/models/attn-only-2l/')))).toBe(true);
    expect(ours.some((address) => address.startsWith(url('/ort/')))).toBe(true);
    // Nothing was asked for outside the base (the host has nothing there).
    expect(ours.filter((address) => !address.startsWith(url('/')))).toEqual([]);
    await page.close();
  });

  it('reloads a chapter with the network off: the service worker is scoped to the base', async () => {
    const page = await open('/superposition/');
    await waitForServiceWorker(page);
    const scope = await page.evaluate(
      async () => (await navigator.serviceWorker.getRegistration())?.scope,
    );
    expect(scope).toBe(url('/'));
    await context.setOffline(true);
    try {
      await page.reload();
      await expect(page.locator('h1').first().textContent()).resolves.toBe('Superposition');
    } finally {
      await context.setOffline(false);
    }
    await page.close();
  });
});
