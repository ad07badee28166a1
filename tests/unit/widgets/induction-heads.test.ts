/**
 * The induction-heads widget's computation: repeated random sequences, head scores from attention
 * patterns, and path ablation into layer 1's keys and queries. Run on hand-made patterns, on the
 * random test model, and (once committed) on attn-only-2l against its model card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookedModel, Tensor } from '../../../src/ml';
import {
  ablatedCopyLosses,
  bestHead,
  compositionScores,
  headName,
  headScores,
  inductionRun,
  repeatedSequence,
  wordIds,
} from '../../../src/widgets/induction-heads/induction';
import { loadFromDisk, readJson } from '../ml/support';
import { committedFile } from '../../support/committed';

/** A pattern [1, 2, q, q]: head 0 attends to the previous token, head 1 as an induction head. */
function idealPatterns(length: number): Tensor {
  const q = 1 + 2 * length;
  const data = new Float32Array(2 * q * q);
  for (let p = 0; p < q; p++) {
    data[p * q + Math.max(0, p - 1)] = 1;
    const target = p > length ? p - length + 1 : 0;
    data[q * q + p * q + target] = 1;
  }
  return { data, dims: [1, 2, q, q] };
}

describe('repeated random sequences', () => {
  it('are <bos>, L words, and the same L words again, the same for the same seed', () => {
    const words = [5, 6, 7, 8, 9];
    const a = repeatedSequence(words, 0, 10, 42);
    expect(a).toHaveLength(21);
    expect(a[0]).toBe(0);
    expect(a.slice(1, 11)).toEqual(a.slice(11));
    expect(a.slice(1).every((id) => words.includes(id))).toBe(true);
    expect(repeatedSequence(words, 0, 10, 42)).toEqual(a);
    expect(repeatedSequence(words, 0, 10, 43)).not.toEqual(a);
  });
});

describe('head scores from attention patterns', () => {
  it('give an exact previous-token head 1 and an exact induction head 1', () => {
    const scores = headScores([idealPatterns(6)], 6);
    expect(scores.previousToken[0]![0]).toBe(1);
    expect(scores.induction[0]![1]).toBe(1);
    expect(scores.induction[0]![0]).toBeLessThan(0.2);
    expect(bestHead(scores.induction, 0)).toEqual({ layer: 0, head: 1, score: 1 });
  });
});

describe('on the random test model', () => {
  let model: HookedModel;
  beforeAll(async () => {
    model = await loadFromDisk('_lab-random');
  });
  afterAll(() => model.release());

  it('scores every head between 0 and 1 and names one head per layer', async () => {
    const words = wordIds(model.tokenizer);
    const sequences = [1, 2].map((s) => repeatedSequence(words, model.tokenizer.bosId, 8, s));
    const run = await inductionRun(model, sequences, 8);
    const all = [...run.scores.previousToken, ...run.scores.induction].flat();
    expect(all).toHaveLength(2 * 2 * model.config.n_heads);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all)).toBeLessThanOrEqual(1);
    expect(run.previousTokenHead.layer).toBe(0);
    expect(run.inductionHead.layer).toBe(1);
    expect(run.patterns[0]!.dims).toEqual([2, model.config.n_heads, 17, 17]);
  });

  it("measures the second copy's loss with each head ablated, against the intact loss", async () => {
    const words = wordIds(model.tokenizer);
    const sequences = [5, 6].map((s) => repeatedSequence(words, model.tokenizer.bosId, 8, s));
    const run = await inductionRun(model, sequences, 8);
    const losses = await ablatedCopyLosses(model, sequences, 8, 1);
    expect(losses.baseline).toBeCloseTo(run.secondCopyLoss, 4);
    expect(losses.ablated).toHaveLength(model.config.n_heads);
    expect(losses.ablated.some((l) => Math.abs(l - losses.baseline) > 1e-4)).toBe(true);
  });

  it('changes layer 1 only through the path it patches (keys or queries)', async () => {
    const words = wordIds(model.tokenizer);
    const sequences = [3, 4].map((s) => repeatedSequence(words, model.tokenizer.bosId, 8, s));
    const composition = await compositionScores(model, sequences, 8);
    const heads = model.config.n_heads;
    expect(composition.keys).toHaveLength(heads);
    const run = await inductionRun(model, sequences, 8);
    expect(composition.baseline).toEqual(run.scores.induction[1]);
    // Ablating a layer-0 head moves layer 1's scores, by different amounts along each path.
    const moved = (m: number[][]) =>
      Math.max(...m.flatMap((row) => row.map((v, h) => Math.abs(v - composition.baseline[h]!))));
    expect(moved(composition.keys)).toBeGreaterThan(1e-4);
    expect(moved(composition.queries)).toBeGreaterThan(1e-4);
    expect(composition.keys).not.toEqual(composition.queries);
  });
});

const CARD = committedFile('public/models/attn-only-2l/card.json');

describe('on attn-only-2l (committed model)', () => {
  let model: HookedModel;
  let card: { previousTokenHead: string; inductionHead: string };
  beforeAll(async () => {
    model = await loadFromDisk('attn-only-2l');
    card = readJson(CARD) as typeof card;
  });
  afterAll(() => model.release());

  it('finds the previous-token head and the induction head the model card names', async () => {
    const words = wordIds(model.tokenizer);
    const sequences = [1, 2, 3, 4].map((s) =>
      repeatedSequence(words, model.tokenizer.bosId, 25, s),
    );
    const run = await inductionRun(model, sequences, 25);
    expect(headName(run.inductionHead.layer, run.inductionHead.head)).toBe(card.inductionHead);
    expect(headName(run.previousTokenHead.layer, run.previousTokenHead.head)).toBe(
      card.previousTokenHead,
    );
    expect(run.inductionHead.score).toBeGreaterThanOrEqual(0.5);
    expect(run.secondCopyLoss).toBeLessThan(run.firstCopyLoss / 4);
  });

  it("shows the induction head's keys depend on the previous-token head (K-composition)", async () => {
    const words = wordIds(model.tokenizer);
    const sequences = [5, 6, 7, 8].map((s) =>
      repeatedSequence(words, model.tokenizer.bosId, 25, s),
    );
    const composition = await compositionScores(model, sequences, 25);
    const [, prev] = card.previousTokenHead.split('.').map(Number) as [number, number];
    const [, ind] = card.inductionHead.split('.').map(Number) as [number, number];
    const base = composition.baseline[ind]!;
    const keyDrop = (a: number) => base - composition.keys[a]![ind]!;
    const queryDrop = (a: number) => base - composition.queries[a]![ind]!;
    // The previous-token head is the layer-0 head whose removal from the keys hurts most …
    const drops = composition.keys.map((_, a) => keyDrop(a));
    expect(drops.indexOf(Math.max(...drops))).toBe(prev);
    // … by far more than its removal from the queries does.
    expect(keyDrop(prev)).toBeGreaterThan(0.2);
    expect(keyDrop(prev)).toBeGreaterThan(3 * Math.abs(queryDrop(prev)));
  });

  it('needs the previous-token head and the induction head to predict the second copy', async () => {
    const words = wordIds(model.tokenizer);
    const sequences = [9, 10, 11, 12].map((s) =>
      repeatedSequence(words, model.tokenizer.bosId, 25, s),
    );
    const [, prev] = card.previousTokenHead.split('.').map(Number) as [number, number];
    const [, ind] = card.inductionHead.split('.').map(Number) as [number, number];
    const layer0 = await ablatedCopyLosses(model, sequences, 25, 0);
    const layer1 = await ablatedCopyLosses(model, sequences, 25, 1);
    expect(layer0.ablated[prev]!).toBeGreaterThan(layer0.baseline + 1);
    expect(layer1.ablated[ind]!).toBeGreaterThan(layer1.baseline + 0.5);
  });
});
