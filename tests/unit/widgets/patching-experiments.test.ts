/**
 * The patching widgets' experiments on a small random model exported by the real exporter
 * (tests/fixtures/models/_lab-random), run by onnxruntime-web (WASM) in Node. Random weights
 * make no circuit, so these check the bookkeeping: which run each cell is, and that batched
 * results equal the same runs done one at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { row, type HookedModel, type LogitMetric } from '../../../src/ml';
import {
  ablationTable,
  attributionMaps,
  patchingFamilies,
  patchingMaps,
} from '../../../src/widgets/tiny-lm-experiments/experiments';
import {
  ioiPair,
  pairMetric,
  referencePrompts,
  type PromptPair,
} from '../../../src/widgets/tiny-lm-experiments/tasks';
import { loadFromDisk } from '../ml/support';

let model: HookedModel;
let pair: PromptPair;
let metric: LogitMetric;

beforeAll(async () => {
  model = await loadFromDisk('_lab-random');
  pair = ioiPair(model.tokenizer, {
    prompt: 'When Mary and John went to the store, John gave a drink to',
    answer: 'Mary',
    distractor: 'John',
  });
  metric = pairMetric(model.tokenizer, pair);
});
afterAll(() => model?.release());

const at = (values: Float32Array, width: number, r: number, c: number) => values[r * width + c]!;

describe('activation patching maps', () => {
  it('has a residual row per layer plus the final one, and a column per position', () => {
    const families = patchingFamilies(model);
    expect(families.map((f) => f.id)).toEqual(['resid', 'attn', 'mlp', 'heads']);
    expect(families[0]!.rows).toEqual(['pre L0', 'pre L1', 'post L1']);
  });

  it('denoising: the changed position of the first residual restores the clean metric, other positions leave the corrupted one', async () => {
    const maps = await patchingMaps(model, pair, metric, 'denoise');
    expect(maps.clean).not.toBeCloseTo(maps.corrupted, 2);
    const resid = maps.families[0]!.grid;
    const width = resid.columns.length;
    expect(width).toBe(pair.clean.length);
    const s2 = pair.names!.s2;
    expect(at(resid.values, width, 0, s2)).toBeCloseTo(maps.clean, 4);
    for (let p = 0; p < s2; p++)
      expect(at(resid.values, width, 0, p)).toBeCloseTo(maps.corrupted, 4);
    // The final residual at the final position is all the logits read.
    expect(at(resid.values, width, resid.rows.length - 1, width - 1)).toBeCloseTo(maps.clean, 4);
    // Two sweeps, each one baseline call and a few batched calls (patchSweep groups the patched
    // runs by where they start), far fewer than one call per run.
    expect(maps.calls).toBeGreaterThanOrEqual(4);
    expect(maps.calls).toBeLessThanOrEqual(2 + maps.runs / 4);
  });

  it('noising: the same cells carry the corrupted behaviour into the clean run', async () => {
    const maps = await patchingMaps(model, pair, metric, 'noise');
    const resid = maps.families[0]!.grid;
    const width = resid.columns.length;
    expect(at(resid.values, width, 0, pair.names!.s2)).toBeCloseTo(maps.corrupted, 4);
    expect(at(resid.values, width, 0, 1)).toBeCloseTo(maps.clean, 4);
  });

  it('patches one head per column: the batched cell equals the same patch run alone', async () => {
    const maps = await patchingMaps(model, pair, metric, 'denoise');
    const heads = maps.families[3]!.grid;
    const hook = 'blocks.1.attn.hook_z';
    const clean = await model.runWithCache(pair.clean, [hook]);
    const alone = await model.runWithInterventions(pair.corrupted, [
      { hook, kind: 'patch', value: clean.cache.get(hook)!, heads: [2] },
    ]);
    expect(at(heads.values, heads.columns.length, 1, 2)).toBeCloseTo(
      metric.evaluate(row(alone.logits, 0)),
      4,
    );
  });
});

describe('attribution patching maps', () => {
  it('estimates no change where the prompts agree in the first residual, and the same baselines', async () => {
    const patching = await patchingMaps(model, pair, metric, 'denoise');
    const attribution = await attributionMaps(model, pair, metric, 'denoise');
    expect(attribution.clean).toBeCloseTo(patching.clean, 4);
    expect(attribution.corrupted).toBeCloseTo(patching.corrupted, 4);
    const deltas = attribution.deltas[0]!.grid;
    const width = deltas.columns.length;
    for (let p = 0; p < width; p++)
      if (p !== pair.names!.s2) expect(at(deltas.values, width, 0, p)).toBe(0);
    expect(Math.abs(at(deltas.values, width, 0, pair.names!.s2))).toBeGreaterThan(0);
  });
});

describe('ablations', () => {
  it('zero, mean and resample each give one number per component, equal to the run done alone', async () => {
    const references = referencePrompts(model.tokenizer, pair, 3);
    const table = await ablationTable(model, pair, metric, references);
    const n = table.components.length;
    expect(n).toBe(2 + 2 + 2 * 4);
    for (const kind of ['zero', 'mean', 'resample'] as const)
      expect(table.metrics[kind]).toHaveLength(n);

    const i = table.components.findIndex((c) => c.label === 'L0H1');
    const alone = await model.runWithInterventions(pair.clean, [
      { hook: 'blocks.0.attn.hook_z', kind: 'zero', heads: [1] },
    ]);
    expect(table.metrics.zero[i]).toBeCloseTo(metric.evaluate(row(alone.logits, 0)), 4);

    const hook = 'blocks.1.hook_mlp_out';
    const j = table.components.findIndex((c) => c.hook === hook);
    const { cache } = await model.runWithCache(references, [hook]);
    let sum = 0;
    for (let k = 0; k < references.length; k++) {
      const one = row(cache.get(hook)!, k);
      const run = await model.runWithInterventions(pair.clean, [
        { hook, kind: 'patch', value: { data: one.data, dims: [1, ...one.dims] } },
      ]);
      sum += metric.evaluate(row(run.logits, 0));
    }
    expect(table.metrics.resample[j]).toBeCloseTo(sum / references.length, 4);
  });
});
