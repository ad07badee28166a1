// "Make widgets available offline": the size is shown before anything is downloaded, a progress
// bar follows the download, and afterwards the model and onnxruntime files are there, and a widget
// that needs them runs, with the network off. The built site gets a small model (the committed test fixture) in /models/.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFiles, parseManifest, type ModelFile } from '../../src/ml/manifest';
import { WIDGET_ASSET_LIST, WIDGET_CACHE } from '../../src/ui/offline/constants';
import { widgetAssetList } from '../../src/site/offline/integration';
import { formatBytes, runtimeFilesFor } from '../../src/ui/offline/widget-download';
import { launchBrowser, newProfile } from './support/browser';
import { copyOfSite, waitForServiceWorker } from './support/offline';
import { serveSite, type ServedSite } from './support/site';

const MODEL = '_lab-random';
const EXTRA = 'tokenizer_cases.json';
const FIXTURE = new URL(`../fixtures/models/${MODEL}/`, import.meta.url);

let site: ServedSite;
let named: ModelFile[];
let removeSite: () => Promise<void>;
let expectedBytes: number;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  const copy = await copyOfSite();
  removeSite = copy.remove;
  const folder = join(copy.root, 'models', MODEL);
  // tokenizer_cases.json stands for a file no manifest names (like a widget's checkpoints).
  named = modelFiles(
    parseManifest(JSON.parse(await readFile(new URL('manifest.json', FIXTURE), 'utf8'))),
  );
  const files = ['manifest.json', ...named.map((file) => file.path), EXTRA];
  for (const file of files) {
    await cp(new URL(file, FIXTURE), join(folder, file));
  }
  const list = await widgetAssetList(copy.root);
  await writeFile(join(copy.root, WIDGET_ASSET_LIST), JSON.stringify(list));
  // What the button must fetch: every model file of the build except the manifests (read while
  // planning), with sizes from the manifests where they give them, and the onnxruntime files of
  // the WASM build (this browser has no WebGPU).
  let manifests = 0;
  for (const model of list.models) {
    const manifestFile = model.files.find((file) => file.path === 'manifest.json');
    // A folder without a manifest holds files widgets load by name (the SAEs): all downloaded.
    if (!manifestFile) continue;
    manifests += manifestFile.bytes;
    const manifest = parseManifest(
      JSON.parse(await readFile(join(copy.root, 'models', model.name, 'manifest.json'), 'utf8')),
    );
    for (const file of modelFiles(manifest)) {
      const measured = model.files.find((candidate) => candidate.path === file.path)?.bytes;
      if (file.bytes != null) expect(file.bytes).toBe(measured);
    }
  }
  const modelBytes = list.models.reduce((sum, model) => sum + model.bytes, 0);
  const runtimeBytes = runtimeFilesFor(list.runtime, 'wasm').reduce((sum, f) => sum + f.bytes, 0);
  expectedBytes = modelBytes - manifests + runtimeBytes;

  site = await serveSite(copy.root);
  browser = await launchBrowser();
  context = await newProfile(browser);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await removeSite?.();
});

const status = () => page.locator('residual-widgets-offline [data-status]');
const button = () =>
  page.locator('residual-widgets-offline').getByRole('button', { name: /available offline/ });

describe('making the widgets available offline', () => {
  it('shows the total size before downloading anything, once the panel nears the screen', async () => {
    const listed: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(WIDGET_ASSET_LIST)) listed.push(request.url());
    });
    await page.goto(new URL('/progress/', site.url).href);
    await waitForServiceWorker(page);
    // Below the first screen, the panel works nothing out while the page loads.
    await expect(status().textContent()).resolves.toBe("Checking the size of the widgets' files…");
    expect(listed).toEqual([]);
    await page.locator('residual-widgets-offline').scrollIntoViewIfNeeded();
    await button().waitFor();
    expect(listed).toHaveLength(1);
    const size = formatBytes(expectedBytes);
    await expect(status().textContent()).resolves.toContain(size);
    await expect(button().textContent()).resolves.toContain(size);
    await expect(page.locator('residual-widgets-offline progress').isVisible()).resolves.toBe(
      false,
    );
  });

  it('downloads everything with a progress bar that ends full', async () => {
    const values: number[] = [];
    await button().click();
    const bar = page.locator('residual-widgets-offline progress');
    await bar.waitFor({ state: 'visible' });
    const deadline = Date.now() + 60_000;
    while ((await page.locator('residual-widgets-offline[data-state="done"]').count()) === 0) {
      values.push(await bar.evaluate((element) => (element as HTMLProgressElement).value));
      const text = (await status().textContent()) ?? '';
      if (text.startsWith('The download stopped') || Date.now() > deadline) throw new Error(text);
      await page.waitForTimeout(50);
    }
    await expect(status().textContent()).resolves.toMatch(/^Widgets are available offline/);
    const max = Number(await bar.evaluate((element) => (element as HTMLProgressElement).max));
    const final = Number(await bar.evaluate((element) => (element as HTMLProgressElement).value));
    expect(max).toBe(expectedBytes);
    expect(final).toBe(max);
    expect([...values].sort((a, b) => a - b)).toEqual(values); // never goes backwards
  });

  it('with the network off, serves the runtime and reports the widgets as available', async () => {
    await context.setOffline(true);
    const runtime = await page.evaluate(async () => {
      const response = await fetch('/ort/ort-wasm-simd-threaded.wasm');
      return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
    });
    expect(runtime.status).toBe(200);
    expect(runtime.bytes).toBeGreaterThan(1_000_000);
    // The WebGPU build's 28 MB were not downloaded: this browser would never load them.
    const stored = await page.evaluate(async (cacheName) => {
      const cache = await caches.open(cacheName);
      return (await cache.keys()).map((request) => new URL(request.url).pathname);
    }, WIDGET_CACHE);
    expect(stored).toContain('/ort/ort-wasm-simd-threaded.wasm');
    expect(stored.filter((path) => path.includes('.jsep.'))).toEqual([]);
    // A file no manifest names waits where src/ml looks for it (its cache, keyed by URL).
    const extra = await page.evaluate(
      async (url) => {
        const hit = await (await caches.open('residual-models-v1')).match(url);
        return hit?.status ?? null;
      },
      new URL(`/models/${MODEL}/${EXTRA}`, site.url).href,
    );
    expect(extra).toBe(200);
    // Every file the model's manifest names (both forward graphs, the backward graph, the
    // weights they share, the tokenizer) waits under the key src/ml reads it from.
    const missing = await page.evaluate(
      async (files) => {
        const cache = await caches.open('residual-models-v1');
        const absent: string[] = [];
        for (const { url, sha256 } of files) {
          if (!(await cache.match(`${url}?sha256=${sha256}`))) absent.push(url);
        }
        return absent;
      },
      named.map((file) => ({
        url: new URL(`/models/${MODEL}/${file.path}`, site.url).href,
        sha256: file.sha256,
      })),
    );
    expect(named.map((file) => file.path)).toContain('weights.bin');
    expect(missing).toEqual([]);
    await page.reload();
    await status()
      .filter({ hasText: /^Widgets are available offline/ })
      .waitFor();
    await expect(button().isVisible()).resolves.toBe(false);
    await context.setOffline(false);
  });

  it('runs a widget that needs model files (grokking: modadd checkpoints) with the network off', async () => {
    await context.setOffline(true);
    await page.goto(new URL('/bonus/', site.url).href);
    const widget = 'residual-widget[data-widget="grokking"]';
    await page.locator(widget).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${widget}[data-state="ready"]`, { timeout: 60_000 });
    await context.setOffline(false);
  });

  it('runs the SAE lab (tiny-lm, and SAE files that no manifest names) with the network off', async () => {
    await context.setOffline(true);
    await page.goto(new URL('/sparse-autoencoders/', site.url).href);
    const widget = 'residual-widget[data-widget="sae-lab"]';
    await page.locator(widget).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${widget}:is([data-state="ready"], [data-state="error"])`, {
      timeout: 180_000,
    });
    const message = await page.locator(`${widget} [data-shell="message"]`).textContent();
    expect(await page.locator(widget).getAttribute('data-state'), message ?? '').toBe('ready');
    await context.setOffline(false);
  });
});
