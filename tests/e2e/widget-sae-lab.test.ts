/**
 * The SAE lab on the Sparse Autoencoders chapter, in real Chromium, on the published tiny-lm and
 * its SAEs: the numbers it measures are the model card's, a TopK SAE uses exactly k features per
 * token, the feature dashboard and steering answer the keyboard, and an SAE trained in the page
 * joins the table. One page serves every test (loading the lab measures three SAEs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SaeIndex } from '../../src/widgets/sae-lab/sae-index';
import { axeViolations, describeViolations } from './support/axe';
import {
  chapterUnderTest,
  openChapter,
  scrollToWidget,
  widgetSelector,
} from './support/tiny-lm-widgets';

const ID = 'sae-lab';
const WIDGET = widgetSelector(ID);
const index = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../public/models/tiny-lm-saes/saes.json'), 'utf8'),
) as SaeIndex;

const chapter = chapterUnderTest('/sparse-autoencoders/');
let page: Page;

beforeAll(async () => {
  page = await openChapter(chapter.browser, chapter.url);
  await scrollToWidget(page, ID);
}, 300_000);

interface ShownRow {
  sae: string;
  l0: number;
  fvu: number;
  lossRecovered: number;
  dead: number;
  activeMin: number;
  activeMax: number;
}

function shownRows(): Promise<ShownRow[]> {
  return page.locator(`${WIDGET} [data-sae="table"] tbody tr`).evaluateAll((rows) =>
    rows.map((row) => {
      const d = (row as HTMLElement).dataset;
      return {
        sae: d['sae'] ?? '',
        l0: Number(d['l0']),
        fvu: Number(d['fvu']),
        lossRecovered: Number(d['lossRecovered']),
        dead: Number(d['dead']),
        activeMin: Number(d['activeMin']),
        activeMax: Number(d['activeMax']),
      };
    }),
  );
}

const shownFeature = async () =>
  Number(await page.locator(`${WIDGET} [data-feature]`).first().getAttribute('data-feature'));

describe('the SAE lab', () => {
  it('measures each shipped SAE as its model card reports it (L0, FVU, loss recovered, dead features)', async () => {
    // L0, FVU and dead features come with the first result; loss recovered follows.
    await page.waitForSelector(`${WIDGET} [data-sae="table"][data-losses="done"]`, {
      timeout: 120_000,
    });
    const rows = await shownRows();
    expect(rows.map((r) => r.sae)).toEqual(index.saes.map((s) => s.id));
    for (const sae of index.saes) {
      const shown = rows.find((r) => r.sae === sae.id)!;
      const card = sae.metrics;
      expect(Math.abs(shown.l0 - card.l0), `${sae.id} L0`).toBeLessThan(0.01 * card.l0 + 0.05);
      expect(Math.abs(shown.fvu - card.fvu), `${sae.id} FVU`).toBeLessThan(2e-3);
      expect(
        Math.abs(shown.lossRecovered - card.loss_recovered),
        `${sae.id} loss recovered`,
      ).toBeLessThan(5e-3);
      expect(Math.abs(shown.dead - card.dead), `${sae.id} dead`).toBeLessThanOrEqual(2);
    }
  });

  it('shows exactly k active features on every token for the TopK SAE', async () => {
    const topk = index.saes.find((s) => s.kind === 'topk')!;
    const shown = (await shownRows()).find((r) => r.sae === topk.id)!;
    expect([shown.activeMin, shown.activeMax]).toEqual([topk.k, topk.k]);
  });

  it("shows a feature's top contexts, logit weights and histogram, and steps through features from the keyboard", async () => {
    const first = await shownFeature();
    await expect(page.locator(`${WIDGET} [data-sae="contexts"] li mark`).count()).resolves.toBe(8);
    await expect(page.locator(`${WIDGET} [data-sae="promoted"] > span`).count()).resolves.toBe(8);
    await expect(page.locator(`${WIDGET} [data-chart="histogram"] svg`).count()).resolves.toBe(1);
    await page.locator(`${WIDGET} [data-action="next"]`).focus();
    await page.keyboard.press('Enter');
    const second = await shownFeature();
    expect(second).not.toBe(first);
    await page.keyboard.press('Shift+Tab'); // back to the previous button
    await page.keyboard.press('Enter');
    expect(await shownFeature()).toBe(first);

    const input = page.locator(`${WIDGET} input[name="feature"]`);
    await input.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('7');
    expect(await shownFeature()).toBe(7);
    await expect(
      page.locator(`${WIDGET} [data-sae="feature-summary"]`).textContent(),
    ).resolves.toMatch(/^Feature 7 of /);
  });

  it('leaves the continuation unchanged at strength 0 and shows both continuations', async () => {
    const strength = page.locator(`${WIDGET} input[name="strength"]`);
    await strength.focus();
    await strength.evaluate((el) => {
      (el as HTMLInputElement).value = '0';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.locator(`${WIDGET} [data-sae="steer-controls"] button[type="submit"]`).click();
    const plain = page.locator(`${WIDGET} [data-continuation="plain"]`);
    const steered = page.locator(`${WIDGET} [data-continuation="steered"]`);
    await plain.waitFor();
    expect(await steered.textContent()).toBe(await plain.textContent());
    expect(await plain.textContent()).toMatch(/^The city of … \S/);
  });

  it('trains an SAE in the page, reporting progress, and adds it to the table and the feature menu', async () => {
    const steps = page.locator(`${WIDGET} input[name="steps"]`);
    await steps.fill('60');
    await page.locator(`${WIDGET} [data-action="train"]`).click();
    await page.waitForSelector(`${WIDGET} [data-train-state="done"]`, { timeout: 240_000 });
    const status = page.locator(`${WIDGET} [data-sae="train-status"]`);
    expect(Number(await status.getAttribute('data-steps'))).toBe(60);
    expect(Number(await status.getAttribute('data-tokens-per-second'))).toBeGreaterThan(0);
    expect(await status.getAttribute('data-backend')).toBe('wasm');
    await expect(
      page
        .locator(`${WIDGET} [data-sae="train-progress"]`)
        .evaluate((p) => (p as HTMLProgressElement).value),
    ).resolves.toBe(1);
    const yours = (await shownRows()).find((r) => r.sae === 'yours-1')!;
    expect(yours.fvu).toBeGreaterThan(0);
    expect(yours.fvu).toBeLessThan(1);
    expect(yours.l0).toBeGreaterThan(0);
    await expect(page.locator(`${WIDGET} select[name="sae"]`).inputValue()).resolves.toBe(
      'yours-1',
    );
    await expect(page.locator(`${WIDGET} [data-chart="curve-fvu"] svg`).count()).resolves.toBe(1);
  });

  it("refuses a step count below 1 with the browser's own message, changing nothing", async () => {
    const rowsBefore = (await shownRows()).length;
    const state = await page
      .locator(`${WIDGET} [data-train-state]`)
      .getAttribute('data-train-state');
    const steps = page.locator(`${WIDGET} input[name="steps"]`);
    await steps.fill('0');
    await page.locator(`${WIDGET} [data-action="train"]`).click();
    expect(await steps.evaluate((el) => (el as HTMLInputElement).validationMessage)).not.toBe('');
    await expect(
      page.locator(`${WIDGET} [data-train-state]`).getAttribute('data-train-state'),
    ).resolves.toBe(state);
    expect((await shownRows()).length).toBe(rowsBefore);
  });

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the lab loaded (%s theme)',
    async (theme) => {
      await page.evaluate((t) => (document.documentElement.dataset['theme'] = t), theme);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    },
  );
});
