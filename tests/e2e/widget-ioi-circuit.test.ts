/**
 * The IOI-circuit widget on the Narrow Circuits chapter, in real Chromium, on the published
 * tiny-lm: path patching finds name movers that attend from the last position to the indirect
 * object and write it into the logits directly, and heads that act through the name movers'
 * queries; WebGPU shows the same numbers as WASM.
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

const ID = 'ioi-circuit';
const WIDGET = widgetSelector(ID);

const chapter = chapterUnderTest('/narrow-circuits/');

describe('the IOI-circuit widget', () => {
  it('finds name movers that look at the indirect object and write it, and S-inhibition heads before them', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    const roles = page.locator(`${WIDGET} [data-ioi="roles"]`);
    const movers = (await roles.getAttribute('data-name-movers'))!.split(' ').filter(Boolean);
    const inhibitors = (await roles.getAttribute('data-s-inhibition'))!.split(' ').filter(Boolean);
    expect(movers.length).toBeGreaterThan(0);
    expect(inhibitors.length).toBeGreaterThan(0);
    // The model card names its name movers ("layer.head", by direct logit attribution): the
    // widget's path patching finds them too.
    const card = (await (
      await fetch(new URL('/models/tiny-lm/card.json', chapter.site.url))
    ).json()) as {
      metrics: { ioiHeads?: { nameMovers: string[] } };
    };
    const named = (card.metrics.ioiHeads?.nameMovers ?? []).map((h) => `L${h.replace('.', 'H')}`);
    expect(named.length).toBeGreaterThan(0);
    for (const head of named) expect(movers).toContain(head);

    const table = await shownTable(page, ID, '[data-table="heads"]');
    const column = (name: string) => table.columns.indexOf(name);
    const rowOf = (head: string) => table.values[table.rows.indexOf(head)]!;
    for (const head of movers) {
      const row = rowOf(head);
      expect(row[column('direct')]).toBeLessThan(0);
      expect(row[column('attn → IO')]).toBeGreaterThan(row[column('attn → S2')]!);
    }
    // S-inhibition heads sit in earlier layers than the last name mover.
    const layer = (head: string) => Number(head.slice(1, head.indexOf('H')));
    const lastMover = Math.max(...movers.map(layer));
    for (const head of inhibitors) {
      expect(layer(head)).toBeLessThan(lastMover);
      expect(rowOf(head)[column('via queries')]).toBeLessThan(0);
    }
    // The clean logit difference is clearly positive, the ABC one near zero or below.
    const baseline = await page.locator(`${WIDGET} [data-ioi="baseline"]`).textContent();
    const [, clean, abc] = baseline!.match(/clean (-?[\d.]+), ABC (-?[\d.]+)/)!.map(Number);
    expect(clean).toBeGreaterThan(2);
    expect(abc!).toBeLessThan(clean! / 2);
    await page.close();
  });

  it('recomputes for another template chosen with the keyboard', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    await page.locator(`${WIDGET} select[name="template"]`).focus();
    await recomputed(page, ID, () => page.keyboard.press('ArrowDown'));
    await expect(page.locator(`${WIDGET} select[name="template"]`).inputValue()).resolves.toBe('1');
    await expect(page.locator(`${WIDGET} [data-ioi="clean"]`).textContent()).resolves.toMatch(
      /^After /,
    );
    await page.close();
  });

  itHasNoAccessibilityViolation(chapter, ID);

  itShowsTheSameNumbersOnWebGpu(chapter, ID);
});
