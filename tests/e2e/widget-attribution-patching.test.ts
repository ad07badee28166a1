/**
 * The attribution-patching widget on the Activation Patching chapter, in real Chromium, on the
 * published tiny-lm: the gradient estimate correlates with true patching above 0.9 on the
 * default (IOI) pair, both wall times are shown and the estimate is the faster, and WebGPU shows
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
  widgetSelector,
} from './support/tiny-lm-widgets';

const ID = 'attribution-patching';
const WIDGET = widgetSelector(ID);

const chapter = chapterUnderTest('/activation-patching/');

const shown = (page: import('playwright-core').Page, name: string) =>
  page.locator(`${WIDGET} [data-attribution="${name}"]`).textContent();

describe('the attribution-patching widget', () => {
  it('shows a correlation above 0.9 with true patching on the default pair, and both wall times', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    await expect(page.locator(`${WIDGET} select[name="pair"]`).inputValue()).resolves.toBe('ioi');
    const r = Number(await shown(page, 'correlation'));
    expect(r).toBeGreaterThan(0.9);
    expect(r).toBeLessThanOrEqual(1);
    const patchingMs = Number((await shown(page, 'patching-time'))!.replace(/ ms$/, ''));
    const attributionMs = Number((await shown(page, 'attribution-time'))!.replace(/ ms$/, ''));
    expect(patchingMs).toBeGreaterThan(0);
    expect(attributionMs).toBeGreaterThan(0);
    expect(attributionMs).toBeLessThan(patchingMs);
    console.log(
      `[${ID}] r = ${r}; activation patching ${patchingMs} ms, attribution ${attributionMs} ms (WASM)`,
    );
    // The scatter is one image for assistive technology, its label carrying the correlation.
    const scatter = page.locator(`${WIDGET} [data-chart="scatter"] svg[role="img"]`);
    await expect(scatter.getAttribute('aria-label')).resolves.toContain(r.toFixed(3));
    await page.close();
  });

  it('recomputes from the keyboard when the direction changes, and redraws the chosen heatmaps', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    await page.locator(`${WIDGET} input[value="denoise"]`).focus();
    await recomputed(page, ID, () => page.keyboard.press('ArrowDown'));
    await expect(page.locator(`${WIDGET} input[value="noise"]`).isChecked()).resolves.toBe(true);
    expect(Number(await shown(page, 'correlation'))).toBeGreaterThan(0.5);
    await page.locator(`${WIDGET} select[name="family"]`).selectOption('heads');
    await expect(
      page.locator(`${WIDGET} [data-caption="patching"]`).textContent(),
    ).resolves.toMatch(/^Attention heads/);
    await page.close();
  });

  itHasNoAccessibilityViolation(chapter, ID);

  itShowsTheSameNumbersOnWebGpu(
    chapter,
    ID,
    'shows the same estimates and patching results on WebGPU as on WASM',
  );
});
