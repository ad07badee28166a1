// The settings' workload table: beside desired retention, the answers a day the reader's own
// deck would ask for at a few retentions near the chosen one, simulated in a worker.
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { introduceNewInListOrder, reviewReady } from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

/** The table's rows once the worker has answered: [retention label, answers a day]. */
async function workloadRows(page: import('playwright-core').Page) {
  await page.locator('[data-workload-table]:not([hidden]) tbody tr').first().waitFor();
  return page
    .locator('[data-workload-table] tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => [
        row.querySelector('th')!.textContent!,
        Number(row.querySelector('td')!.textContent),
      ]),
    ) as Promise<[string, number][]>;
}

describe('the workload desired retention implies', () => {
  it('is estimated for the deck after the page is ready, rises with retention, and follows a new setting', async () => {
    const context = await served.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    // By default no paper is read yet, so there is nothing to estimate, and the table says so.
    await expect
      .poll(() => page.locator('[data-workload-status]').textContent())
      .toMatch(/No workload to estimate yet/);
    await introduceNewInListOrder(page);
    await page.getByText('Review settings').click();

    const rows = await workloadRows(page);
    expect(rows.map(([label]) => label)).toEqual(['0.85', '0.88', '0.90 (yours)', '0.92', '0.94']);
    const perDay = rows.map(([, value]) => value);
    for (let i = 1; i < perDay.length; i++) expect(perDay[i]).toBeGreaterThan(perDay[i - 1]!);
    expect(await page.locator('[data-workload-status]').textContent()).toMatch(
      /For 0 studied and \d+ new cards, over the next year/,
    );
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);

    await page.getByLabel('Desired retention').fill('0.8');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(() => page.locator('[data-workload-table] tr[data-chosen] th').textContent())
      .toBe('0.80 (yours)');
    const lower = await workloadRows(page);
    expect(lower.map(([label]) => label)).toEqual(['0.75', '0.78', '0.80 (yours)', '0.82', '0.84']);
    expect(lower[2]![1]).toBeLessThan(perDay[2]!);
    await context.close();
  });
});
