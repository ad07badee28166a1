// Review areas in the chapters: read a paper, answer its cards where it was read, and find them
// (and only them) in /review/ afterwards; due figures agree on every page.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import order from '../../content/order.json';
import { MISSING_TEMPLATE_MESSAGE } from '../../src/ui/area/area-parts';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import { waitForServiceWorker } from './support/offline';
import {
  asOrdinaryCard,
  reviewReady,
  shownCardId,
  shownCounts,
  storedRows,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';
import { newPageWithout } from './support/stripped-page';

const served = servedSiteAndBrowser();
const url = (path: string) => new URL(path, served.site.url).href;

const PAPER = 'toy-models-of-superposition';
const CHAPTER = '/superposition/';

interface CardRow {
  id: string;
  paperId: string | null;
  queue: string;
  reps: number;
  declined?: boolean;
}

const areaOf = (page: Page, paperId: string) =>
  page.locator(`residual-review-area:has(#${paperId}--cards)`);

/** Scroll the area into view and wait until it can be answered; returns the milliseconds taken. */
async function openArea(area: Locator): Promise<number> {
  const started = await area.evaluate((element) => {
    element.scrollIntoView({ block: 'center' });
    return performance.now();
  });
  await area
    .locator('xpath=.')
    .and(area)
    .evaluate(() => undefined);
  await area
    .page()
    .waitForFunction(
      (element) => element?.getAttribute('data-ready') === 'true',
      await area.elementHandle(),
    );
  const ready = await area.evaluate(() => performance.now());
  return ready - started;
}

async function areaCardId(area: Locator): Promise<string> {
  return (await area.getAttribute('data-card-id')) ?? '';
}

/** Reveal with Space and grade with a number key, focus inside the area (as a keyboard user). */
async function answerInArea(area: Locator, key: '1' | '2' | '3' | '4'): Promise<string> {
  const page = area.page();
  const id = await areaCardId(area);
  await asOrdinaryCard(area);
  await area.locator('[data-action="reveal"]').focus();
  await page.keyboard.press('Space');
  await area.locator('[data-grades]:not([hidden])').waitFor();
  await page.keyboard.press(key);
  await page.waitForFunction(
    ([element, before]) =>
      element?.getAttribute('data-card-id') !== before ||
      element?.getAttribute('data-done') === 'true',
    [await area.elementHandle(), id] as const,
  );
  return id;
}

async function markRead(page: Page, paperId: string): Promise<void> {
  const control = page.locator(`residual-paper-progress[data-paper-id="${paperId}"]`);
  await control.locator('fieldset:not([disabled])').waitFor();
  await control.getByRole('radio', { name: 'Read', exact: true }).check();
  await page.waitForFunction(
    (id) =>
      document
        .querySelector(`residual-paper-progress[data-paper-id="${id}"]`)
        ?.getAttribute('data-state') === 'read',
    paperId,
  );
}

async function freshChapter(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url(CHAPTER));
  return page;
}

describe('a review area in the chapter', () => {
  it('read, answer in the area, and /review/ holds exactly those cards; a miss returns; the summary appears; due figures agree', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await freshChapter(context);
    const area = areaOf(page, PAPER);
    await markRead(page, PAPER);
    // Marking it read offers its cards.
    const offer = page.locator(`section[data-paper-id="${PAPER}"] .residual-paper__offer-read`);
    expect(await offer.isVisible()).toBe(true);
    const ms = await openArea(area);
    console.log(`review area interactive ${ms.toFixed(0)} ms after it was scrolled into view`);
    const ids = JSON.parse((await area.getAttribute('data-cards')) ?? '[]') as string[];
    expect(Number(await area.getAttribute('data-offered'))).toBe(ids.length);

    // A key pressed outside the area does nothing to it.
    await page.locator('h1').first().click();
    await page.keyboard.press('Space');
    expect(await area.locator('[data-grades]').isVisible()).toBe(false);

    const first = await answerInArea(area, '1');
    expect(first).toBe(ids[0]);
    const seen: string[] = [first];
    for (let i = 1; i < ids.length; i++) seen.push(await answerInArea(area, '3'));
    // The missed card comes back before the area is done.
    expect(await areaCardId(area)).toBe(first);
    await answerInArea(area, '3');
    await area.locator('[data-done]:not([hidden])').waitFor();
    expect(await area.locator('[data-done-text]').textContent()).toMatch(
      new RegExp(`${ids.length + 1} answers \\(1 missed`),
    );
    expect(seen).toEqual(ids);

    const rows = await storedRows<CardRow>(page, 'cards');
    const met = rows.filter((row) => row.reps > 0).map((row) => row.id);
    expect(met.sort()).toEqual([...ids].sort());

    // /review/ holds exactly those cards (in learning), and no new card of an unread paper.
    const review = await context.newPage();
    await review.goto(url('/review/'));
    await reviewReady(review);
    expect(await shownCounts(review)).toEqual({ new: 0, learning: ids.length, review: 0 });
    expect(await review.locator('[data-waiting]').isHidden()).toBe(true);

    // Due figures agree on /progress/ and /stats/.
    const progress = await context.newPage();
    await progress.goto(url('/progress/'));
    const due = progress.locator('[data-cards-due][data-count]');
    await due.waitFor();
    expect(Number(await due.getAttribute('data-count'))).toBe(ids.length);
    const stats = await context.newPage();
    await stats.goto(url('/stats/'));
    const statsDue = stats.locator('[data-summary-due][data-count]');
    await statsDue.waitFor();
    expect(Number(await statsDue.getAttribute('data-count'))).toBe(ids.length);
    // And in the sidebar, on a chapter page and on /review/ itself.
    const sidebarDue = (tab: Page) =>
      tab
        .locator('nav.sidebar .residual-sidebar-due[data-due]')
        .first()
        .getAttribute('data-due')
        .then(Number);
    expect(await sidebarDue(page)).toBe(ids.length);
    expect(await sidebarDue(review)).toBe(ids.length);

    // Work through /review/: every card shown belongs to the paper; the summary follows.
    const shown = new Set<string>();
    for (let i = 0; i < 3 * ids.length; i++) {
      const id = await shownCardId(review);
      if (!id) break;
      shown.add(id);
      await asOrdinaryCard(review.locator('residual-review'));
      await review.keyboard.press('Space');
      await review.locator('[data-grades]:not([hidden])').waitFor();
      await review.keyboard.press('3');
      await review.waitForFunction(
        (before) =>
          document.querySelector('residual-review')?.getAttribute('data-card-id') !== before,
        id,
      );
    }
    expect([...shown].sort()).toEqual([...ids].sort());
    await review.locator('[data-done]:not([hidden])').waitFor();
    expect(await review.locator('[data-summary]').textContent()).toMatch(
      new RegExp(
        `^${ids.length} cards studied in .+; 0 of ${ids.length} answers \\(0%\\) were Again\\. Answering took \\d+ (s|min( \\d+ s)?), \\d+ s per answer \\(each counts at most 1 min\\)\\.$`,
      ),
    );
    expect(await review.locator('[data-done-detail]').textContent()).toMatch(/next card is due/);
    // The cards of papers not read yet wait, and the next paper to read is named.
    await review.locator('[data-waiting]:not([hidden])').waitFor();
    expect(await review.locator('[data-waiting-text]').textContent()).toMatch(
      /^\d+ cards wait in papers you have not read yet\. $/,
    );
    expect(await review.locator('[data-waiting-link]').textContent()).toMatch(
      /^Read the next one: /,
    );
    await context.close();
  });

  it('"Not for me" declines a card: out of review, kept, and restored from the card browser', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await freshChapter(context);
    const area = areaOf(page, PAPER);
    await openArea(area);
    const id = await areaCardId(area);
    await area.getByRole('button', { name: 'Not for me' }).click();
    await page.waitForFunction(
      ([element, before]) => element?.getAttribute('data-card-id') !== before,
      [await area.elementHandle(), id] as const,
    );
    expect(await area.locator('[data-status]').textContent()).toMatch(/Declined/);
    let row = (await storedRows<CardRow>(page, 'cards')).find((card) => card.id === id)!;
    expect(row).toMatchObject({ declined: true, queue: 'retired' });

    const cards = await context.newPage();
    await cards.goto(url('/cards/'));
    await cards.locator('residual-card-browser[data-ready="true"]').waitFor();
    await cards.locator('select[name="state"]').selectOption('retired');
    await cards
      .getByRole('button', { name: /^Restore: / })
      .first()
      .click();
    await cards.locator('[data-status]', { hasText: 'Restored' }).waitFor();
    row = (await storedRows<CardRow>(cards, 'cards')).find((card) => card.id === id)!;
    expect(row).toMatchObject({ declined: false, queue: 'new' });
    await context.close();
  });

  it('a card answered in /review/ in another tab is not applied twice from the area', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await freshChapter(context);
    const area = areaOf(page, PAPER);
    await openArea(area);
    const id = await areaCardId(area);
    await area.locator('[data-action="reveal"]').click();

    const other = await context.newPage();
    await other.goto(url(`/review/?paper=${PAPER}`));
    await reviewReady(other);
    expect(await shownCardId(other)).toBe(id);
    await other.keyboard.press('Space');
    await other.locator('[data-grades]:not([hidden])').waitFor();
    await other.keyboard.press('3');
    await other.waitForFunction(
      (before) =>
        document.querySelector('residual-review')?.getAttribute('data-card-id') !== before,
      id,
    );

    await area.locator('[data-grade="3"]').click();
    await area.locator('[data-status]', { hasText: 'another tab' }).waitFor();
    const log = await storedRows<{ cardId: string }>(page, 'log');
    expect(log.filter((row) => row.cardId === id)).toHaveLength(1);
    await context.close();
  });

  it('a card retired by a deck update shows nothing in its area', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    const deck = (await (await fetch(url('/deck.json'))).json()) as {
      version: string;
      cards: { id: string }[];
    };
    const gone = `${PAPER}/sparsity-and-importance`;
    expect(deck.cards.some((card) => card.id === gone)).toBe(true);
    // A first visit stores the whole deck; the next deck (a site update) no longer has the card.
    await page.goto(url(CHAPTER));
    await openArea(areaOf(page, PAPER));
    await page.route('**/deck.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          ...deck,
          version: `${deck.version}-without-one`,
          cards: deck.cards.filter((card) => card.id !== gone),
        }),
      }),
    );
    await page.reload();
    const area = areaOf(page, PAPER);
    await openArea(area);
    const ids = JSON.parse((await area.getAttribute('data-cards')) ?? '[]') as string[];
    expect(Number(await area.getAttribute('data-offered'))).toBe(ids.length - 1);
    const shown: string[] = [];
    while ((await area.getAttribute('data-done')) !== 'true')
      shown.push(await answerInArea(area, '3'));
    expect(shown).toEqual(ids.filter((id) => id !== gone));
    await context.close();
  });

  it('works offline after a first visit: the area and its code come from the service worker', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'allow' });
    const page = await context.newPage();
    await page.goto(url('/'));
    await waitForServiceWorker(page);
    await context.setOffline(true);
    await page.goto(url(CHAPTER));
    const area = areaOf(page, PAPER);
    await openArea(area);
    const id = await answerInArea(area, '3');
    const log = await storedRows<{ cardId: string }>(page, 'log');
    expect(log.map((row) => row.cardId)).toEqual([id]);
    await context.close();
  });

  it('reserves its size, and is axe-clean in both themes', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await freshChapter(context);
    const area = areaOf(page, PAPER);
    await area.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    const before = await area.boundingBox();
    await openArea(area);
    const after = await area.boundingBox();
    expect(after?.height).toBe(before?.height);
    for (const theme of ['dark', 'light']) {
      await page.evaluate((name) => {
        document.documentElement.dataset['theme'] = name;
      }, theme);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    }
    await context.close();
  });
});

describe('review areas on the glossary page', () => {
  it('one per group of terms: answerable, and axe-clean', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url('/glossary/'));
    const areas = page.locator('residual-review-area');
    expect(await areas.count()).toBeGreaterThan(1);
    const first = areas.first();
    await openArea(first);
    const ids = JSON.parse((await first.getAttribute('data-cards')) ?? '[]') as string[];
    expect(ids.every((id) => id.startsWith('glossary/'))).toBe(true);
    expect(await answerInArea(first, '3')).toBe(ids[0]);
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });
});

const pagesWithAreas = [
  ...order.chapters.map((chapter) => (chapter.slug === 'start' ? '/' : `/${chapter.slug}/`)),
  '/glossary/',
];

/** How many times `pattern` occurs in `text`. */
const occurrences = (text: string, pattern: string) => text.split(pattern).length - 1;

describe("the areas' hidden parts", () => {
  it.each(pagesWithAreas)(
    '%s carries them once, however many areas it has: the card in one template, the experiment panel in another only where an area has experiment cards',
    async (path) => {
      const html = await (await fetch(url(path))).text();
      const areas = occurrences(html, '<residual-review-area');
      const withExperiments = occurrences(html, 'data-experiments');
      expect(areas).toBeGreaterThan(0);
      expect(occurrences(html, '<template data-review-area-parts')).toBe(1);
      expect(occurrences(html, 'data-grade="1"')).toBe(1);
      expect(occurrences(html, 'data-done ')).toBe(1);
      expect(occurrences(html, '<template data-review-area-experiment')).toBe(
        withExperiments > 0 ? 1 : 0,
      );
      expect(occurrences(html, 'data-experiment-form')).toBe(withExperiments > 0 ? 1 : 0);
    },
  );

  it('a page without the template: its area says why in the status line, and nothing throws', async () => {
    const { context, page, errors } = await newPageWithout(
      served.browser,
      CHAPTER,
      /<template data-review-area-parts[^>]*>[\s\S]*?<\/template>/,
      'data-review-area-parts',
    );
    await page.goto(url(CHAPTER));
    const area = areaOf(page, PAPER);
    await area.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await expect
      .poll(() => area.locator('[data-status]').textContent())
      .toBe(MISSING_TEMPLATE_MESSAGE);
    expect(await area.locator('[data-card]').count()).toBe(0);
    expect(await area.getAttribute('data-ready')).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('a reading plan a newcomer can follow', () => {
  it('the start page offers the first essential paper at the top, and follows the plan chosen on /progress/', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const plan = (await (await fetch(url('/reading-plan.json'))).json()) as {
      chapters: { papers: { id: string; title: string; priority: string; href: string }[] }[];
    };
    const inOrder = plan.chapters.flatMap((chapter) => chapter.papers);
    const firstEssential = inOrder.find((paper) => paper.priority === 'essential')!;
    const page = await context.newPage();
    await page.goto(url('/'));
    const step = page.locator('residual-plan-start [data-plan-link]');
    expect(await step.textContent()).toBe(firstEssential.title);
    // It is the first thing in the page's content, not thousands of pixels down.
    const top = (await page.locator('residual-plan-start').boundingBox())!.y;
    expect(top).toBeLessThan(400);
    expect(await page.locator('residual-plan-start').textContent()).toMatch(/about \d/);

    const progress = await context.newPage();
    await progress.goto(url('/progress/'));
    await progress.locator('[data-continue] a').filter({ hasText: firstEssential.title }).waitFor();
    await progress.getByRole('radio', { name: /The whole list/ }).check();
    await progress.locator('[data-continue] a').filter({ hasText: inOrder[0]!.title }).waitFor();

    await page.reload();
    await page
      .locator('residual-plan-start [data-plan-link]')
      .filter({ hasText: inOrder[0]!.title })
      .waitFor();
    expect(await page.locator('residual-plan-start [data-plan-link]').getAttribute('href')).toBe(
      inOrder[0]!.href,
    );
    await context.close();
  });
});
