import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SOFTWARE_WEBGPU_KEY } from '../../../src/ml/runtime';

/** Debian's Chromium; the tests never download a browser of their own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches real Chromium with the flags every test uses; with `webgpu`, a software WebGPU adapter
 * (SwiftShader) is exposed; `args` adds flags of the test's own (a proxy, features turned off).
 */
export async function launchBrowser(
  options: { webgpu?: boolean; args?: readonly string[] } = {},
): Promise<Browser> {
  // Without WebGPU, keep Chromium off its GPU process: it raises its own priority and competes
  // with everything else on these two-core machines.
  const args = [
    ...BASE_ARGS,
    options.webgpu ? '--enable-unsafe-webgpu' : '--disable-gpu',
    ...(options.args ?? []),
  ];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

/**
 * Lets the page's automatic backend choice take the software WebGPU adapter that `webgpu: true`
 * exposes (src/ml passes over software adapters unless allowed). Call before the page loads.
 */
export async function allowSoftwareWebGpu(page: Page): Promise<void> {
  await page.addInitScript((key) => localStorage.setItem(key, 'allow'), SOFTWARE_WEBGPU_KEY);
}

/**
 * A fresh profile (own IndexedDB, caches, service workers) in an existing browser. Tests that are
 * not about offline use can block the service worker, whose install and claim race the page.
 */
export async function newProfile(
  browser: Browser,
  options: { serviceWorkers?: 'allow' | 'block' } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 1280, height: 900 },
    serviceWorkers: options.serviceWorkers ?? 'allow',
  });
}
