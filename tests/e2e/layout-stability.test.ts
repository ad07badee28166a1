/**
 * The card pages (review, statistics, card browser) open the database and import the deck before
 * they can show anything. On a first visit that takes a while, and what appears must not push the
 * rest of the page around: the layout shifts Chromium records while the page loads stay below
 * 0.05 (Web Vitals call a page "good" below 0.1), on a phone-sized and on a desktop-sized screen.
 */
import { describe, expect, it } from 'vitest';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

const PAGES = [
  { path: '/review/', element: 'residual-review' },
  { path: '/stats/', element: 'residual-stats' },
  { path: '/cards/', element: 'residual-card-browser' },
];

const SCREENS = [
  { name: 'phone', viewport: { width: 412, height: 823 } },
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
];

/** The layout shifts (not caused by input) of a first visit to `path`, summed, once it is ready. */
async function layoutShiftOfFirstVisit(
  path: string,
  element: string,
  viewport: { width: number; height: number },
): Promise<number> {
  const context = await served.browser.newContext({ viewport, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.addInitScript(() => {
      const shifts: number[] = [];
      (window as unknown as { shifts: number[] }).shifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
        })[]) {
          if (!entry.hadRecentInput) shifts.push(entry.value);
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(new URL(path, served.site.url).href);
    await page.waitForSelector(`${element}[data-ready="true"]`, { timeout: 30_000 });
    // Let the frame after the last change paint, so its shift is recorded.
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 200))),
    );
    return page.evaluate(() =>
      (window as unknown as { shifts: number[] }).shifts.reduce((sum, value) => sum + value, 0),
    );
  } finally {
    await context.close();
  }
}

describe('the card pages keep their layout while the cards load', () => {
  for (const { path, element } of PAGES) {
    for (const { name, viewport } of SCREENS) {
      it(`${path} on a ${name} screen shifts by less than 0.05`, async () => {
        const shift = await layoutShiftOfFirstVisit(path, element, viewport);
        expect(shift).toBeLessThan(0.05);
      });
    }
  }
});
