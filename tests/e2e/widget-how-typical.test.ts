/**
 * "How typical is this?" in real Chromium on the committed models: the attribution-patching, logit
 * lens and induction-heads widgets put their headline number beside the committed held-out figures
 * (public/models/<model>/held-out-figures.json), and a button, operated from the keyboard, runs
 * another held-out prompt whose result agrees with the file. Needs a built site (dist/, or
 * RESIDUAL_DIST).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { serveSite, type ServedSite } from './support/site';
import {
  openChapter as openChapterPage,
  recomputed,
  scrollToWidget,
  widgetSelector,
} from './support/tiny-lm-widgets';
import { committedFile } from '../support/committed';
import {
  parseAttnOnlyFigures,
  parseTinyLmFigures,
} from '../../src/widgets/tiny-lm-experiments/held-out-figures';

const json = (path: string): unknown => JSON.parse(readFileSync(committedFile(path), 'utf8'));
const tiny = parseTinyLmFigures(json('public/models/tiny-lm/held-out-figures.json'))!;
const attn = parseAttnOnlyFigures(json('public/models/attn-only-2l/held-out-figures.json'))!;

// One browser and one served site for the file.
let browser: Browser;
let site: ServedSite;
beforeAll(async () => {
  site = await serveSite(process.env['RESIDUAL_DIST']);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const openChapter = (path: string) => openChapterPage(browser, new URL(path, site.url).href);

const typical = (page: Page, id: string) =>
  page.locator(`${widgetSelector(id)} [data-typical="text"]`).textContent();

/** Focuses the widget's "try another" button and presses Enter, waiting for the new result. */
async function tryAnother(page: Page, id: string): Promise<void> {
  await page.locator(`${widgetSelector(id)} [data-typical="try"]`).focus();
  await recomputed(page, id, () => page.keyboard.press('Enter'));
}

describe('attribution patching, how typical its r is', () => {
  const ID = 'attribution-patching';

  it('ranks the default pair among the held-out pairs, then runs held-out pair 4 with the r the file has for it', async () => {
    const page = await openChapter('/activation-patching/');
    await scrollToWidget(page, ID);
    const { spread } = tiny.attribution;
    await expect(typical(page, ID)).resolves.toMatch(
      new RegExp(
        `^On this pair r = 0\\.99\\d; over ${spread.count} held-out IOI pairs the median is ${spread.median.toFixed(2)} .* This pair is among the best`,
      ),
    );
    // Pairs 1–3 are in the menu already; the button brings the next one.
    await tryAnother(page, ID);
    const select = page.locator(`${widgetSelector(ID)} select[name="pair"]`);
    await expect(select.inputValue()).resolves.toBe('ioi-held-out-4');
    const r = Number(
      await page.locator(`${widgetSelector(ID)} [data-attribution="correlation"]`).textContent(),
    );
    expect(r).toBeCloseTo(tiny.attribution.pairs[3]!.r, 2);
    await expect(typical(page, ID)).resolves.toMatch(/\(Held-out pair 4 of 60\.\)$/);
    await page.close();
  });
});

describe('the logit lens, how typical fact recall is', () => {
  const ID = 'logit-lens';

  it('quotes recall on trained and new phrasings, and runs a held-out fact in a new phrasing from the keyboard', async () => {
    const page = await openChapter('/bonus/');
    await scrollToWidget(page, ID);
    const { trainedPhrasings, newPhrasings } = tiny.facts;
    await expect(typical(page, ID)).resolves.toContain(
      `${Math.round(trainedPhrasings.top1 * 100)}% right in phrasings it was trained on`,
    );
    await expect(typical(page, ID)).resolves.toContain(
      `${Math.round(newPhrasings.top1 * 100)}% in a phrasing it never saw`,
    );
    await tryAnother(page, ID);
    const prompt = page.locator(`${widgetSelector(ID)} input[name="prompt"]`);
    await expect(prompt.inputValue()).resolves.toBe('They say that Michael Jordan is the best at');
    const predicted = await page
      .locator(`${widgetSelector(ID)} [data-lens="summary"]`)
      .getAttribute('data-prediction');
    await expect(typical(page, ID)).resolves.toMatch(
      new RegExp(
        `in a new phrasing: the answer is “basketball”, and the model ${predicted === 'basketball' ? 'gets' : 'misses'} it\\.$`,
      ),
    );
    await page.close();
  });
});

describe('induction heads, on words and on numbers', () => {
  const ID = 'induction-heads';
  const losses = async (page: Page) => {
    const text = await page
      .locator(`${widgetSelector(ID)} [data-induction="summary"]`)
      .textContent();
    const [, first, second] = /first copy (\d+\.\d+), on the second (\d+\.\d+)/.exec(text ?? '')!;
    return { first: Number(first), second: Number(second) };
  };

  it('shows the second copy far easier on words, not on numbers, beside the held-out figures of both, with the numbers switch on and axe-clean', async () => {
    const page = await openChapter('/foundational-work/');
    await scrollToWidget(page, ID);
    const words = await losses(page);
    expect(words.second).toBeLessThan(words.first / 2);
    await expect(typical(page, ID)).resolves.toMatch(
      new RegExp(
        `^On these words .* it is ${attn.induction.words.secondCopyLoss.toFixed(2)}, .* it is ${attn.induction.numbers.secondCopyLoss.toFixed(2)}, `,
      ),
    );
    await tryAnother(page, ID);
    const button = page.locator(`${widgetSelector(ID)} [data-typical="try"]`);
    await expect(button.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(
      page.locator(`${widgetSelector(ID)} [data-induction="sequence"]`).textContent(),
    ).resolves.toMatch(/^Sequence shown: \d\d( \d\d)* \| \d\d/);
    const numbers = await losses(page);
    expect(numbers.second).toBeGreaterThan(numbers.first / 2);
    await expect(typical(page, ID)).resolves.toMatch(/^On these numbers /);
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    // And back to words.
    await tryAnother(page, ID);
    await expect(button.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(typical(page, ID)).resolves.toMatch(/^On these words /);
    await page.close();
  });
});
