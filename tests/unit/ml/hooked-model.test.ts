/**
 * The hook API on a small randomly initialised model exported by models/lab/export.py
 * (tests/fixtures/models/_lab-random, made by make.py there), run by onnxruntime-web (WASM).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HookedModel, logitDiff, meanOver, row, tensor, type Tensor } from '../../../src/ml';
import { maxAbsDiff, zeros } from '../../../src/ml/tensor';
import { loadFromDisk } from './support';

let model: HookedModel;
beforeAll(async () => {
  model = await loadFromDisk('_lab-random');
});
afterAll(() => model.release());

let clean: number[];
let corrupted: number[];
let mary: number;
let john: number;
beforeAll(() => {
  const t = model.tokenizer;
  clean = t.encode('When Mary and John went to the store, John gave a drink to');
  corrupted = t.encode('When Mary and John went to the store, Mary gave a drink to');
  [mary, john] = [t.tokenToId('Mary'), t.tokenToId('John')];
});

describe('a hooked model in onnxruntime-web (WASM)', () => {
  it('runs on the WASM backend in Node', () => {
    expect(model.backend).toBe('wasm');
  });

  it('gives the clean logits when every clean activation at blocks.0.hook_resid_pre is patched into the corrupted run', async () => {
    const hook = 'blocks.0.hook_resid_pre';
    const cleanRun = await model.runWithCache(clean, [hook]);
    const corruptedRun = await model.runWithCache(corrupted, []);
    expect(maxAbsDiff(cleanRun.logits, corruptedRun.logits)).toBeGreaterThan(1e-2);
    const patched = await model.runWithInterventions(corrupted, [
      { hook, kind: 'patch', value: cleanRun.cache.get(hook)! },
    ]);
    expect(maxAbsDiff(patched.logits, cleanRun.logits)).toBeLessThan(1e-5);
  });

  it('leaves the logits unchanged when zero is added at every hook', async () => {
    const plain = await model.runWithCache(clean);
    const interventions = model.interventionHookNames.map((hook) => ({
      hook,
      kind: 'add' as const,
      value: zeros([1]),
    }));
    const added = await model.runWithInterventions(clean, interventions);
    expect(maxAbsDiff(added.logits, plain.logits)).toBe(0);
  });

  it('reports the intervened activation in the cache (as TransformerLens does)', async () => {
    const hook = 'blocks.1.attn.hook_z';
    const { cache } = await model.runWithInterventions(
      clean,
      [{ hook, kind: 'zero', heads: [1] }],
      [hook],
    );
    const z = cache.get(hook)!; // [1, pos, n_heads, d_head]
    const [, pos, heads, dHead] = z.dims as [number, number, number, number];
    for (let p = 0; p < pos; p++) {
      for (let h = 0; h < heads; h++) {
        const slice = z.data.subarray((p * heads + h) * dHead, (p * heads + h + 1) * dHead);
        if (h === 1) expect(Array.from(slice).every((v) => v === 0)).toBe(true);
        else expect(Array.from(slice).some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('changes only later positions when an earlier position is steered', async () => {
    const plain = await model.runWithCache(clean);
    const v = tensor(
      Array.from({ length: model.config.d_model }, (_, i) => (i % 2 ? 1 : -1)),
      [model.config.d_model],
    );
    const steered = await model.runWithInterventions(clean, [
      { hook: 'blocks.0.hook_resid_post', kind: 'add', value: v, positions: [3] },
    ]);
    const vocab = model.config.d_vocab;
    const at = (t: Tensor, p: number) => ({
      data: t.data.subarray(p * vocab, (p + 1) * vocab),
      dims: [vocab],
    });
    for (let p = 0; p < 3; p++)
      expect(maxAbsDiff(at(steered.logits, p), at(plain.logits, p))).toBe(0);
    expect(maxAbsDiff(at(steered.logits, 3), at(plain.logits, 3))).toBeGreaterThan(1e-3);
  });

  it('batches a patching sweep into one call that agrees with one run per patch', async () => {
    const metric = logitDiff({ answer: mary!, distractor: john! });
    const hooks = model.blockHooks('hook_resid_pre');
    const sweep = await model.patchSweep({ clean, corrupted, hooks, metric });
    expect(sweep.calls).toBe(2);
    expect(sweep.scores.dims).toEqual([hooks.length, clean.length]);
    const cleanRun = await model.runWithCache(clean, hooks);
    for (const [h, hook] of hooks.entries()) {
      for (const p of [0, 1, 9, 10, clean.length - 1]) {
        const one = await model.runWithInterventions(corrupted, [
          { hook, kind: 'patch', value: cleanRun.cache.get(hook)!, positions: [p] },
        ]);
        const expected = metric.evaluate(row(one.logits, 0));
        expect(sweep.scores.data[h * clean.length + p]).toBeCloseTo(expected, 4);
      }
    }
    // Before layer 0, patching a position where the prompts agree changes nothing, and patching
    // the one where they differ (10: John/Mary) moves the metric.
    expect(sweep.scores.data[2]).toBeCloseTo(sweep.corrupted, 5);
    expect(Math.abs(sweep.scores.data[10]! - sweep.corrupted)).toBeGreaterThan(1e-3);
  });

  it('runs only the patches that change something, and scores the rest as the unpatched run', async () => {
    const metric = logitDiff({ answer: mary!, distractor: john! });
    const hooks = model.blockHooks('hook_resid_pre');
    const skipping = await model.patchSweep({ clean, corrupted, hooks, metric });
    const everything = await model.patchSweep({
      clean,
      corrupted,
      hooks,
      metric,
      skipUnchanged: false,
    });
    expect(everything.patchedRuns).toBe(hooks.length * clean.length);
    // The prompts differ at position 10 only. Before block 0 the stream holds each token's own
    // embedding, so only position 10 differs; after it, attention carries the difference to
    // every later position, and nothing reaches the positions before 10.
    const later = clean.length - 10;
    expect(skipping.patchedRuns).toBe(1 + (hooks.length - 1) * later);
    expect(maxAbsDiff(skipping.scores, everything.scores)).toBeLessThan(1e-5);
    for (let p = 0; p < 10; p++) expect(skipping.scores.data[p]).toBe(skipping.corrupted);
  });

  it('sweeps heads of hook_z as well as positions, in chunks when asked', async () => {
    const metric = logitDiff({ answer: mary!, distractor: john! });
    const hooks = model.blockHooks('attn.hook_z');
    const whole = await model.patchSweep({ clean, corrupted, hooks, metric, over: 'heads' });
    const chunked = await model.patchSweep({
      clean,
      corrupted,
      hooks,
      metric,
      over: 'heads',
      maxBatch: 3,
    });
    expect(whole.scores.dims).toEqual([hooks.length, model.config.n_heads]);
    expect(chunked.calls).toBe(1 + Math.ceil((hooks.length * model.config.n_heads) / 3));
    expect(maxAbsDiff(whole.scores, chunked.scores)).toBeLessThan(1e-5);
  });

  it('estimates every patch from one forward + backward call (attribution patching)', async () => {
    const metric = logitDiff({ answer: mary!, distractor: john! });
    const hooks = model.blockHooks('hook_resid_pre');
    const attribution = await model.attributionScores({ clean, corrupted, hooks, metric });
    expect(attribution.calls).toBe(1);
    expect(attribution.deltas.dims).toEqual([hooks.length, clean.length]);
    // At layer 0 the prompts differ only at position 10, so only that cell can have an effect.
    const layer0 = Array.from(attribution.deltas.data.subarray(0, clean.length));
    layer0.forEach((d, p) =>
      p === 10 ? expect(Math.abs(d)).toBeGreaterThan(1e-4) : expect(d).toBe(0),
    );
    const sweep = await model.patchSweep({ clean, corrupted, hooks, metric });
    expect(attribution.clean).toBeCloseTo(sweep.clean, 4);
    expect(attribution.corrupted).toBeCloseTo(sweep.corrupted, 4);
  });

  it('scores several groups of hooks (positions and heads) from the same single call', async () => {
    const metric = logitDiff({ answer: mary!, distractor: john! });
    const groups = [
      { hooks: model.blockHooks('hook_mlp_out'), over: 'positions' as const },
      { hooks: model.blockHooks('attn.hook_z'), over: 'heads' as const },
    ];
    const together = await model.attributionGroups({ clean, corrupted, metric, groups });
    expect(together.map((r) => r.calls)).toEqual([1, 1]);
    for (const [i, group] of groups.entries()) {
      const alone = await model.attributionScores({ clean, corrupted, metric, ...group });
      expect(maxAbsDiff(together[i]!.deltas, alone.deltas)).toBeLessThan(1e-6);
    }
  });

  it('matches finite differences of the metric along the clean − corrupted direction', async () => {
    const metric = logitDiff({ answer: mary!, distractor: john! });
    const components = [
      { hook: 'blocks.1.hook_resid_pre', over: 'positions' as const, index: 10 },
      { hook: 'blocks.0.hook_mlp_out', over: 'positions' as const, index: clean.length - 1 },
      { hook: 'blocks.1.attn.hook_z', over: 'heads' as const, index: 2 },
      { hook: 'blocks.1.attn.hook_pattern', over: 'heads' as const, index: 0 },
    ];
    for (const { hook, over, index } of components) {
      const { deltas } = await model.attributionScores({
        clean,
        corrupted,
        hooks: [hook],
        metric,
        over,
      });
      const { cache } = await model.runWithCache([clean, corrupted], [hook]);
      const act = cache.get(hook)!;
      const [cleanAct, corruptAct] = [row(act, 0), row(act, 1)];
      const direction = tensor(
        cleanAct.data.map((v, i) => v - corruptAct.data[i]!),
        [1, ...cleanAct.dims],
      );
      const eps = 1e-2;
      const at = async (scale: number) => {
        const value = tensor(
          direction.data.map((v) => v * scale),
          direction.dims,
        );
        const where = over === 'heads' ? { heads: [index] } : { positions: [index] };
        const { logits } = await model.runWithInterventions(corrupted, [
          { hook, kind: 'add', value, ...where },
        ]);
        return metric.evaluate(row(logits, 0));
      };
      const finite = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      const estimate = deltas.data[index]!;
      expect(Math.abs(finite), hook).toBeGreaterThan(1e-3);
      expect(Math.abs(estimate - finite), hook).toBeLessThan(2e-2 * Math.abs(finite) + 1e-4);
    }
  });

  it('reads the residual stream out through the final LayerNorm and unembedding (logit lens)', async () => {
    const { labels, logits } = await model.logitLens(clean);
    expect(labels).toHaveLength(model.config.n_layers + 1);
    expect(logits.dims).toEqual([model.config.n_layers + 1, clean.length, model.config.d_vocab]);
    const real = await model.runWithCache(clean);
    expect(maxAbsDiff(row(logits, model.config.n_layers), row(real.logits, 0))).toBeLessThan(1e-5);
    expect(maxAbsDiff(row(logits, 0), row(real.logits, 0))).toBeGreaterThan(1e-2);
  });

  it('changes nothing when mean-ablating with the mean of identical runs', async () => {
    const hook = 'blocks.1.hook_attn_out';
    const { logits, cache } = await model.runWithCache([clean, clean, clean], [hook]);
    const mean = meanOver(cache.get(hook)!, [0]);
    const ablated = await model.runWithInterventions(clean, [{ hook, kind: 'mean', value: mean }]);
    expect(maxAbsDiff(row(ablated.logits, 0), row(logits, 0))).toBeLessThan(1e-5);
    const other = await model.runWithCache([corrupted, clean], [hook]);
    const mixed = await model.runWithInterventions(clean, [
      { hook, kind: 'mean', value: meanOver(other.cache.get(hook)!, [0]) },
    ]);
    expect(maxAbsDiff(row(mixed.logits, 0), row(logits, 0))).toBeGreaterThan(1e-4);
  });

  it('rejects prompts it cannot run with a clear error', async () => {
    await expect(model.runWithCache([0, 1, model.config.d_vocab])).rejects.toThrow(
      /outside the vocabulary/,
    );
    await expect(model.runWithCache([0, 1], ['blocks.7.hook_resid_pre'])).rejects.toThrow(
      /unknown hook/,
    );
    await expect(
      model.patchSweep({
        clean: [0, 1],
        corrupted: [0],
        hooks: [],
        metric: logitDiff({ answer: 0, distractor: 1 }),
      }),
    ).rejects.toThrow(/same number of tokens/);
  });
});
