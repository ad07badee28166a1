/**
 * The in-page SAE training step (public/models/tiny-lm-saes/sae-train-step.onnx) run by
 * onnxruntime-web (WASM, in Node) through src/ml's ComputeGraph: three chained Adam steps give
 * PyTorch's numbers (tests/fixtures/models/tiny-lm-saes/train-step.json), and the trainer built
 * on it really learns on tiny-lm's activations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputeGraph, ModelRunError, type Tensor } from '../../../src/ml';
import { SaeTrainer } from '../../../src/widgets/sae-lab/trainer';
import { ROOT, readJson } from '../ml/support';

interface StepFixture {
  tolerance: number;
  lr: number;
  l1: number;
  inputs: string[];
  outputs: string[];
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  steps: { step: number; x: number[]; outputs: Record<string, number[]> }[];
}

const fixture = readJson(
  join(ROOT, 'tests/fixtures/models/tiny-lm-saes/train-step.json'),
) as StepFixture;
const graphPath = join(ROOT, 'public/models/tiny-lm-saes/sae-train-step.onnx');

let graph: ComputeGraph;
beforeAll(async () => {
  graph = await ComputeGraph.fromBytes(
    new Uint8Array(readFileSync(graphPath)),
    'sae-train-step.onnx',
    'wasm',
  );
});
afterAll(() => graph?.release());

const tensor = (name: string, values: readonly number[]): Tensor => ({
  data: Float32Array.from(values),
  dims: fixture.shapes[name]!,
});

/** Largest |a − b| relative to max(1, |b|). */
function relativeError(a: Float32Array, b: readonly number[]): number {
  return b.reduce((m, v, i) => Math.max(m, Math.abs(a[i]! - v) / Math.max(1, Math.abs(v))), 0);
}

describe('the SAE training step graph', () => {
  it('has the inputs and outputs the trainer feeds and reads', () => {
    expect([...graph.inputNames].sort()).toEqual([...fixture.inputs].sort());
    expect([...graph.outputNames].sort()).toEqual([...fixture.outputs].sort());
  });

  it("reproduces PyTorch's parameters, moments, loss, L0 and firing counts over three chained steps", async () => {
    let state: Record<string, Tensor> = Object.fromEntries(
      Object.entries(fixture.initial).map(([name, values]) => [name, tensor(name, values)]),
    );
    for (const { step, x, outputs } of fixture.steps) {
      const out = await graph.run({
        ...state,
        x: tensor('x', x),
        lr: tensor('lr', [fixture.lr]),
        l1: tensor('l1', [fixture.l1]),
        step: tensor('step', [step]),
      });
      for (const [name, expected] of Object.entries(outputs)) {
        const got = out.get(name);
        expect(got, name).toBeDefined();
        expect(relativeError(got!.data, expected), `step ${step} ${name}`).toBeLessThan(
          fixture.tolerance,
        );
      }
      state = Object.fromEntries(
        [...out]
          .filter(([name]) => name.startsWith('next.'))
          .map(([name, value]) => [name.slice('next.'.length), value]),
      );
    }
  });

  it('names a missing input instead of running', async () => {
    await expect(graph.run({})).rejects.toThrow(ModelRunError);
    await expect(graph.run({})).rejects.toThrow(/needs input\(s\) x, W_enc/);
  });

  it('lowers the loss of a trainer fed structured data, and keeps decoder rows unit length', async () => {
    // Activations that are sparse sums of 24 fixed directions in 128 dimensions.
    const dIn = 128;
    const directions = Array.from({ length: 24 }, (_, k) =>
      Float32Array.from({ length: dIn }, (_, i) => Math.sin((k + 1) * (i + 1) * 0.37)),
    );
    const rows = 2048;
    const activations = new Float32Array(rows * dIn);
    for (let r = 0; r < rows; r++) {
      for (const k of [(r * 7) % 24, (r * 11 + 3) % 24]) {
        const scale = 1 + ((r * 13 + k) % 5) / 2;
        for (let i = 0; i < dIn; i++) activations[r * dIn + i]! += scale * directions[k]![i]!;
      }
    }
    const trainer = new SaeTrainer(activations, dIn, {
      d_sae: 64,
      batch: 128,
      lr: 3e-3,
      l1: 0.05,
      steps: 150,
    });
    const run = (feeds: Parameters<ComputeGraph['run']>[0]) => graph.run(feeds);
    for (let s = 0; s < 150; s++) await trainer.step(run);
    const first = trainer.history[0]!;
    const last = trainer.history.at(-1)!;
    expect(last.fvu).toBeLessThan(first.fvu / 4);
    expect(last.l0).toBeLessThan(64);
    const sae = trainer.toSae('t', 't');
    for (let f = 0; f < 64; f++) {
      expect(Math.hypot(...sae.W_dec.subarray(f * dIn, (f + 1) * dIn))).toBeCloseTo(1, 4);
    }
  });
});
