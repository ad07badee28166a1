// The review screen as a daily Anki user meets it: undo any operation in order, bring set-aside
// cards back, and the card with its four buttons on one screen at desktop and phone sizes.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import {
  introduceNewInListOrder,
  putRow,
  reviewReady,
  shownCardId,
  storedRows,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

interface Row {
  id: string;
  queue: string;
  position: number;
  front: string;
  back: string;
}

async function openReview(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL('/review/', served.site.url).href);
  await reviewReady(page);
  // These tests are about reviewing itself: new cards in list order, whatever the reader has read.
  await introduceNewInListOrder(page);
  return page;
}

/** Wait until the page shows a card other than `id`. */
async function nextCardAfter(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (shown) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== shown,
    id,
  );
}

async function cardShown(page: Page, id: string): Promise<void> {
  await page.waitForFunction(
    (shown) => document.querySelector('residual-review')?.getAttribute('data-card-id') === shown,
    id,
  );
}

describe('undo takes back any operation, in order', () => {
  it('answer, bury, suspend: U three times restores every stored row exactly', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const rowsBefore = await storedRows<Row>(page, 'cards');
    const first = await shownCardId(page);
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await nextCardAfter(page, first);
    const second = await shownCardId(page);
    await page.keyboard.press('b');
    await nextCardAfter(page, second);
    const third = await shownCardId(page);
    await page.keyboard.press('s');
    await nextCardAfter(page, third);
    expect(await page.locator('[data-action="undo"]').textContent()).toMatch(/Undo suspension/);

    await page.keyboard.press('u');
    await cardShown(page, third);
    expect(await page.locator('[data-status]').textContent()).toBe('Undid the suspension.');
    await page.keyboard.press('u');
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.includes('bury'),
    );
    const afterBuryUndo = await storedRows<Row>(page, 'cards');
    expect(afterBuryUndo.find((row) => row.id === second)?.queue).toBe('new');
    // Bury then U undid the bury: the answer before it is still stored.
    expect(await storedRows(page, 'log')).toHaveLength(1);
    await page.keyboard.press('u');
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.includes('last answer'),
    );
    expect(await storedRows<Row>(page, 'cards')).toEqual(rowsBefore);
    expect(await storedRows(page, 'log')).toEqual([]);
    expect(await page.locator('[data-action="undo"]').isDisabled()).toBe(true);
    await context.close();
  });

  it('refuses with a message when another tab changed the card since, and changes nothing', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const buried = await shownCardId(page);
    await page.keyboard.press('b');
    await nextCardAfter(page, buried);
    const other = await openReview(context);
    await other.locator('[data-set-aside] summary').click();
    await other.getByRole('button', { name: /^Unbury:/ }).click();
    await other.waitForFunction(
      () => document.querySelector('[data-status]')?.textContent === 'Unburied.',
    );
    const rows = await storedRows<Row>(page, 'cards');
    await page.keyboard.press('u');
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.includes('another tab'),
    );
    expect(await storedRows<Row>(page, 'cards')).toEqual(rows);
    await context.close();
  });
});

describe('bringing set-aside cards back', () => {
  it('unsuspend and unbury from the review screen, unbury from the card browser', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const suspended = await shownCardId(page);
    await page.keyboard.press('s');
    await nextCardAfter(page, suspended);
    const buried = await shownCardId(page);
    await page.keyboard.press('b');
    await nextCardAfter(page, buried);
    expect(await page.locator('[data-set-aside-count]').textContent()).toBe('2');
    await page.locator('[data-set-aside] summary').click();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.getByRole('button', { name: /^Unsuspend:/ }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-set-aside-count]')?.textContent === '1',
    );
    const rows = await storedRows<Row>(page, 'cards');
    expect(rows.find((row) => row.id === suspended)?.queue).toBe('new');

    const browser = await context.newPage();
    await browser.goto(new URL('/cards/?state=buried', served.site.url).href);
    await browser.waitForSelector('residual-card-browser[data-ready="true"]');
    await browser.getByRole('button', { name: /^Unbury:/ }).click();
    await browser.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.startsWith('Unburied'),
    );
    const after = await storedRows<Row>(browser, 'cards');
    expect(after.find((row) => row.id === buried)?.queue).toBe('new');
    await context.close();
  });
});

/**
 * The deck's longest card (front + back), from the published deck. Experiment cards are left
 * out: review shows their live experiment, not their front and back (their worked example).
 */
async function longestCardId(): Promise<string> {
  const deck = (await (await fetch(new URL('/deck.json', served.site.url))).json()) as {
    cards: (Row & { kind: string })[];
  };
  const longest = deck.cards
    .filter((card) => card.kind !== 'experiment')
    .reduce((best, card) =>
      card.front.length + card.back.length > best.front.length + best.back.length ? card : best,
    );
  return longest.id;
}

const DAY = 86_400_000;

/** Make the stored card `id` the one review card due, last answered six days ago. */
async function makeDueReview(
  page: Page,
  id: string,
  lastReview = Date.now() - 6 * DAY,
): Promise<void> {
  const row = (await storedRows<Row>(page, 'cards')).find((card) => card.id === id)!;
  // A deck sync keeps a schedule (not a position), so this survives the reload.
  await putRow(page, 'cards', {
    ...row,
    state: 2,
    queue: 'review',
    due: lastReview + 5 * DAY,
    stability: 5,
    difficulty: 5,
    scheduledDays: 5,
    elapsedDays: 6,
    reps: 2,
    lastReview,
  });
  await page.reload();
  await reviewReady(page);
}

describe('card info (I)', () => {
  it('lists each answer with its interval, stability, difficulty and retrievability; reset is undoable', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const id = await longestCardId();
    const memory = { lastElapsedDays: 0, learningSteps: 0 };
    const first = Date.now() - 16 * DAY;
    const second = Date.now() - 6 * DAY;
    await putRow(page, 'log', {
      ...memory,
      id: 1,
      cardId: id,
      grade: 3,
      review: first,
      state: 0,
      due: first,
      stability: 0,
      difficulty: 0,
      elapsedDays: 0,
      scheduledDays: 0,
    });
    await putRow(page, 'log', {
      ...memory,
      id: 2,
      cardId: id,
      grade: 3,
      review: second,
      state: 2,
      due: second,
      stability: 3,
      difficulty: 5,
      elapsedDays: 10,
      scheduledDays: 3,
    });
    await makeDueReview(page, id, second);
    expect(await shownCardId(page)).toBe(id);
    await page.keyboard.press('i');
    const dialog = page.locator('[data-info-dialog]');
    await dialog.waitFor();
    const rows = await dialog.locator('[data-info-history] tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    // Newest first: the second answer left the card as stored (5 days' stability, due in 5 days).
    expect(rows[0]).toMatch(/Good\s+5d\s+5\.0\s+5\.0\s+\d+%/);
    expect(rows[1]).toMatch(/Good\s+10d\s+3\.0\s+5\.0\s+—/);
    expect(await dialog.locator('[data-info-where]').getAttribute('href')).toMatch(/#/);
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    const before = (await storedRows<Row>(page, 'cards')).find((card) => card.id === id);
    await dialog.getByRole('button', { name: /Reset to new/ }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.startsWith('Reset to new'),
    );
    const reset = (await storedRows<Row & { state: number }>(page, 'cards')).find(
      (card) => card.id === id,
    );
    expect(reset?.state).toBe(0);
    expect(await storedRows(page, 'log')).toHaveLength(2);
    await page.keyboard.press('u');
    await page.waitForFunction(() =>
      document.querySelector('[data-status]')?.textContent?.includes('Undid the reset'),
    );
    expect((await storedRows<Row>(page, 'cards')).find((card) => card.id === id)).toEqual(before);
    await context.close();
  });
});

describe('the card and its buttons fit one screen', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`at ${viewport.width}×${viewport.height}, on the deck's longest card`, async () => {
      const context = await served.browser.newContext({ viewport, serviceWorkers: 'block' });
      const page = await openReview(context);
      const id = await longestCardId();
      await makeDueReview(page, id);
      expect(await shownCardId(page)).toBe(id);
      // The shown card is a review: the due count is the one underlined.
      expect(await page.locator('[data-queue][data-current]').getAttribute('data-queue')).toBe(
        'review',
      );
      await page.keyboard.press('Space');
      await page.locator('[data-grades]:not([hidden])').waitFor();
      const scrollY = await page.evaluate(() => window.scrollY);
      expect(scrollY).toBe(0);
      for (const grade of [1, 2, 3, 4]) {
        const box = (await page.locator(`[data-grade="${grade}"]`).boundingBox())!;
        expect(box.y).toBeGreaterThan(0);
        expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
        const interval = (await page.locator(`[data-interval="${grade}"]`).boundingBox())!;
        expect(interval.y + interval.height).toBeLessThanOrEqual(viewport.height);
        expect(interval.x + interval.width).toBeLessThanOrEqual(viewport.width);
      }
      // The answer is all there, scrolled inside the card rather than the page.
      const text = page.locator('[data-card-text]');
      const fits = await text.evaluate((element) => element.scrollHeight <= element.clientHeight);
      const scrolls = await text.evaluate((element) => {
        element.scrollTop = element.scrollHeight;
        return element.scrollTop > 0;
      });
      expect(fits || scrolls).toBe(true);
      await context.close();
    });
  }
});
