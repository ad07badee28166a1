import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { BrowserContext, Page } from 'playwright-core';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETERS } from '../../src/srs/scheduler';
import { simulateLearner } from '../../src/srs/simulated-learner';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import { storedRows, reviewSome as answerOnReview } from './support/review';
import { servedSiteAndBrowser } from './support/served';
import { DIST } from './support/site';

const served = servedSiteAndBrowser();
const url = (path: string) => new URL(path, served.site.url).href;

/** Answers on /review/ (new cards in list order), by keyboard. */
const reviewSome = (context: BrowserContext, answers: ('1' | '3' | '4')[]) =>
  answerOnReview(context, served.site.url, answers);

async function statsPage(context: BrowserContext, element: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url('/stats/'));
  // The panels below the statistics load as they near the screen.
  await page.locator(element).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${element}[data-ready="true"]`, { timeout: 30_000 });
  return page;
}

async function exportBackupFile(page: Page): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export a backup file' }).click(),
  ]);
  return download.path();
}

/** Put review-log rows straight into the page's database (a long history, without answering it). */
async function addLogRows(page: Page, rows: unknown[]): Promise<void> {
  await page.evaluate(
    (values) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('residual');
        open.onsuccess = () => {
          const tx = open.result.transaction('log', 'readwrite');
          for (const row of values) tx.objectStore('log').add(row);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
    rows,
  );
}

describe('merging a backup from another device', () => {
  it('keeps both devices’ reviews, and the same file merged again adds nothing', async () => {
    const laptop = await newProfile(served.browser);
    await reviewSome(laptop, ['3', '4']);
    const laptopStats = await statsPage(laptop, 'residual-backup');
    const file = await exportBackupFile(laptopStats);

    const phone = await newProfile(served.browser);
    await reviewSome(phone, ['1', '3', '3']);
    const page = await statsPage(phone, 'residual-backup');
    await page.getByLabel('Restore from a backup file').setInputFiles(file);
    await page.getByRole('button', { name: 'Merge a backup from another device' }).click();
    await page.locator('[data-backup-status]', { hasText: 'Merged: 2 reviews' }).waitFor();
    const log = await storedRows<{ deviceId: string }>(page, 'log');
    expect(log).toHaveLength(5);
    expect(new Set(log.map((row) => row.deviceId)).size).toBe(2);

    await page.getByLabel('Restore from a backup file').setInputFiles(file);
    await page.getByRole('button', { name: 'Merge a backup from another device' }).click();
    await page.locator('[data-backup-status]', { hasText: 'Merged: 0 reviews' }).waitFor();
    expect(await storedRows(page, 'log')).toHaveLength(5);
    await laptop.close();
    await phone.close();
  });
});

describe('personal FSRS parameters', () => {
  it('with a short history, says more reviews are needed and changes nothing', async () => {
    const context = await newProfile(served.browser);
    await reviewSome(context, ['3', '3']);
    const page = await statsPage(context, 'residual-personal-parameters');
    const before = await storedRows(page, 'meta');
    await page.getByRole('button', { name: 'Fit parameters to my reviews' }).click();
    await page
      .locator('residual-personal-parameters [data-status]', { hasText: 'Not enough reviews yet' })
      .waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: 'Use personal parameters' }).isHidden()).toBe(
      true,
    );
    expect(await storedRows(page, 'meta')).toEqual(before);
    await context.close();
  });

  it('where shared WebAssembly memory is refused, says the optimizer cannot run and changes nothing', async () => {
    const context = await newProfile(served.browser);
    await reviewSome(context, ['3']);
    // Stand in for a browser that allows shared memory only on cross-origin-isolated pages.
    await context.addInitScript(() => {
      const Memory = WebAssembly.Memory;
      WebAssembly.Memory = function (descriptor: WebAssembly.MemoryDescriptor) {
        if (descriptor.shared) throw new TypeError('shared memory needs cross-origin isolation');
        return new Memory(descriptor);
      } as unknown as typeof WebAssembly.Memory;
    });
    const page = await statsPage(context, 'residual-personal-parameters');
    const before = await storedRows(page, 'meta');
    await page.getByRole('button', { name: 'Fit parameters to my reviews' }).click();
    const error = page.locator('residual-personal-parameters [data-error]');
    await error.filter({ hasText: 'cannot run here' }).waitFor();
    expect(await error.textContent()).toMatch(/cross-origin-isolated pages.*Nothing was changed/);
    expect(await page.locator('residual-personal-parameters [data-progress]').isHidden()).toBe(
      true,
    );
    expect(await storedRows(page, 'meta')).toEqual(before);
    await context.close();
  });

  it('fits a long history in a worker, shows both fits, and stores the parameters only when asked', async () => {
    const context = await newProfile(served.browser);
    await reviewSome(context, []);
    const page = await statsPage(context, 'residual-personal-parameters');
    const learner = [...DEFAULT_PARAMETERS];
    Object.assign(learner, { 0: 0.1, 1: 0.5, 2: 1.0, 3: 3.5, 8: 1.3, 20: 0.45 });
    const history = simulateLearner({ parameters: learner, reviews: 3000, seed: 2 }).map(
      ({ id: _id, ...row }) => row,
    );
    await addLogRows(page, history);

    await page.getByRole('button', { name: 'Fit parameters to my reviews' }).click();
    await page.locator('residual-personal-parameters [data-progress]').waitFor();
    const use = page.getByRole('button', { name: 'Use personal parameters' });
    await use.waitFor({ timeout: 110_000 });
    const figures = async (selector: string) =>
      Number(await page.locator(`residual-personal-parameters ${selector}`).textContent());
    expect(await figures('[data-personal-loss]')).toBeLessThan(
      await figures('[data-default-loss]'),
    );
    // Fitting stores nothing: the settings hold no personal parameters until "Use" is pressed.
    const settingsBefore = (
      await storedRows<{ key: string; value: { fsrsParameters?: number[] | null } }>(page, 'meta')
    ).find((row) => row.key === 'settings');
    expect(settingsBefore?.value.fsrsParameters ?? null).toBeNull();
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await use.click();
    await page.getByRole('button', { name: 'Reschedule my cards' }).waitFor();
    const settings = (
      await storedRows<{ key: string; value: { fsrsParameters: number[] } }>(page, 'meta')
    ).find((row) => row.key === 'settings');
    expect(settings?.value.fsrsParameters).toHaveLength(21);
    await context.close();
  }, 150_000);
});

describe('export to Anki', () => {
  it('downloads an .apkg whose collection holds every card of the deck and the reader’s answers', async () => {
    const context = await newProfile(served.browser);
    await reviewSome(context, ['3', '1']);
    const page = await statsPage(context, 'residual-anki-export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export to Anki (.apkg)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^residual-\d{4}-\d{2}-\d{2}\.apkg$/);
    const files = unzipSync(readFileSync(await download.path()));
    const sql = await initSqlJs();
    const db = new sql.Database(files['collection.anki2']);
    expect(db.exec('SELECT ver FROM col')[0]?.values).toEqual([[11]]);
    const deckSize = (
      JSON.parse(readFileSync(new URL('deck.json', `file://${DIST}`), 'utf8')) as {
        cards: unknown[];
      }
    ).cards.length;
    expect(db.exec('SELECT count(*) FROM notes')[0]?.values).toEqual([[deckSize]]);
    expect(db.exec('SELECT count(*) FROM cards')[0]?.values).toEqual([[deckSize]]);
    expect(db.exec('SELECT ease FROM revlog ORDER BY id')[0]?.values).toEqual([[3], [1]]);
    const [fields] = db.exec('SELECT flds FROM notes LIMIT 1')[0]!.values[0] as [string];
    expect(fields.split('\x1f')).toHaveLength(5);
    expect(fields.split('\x1f')[4]).toMatch(new RegExp(`^${served.site.url}`));
    await context.close();
  });
});
