// Nothing leaves the reader's machine: a full visit of the built site makes no request to any
// other origin. Two nets catch one: every request Playwright sees must be for the site's origin,
// and Chromium sends every non-loopback request (pages, service worker, workers, prefetches)
// through a local recording proxy, which refuses and records it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser';
import { copyOfSite, waitForServiceWorker } from './support/offline';
import { reviewReady } from './support/review';
import { serveSite, type ServedSite } from './support/site';

let site: ServedSite;
let removeSite: () => Promise<void>;
let siteRoot: string;
let proxy: Server;
const proxied: string[] = [];
const seen: string[] = [];
let browser: Browser;
let context: BrowserContext;
let page: Page;

/**
 * Hosts that Chromium itself talks to whatever page is open (component updates, sign-in,
 * autofill): not requests made by the site. Named one by one, so that a site request to, say,
 * fonts.googleapis.com is still caught.
 */
const BROWSER_SERVICES = [
  /^(update|content-autofill|[a-z]+-pa)\.googleapis\.com$/,
  // Chromium 150 connects to www. and android.clients. with nothing but data: open (seen here).
  /^(accounts|www|(android\.)?clients\d*)\.google\.com$/,
  /(^|\.)gvt1\.com$/,
];

function isBrowserService(request: string): boolean {
  const target = request.replace(/^CONNECT /, '');
  const host = target.includes('://') ? new URL(target).hostname : target.replace(/:\d+$/, '');
  return BROWSER_SERVICES.some((pattern) => pattern.test(host));
}

/** An HTTP proxy that answers nothing and writes down every host it is asked for. */
async function recordingProxy(): Promise<Server> {
  const server = createServer((request, response) => {
    proxied.push(request.url ?? '(no url)');
    response.writeHead(502).end();
  });
  server.on('connect', (request, socket) => {
    proxied.push(`CONNECT ${request.url ?? ''}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Every page of the built site (the /dev/ test pages aside), as URL paths. */
async function sitePages(root: string, dir = root): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'dev' && entry.name !== '_astro')
        paths.push(...(await sitePages(root, path)));
    } else if (entry.name === 'index.html') {
      const folder = relative(root, dir).split(sep).join('/');
      paths.push(folder ? `/${folder}/` : '/');
    }
  }
  return paths.sort();
}

beforeAll(async () => {
  const copy = await copyOfSite();
  siteRoot = copy.root;
  removeSite = copy.remove;
  site = await serveSite(copy.root);
  proxy = await recordingProxy();
  browser = await launchBrowser({
    args: [
      // Chromium's own services (autofill, sign-in, updates) would fill the proxy's record.
      '--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter',
      '--disable-client-side-phishing-detection',
      '--disable-default-apps',
      `--proxy-server=http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (request) => seen.push(request.url()));
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await removeSite?.();
});

/** Scrolls through the page so that every lazily loaded widget starts. */
async function scrollThrough(target: Page): Promise<void> {
  await target.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  });
  await target.waitForLoadState('networkidle');
}

describe('a full visit', () => {
  it('reads every page, searches, reviews a card and marks a paper, all from the site alone', async () => {
    const origin = new URL(site.url).origin;
    await page.goto(site.url);
    await waitForServiceWorker(page);
    const pages = await sitePages(siteRoot);
    expect(pages.length).toBeGreaterThan(10);
    for (const path of pages) {
      await page.goto(new URL(path, site.url).href, { waitUntil: 'load' });
      await scrollThrough(page);
    }

    await page.goto(site.url);
    await page
      .getByRole('button', { name: /search/i })
      .first()
      .click();
    await page.locator('dialog input.pagefind-ui__search-input').fill('induction');
    await page.locator('.pagefind-ui__result-link').first().waitFor({ timeout: 20_000 });
    await page.keyboard.press('Escape');

    await page.goto(new URL('/review/', site.url).href);
    await reviewReady(page);
    await page.keyboard.press('Space');
    await page.keyboard.press('3');

    await page.goto(new URL('/superposition/', site.url).href);
    const control = page.locator('residual-paper-progress').first();
    await control.locator('fieldset:not([disabled])').waitFor();
    await control.getByRole('radio', { name: 'Read', exact: true }).check();
    await page.goto(new URL('/no-such-page/', site.url).href);
    await page.goto(new URL('/progress/', site.url).href);
    await page.waitForLoadState('networkidle');

    expect(seen.length).toBeGreaterThan(pages.length);
    expect(seen.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual(
      [],
    );
    expect(proxied.filter((request) => !isBrowserService(request))).toEqual([]);
  });

  it('would notice a request to another origin (the nets work)', async () => {
    await page.evaluate(() => fetch('http://example.invalid/beacon').catch(() => undefined));
    await page.waitForTimeout(300);
    expect(seen.some((url) => url.startsWith('http://example.invalid/'))).toBe(true);
    expect(proxied.some((url) => url.includes('example.invalid'))).toBe(true);
  });
});
