import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Notebook } from '../../src/notebook/nbformat';
import {
  codeCells,
  experimentFromNotebook,
  pythonCompileErrors,
  schemaErrors,
} from '../support/notebook';
import { axeViolations, describeViolations } from './support/axe';
import { servedSiteAndBrowser } from './support/served';

// The toy-superposition widget trains in the page: no model download, so the test is cheap.
const WIDGET = 'residual-widget[data-widget="toy-superposition"]';
const EXPORT = `${WIDGET} [data-shell="notebook"]`;

const served = servedSiteAndBrowser();

async function readyWidget(page: Page): Promise<void> {
  await page.goto(new URL('/superposition/', served.site.url).href, { waitUntil: 'networkidle' });
  await page.locator(WIDGET).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${WIDGET}[data-state="ready"]`, { timeout: 30_000 });
  await page.waitForSelector(`${WIDGET} [data-training="done"]`, { timeout: 60_000 });
  await page.waitForSelector(`${EXPORT}:not([hidden])`, { timeout: 10_000 });
}

describe('"Run this on a real model" in a widget', () => {
  it('downloads a valid notebook of the current experiment from the keyboard', async () => {
    const page = await served.browser.newPage({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    await readyWidget(page);
    const features = await page.locator(`${WIDGET} select[name="features"]`).inputValue();
    const dimensions = await page.locator(`${WIDGET} select[name="dimensions"]`).inputValue();

    // The paper's review area, below the widget, loads its code and the card math once per page
    // when it nears the screen: let it do so first, so only the download is watched.
    await page.locator('residual-review-area').first().scrollIntoViewIfNeeded();
    await page.waitForSelector('residual-review-area[data-ready="true"]');

    // From the library menu, Tab reaches the model menu, then the download button.
    await page.locator(`${EXPORT} select[name="flavour"]`).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(
      page.evaluate(() => document.activeElement?.getAttribute('data-notebook')),
    ).resolves.toBe('download');
    // Focusing scrolls the page, and what comes into view (the paper's review area) loads its
    // own code: let that settle before listening.
    await page.waitForLoadState('networkidle');

    // The notebook is written in the page: downloading it asks the network for nothing.
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('blob:')) requests.push(request.url());
    });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.keyboard.press('Enter'),
    ]);

    expect(requests).toEqual([]);
    expect(download.suggestedFilename()).toBe('residual-toy-superposition-pytorch-toy.ipynb');
    const notebook = JSON.parse(await readFile(await download.path(), 'utf8')) as Notebook;
    expect(schemaErrors(notebook)).toEqual([]);
    expect(pythonCompileErrors(codeCells(notebook))).toEqual([]);
    expect(experimentFromNotebook(notebook)).toMatchObject({
      features: Number(features),
      dimensions: Number(dimensions),
    });
    await expect(page.locator(`${EXPORT} [data-notebook="message"]`).textContent()).resolves.toBe(
      'Downloaded residual-toy-superposition-pytorch-toy.ipynb.',
    );
    await page.close();
  });

  it('is axe-clean in both themes and fits a phone', async () => {
    for (const colorScheme of ['dark', 'light'] as const) {
      const page = await served.browser.newPage({
        viewport: { width: 390, height: 844 },
        colorScheme,
      });
      await readyWidget(page);
      const box = await page.locator(EXPORT).boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      const violations = await axeViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.close();
    }
  });
});
