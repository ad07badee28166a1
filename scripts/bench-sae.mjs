#!/usr/bin/env node
// SAE lab benchmark: in-page SAE training throughput (tokens per second) with the widget's
// trainer and public/models/tiny-lm-saes/sae-train-step.onnx, at the widget's recommended size.
//
//   npm run bench:sae [-- --steps 40 --no-browser]
//
//   CPU path, Node:   onnxruntime-web WASM (1 thread), the trainer bundled from the widget's source.
//   In Chromium:      the built site's /dev/ml-check/ page (run `npm run build` first), on WASM and
//                     on WebGPU (--enable-unsafe-webgpu; here a software adapter on the CPU, so
//                     its figure says nothing about a real GPU).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importTs } from './import-ts.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '40' },
    'no-browser': { type: 'boolean', default: false },
  },
});
const STEPS = Number(args.steps);
const index = JSON.parse(readFileSync(join(ROOT, 'public/models/tiny-lm-saes/saes.json'), 'utf8'));
const { d_sae: dSae, batch } = index.train_step.recommended;
const dIn = index.d_in;

/** The trainer and src/ml are TypeScript: bundle them (onnxruntime-web and zod stay external). */
async function importTrainer() {
  return importTs(
    'sae',
    "export { SaeTrainer } from './src/widgets/sae-lab/trainer';\n" +
      "export { ComputeGraph } from './src/ml';\n",
  );
}

console.log(`SAE training benchmark — ${new Date().toISOString()}`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, Node ${process.version}, ` +
    `load average ${os.loadavg()[0].toFixed(1)}`,
);
console.log(
  `ReLU + L1 SAE, d_in ${dIn}, ${dSae} features, batch ${batch} tokens, one Adam step per call; ${STEPS} timed steps after 3 warm-up steps`,
);

const { SaeTrainer, ComputeGraph } = await importTrainer();
const graph = await ComputeGraph.fromBytes(
  new Uint8Array(readFileSync(join(ROOT, 'public/models/tiny-lm-saes', index.train_step.file))),
  index.train_step.file,
  'wasm',
);
const rows = 4096;
const activations = Float32Array.from(
  { length: rows * dIn },
  (_, i) => Math.sin(i * 0.7) + Math.cos(i * 0.013),
);
const trainer = new SaeTrainer(activations, dIn, {
  d_sae: dSae,
  batch,
  lr: 1e-3,
  l1: 1e-3,
  steps: STEPS + 3,
});
const run = (feeds) => graph.run(feeds);
for (let i = 0; i < 3; i++) await trainer.step(run);
const cpuStart = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < STEPS; i++) await trainer.step(run);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
await graph.release();
const line = (where, tokensPerSecond, msPerStep) =>
  console.log(
    `  ${where.padEnd(34)} ${Math.round(tokensPerSecond).toLocaleString('en').padStart(8)} tokens/s` +
      `   (${msPerStep.toFixed(1)} ms per step; ${index.train_step.recommended.steps} steps ≈ ${((index.train_step.recommended.steps * msPerStep) / 1000).toFixed(0)} s)`,
  );
line('Node, ORT WASM (CPU path)', (STEPS * batch) / seconds, (1000 * seconds) / STEPS);
console.log(
  `    process CPU time per step: ${((cpu.user + cpu.system) / 1000 / STEPS).toFixed(1)} ms`,
);

const dist = join(ROOT, 'dist/dev/ml-check/index.html');
if (args['no-browser']) {
  // only the Node figure
} else if (!existsSync(dist)) {
  console.log('  in Chromium: skipped, no built site (run `npm run build` first)');
} else {
  const { chromium } = await import('playwright-core');
  const { startStaticServer } = await import('./static-server.mjs');
  const server = await startStaticServer({ root: join(ROOT, 'dist') });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-webgpu',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(new URL('dev/ml-check/', server.url).href);
    const url = new URL(`models/tiny-lm-saes/${index.train_step.file}`, server.url).href;
    for (const backend of ['wasm', 'webgpu']) {
      const result = await page.evaluate((r) => window.residualMlCheck.trainBench(r), {
        url,
        backend,
        dIn,
        dSae,
        batch,
        steps: STEPS,
      });
      const label =
        backend === 'webgpu'
          ? 'Chromium, ORT WebGPU (software GPU)'
          : 'Chromium, ORT WASM (CPU path)';
      line(
        `${label}${result.backend !== backend ? ` → ran on ${result.backend}` : ''}`,
        result.tokensPerSecond,
        result.msPerStep,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
