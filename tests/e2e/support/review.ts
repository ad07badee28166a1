// Helpers for the flashcard pages: wait for the review element and read IndexedDB directly.
import type { BrowserContext, Locator, Page } from 'playwright-core';

/** Wait until <residual-review> has synced the deck and shown its first state. */
export async function reviewReady(page: Page): Promise<void> {
  await page.waitForSelector('residual-review[data-ready="true"]', { timeout: 30_000 });
}

/** The counts shown above the card. */
export async function shownCounts(page: Page) {
  const read = (key: string) =>
    page
      .locator(`[data-count="${key}"]`)
      .textContent()
      .then((text) => Number(text));
  return { new: await read('new'), learning: await read('learning'), review: await read('review') };
}

export async function shownCardId(page: Page): Promise<string> {
  return (await page.locator('residual-review').getAttribute('data-card-id')) ?? '';
}

/** Rows of one store in the page's "residual" database, read with the raw IndexedDB API. */
export async function storedRows<T = Record<string, unknown>>(
  page: Page,
  store: string,
): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('residual');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const request = db.transaction(name, 'readonly').objectStore(name).getAll();
          request.onsuccess = () => {
            db.close();
            resolve(request.result as T[]);
          };
          request.onerror = () => reject(request.error);
        };
      }),
    store,
  );
}

/** Overwrite one row of the page's "residual" database with the raw IndexedDB API. */
export async function putRow(page: Page, store: string, row: unknown): Promise<void> {
  await page.evaluate(
    ([name, value]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('residual');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(name as string, 'readwrite');
          tx.objectStore(name as string).put(value);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    [store, row] as const,
  );
}

/**
 * New cards in reading-list order, as before "from papers you have read" became the default: for
 * tests about reviewing itself, on a fresh profile whose reader has not marked any paper read.
 * Call on a ready /review/ page; it reloads the page with the setting stored.
 */
export async function introduceNewInListOrder(page: Page): Promise<void> {
  await putRow(page, 'meta', { key: 'settings', value: { introduceNew: 'list' } });
  await page.reload();
  await reviewReady(page);
}

/**
 * Tests about reviewing itself answer an experiment card (one that runs a model) as its worked
 * example, an ordinary card: on a fresh profile it offers the model's download, and "Show the
 * worked example" takes that path. Does nothing for any other card. `root` is the review screen
 * or a review area.
 */
export async function asOrdinaryCard(root: Locator): Promise<void> {
  const panel = root.locator('[data-experiment]:not([hidden])');
  if ((await panel.count()) === 0) return;
  await root.locator('[data-experiment][data-state]').waitFor({ timeout: 60_000 });
  if ((await panel.getAttribute('data-state')) === 'example') return;
  await panel.locator('[data-experiment-action="example"]:visible').first().click();
  await root.locator('[data-experiment][data-state="example"]').waitFor();
}

/**
 * Opens /review/ (at `siteUrl`) in a new page of `context`, with new cards in list order, and
 * answers the shown cards with `answers`, one grade key each, by keyboard.
 */
export async function reviewSome(
  context: BrowserContext,
  siteUrl: string,
  answers: ('1' | '2' | '3' | '4')[],
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL('/review/', siteUrl).href);
  await reviewReady(page);
  await introduceNewInListOrder(page);
  for (const key of answers) {
    const before = await shownCardId(page);
    await asOrdinaryCard(page.locator('residual-review'));
    await page.keyboard.press('Space');
    await page.keyboard.press(key);
    await page.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      before,
    );
  }
  return page;
}

/**
 * Hold back the published deck in `context` until the returned function is called: a card page
 * then shows what it shows before the deck is stored (a first visit's screen, or "Loading…").
 */
export async function holdDeck(context: BrowserContext): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await context.route('**/deck.json', async (route) => {
    await held;
    await route.continue();
  });
  return release;
}
