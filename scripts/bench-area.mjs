#!/usr/bin/env node
// `npm run bench:area` (after a build): how long a review area takes to become interactive after it
// is scrolled into view, in Chromium, on a first visit (the database is created and the deck synced
// into it) and on a later visit (cards already stored). Prints the median and range of RUNS runs.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from './static-server.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const DIST = process.env.RESIDUAL_DIST ?? fileURLToPath(new URL('../dist/', import.meta.url));
const AREA = 'residual-review-area:has(#toy-models-of-superposition--cards)';

const server = await startStaticServer({ root: DIST });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** Milliseconds from scrolling the area into view to its first card being answerable. */
async function timeArea(page) {
  await page.goto(new URL('/superposition/', server.url).href, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  return page.evaluate(
    (selector) =>
      new Promise((resolve) => {
        const area = document.querySelector(selector);
        const start = performance.now();
        new MutationObserver((_, observer) => {
          if (area.dataset.ready === 'true') {
            observer.disconnect();
            resolve(performance.now() - start);
          }
        }).observe(area, { attributes: true });
        area.scrollIntoView({ block: 'center' });
      }),
    AREA,
  );
}

const first = [];
const later = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  first.push(await timeArea(page));
  later.push(await timeArea(page));
  await context.close();
}
await browser.close();
await server.close();

const describe = (label, times) => {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${label}: median ${median.toFixed(0)} ms (${sorted[0].toFixed(0)}–${sorted.at(-1).toFixed(0)}), ${RUNS} runs`,
  );
};
describe('area interactive, first visit (deck synced into a new database)', first);
describe('area interactive, later visit (cards stored)', later);
