// Dev aid: the height each widget's figure takes once loaded, at a phone (390 px) and a desktop
// (1280 px) width, for src/widgets/kit/reserved-heights.ts (WidgetShell reserves it before the
// model arrives, so nothing below a widget moves when it appears).
//
// Serves dist/ (build first: npx astro build), opens every chapter at both widths in
// /usr/bin/chromium, scrolls to each widget in turn, waits until it is ready and has finished
// computing, and reads `.residual-widget__stage`'s offsetHeight with the reservation released
// (data-reserve="released"), so the figure's own height is read, not the old reservation.
//
//   node_modules/.bin/node scripts/dev/measure-widget-heights.mjs           # print the heights
//   node_modules/.bin/node scripts/dev/measure-widget-heights.mjs --write   # and rewrite the file
//
// RESIDUAL_DIST=<folder> measures another build.
import { readFile, writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../static-server.mjs';

const CHAPTERS = [
  '/foundational-work/',
  '/superposition/',
  '/activation-patching/',
  '/narrow-circuits/',
  '/sparse-autoencoders/',
  '/paper-back-and-forths/',
  '/from-the-discussion/',
  '/bonus/',
];
const SIZES = /** @type {const} */ ([
  ['phone', { width: 390, height: 844 }],
  ['desktop', { width: 1280, height: 800 }],
]);
/** How long one widget may take to load and compute before it is reported as not measured. */
const WIDGET_TIMEOUT_MS = 180_000;
const HEIGHTS_FILE = new URL('../../src/widgets/kit/reserved-heights.ts', import.meta.url);

const write = process.argv.includes('--write');
const server = await startStaticServer({
  root: process.env.RESIDUAL_DIST ?? new URL('../../dist/', import.meta.url),
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

/** @type {Record<string, { phone?: number; desktop?: number }>} */
const heights = {};
const problems = [];
try {
  for (const [size, viewport] of SIZES) {
    // One profile per size, so the models download once and later chapters read them from cache.
    const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
    for (const chapter of CHAPTERS) {
      const page = await context.newPage();
      await page.goto(server.url + chapter.replace(/^\//, ''), { waitUntil: 'load' });
      const ids = await page.$$eval('residual-widget[data-widget]', (widgets) =>
        widgets.map((widget) => widget.getAttribute('data-widget')),
      );
      for (const id of ids) {
        const selector = `residual-widget[data-widget="${id}"]`;
        await page.locator(selector).scrollIntoViewIfNeeded();
        try {
          await page.waitForFunction(
            (selector) => {
              const widget = document.querySelector(selector);
              if (!widget || widget.getAttribute('data-state') !== 'ready') return false;
              return !widget.querySelector('[data-computed="running"]');
            },
            selector,
            { timeout: WIDGET_TIMEOUT_MS, polling: 250 },
          );
        } catch {
          const state = await page.locator(selector).getAttribute('data-state');
          problems.push(`${size} ${chapter} ${id}: not ready (state ${state})`);
          continue;
        }
        // Let the last chart paint before reading.
        await page.evaluate(
          () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 300))),
        );
        const height = await page.$eval(selector, (widget) => {
          if (!(widget instanceof HTMLElement)) return 0;
          widget.dataset['reserve'] = 'released';
          const stage = widget.querySelector('.residual-widget__stage');
          return stage instanceof HTMLElement ? stage.offsetHeight : 0;
        });
        if (height === 0) {
          problems.push(`${size} ${chapter} ${id}: no .residual-widget__stage to measure`);
          continue;
        }
        (heights[id] ??= {})[size] = height;
        console.log(`${size.padEnd(7)} ${chapter.padEnd(24)} ${id.padEnd(26)} ${height}px`);
      }
      await page.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}

for (const problem of problems) console.error(problem);

if (write) {
  const complete = Object.entries(heights).filter(([, h]) => h.phone && h.desktop);
  if (problems.length > 0 || complete.length === 0) {
    console.error('Not writing reserved-heights.ts: some widgets were not measured.');
    process.exitCode = 1;
  } else {
    const source = await readFile(HEIGHTS_FILE, 'utf8');
    const start = source.indexOf('export const RESERVED_HEIGHTS');
    if (start < 0) throw new Error('reserved-heights.ts: RESERVED_HEIGHTS not found');
    const key = (id) => (/^[a-z]+$/.test(id) ? id : `'${id}'`);
    const entries = complete
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, h]) => `  ${key(id)}: { phone: ${h.phone}, desktop: ${h.desktop} },`)
      .join('\n');
    const table =
      'export const RESERVED_HEIGHTS: Partial<Record<WidgetId, ReservedHeight>> = {\n' +
      entries +
      '\n};\n';
    await writeFile(HEIGHTS_FILE, source.slice(0, start) + table);
    console.log(`Wrote ${complete.length} widgets to src/widgets/kit/reserved-heights.ts`);
  }
}
