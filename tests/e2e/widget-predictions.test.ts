/**
 * Predict, then run, by keyboard, in every technique widget: the result stays blurred (its place
 * kept) until the reader commits; the reader picks a choice with the keyboard (or types a number)
 * and presses Enter; the result appears, and the verdict says whether the prediction held and why.
 * One browser and one profile for the file, so each model downloads once.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

/** Each technique widget, its chapter, and what the reader answers (a choice's index or a number). */
const WIDGETS: { id: string; chapter: string; answer: { choice: number } | { number: string } }[] =
  [
    { id: 'induction-heads', chapter: '/foundational-work/', answer: { choice: 2 } },
    { id: 'toy-superposition', chapter: '/superposition/', answer: { number: '5' } },
    { id: 'activation-patching', chapter: '/activation-patching/', answer: { number: '0' } },
    { id: 'attribution-patching', chapter: '/activation-patching/', answer: { number: '0.9' } },
    { id: 'das-illusion', chapter: '/activation-patching/', answer: { choice: 1 } },
    { id: 'ioi-circuit', chapter: '/narrow-circuits/', answer: { choice: 0 } },
    { id: 'greater-than', chapter: '/narrow-circuits/', answer: { number: '0,8' } },
    { id: 'sae-lab', chapter: '/sparse-autoencoders/', answer: { choice: 2 } },
    { id: 'logit-lens', chapter: '/bonus/', answer: { choice: 1 } },
    { id: 'direct-logit-attribution', chapter: '/bonus/', answer: { choice: 0 } },
    { id: 'steering-vectors', chapter: '/bonus/', answer: { choice: 0 } },
    { id: 'max-activation-illusion', chapter: '/bonus/', answer: { choice: 2 } },
    { id: 'grokking', chapter: '/bonus/', answer: { choice: 2 } },
  ];

const LOAD = 180_000;

let context: BrowserContext;
let page: Page | null = null;
let openChapter = '';

beforeAll(async () => {
  context = await served.browser.newContext({
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'block',
  });
});

afterAll(async () => {
  await context?.close();
});

/** The chapter's page, reused while the widgets of one chapter are tested. */
async function chapterPage(path: string): Promise<Page> {
  if (page && openChapter === path) return page;
  await page?.close();
  page = await context.newPage();
  await page.goto(new URL(path, served.site.url).href, { waitUntil: 'load' });
  openChapter = path;
  return page;
}

describe('predict, then run, by keyboard', () => {
  for (const { id, chapter, answer } of WIDGETS) {
    it(`${id}: hides the result until the reader commits, then says whether the prediction held`, async () => {
      const page = await chapterPage(chapter);
      const widget = page.locator(`residual-widget[data-widget="${id}"]`);
      await widget.scrollIntoViewIfNeeded();
      await page.waitForSelector(`residual-widget[data-widget="${id}"][data-state="ready"]`, {
        timeout: LOAD,
      });
      const form = widget.locator('form[data-predict]');
      await expect(form.getAttribute('data-state')).resolves.toBe('open');
      // What follows the question is laid out but blurred until the reader commits.
      const after = form.locator('xpath=following-sibling::*[1]');
      const blur = () => after.evaluate((el) => getComputedStyle(el).filter);
      await expect(blur()).resolves.toMatch(/^blur\(/);

      if ('choice' in answer) {
        // Tab lands on the radio group; arrow keys move (and check) within it.
        await form.locator('input[type="radio"]').first().focus();
        for (let i = 0; i < answer.choice; i++) await page.keyboard.press('ArrowDown');
        if (answer.choice === 0) await page.keyboard.press('Space');
        await expect(
          form.locator('input[type="radio"]').nth(answer.choice).isChecked(),
        ).resolves.toBe(true);
        await page.keyboard.press('Tab');
        await expect(
          page.evaluate(() => document.activeElement?.textContent?.trim()),
        ).resolves.toBe('Commit and show the result');
        await page.keyboard.press('Enter');
      } else {
        await form.locator('input[type="text"]').focus();
        await page.keyboard.type(answer.number);
        await page.keyboard.press('Enter');
      }

      await expect(form.getAttribute('data-state')).resolves.toBe('committed');
      await expect(blur()).resolves.toBe('none');
      await page.waitForSelector(
        `residual-widget[data-widget="${id}"] form[data-predict]:is([data-verdict="held"], [data-verdict="missed"])`,
        { timeout: LOAD },
      );
      const verdict = await form.getAttribute('data-verdict');
      const text = (await form.locator('[data-predict-verdict]').textContent()) ?? '';
      console.info(`[predict] ${id}: ${text}`);
      expect(text).toMatch(verdict === 'held' ? /^Your prediction held: / : /^Not this time: /);
      // The one-line reason follows the comparison.
      expect(text.split(/[.)]\s/).length).toBeGreaterThan(1);
    }, 240_000);
  }

  it('refuses a number it cannot read, says what it expects, and keeps the result blurred', async () => {
    const page = await chapterPage('/superposition/');
    const widget = page.locator('residual-widget[data-widget="toy-superposition"]');
    await page.reload({ waitUntil: 'load' });
    await widget.scrollIntoViewIfNeeded();
    await page.waitForSelector(
      'residual-widget[data-widget="toy-superposition"][data-state="ready"]',
      {
        timeout: LOAD,
      },
    );
    const form = widget.locator('form[data-predict]');
    await form.locator('input[type="text"]').focus();
    await page.keyboard.type('lots');
    await page.keyboard.press('Enter');
    await expect(form.locator('[data-predict-verdict]').textContent()).resolves.toBe(
      'Type a number from 0 to 20.',
    );
    await expect(form.getAttribute('data-state')).resolves.toBe('open');
    await expect(form.locator('input[type="text"]').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
  }, 240_000);
});
