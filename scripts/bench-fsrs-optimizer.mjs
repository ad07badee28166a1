#!/usr/bin/env node
// FSRS optimizer benchmark: personal parameters fitted by fsrs-browser (the FSRS project's
// optimizer, FSRS-rs compiled to WebAssembly) to histories of a simulated learner whose memory
// follows known, non-default parameters (src/srs/simulated-learner.ts).
//
//   npm run bench:fsrs-optimizer [-- --sizes 10000,100000 --no-browser]
//
//   For each size: log loss and binned RMSE of FSRS's default parameters, of the fitted ones and
//   of the learner's true ones, on the cards held out of training (every fifth card), and the
//   training time: in Node (one thread, as in the page's worker) and in Chromium, in a Web Worker
//   bundled from the page's own worker (src/components/stats/optimizer.worker.ts), on a page that
//   is not cross-origin isolated, as the site is served.
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules/.cache/residual-bench/fsrs-optimizer');
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    'no-browser': { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const DAY_START_HOUR = 4;

mkdirSync(CACHE, { recursive: true });
await build({
  stdin: {
    contents:
      "export { simulateLearner } from './src/srs/simulated-learner';\n" +
      "export { trainingItems, evaluateFit, DEFAULT_PARAMETERS } from './src/srs/memory-model';\n" +
      "export { fitItems, fsrsBrowserTrainer } from './src/srs/optimizer';\n",
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  external: ['fsrs-browser'],
  outfile: join(CACHE, 'srs.mjs'),
  logLevel: 'warning',
});
const srs = await import(pathToFileURL(join(CACHE, 'srs.mjs')).href);

// fsrs-browser's thread-pool helper listens on `self` when imported; Node has none.
globalThis.self ??= { addEventListener() {}, removeEventListener() {} };
const fsrs = await import('fsrs-browser');
const wasmPath = createRequire(import.meta.url).resolve('fsrs-browser/fsrs_browser_bg.wasm');
fsrs.initSync({ module: readFileSync(wasmPath) });

/** The simulated learner: forgets faster than FSRS's default learner, decays more steeply. */
const LEARNER = [...srs.DEFAULT_PARAMETERS];
Object.assign(LEARNER, { 0: 0.1, 1: 0.5, 2: 1.0, 3: 3.5, 8: 1.3, 20: 0.45 });
const heldOut = (cardId) => Number(cardId.split('-').at(-1)) % 5 === 0;

console.log(`FSRS optimizer benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, ` +
    `load average ${os.loadavg()[0].toFixed(1)}; fsrs-browser ${JSON.parse(readFileSync(join(dirname(wasmPath), 'package.json'), 'utf8')).version}, single-threaded`,
);

const fmt = (fit) => `log loss ${fit.logLoss.toFixed(4)}, RMSE ${fit.rmse.toFixed(4)}`;
const histories = [];
for (const size of SIZES) {
  const log = srs.simulateLearner({ parameters: LEARNER, reviews: size, seed: 11, newPerDay: 20 });
  const train = srs.trainingItems(
    log.filter((row) => !heldOut(row.cardId)),
    DAY_START_HOUR,
  );
  const test = srs.trainingItems(
    log.filter((row) => heldOut(row.cardId)),
    DAY_START_HOUR,
  );
  const quiet = console.log;
  const quietInfo = console.info;
  console.log = console.info = () => {}; // the optimizer prints every epoch's loss
  const result = await srs.fitItems(train, srs.fsrsBrowserTrainer(fsrs));
  console.log = quiet;
  console.info = quietInfo;
  console.log(
    `\n${size.toLocaleString('en')} reviews (${log.filter((row) => !heldOut(row.cardId)).length.toLocaleString('en')} in training, ${train.length.toLocaleString('en')} predicted; ${test.length.toLocaleString('en')} predicted on held-out cards)`,
  );
  console.log(
    `  held out, FSRS defaults:       ${fmt(srs.evaluateFit(test, srs.DEFAULT_PARAMETERS))}`,
  );
  console.log(`  held out, personal parameters: ${fmt(srs.evaluateFit(test, result.parameters))}`);
  console.log(`  held out, the learner's own:   ${fmt(srs.evaluateFit(test, LEARNER))}`);
  console.log(`  training time, Node:           ${(result.trainingMs / 1000).toFixed(2)} s`);
  histories.push({ size, log });
}

if (args['no-browser']) process.exit(0);

// Chromium: the page's worker, bundled, fed each whole history as the statistics page feeds it.
const site = join(CACHE, 'site');
rmSync(site, { recursive: true, force: true });
mkdirSync(site, { recursive: true });
await build({
  entryPoints: [join(ROOT, 'src/components/stats/optimizer.worker.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: join(site, 'optimizer.worker.js'),
  logLevel: 'error',
});
copyFileSync(wasmPath, join(site, 'fsrs_browser_bg.wasm'));
writeFileSync(
  join(site, 'index.html'),
  '<!doctype html><meta charset="utf-8"><title>bench</title>',
);
for (const { size, log } of histories) {
  const rows = log.map(({ cardId, grade, review }) => ({ cardId, grade, review }));
  writeFileSync(join(site, `log-${size}.json`), JSON.stringify(rows));
}
const { chromium } = await import('playwright-core');
const { startStaticServer } = await import('./static-server.mjs');
const server = await startStaticServer({ root: site });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  console.log(
    `\nChromium ${browser.version()}, in a Web Worker, page cross-origin isolated: ${await page.evaluate(() => crossOriginIsolated)}`,
  );
  for (const { size } of histories) {
    const outcome = await page.evaluate(async (n) => {
      const log = await (await fetch(`log-${n}.json`)).json();
      const worker = new Worker('optimizer.worker.js', { type: 'module' });
      const started = performance.now();
      return new Promise((done) => {
        worker.onmessage = ({ data }) => {
          if (data.type === 'stage' || data.type === 'progress-memory') return;
          worker.terminate();
          done({ ...data, wallMs: performance.now() - started });
        };
        worker.postMessage({ log, dayStartHour: 4 });
      });
    }, size);
    if (outcome.type !== 'done' || outcome.result.status !== 'fitted') {
      console.log(
        `  ${size.toLocaleString('en')} reviews: ${JSON.stringify(outcome).slice(0, 300)}`,
      );
      continue;
    }
    const { result } = outcome;
    console.log(
      `  ${size.toLocaleString('en')} reviews (${result.items.toLocaleString('en')} predicted, in-sample): defaults ${fmt(result.defaults)}; personal ${fmt(result.personal)}; ` +
        `training ${(result.trainingMs / 1000).toFixed(2)} s (whole run ${(outcome.wallMs / 1000).toFixed(2)} s)`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
