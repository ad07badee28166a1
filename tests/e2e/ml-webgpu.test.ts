/**
 * In real Chromium (--enable-unsafe-webgpu gives a software WebGPU adapter), src/ml picks WebGPU,
 * and WebGPU gives the same numbers as WASM: logits, hooks, a patching sweep and attribution
 * scores, and the SAE lab's training step. Model files come from Cache Storage on the second load.
 * Needs a built site (dist/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../scripts/static-server.mjs';
import { launchBrowser, newProfile } from './support/browser';
import { DIST, serveSite, type ServedSite } from './support/site';

interface Plain {
  dims: number[];
  data: number[];
}
interface CheckResult {
  backend: 'webgpu' | 'wasm';
  fallbackReason: string | null;
  files: { file: string; cached: boolean }[];
  logits: Plain;
  hooks: Record<string, Plain>;
  sweep: Plain | null;
  /** The same sweep computing every position (no prefix reuse). */
  sweepFull: Plain | null;
  /** Positions the sweep took from the corrupted run instead of computing them. */
  reusedPrefix: number | null;
  attribution: Plain | null;
  concurrent: { plain: number; patched: number; patchChanged: number } | null;
}
interface StepResult {
  backend: 'webgpu' | 'wasm';
  outputs: Record<string, Plain>;
}
interface CheckRequest {
  model: string;
  baseUrl?: string;
  backend: 'webgpu' | 'wasm';
  tokens: number[];
  corrupted: number[];
  answer: number;
  distractor: number;
  hooks: string[];
  sweep?: boolean;
  concurrent?: boolean;
}

const FIXTURES = join(import.meta.dirname, '../fixtures/models');
/** GPU kernels sum in another order than WASM; float32 agreement to this bound is "the same". */
const TOLERANCE = 1e-3;

let site: ServedSite;
let fixtures: ServedSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  site = await serveSite();
  // The random test model lives in tests/fixtures; serve it beside the site (CORS allowed).
  fixtures = (await startStaticServer({
    root: FIXTURES,
    headers: { 'access-control-allow-origin': '*' },
  })) as ServedSite;
  browser = await launchBrowser({ webgpu: true });
  page = await (await newProfile(browser)).newPage();
  await page.goto(new URL('dev/ml-check/', site.url).href);
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await fixtures?.close();
});

function check(request: CheckRequest): Promise<CheckResult> {
  return page.evaluate(
    (r) =>
      (
        window as unknown as {
          residualMlCheck: { run: (r: CheckRequest) => Promise<CheckResult> };
        }
      ).residualMlCheck.run(r),
    request,
  );
}

function maxAbsDiff(a: Plain, b: Plain): number {
  expect(a.dims).toEqual(b.dims);
  return a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);
}

function expectSameNumbers(gpu: CheckResult, cpu: CheckResult): void {
  expect(maxAbsDiff(gpu.logits, cpu.logits)).toBeLessThan(TOLERANCE);
  for (const [hook, value] of Object.entries(cpu.hooks)) {
    expect(maxAbsDiff(gpu.hooks[hook]!, value), hook).toBeLessThan(TOLERANCE);
  }
  if (cpu.sweep) expect(maxAbsDiff(gpu.sweep!, cpu.sweep)).toBeLessThan(TOLERANCE);
  if (cpu.attribution)
    expect(maxAbsDiff(gpu.attribution!, cpu.attribution)).toBeLessThan(TOLERANCE);
}

describe('the model runtime in Chromium', () => {
  it('finds a WebGPU adapter', async () => {
    const available = await page.evaluate(() =>
      (
        window as unknown as { residualMlCheck: { webgpuAvailable: () => Promise<boolean> } }
      ).residualMlCheck.webgpuAvailable(),
    );
    expect(available).toBe(true);
  });

  it('serves both onnxruntime-web builds from the site itself (JSEP for WebGPU, WASM-only)', () => {
    expect(existsSync(join(DIST, 'ort/ort-wasm-simd-threaded.jsep.wasm'))).toBe(true);
    expect(existsSync(join(DIST, 'ort/ort-wasm-simd-threaded.wasm'))).toBe(true);
  });

  it('gives the same logits, hooks, sweep and attribution on WebGPU as on WASM (random model)', async () => {
    const request = {
      model: '_lab-random',
      baseUrl: fixtures.url,
      tokens: [0, 5, 9, 13, 20, 7, 3, 11],
      corrupted: [0, 5, 9, 14, 20, 7, 3, 11],
      answer: 9,
      distractor: 13,
      hooks: ['blocks.0.attn.hook_pattern', 'blocks.1.hook_mlp_out', 'blocks.1.attn.hook_z'],
    };
    const gpu = await check({ ...request, backend: 'webgpu' });
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.fallbackReason).toBeNull();
    const cpu = await check({ ...request, backend: 'wasm' });
    expect(cpu.backend).toBe('wasm');
    expectSameNumbers(gpu, cpu);
    // Both sweeps started after the 3 positions the prompts share (the prefix graph ran on each
    // backend), and they match the sweep that computes every position.
    expect([gpu.reusedPrefix, cpu.reusedPrefix]).toEqual([3, 3]);
    expect(maxAbsDiff(gpu.sweep!, cpu.sweepFull!)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(cpu.sweep!, cpu.sweepFull!)).toBeLessThan(1e-5);
    // The second load read the model files from Cache Storage.
    expect(cpu.files.filter((f) => f.file === 'model.onnx').every((f) => f.cached)).toBe(true);
  });

  it('runs WASM in a worker, with identical numbers, when it is the first backend a page uses', async () => {
    const request = {
      model: '_lab-random',
      baseUrl: fixtures.url,
      tokens: [0, 5, 9, 13, 20, 7, 3, 11],
      corrupted: [0, 5, 9, 14, 20, 7, 3, 11],
      answer: 9,
      distractor: 13,
      hooks: ['blocks.1.hook_mlp_out'],
    };
    const inPage = await check({ ...request, backend: 'wasm' });
    const fresh = await page.context().newPage();
    await fresh.goto(new URL('dev/ml-check/', site.url).href);
    const proxied = await fresh.evaluate(
      (r) =>
        (
          window as unknown as {
            residualMlCheck: { run: (r: CheckRequest) => Promise<CheckResult> };
          }
        ).residualMlCheck.run(r),
      { ...request, backend: 'wasm' as const },
    );
    expect(fresh.workers().some((w) => /ort/.test(w.url()))).toBe(true);
    expect(maxAbsDiff(proxied.logits, inPage.logits)).toBe(0);
    expect(maxAbsDiff(proxied.sweep!, inPage.sweep!)).toBe(0);
    await fresh.close();
  });

  it('runs calls on the plain and the intervention graph started at once on WebGPU', async () => {
    // The two graphs are two ORT sessions on one WASM instance: their runs must not overlap
    // (on WebGPU an overlapping run hangs), and each gives what it gives alone.
    const gpu = await check({
      model: '_lab-random',
      baseUrl: fixtures.url,
      backend: 'webgpu',
      tokens: [0, 5, 9, 13, 20, 7, 3, 11],
      corrupted: [0, 5, 9, 14, 20, 7, 3, 11],
      answer: 9,
      distractor: 13,
      hooks: [],
      sweep: false,
      concurrent: true,
    });
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.concurrent!.patchChanged).toBeGreaterThan(1e-3);
    expect(gpu.concurrent!.plain).toBeLessThan(1e-6);
    expect(gpu.concurrent!.patched).toBeLessThan(1e-6);
  });

  const published = ['tiny-lm', 'attn-only-2l'].filter((m) =>
    existsSync(join(DIST, 'models', m, 'manifest.json')),
  );
  it.each(published)('gives the same numbers on WebGPU as on WASM for %s', async (model) => {
    const request = {
      model,
      tokens: [0, 5, 9, 13, 20, 7, 3, 11, 5, 9, 13, 20],
      corrupted: [0, 5, 9, 14, 20, 7, 3, 11, 5, 9, 13, 20],
      answer: 20,
      distractor: 21,
      hooks: ['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_z', 'blocks.1.hook_resid_post'],
      // The random model covers sweeps and attribution; a big batch is slow on a software GPU.
      sweep: false,
    };
    const gpu = await check({ ...request, backend: 'webgpu' });
    const cpu = await check({ ...request, backend: 'wasm' });
    expect([gpu.backend, cpu.backend]).toEqual(['webgpu', 'wasm']);
    expectSameNumbers(gpu, cpu);
  });

  it("runs the SAE lab's training step on WebGPU with PyTorch's numbers, as WASM does", async () => {
    const step = JSON.parse(
      readFileSync(join(FIXTURES, 'tiny-lm-saes/train-step.json'), 'utf8'),
    ) as {
      tolerance: number;
      lr: number;
      l1: number;
      shapes: Record<string, number[]>;
      initial: Record<string, number[]>;
      steps: { step: number; x: number[]; outputs: Record<string, number[]> }[];
    };
    const first = step.steps[0]!;
    const feeds = Object.fromEntries(
      Object.entries({
        ...step.initial,
        x: first.x,
        lr: [step.lr],
        l1: [step.l1],
        step: [first.step],
      }).map(([name, data]) => [name, { dims: step.shapes[name]!, data }]),
    );
    const url = new URL('models/tiny-lm-saes/sae-train-step.onnx', site.url).href;
    const results: StepResult[] = [];
    for (const backend of ['webgpu', 'wasm'] as const) {
      results.push(
        await page.evaluate(
          (r) =>
            (
              window as unknown as {
                residualMlCheck: { trainStep: (r: unknown) => Promise<StepResult> };
              }
            ).residualMlCheck.trainStep(r),
          { url, backend, feeds },
        ),
      );
    }
    expect(results.map((r) => r.backend)).toEqual(['webgpu', 'wasm']);
    for (const result of results) {
      for (const [name, expected] of Object.entries(first.outputs)) {
        const got = result.outputs[name]!.data;
        const error = expected.reduce(
          (m, v, i) => Math.max(m, Math.abs(got[i]! - v) / Math.max(1, Math.abs(v))),
          0,
        );
        expect(error, `${result.backend} ${name}`).toBeLessThan(TOLERANCE);
      }
    }
  });
});
