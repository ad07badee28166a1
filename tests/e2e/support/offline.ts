// Helpers for the offline, progress and update tests: a private copy of the built site (other
// builds may rewrite dist/ meanwhile) and waiting for the service worker to take control.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DIST } from './site';

/** The URLs the built service worker precaches. */
export async function precachedUrls(root: string): Promise<string[]> {
  const sw = await readFile(join(root, 'sw.js'), 'utf8');
  return [...sw.matchAll(/\{\s*"?url"?\s*:\s*"([^"]+)"\s*,\s*"?revision"?/g)].map(
    (match) => match[1]!,
  );
}

/** A copy is usable when its service worker exists and every file it precaches is there. */
async function isComplete(root: string): Promise<boolean> {
  if (!existsSync(join(root, 'sw.js'))) return false;
  const urls = await precachedUrls(root);
  return urls.length > 0 && urls.every((url) => existsSync(join(root, decodeURIComponent(url))));
}

/**
 * Copies dist/ (or $RESIDUAL_DIST) to a fresh temporary folder; returns its path and a function
 * to remove it. Waits out a build that is rewriting it at the time (the copy must be one whole
 * build).
 */
export async function copyOfSite(
  from: string = process.env['RESIDUAL_DIST'] ?? DIST,
): Promise<{ root: string; remove: () => Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const root = await mkdtemp(join(tmpdir(), 'residual-site-'));
    await cp(from, root, { recursive: true });
    if (await isComplete(root)) {
      return { root, remove: () => rm(root, { recursive: true, force: true }) };
    }
    await rm(root, { recursive: true, force: true });
    if (attempt >= 30) throw new Error(`${from} is not a complete build (run "npm run build")`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** Waits until a service worker is active and controls the page (the first visit's install). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 60_000,
    polling: 250,
  });
}

/**
 * Whether the page can reach `siteUrl`'s server: a fetch of an address nothing caches. (Chromium
 * 150 leaves navigator.onLine true in a context set offline; the network really is off.)
 */
export async function reachesServer(page: Page, siteUrl: string): Promise<boolean> {
  return page.evaluate(async (url) => {
    try {
      await fetch(new URL(`offline-probe-${Date.now()}`, url), { cache: 'no-store' });
      return true;
    } catch {
      return false;
    }
  }, siteUrl);
}
