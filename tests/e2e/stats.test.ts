import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import {
  holdDeck,
  putRow,
  reviewReady,
  shownCardId,
  shownCounts,
  storedRows,
  reviewSome as answerOnReview,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';
import { DIST } from './support/site';

const served = servedSiteAndBrowser();

const url = (path: string) => new URL(path, served.site.url).href;

/** Answers on /review/ (new cards in list order), by keyboard. */
const reviewSome = (context: BrowserContext, answers: ('1' | '3' | '4')[]) =>
  answerOnReview(context, served.site.url, answers);

async function ready(page: Page, element: string): Promise<void> {
  await page.waitForSelector(`${element}[data-ready="true"]`, { timeout: 30_000 });
}

/** A panel below the statistics, which loads as it nears the screen: scrolled to, then ready. */
async function panelReady(page: Page, element: string): Promise<void> {
  await page.locator(element).scrollIntoViewIfNeeded();
  await ready(page, element);
}

/** Every resource the page fetched: its address, and when its request started and ended. */
function fetched(page: Page): Promise<{ name: string; start: number; end: number }[]> {
  return page.evaluate(() =>
    performance.getEntriesByType('resource').map((entry) => ({
      name: entry.name,
      start: entry.startTime,
      end: (entry as PerformanceResourceTiming).responseEnd,
    })),
  );
}

/** Text of every script the page loaded. */
async function loadedScripts(page: Page): Promise<string[]> {
  const urls = (await fetched(page)).map(({ name }) => name).filter((name) => name.endsWith('.js'));
  return Promise.all(urls.map(async (src) => (await page.request.get(src)).text()));
}

/** Cards in the built deck: every count below follows the deck, whatever its size. */
const DECK_SIZE = (
  JSON.parse(readFileSync(new URL('deck.json', `file://${DIST}`), 'utf8')) as {
    cards: unknown[];
  }
).cards.length;

/** The card browser's count line: it draws at most 200 rows (PAGE_SIZE in card-browser.ts). */
function countLine(matching: number): string {
  return matching > 200
    ? `Showing the first 200 of ${matching} matching cards.`
    : `${matching} matching cards.`;
}

const PLOT_MARKER = 'plot-d6a7b5'; // the class name Observable Plot gives its figures

describe('statistics', () => {
  it('shows the summary and draws four charts after some reviews; axe finds nothing', async () => {
    const context = await newProfile(served.browser);
    await reviewSome(context, ['4', '4', '1', '3']);
    const page = await context.newPage();
    await page.goto(url('/stats/'));
    await ready(page, 'residual-stats');
    expect(await page.locator('[data-summary-cards]').textContent()).toMatch(
      new RegExp(`^${DECK_SIZE} cards: ${DECK_SIZE - 4} new`),
    );
    expect(await page.locator('[data-summary-due]').textContent()).toMatch(/4 answers recorded/);
    for (const chart of ['forecast', 'heatmap', 'states', 'mastery']) {
      // Each chart is described at once and drawn when it comes near the screen.
      expect(await page.locator(`[data-chart-text="${chart}"]`).textContent()).not.toBe('');
      await page.locator(`[data-chart="${chart}"]`).scrollIntoViewIfNeeded();
      await page.locator(`[data-chart="${chart}"][data-drawn] svg`).first().waitFor();
    }
    expect(await page.locator('[data-chart-text="heatmap"]').textContent()).toMatch(
      /on 1 of the last 182 days/,
    );
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });

  it('marks the places of charts with nothing to draw instead of drawing them, and loads no chart library for them', async () => {
    // A phone's first screen: the summary and the forecast, the other charts below it.
    const context = await served.browser.newContext({ viewport: { width: 412, height: 823 } });
    const page = await context.newPage();
    await page.goto(url('/stats/'));
    await ready(page, 'residual-stats');
    const markedEmpty = async (chart: string) => {
      const place = page.locator(`[data-chart="${chart}"]`);
      const kept = await place.evaluate((el) => el.getBoundingClientRect().height);
      await place.scrollIntoViewIfNeeded();
      await page.locator(`[data-chart="${chart}"][data-drawn="empty"]`).waitFor();
      await expect(place.textContent()).resolves.toBe('Nothing to draw yet');
      await expect(place.locator('svg').count()).resolves.toBe(0);
      // The place keeps the chart's height: nothing below it moves.
      await expect(place.evaluate((el) => el.getBoundingClientRect().height)).resolves.toBe(kept);
    };
    await markedEmpty('forecast');
    await expect(page.locator('[data-chart-text="forecast"]').textContent()).resolves.toBe(
      'No card falls due in the next 30 days (new cards and daily limits aside).',
    );
    await page.evaluate(() => new Promise((done) => setTimeout(done, 500)));
    expect((await loadedScripts(page)).some((text) => text.includes(PLOT_MARKER))).toBe(false);
    await markedEmpty('heatmap');
    await expect(page.locator('[data-chart-text="heatmap"]').textContent()).resolves.toMatch(
      /^You reviewed on 0 of the last/,
    );
    // Every card is new: that chart has something to draw.
    await page.locator('[data-chart="states"]').scrollIntoViewIfNeeded();
    await page.locator('[data-chart="states"][data-drawn="true"] svg').first().waitFor();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });

  it('draws a chart below the first screen when it is scrolled to, in the place kept for it', async () => {
    const context = await served.browser.newContext({ viewport: { width: 412, height: 823 } });
    const page = await context.newPage();
    await page.goto(url('/stats/'));
    await ready(page, 'residual-stats');
    const mastery = page.locator('[data-chart="mastery"]');
    expect(await mastery.locator('svg').count()).toBe(0);
    expect(await page.locator('[data-chart-text="mastery"]').textContent()).toMatch(/% mature of/);
    const kept = await mastery.evaluate((place) => place.getBoundingClientRect().height);
    await mastery.scrollIntoViewIfNeeded();
    await page.locator('[data-chart="mastery"][data-drawn] svg').first().waitFor();
    const drawn = await mastery.evaluate(
      (place) => place.firstElementChild?.getBoundingClientRect().height ?? 0,
    );
    expect(drawn).toBeGreaterThan(100);
    expect(drawn).toBeCloseTo(kept, 0);
    await context.close();
  });

  it('shows a first visit its summary before the deck is stored, the same one after, then the charts', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const release = await holdDeck(context);
    const page = await context.newPage();
    await page.goto(url('/stats/'), { waitUntil: 'domcontentloaded' });
    const summary = () =>
      page.locator('residual-stats').evaluate((root) => ({
        shown: !root.querySelector<HTMLElement>('[data-dashboard]')!.hidden,
        lines: [
          ...root.querySelectorAll(
            '[data-summary-cards], [data-summary-retention], [data-summary-due], [data-summary-time]',
          ),
        ].map((line) => line.textContent),
        box: JSON.stringify(root.querySelector('[data-summary-time]')!.getBoundingClientRect()),
      }));
    const before = await summary();
    expect(before.shown).toBe(true);
    expect(before.lines).toEqual([
      `${DECK_SIZE} cards: ${DECK_SIZE} new, 0 learning, 0 young, 0 mature, 0 suspended (0 of them leeches), 0 buried; 0 retired cards are kept with their history.`,
      expect.stringMatching(
        /^True retention .*: no reviews yet over the last 30 days \(0 reviews\)/,
      ),
      '0 cards due now; 0 answers recorded in all.',
      'Today: 0 answers.',
    ]);
    await expect(page.locator('[data-chart="forecast"]').isVisible()).resolves.toBe(false);
    release();
    await ready(page, 'residual-stats');
    expect(await summary()).toEqual(before);
    await expect(page.locator('[data-chart="forecast"]').isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('loads the chart library on the stats page only', async () => {
    const context = await newProfile(served.browser);
    const review = await reviewSome(context, []);
    expect((await loadedScripts(review)).some((text) => text.includes(PLOT_MARKER))).toBe(false);
    const stats = await context.newPage();
    await stats.goto(url('/stats/'));
    await ready(stats, 'residual-stats');
    await stats.locator('[data-chart="states"]').scrollIntoViewIfNeeded();
    await stats.locator('[data-chart="states"][data-drawn="true"]').waitFor();
    expect((await loadedScripts(stats)).some((text) => text.includes(PLOT_MARKER))).toBe(true);
    await context.close();
  });
});

describe('the panels below the statistics', () => {
  it('load nothing until the reader scrolls to them, then each one is ready', async () => {
    const context = await newProfile(served.browser);
    const page = await context.newPage();
    await page.goto(url('/stats/'));
    await ready(page, 'residual-stats');
    const panels = ['residual-personal-parameters', 'residual-backup', 'residual-anki-export'];
    const chunks = /\/(personal-parameters|backup-panel|anki-export)\.[\w-]+\.js$/;
    const requested = async () =>
      (await fetched(page)).map(({ name }) => name).filter((name) => chunks.test(name));
    expect(await requested()).toEqual([]);
    for (const panel of panels) {
      expect(await page.locator(panel).getAttribute('data-ready')).toBeNull();
    }
    for (const panel of panels) await panelReady(page, panel);
    expect((await requested()).length).toBe(3);
    await context.close();
  });
});

describe('backup', () => {
  it('export, then import into a fresh profile, restores the same cards, due counts and reading plan', async () => {
    const first = await newProfile(served.browser);
    const reviewed = await reviewSome(first, ['4', '4', '3', '1', '3']);
    const countsBefore = await shownCounts(reviewed);
    const progress = await first.newPage();
    await progress.goto(url('/progress/'));
    await progress.locator('[data-continue] a').waitFor();
    await progress.getByRole('radio', { name: /The whole list/ }).check();
    const stats = await first.newPage();
    await stats.goto(url('/stats/'));
    await panelReady(stats, 'residual-backup');
    const [download] = await Promise.all([
      stats.waitForEvent('download'),
      stats.getByRole('button', { name: 'Export a backup file' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^residual-backup-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    const exported = JSON.parse(readFileSync(path, 'utf8')) as {
      readingPlan: string;
      data: { reviewLog: unknown[] };
    };
    expect(exported.data.reviewLog).toHaveLength(5);
    expect(exported.readingPlan).toBe('whole');
    const cardsBefore = await storedRows(stats, 'cards');

    const second = await newProfile(served.browser);
    const target = await second.newPage();
    await target.goto(url('/stats/'));
    await panelReady(target, 'residual-backup');
    await target.getByLabel('Restore from a backup file').setInputFiles(path);
    await target
      .locator('[data-import-plan] li', {
        hasText: 'Reading plan: “The whole list” instead of “Essentials first”.',
      })
      .waitFor();
    await target.getByRole('button', { name: 'Replace my data with this backup' }).click();
    await target
      .locator('[data-backup-status]', { hasText: `Imported ${DECK_SIZE} cards and 5 reviews` })
      .waitFor();
    expect(await storedRows(target, 'cards')).toEqual(cardsBefore);
    const plan = await target.context().newPage();
    await plan.goto(url('/progress/'));
    await plan.locator('[data-continue] a').waitFor();
    expect(await plan.getByRole('radio', { name: /The whole list/ }).isChecked()).toBe(true);
    const review = await target.context().newPage();
    await review.goto(url('/review/'));
    await reviewReady(review);
    expect(await shownCounts(review)).toEqual(countsBefore);
    await first.close();
    await second.close();
  });

  it('a hostile file is refused with a message shown as text, and nothing changes', async () => {
    const context = await newProfile(served.browser);
    await reviewSome(context, ['3']);
    const page = await context.newPage();
    await page.goto(url('/stats/'));
    await panelReady(page, 'residual-backup');
    const before = await storedRows(page, 'cards');
    const hostile = new URL('../fixtures/backup/bad/script-in-front.json', import.meta.url);
    await page.getByLabel('Restore from a backup file').setInputFiles(hostile.pathname);
    const error = page.locator('[data-backup-error]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(
      /Not imported: cards\[0\]\.front: must be plain text/,
    );
    expect(await page.locator('[data-backup-error] script').count()).toBe(0);
    expect(await page.locator('[data-import-confirm]').isHidden()).toBe(true);
    expect(await storedRows(page, 'cards')).toEqual(before);
    await context.close();
  });
});

describe('card browser', () => {
  it('filters by state, leech and chapter, and unsuspends a card', async () => {
    const context = await newProfile(served.browser);
    const review = await reviewSome(context, []);
    const suspendedId = await shownCardId(review);
    await review.getByRole('button', { name: /^Suspend/ }).click();
    await review.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      suspendedId,
    );
    const page = await context.newPage();
    await page.goto(url('/cards/'));
    await ready(page, 'residual-card-browser');
    expect(await page.locator('[data-count]').textContent()).toBe(countLine(DECK_SIZE));
    await page.getByLabel('State', { exact: true }).selectOption('suspended');
    expect(await page.locator('[data-rows] tr').count()).toBe(1);
    await page.getByLabel('Leeches only', { exact: true }).check();
    expect(await page.locator('[data-rows] tr').count()).toBe(0);
    await page.getByLabel('Leeches only', { exact: true }).uncheck();
    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Chapter', { exact: true }).selectOption('glossary');
    expect(await page.locator('[data-count]').textContent()).toMatch(/^3\d matching cards\.$/);
    await page.getByLabel('Chapter', { exact: true }).selectOption('');
    await page.getByLabel('State', { exact: true }).selectOption('suspended');
    await page.getByRole('button', { name: /^Unsuspend/ }).click();
    await page.locator('[data-status]', { hasText: 'Unsuspended' }).waitFor();
    expect(await page.locator('[data-rows] tr').count()).toBe(0);
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });
});

describe('card math', () => {
  it('asks for its KaTeX faces with the math, before the rows are drawn, and has them once it is ready', async () => {
    const context = await newProfile(served.browser);
    const page = await context.newPage();
    await page.goto(url('/cards/'));
    await ready(page, 'residual-card-browser');
    expect(await page.locator('[data-rows] .katex').count()).toBeGreaterThan(0);
    const entries = await fetched(page);
    const cardMath = entries.find((entry) => entry.name.endsWith('/card-math.json'));
    const faces = entries.filter((entry) => /KaTeX_(Main-Regular|Math-Italic)\./.test(entry.name));
    expect(cardMath).toBeDefined();
    expect(faces).toHaveLength(2);
    // Asked for with card-math.json, not after its rows were drawn.
    for (const face of faces) expect(face.start).toBeLessThanOrEqual(cardMath!.end);
    await page.waitForFunction(() => document.fonts.check('italic 1em KaTeX_Math'));
    await context.close();
  });
});

describe('a card reworded by a new version of the site', () => {
  it('keeps its schedule, is announced on the review page and found by the "Reworded" filter', async () => {
    const context = await newProfile(served.browser);
    const review = await reviewSome(context, ['4']);
    const [reviewed] = (await storedRows<Record<string, unknown>>(review, 'cards')).filter(
      (card) => card['reps'] === 1,
    );
    // Pretend the stored copy is from an older deck: other wording, other hash, other version.
    await putRow(review, 'cards', { ...reviewed, front: 'Old wording?', hash: 'older' });
    await putRow(review, 'meta', { key: 'deckVersion', value: 'an-older-deck' });
    await review.reload();
    await reviewReady(review);
    await review.locator('[data-status]', { hasText: '1 reworded card' }).waitFor();
    const [after] = (await storedRows<Record<string, unknown>>(review, 'cards')).filter(
      (card) => card['id'] === reviewed!['id'],
    );
    expect(after).toMatchObject({
      changed: true,
      due: reviewed!['due'],
      stability: reviewed!['stability'],
      front: expect.not.stringMatching(/Old wording/),
    });
    const browserPage = await context.newPage();
    await browserPage.goto(url('/cards/'));
    await ready(browserPage, 'residual-card-browser');
    await browserPage.getByLabel('Reworded only', { exact: true }).check();
    expect(await browserPage.locator('[data-rows] tr').count()).toBe(1);
    await context.close();
  });
});

describe('damaged card rows', () => {
  it('are listed on the statistics page with Repair and Remove, and the card browser still renders the rest', async () => {
    const context = await newProfile(served.browser);
    const review = await reviewSome(context, ['3', '3']);
    const answered = (await storedRows<Record<string, unknown>>(review, 'cards')).filter(
      (card) => card['reps'] === 1,
    );
    const [textDamaged, dueDamaged] = answered as [
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    // A non-string text field once emptied the card browser; a NaN due date made a card vanish.
    await putRow(review, 'cards', { ...textDamaged, front: 42 });
    await putRow(review, 'cards', { ...dueDamaged, due: Number.NaN });

    const browserPage = await context.newPage();
    await browserPage.goto(url('/cards/'));
    await ready(browserPage, 'residual-card-browser');
    expect(await browserPage.locator('[data-count]').textContent()).toBe(countLine(DECK_SIZE - 2));
    // A screen of rows at first; the rest as the end of the table is scrolled to.
    const rows = browserPage.locator('[data-rows] tr');
    expect(await rows.count()).toBeLessThan(Math.min(200, DECK_SIZE - 2));
    await expect
      .poll(
        async () => {
          await browserPage.locator('[data-table-end]').scrollIntoViewIfNeeded();
          return rows.count();
        },
        { timeout: 20_000 },
      )
      .toBe(Math.min(200, DECK_SIZE - 2));
    expect(await browserPage.locator('[data-status]').textContent()).toMatch(
      /2 saved records are damaged and set aside/,
    );

    const stats = await context.newPage();
    await stats.goto(url('/stats/'));
    await ready(stats, 'residual-stats');
    const list = stats.locator('[data-damaged-list] li');
    await expect(list.count()).resolves.toBe(2);
    expect(await list.allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`Card "${String(textDamaged['id'])}": front: `),
        expect.stringContaining(`Card "${String(dueDamaged['id'])}": due: `),
      ]),
    );
    const violations = await axeViolations(stats);
    expect(violations, describeViolations(violations)).toEqual([]);

    await stats.getByRole('button', { name: `Repair: Card "${String(dueDamaged['id'])}"` }).click();
    await stats.locator('[data-status]', { hasText: 'was repaired' }).waitFor();
    await expect.poll(() => list.count()).toBe(1);
    const [repaired] = (await storedRows<Record<string, unknown>>(stats, 'cards')).filter(
      (card) => card['id'] === dueDamaged['id'],
    );
    expect(repaired).toMatchObject({ reps: 1, state: 1, due: dueDamaged['lastReview'] });
    await stats
      .getByRole('button', { name: `Remove: Card "${String(textDamaged['id'])}"` })
      .click();
    await stats.locator('[data-damaged]').waitFor({ state: 'hidden' });
    expect(await storedRows(stats, 'log')).toHaveLength(2);
    await context.close();
  });
});
