/**
 * The DAS-illusion widget on the Activation Patching chapter, in real Chromium, on the published
 * tiny-lm and das.json: it loads when scrolled to; the logit differences it shows for the learned
 * direction are the ones the hook API gives in Node for the same patch (computed here from the
 * raw activations, not through the widget's code); its parts alone move the answer much less at
 * the illusory site; it works from the keyboard; axe finds nothing in either theme. One page and
 * one model load serve every test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HookedModel, type Tensor } from '../../src/ml';
import { axeViolations, describeViolations } from './support/axe';
import { allowSoftwareWebGpu, launchBrowser } from './support/browser';
import { DIST } from './support/site';
import {
  chapterUnderTest,
  openChapter,
  recomputed,
  scrollToWidget,
  widgetSelector,
} from './support/tiny-lm-widgets';

const ID = 'das-illusion';
const WIDGET = widgetSelector(ID);
const CLIENT_CHUNK = /das-illusion\.client[^/]*\.js$/;
const MODEL_DIR = join(process.env['RESIDUAL_DIST'] ?? DIST, 'models', 'tiny-lm');
const json = (file: string): unknown => JSON.parse(readFileSync(join(MODEL_DIR, file), 'utf8'));

interface Pair {
  baseIds: number[];
  sourceIds: number[];
  io: number;
  s: number;
  positions: { S2: number; END: number };
}
interface Site {
  role: string;
  hook: string;
  position: 'S2' | 'END';
  v: number[];
  dormant: number[];
  disconnected: number[];
  perPair: Record<string, number[]>;
}
const das = json('das.json') as { evalPairs: Pair[]; sites: Site[] };

const chapter = chapterUnderTest('/activation-patching/');
let page: Page;
let model: HookedModel;
const requests: string[] = [];
/** What the WASM page showed on opening, for the WebGPU comparison. */
const onWasm: { opening?: Shown; mean?: Shown } = {};
type Shown = Awaited<ReturnType<typeof shown>>;

beforeAll(async () => {
  page = await openChapter(chapter.browser, chapter.url, {
    beforeLoad: (p) => p.on('request', (r) => requests.push(r.url())),
  });
  // Every file the manifest names (both forward graphs and the weights they share).
  model = await HookedModel.fromFiles(
    (file) => new Uint8Array(readFileSync(join(MODEL_DIR, file))),
    {
      backend: 'wasm',
      backward: false,
    },
  );
}, 120_000);
afterAll(async () => {
  await page?.close();
  model?.release();
});

/** The numbers the widget shows now, from its data attributes. */
async function shown(prefix: 'ld' | 'mean') {
  const data = await page.locator(`${WIDGET} [data-computed]`).evaluate((el) => ({
    ...(el as HTMLElement).dataset,
  }));
  const read = (key: string) => Number(data[`${prefix}${key}`]);
  return {
    site: data['site']!,
    pair: Number(data['pair']),
    base: read('Base'),
    source: read('Source'),
    full: read('Full'),
    direction: read('Direction'),
    dormant: read('Dormant'),
    disconnected: read('Disconnected'),
  };
}

/** logit(io) − logit(s) at the last position of row r. */
function logitDiff(logits: Tensor, r: number, pair: Pair): number {
  const [, pos, vocab] = logits.dims as [number, number, number];
  const at = (r * pos + pos - 1) * vocab;
  return logits.data[at + pair.io]! - logits.data[at + pair.s]!;
}

/** The base prompt's logit difference after h' = h_base + û ûᵀ(h_source − h_base), in Node. */
async function patchedInNode(site: Site, pair: Pair, direction: number[]): Promise<number> {
  const p = pair.positions[site.position];
  const { cache } = await model.runWithCache([pair.baseIds, pair.sourceIds], [site.hook]);
  const h = cache.get(site.hook)!;
  const width = h.dims[2]!;
  const at = (r: number) =>
    h.data.slice((r * h.dims[1]! + p) * width, (r * h.dims[1]! + p + 1) * width);
  const [base, source] = [at(0), at(1)];
  const length = Math.hypot(...direction);
  const u = direction.map((x) => x / length);
  const step = u.reduce((sum, x, i) => sum + x * (source[i]! - base[i]!), 0);
  const patched = base.map((x, i) => x + step * u[i]!);
  const { logits } = await model.runWithInterventions(
    [pair.baseIds],
    [{ hook: site.hook, kind: 'patch', value: { data: patched, dims: [width] }, positions: [p] }],
  );
  return logitDiff(logits, 0, pair);
}

describe('the DAS-illusion widget', () => {
  it('loads only when scrolled to, then shows its backend and a result', async () => {
    await expect(page.locator(WIDGET).getAttribute('data-state')).resolves.toBe('idle');
    expect(requests.some((url) => CLIENT_CHUNK.test(url) || url.endsWith('/das.json'))).toBe(false);
    await scrollToWidget(page, ID);
    expect(requests.some((url) => url.endsWith('/das.json'))).toBe(true);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toMatch(
      /^(WASM|WebGPU)$/,
    );
    await expect(page.locator(`${WIDGET} [data-chart="bars"] svg`).count()).resolves.toBe(1);
    await expect(page.locator(`${WIDGET} [data-chart="angle"] svg`).count()).resolves.toBe(1);
  });

  it('moves the logit difference along v by exactly what the hook API gives for that patch', async () => {
    const numbers = await shown('ld');
    onWasm.opening = numbers;
    const site = das.sites.find((s) => numbers.site === `${s.hook}@${s.position}`)!;
    expect(site.role).toBe('illusory');
    const pair = das.evalPairs[numbers.pair]!;
    expect(Math.abs(numbers.direction - (await patchedInNode(site, pair, site.v)))).toBeLessThan(
      1e-3,
    );
    expect(
      Math.abs(numbers.dormant - (await patchedInNode(site, pair, site.dormant))),
    ).toBeLessThan(1e-3);
    // And the recipe (PyTorch) agrees with both, within float32 noise.
    expect(Math.abs(numbers.direction - site.perPair['direction']![numbers.pair]!)).toBeLessThan(
      5e-3,
    );
    // The widget opens on the offered pair where v moves the answer most: there it moves it by
    // more than a logit toward the source's answer, while the whole activation barely does.
    const opening = await page
      .locator(`${WIDGET} [data-computed]`)
      .getAttribute('data-opening-pair');
    expect(numbers.pair).toBe(Number(opening));
    expect(numbers.base - numbers.direction).toBeGreaterThan(1);
    expect(Math.abs(numbers.base - numbers.full)).toBeLessThan(
      0.5 * (numbers.base - numbers.direction),
    );
  });

  it('shows that at the illusory site each part alone moves the answer much less than v', async () => {
    await page.waitForSelector(`${WIDGET} [data-mean-computed="done"]`, { timeout: 120_000 });
    const mean = await shown('mean');
    onWasm.mean = mean;
    const effect = (x: number) => mean.base - x;
    expect(effect(mean.direction)).toBeGreaterThan(0);
    expect(Math.abs(effect(mean.disconnected))).toBeLessThan(0.01 * effect(mean.direction));
    expect(Math.abs(effect(mean.dormant))).toBeLessThan(0.5 * effect(mean.direction));
    expect(Math.abs(effect(mean.full))).toBeLessThan(effect(mean.direction));
    // Every pair is drawn, and the sentence under the strip counts them.
    await expect(page.locator(`${WIDGET} [data-chart="pairs"] svg`).count()).resolves.toBe(1);
    const spread = page.locator(`${WIDGET} [data-das="spread"]`);
    const toward = Number(await spread.getAttribute('data-toward'));
    expect(toward).toBeGreaterThan(0);
    expect(toward).toBeLessThanOrEqual(das.evalPairs.length);
  });

  it('answers the keyboard: the angle ends are the two parts alone, and pair and site change', async () => {
    const readout = page.locator(`${WIDGET} [data-das="angle-readout"]`);
    const slider = page.locator(`${WIDGET} input[name="angle"]`);
    await slider.focus();
    await recomputed(page, ID, () => page.keyboard.press('End'));
    const ends = await shown('ld');
    expect(await readout.getAttribute('data-angle')).toBe('90');
    expect(
      Math.abs(Number(await readout.getAttribute('data-logit-diff')) - ends.disconnected),
    ).toBeLessThan(1e-4);
    await recomputed(page, ID, () => page.keyboard.press('Home'));
    expect(await readout.getAttribute('data-angle')).toBe('0');
    expect(
      Math.abs(Number(await readout.getAttribute('data-logit-diff')) - ends.dormant),
    ).toBeLessThan(1e-4);

    const before = await page.locator(`${WIDGET} [data-das="base"]`).textContent();
    const from = ends.pair;
    await page.locator(`${WIDGET} select[name="pair"]`).focus();
    await recomputed(page, ID, () => page.keyboard.press(from === 0 ? 'ArrowDown' : 'ArrowUp'));
    const next = from === 0 ? 1 : from - 1;
    expect((await shown('ld')).pair).toBe(next);
    await expect(page.locator(`${WIDGET} [data-das="base"]`).textContent()).resolves.not.toBe(
      before,
    );

    await page.locator(`${WIDGET} select[name="site"]`).focus();
    await recomputed(page, ID, () => page.keyboard.press('ArrowDown'));
    const faithful = das.sites.find((s) => s.role === 'faithful')!;
    const now = await shown('ld');
    expect(now.site).toBe(`${faithful.hook}@${faithful.position}`);
    expect(
      Math.abs(now.direction - (await patchedInNode(faithful, das.evalPairs[next]!, faithful.v))),
    ).toBeLessThan(1e-3);
  });

  it('says clearly when das.json is missing, and Retry recovers once it is back', async () => {
    let missing = true;
    const broken = await openChapter(chapter.browser, chapter.url, {
      beforeLoad: (p) =>
        p.route('**/models/tiny-lm/das.json', (route) =>
          missing ? route.fulfill({ status: 404, body: 'not here' }) : route.fallback(),
        ),
    });
    try {
      await broken.locator(WIDGET).scrollIntoViewIfNeeded();
      await broken.waitForSelector(`${WIDGET}[data-state="error"]`, { timeout: 120_000 });
      await expect(
        broken.locator(`${WIDGET} [data-shell="message"]`).textContent(),
      ).resolves.toMatch(/das\.json.*404/);
      missing = false;
      await broken.locator(`${WIDGET} [data-shell="retry"]`).focus();
      await broken.keyboard.press('Enter');
      await scrollToWidget(broken, ID);
    } finally {
      await broken.close();
    }
  });

  // Chromium's software WebGPU (no GPU here or in CI) is slow: run with RESIDUAL_WEBGPU_WIDGETS=1.
  it.skipIf(!process.env['RESIDUAL_WEBGPU_WIDGETS'])(
    'shows the same numbers on WebGPU as on WASM',
    async () => {
      const gpuBrowser = await launchBrowser({ webgpu: true });
      try {
        const gpuPage = await openChapter(gpuBrowser, chapter.url, {
          beforeLoad: allowSoftwareWebGpu,
        });
        await scrollToWidget(gpuPage, ID, 900_000);
        await expect(
          gpuPage.locator(`${WIDGET} [data-shell="backend"]`).textContent(),
        ).resolves.toBe('WebGPU');
        await gpuPage.waitForSelector(`${WIDGET} [data-mean-computed="done"]`, {
          timeout: 900_000,
        });
        const data = await gpuPage
          .locator(`${WIDGET} [data-computed]`)
          .evaluate((el) => ({ ...(el as HTMLElement).dataset }));
        for (const [prefix, wasm] of [
          ['ld', onWasm.opening!],
          ['mean', onWasm.mean!],
        ] as const)
          for (const key of ['Base', 'Source', 'Full', 'Direction', 'Dormant', 'Disconnected']) {
            const expected = wasm[key.toLowerCase() as keyof Shown] as number;
            expect(
              Math.abs(Number(data[`${prefix}${key}`]) - expected),
              `${prefix}${key}`,
            ).toBeLessThan(2e-3 * Math.max(1, Math.abs(expected)));
          }
      } finally {
        await gpuBrowser.close();
      }
    },
    1_000_000,
  );

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the widget loaded (%s theme)',
    async (theme) => {
      await page.evaluate((t) => {
        document.documentElement.dataset['theme'] = t;
      }, theme);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
    },
  );
});
