/**
 * The activation-patching widget on the Activation Patching chapter, in real Chromium, on the
 * published tiny-lm (dist/models/tiny-lm). The IOI claim tested is the model card's and the
 * literature's: denoising the residual stream, the largest cells sit at the names' positions in
 * early layers, then at the final position.
 */
import { describe, expect, it } from 'vitest';
import {
  firstResultMs,
  chapterUnderTest,
  itHasNoAccessibilityViolation,
  itShowsTheSameNumbersOnWebGpu,
  openChapter,
  profile,
  recomputed,
  scrollToWidget,
  shownTable,
  widgetSelector,
} from './support/tiny-lm-widgets';

const ID = 'activation-patching';
const WIDGET = widgetSelector(ID);
const CLIENT_CHUNK = /activation-patching\.client[^/]*\.js$/;

const chapter = chapterUnderTest('/activation-patching/');

describe('the activation-patching widget', () => {
  it('loads tiny-lm only when scrolled to, shows its backend, and its IOI residual map moves from the names to the final position', async () => {
    const scripts: string[] = [];
    const page = await openChapter(chapter.browser, chapter.url, {
      beforeLoad: (p) => p.on('request', (r) => scripts.push(r.url())),
    });
    await expect(page.locator(WIDGET).getAttribute('data-state')).resolves.toBe('idle');
    expect(scripts.some((s) => CLIENT_CHUNK.test(s) || s.includes('/models/tiny-lm/'))).toBe(false);
    await scrollToWidget(page, ID);
    expect(scripts.some((s) => s.includes('/models/tiny-lm/manifest.json'))).toBe(true);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toBe(
      'WASM',
    );

    // Default: the IOI pair, normalised, denoising.
    const resid = await shownTable(page, ID, '[data-table="resid"]');
    const tokens = resid.columns.map((c) => c.split(' ').slice(1).join(' '));
    expect(tokens.slice(1).join(' ')).toBe(
      'When Mary and John went to the store , John gave a drink to',
    );
    const names = tokens.flatMap((t, i) => (t === 'Mary' || t === 'John' ? [i] : []));
    const final = tokens.length - 1;
    const argmax = resid.values.map((row) => row.indexOf(Math.max(...row)));
    // First layer: at a name; last row: at the final position; once there, it stays there.
    expect(names).toContain(argmax[0]);
    expect(argmax[argmax.length - 1]).toBe(final);
    const moved = argmax.indexOf(final);
    expect(argmax.slice(0, moved).every((p) => names.includes(p))).toBe(true);
    expect(argmax.slice(moved).every((p) => p === final)).toBe(true);
    // Patching the final residual at the final position restores the clean run exactly.
    expect(resid.values[resid.values.length - 1]![final]).toBeCloseTo(1, 2);

    // Heads and ablations are there: 4 layers × 4 heads, zero / mean / resample per component.
    const heads = await shownTable(page, ID, '[data-table="heads"]');
    expect(heads.values.flat()).toHaveLength(16);
    const ablations = await shownTable(page, ID, '[data-table="ablations"]');
    expect(ablations.columns).toEqual(['zero', 'mean', 'resample']);
    expect(ablations.rows).toHaveLength(4 + 4 + 16);
    expect(ablations.values.flat().every(Number.isFinite)).toBe(true);
    await page.close();
  });

  it('is operated from the keyboard: pair, metric and direction', async () => {
    const page = await openChapter(chapter.browser, chapter.url);
    await scrollToWidget(page, ID);
    const select = page.locator(`${WIDGET} select[name="pair"]`);
    await select.focus();
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLInputElement;
          return `${el.name}${el.type === 'radio' ? `=${el.value}` : ''}`;
        }),
      );
      await page.keyboard.press('Tab');
    }
    expect(order).toEqual(['pair', 'metric=normalised', 'direction=denoise']);

    // Arrow keys switch to noising (radio groups move with arrows).
    await page.locator(`${WIDGET} input[value="denoise"]`).focus();
    await recomputed(page, ID, () => page.keyboard.press('ArrowDown'));
    await expect(page.locator(`${WIDGET} input[value="noise"]`).isChecked()).resolves.toBe(true);
    const noised = await shownTable(page, ID, '[data-table="resid"]');
    // Noising the final residual at the final position leaves none of the clean behaviour.
    expect(noised.values[noised.values.length - 1]![noised.columns.length - 1]).toBeCloseTo(0, 2);

    // Another pair, chosen with the keyboard: the years pair recomputes with its own tokens.
    await select.focus();
    const yearsValue = await select.evaluate(
      (s) => [...(s as HTMLSelectElement).options].find((o) => o.value === 'years')!.index,
    );
    const current = await select.evaluate((s) => (s as HTMLSelectElement).selectedIndex);
    await recomputed(page, ID, async () => {
      for (let i = current; i < yearsValue; i++) await page.keyboard.press('ArrowDown');
    });
    const years = await shownTable(page, ID, '[data-table="resid"]');
    expect(years.columns.join(' ')).toContain('45');
    await page.close();
  });

  it('shows a clear error with Retry when the model fails to load, and recovers', async () => {
    const page = await openChapter(chapter.browser, chapter.url, {
      beforeLoad: (p) => p.route('**/models/tiny-lm/manifest.json', (r) => r.abort('failed')),
    });
    await page.locator(WIDGET).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${WIDGET}[data-state="error"]`, { timeout: 60_000 });
    const message = page.locator(`${WIDGET} [data-shell="message"]`);
    await expect(message.textContent()).resolves.toMatch(/could not load/);
    await expect(message.getAttribute('role')).resolves.toBe('alert');
    await page.unroute('**/models/tiny-lm/manifest.json');
    await page.locator(`${WIDGET} [data-shell="retry"]`).click();
    await scrollToWidget(page, ID);
    await page.close();
  });

  itHasNoAccessibilityViolation(chapter, ID);

  it('records its time to first result, and a second visit reads the model from its cache', async () => {
    // The times themselves are figures for npm run bench:widgets:first-result, not for a test.
    const context = await profile(chapter.browser);
    const weightRequests: number[] = [];
    for (let visit = 0; visit < 2; visit++) {
      let requested = 0;
      const page = await openChapter(context, chapter.url, {
        beforeLoad: (p) =>
          p.on('request', (request) => {
            if (request.url().endsWith('/models/tiny-lm/weights.bin')) requested++;
          }),
      });
      await scrollToWidget(page, ID);
      const ms = await firstResultMs(page, ID);
      expect(ms).toBeGreaterThan(0);
      expect(Number.isFinite(ms)).toBe(true);
      weightRequests.push(requested);
      await page.close();
    }
    expect(weightRequests).toEqual([1, 0]);
    await context.close();
  });

  itShowsTheSameNumbersOnWebGpu(chapter, ID);
});
