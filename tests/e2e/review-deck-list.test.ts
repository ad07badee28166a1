// The deck list that replaces the flat study menu: chapters with their papers, today's counts
// beside each, a text filter, and choosing a row studies that part of the deck.
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import {
  asOrdinaryCard,
  introduceNewInListOrder,
  putRow,
  reviewReady,
  shownCardId,
  shownCounts,
  storedRows,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

describe('the deck list', () => {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`at ${viewport.width}×${viewport.height}: counts per chapter and paper, a filter, and a choice that studies it`, async () => {
      const context = await served.browser.newContext({ viewport, serviceWorkers: 'block' });
      const page = await context.newPage();
      await page.goto(new URL('/review/', served.site.url).href);
      await reviewReady(page);
      await introduceNewInListOrder(page);
      const list = page.locator('[data-deck-list]');
      await list.locator('summary').first().click();
      const panel = list.locator('.residual-decks__panel');
      const box = (await panel.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);

      // The whole deck's counts agree with the toolbar's.
      const allCounts = await list
        .locator('[data-deck-counts="all"] span')
        .allTextContents()
        .then((texts) => texts.map(Number));
      const toolbar = await shownCounts(page);
      expect(allCounts).toEqual([toolbar.new, toolbar.learning, toolbar.review]);

      // A chapter's new count is the number of its new cards (up to the daily limit).
      const cards = await storedRows<{ chapter: string; queue: string }>(page, 'cards');
      const superposition = cards.filter(
        (card) => card.chapter === 'superposition' && card.queue === 'new',
      ).length;
      const chapterNew = await list
        .locator('[data-deck-counts="chapter:superposition"] [data-kind="new"]')
        .textContent();
      expect(Number(chapterNew)).toBe(Math.min(20, superposition));

      await list.locator('[data-deck-filter]').fill('toy models');
      const visible = await list.locator('button[data-study^="paper:"]:visible').allTextContents();
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.filter((text) => !/toy models/i.test(text))).toEqual([]);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);

      const paper = list.locator('button[data-study^="paper:"]:visible').first();
      const value = (await paper.getAttribute('data-study'))!;
      await paper.click();
      await page.waitForFunction(
        (id) => new URL(location.href).searchParams.get('paper') === id,
        value.slice('paper:'.length),
      );
      expect(await list.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
      expect(await page.locator('[data-scope-label]').textContent()).toBe(visible[0]!.trim());
      await page.waitForFunction(
        (id) =>
          document.querySelector('residual-review')?.getAttribute('data-card-id')?.startsWith(id),
        value.slice('paper:'.length),
      );
      await context.close();
    });
  }

  it("previews one chapter's cards regardless of schedule without writing anything", async () => {
    const context = await served.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    const cardsBefore = await storedRows<{ id: string; chapter: string }>(page, 'cards');
    const chapterCards = cardsBefore.filter((card) => card.chapter === 'superposition');
    const list = page.locator('[data-deck-list]');
    await list.locator('summary').first().click();
    await list.locator('summary', { hasText: 'Superposition' }).click();
    await list.locator('[data-preview="chapter:superposition"]').click();
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toBe(
        `Preview, ${chapterCards.length} cards left: answers here are not saved to your schedule.`,
      );
    // Again sends the first card to the end; every other answer takes one off the list.
    const first = await shownCardId(page);
    await page.keyboard.press('Space');
    await page.keyboard.press('1');
    await expect.poll(() => shownCardId(page)).not.toBe(first);
    for (let i = 0; i < chapterCards.length; i++) {
      const shown = await shownCardId(page);
      await asOrdinaryCard(page.locator('residual-review'));
      await page.keyboard.press('Space');
      await page.keyboard.press('3');
      if (i < chapterCards.length - 1) await expect.poll(() => shownCardId(page)).not.toBe(shown);
    }
    await page.locator('[data-done]:not([hidden])').waitFor();
    expect(await page.locator('[data-done-title]').textContent()).toBe('Preview finished');
    expect(await storedRows(page, 'log')).toEqual([]);
    expect(await storedRows(page, 'cards')).toEqual(cardsBefore);
    await context.close();
  });

  it('previews the cards forgotten today, and only those', async () => {
    const context = await served.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    await introduceNewInListOrder(page);
    const forgotten = await shownCardId(page);
    await page.keyboard.press('Space');
    await page.keyboard.press('1');
    await expect.poll(() => shownCardId(page)).not.toBe(forgotten);
    const remembered = await shownCardId(page);
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await expect.poll(() => shownCardId(page)).not.toBe(remembered);
    const log = await storedRows(page, 'log');
    await page.locator('[data-deck-list] summary').first().click();
    await page.locator('[data-preview="forgotten"]').click();
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toBe('Preview, 1 card left: answers here are not saved to your schedule.');
    expect(await shownCardId(page)).toBe(forgotten);
    expect(await page.locator('[data-scope-label]').textContent()).toBe('Forgotten today');
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await page.locator('[data-done]:not([hidden])').waitFor();
    expect(await storedRows(page, 'log')).toEqual(log);
    await context.close();
  });

  it('reviews ahead: cards due within N days, answered and scheduled as usual', async () => {
    const context = await served.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    const day = 86_400_000;
    const [row] = await storedRows<Record<string, unknown> & { id: string }>(page, 'cards');
    await putRow(page, 'cards', {
      ...row,
      state: 2,
      queue: 'review',
      due: Date.now() + 2 * day,
      stability: 8,
      difficulty: 5,
      scheduledDays: 8,
      elapsedDays: 6,
      reps: 2,
      lastReview: Date.now() - 6 * day,
    });
    await page.reload();
    await reviewReady(page);
    const list = page.locator('[data-deck-list]');
    await list.locator('summary').first().click();
    await list.getByLabel('Review ahead').fill('0');
    await list.locator('[data-preview="ahead"]').click();
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toBe('Review ahead: give a whole number of days from 1 to 365.');
    await list.getByLabel('Review ahead').fill('3');
    await list.locator('[data-preview="ahead"]').click();
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toBe('Reviewing ahead, 1 card left: answers are scheduled by FSRS as usual.');
    expect(await shownCardId(page)).toBe(row!.id);
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toBe('Nothing more to review ahead.');
    const log = await storedRows<{ cardId: string; grade: number }>(page, 'log');
    expect(log.map((entry) => [entry.cardId, entry.grade])).toEqual([[row!.id, 3]]);
    await context.close();
  });

  it("custom study's extra new cards raise today's limit, survive a reload, and are gone the next day", async () => {
    const context = await served.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    // The default: new cards only from papers the reader has read, here one paper, 2 a day.
    const cards = await storedRows<{ paperId: string | null; queue: string }>(page, 'cards');
    const perPaper = new Map<string, number>();
    for (const card of cards) {
      if (card.paperId && card.queue === 'new') {
        perPaper.set(card.paperId, (perPaper.get(card.paperId) ?? 0) + 1);
      }
    }
    const [paperId] = [...perPaper].find(([, count]) => count >= 6)!;
    const now = Date.now();
    await putRow(page, 'progress', {
      paperId,
      state: 'read',
      updatedAt: now,
      reached: { read: now },
    });
    await putRow(page, 'meta', { key: 'settings', value: { newPerDay: 2 } });
    await page.reload();
    await reviewReady(page);
    expect((await shownCounts(page)).new).toBe(2);

    const list = page.locator('[data-deck-list]');
    await list.locator('summary').first().click();
    await list.locator('[data-extra-new]').fill('0');
    await list.locator('[data-action="extra-new"]').click();
    await expect
      .poll(() => page.locator('[data-status]').textContent())
      .toMatch(/whole number from 1.*Nothing was changed/);
    expect((await shownCounts(page)).new).toBe(2);

    await list.locator('[data-extra-new]').fill('3');
    await list.locator('[data-action="extra-new"]').click();
    await expect.poll(() => shownCounts(page).then((counts) => counts.new)).toBe(5);
    // The deck list counts new cards as the queue does: from the read paper, with today's raise.
    await expect
      .poll(() => list.locator('[data-deck-counts="all"] [data-kind="new"]').textContent())
      .toBe('5');
    expect(await page.locator('[data-status]').textContent()).toMatch(/raised by 3, to 5/);
    // The stored settings are untouched: only today's limit moved.
    const settings = await storedRows<{ key: string; value: { newPerDay: number } }>(page, 'meta');
    expect(settings.find((row) => row.key === 'settings')?.value.newPerDay).toBe(2);

    await page.reload();
    await reviewReady(page);
    expect((await shownCounts(page)).new).toBe(5);

    // The same raise, recorded on the day before, no longer counts.
    const [raise] = (
      await storedRows<{ key: string; value: { day: number; extra: number } }>(page, 'meta')
    ).filter((row) => row.key === 'extraNewToday');
    expect(raise?.value.extra).toBe(3);
    await putRow(page, 'meta', { ...raise, value: { ...raise!.value, day: raise!.value.day - 1 } });
    await page.reload();
    await reviewReady(page);
    expect((await shownCounts(page)).new).toBe(2);
    await context.close();
  });
});
