#!/usr/bin/env node
// Widget benchmarks: prints figures. `npm run bench:widgets` (= this script with --browser: also
// measures in Chromium on the built site when dist/ exists; run `npm run build` first).
//
//   toy superposition: training steps per second (batch 1024) in Node, same module as the page;
//                      the sparsity sweep's wall time; in Chromium, the steps/s the widget reports.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { SWEEP_SPARSITIES, ToyModel } from '../src/widgets/toy-superposition/toy-model.ts';

const RUNS = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function stepsPerSecond(config, steps) {
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const model = new ToyModel({ ...config, seed: run });
    model.train(50); // warm-up: let the JIT compile the loops
    const start = performance.now();
    model.train(steps);
    rates.push(steps / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

function sweepSeconds(config) {
  const times = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    for (const sparsity of SWEEP_SPARSITIES) {
      new ToyModel({ ...config, sparsity, seed: run, batchSize: 256 }).train(2000);
    }
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

console.log(`Widget benchmarks — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, ` +
    `load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log('\nToy model of superposition (x → ReLU(WᵀWx + b), batch 1024, Adam), median of 5:');
const cases = [
  { label: 'n=5, m=2, S=0.97 (pentagon)', features: 5, dimensions: 2, sparsity: 0.97 },
  { label: 'n=5, m=2, S=0.90', features: 5, dimensions: 2, sparsity: 0.9 },
  { label: 'n=5, m=2, S=0    (dense)', features: 5, dimensions: 2, sparsity: 0 },
  { label: 'n=10, m=3, S=0.90', features: 10, dimensions: 3, sparsity: 0.9 },
];
for (const { label, ...config } of cases) {
  const rate = stepsPerSecond({ ...config, importanceDecay: 0.9 }, 1000);
  console.log(
    `  ${label.padEnd(30)} ${Math.round(rate).toLocaleString('en').padStart(7)} steps/s` +
      `   (3000-step run: ${(3000 / rate).toFixed(2)} s)`,
  );
}
const sweep = sweepSeconds({ features: 5, dimensions: 2, importanceDecay: 0.9 });
console.log(
  `  sparsity sweep, n=5, m=2: ${SWEEP_SPARSITIES.length} models × 2000 steps (batch 256): ${sweep.toFixed(2)} s`,
);

const dist = new URL('../dist/superposition/index.html', import.meta.url);
if (process.argv.includes('--browser') && !existsSync(dist)) {
  console.log('  in Chromium: skipped, no built site (run `npm run build` first)');
} else if (process.argv.includes('--browser')) {
  const { chromium } = await import('playwright-core');
  const { startStaticServer } = await import('./static-server.mjs');
  const server = await startStaticServer({ root: new URL('../dist/', import.meta.url) });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}superposition/`);
    const widget = page.locator('residual-widget[data-widget="toy-superposition"]');
    const scrolled = performance.now();
    await widget.scrollIntoViewIfNeeded();
    await widget.locator('[data-training="done"]').waitFor({ timeout: 60_000 });
    const firstResult = (performance.now() - scrolled) / 1000;
    const rates = [];
    for (let run = 0; run < RUNS; run++) {
      const done = widget.locator('[data-training="done"]');
      await done.waitFor({ timeout: 60_000 });
      rates.push(Number(await done.getAttribute('data-steps-per-second')));
      await done.evaluate((el) => el.removeAttribute('data-training'));
      await page.getByRole('button', { name: 'Train again with a new seed' }).click();
    }
    console.log(
      `  in Chromium (widget's own figure, n=5, m=2, S=0.95): ${median(rates).toLocaleString('en')} steps/s, median of ${RUNS}`,
    );
    console.log(
      `  in Chromium: scroll to first trained result (lazy import + 3000 steps + drawing): ${firstResult.toFixed(2)} s`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
