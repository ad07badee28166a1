#!/usr/bin/env node
// onnxruntime-web on one WASM thread or two, in Chromium, on the built site served cross-origin
// isolated (as `npm start` serves it): the resid_pre patching sweep of tiny-lm (the IOI pair of
// bench:ml) and in-page SAE training (as bench:sae), each timed with ?threads=1 and ?threads=2 of
// /dev/ml-check/ in alternating blocks. Run `npm run build` first.
//
//   npm run bench:threads [-- --blocks 3 --runs 10 --steps 20]
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CROSS_ORIGIN_ISOLATION_HEADERS, startStaticServer } from './static-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    blocks: { type: 'string', default: '3' },
    runs: { type: 'string', default: '10' },
    steps: { type: 'string', default: '20' },
  },
});
if (!existsSync(join(ROOT, 'dist/dev/ml-check/index.html'))) {
  console.error('no built site: run `npm run build` first');
  process.exit(2);
}
const saes = JSON.parse(readFileSync(join(ROOT, 'public/models/tiny-lm-saes/saes.json'), 'utf8'));
const { d_sae: dSae, batch } = saes.train_step.recommended;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () => os.loadavg()[0].toFixed(1);

console.log(`bench:threads — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, load average ${load()}`,
);
const server = await startStaticServer({
  root: join(ROOT, 'dist'),
  headers: CROSS_ORIGIN_ISOLATION_HEADERS,
});
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
const times = { 1: { sweep: [], sae: [] }, 2: { sweep: [], sae: [] } };
let isolated = null;
try {
  for (let b = 0; b < Number(args.blocks); b++) {
    for (const threads of [1, 2]) {
      const page = await browser.newPage();
      await page.goto(new URL(`dev/ml-check/?threads=${threads}`, server.url).href);
      const check = (name, request) =>
        page.evaluate(([n, r]) => window.residualMlCheck[n](r), [name, request]);
      const sweep = await check('sweepBench', {
        model: 'tiny-lm',
        clean: 'When Mary and John went to the store, John gave a drink to',
        corrupted: 'When Mary and John went to the store, Mary gave a drink to',
        answer: 'Mary',
        distractor: 'John',
        runs: Number(args.runs),
      });
      isolated = sweep.crossOriginIsolated;
      times[threads].sweep.push(...sweep.ms);
      const sae = await check('trainBench', {
        url: new URL(`models/tiny-lm-saes/${saes.train_step.file}`, server.url).href,
        backend: 'wasm',
        dIn: saes.d_in,
        dSae,
        batch,
        steps: Number(args.steps),
      });
      times[threads].sae.push(sae.tokensPerSecond);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`page crossOriginIsolated: ${isolated}; load average at the end ${load()}`);
console.log('                                   1 thread     2 threads   2 vs 1');
const s1 = median(times[1].sweep);
const s2 = median(times[2].sweep);
const t1 = median(times[1].sae);
const t2 = median(times[2].sae);
console.log(
  `  patching sweep, tiny-lm IOI   ${`${s1.toFixed(1)} ms`.padStart(12)}  ${`${s2.toFixed(1)} ms`.padStart(12)}   ${(s1 / s2).toFixed(2)}x`,
);
console.log(
  `  SAE training (tokens/s)       ${Math.round(t1).toLocaleString('en').padStart(12)}  ${Math.round(t2).toLocaleString('en').padStart(12)}   ${(t2 / t1).toFixed(2)}x`,
);
