// Cards say where they come from (the list's pick or ours) and show math as math, in real
// Chromium: the review card's label, the card browser's source filter, and KaTeX HTML that comes
// only from the site's own build (/card-math.json), matched by card id and hash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildCardMath } from '../../src/srs/card-math-build';
import { cardHash } from '../../src/srs/deck';
import { SOURCE_LABELS } from '../../src/srs/source';
import type { Deck, DeckCard } from '../../src/srs/types';
import { DIST } from '../support/built-site';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import { introduceNewInListOrder, reviewReady, shownCardId } from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();
const publishedDeck = JSON.parse(readFileSync(join(DIST, 'deck.json'), 'utf8')) as Deck;

async function open(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL(path, served.site.url).href);
  return page;
}

/** A small deck of our own, served in place of the site's deck and card math. */
function mathDeck(): { deck: Deck; math: string } {
  const card = (id: string, front: string, source: DeckCard['source']): DeckCard => ({
    id,
    kind: 'point',
    chapter: 'foundational-work',
    paperId: 'mathematical-framework',
    source,
    front,
    back: 'The bilinear form $x^\\top W_{QK} y$ scores a pair of positions.',
    href: '/foundational-work/#mathematical-framework',
    hash: cardHash(front, 'b'),
    position: id.endsWith('1') ? 0 : 1,
  });
  const deck: Deck = {
    format: 'residual-deck',
    version: 'math-test',
    cards: [
      card('mathematical-framework/math-1', 'What does $W_{QK}$ compute?', 'list'),
      card('mathematical-framework/math-2', 'Why is $W_U W_E$ a bigram table?', 'ours'),
    ],
  };
  return { deck, math: JSON.stringify(buildCardMath(deck)) };
}

describe('where a card comes from', () => {
  it('the review card names it: "From the list" or "Our pick", as the deck says', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await open(context, '/review/');
    await reviewReady(page);
    // New cards from the whole list, read or not: these tests need a card on screen.
    await introduceNewInListOrder(page);
    const id = await shownCardId(page);
    const card = publishedDeck.cards.find((candidate) => candidate.id === id);
    expect(card, id).toBeDefined();
    await expect(page.locator('[data-source-label]').textContent()).resolves.toBe(
      SOURCE_LABELS[card!.source],
    );
    await context.close();
  });

  it('the card browser filters by it', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await open(context, '/cards/');
    await page.locator('residual-card-browser[data-ready="true"]').waitFor();
    const count = (source: DeckCard['source']) =>
      publishedDeck.cards.filter((card) => card.source === source).length;
    const shown = (n: number) => `${n} matching card${n === 1 ? '' : 's'}.`;
    await page.getByLabel('Source', { exact: true }).focus();
    await page.getByLabel('Source', { exact: true }).selectOption('ours');
    await expect(page.locator('[data-count]').textContent()).resolves.toBe(shown(count('ours')));
    const sources = await page.locator('[data-rows] tr td:nth-child(3)').allTextContents();
    expect(new Set(sources)).toEqual(new Set(count('ours') ? [SOURCE_LABELS.ours] : []));
    await page.getByLabel('Source', { exact: true }).selectOption('list');
    await expect(page.locator('[data-count]').textContent()).resolves.toBe(shown(count('list')));
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });
});

describe('math on cards', () => {
  it('shows the build’s KaTeX for a card with math, and the TeX as text once the wording differs', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const { deck, math } = mathDeck();
    await context.route('**/deck.json', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(deck) }),
    );
    await context.route('**/card-math.json', (route) =>
      route.fulfill({ contentType: 'application/json', body: math }),
    );
    const page = await open(context, '/review/');
    await reviewReady(page);
    // New cards from the whole list, read or not: these tests need a card on screen.
    await introduceNewInListOrder(page);
    expect(await shownCardId(page)).toBe('mathematical-framework/math-1');
    await expect(page.locator('[data-source-label]').textContent()).resolves.toBe('From the list');
    await expect(page.locator('[data-front] .katex').count()).resolves.toBe(1);
    await expect(page.locator('[data-front] annotation').textContent()).resolves.toBe('W_{QK}');
    await page.keyboard.press('Space');
    await expect(page.locator('[data-back] .katex').count()).resolves.toBe(1);
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    // The same card id, reworded in this browser only (another hash): never the build's HTML.
    await page.goto(new URL('/cards/', served.site.url).href);
    await page.locator('residual-card-browser[data-ready="true"]').waitFor();
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('residual');
          request.onsuccess = () => {
            const db = request.result;
            const store = db.transaction('cards', 'readwrite').objectStore('cards');
            const get = store.get('mathematical-framework/math-2');
            get.onsuccess = () => {
              store.put({ ...get.result, hash: 'reworded-here', front: 'Why is $W_U W_E$ odd?' });
              store.transaction.oncomplete = () => (db.close(), resolve());
            };
          };
          request.onerror = () => reject(request.error);
        }),
    );
    await page.reload();
    await page.locator('residual-card-browser[data-ready="true"]').waitFor();
    const rows = page.locator('[data-rows] tr');
    await expect(rows.nth(0).locator('.katex').count()).resolves.toBe(1);
    await expect(rows.nth(1).locator('.katex').count()).resolves.toBe(0);
    await expect(rows.nth(1).locator('td').first().textContent()).resolves.toBe(
      'Why is $W_U W_E$ odd?',
    );
    await context.close();
  });
});
