/**
 * Helpers for the browser tests of the widgets that run tiny-lm (activation and attribution
 * patching, IOI and greater-than circuits): open a chapter, scroll a widget into view, wait for
 * its first result, and read the numbers it shows in its tables.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './axe';
import { allowSoftwareWebGpu, launchBrowser } from './browser';
import { serveSite, type ServedSite } from './site';

/** What one test file of these widgets works against: the served site, a browser, a chapter URL. */
export interface ChapterUnderTest {
  browser: Browser;
  site: ServedSite;
  url: string;
}

/**
 * Serves the built site (RESIDUAL_DIST, as for npm run bench:size, else dist/) and launches
 * Chromium for the file's tests; the fields are filled in before the first test runs.
 */
export function chapterUnderTest(path: string): ChapterUnderTest {
  const chapter = {} as ChapterUnderTest;
  beforeAll(async () => {
    chapter.site = await serveSite(process.env['RESIDUAL_DIST'] ?? undefined);
    chapter.url = new URL(path, chapter.site.url).href;
    chapter.browser = await launchBrowser();
  });
  afterAll(async () => {
    await chapter.browser?.close();
    await chapter.site?.close();
  });
  return chapter;
}

export const widgetSelector = (id: string) => `residual-widget[data-widget="${id}"]`;

/** Opens `path` in a page of `context` (a fresh one by default), colour scheme `scheme`. */
export async function openChapter(
  browser: Browser | BrowserContext,
  url: string,
  options: { scheme?: 'dark' | 'light'; beforeLoad?: ((page: Page) => unknown) | undefined } = {},
): Promise<Page> {
  const page =
    'newContext' in browser
      ? await browser.newPage({
          viewport: { width: 1280, height: 900 },
          colorScheme: options.scheme ?? 'dark',
          // No service worker: a request it answered would bypass page.route (failure tests).
          serviceWorkers: 'block',
        })
      : await browser.newPage();
  if (!('newContext' in browser))
    await page.emulateMedia({ colorScheme: options.scheme ?? 'dark' });
  await options.beforeLoad?.(page);
  await page.goto(url, { waitUntil: 'networkidle' });
  return page;
}

/**
 * A fresh profile with service workers blocked: the widgets cache model files themselves (Cache
 * Storage), and a service worker's precaching would only add load to a slow machine.
 */
export function profile(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
}

/** Scrolls widget `id` into view and waits until it has mounted and computed its first result. */
export async function scrollToWidget(page: Page, id: string, timeout = 240_000): Promise<void> {
  const widget = widgetSelector(id);
  await page.locator(widget).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${widget}:is([data-state="ready"], [data-state="error"])`, {
    timeout,
  });
  const state = await page.locator(widget).getAttribute('data-state');
  if (state === 'error') {
    const message = await page.locator(`${widget} [data-shell="message"]`).textContent();
    throw new Error(`${id} failed to load: ${message}`);
  }
  await waitComputed(page, id, timeout);
}

/** Waits until the widget's current computation is done (data-computed="done"). */
export async function waitComputed(page: Page, id: string, timeout = 240_000): Promise<void> {
  await page.waitForSelector(`${widgetSelector(id)} [data-computed="done"]`, { timeout });
}

/** Runs `action` (a control change) and waits for the recomputation it starts. */
export async function recomputed(
  page: Page,
  id: string,
  action: () => Promise<void>,
): Promise<void> {
  await page
    .locator(`${widgetSelector(id)} [data-computed]`)
    .evaluate((el) => el.setAttribute('data-computed', 'stale'));
  await action();
  await waitComputed(page, id);
}

/** A table the widget shows: its column headers, row headers and numbers. */
export interface ShownTable {
  readonly columns: string[];
  readonly rows: string[];
  readonly values: number[][];
  readonly text: string[][];
}

/** Reads the table inside `selector` (within the widget) as numbers (NaN for "—"). */
export async function shownTable(page: Page, id: string, selector: string): Promise<ShownTable> {
  return page
    .locator(`${widgetSelector(id)} ${selector} table`)
    .first()
    .evaluate((table) => {
      const t = table as HTMLTableElement;
      const columns = [...t.tHead!.rows[0]!.cells].slice(1).map((c) => c.textContent ?? '');
      const body = [...t.tBodies[0]!.rows];
      const rows = body.map((r) => r.cells[0]!.textContent ?? '');
      const text = body.map((r) => [...r.cells].slice(1).map((c) => c.textContent ?? ''));
      const values = text.map((r) => r.map((c) => (c === '—' ? Number.NaN : Number(c))));
      return { columns, rows, values, text };
    });
}

/** Every table the widget shows, by its caption, as text. */
export async function allTables(page: Page, id: string): Promise<Record<string, string[][]>> {
  return page.locator(widgetSelector(id)).evaluate((widget) => {
    const out: Record<string, string[][]> = {};
    for (const table of widget.querySelectorAll('table')) {
      const caption = table.caption?.textContent ?? `table ${Object.keys(out).length}`;
      out[caption] = [...table.tBodies[0]!.rows].map((r) =>
        [...r.cells].map((c) => c.textContent ?? ''),
      );
    }
    return out;
  });
}

/**
 * Expects two sets of tables to hold the same numbers within `tolerance` (values are printed
 * with three decimals; GPU kernels sum in another order than WASM) and the same words.
 */
export function expectSameTables(
  a: Record<string, string[][]>,
  b: Record<string, string[][]>,
  tolerance = 2e-3,
): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const [caption, rows] of Object.entries(a)) {
    const other = b[caption]!;
    expect(other.length, caption).toBe(rows.length);
    rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        const x = Number(cell);
        const y = Number(other[r]![c]);
        if (Number.isFinite(x) && Number.isFinite(y))
          expect(Math.abs(x - y), `${caption} [${r}, ${c}]`).toBeLessThanOrEqual(tolerance);
        else expect(other[r]![c], `${caption} [${r}, ${c}]`).toBe(cell);
      }),
    );
  }
}

/** The widget's time to first result in ms, as it records it. */
export async function firstResultMs(page: Page, id: string): Promise<number> {
  const value = await page
    .locator(`${widgetSelector(id)} [data-first-result-ms]`)
    .first()
    .getAttribute('data-first-result-ms');
  return Number(value);
}

/** Registers the axe test, in both themes, of widget `id` loaded on a fresh page of `chapter`. */
export function itHasNoAccessibilityViolation(chapter: ChapterUnderTest, id: string): void {
  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the widget loaded (%s theme)',
    async (scheme) => {
      const page = await openChapter(chapter.browser, chapter.url, { scheme });
      await scrollToWidget(page, id);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.close();
    },
  );
}

/**
 * Registers the WebGPU-vs-WASM comparison of widget `id`: every table it shows on WebGPU holds the
 * numbers it shows on WASM (whose time to first result, first visit and model cached, is logged).
 * Chromium's software WebGPU (no GPU here or in CI) needs minutes per sweep, so this runs only
 * with RESIDUAL_WEBGPU_WIDGETS=1; the logit-lens test and tests/e2e/ml-webgpu.test.ts always compare.
 */
export function itShowsTheSameNumbersOnWebGpu(
  chapter: ChapterUnderTest,
  id: string,
  title = 'shows the same numbers on WebGPU as on WASM',
): void {
  it.skipIf(!process.env['RESIDUAL_WEBGPU_WIDGETS'])(
    title,
    async () => {
      const wasmContext = await profile(chapter.browser);
      const tables: Record<string, string[][]>[] = [];
      for (const visit of ['first visit', 'model cached']) {
        const page = await openChapter(wasmContext, chapter.url);
        await scrollToWidget(page, id);
        tables.push(await allTables(page, id));
        console.log(
          `[${id}] time to first result, ${visit} (WASM): ${await firstResultMs(page, id)} ms`,
        );
        await page.close();
      }
      await wasmContext.close();
      const gpuBrowser = await launchBrowser({ webgpu: true });
      try {
        const page = await openChapter(await profile(gpuBrowser), chapter.url, {
          beforeLoad: allowSoftwareWebGpu,
        });
        // A software GPU (SwiftShader) is several times slower than WASM on these batches.
        await scrollToWidget(page, id, 900_000);
        await expect(
          page.locator(`${widgetSelector(id)} [data-shell="backend"]`).textContent(),
        ).resolves.toBe('WebGPU');
        expectSameTables(await allTables(page, id), tables[0]!);
      } finally {
        await gpuBrowser.close();
      }
    },
    1_000_000,
  );
}
