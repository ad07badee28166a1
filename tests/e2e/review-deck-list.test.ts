// The deck list that replaces the flat study menu: chapters with their papers, today's counts
// beside each, a text filter, and choosing a row studies that part of the deck.
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { reviewReady, shownCounts, storedRows } from './support/review';
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
});
