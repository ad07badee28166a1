import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { DIST, serveSite, type ServedSite } from './support/site';
import { openChapter as openChapterPage } from './support/tiny-lm-widgets';

let browser: Browser;
let site: ServedSite;

const WIDGET = 'residual-widget[data-widget="grokking"]';
const CLIENT_CHUNK = /grokking\.client[^/]*\.js$/;
const CHECKPOINT_WEIGHTS = /\/models\/modadd\/checkpoints\.bin/;

/** What the model card says (the widget must find the same key frequencies on its own). */
const card = JSON.parse(
  readFileSync(new URL('../../public/models/modadd/card.json', import.meta.url), 'utf8'),
) as { p: number; grokking: { keyFrequencies: number[]; trainAcc100Step: number } };

beforeAll(async () => {
  site = await serveSite(process.env['RESIDUAL_DIST'] ?? DIST);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function openChapter(
  colorScheme: 'dark' | 'light' = 'dark',
  beforeLoad?: (page: Page) => Promise<void> | void,
): Promise<Page> {
  // The shared opening (tests/e2e/support/tiny-lm-widgets.ts): 1280×900, service workers blocked.
  return openChapterPage(browser, new URL('/bonus/', site.url).href, {
    scheme: colorScheme,
    beforeLoad,
  });
}

async function scrollToWidget(page: Page): Promise<void> {
  await page.locator(WIDGET).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: 60_000 });
}

/** The selected checkpoint's step, as the widget marks it. */
const shownStep = (page: Page) =>
  page.locator(`${WIDGET} [data-step]`).first().getAttribute('data-step').then(Number);

/** A row of the numbers table at the selected checkpoint. */
const measure = (page: Page, key: string) =>
  page.locator(`${WIDGET} [data-grok="table"] tr[data-measure="${key}"] td`).textContent();

describe('the grokking widget on the Bonus chapter', () => {
  it('loads nothing until the reader scrolls to it, then replays the checkpoints computed on the CPU', async () => {
    const requested: string[] = [];
    const page = await openChapter('dark', (page) => {
      page.on('request', (request) => requested.push(request.url()));
    });
    await expect(page.locator(WIDGET).getAttribute('data-state')).resolves.toBe('idle');
    expect(requested.some((url) => CLIENT_CHUNK.test(url))).toBe(false);
    expect(requested.some((url) => CHECKPOINT_WEIGHTS.test(url))).toBe(false);

    await scrollToWidget(page);
    expect(requested.some((url) => CLIENT_CHUNK.test(url))).toBe(true);
    expect(requested.some((url) => CHECKPOINT_WEIGHTS.test(url))).toBe(true);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toBe(
      'CPU (JS)',
    );
    // Three figures: the two loss plots and the spectrum.
    await expect(page.locator(`${WIDGET} [data-chart] svg[role="img"]`).count()).resolves.toBe(3);
    await page.context().close();
  });

  it('shows the key frequencies of the model card, found from the final embedding in the page', async () => {
    const page = await openChapter();
    await scrollToWidget(page);
    const keysLine = page.locator(`${WIDGET} [data-grok="keys"]`);
    const expected = card.grokking.keyFrequencies.join(',');
    await expect(keysLine.getAttribute('data-keys')).resolves.toBe(expected);
    await expect(keysLine.locator('strong').textContent()).resolves.toBe(
      card.grokking.keyFrequencies.join(', '),
    );
    await expect(keysLine.textContent()).resolves.toMatch(/the same as the model card/);
    // At the final checkpoint the spectrum labels exactly those bars, and the table agrees.
    const labels = await page
      .locator(`${WIDGET} [data-chart="spectrum"] svg text`)
      .allTextContents();
    for (const k of card.grokking.keyFrequencies) expect(labels).toContain(String(k));
    await expect(measure(page, 'top')).resolves.toBe(card.grokking.keyFrequencies.join(', '));
    await expect(keysLine.textContent()).resolves.toContain(
      `Train accuracy reached 100% at step ${card.grokking.trainAcc100Step}`,
    );
    await page.context().close();
  });

  it('scrubs through the checkpoints from the keyboard, and plays and pauses', async () => {
    const page = await openChapter();
    await scrollToWidget(page);
    const slider = page.getByRole('slider', { name: /Checkpoint/ });
    await expect(shownStep(page)).resolves.toBe(4000);
    const finalShare = await measure(page, 'share');
    const spectrumBars = () =>
      page
        .locator(`${WIDGET} [data-chart="spectrum"] svg rect`)
        .evaluateAll((rects) => rects.map((rect) => rect.getAttribute('height')));
    const finalBars = await spectrumBars();

    await slider.focus();
    await page.keyboard.press('Home');
    await expect(shownStep(page)).resolves.toBe(0);
    await expect(slider.getAttribute('aria-valuetext')).resolves.toMatch(/^step 0, checkpoint 1/);
    await expect(page.locator(`${WIDGET} [data-grok="phase"]`).textContent()).resolves.toMatch(
      /^Memorising/,
    );
    await expect(measure(page, 'share')).resolves.not.toBe(finalShare);
    await expect(spectrumBars()).resolves.not.toEqual(finalBars);

    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(shownStep(page)).resolves.toBe(card.grokking.trainAcc100Step);
    await expect(page.locator(`${WIDGET} [data-grok="phase"]`).textContent()).resolves.toMatch(
      /^Circuit formation/,
    );

    // Tab reaches Play; Enter plays from here, checkpoint after checkpoint; Enter again pauses.
    await page.keyboard.press('Tab');
    await expect(
      page.evaluate(() => (document.activeElement as HTMLElement).textContent?.trim()),
    ).resolves.toBe('Play');
    await page.keyboard.press('Enter');
    await expect.poll(() => shownStep(page), { timeout: 10_000 }).toBeGreaterThan(100);
    await page.keyboard.press('Enter');
    await expect(
      page.locator(`${WIDGET} [data-playing]`).getAttribute('data-playing'),
    ).resolves.toBe('false');
    const paused = await shownStep(page);
    await page.waitForTimeout(1000);
    await expect(shownStep(page)).resolves.toBe(paused);

    await slider.focus();
    await page.keyboard.press('End');
    await expect(shownStep(page)).resolves.toBe(4000);
    await expect(spectrumBars()).resolves.toEqual(finalBars);
    await page.context().close();
  });

  it('runs the final model through the hook API on the reader’s sum and shows the backend', async () => {
    const page = await openChapter();
    await scrollToWidget(page);
    await page.getByRole('spinbutton', { name: 'a', exact: true }).fill('100');
    const b = page.getByRole('spinbutton', { name: 'b', exact: true });
    await b.fill('45');
    await b.press('Enter');
    const answer = page.locator(`${WIDGET} [data-grok="answer"]`);
    await page.waitForSelector(`${WIDGET} [data-grok="answer"][data-predicted]`, {
      timeout: 120_000,
    });
    await expect(answer.getAttribute('data-expected')).resolves.toBe(String((100 + 45) % card.p));
    await expect(answer.getAttribute('data-predicted')).resolves.toBe(String((100 + 45) % card.p));
    await expect(answer.textContent()).resolves.toMatch(/right 113 times out of 113/);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toMatch(
      /^(WASM|WebGPU)$/,
    );
    await page.context().close();
  });

  it('shows a clear error with Retry when the checkpoints cannot be downloaded, and recovers', async () => {
    const page = await openChapter('dark', async (page) => {
      await page.route(CHECKPOINT_WEIGHTS, (route) => route.abort('connectionfailed'));
    });
    await page.locator(WIDGET).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${WIDGET}[data-state="error"]`, { timeout: 30_000 });
    const message = page.locator(`${WIDGET} [data-shell="message"]`);
    await expect(message.textContent()).resolves.toMatch(/could not load.*checkpoints\.bin/);
    await expect(message.getAttribute('role')).resolves.toBe('alert');

    await page.unroute(CHECKPOINT_WEIGHTS);
    await page.locator(WIDGET).getByRole('button', { name: 'Retry' }).click();
    await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: 30_000 });
    await page.context().close();
  });

  it('redraws its charts in the new colours when the reader switches theme', async () => {
    const page = await openChapter('dark');
    await scrollToWidget(page);
    const barFills = () =>
      page
        .locator(`${WIDGET} [data-chart="spectrum"] svg rect`)
        .evaluateAll((rects) => rects.map((rect) => rect.getAttribute('fill')));
    const dark = await barFills();
    await page.selectOption('starlight-theme-select select', 'light');
    await expect.poll(barFills).not.toEqual(dark);
    await page.context().close();
  });

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the widget loaded (%s theme)',
    async (colorScheme) => {
      const page = await openChapter(colorScheme);
      await scrollToWidget(page);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.context().close();
    },
  );
});
