/**
 * The greater-than widget on the Narrow Circuits chapter, in real Chromium, on the published
 * tiny-lm: over every start year, most probability goes to later years (the model card's target
 * is ≥ 0.8 on its held-out prompts); the slider moves the curve from the keyboard; WebGPU shows
 * the same numbers as WASM.
 */
import { describe, expect, it } from 'vitest';
import {
  chapterUnderTest,
  itHasNoAccessibilityViolation,
  itShowsTheSameNumbersOnWebGpu,
  openChapter,
  recomputed,
  scrollToWidget,
  shownTable,
  widgetSelector,
} from './support/tiny-lm-widgets';

const ID = 'greater-than';
const WIDGET = widgetSelector(ID);

const chapter = chapterUnderTest('/narrow-circuits/');

describe('the greater-than widget', () => {
  it('puts most probability on years after the start year, for every start year', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    const mean = Number(
      await page.locator(`${WIDGET} [data-summary="all"]`).getAttribute('data-mean-above'),
    );
    expect(mean).toBeGreaterThanOrEqual(0.8);
    // The default start year 45: the table of p(YY) splits at 45.
    const table = await shownTable(page, ID, '[data-table="years"]');
    const p = table.values.flat();
    expect(p).toHaveLength(100);
    const later = p.slice(46).reduce((a, b) => a + b, 0);
    const earlier = p.slice(0, 46).reduce((a, b) => a + b, 0);
    expect(later).toBeGreaterThan(earlier);
    const above = Number(
      await page.locator(`${WIDGET} [data-years="summary"]`).getAttribute('data-above'),
    );
    expect(above).toBeCloseTo(later, 1);
    console.log(
      `[${ID}] mean p(later year) over start years 02-97: ${mean.toFixed(3)}; at 45: ${above.toFixed(3)}`,
    );
    await page.close();
  });

  it('moves the start year from the keyboard and patches for the new year', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    const slider = page.getByRole('slider', { name: /Start year/ });
    await slider.focus();
    await recomputed(page, ID, () => page.keyboard.press('End'));
    await expect(slider.inputValue()).resolves.toBe('97');
    await expect(page.locator(`${WIDGET} [data-years="summary"]`).textContent()).resolves.toContain(
      '1797',
    );
    await recomputed(page, ID, () => page.keyboard.press('Home'));
    const above = Number(
      await page.locator(`${WIDGET} [data-years="summary"]`).getAttribute('data-above'),
    );
    // From 1702 nearly every year is later.
    expect(above).toBeGreaterThan(0.9);
    await page.close();
  });

  itHasNoAccessibilityViolation(chapter, ID);

  itShowsTheSameNumbersOnWebGpu(chapter, ID);
});
