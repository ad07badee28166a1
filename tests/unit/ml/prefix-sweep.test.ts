/**
 * Prefix reuse in patching sweeps: the pure helpers, and on every committed model (Node, WASM)
 * the same scores as the sweep that computes every position.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HookedModel, logitDiff, type PatchSweepOptions } from '../../../src/ml';
import type { HookInfo } from '../../../src/ml/manifest';
import {
  joinLogits,
  firstChangedPosition,
  pastFromHook,
  planBatches,
  prefixReusable,
  sliceFrom,
  suffixInterventions,
} from '../../../src/ml/prefix-sweep';
import { loadFromDisk, modelDir, readJson } from './support';

const resid: HookInfo = { name: 'blocks.0.hook_resid_pre', shape: ['batch', 'pos', 'd_model'] };
const pattern: HookInfo = {
  name: 'blocks.0.attn.hook_pattern',
  shape: ['batch', 'n_heads', 'query_pos', 'key_pos'],
};
const z: HookInfo = { name: 'blocks.0.attn.hook_z', shape: ['batch', 'pos', 'n_heads', 'd_head'] };

describe('the pure part of prefix reuse', () => {
  it('starts a patch at its position, and a head patch where the two runs first differ', () => {
    expect(firstChangedPosition({ hookIndex: 1, index: 7 }, 'positions', [2, 3])).toBe(7);
    expect(firstChangedPosition({ hookIndex: 1, index: 0 }, 'heads', [2, 3])).toBe(3);
  });

  it('batches runs that change nearly the same positions in one call', () => {
    const firstChanged = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11];
    const batches = planBatches(firstChanged, 15);
    expect(batches).toHaveLength(1);
    expect([...batches[0]!].sort((a, b) => a - b)).toEqual(firstChanged.map((_, i) => i));
  });

  it('splits the runs of an early-differing pair by how much of the prompt they change', () => {
    const firstChanged = [
      ...Array.from({ length: 20 }, () => 2),
      ...Array.from({ length: 20 }, () => 60),
    ];
    const batches = planBatches(firstChanged, 64);
    expect(batches.map((b) => b.map((i) => firstChanged[i]))).toEqual([
      Array.from({ length: 20 }, () => 2),
      Array.from({ length: 20 }, () => 60),
    ]);
  });

  it('keeps every batch within maxBatch and runs every run once', () => {
    const firstChanged = Array.from({ length: 23 }, (_, i) => i % 5);
    const batches = planBatches(firstChanged, 8, 4);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(4);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(firstChanged.map((_, i) => i));
  });

  it('takes keys and values heads first, from the chosen batch row', () => {
    // [batch 2, pos 3, heads 2, d_head 1]: value = 100*row + 10*pos + head
    const data = new Float32Array(12);
    for (let b = 0; b < 2; b++)
      for (let p = 0; p < 3; p++)
        for (let h = 0; h < 2; h++) data[(b * 3 + p) * 2 + h] = 100 * b + 10 * p + h;
    const past = pastFromHook({ data, dims: [2, 3, 2, 1] }, 1, 2);
    expect(past.dims).toEqual([1, 2, 2, 1]);
    expect([...past.data]).toEqual([100, 110, 101, 111]);
  });

  it('cuts patch values to the suffix and counts positions from its start', () => {
    const value = { data: Float32Array.from({ length: 6 }, (_, i) => i), dims: [1, 3, 2] };
    expect([...sliceFrom(value, 1, 1).data]).toEqual([2, 3, 4, 5]);
    const [patch] = suffixInterventions(
      [{ hookIndex: 0, index: 2 }],
      [resid],
      new Map([[resid.name, value]]),
      'positions',
      1,
    );
    expect(patch).toMatchObject({ hook: resid.name, rows: [0], positions: [1] });
    expect(patch!.value!.dims).toEqual([1, 2, 2]);
  });

  it('puts the target run’s prefix logits before each row’s suffix logits', () => {
    const target = { data: Float32Array.from([1, 1, 2, 2, 3, 3]), dims: [3, 2] };
    const suffix = { data: Float32Array.from([7, 7, 8, 8, 9, 9, 10, 10]), dims: [2, 2, 2] };
    expect([...joinLogits(target, suffix, 1).data]).toEqual([1, 1, 9, 9, 10, 10]);
  });

  it('applies to hooks with a position axis, not to attention patterns', () => {
    expect(prefixReusable([resid, z])).toBe(true);
    expect(prefixReusable([resid, pattern])).toBe(false);
  });
});

/** Max |a − b| over two sweeps' scores. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const cases: {
  model: string;
  clean: string;
  corrupted: string;
  answer: string;
  distractor: string;
  /** The prefix the sweep over resid_pre positions reuses. */
  prefix: number;
}[] = [
  {
    model: 'tiny-lm',
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Mary and John went to the store, Mary gave a drink to',
    answer: 'Mary',
    distractor: 'John',
    prefix: 10,
  },
  {
    model: 'tiny-lm',
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Lisa and John went to the store, John gave a drink to',
    answer: 'Mary',
    distractor: 'Lisa',
    prefix: 2,
  },
  {
    model: 'attn-only-2l',
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Mary and John went to the store, Mary gave a drink to',
    answer: 'Mary',
    distractor: 'John',
    prefix: 10,
  },
];

describe.each([...new Set(cases.map((c) => c.model))])('prefix reuse on %s', (name) => {
  let model: HookedModel;
  beforeAll(async () => {
    model = await loadFromDisk(name);
  });
  afterAll(async () => {
    await model?.release();
  });

  it.each(cases.filter((c) => c.model === name))(
    'gives the full sweep’s scores to 1e-5 ("$corrupted")',
    async (c) => {
      const tok = model.tokenizer;
      const base = {
        clean: tok.encode(c.clean),
        corrupted: tok.encode(c.corrupted),
        metric: logitDiff({
          answer: tok.tokenToId(c.answer),
          distractor: tok.tokenToId(c.distractor),
        }),
      };
      const families: Omit<PatchSweepOptions, 'clean' | 'corrupted' | 'metric'>[] = [
        { hooks: model.blockHooks('hook_resid_pre'), over: 'positions' },
        { hooks: model.blockHooks('hook_attn_out'), over: 'positions' },
        { hooks: model.blockHooks('attn.hook_z'), over: 'heads' },
        { hooks: model.blockHooks('attn.hook_v'), over: 'positions', direction: 'noise' },
        { hooks: model.blockHooks('hook_resid_pre'), over: 'positions', maxBatch: 3 },
      ];
      for (const family of families) {
        const options = { ...base, ...family };
        const reused = await model.patchSweep(options);
        const full = await model.patchSweep({ ...options, reusePrefix: false });
        expect(full.reusedPrefix).toBe(0);
        expect(reused.reusedPrefix).toBeGreaterThan(0);
        expect(reused.patchedRuns).toBe(full.patchedRuns);
        expect(maxDiff(reused.scores.data, full.scores.data)).toBeLessThan(1e-5);
      }
      const resid = await model.patchSweep({ ...base, ...families[0]! });
      expect(resid.reusedPrefix).toBe(c.prefix);
    },
  );
});

describe('prefix reuse on modadd (three tokens: a b =)', () => {
  let model: HookedModel;
  beforeAll(async () => {
    model = await loadFromDisk('modadd');
  });
  afterAll(async () => {
    await model?.release();
  });

  it('reuses the first token when only the second differs, with the same scores', async () => {
    const tok = model.tokenizer;
    const clean = tok.encode('12 30 =');
    const corrupted = tok.encode('12 31 =');
    const metric = logitDiff({ answer: tok.tokenToId('42'), distractor: tok.tokenToId('43') });
    const options = { clean, corrupted, metric, hooks: model.blockHooks('hook_resid_pre') };
    const reused = await model.patchSweep({ ...options, skipUnchanged: false, maxBatch: 1 });
    const full = await model.patchSweep({ ...options, skipUnchanged: false, reusePrefix: false });
    expect(maxDiff(reused.scores.data, full.scores.data)).toBeLessThan(1e-5);
    // The patch at position 0 runs in full; those at 1 and 2 start after it.
    expect(reused.reusedPrefix).toBe(0);
    const later = await model.patchSweep(options);
    expect(later.reusedPrefix).toBe(1);
    expect(maxDiff(later.scores.data, full.scores.data)).toBeLessThan(1e-5);
  });
});

describe('a model whose prefix graph cannot be fetched', () => {
  it('still sweeps, computing every position', async () => {
    const dir = modelDir('attn-only-2l');
    const bytes = (p: string) => new Uint8Array(readFileSync(join(dir, p)));
    // Built from bytes without model.prefix.onnx, the model has nowhere to fetch it from.
    const model = await HookedModel.fromBytes({
      manifest: readJson(join(dir, 'manifest.json')),
      tokenizer: readJson(join(dir, 'tokenizer.json')),
      forward: bytes('model.onnx'),
      plain: bytes('model.plain.onnx'),
      weights: bytes('weights.bin'),
      backend: 'wasm',
    });
    try {
      const tok = model.tokenizer;
      const options = {
        clean: tok.encode('When Mary and John went to the store, John gave a drink to'),
        corrupted: tok.encode('When Mary and John went to the store, Mary gave a drink to'),
        hooks: model.blockHooks('hook_resid_pre'),
        metric: logitDiff({ answer: tok.tokenToId('Mary'), distractor: tok.tokenToId('John') }),
      };
      const sweep = await model.patchSweep(options);
      expect(sweep.reusedPrefix).toBe(0);
      const reference = await loadFromDisk('attn-only-2l');
      const reused = await reference.patchSweep(options);
      await reference.release();
      expect(reused.reusedPrefix).toBe(10);
      expect(maxDiff(sweep.scores.data, reused.scores.data)).toBeLessThan(1e-5);
    } finally {
      await model.release();
    }
  });
});
