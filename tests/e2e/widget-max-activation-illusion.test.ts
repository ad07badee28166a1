import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowsOf } from '../../src/widgets/max-activation-illusion/max-activation';
import { HookedModel } from '../../src/ml';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { DIST, serveSite, type ServedSite } from './support/site';
import { openChapter as openChapterPage } from './support/tiny-lm-widgets';

const ROOT_DIST = process.env['RESIDUAL_DIST'] ?? DIST;
const WIDGET = 'residual-widget[data-widget="max-activation-illusion"]';
const CLIENT_CHUNK = /max-activation-illusion\.client[^/]*\.js$/;
const texts = JSON.parse(
  readFileSync(
    new URL('../../src/widgets/max-activation-illusion/texts.json', import.meta.url),
    'utf8',
  ),
) as { distributions: Record<'news' | 'story', string[]> };

let browser: Browser;
let site: ServedSite;

beforeAll(async () => {
  site = await serveSite(ROOT_DIST);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function openChapter(colorScheme: 'dark' | 'light' = 'dark'): Promise<Page> {
  // The shared opening (tests/e2e/support/tiny-lm-widgets.ts): 1280×900, service workers blocked.
  return openChapterPage(browser, new URL('/bonus/', site.url).href, { scheme: colorScheme });
}

async function scrollToWidget(page: Page): Promise<void> {
  await page.locator(WIDGET).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${WIDGET}:is([data-state="ready"], [data-state="error"])`, {
    timeout: 180_000,
  });
  const message = await page.locator(`${WIDGET} [data-shell="message"]`).textContent();
  expect(await page.locator(WIDGET).getAttribute('data-state'), message ?? '').toBe('ready');
}

interface ShownContext {
  token: string;
  activation: number;
  window: number;
  position: number;
}

async function shownContexts(page: Page, side: 'news' | 'story'): Promise<ShownContext[]> {
  return page.locator(`${WIDGET} [data-mai="contexts-${side}"] li`).evaluateAll((items) =>
    items.map((item) => {
      const data = (item as HTMLElement).dataset;
      return {
        token: data['token'] ?? '',
        activation: Number(data['activation']),
        window: Number(data['window']),
        position: Number(data['position']),
      };
    }),
  );
}

const shownNeuron = async (page: Page) => ({
  layer: Number(await page.locator(`${WIDGET} [data-layer]`).first().getAttribute('data-layer')),
  neuron: Number(await page.locator(`${WIDGET} [data-neuron]`).first().getAttribute('data-neuron')),
});

describe('the max-activating examples illusion widget on the Bonus chapter', () => {
  it('loads when scrolled to, then shows one neuron telling two different stories', async () => {
    const scripts: string[] = [];
    const page = await openChapter();
    page.on('request', (request) => scripts.push(request.url()));
    await expect(page.locator(WIDGET).getAttribute('data-state')).resolves.toBe('idle');
    expect(scripts.some((url) => CLIENT_CHUNK.test(url))).toBe(false);

    await scrollToWidget(page);
    await expect(page.locator(`${WIDGET} [data-shell="backend"]`).textContent()).resolves.toMatch(
      /^(WASM|WebGPU)$/,
    );
    const news = await shownContexts(page, 'news');
    const story = await shownContexts(page, 'story');
    for (const contexts of [news, story]) {
      expect(contexts).toHaveLength(8);
      const activations = contexts.map((c) => c.activation);
      expect(activations).toEqual([...activations].sort((a, b) => b - a));
    }
    // The apparent interpretation (the tokens it fires on) differs between the two sides.
    const newsTokens = new Set(news.map((c) => c.token));
    expect(story.some((c) => !newsTokens.has(c.token))).toBe(true);
    const summary = page.locator(`${WIDGET} [data-mai="summary"]`);
    expect(Number(await summary.getAttribute('data-overlap'))).toBeLessThan(0.5);
    await expect(summary.textContent()).resolves.toMatch(/on news it looks like .* on stories/);
    await page.context().close();
  });

  it('shows the activations the hook API gives for those contexts', async () => {
    const page = await openChapter();
    await scrollToWidget(page);
    const { layer, neuron } = await shownNeuron(page);
    const shown = {
      news: await shownContexts(page, 'news'),
      story: await shownContexts(page, 'story'),
    };
    await page.context().close();

    // The same model files, run in Node through src/ml on the windows the widget cut.
    const dir = join(ROOT_DIST, 'models', 'tiny-lm');
    const model = await HookedModel.fromFiles(
      (file) => new Uint8Array(readFileSync(join(dir, file))),
      { backend: 'wasm', backward: false },
    );
    const hook = `blocks.${layer}.mlp.hook_post`;
    const width = model.config.d_mlp;
    if (width === null) throw new Error('tiny-lm is expected to have MLP layers');
    for (const side of ['news', 'story'] as const) {
      const documents = texts.distributions[side].map((text) => model.tokenizer.encode(text));
      const windows = windowsOf(documents, 32, model.tokenizer.bosId);
      for (const context of shown[side].slice(0, 3)) {
        const window = windows[context.window]!;
        expect(model.tokenizer.tokens([window[context.position]!])[0]).toBe(context.token);
        const { cache } = await model.runWithCache(window, [hook]);
        const acts = cache.get(hook)!;
        const value = acts.data[context.position * width + neuron]!;
        expect(Math.abs(value - context.activation)).toBeLessThan(2e-3);
      }
    }
    await model.release();
  });

  it('is operated from the keyboard: layer, neuron number, previous and next', async () => {
    const page = await openChapter();
    await scrollToWidget(page);
    const start = await shownNeuron(page);

    await page.locator(`${WIDGET} select[name="layer"]`).focus();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return el.getAttribute('name') ?? el.textContent?.trim() ?? '';
        }),
      );
      await page.keyboard.press('Tab');
    }
    expect(order).toEqual([
      'layer',
      'neuron',
      'Previous two-faced neuron',
      'Next two-faced neuron',
    ]);

    // Next with Enter moves to another neuron of the same layer.
    await page.getByRole('button', { name: 'Next two-faced neuron' }).focus();
    await page.keyboard.press('Enter');
    const next = await shownNeuron(page);
    expect(next.layer).toBe(start.layer);
    expect(next.neuron).not.toBe(start.neuron);
    await page.getByRole('button', { name: 'Previous two-faced neuron' }).press('Enter');
    await expect(shownNeuron(page)).resolves.toEqual(start);

    // Typing a neuron number shows that neuron.
    const input = page.getByRole('spinbutton', { name: 'Neuron' });
    await input.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('5');
    await expect(shownNeuron(page)).resolves.toEqual({ layer: start.layer, neuron: 5 });

    // Another layer from the keyboard: its own most two-faced neuron.
    const layer = page.getByRole('combobox', { name: 'Layer' });
    await layer.focus();
    await page.keyboard.press(start.layer === 0 ? 'ArrowDown' : 'ArrowUp');
    await expect
      .poll(async () => (await shownNeuron(page)).layer)
      .toBe(start.layer === 0 ? 1 : start.layer - 1);
    await page.context().close();
  });

  it.each(['dark', 'light'] as const)(
    'has no accessibility violation with the widget loaded (%s theme)',
    async (colorScheme) => {
      const page = await openChapter(colorScheme);
      await scrollToWidget(page);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.context().close();
    },
  );
});
