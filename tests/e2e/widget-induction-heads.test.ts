/**
 * The induction-heads widget on the Foundational Work chapter, in real Chromium on the committed
 * attn-only-2l (public/models/attn-only-2l): it finds the heads its model card names, shows every
 * head's pattern, the K-composition between them, works from the keyboard and passes axe. Needs
 * a built site (dist/, or RESIDUAL_DIST).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { serveSite, type ServedSite } from './support/site';
import { openChapter as openChapterPage } from './support/tiny-lm-widgets';

let browser: Browser;
let site: ServedSite;

const WIDGET = 'residual-widget[data-widget="induction-heads"]';
const SLOW = 120_000;
const CARD = join(import.meta.dirname, '../../public/models/attn-only-2l/card.json');

/** The model card's named heads ("layer.head"). */
function card(): { previousTokenHead: string; inductionHead: string } {
  if (!existsSync(CARD)) throw new Error(`no model card at ${CARD}: attn-only-2l not committed`);
  return JSON.parse(readFileSync(CARD, 'utf8')) as ReturnType<typeof card>;
}

beforeAll(async () => {
  site = await serveSite(process.env['RESIDUAL_DIST']);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function openChapter(colorScheme: 'dark' | 'light' = 'dark'): Promise<Page> {
  // The shared opening (tests/e2e/support/tiny-lm-widgets.ts): 1280×900, service workers blocked.
  return openChapterPage(browser, new URL('/foundational-work/', site.url).href, {
    scheme: colorScheme,
  });
}

/** Scrolls to the widget and waits until patterns, scores and composition are shown. */
async function ready(page: Page): Promise<void> {
  await page.locator(WIDGET).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: SLOW });
  await page.waitForSelector(`${WIDGET} [data-computed="done"]`, { timeout: SLOW });
}

describe('the induction-heads widget on the Foundational Work chapter', () => {
  it('finds the previous-token head and the induction head that the model card names', async () => {
    const { previousTokenHead, inductionHead } = card();
    const page = await openChapter();
    await ready(page);
    const summary = page.locator(`${WIDGET} [data-induction="summary"]`);
    await expect(summary.getAttribute('data-induction-head')).resolves.toBe(inductionHead);
    await expect(summary.getAttribute('data-previous-token-head')).resolves.toBe(previousTokenHead);
    // The head buttons mark the same two heads, and the big pattern shows the induction head.
    await expect(
      page.locator(`${WIDGET} button[data-role="induction"]`).getAttribute('data-head'),
    ).resolves.toBe(inductionHead);
    await expect(
      page.locator(`${WIDGET} button[data-role="previous-token"]`).getAttribute('data-head'),
    ).resolves.toBe(previousTokenHead);
    await expect(
      page.locator(`${WIDGET} [data-induction="pattern-caption"]`).textContent(),
    ).resolves.toContain(`head ${inductionHead} (induction head)`);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toBe(
      'WASM',
    );
    await page.close();
  });

  it("shows that the induction head's keys, not its queries, need the previous-token head", async () => {
    const { previousTokenHead } = card();
    const page = await openChapter();
    await ready(page);
    const composition = page.locator(`${WIDGET} [data-induction="composition"]`);
    await expect(composition.getAttribute('data-key-source')).resolves.toBe(previousTokenHead);
    await expect(
      page.locator(`${WIDGET} [data-chart="keys"] svg`).count(),
    ).resolves.toBeGreaterThan(0);
    await expect(
      page.locator(`${WIDGET} [data-chart="queries"] svg`).count(),
    ).resolves.toBeGreaterThan(0);
    await page.close();
  });

  it('draws a pattern for every head and is operated from the keyboard', async () => {
    const page = await openChapter();
    await ready(page);
    const buttons = page.locator(`${WIDGET} [data-induction="heads"] button`);
    const count = await buttons.count();
    expect(count).toBeGreaterThanOrEqual(4);
    await expect(
      page.locator(`${WIDGET} [data-induction="heads"] button svg`).count(),
    ).resolves.toBe(count);

    // Tab to the first head's button, Enter shows its pattern.
    await buttons.first().focus();
    await page.keyboard.press('Enter');
    await expect(buttons.first().getAttribute('aria-pressed')).resolves.toBe('true');
    const first = await buttons.first().getAttribute('data-head');
    await expect(
      page.locator(`${WIDGET} [data-induction="pattern-caption"]`).textContent(),
    ).resolves.toContain(`head ${first}`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await expect(buttons.nth(1).getAttribute('aria-pressed')).resolves.toBe('true');

    // A new random sequence, from the keyboard: new words, the same induction head.
    const head = await page
      .locator(`${WIDGET} [data-induction="summary"]`)
      .getAttribute('data-induction-head');
    const before = await page.locator(`${WIDGET} [data-induction="sequence"]`).textContent();
    await page
      .locator(`${WIDGET} [data-computed]`)
      .evaluate((el) => el.setAttribute('data-computed', 'stale'));
    await page.getByRole('button', { name: 'New random sequence' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${WIDGET} [data-computed="done"]`, { timeout: SLOW });
    await expect(
      page.locator(`${WIDGET} [data-induction="sequence"]`).textContent(),
    ).resolves.not.toBe(before);
    await expect(
      page.locator(`${WIDGET} [data-induction="summary"]`).getAttribute('data-induction-head'),
    ).resolves.toBe(head);
    await page.close();
  });

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the widget loaded (%s theme)',
    async (colorScheme) => {
      const page = await openChapter(colorScheme);
      await ready(page);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.close();
    },
  );
});
