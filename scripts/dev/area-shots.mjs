#!/usr/bin/env node
// Screenshots of a review area (first card, then the answer revealed) at desktop and phone sizes,
// in both themes, from the built site: `node scripts/dev/area-shots.mjs [outdir] [path#paper]`.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../static-server.mjs';

const out = process.argv[2] ?? '/tmp/area-shots';
const [path, paper] = (process.argv[3] ?? '/superposition/#toy-models-of-superposition').split('#');
const root = fileURLToPath(new URL('../../dist/', import.meta.url));
await mkdir(out, { recursive: true });
const server = await startStaticServer({ root });
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
const sizes = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
for (const [sizeName, viewport] of Object.entries(sizes)) {
  for (const theme of ['dark', 'light']) {
    const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
    await context.addInitScript((name) => localStorage.setItem('starlight-theme', name), theme);
    const page = await context.newPage();
    await page.goto(new URL(path, server.url).href);
    const area = page.locator(`residual-review-area:has(#${paper}--cards)`);
    await area.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await page.locator(`residual-review-area[data-ready="true"]:has(#${paper}--cards)`).waitFor();
    await area.screenshot({ path: `${out}/area-${sizeName}-${theme}.png` });
    await area.locator('[data-action="reveal"]').click();
    await area.screenshot({ path: `${out}/area-${sizeName}-${theme}-revealed.png` });
    await page.screenshot({ path: `${out}/page-${sizeName}-${theme}.png` });
    await context.close();
  }
}
await browser.close();
await server.close();
console.log(`screenshots in ${out}`);
