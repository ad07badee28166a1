// Time per answer: kept with each review-log row (capped at Anki's 60 s), summed for the session
// in its summary, and for the day under the finished deck and on the statistics page.
import { describe, expect, it } from 'vitest';
import { newProfile } from './support/browser';
import { introduceNewInListOrder, reviewReady, shownCardId, storedRows } from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

describe('time per answer', () => {
  it('is stored with the answer and summed for the session and for today when the deck is finished', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    await introduceNewInListOrder(page);
    await page.getByText('Review settings').click();
    await page.getByLabel('New cards per day').fill('1');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[data-status]', { hasText: 'Settings saved' }).waitFor();
    const id = await shownCardId(page);
    await page.locator('[data-front]').focus();
    await page.keyboard.press('Space');
    await page.waitForTimeout(1_500);
    await page.keyboard.press('4');
    await page.locator('[data-done]:not([hidden])').waitFor();
    const [row] = await storedRows<{ cardId: string; answerMs: number }>(page, 'log');
    expect(row?.cardId).toBe(id);
    expect(row?.answerMs).toBeGreaterThanOrEqual(1_500);
    expect(row?.answerMs).toBeLessThanOrEqual(60_000);
    // The session's summary gives the time spent answering and its mean, as stored (capped).
    const seconds = Math.round(row!.answerMs / 1000);
    await expect(page.locator('[data-summary]').textContent()).resolves.toBe(
      `1 card studied in 0 s; 0 of 1 answer (0%) was Again. Answering took ${seconds} s, ${seconds} s per answer (each counts at most 1 min).`,
    );
    await expect
      .poll(() => page.locator('[data-done-time]').textContent())
      .toMatch(/^Today: 1 answer in \d+ s, \d+ s each on average/);
    const stats = await context.newPage();
    await stats.goto(new URL('/stats/', served.site.url).href);
    await stats.waitForSelector('residual-stats[data-ready="true"]');
    await expect
      .poll(() => stats.locator('[data-summary-time]').textContent())
      .toMatch(/^Today: 1 answer in \d+ s, \d+ s each on average/);
    await context.close();
  });
});
