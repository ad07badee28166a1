/**
 * The logit-lens and direct-logit-attribution widgets on the Bonus chapter, in real Chromium on
 * the committed tiny-lm (public/models/tiny-lm): lazy loading, the lens's last layer against the
 * model's own prediction, unknown words, the direct effects adding up, keyboard use, an error with
 * Retry, accessibility, and the same numbers on WebGPU as on WASM. Needs a built site (dist/, or
 * RESIDUAL_DIST).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { allowSoftwareWebGpu, launchBrowser } from './support/browser';
import { serveSite, type ServedSite } from './support/site';
import { openChapter as openChapterPage } from './support/tiny-lm-widgets';

let browser: Browser;
let site: ServedSite;

const LENS = 'residual-widget[data-widget="logit-lens"]';
const DLA = 'residual-widget[data-widget="direct-logit-attribution"]';
const LENS_CHUNK = /logit-lens\.client[^/]*\.js$/;
const SLOW = 120_000;

beforeAll(async () => {
  site = await serveSite(process.env['RESIDUAL_DIST']);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function openChapter(
  on: Browser = browser,
  colorScheme: 'dark' | 'light' = 'dark',
  beforeLoad?: (page: Page) => void | Promise<void>,
): Promise<Page> {
  // The shared opening (tests/e2e/support/tiny-lm-widgets.ts): 1280×900, service workers blocked.
  return openChapterPage(on, new URL('/bonus/', site.url).href, {
    scheme: colorScheme,
    beforeLoad,
  });
}

/** Scrolls a widget into view and waits for its first result. */
async function ready(page: Page, widget: string): Promise<void> {
  await page.locator(widget).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${widget}[data-state="ready"]`, { timeout: SLOW });
  await page.waitForSelector(`${widget} [data-computed="done"]`, { timeout: SLOW });
}

/** Waits for the recomputation that `action` starts. */
async function recomputed(page: Page, widget: string, action: () => Promise<void>): Promise<void> {
  await page
    .locator(`${widget} [data-computed]`)
    .evaluate((el) => el.setAttribute('data-computed', 'stale'));
  await action();
  await page.waitForSelector(`${widget} [data-computed="done"]`, { timeout: SLOW });
}

/** The lens table: rows = layers, cells "token (p)" per position. */
async function lensTable(page: Page): Promise<string[][]> {
  return page
    .locator(`${LENS} [data-lens="table"] tbody tr`)
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
}

/** The lens table's cells as numbers (probabilities), for comparing backends. */
const probabilities = (table: string[][]) =>
  table.flat().map((cell) => Number(/\(([-\d.]+)\)$/.exec(cell)?.[1]));

describe('the logit lens on the Bonus chapter', () => {
  it('loads only when scrolled to, shows its backend, and reads the model’s own prediction in its last layer', async () => {
    const scripts: string[] = [];
    const page = await openChapter(browser, 'dark', (p) => {
      p.on('request', (r) => void scripts.push(r.url()));
    });
    await expect(page.locator(LENS).getAttribute('data-state')).resolves.toBe('idle');
    expect(scripts.some((url) => LENS_CHUNK.test(url))).toBe(false);

    await ready(page, LENS);
    await ready(page, DLA);
    expect(scripts.some((url) => LENS_CHUNK.test(url))).toBe(true);
    await expect(page.locator(`${LENS} [data-shell="backend"]`).textContent()).resolves.toBe(
      'WASM',
    );

    // The IOI preset: the last layer's top token at the last position is the model's prediction,
    // which the attribution widget ranks first from a plain forward pass (no lens patching).
    const table = await lensTable(page);
    const lastLayer = table[table.length - 1]!;
    const lensPrediction = /^(\S+) \(/.exec(lastLayer[lastLayer.length - 1]!)![1];
    const forwardPrediction = await page
      .locator(`${DLA} select[name="answer"] option`)
      .first()
      .textContent();
    expect(forwardPrediction).toMatch(new RegExp(`^${lensPrediction} \\(`));
    // tiny-lm does the task (model card: IOI accuracy ≥ 90%): the indirect object, Mary.
    expect(lensPrediction).toBe('Mary');
    await expect(
      page.locator(`${LENS} [data-lens="summary"]`).getAttribute('data-prediction'),
    ).resolves.toBe('Mary');
    // One row per layer: embeddings + one per block.
    expect(table.length).toBeGreaterThanOrEqual(3);
    await page.close();
  });

  it('marks the words of a typed prompt that tiny-lm does not know, and still runs it', async () => {
    const page = await openChapter();
    await ready(page, LENS);
    const input = page.locator(`${LENS} input[name="prompt"]`);
    await input.fill('Mary gave the zeppelin to');
    const unknown = page.locator(`${LENS} [data-unknown]`);
    await expect(unknown.getAttribute('data-unknown')).resolves.toBe('zeppelin');
    await expect(page.locator(`${LENS} .prompt-word--unknown`).textContent()).resolves.toBe(
      'zeppelin',
    );
    await expect(page.locator(`${LENS} select[name="preset"]`).inputValue()).resolves.toBe(
      'custom',
    );
    await recomputed(page, LENS, () => input.press('Enter'));
    const table = await lensTable(page);
    expect(table[0]).toHaveLength(6); // <bos> + 5 words
    await page.close();
  });

  it('is operated from the keyboard: preset menu, prompt and Run', async () => {
    const page = await openChapter();
    await ready(page, LENS);
    const select = page.locator(`${LENS} select[name="preset"]`);
    await select.focus();
    await recomputed(page, LENS, () => page.keyboard.press('ArrowDown'));
    await expect(select.inputValue()).resolves.toBe('city');
    await expect(page.locator(`${LENS} input[name="prompt"]`).inputValue()).resolves.toBe(
      'Paris is a city in',
    );
    await expect(
      page.locator(`${LENS} [data-lens="summary"]`).getAttribute('data-prediction'),
    ).resolves.toBe('France');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('name'))).resolves.toBe(
      'prompt',
    );
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe(
      'Run',
    );
    await recomputed(page, LENS, () => page.keyboard.press('Enter'));
    await page.close();
  });

  it('shows a clear error with Retry when the model cannot be downloaded, and recovers', async () => {
    const page = await openChapter();
    await page.route('**/models/tiny-lm/**', (route) => route.abort('connectionfailed'));
    await page.locator(LENS).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${LENS}[data-state="error"]`, { timeout: SLOW });
    const message = page.locator(`${LENS} [data-shell="message"]`);
    await expect(message.textContent()).resolves.toMatch(/could not load/);
    await expect(message.getAttribute('role')).resolves.toBe('alert');
    await page.unroute('**/models/tiny-lm/**');
    await page.locator(LENS).getByRole('button', { name: 'Retry' }).click();
    await ready(page, LENS);
    await page.close();
  });

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with both widgets loaded (%s theme)',
    async (colorScheme) => {
      const page = await openChapter(browser, colorScheme);
      await ready(page, LENS);
      await ready(page, DLA);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.close();
    },
  );
});

describe('direct logit attribution on the Bonus chapter', () => {
  it('splits the IOI logit difference into heads and MLPs that add up to it', async () => {
    const page = await openChapter();
    await ready(page, DLA);
    await expect(page.locator(`${DLA} select[name="answer"]`).inputValue()).resolves.not.toBe('');
    const summary = page.locator(`${DLA} [data-dla="summary"]`);
    const total = Number(await summary.getAttribute('data-total'));
    const sum = Number(await summary.getAttribute('data-sum'));
    expect(Math.abs(sum - total)).toBeLessThan(1e-2);
    // Model card: mean IOI logit difference ≥ 2; this prompt is one the model gets right.
    expect(total).toBeGreaterThan(0);
    await expect(summary.getAttribute('data-top-head')).resolves.toMatch(/^L\d+H\d+$/);
    await expect(page.locator(`${DLA} [data-chart="dla"] svg`).count()).resolves.toBe(1);

    // The logit of the answer alone, with no distractor: a redraw, not a new run.
    await page.locator(`${DLA} select[name="distractor"]`).selectOption('none');
    const alone = Number(await summary.getAttribute('data-total'));
    expect(alone).not.toBeCloseTo(total, 3);
    await page.close();
  });
});

describe('the logit lens on WebGPU and on WASM', () => {
  it('shows the same numbers', { timeout: 4 * SLOW }, async () => {
    const read = async (on: Browser, beforeLoad?: (page: Page) => Promise<void>) => {
      const page = await openChapter(on, 'dark', beforeLoad);
      await ready(page, LENS);
      await ready(page, DLA);
      const backend = await page.locator(LENS).getAttribute('data-backend');
      const lens = probabilities(await lensTable(page));
      const dla = await page
        .locator(`${DLA} [data-table="dla"] td`)
        .evaluateAll((cells) => cells.map((c) => Number(c.textContent)));
      await page.close();
      return { backend, lens, dla };
    };
    const gpuBrowser = await launchBrowser({ webgpu: true });
    try {
      const gpu = await read(gpuBrowser, allowSoftwareWebGpu);
      const cpu = await read(browser);
      expect(gpu.backend).toBe('webgpu');
      expect(cpu.backend).toBe('wasm');
      expect(gpu.lens).toHaveLength(cpu.lens.length);
      gpu.lens.forEach((p, i) => expect(Math.abs(p - cpu.lens[i]!)).toBeLessThanOrEqual(0.011));
      expect(gpu.dla).toHaveLength(cpu.dla.length);
      gpu.dla.forEach((v, i) => expect(Math.abs(v - cpu.dla[i]!)).toBeLessThanOrEqual(0.0021));
    } finally {
      await gpuBrowser.close();
    }
  });

  it('runs on WASM when the only WebGPU adapter is a software one', { timeout: SLOW }, async () => {
    const gpuBrowser = await launchBrowser({ webgpu: true });
    try {
      const page = await openChapter(gpuBrowser);
      await expect(
        page.evaluate(async () => {
          type Gpu = { requestAdapter(): Promise<{ info: { isFallbackAdapter: boolean } } | null> };
          const gpu = (navigator as Navigator & { gpu?: Gpu }).gpu;
          return (await gpu?.requestAdapter())?.info.isFallbackAdapter;
        }),
      ).resolves.toBe(true);
      await ready(page, LENS);
      await expect(page.locator(LENS).getAttribute('data-backend')).resolves.toBe('wasm');
      await expect(page.locator(`${LENS} [data-shell="backend"]`).textContent()).resolves.toBe(
        'WASM',
      );
      await page.close();
    } finally {
      await gpuBrowser.close();
    }
  });
});
