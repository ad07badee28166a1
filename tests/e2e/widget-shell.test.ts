// The widget shell's contract, in real Chromium: the frame markup comes from the built site, the
// behaviour from src/widgets/kit/widget-element.ts (bundled here with esbuild), and the
// widget is a small client module written in the test, which reports progress, fails, or succeeds.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser';
import { DIST } from './support/site';

const SHELL = fileURLToPath(new URL('../../src/widgets/kit/widget-element.ts', import.meta.url));
const ORIGIN = 'http://shell.test/';
const FRAME = 'residual-widget[data-widget="test-widget"]';

let browser: Browser;
let shellScript: string;
let frameHtml: string;

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: `import { closeRegistration, registerWidget } from ${JSON.stringify(SHELL)};
        window.registerWidget = registerWidget;
        window.closeRegistration = closeRegistration;`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    write: false,
  });
  shellScript = bundle.outputFiles[0]!.text;
  // The real frame, as the site renders it, re-labelled for a test widget with simple markup.
  const chapter = readFileSync(`${DIST}superposition/index.html`, 'utf8');
  const frame = chapter.match(/<residual-widget[\s\S]*?<\/residual-widget>/)?.[0];
  if (!frame) throw new Error('no widget frame in the built Superposition chapter');
  frameHtml = frame.replace('data-widget="toy-superposition"', 'data-widget="test-widget"').replace(
    // The body runs to the folded "How this was computed" that follows it (then the notebook export).
    /(<div[^>]*data-shell="body"[^>]*>)[\s\S]*(<\/div>\s*<\/div>\s*<details[^>]*data-shell="how"[\s\S]*<\/residual-widget>)$/,
    '$1<p data-test="markup">pristine</p>$2',
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** A page with a tall spacer, the frame below it, and the shell loaded (nothing registered yet). */
async function framePage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  await page.route(ORIGIN, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><title>shell</title><body>
        <div style="height: 3000px">spacer</div>${frameHtml}</body></html>`,
    }),
  );
  await page.goto(ORIGIN);
  await page.addScriptTag({ content: shellScript, type: 'module' });
  await page.waitForFunction(() => 'registerWidget' in window);
  return page;
}

/**
 * Registers the test widget. Its mount: counts calls, marks the markup it got, reports progress
 * 0.4, waits until the test calls `window.finishMount(outcome)`, then resolves or throws.
 */
async function registerTestWidget(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Context = {
      root: HTMLElement;
      signal: AbortSignal;
      progress(update: { fraction?: number | null; label?: string }): void;
      setBackend(backend: 'webgpu' | 'wasm' | 'cpu'): void;
      fail(error: unknown): void;
    };
    const w = window as unknown as Record<string, unknown>;
    w['mounts'] = [] as { markup: string; aborted: () => boolean }[];
    w['loads'] = 0;
    (w['registerWidget'] as (id: string, loader: () => Promise<unknown>) => void)(
      'test-widget',
      async () => {
        w['loads'] = (w['loads'] as number) + 1;
        return {
          mount: (context: Context) => {
            (w['mounts'] as unknown[]).push({
              markup: context.root.textContent?.trim(),
              aborted: () => context.signal.aborted,
            });
            w['context'] = context;
            context.root.querySelector('[data-test="markup"]')!.textContent = 'changed by mount';
            context.progress({ fraction: 0.4, label: 'Downloading test-model' });
            return new Promise<void>((resolve, reject) => {
              w['finishMount'] = (outcome: string) =>
                outcome === 'ok' ? resolve() : reject(new Error(outcome));
            });
          },
        };
      },
    );
  });
}

const state = (page: Page) => page.locator(FRAME).getAttribute('data-state');

describe('the widget shell', () => {
  it('loads nothing until the frame nears the viewport, then imports and mounts once', async () => {
    const page = await framePage();
    await registerTestWidget(page);
    await expect(state(page)).resolves.toBe('idle');
    await expect(page.evaluate(() => (window as unknown as { loads: number }).loads)).resolves.toBe(
      0,
    );
    await page.locator(FRAME).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${FRAME}[data-state="loading"]`);
    await expect(page.evaluate(() => (window as unknown as { loads: number }).loads)).resolves.toBe(
      1,
    );
    await page.close();
  });

  it('shows the progress the widget reports, then reveals the widget when mount resolves', async () => {
    const page = await framePage();
    await registerTestWidget(page);
    await page.locator(FRAME).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => 'finishMount' in window);
    const bar = page.locator(`${FRAME} [data-shell="progress"]`);
    await expect(bar.evaluate((el) => (el as HTMLProgressElement).value)).resolves.toBeCloseTo(0.4);
    await expect(bar.isVisible()).resolves.toBe(true);
    await expect(page.locator(`${FRAME} [data-shell="message"]`).textContent()).resolves.toBe(
      'Downloading test-model… 40%',
    );
    await expect(page.locator(`${FRAME} [data-shell="body"]`).isVisible()).resolves.toBe(false);

    await page.evaluate(() =>
      (window as unknown as { finishMount: (o: string) => void }).finishMount('ok'),
    );
    await page.waitForSelector(`${FRAME}[data-state="ready"]`);
    await expect(page.locator(`${FRAME} [data-shell="body"]`).isVisible()).resolves.toBe(true);
    await expect(page.locator(`${FRAME} [data-shell="status"]`).isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('shows a failed mount as an alert with Retry, and Retry mounts again on fresh markup', async () => {
    const page = await framePage();
    await registerTestWidget(page);
    await page.locator(FRAME).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => 'finishMount' in window);
    await page.evaluate(() =>
      (window as unknown as { finishMount: (o: string) => void }).finishMount('model file missing'),
    );
    await page.waitForSelector(`${FRAME}[data-state="error"]`);
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toBe(
      'This figure could not load: model file missing',
    );
    const retry = page.getByRole('button', { name: 'Retry' });
    await expect(retry.isVisible()).resolves.toBe(true);

    await retry.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => (window as unknown as { mounts: unknown[] }).mounts.length === 2,
    );
    const mounts = await page.evaluate(() =>
      (window as unknown as { mounts: { markup: string; aborted: () => boolean }[] }).mounts.map(
        (m) => ({ markup: m.markup, aborted: m.aborted() }),
      ),
    );
    // The second mount got the markup as the page shipped it, and the first run was told to stop.
    expect(mounts).toEqual([
      { markup: 'pristine', aborted: true },
      { markup: 'pristine', aborted: false },
    ]);
    await page.evaluate(() =>
      (window as unknown as { finishMount: (o: string) => void }).finishMount('ok'),
    );
    await page.waitForSelector(`${FRAME}[data-state="ready"]`);
    await expect(retry.isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('lets a mounted widget report a later failure, and names the backend it computes on', async () => {
    const page = await framePage();
    await registerTestWidget(page);
    await page.locator(FRAME).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => 'finishMount' in window);
    await page.evaluate(() =>
      (window as unknown as { finishMount: (o: string) => void }).finishMount('ok'),
    );
    await page.waitForSelector(`${FRAME}[data-state="ready"]`);

    const backend = page.locator(`${FRAME} [data-shell="backend"]`);
    await expect(backend.isVisible()).resolves.toBe(false);
    for (const [name, label] of [
      ['webgpu', 'WebGPU'],
      ['wasm', 'WASM'],
      ['cpu', 'CPU (JS)'],
    ] as const) {
      await page.evaluate(
        (n) =>
          (window as unknown as { context: { setBackend(b: string): void } }).context.setBackend(n),
        name,
      );
      await expect(backend.textContent()).resolves.toBe(label);
      // Named in the folded "How this was computed", visible once it is opened.
      await expect(backend.isVisible()).resolves.toBe(false);
      await page.locator(`${FRAME} [data-shell="how"] > summary`).click();
      await expect(backend.isVisible()).resolves.toBe(true);
      await page.locator(`${FRAME} [data-shell="how"] > summary`).click();
    }

    await page.evaluate(() =>
      (window as unknown as { context: { fail(e: unknown): void } }).context.fail(
        new Error('WebGPU device lost'),
      ),
    );
    await page.waitForSelector(`${FRAME}[data-state="error"]`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'This figure stopped: WebGPU device lost',
    );
    await expect(page.locator(`${FRAME} [data-shell="body"]`).isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('shows an error with Retry, not an endless "Loading…", for a frame whose client is missing', async () => {
    const page = await framePage();
    // Another widget's client is registered; none under the frame's id (a misnamed client file).
    await page.evaluate(() => {
      const w = window as unknown as Record<string, (...args: unknown[]) => void>;
      w['registerWidget']!('other-widget', async () => ({ mount: () => undefined }));
    });
    await page.locator(FRAME).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${FRAME}[data-state="loading"]`);
    await page.evaluate(() =>
      (window as unknown as { closeRegistration: () => void }).closeRegistration(),
    );
    await page.waitForSelector(`${FRAME}[data-state="error"]`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'This figure could not load: no client module is registered for "test-widget" ' +
        '(src/widgets/test-widget/test-widget.client.ts)',
    );
    const retry = page.getByRole('button', { name: 'Retry' });
    await expect(retry.isVisible()).resolves.toBe(true);
    // Retry asks again, and still says what is missing rather than waiting.
    await retry.click();
    await page.waitForSelector(`${FRAME}[data-state="error"]`);
    await expect(retry.isVisible()).resolves.toBe(true);
    await page.close();
  });
});
