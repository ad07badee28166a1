#!/usr/bin/env node
// `npm run bench:workload`: how long the settings' workload estimate takes (src/srs/workload.ts):
// a year simulated at five retentions for a reader about to meet every card of the real deck
// (dist/deck.json), in Node. Prints the answers a day at each retention and the milliseconds each
// took (median of 5 runs). Needs a built site (npm run build) for the deck.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const deckPath = join(root, 'dist', 'deck.json');
if (!existsSync(deckPath)) {
  console.error('No dist/deck.json: run "npm run build" first.');
  process.exit(1);
}
const cards = JSON.parse(readFileSync(deckPath, 'utf8')).cards.length;

const out = await mkdtemp(join(tmpdir(), 'residual-bench-workload-'));
const bundle = join(out, 'workload.mjs');
await build({
  entryPoints: [join(root, 'src/srs/workload.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: bundle,
  logLevel: 'warning',
});
const { simulateWorkload, nearbyRetentions } = await import(pathToFileURL(bundle).href);
const { DEFAULT_SETTINGS } = await build({
  entryPoints: [join(root, 'src/srs/settings.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: join(out, 'settings.mjs'),
  logLevel: 'warning',
}).then(() => import(pathToFileURL(join(out, 'settings.mjs')).href));

const deck = { studied: [], newCards: cards };
const now = Date.now();
console.log(`Workload estimate: ${cards} new cards, ${DEFAULT_SETTINGS.newPerDay} a day, 365 days`);
let total = 0;
for (const retention of nearbyRetentions(DEFAULT_SETTINGS.desiredRetention)) {
  const times = [];
  let perDay = 0;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    perDay = simulateWorkload(deck, DEFAULT_SETTINGS, retention, { now });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  total += times[2];
  console.log(
    `retention ${retention.toFixed(2)}: ${perDay.toFixed(1)} answers/day, ${times[2].toFixed(1)} ms (median of 5)`,
  );
}
console.log(`all five: ${total.toFixed(1)} ms`);
await rm(out, { recursive: true, force: true });
