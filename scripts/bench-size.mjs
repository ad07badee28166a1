#!/usr/bin/env node
// `npm run bench:size`: what the offline reader downloads, measured on the built site (dist/).
//   precache   — bytes of every file the service worker precaches (target ≤ 3 MB)
//   chapter JS — gzip bytes of the JavaScript each chapter page loads in Chromium before any
//                widget is scrolled into view (target ≤ 60 KB gzip per page)
// Run `npm run build` first (or point RESIDUAL_DIST at another build). Prints a table and exits 1
// when a target is missed.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startStaticServer } from './static-server.mjs';

const DIST = process.env.RESIDUAL_DIST ?? fileURLToPath(new URL('../dist/', import.meta.url));
const PRECACHE_TARGET = 3_000_000;
const CHAPTER_JS_TARGET = 60_000;
const order = JSON.parse(await readFile(new URL('../content/order.json', import.meta.url), 'utf8'));

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

/** The URLs in the generated service worker's precache manifest. */
async function precacheEntries() {
  const sw = await readFile(join(DIST, 'sw.js'), 'utf8');
  const urls = [...sw.matchAll(/\{\s*"?url"?\s*:\s*"([^"]+)"\s*,\s*"?revision"?/g)].map(
    (m) => m[1],
  );
  if (urls.length === 0)
    throw new Error('dist/sw.js has no precache manifest: is the build complete?');
  const entries = [];
  for (const url of urls) {
    const bytes = (await stat(join(DIST, decodeURIComponent(url)))).size;
    entries.push({ url, bytes });
  }
  return entries;
}

/** Every script a page loads on its own (no scrolling, no clicks), with raw and gzip sizes. */
async function pageScripts(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const scripts = new Map();
  page.on('response', async (response) => {
    if (response.request().resourceType() !== 'script') return;
    try {
      const body = await response.body();
      scripts.set(response.url(), { raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
    } catch {
      // a script without a body (redirect): nothing to count
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  await context.close();
  return [...scripts.entries()].map(([scriptUrl, sizes]) => ({ url: scriptUrl, ...sizes }));
}

const entries = await precacheEntries();
const precacheBytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
const largest = [...entries].sort((a, b) => b.bytes - a.bytes).slice(0, 5);

const server = await startStaticServer({ root: DIST });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-background-networking'],
});
const chapters = [];
try {
  for (const chapter of order.chapters) {
    const path = chapter.slug === 'start' ? '/' : `/${chapter.slug}/`;
    const scripts = await pageScripts(browser, new URL(path, server.url).href);
    const gzip = scripts.reduce((sum, script) => sum + script.gzip, 0);
    const raw = scripts.reduce((sum, script) => sum + script.raw, 0);
    chapters.push({ path, gzip, raw, scripts });
  }
} finally {
  await browser.close();
  await server.close();
}

const worst = chapters.reduce((a, b) => (b.gzip > a.gzip ? b : a));
console.log(`Residual size benchmark — ${new Date().toISOString()}`);
console.log(
  `\nPrecache: ${entries.length} files, ${kB(precacheBytes)} (target ≤ ${kB(PRECACHE_TARGET)})`,
);
for (const entry of largest) console.log(`  ${kB(entry.bytes).padStart(10)}  ${entry.url}`);
console.log(`\nChapter-page JavaScript before widgets (gzip; target ≤ ${kB(CHAPTER_JS_TARGET)}):`);
for (const chapter of chapters) {
  console.log(
    `  ${kB(chapter.gzip).padStart(10)} gzip  ${kB(chapter.raw).padStart(10)} raw  ${chapter.path}`,
  );
}
console.log(`\nLargest: ${worst.path}, scripts:`);
for (const script of [...worst.scripts].sort((a, b) => b.gzip - a.gzip)) {
  console.log(`  ${kB(script.gzip).padStart(10)} gzip  ${new URL(script.url).pathname}`);
}
const widgets = JSON.parse(await readFile(join(DIST, 'offline-widgets.json'), 'utf8'));
const modelBytes = widgets.models.reduce((sum, model) => sum + model.bytes, 0);
/** The onnxruntime files a browser on `backend` loads: its build's, and those every build needs. */
const runtimeBytes = (backend) =>
  widgets.runtime
    .filter((file) => file.backend === undefined || file.backend === backend)
    .reduce((sum, file) => sum + file.bytes, 0);
console.log(
  `\nWidget files, not precached (cached on use or from the progress page): models ${kB(modelBytes)}` +
    ` (${widgets.models.map((model) => model.name).join(', ') || 'none'})` +
    ` + the onnxruntime build a browser runs: ${kB(runtimeBytes('wasm'))} on WASM,` +
    ` ${kB(runtimeBytes('webgpu'))} on WebGPU`,
);
const ok = precacheBytes <= PRECACHE_TARGET && worst.gzip <= CHAPTER_JS_TARGET;
console.log(
  `\nprecache_bytes=${precacheBytes} chapter_js_gzip_max=${worst.gzip} ${ok ? 'OK' : 'OVER TARGET'}`,
);
process.exit(ok ? 0 : 1);
