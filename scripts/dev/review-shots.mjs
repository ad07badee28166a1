// Screenshots of the review screen, card info, the edit dialog and the deck list at 1280×800 and 390×844 in both
// themes (after `npx astro build`): node scripts/dev/review-shots.mjs [out dir]
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../static-server.mjs';

const out = process.argv[2] ?? 'review-shots';
await mkdir(out, { recursive: true });
const server = await startStaticServer({ root: 'dist' });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-gpu',
  ],
});
const sizes = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
for (const theme of ['dark', 'light']) {
  for (const size of sizes) {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      serviceWorkers: 'block',
      colorScheme: theme,
    });
    const page = await context.newPage();
    await page.addInitScript((value) => localStorage.setItem('starlight-theme', value), theme);
    await page.goto(new URL('/review/', server.url).href);
    await page.waitForSelector('residual-review[data-ready="true"]');
    // New cards come from papers read so far; a fresh profile has read none, so take them in
    // list order (the setting the review tests use), and the screen shows a card.
    await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('residual');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('meta', 'readwrite');
            tx.objectStore('meta').put({ key: 'settings', value: { introduceNew: 'list' } });
            tx.oncomplete = () => resolve(open.result.close());
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await page.reload();
    await page.waitForSelector('residual-review[data-ready="true"]');
    const shot = (what) => page.screenshot({ path: `${out}/${what}-${size.name}-${theme}.png` });
    await page.keyboard.press('Space');
    await page.locator('[data-grades]:not([hidden])').waitFor();
    await shot('review');
    await page.keyboard.press('i');
    await page.locator('[data-info-dialog]').waitFor();
    await shot('card-info');
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    await page.locator('[data-edit-dialog][open]').waitFor();
    await shot('card-edit');
    await page.keyboard.press('Escape');
    await page.locator('[data-deck-list] summary').first().click();
    await page.locator('[data-deck-list] summary', { hasText: 'Superposition' }).click();
    await shot('deck-list');
    await context.close();
  }
}
await browser.close();
await server.close();
