import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import {
  asOrdinaryCard,
  holdDeck,
  introduceNewInListOrder,
  putRow,
  reviewReady,
  shownCardId,
  shownCounts,
  storedRows,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();
/** The worker script that stores the published deck (src/storage/deck-store.worker.ts). */
const DECK_WORKER = /\/_astro\/deck-store\.worker-[^/]*\.js$/;

async function openReview(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL(`/review/${query}`, served.site.url).href);
  await reviewReady(page);
  // These tests are about reviewing itself: new cards from the whole list, read or not.
  await introduceNewInListOrder(page);
  return page;
}

/** Reveal with Space and answer with a number key, as a keyboard user does. */
async function answer(page: Page, key: '1' | '2' | '3' | '4'): Promise<void> {
  const before = await shownCardId(page);
  await asOrdinaryCard(page.locator('residual-review'));
  await page.keyboard.press('Space');
  await page.locator('[data-grades]:not([hidden])').waitFor();
  await page.keyboard.press(key);
  await page.waitForFunction(
    (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
    before,
  );
}

describe('reviewing with the keyboard', () => {
  it('five answers are stored, and survive a reload', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const start = await shownCounts(page);
    expect(start).toEqual({ new: 20, learning: 0, review: 0 });
    const answered: string[] = [];
    for (let i = 0; i < 5; i++) {
      answered.push(await shownCardId(page));
      await answer(page, '3');
    }
    expect(await shownCounts(page)).toEqual({ new: 15, learning: 5, review: 0 });
    await page.reload();
    await reviewReady(page);
    expect(await shownCounts(page)).toEqual({ new: 15, learning: 5, review: 0 });
    const log = await storedRows<{ cardId: string; grade: number }>(page, 'log');
    expect(log.map((row) => row.cardId)).toEqual(answered);
    expect(log.every((row) => row.grade === 3)).toBe(true);
    await context.close();
  });

  it('each grade button shows the interval it applies', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    expect(await page.locator('[data-grades]').isVisible()).toBe(false);
    expect(await page.locator('[data-back]').isVisible()).toBe(false);
    await page.keyboard.press('Space');
    expect(await page.getByRole('button', { name: /Show answer/ }).isVisible()).toBe(false);
    expect(await page.locator('[data-back]').isVisible()).toBe(true);
    const labels = await page.locator('[data-interval]').allTextContents();
    expect(labels).toEqual(['1m', '6m', '10m', expect.stringMatching(/^\d+d$/)]);
    const id = await shownCardId(page);
    await page.keyboard.press('4');
    await page.waitForFunction(
      (card) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== card,
      id,
    );
    const [card] = (
      await storedRows<{ id: string; due: number; lastReview: number; scheduledDays: number }>(
        page,
        'cards',
      )
    ).filter((row) => row.id === id);
    expect(`${card!.scheduledDays}d`).toBe(labels[3]);
    await context.close();
  });

  it('focus follows the card: the question when it appears, the answer when revealed', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return element?.hasAttribute('data-front')
          ? 'question'
          : element?.hasAttribute('data-back')
            ? 'answer'
            : element?.tagName;
      });
    expect(await focused()).toBe('question');
    await page.keyboard.press('Space');
    expect(await focused()).toBe('answer');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-grade'))).toBe('1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.hasAttribute('data-front'));
    expect(await storedRows(page, 'log')).toHaveLength(1);
    await context.close();
  });

  it('undo puts back the last card exactly as it was and removes its log row', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const id = await shownCardId(page);
    const [before] = (await storedRows<{ id: string }>(page, 'cards')).filter(
      (row) => row.id === id,
    );
    await answer(page, '1');
    await page.keyboard.press('u');
    await page.waitForFunction(
      (card) => document.querySelector('residual-review')?.getAttribute('data-card-id') === card,
      id,
    );
    const [after] = (await storedRows<{ id: string }>(page, 'cards')).filter(
      (row) => row.id === id,
    );
    expect(after).toEqual(before);
    expect(await storedRows(page, 'log')).toEqual([]);
    expect(await shownCounts(page)).toEqual({ new: 20, learning: 0, review: 0 });
    await context.close();
  });

  it("bury and suspend take the card out of today's queue", async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const first = await shownCardId(page);
    await page.getByRole('button', { name: /Bury until tomorrow/ }).click();
    await page.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      first,
    );
    const second = await shownCardId(page);
    await page.getByRole('button', { name: /^Suspend/ }).click();
    await page.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      second,
    );
    const cards = await storedRows<{ id: string; queue: string }>(page, 'cards');
    expect(cards.find((card) => card.id === first)?.queue).toBe('buried');
    expect(cards.find((card) => card.id === second)?.queue).toBe('suspended');
    await context.close();
  });
});

describe('settings', () => {
  it('a lower new-card limit applies at once and is kept after a reload', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    await page.getByText('Review settings').click();
    await page.getByLabel('New cards per day').fill('5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[data-status]', { hasText: 'Settings saved' }).waitFor();
    await expect.poll(async () => (await shownCounts(page)).new).toBe(5);
    await page.reload();
    await reviewReady(page);
    await expect.poll(async () => (await shownCounts(page)).new).toBe(5);
    await context.close();
  });

  it('an invalid value is refused with a message naming the field', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    await page.getByText('Review settings').click();
    await page.getByLabel(/^Learning steps/).fill('soon');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[data-settings-error]', { hasText: 'learningSteps' }).waitFor();
    await context.close();
  });
});

describe('two tabs on the same deck', () => {
  it("never apply one card's review twice", async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const tabA = await openReview(context);
    const tabB = await openReview(context);
    const id = await shownCardId(tabA);
    expect(await shownCardId(tabB)).toBe(id);
    await answer(tabA, '3');
    await tabB.keyboard.press('Space');
    await tabB.keyboard.press('3');
    await tabB.locator('[data-status]', { hasText: 'another tab' }).waitFor();
    const log = await storedRows<{ cardId: string }>(tabA, 'log');
    expect(log.filter((row) => row.cardId === id)).toHaveLength(1);
    // The refused tab says so first, then reads its queue again and moves on.
    await expect.poll(() => shownCardId(tabB)).not.toBe(id);
    await context.close();
  });
});

describe('undo with two tabs', () => {
  it("takes back only this tab's answer, never the one just given in another tab", async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const tabA = await openReview(context);
    const first = await shownCardId(tabA);
    await answer(tabA, '3');
    const tabB = await openReview(context);
    const second = await shownCardId(tabB);
    expect(second).not.toBe(first);
    await answer(tabB, '3');
    await tabA.bringToFront();
    await tabA.keyboard.press('u');
    await tabA.locator('[data-status]', { hasText: 'Undid the last answer' }).waitFor();
    const log = await storedRows<{ cardId: string }>(tabA, 'log');
    expect(log.map((row) => row.cardId)).toEqual([second]);
    await tabA.keyboard.press('u');
    await tabA.locator('[data-status]', { hasText: 'nothing to undo in this tab' }).waitFor();
    expect(await storedRows(tabA, 'log')).toHaveLength(1);
    await context.close();
  });
});

describe('studying one part of the deck', () => {
  it("?chapter= shows only that chapter's cards, and the card links back to its paragraph", async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context, '?chapter=superposition');
    expect(await page.locator('[data-scope]').inputValue()).toBe('chapter:superposition');
    const href = await page.locator('[data-open]').getAttribute('href');
    expect(href).toMatch(/^\/superposition\/#[a-z0-9-]+--[a-z0-9-]+$/);
    await page.locator('[data-open]').click();
    await page.waitForURL(/\/superposition\/#/);
    const anchor = decodeURIComponent(new URL(page.url()).hash.slice(1));
    await expect(page.locator(`[id="${anchor}"]`).count()).resolves.toBe(1);
    await context.close();
  });
});

describe('studying one paper on demand', () => {
  it('goes past the daily new-card limit when asked, then ends', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    await page.getByText('Review settings').click();
    await page.getByLabel('New cards per day').fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[data-status]', { hasText: 'Settings saved' }).waitFor();
    await page.goto(new URL('/review/?paper=mathematical-framework', served.site.url).href);
    await reviewReady(page);
    expect(await page.locator('[data-card]').isHidden()).toBe(true);
    const studyAhead = page.getByRole('button', { name: /^Study this paper now: \d+ cards/ });
    const label = (await studyAhead.textContent()) ?? '';
    const cards = Number(/(\d+) card/.exec(label)?.[1]);
    expect(cards).toBeGreaterThan(1);
    await studyAhead.click();
    // Studying ahead rebuilds the queue asynchronously: wait for its first card.
    await page.waitForFunction(() =>
      document.querySelector('residual-review')?.getAttribute('data-card-id'),
    );
    for (let i = 0; i < cards; i++) {
      expect(await shownCardId(page)).toMatch(/^mathematical-framework\//);
      await answer(page, '4');
    }
    await page.locator('[data-done-title]', { hasText: 'Done studying ahead' }).waitFor();
    const log = await storedRows<{ cardId: string }>(page, 'log');
    expect(log).toHaveLength(cards);
    expect(new Set(log.map((row) => row.cardId)).size).toBe(cards);
    await context.close();
  });
});

describe('when storage is missing or limited', () => {
  it('without IndexedDB the page says so plainly, and no card UI is shown', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    await context.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    const message = page.locator('[data-unavailable]');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/IndexedDB is unavailable/);
    expect(await page.locator('[data-session]').isHidden()).toBe(true);
    await context.close();
  });

  it('a full disk on the first visit is said in words, not as "(QuotaExceededError )"', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const fullDisk = `{
      const full = () => {
        throw new DOMException('', 'QuotaExceededError');
      };
      IDBObjectStore.prototype.put = full;
      IDBObjectStore.prototype.add = full;
    }`;
    await context.addInitScript(fullDisk);
    // The deck is stored from a worker, which an init script does not reach: its disk is full too.
    await context.route(DECK_WORKER, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: `${fullDisk}\n${await response.text()}` });
    });
    // Not openReview: choosing list order saves a setting, which a full disk refuses.
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    const status = (await page.locator('[data-status]').textContent()) ?? '';
    expect(status).toMatch(/storage for this site is full/);
    expect(status).not.toMatch(/QuotaExceededError/);
    await context.close();
  });

  it('a database that fails to open is named as such on /review/ and /progress/', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The open request was aborted', 'AbortError');
      };
    });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    const message = page.locator('[data-unavailable-message]');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/could not open this site’s database/);
    await page.goto(new URL('/progress/', served.site.url).href);
    const problem = page.locator('[data-problem]');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/could not open this site’s database/);
    expect(await problem.textContent()).not.toMatch(/while saving/);
    await context.close();
  });

  it('shows whether persistent storage was granted', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const state = await page.locator('residual-review').getAttribute('data-persistence');
    expect(['persistent', 'best-effort']).toContain(state);
    expect(await page.locator('[data-storage-state]').textContent()).toMatch(/storage/i);
    await context.close();
  });
});

describe("when the page's code cannot be loaded", () => {
  it('says so where the review would be, instead of loading forever', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const sessionCode = /\/_astro\/review-session\.[^/]*\.js$/;
    await context.route(sessionCode, (route) => route.abort());
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    const alert = page.locator('residual-review > .residual-load-failed[role="alert"]');
    await alert.waitFor();
    expect(await alert.locator('p').textContent()).toBe(
      'This part of the page could not be loaded. Check the connection, then reload the page.',
    );
    expect(await page.locator('residual-review [data-loading]').isHidden()).toBe(true);
    // Once the connection is back, the button brings the review up.
    await context.unroute(sessionCode);
    await alert.getByRole('button', { name: 'Reload page' }).click();
    await reviewReady(page);
    await context.close();
  });
});

describe('a damaged or changing database', () => {
  it('a corrupt stored card is set aside, kept as it was, with a message, and review goes on', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const id = await shownCardId(page);
    const [row] = (await storedRows<Record<string, unknown>>(page, 'cards')).filter(
      (card) => card['id'] === id,
    );
    await putRow(page, 'cards', { ...row, stability: 'very', front: 42 });
    await page.reload();
    await reviewReady(page);
    await page.locator('[data-status]', { hasText: 'is damaged' }).waitFor();
    expect(await shownCardId(page)).not.toBe(id);
    const [after] = (await storedRows<Record<string, unknown>>(page, 'cards')).filter(
      (card) => card['id'] === id,
    );
    // Kept as it was, only moved out of every queue (the statistics page lists it).
    expect(after).toEqual({ ...row, stability: 'very', front: 42, queue: 'damaged' });
    await context.close();
  });

  it('another tab upgrading the database brings up a reload prompt', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    const other = await context.newPage();
    // A same-origin document that opens no database itself (pages read reading progress).
    await other.goto(new URL('/deck.json', served.site.url).href);
    await other.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('residual', 1000);
          request.onupgradeneeded = () => request.result.createObjectStore('fromTheFuture');
          request.onsuccess = () => {
            request.result.close();
            resolve();
          };
          request.onerror = () => reject(request.error);
          request.onblocked = () =>
            reject(new Error('blocked: the review page kept its connection'));
        }),
    );
    await page.locator('[data-upgrade-notice]').waitFor({ state: 'visible' });
    expect(await page.getByRole('button', { name: 'Reload page' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: /Show answer/ }).isDisabled()).toBe(true);
    await context.close();
  });
});

describe('accessibility', () => {
  it('finds no axe violation on the review page, before and after revealing an answer', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await openReview(context);
    let violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.keyboard.press('Space');
    violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });
});

describe('a first visit', () => {
  /** The finished screen's words, and where it stands. */
  const finishedScreen = (page: Page) =>
    page.locator('residual-review').evaluate((root) => {
      const text = (name: string) => root.querySelector(`[data-${name}]`)?.textContent ?? null;
      const link = root.querySelector<HTMLAnchorElement>('[data-waiting-link]');
      const done = root.querySelector<HTMLElement>('[data-done]')!;
      return {
        shown: !done.hidden,
        loading: !root.querySelector<HTMLElement>('[data-loading]')!.hidden,
        status: text('status'),
        counts: [...root.querySelectorAll('[data-count]')].map((count) => count.textContent),
        title: text('done-title'),
        detail: text('done-detail'),
        waiting: text('waiting-text'),
        link: link && { href: link.getAttribute('href'), text: link.textContent },
        time: text('done-time'),
        box: JSON.stringify(done.getBoundingClientRect()),
      };
    });

  /** /review/ with the deck held back until `release` is called, and with `query`. */
  async function openWithDeckHeld(context: BrowserContext, query = '') {
    const release = await holdDeck(context);
    const page = await context.newPage();
    await page.goto(new URL(`/review/${query}`, served.site.url).href, {
      waitUntil: 'domcontentloaded',
    });
    return { page, release };
  }

  it('shows the screen the deck leads to before the deck is stored, and the same one after', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const { page, release } = await openWithDeckHeld(context);
    const before = await finishedScreen(page);
    expect(before).toMatchObject({
      shown: true,
      loading: false,
      title: 'Nothing to review yet',
      counts: ['0', '0', '0'],
    });
    expect(before.status).toMatch(/^Your deck is ready: \d+ cards\.$/);
    expect(before.waiting).toMatch(/^\d+ cards wait in papers you have not read yet\. $/);
    expect(before.link?.text).toMatch(/^Read the next one: /);
    await expect(page.locator('residual-review').getAttribute('data-ready')).resolves.toBeNull();
    release();
    await reviewReady(page);
    expect(await finishedScreen(page)).toEqual(before);
    await context.close();
  });

  it('stores the deck from a worker, and from the page itself where the worker cannot load', async () => {
    const published = (await (await fetch(new URL('/deck.json', served.site.url))).json()) as {
      cards: unknown[];
    };
    for (const workerLoads of [true, false]) {
      const context = await newProfile(served.browser, { serviceWorkers: 'block' });
      let refused = 0;
      if (!workerLoads)
        await context.route(DECK_WORKER, (route) => {
          refused += 1;
          return route.abort();
        });
      const page = await context.newPage();
      const workers: string[] = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      await page.goto(new URL('/review/', served.site.url).href);
      await reviewReady(page);
      if (workerLoads) expect(workers.some((url) => DECK_WORKER.test(url))).toBe(true);
      else expect(refused).toBe(1);
      expect(await storedRows(page, 'cards')).toHaveLength(published.cards.length);
      await expect(page.locator('[data-status]').textContent()).resolves.toBe(
        `Your deck is ready: ${published.cards.length} cards.`,
      );
      await context.close();
    }
  });

  it('is not shown where this browser already has a database, nor on part of the deck', async () => {
    const returning = await newProfile(served.browser, { serviceWorkers: 'block' });
    await returning.addInitScript(() => localStorage.setItem('residual-database', '1'));
    const again = await openWithDeckHeld(returning);
    await expect(finishedScreen(again.page)).resolves.toMatchObject({
      shown: false,
      loading: true,
    });
    again.release();
    await returning.close();

    const fresh = await newProfile(served.browser, { serviceWorkers: 'block' });
    const part = await openWithDeckHeld(fresh, '?chapter=foundational-work');
    await expect(finishedScreen(part.page)).resolves.toMatchObject({ shown: false, loading: true });
    part.release();
    await reviewReady(part.page);
    // Opening the database marks the browser: the next visit waits for its own screen.
    await expect(part.page.evaluate(() => localStorage.getItem('residual-database'))).resolves.toBe(
      '1',
    );
    await fresh.close();
  });
});
