/**
 * Attribution patching through the attribution graph (model.attrib.onnx): the pure helpers, and
 * on every committed model (Node, WASM) the same scores, to 1e-5, as the backward graph's
 * forward + backward over both prompts (the way attribution ran before the graph existed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  HookedModel,
  logitDiff,
  type AttributionGroupsOptions,
  type LogitMetric,
} from '../../../src/ml';
import {
  attributionAlongFromGraph,
  attributionFeeds,
  attributionPlaces,
  attributionStart,
  metricReadPosition,
  pairMetricsAt,
} from '../../../src/ml/attribution-graph';
import type { AttributionLayout, HookInfo, ModelConfig } from '../../../src/ml/manifest';
import type { Tensor } from '../../../src/ml/tensor';
import { modelDir } from './support';

/** `metric` declaring that it reads `position` only, or (undefined) not saying which it reads. */
function readingAt(metric: LogitMetric, position: number | undefined): LogitMetric {
  const same = {
    label: metric.label,
    linear: metric.linear,
    evaluate: (logits: Tensor) => metric.evaluate(logits),
    gradient: (logits: Tensor) => metric.gradient(logits),
  };
  return position === undefined ? same : { ...same, position };
}

describe('the pure part of the attribution graph', () => {
  it('starts the suffix at the first differing token, and runs at least the one read', () => {
    expect(attributionStart([1, 2, 3, 4], [1, 2, 9, 4])).toBe(2);
    expect(attributionStart([1, 2, 3], [7, 2, 3])).toBe(0);
    expect(attributionStart([1, 2, 3], [1, 2, 3])).toBe(2);
    // Read before the prompts differ: the position read alone, the same in both.
    expect(attributionStart([1, 2, 3, 4], [1, 2, 3, 9], 1)).toBe(1);
  });

  it('feeds the shared prefix once, both suffixes up to the position read, and the target’s gradient there', () => {
    const grad = { data: Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]), dims: [4, 2] };
    const feeds = attributionFeeds([5, 6, 7, 8], [5, 8, 9, 9], 1, 2, grad);
    expect(feeds.prefix).toEqual([5]);
    expect(feeds.tokens).toEqual([
      [6, 7],
      [8, 9],
    ]);
    expect(feeds.logitGrad.dims).toEqual([1, 2]);
    expect([...feeds.logitGrad.data]).toEqual([2, 2]);
  });

  it('evaluates the metric on each prompt’s logits at the position it reads', () => {
    const metric = logitDiff({ answer: 0, distractor: 1, position: 1 });
    const read = { data: Float32Array.from([5, 2, 1, 4]), dims: [2, 2] };
    expect(pairMetricsAt(metric, read, 1, 3)).toEqual([3, -3]);
    // The logits it reads them from are zeros again afterwards: placed at position 2 now,
    // position 1 reads zero.
    expect(pairMetricsAt(metric, read, 2, 3)).toEqual([0, 0]);
  });

  it('knows the position a metric reads only when the metric says', () => {
    const at = (position?: number) => readingAt(logitDiff({ answer: 0, distractor: 1 }), position);
    expect(metricReadPosition(at(-1), 5)).toBe(4);
    expect(metricReadPosition(at(3), 5)).toBe(3);
    expect(metricReadPosition(at(-5), 5)).toBe(0);
    expect(metricReadPosition(at(5), 5)).toBeUndefined();
    expect(metricReadPosition(at(undefined), 5)).toBeUndefined();
  });

  // Two heads of d_head 2, chunks of 1 value: z spends 2 chunks per head.
  const config = { n_heads: 2 } as ModelConfig;
  const layout: AttributionLayout = {
    chunk: 1,
    scored: [
      ['blocks.0.hook_resid_pre', 2],
      ['blocks.0.attn.hook_z', 4],
    ],
    patterns: ['blocks.0.attn.hook_pattern'],
    same: { hook_embed: 'blocks.0.hook_resid_pre' },
    zero: ['hook_pos_embed'],
  };
  // suffix of 2 positions after a prefix of 1: attr [1, 2, 6], attr_pattern [1, 2, 2]
  const outputs = {
    attr: { data: Float32Array.from([1, 2, 1, 1, 2, 2, 3, 4, 10, 10, 20, 20]), dims: [1, 2, 6] },
    attrPattern: { data: Float32Array.from([1, 2, 3, 4]), dims: [1, 2, 2] },
  };
  const hook = (name: string, shape: HookInfo['shape']): HookInfo => ({ name, shape });
  const resid = hook('blocks.0.hook_resid_pre', ['batch', 'pos', 'd_model']);
  const z = hook('blocks.0.attn.hook_z', ['batch', 'pos', 'n_heads', 'd_head']);
  const pattern = hook('blocks.0.attn.hook_pattern', ['batch', 'n_heads', 'query_pos', 'key_pos']);
  const along = (h: HookInfo, over: 'positions' | 'heads', pos = 3) => [
    ...attributionAlongFromGraph(attributionPlaces(layout), config, h, over, outputs, 1, pos),
  ];

  it('sums a hook’s chunks per position, with zero before the suffix and after it', () => {
    expect(along(resid, 'positions')).toEqual([0, 3, 7]);
    expect(along(z, 'positions')).toEqual([0, 6, 60]);
    expect(along(pattern, 'positions')).toEqual([0, 4, 6]);
    // A prompt longer than the suffix run (the metric reads position 2 of 4).
    expect(along(resid, 'positions', 4)).toEqual([0, 3, 7, 0]);
  });

  it('sums each head’s chunks over the positions', () => {
    expect(along(z, 'heads')).toEqual([22, 44]);
    expect(along(pattern, 'heads')).toEqual([3, 7]);
  });

  it('scores a hook as the one it equals, and the positional embedding as zero', () => {
    expect(along(hook('hook_embed', resid.shape), 'positions')).toEqual([0, 3, 7]);
    expect(along(hook('hook_pos_embed', resid.shape), 'positions')).toEqual([0, 0, 0]);
  });
});

/** The model with or without its attribution graph (without: attribution runs on the backward graph). */
async function fromDisk(name: string, attribution: boolean): Promise<HookedModel> {
  const dir = modelDir(name);
  return HookedModel.fromFiles((p) => new Uint8Array(readFileSync(join(dir, p))), {
    backend: 'wasm',
    attribution,
  });
}

/** Every intervention hook of a model, grouped by what it can be swept over. */
function everyHook(model: HookedModel): AttributionGroupsOptions['groups'] {
  const hooks = model.interventionHookNames;
  const withHeads = hooks.filter((h) => model.hookShape(h).includes('n_heads'));
  return [
    { hooks, over: 'positions' },
    { hooks: withHeads, over: 'heads' },
  ];
}

const cases: {
  model: string;
  clean: string;
  corrupted: string;
  answer: string;
  distractor: string;
}[] = [
  {
    model: 'tiny-lm',
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Mary and John went to the store, Mary gave a drink to',
    answer: 'Mary',
    distractor: 'John',
  },
  {
    model: 'tiny-lm',
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Lisa and John went to the store, John gave a drink to',
    answer: 'Mary',
    distractor: 'Lisa',
  },
  {
    model: 'attn-only-2l',
    clean: 'When Mary and John went to the store, John gave a drink to',
    corrupted: 'When Mary and John went to the store, Mary gave a drink to',
    answer: 'Mary',
    distractor: 'John',
  },
  { model: 'modadd', clean: '12 30 =', corrupted: '12 31 =', answer: '42', distractor: '43' },
];

/** max |a − b| / max(1, |b|) over two score arrays. */
function maxRelDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))), 0);
}

describe.each([...new Set(cases.map((c) => c.model))])('the attribution graph on %s', (name) => {
  let fast: HookedModel;
  let reference: HookedModel;
  beforeAll(async () => {
    [fast, reference] = await Promise.all([fromDisk(name, true), fromDisk(name, false)]);
  });
  afterAll(async () => {
    await fast?.release();
    await reference?.release();
  });

  it('is there, and the reference model lacks it', async () => {
    expect(await fast.hasAttributionGraph()).toBe(true);
    expect(await reference.hasAttributionGraph()).toBe(false);
  });

  it.each(cases.filter((c) => c.model === name))(
    'scores every intervention hook as the backward graph does, to 1e-5 ("$corrupted")',
    async (c) => {
      const tok = fast.tokenizer;
      const clean = tok.encode(c.clean);
      const corrupted = tok.encode(c.corrupted);
      // The last position, and (where there is one) a position between the first differing
      // one and the last: the graph runs the prompts up to it, and the rest scores zero.
      const between = attributionStart(clean, corrupted) + 1;
      const positions = between < clean.length - 1 ? [-1, between] : [-1];
      const runs = positions.flatMap((position) =>
        (['denoise', 'noise'] as const).map((direction) => ({ position, direction })),
      );
      for (const { position, direction } of runs) {
        const metric: LogitMetric = logitDiff({
          answer: tok.tokenToId(c.answer),
          distractor: tok.tokenToId(c.distractor),
          position,
        });
        const options = { clean, corrupted, metric, direction, groups: everyHook(fast) };
        const got = await fast.attributionGroups(options);
        const want = await reference.attributionGroups(options);
        got.forEach((g, i) => {
          const w = want[i]!;
          expect(g.hooks).toEqual(w.hooks);
          expect(g.calls).toBe(1);
          expect(maxRelDiff(g.deltas.data, w.deltas.data)).toBeLessThan(1e-5);
          expect(Math.abs(g.clean - w.clean)).toBeLessThan(1e-4);
          expect(Math.abs(g.corrupted - w.corrupted)).toBeLessThan(1e-4);
        });
        // The deltas are not all zero: the comparison has something to compare.
        expect(Math.max(...got[0]!.deltas.data.map(Math.abs))).toBeGreaterThan(1e-3);
      }
    },
  );

  it('runs its graph for a metric that says which position it reads, the backward graph otherwise', async () => {
    const c = cases.find((k) => k.model === name)!;
    const tok = fast.tokenizer;
    const clean = tok.encode(c.clean);
    const corrupted = tok.encode(c.corrupted);
    const start = attributionStart(corrupted, clean);
    const calls = vi.spyOn(fast, 'runAttributionGraph');
    const options = (position: number | undefined) => ({
      clean,
      corrupted,
      groups: everyHook(fast),
      metric: readingAt(
        logitDiff({ answer: tok.tokenToId(c.answer), distractor: tok.tokenToId(c.distractor) }),
        position,
      ),
    });
    try {
      // The same metric, once declaring the last position, once declaring none (it may read
      // any position's logits, and the graph computes one position's): the same scores.
      const viaGraph = await fast.attributionGroups(options(-1));
      expect(calls).toHaveBeenCalledTimes(1);
      const viaBackward = await fast.attributionGroups(options(undefined));
      expect(calls).toHaveBeenCalledTimes(1);
      expect(maxRelDiff(viaGraph[0]!.deltas.data, viaBackward[0]!.deltas.data)).toBeLessThan(1e-5);
      expect(Math.abs(viaGraph[0]!.clean - viaBackward[0]!.clean)).toBeLessThan(1e-4);
      // A metric at a position the prompts share scores zero everywhere (through the graph,
      // where a position before it is shared too).
      if (start > 1) {
        const shared = await fast.attributionGroups(options(start - 1));
        expect(calls).toHaveBeenCalledTimes(2);
        for (const g of shared) expect(Math.max(...g.deltas.data.map(Math.abs))).toBe(0);
      }
    } finally {
      calls.mockRestore();
    }
  });
});

describe('a manifest from before this version of the attribution graph', () => {
  it('leaves attribution to the backward graph, as a returning reader’s cached copy would offline', async () => {
    const dir = modelDir('tiny-lm');
    const before = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    delete before.attribution.version; // version 1: the gradient at every suffix position
    const model = await HookedModel.fromFiles(
      (p) =>
        p === 'manifest.json'
          ? new TextEncoder().encode(JSON.stringify(before))
          : new Uint8Array(readFileSync(join(dir, p))),
      { backend: 'wasm' },
    );
    const calls = vi.spyOn(model, 'runAttributionGraph');
    try {
      expect(await model.hasAttributionGraph()).toBe(false);
      const tok = model.tokenizer;
      const [result] = await model.attributionGroups({
        clean: tok.encode('When Mary and John went to the store, John gave a drink to'),
        corrupted: tok.encode('When Mary and John went to the store, Mary gave a drink to'),
        metric: logitDiff({ answer: tok.tokenToId('Mary'), distractor: tok.tokenToId('John') }),
        groups: everyHook(model),
      });
      expect(calls).not.toHaveBeenCalled();
      expect(Math.max(...result!.deltas.data.map(Math.abs))).toBeGreaterThan(1e-3);
    } finally {
      calls.mockRestore();
      await model.release();
    }
  });
});
