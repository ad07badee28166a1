/**
 * The steering-vectors widget on the Bonus chapter, in real Chromium on the committed tiny-lm
 * (public/models/tiny-lm): coefficient 0 reproduces the unsteered text, love − hate makes the
 * next word more positive, where the vector is added matters, keyboard use, clear messages for
 * bad input, axe. Needs a built site
 * (dist/, or RESIDUAL_DIST).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { serveSite, type ServedSite } from './support/site';
import { openChapter as openChapterPage } from './support/tiny-lm-widgets';

let browser: Browser;
let site: ServedSite;

const WIDGET = 'residual-widget[data-widget="steering-vectors"]';
const SLOW = 120_000;

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
  return openChapterPage(browser, new URL('/bonus/', site.url).href, { scheme: colorScheme });
}

async function ready(page: Page): Promise<void> {
  await page.locator(WIDGET).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: SLOW });
  await page.waitForSelector(`${WIDGET} [data-computed="done"]`, { timeout: SLOW });
}

/** Waits for the new continuations that `action` starts. */
async function regenerated(page: Page, action: () => Promise<unknown>): Promise<void> {
  await page
    .locator(`${WIDGET} [data-computed]`)
    .evaluate((el) => el.setAttribute('data-computed', 'stale'));
  await action();
  await page.waitForSelector(`${WIDGET} [data-computed="done"]`, { timeout: SLOW });
}

const text = (page: Page, which: 'plain' | 'steered') =>
  page.locator(`${WIDGET} [data-continuation="${which}"]`).getAttribute('data-text');
const sentiment = async (page: Page, which: 'plain' | 'steered') =>
  Number(await page.locator(`${WIDGET} [data-steering="summary"]`).getAttribute(`data-${which}`));

describe('the steering-vectors widget on the Bonus chapter', () => {
  it('reproduces the unsteered text with coefficient 0', async () => {
    const page = await openChapter();
    await ready(page);
    await regenerated(page, () => page.locator(`${WIDGET} input[name="coefficient"]`).fill('0'));
    const plain = await text(page, 'plain');
    expect(plain).toBeTruthy();
    await expect(text(page, 'steered')).resolves.toBe(plain);
    expect(await sentiment(page, 'steered')).toBeCloseTo(await sentiment(page, 'plain'), 5);
    await page.close();
  });

  it('makes the next word more positive with love − hate and more negative with its opposite', async () => {
    const page = await openChapter();
    await ready(page);
    const slider = page.locator(`${WIDGET} input[name="coefficient"]`);
    await regenerated(page, () => slider.fill('6'));
    expect(await sentiment(page, 'steered')).toBeGreaterThan(await sentiment(page, 'plain'));
    await expect(text(page, 'steered')).resolves.not.toBe(await text(page, 'plain'));
    await regenerated(page, () => slider.fill('-6'));
    expect(await sentiment(page, 'steered')).toBeLessThan(await sentiment(page, 'plain'));
    // The curve over coefficients is drawn, with its numbers.
    await expect(page.locator(`${WIDGET} [data-chart="sentiment"] svg`).count()).resolves.toBe(1);
    await expect(page.locator(`${WIDGET} [data-table="sentiment"] tbody tr`).count()).resolves.toBe(
      21,
    );
    await page.close();
  });

  it('offers the model card’s placements: before block 2, love − hate pushes the wrong way unless <bos> gets it too', async () => {
    const page = await openChapter();
    await ready(page);
    await regenerated(page, () => page.locator(`${WIDGET} select[name="layer"]`).selectOption('2'));
    await regenerated(page, () => page.getByRole('radio', { name: /after <bos>/ }).check());
    expect(await sentiment(page, 'steered')).toBeLessThan(await sentiment(page, 'plain'));
    await regenerated(page, () => page.getByRole('radio', { name: /<bos> too/ }).check());
    expect(await sentiment(page, 'steered')).toBeGreaterThan(await sentiment(page, 'plain'));
    await page.close();
  });

  it('is operated from the keyboard, and says why a contrast pair cannot be used', async () => {
    const page = await openChapter();
    await ready(page);
    const slider = page.getByRole('slider', { name: /Coefficient/ });
    await slider.focus();
    await regenerated(page, () => page.keyboard.press('Home'));
    await expect(slider.inputValue()).resolves.toBe('-10');
    await expect(
      page.locator(`${WIDGET} [data-steering="coefficient"]`).textContent(),
    ).resolves.toBe('-10');

    const layer = page.locator(`${WIDGET} select[name="layer"]`);
    await layer.focus();
    await regenerated(page, () => page.keyboard.press('ArrowDown'));
    await expect(
      page.locator(`${WIDGET} [data-steering="steered-heading"]`).textContent(),
    ).resolves.toMatch(new RegExp(`at layer ${await layer.inputValue()}$`));

    const negative = page.locator(`${WIDGET} input[name="negative"]`);
    await negative.fill('zeppelin');
    await negative.press('Enter');
    await expect(page.locator(`${WIDGET} [data-steering="status"]`).textContent()).resolves.toMatch(
      /does not know zeppelin/,
    );
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
