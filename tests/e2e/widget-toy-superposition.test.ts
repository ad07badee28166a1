import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { servedSiteAndBrowser } from './support/served';
import { openChapter as openChapterPage } from './support/tiny-lm-widgets';

const WIDGET = 'residual-widget[data-widget="toy-superposition"]';
const CLIENT_CHUNK = /toy-superposition\.client[^/]*\.js$/;

const served = servedSiteAndBrowser();

async function openChapter(
  colorScheme: 'dark' | 'light' = 'dark',
  beforeLoad?: (page: Page) => void,
): Promise<Page> {
  // The shared opening (tests/e2e/support/tiny-lm-widgets.ts): 1280×900, service workers blocked.
  return openChapterPage(served.browser, new URL('/superposition/', served.site.url).href, {
    scheme: colorScheme,
    beforeLoad,
  });
}

/** Scrolls the widget into view and waits until it has mounted and finished its first training. */
async function scrollToWidget(page: Page): Promise<void> {
  await page.locator(WIDGET).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: 30_000 });
  await page.waitForSelector(`${WIDGET} [data-training="done"]`, { timeout: 60_000 });
}

/** Waits for the retraining that a control change starts to finish. */
async function retrained(page: Page, action: () => Promise<void>): Promise<void> {
  await page
    .locator(`${WIDGET} [data-training]`)
    .evaluate((el) => el.removeAttribute('data-training'));
  await action();
  await page.waitForSelector(`${WIDGET} [data-training="done"]`, { timeout: 60_000 });
}

/** The per-feature numbers the widget shows in its table. */
async function shownFeatures(page: Page): Promise<{ norm: number; angle: number | null }[]> {
  const rows = await page.locator(`${WIDGET} [data-toy="table"] tbody tr`).all();
  return Promise.all(
    rows.map(async (row) => {
      const cells = await row.locator('td').allTextContents();
      const angle = cells[5]?.match(/^(\d+)°$/);
      return { norm: Number(cells[2]), angle: angle ? Number(angle[1]) : null };
    }),
  );
}

describe('the toy superposition widget on the Superposition chapter', () => {
  it('ships no widget code until the reader scrolls to it, then loads and shows its backend', async () => {
    const scripts: { url: string; gzipBytes: number }[] = [];
    const page = await openChapter('dark', (page) =>
      page.on('response', async (response) => {
        if (response.request().resourceType() !== 'script') return;
        const body = await response.body().catch(() => Buffer.alloc(0));
        scripts.push({ url: response.url(), gzipBytes: gzipSync(body).length });
      }),
    );
    await expect(page.locator(WIDGET).getAttribute('data-state')).resolves.toBe('idle');
    expect(scripts.some((s) => CLIENT_CHUNK.test(s.url))).toBe(false);

    const inline = await page.$$eval('script:not([src])', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    const inlineGzip = inline.reduce((sum, text) => sum + gzipSync(text).length, 0);
    const eagerGzip = scripts.reduce((sum, s) => sum + s.gzipBytes, 0) + inlineGzip;
    expect(
      eagerGzip,
      `JavaScript before any widget loads: ${eagerGzip} bytes gzip`,
    ).toBeLessThanOrEqual(60 * 1024);

    await scrollToWidget(page);
    expect(scripts.some((s) => CLIENT_CHUNK.test(s.url))).toBe(true);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toBe(
      'CPU (JS)',
    );
    await page.close();
  });

  it('trains at high sparsity into a pentagon and reports it in its numbers', async () => {
    const page = await openChapter();
    await scrollToWidget(page);
    await retrained(page, () => page.getByRole('button', { name: 'Pentagon preset' }).click());
    await expect(page.locator(`${WIDGET} input[name="sparsity"]`).inputValue()).resolves.toBe(
      '0.97',
    );

    const features = await shownFeatures(page);
    expect(features).toHaveLength(5);
    for (const { norm, angle } of features) {
      expect(norm).toBeGreaterThan(0.9);
      expect(norm).toBeLessThan(1.3);
      expect(angle).not.toBeNull();
      expect(Math.abs(angle! - 72)).toBeLessThanOrEqual(5);
    }
    const summary = page.locator(`${WIDGET} [data-toy="summary"]`);
    await expect(summary.textContent()).resolves.toMatch(/^5 of 5 features represented.*pentagon/);
    // The arrows figure is drawn for m = 2: one arrow per feature.
    await expect(page.locator(`${WIDGET} [data-chart="arrows"] svg`).count()).resolves.toBe(1);
    await page.close();
  });

  it('is operated from the keyboard alone: presets, sliders and the sweep', async () => {
    const page = await openChapter();
    await scrollToWidget(page);

    // Tab order walks through every control of the widget.
    await page.locator(`${WIDGET} select[name="features"]`).focus();
    const order: string[] = [];
    for (let i = 0; i < 11; i++) {
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return el.getAttribute('name') ?? el.textContent?.trim() ?? '';
        }),
      );
      await page.keyboard.press('Tab');
    }
    expect(order).toEqual([
      'features',
      'dimensions',
      'Pentagon preset',
      'Dense preset',
      'sparsity',
      'decay',
      'Train again with a new seed',
      // The prediction asked before the figures (kit/Predict.astro).
      expect.stringMatching(/^predict-/),
      'Commit and show the result',
      'Just show me',
      'Run the sparsity sweep',
    ]);

    // Dense preset with Enter: only the two most important features keep a dimension.
    await page.getByRole('button', { name: 'Dense preset' }).focus();
    await retrained(page, () => page.keyboard.press('Enter'));
    const summary = page.locator(`${WIDGET} [data-toy="summary"]`);
    await expect(summary.getAttribute('data-represented')).resolves.toBe('2');

    // Sparsity slider with End: as sparse as it goes, all five come back.
    const slider = page.getByRole('slider', { name: /Feature sparsity/ });
    await slider.focus();
    await retrained(page, () => page.keyboard.press('End'));
    await expect(slider.inputValue()).resolves.toBe('0.99');
    await expect(page.locator(`${WIDGET} [data-toy="sparsity-value"]`).textContent()).resolves.toBe(
      '0.99',
    );
    await expect(summary.getAttribute('data-represented')).resolves.toBe('5');

    // The sweep, started with Space, trains a model per sparsity and draws the phase change.
    await page.getByRole('button', { name: 'Run the sparsity sweep' }).focus();
    await page.keyboard.press('Space');
    await page.waitForSelector(`${WIDGET} [data-sweep="done"]`, { timeout: 90_000 });
    await expect(
      page.locator(`${WIDGET} [data-toy="sweep-status"]`).textContent(),
    ).resolves.toMatch(/^12 models trained/);
    await expect(page.locator(`${WIDGET} [data-chart="sweep"] svg circle`).count()).resolves.toBe(
      12 * 5,
    );
    await page.close();
  });

  it('shows a clear error with a Retry button when its code fails to load, and recovers', async () => {
    const page = await openChapter();
    await page.route(CLIENT_CHUNK, (route) => route.abort('connectionfailed'));
    await page.locator(WIDGET).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${WIDGET}[data-state="error"]`, { timeout: 30_000 });
    const message = page.locator(`${WIDGET} [data-shell="message"]`);
    await expect(message.textContent()).resolves.toMatch(/could not load/);
    await expect(message.getAttribute('role')).resolves.toBe('alert');

    await page.unroute(CLIENT_CHUNK);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Retry' }).isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('redraws its charts in the new colours when the reader switches theme', async () => {
    const page = await openChapter('dark');
    await scrollToWidget(page);
    // The background of the heatmap's scale is the page background: a near-zero cell shows it.
    const cellFills = () =>
      page
        .locator(`${WIDGET} [data-chart="gram"] svg rect`)
        .evaluateAll((rects) => rects.map((rect) => rect.getAttribute('fill')));
    const darkFills = await cellFills();
    await page.selectOption('starlight-theme-select select', 'light');
    await expect.poll(cellFills).not.toEqual(darkFills);
    await page.close();
  });

  it.each([
    { font: "the site's font", wide: false, width: 360, fits: true },
    { font: 'a wider font (DejaVu Sans)', wide: true, width: 360, fits: true },
    { font: 'a wider font (DejaVu Sans)', wide: true, width: 320, fits: false },
  ])(
    'on a $width px phone in $font, keeps its table of numbers inside the frame (fits: $fits)',
    async ({ wide, width, fits }) => {
      const page = await openChapter('light', async (page) => {
        await page.setViewportSize({ width, height: 800 });
        // A Linux without Liberation fonts draws the site's sans-serif list in DejaVu Sans.
        if (wide)
          await page.route(/\/_astro\/.+\.css$/, async (route) => {
            const response = await route.fetch();
            const body = `${await response.text()}\n:root { --sl-font: "DejaVu Sans"; }\n`;
            await route.fulfill({ response, body });
          });
      });
      await scrollToWidget(page);
      const box = page.locator(`${WIDGET} [data-table="numbers"]`);
      await expect
        .poll(() => box.evaluate((el) => getComputedStyle(el).fontFamily))
        .toMatch(wide ? /^"?DejaVu Sans/ : /^-apple-system/);
      const measured = () =>
        box.evaluate((el) => ({
          table: el.scrollWidth,
          box: el.clientWidth,
          page: document.documentElement.scrollWidth,
          focusable: el.getAttribute('tabindex') === '0' && el.getAttribute('role') === 'region',
          label: el.getAttribute('aria-label'),
        }));
      const first = await measured();
      // Never wider than the screen: what does not fit scrolls inside its own box.
      expect(first.page).toBeLessThanOrEqual(width);
      expect(first.box).toBeLessThan(width);
      if (fits) {
        expect(first.table, JSON.stringify(first)).toBeLessThanOrEqual(first.box);
        expect(first.focusable).toBe(false);
      } else {
        expect(first.table).toBeGreaterThan(first.box);
        // A box that scrolls is reachable from the keyboard, and named (axe: scrollable-region-focusable).
        await expect.poll(async () => (await measured()).focusable).toBe(true);
        await expect(box.getAttribute('aria-label')).resolves.toBe(
          'The numbers behind the figures (scrolls sideways)',
        );
      }
      await page.close();
    },
  );

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the widget loaded (%s theme)',
    async (colorScheme) => {
      const page = await openChapter(colorScheme);
      await scrollToWidget(page);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.close();
    },
  );
});
