// Dev aid: the height each widget's figure takes once loaded, at a phone (390 px) and a desktop
// (1280 px) width, in Chromium's default sans-serif and in a wide one, for
// src/widgets/kit/reserved-heights.ts (WidgetShell reserves it before the model arrives, so
// nothing below a widget moves when it appears).
//
// Serves dist/ (build first: npx astro build), opens every chapter at both widths in
// /usr/bin/chromium, scrolls to each widget in turn, waits until it is ready and has finished
// computing, and reads `.residual-widget__stage`'s offsetHeight with the reservation released
// (data-reserve="released"), so the figure's own height is read, not the old reservation. It does
// so twice: with the site's own font list (on Linux with fonts-liberation, Liberation Sans, which
// has Arial's widths) and with DejaVu Sans put first (what a Linux without Liberation fonts shows;
// wider than Arial, San Francisco, Segoe UI and Roboto), and reads the width of "0" (1ch) in the
// stage's font each time.
//
//   node_modules/.bin/node scripts/dev/measure-widget-heights.mjs           # print the heights
//   node_modules/.bin/node scripts/dev/measure-widget-heights.mjs --write   # and rewrite the file
//
// --write keeps each reservation as it is unless the figure now measures taller (some are
// deliberately larger than one run measures: see reserved-heights.ts); the wide font's is at least
// the site font's plus what the wide font added in this run.
//
// RESIDUAL_DIST=<folder> measures another build.
import { readFile, writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../static-server.mjs';
import { importTs } from '../import-ts.mjs';

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
/** The site's font list as it is, and with the wide font first (appended, unlayered, to its CSS). */
const FONTS = /** @type {const} */ ([
  ['site', null],
  ['wide', ':root { --sl-font: "DejaVu Sans"; }'],
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

/** heights[font][id][size] in px; ch[font] the width of "0" in the stage's font, px. */
const heights = { site: {}, wide: {} };
const ch = { site: new Set(), wide: new Set() };
const problems = [];
try {
  for (const [font, rule] of FONTS)
    for (const [size, viewport] of SIZES) {
      // One profile per size and font, so the models download once and later chapters read them
      // from cache.
      const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
      if (rule)
        await context.route(/\/_astro\/.+\.css$/, async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, body: `${await response.text()}\n${rule}\n` });
        });
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
            problems.push(`${font} ${size} ${chapter} ${id}: not ready (state ${state})`);
            continue;
          }
          // Let the last chart paint before reading.
          await page.evaluate(
            () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 300))),
          );
          const [height, zero] = await page.$eval(selector, (widget) => {
            if (!(widget instanceof HTMLElement)) return [0, 0];
            widget.dataset['reserve'] = 'released';
            const stage = widget.querySelector('.residual-widget__stage');
            if (!(stage instanceof HTMLElement)) return [0, 0];
            const probe = document.createElement('span');
            // 1000ch, not 1ch: a box's width is laid out in 1/64 px, CSS lengths are not.
            probe.style.cssText = 'position: absolute; display: block; inline-size: 1000ch';
            stage.append(probe);
            const width = probe.getBoundingClientRect().width / 1000;
            probe.remove();
            return [stage.offsetHeight, width];
          });
          if (height === 0) {
            problems.push(
              `${font} ${size} ${chapter} ${id}: no .residual-widget__stage to measure`,
            );
            continue;
          }
          (heights[font][id] ??= {})[size] = height;
          ch[font].add(Math.round(zero * 1e7) / 1e7);
          console.log(
            `${font.padEnd(4)} ${size.padEnd(7)} ${chapter.padEnd(24)} ${id.padEnd(26)} ${height}px  (1ch = ${zero.toFixed(4)}px)`,
          );
        }
        await page.close();
      }
      await context.close();
    }
} finally {
  await browser.close();
  await server.close();
}

for (const font of ['site', 'wide'])
  if (ch[font].size !== 1) problems.push(`${font}: 1ch differs between widgets: ${[...ch[font]]}`);
for (const problem of problems) console.error(problem);

if (write) {
  const { RESERVED_HEIGHTS } = await importTs(
    'reserved-heights',
    "export * from './src/widgets/kit/reserved-heights.ts';\n",
  );
  const ids = Object.keys(heights.site).filter(
    (id) =>
      heights.site[id]?.phone &&
      heights.site[id]?.desktop &&
      heights.wide[id]?.phone &&
      heights.wide[id]?.desktop,
  );
  if (problems.length > 0 || ids.length === 0) {
    console.error('Not writing reserved-heights.ts: some widgets were not measured.');
    process.exitCode = 1;
  } else {
    const source = await readFile(HEIGHTS_FILE, 'utf8');
    const start = source.indexOf('export const FONT_ZERO_WIDTHS');
    if (start < 0) throw new Error('reserved-heights.ts: FONT_ZERO_WIDTHS not found');
    const key = (id) => (/^[a-z]+$/.test(id) ? id : `'${id}'`);
    const entries = ids
      .sort((a, b) => a.localeCompare(b))
      .map((id) => {
        const [site, wide, kept] = [heights.site[id], heights.wide[id], RESERVED_HEIGHTS[id]];
        const phone = Math.max(site.phone, kept?.phone ?? 0);
        const desktop = Math.max(site.desktop, kept?.desktop ?? 0);
        const phoneWide = Math.max(phone + wide.phone - site.phone, kept?.phoneWide ?? 0);
        const desktopWide = Math.max(desktop + wide.desktop - site.desktop, kept?.desktopWide ?? 0);
        return `  ${key(id)}: { phone: ${phone}, desktop: ${desktop}, phoneWide: ${phoneWide}, desktopWide: ${desktopWide} },`;
      })
      .join('\n');
    const table =
      `export const FONT_ZERO_WIDTHS = { site: ${[...ch.site][0]}, wide: ${[...ch.wide][0]} } as const;\n\n` +
      'export const RESERVED_HEIGHTS: Partial<Record<WidgetId, ReservedHeight>> = {\n' +
      entries +
      '\n};\n';
    await writeFile(HEIGHTS_FILE, source.slice(0, start) + table);
    console.log(`Wrote ${ids.length} widgets to src/widgets/kit/reserved-heights.ts`);
  }
}
