/**
 * A reader scrolling through a chapter must not see the page jump when the widgets load: every
 * widget reserves its size before its model arrives. For every chapter, at a desktop (1280×800)
 * and a phone (390×844) size, the test scrolls down in steps of most of a screen at a reader's
 * pace (a widget still loading when the reader moves on keeps loading in view), and sums the layout shifts Chromium records (PerformanceObserver,
 * 'layout-shift', those not caused by input): the sum stays at or below 0.05. At 390 px no page is
 * wider than the viewport, and no chart draws text smaller than 11 px on screen.
 *
 * The same again on a phone, on the chapters with the most widgets, with DejaVu Sans first in the
 * site's font list: a wider sans-serif than this machine's default (Liberation Sans, Arial's
 * widths) wraps more lines, most of all in a phone's narrow column, and each frame reserves the
 * height for the reader's font (reserved-heights.ts).
 *
 * One browser and one profile per screen size (and font) for the whole file, so a model downloads
 * once per profile (the widgets cache it); widgets that need a model start, which is part of what
 * is measured.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

const CHAPTERS = [
  '/',
  '/foundational-work/',
  '/superposition/',
  '/activation-patching/',
  '/narrow-circuits/',
  '/sparse-autoencoders/',
  '/paper-back-and-forths/',
  '/from-the-discussion/',
  '/bonus/',
  '/glossary/',
];
const OTHER_PAGES = ['/review/', '/stats/', '/cards/', '/progress/'];

/** What the wide-font profiles add to the site's CSS (unlayered, after it: it wins). */
const WIDE_FONT_RULE = ':root { --sl-font: "DejaVu Sans"; }';
/** The chapters scrolled through again in the wide font: the ones with the most widgets. */
const WIDE_FONT_CHAPTERS = ['/activation-patching/', '/bonus/'];

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const MAX_SHIFT = 0.05;
const MIN_CHART_TEXT_PX = 11;

/**
 * How long a reader stays on one screen at most: a step moves on after this even if a widget in
 * view is still loading, so a widget that grows while in view shows up as a shift.
 */
const DWELL_MS = 1_500;
/** How long the last screen waits for every widget of the page to finish. */
const SETTLE_MS = 90_000;

interface Shifts {
  shifts: { value: number; at: number; sources: string[] }[];
}

async function recordShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record: Shifts = { shifts: [] };
    (window as unknown as { layout: Shifts }).layout = record;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
        sources?: { node?: Node | null }[];
      })[]) {
        if (entry.hadRecentInput) continue;
        const sources = (entry.sources ?? []).map((source) => {
          const node = source.node;
          if (!(node instanceof Element)) return node?.nodeName ?? '?';
          const widget = node.closest('residual-widget')?.getAttribute('data-widget');
          return `${widget ? `[${widget}] ` : ''}${node.tagName.toLowerCase()}.${[...node.classList].join('.')}`;
        });
        record.shifts.push({ value: entry.value, at: Math.round(scrollY), sources });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/**
 * Waits until every widget near the viewport (or, with `all`, on the page) has loaded (or failed)
 * and finished computing, or `timeout` ms.
 */
async function widgetsSettled(page: Page, timeout: number, all = false): Promise<void> {
  await page
    .waitForFunction(
      (all) => {
        const near = (element: Element) => {
          const box = element.getBoundingClientRect();
          return all || (box.bottom > -300 && box.top < innerHeight + 300);
        };
        return [...document.querySelectorAll('residual-widget')].filter(near).every((widget) => {
          const state = widget.getAttribute('data-state');
          if (state === 'error') return true;
          if (state !== 'ready') return false;
          return !widget.querySelector('[data-computed="running"]');
        });
      },
      all,
      { timeout, polling: 250 },
    )
    .catch(() => undefined); // a slow widget still counts its later shifts; the sum is the test
  // Let the frame after the last change paint, so its shift is recorded.
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 150))),
  );
}

interface Reading {
  shift: number;
  sources: string[];
  widest: number;
  smallestChartText: { px: number; where: string } | null;
}

/** Scrolls through `path` from top to bottom in steps, and reads shifts, width and chart text. */
async function scrollThrough(page: Page, path: string): Promise<Reading> {
  await page.goto(new URL(path, served.site.url).href, { waitUntil: 'load' });
  await widgetsSettled(page, DWELL_MS);
  let widest = await page.evaluate(() => document.documentElement.scrollWidth);
  for (let step = 0; step < 200; step++) {
    const moved = await page.evaluate(() => {
      const before = scrollY;
      scrollBy(0, Math.round(innerHeight * 0.8));
      return scrollY !== before;
    });
    if (!moved) break;
    await widgetsSettled(page, DWELL_MS);
    widest = Math.max(widest, await page.evaluate(() => document.documentElement.scrollWidth));
  }
  await widgetsSettled(page, SETTLE_MS, true);
  widest = Math.max(widest, await page.evaluate(() => document.documentElement.scrollWidth));
  const { shifts } = await page.evaluate(() => (window as unknown as { layout: Shifts }).layout);
  const smallestChartText = await page.evaluate(() => {
    let smallest: { px: number; where: string } | null = null;
    for (const text of document.querySelectorAll<SVGTextElement>(
      'residual-widget [data-chart] svg text',
    )) {
      if (!text.textContent?.trim()) continue;
      const svg = text.ownerSVGElement;
      if (!svg) continue;
      const viewBox = svg.viewBox.baseVal;
      const drawn = svg.getBoundingClientRect();
      if (drawn.width === 0) continue;
      const scale = viewBox && viewBox.width > 0 ? drawn.width / viewBox.width : 1;
      const px = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (!smallest || px < smallest.px) {
        const widget = text.closest('residual-widget')?.getAttribute('data-widget') ?? '?';
        smallest = { px, where: `${widget}: "${text.textContent.trim().slice(0, 20)}"` };
      }
    }
    return smallest;
  });
  return {
    shift: shifts.reduce((sum, entry) => sum + entry.value, 0),
    sources: shifts
      .filter((entry) => entry.value > 0.001)
      .map((entry) => `${entry.value.toFixed(3)} at y=${entry.at}: ${entry.sources.join(', ')}`),
    widest,
    smallestChartText,
  };
}

for (const [name, viewport, font] of [
  ['desktop', DESKTOP, 'site'],
  ['phone', PHONE, 'site'],
  ['phone', PHONE, 'wide'],
] as const) {
  const wide = font === 'wide';
  const chapters = wide ? WIDE_FONT_CHAPTERS : CHAPTERS;
  const which = wide
    ? 'the chapters with the most widgets, in a wide font (DejaVu Sans),'
    : 'every chapter';
  describe(`scrolling through ${which} on a ${name} screen (${viewport.width}×${viewport.height})`, () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      context = await served.browser.newContext({ viewport, serviceWorkers: 'block' });
      if (wide)
        await context.route(/\/_astro\/.+\.css$/, async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, body: `${await response.text()}\n${WIDE_FONT_RULE}\n` });
        });
    });
    afterAll(async () => {
      await context?.close();
    });

    for (const path of chapters) {
      it(`${path} shifts by at most ${MAX_SHIFT}, fits the screen and draws chart text of at least ${MIN_CHART_TEXT_PX} px`, async () => {
        // A fresh page per chapter (the profile, and so the cached models, is shared).
        await page?.close();
        page = await context.newPage();
        await recordShifts(page);
        const reading = await scrollThrough(page, path);
        if (wide)
          expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(
            /^"?DejaVu Sans/,
          );
        console.info(
          `[layout] ${name}${wide ? ' wide font' : ''} ${path}: shift ${reading.shift.toFixed(3)}, widest ${reading.widest}px` +
            (reading.smallestChartText
              ? `, smallest chart text ${reading.smallestChartText.px.toFixed(1)}px (${reading.smallestChartText.where})`
              : '') +
            (reading.shift > 0 ? `; moved: ${reading.sources.slice(0, 3).join(' | ')}` : ''),
        );
        expect(reading.shift, reading.sources.join('\n')).toBeLessThanOrEqual(MAX_SHIFT);
        expect(reading.widest).toBeLessThanOrEqual(viewport.width);
        if (reading.smallestChartText)
          expect(
            reading.smallestChartText.px,
            reading.smallestChartText.where,
          ).toBeGreaterThanOrEqual(MIN_CHART_TEXT_PX - 0.05);
      }, 240_000);
    }

    if (name === 'phone' && !wide)
      it('the card and progress pages are no wider than a 390 px screen', async () => {
        const widths: Record<string, number> = {};
        for (const path of OTHER_PAGES) {
          await page.goto(new URL(path, served.site.url).href, { waitUntil: 'load' });
          await page.waitForTimeout(500);
          widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
        }
        console.info(`[layout] phone widths ${JSON.stringify(widths)}`);
        for (const width of Object.values(widths)) expect(width).toBeLessThanOrEqual(PHONE.width);
      }, 60_000);
  });
}
