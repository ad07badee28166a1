// Flags as in Anki: Ctrl+1…4 (or the menu) on the review screen, Anki's colours, undoable, and a
// filter in the card browser; and a personal note per card, also filterable.
import { describe, expect, it } from 'vitest';
import { newProfile } from './support/browser';
import { introduceNewInListOrder, reviewReady, shownCardId, storedRows } from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

describe('flags', () => {
  it('Ctrl+3 flags the card green, U takes it back, and the card browser filters by flag', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    await introduceNewInListOrder(page);
    const id = await shownCardId(page);
    const flagOf = async () =>
      (await storedRows<{ id: string; flag?: number }>(page, 'cards')).find((row) => row.id === id)
        ?.flag;
    await page.keyboard.press('Control+3');
    await page.locator('[data-flag-badge]:not([hidden])').waitFor();
    expect(await page.locator('[data-flag-badge]').textContent()).toBe('green flag');
    expect(await flagOf()).toBe(3);
    await page.keyboard.press('u');
    await page.locator('[data-flag-badge][hidden]').waitFor({ state: 'attached' });
    expect(await flagOf()).toBeUndefined();

    await page.locator('[data-flag-select]').selectOption('1');
    await page.locator('[data-flag-badge][data-flag="1"]:not([hidden])').waitFor();
    expect(await flagOf()).toBe(1);
    const browser = await context.newPage();
    await browser.goto(new URL('/cards/', served.site.url).href);
    await browser.waitForSelector('residual-card-browser[data-ready="true"]');
    await browser.getByLabel('Flag', { exact: true }).selectOption('any');
    await expect.poll(() => browser.locator('[data-rows] tr').count()).toBe(1);
    expect(await browser.locator('[data-rows] tr').textContent()).toContain('red flag');
    await browser.getByLabel('Flag', { exact: true }).selectOption('4');
    await expect.poll(() => browser.locator('[data-rows] tr').count()).toBe(0);
    await context.close();
  });

  it('a personal note, saved from card info, shows under the answer and filters the card browser', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    await introduceNewInListOrder(page);
    const id = await shownCardId(page);
    await page.keyboard.press('i');
    await page.getByLabel('Your note on this card').fill('Compare with the SAE chapter.');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.locator('[data-status]', { hasText: 'Note saved' }).waitFor();
    // The page re-reads the card after saving; then the note is under the answer.
    await expect
      .poll(() => page.locator('[data-note]').textContent())
      .toBe('Your note: Compare with the SAE chapter.');
    await page.keyboard.press('Space');
    expect(await page.locator('[data-note]').isVisible()).toBe(true);
    const stored = (await storedRows<{ id: string; note?: string }>(page, 'cards')).find(
      (row) => row.id === id,
    );
    expect(stored?.note).toBe('Compare with the SAE chapter.');
    const browser = await context.newPage();
    await browser.goto(new URL('/cards/?noted=1', served.site.url).href);
    await browser.waitForSelector('residual-card-browser[data-ready="true"]');
    await expect.poll(() => browser.locator('[data-rows] tr').count()).toBe(1);
    expect(await browser.locator('[data-rows] tr').textContent()).toContain(
      'note: Compare with the SAE chapter.',
    );
    await context.close();
  });
});
