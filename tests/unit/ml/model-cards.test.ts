/**
 * The model-card numbers are recomputed from the committed ONNX files (public/models/<name>/)
 * with onnxruntime-web, on the committed evaluation sets, so that a wrong artifact cannot land:
 * the numbers must match card.json and meet the targets the models exist for.
 * A missing artifact fails this file (tests/support/committed.ts); it is never skipped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softmax, type HookedModel, type Tensor } from '../../../src/ml';
import { COMMITTED_MODELS, committedFile } from '../../support/committed';
import { lastLogits } from '../../../src/widgets/tiny-lm-experiments/held-out-compute';
import { ROOT, loadFromDisk, readJson } from './support';

for (const name of COMMITTED_MODELS) {
  committedFile(`public/models/${name}/card.json`);
  committedFile(`public/models/${name}/manifest.json`);
}
const publicJson = (name: string, file: string) =>
  readJson(join(ROOT, 'public/models', name, file));
const SLOW = 180_000;

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Mean next-token cross-entropy over positions [from, to) of a batch (loss[i] predicts i+1). */
function repeatLoss(
  logits: Tensor,
  ids: readonly (readonly number[])[],
  from: number,
  to: number,
): number {
  const [, pos, vocab] = logits.dims as [number, number, number];
  const losses: number[] = [];
  ids.forEach((row, b) => {
    for (let i = from; i < to; i++) {
      const z = logits.data.subarray((b * pos + i) * vocab, (b * pos + i + 1) * vocab);
      losses.push(-Math.log(softmax(z)[row[i + 1]!]!));
    }
  });
  return mean(losses);
}

describe('the tiny-lm model card', () => {
  interface Card {
    metrics: {
      ioi: { accuracy: number; meanLogitDiff: number; prompts: number };
      greaterThan: { validMass: number; prompts: number };
      facts: { top1: number; prompts: number };
      induction: { firstRepeatLoss: number; secondRepeatLoss: number; length: number };
    };
  }
  interface Sets {
    ioi: { prompt: string; answer: string; distractor: string }[];
    greaterThan: { prompt: string; startYear: number }[];
    facts: { prompt: string; answer: string }[];
    induction: number[][];
  }
  let card: Card;
  let sets: Sets;
  let model: HookedModel;
  beforeAll(async () => {
    card = publicJson('tiny-lm', 'card.json') as Card;
    sets = publicJson('tiny-lm', 'eval-sets.json') as Sets;
    model = await loadFromDisk('tiny-lm');
  });
  afterAll(() => model?.release());

  it(
    'solves held-out IOI prompts: accuracy >= 90%, mean logit difference >= 2, as the card says',
    { timeout: SLOW },
    async () => {
      const t = model.tokenizer;
      const logits = await lastLogits(
        model,
        sets.ioi.map((x) => t.encode(x.prompt)),
      );
      const diffs = sets.ioi.map(
        (x, i) => logits[i]![t.tokenToId(x.answer)]! - logits[i]![t.tokenToId(x.distractor)]!,
      );
      const accuracy = mean(diffs.map((d) => (d > 0 ? 1 : 0)));
      expect(diffs.length).toBe(card.metrics.ioi.prompts);
      expect(accuracy).toBeCloseTo(card.metrics.ioi.accuracy, 2);
      expect(mean(diffs)).toBeCloseTo(card.metrics.ioi.meanLogitDiff, 2);
      expect(accuracy).toBeGreaterThanOrEqual(0.9);
      expect(mean(diffs)).toBeGreaterThanOrEqual(2);
    },
  );

  it(
    'puts >= 0.8 probability on years after the start year (greater-than), as the card says',
    { timeout: SLOW },
    async () => {
      const t = model.tokenizer;
      const logits = await lastLogits(
        model,
        sets.greaterThan.map((x) => t.encode(x.prompt)),
      );
      const yearIds = Array.from({ length: 100 }, (_, y) =>
        t.tokenToId(String(y).padStart(2, '0')),
      );
      const valid = sets.greaterThan.map((x, i) => {
        const p = softmax(logits[i]!);
        return yearIds.reduce((s, id, y) => s + (y > x.startYear ? p[id]! : 0), 0);
      });
      expect(mean(valid)).toBeCloseTo(card.metrics.greaterThan.validMass, 2);
      expect(mean(valid)).toBeGreaterThanOrEqual(0.8);
    },
  );

  it(
    'recalls held-out fact combinations (top-1 >= 90%), as the card says',
    { timeout: SLOW },
    async () => {
      const t = model.tokenizer;
      const logits = await lastLogits(
        model,
        sets.facts.map((x) => t.encode(x.prompt)),
      );
      const top1 = mean(
        sets.facts.map((x, i) => {
          const row = logits[i]!;
          let best = 0;
          for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
          return best === t.tokenToId(x.answer) ? 1 : 0;
        }),
      );
      expect(top1).toBeCloseTo(card.metrics.facts.top1, 2);
      expect(top1).toBeGreaterThanOrEqual(0.9);
    },
  );

  it(
    'predicts the second copy of repeated random tokens far better than the first (induction)',
    { timeout: SLOW },
    async () => {
      const { logits } = await model.runWithCache(sets.induction);
      const length = card.metrics.induction.length;
      const first = repeatLoss(logits, sets.induction, 1, length);
      const second = repeatLoss(logits, sets.induction, length + 1, 2 * length);
      expect(first).toBeCloseTo(card.metrics.induction.firstRepeatLoss, 2);
      expect(second).toBeCloseTo(card.metrics.induction.secondRepeatLoss, 2);
      expect(second).toBeLessThan(first / 2);
    },
  );
});

describe('the attn-only-2l model card', () => {
  interface Card {
    previousTokenHead: string;
    inductionHead: string;
    metrics: {
      previousTokenScores: Record<string, number>;
      inductionScores: Record<string, number>;
      firstRepeatLoss: number;
      secondRepeatLoss: number;
      length: number;
    };
  }
  let card: Card;
  let seqs: number[][];
  let model: HookedModel;
  beforeAll(async () => {
    card = publicJson('attn-only-2l', 'card.json') as Card;
    seqs = (publicJson('attn-only-2l', 'eval-sets.json') as { induction: number[][] }).induction;
    model = await loadFromDisk('attn-only-2l');
  });
  afterAll(() => model?.release());

  /** Mean attention of `head` ("layer.head") from query q to key q - offset, over queries >= from. */
  async function diagonalScore(head: string, offset: number, from: number): Promise<number> {
    const [layer, h] = head.split('.').map(Number) as [number, number];
    const hook = `blocks.${layer}.attn.hook_pattern`;
    const { cache } = await model.runWithCache(seqs, [hook]);
    const pattern = cache.get(hook)!; // [batch, heads, q, k]
    const [batch, heads, pos] = pattern.dims as [number, number, number, number];
    const scores: number[] = [];
    for (let b = 0; b < batch; b++) {
      for (let q = Math.max(from, offset); q < pos; q++) {
        scores.push(pattern.data[((b * heads + h) * pos + q) * pos + q - offset]!);
      }
    }
    return mean(scores);
  }

  it('has an induction head scoring >= 0.5, as the card says', { timeout: SLOW }, async () => {
    const length = card.metrics.length;
    // Query j + L - 1 attends to key j (the token after the previous copy), second copy only.
    const score = await diagonalScore(card.inductionHead, length - 1, length + 1);
    expect(score).toBeCloseTo(card.metrics.inductionScores[card.inductionHead]!, 2);
    expect(score).toBeGreaterThanOrEqual(0.5);
  });

  it('has the previous-token head the card names', { timeout: SLOW }, async () => {
    const score = await diagonalScore(card.previousTokenHead, 1, 1);
    expect(score).toBeCloseTo(card.metrics.previousTokenScores[card.previousTokenHead]!, 2);
  });

  it('predicts the second repeat far better than the first', { timeout: SLOW }, async () => {
    const { logits } = await model.runWithCache(seqs);
    const length = card.metrics.length;
    const first = repeatLoss(logits, seqs, 1, length);
    const second = repeatLoss(logits, seqs, length + 1, 2 * length);
    expect(first).toBeCloseTo(card.metrics.firstRepeatLoss, 2);
    expect(second).toBeCloseTo(card.metrics.secondRepeatLoss, 2);
    expect(second).toBeLessThan(first / 4);
  });
});

describe('the modadd model card', () => {
  interface Card {
    p: number;
    split: { trainMaskBase64: string; nTest: number };
    evaluation: { testAccuracy: number; trainAccuracy: number };
  }
  let card: Card;
  let model: HookedModel;
  beforeAll(async () => {
    card = publicJson('modadd', 'card.json') as Card;
    model = await loadFromDisk('modadd');
  });
  afterAll(() => model?.release());

  /** Accuracy of argmax over 0..p-1 at the last position of [a, b, p] for pairs where `inTrain`. */
  async function accuracy(inTrain: boolean): Promise<{ accuracy: number; pairs: number }> {
    const p = card.p;
    const mask = Buffer.from(card.split.trainMaskBase64, 'base64');
    const pairs: number[][] = [];
    for (let i = 0; i < p * p; i++) {
      const train = ((mask[i >> 3]! >> (i & 7)) & 1) === 1;
      if (train === inTrain) pairs.push([Math.floor(i / p), i % p, p]);
    }
    let correct = 0;
    const vocab = model.config.d_vocab;
    for (let start = 0; start < pairs.length; start += 2048) {
      const chunk = pairs.slice(start, start + 2048);
      const { logits } = await model.runWithCache(chunk);
      chunk.forEach(([a, b], r) => {
        const row = logits.data.subarray((r * 3 + 2) * vocab, (r * 3 + 2) * vocab + p);
        let best = 0;
        for (let j = 1; j < p; j++) if (row[j]! > row[best]!) best = j;
        if (best === (a! + b!) % p) correct++;
      });
    }
    return { accuracy: correct / pairs.length, pairs: pairs.length };
  }

  it(
    'adds modulo p on held-out pairs with >= 99% accuracy, as the card says',
    { timeout: SLOW },
    async () => {
      const test = await accuracy(false);
      expect(test.pairs).toBe(card.split.nTest);
      expect(test.accuracy).toBeCloseTo(card.evaluation.testAccuracy, 3);
      expect(test.accuracy).toBeGreaterThanOrEqual(0.99);
    },
  );
});

it('checks the card of every published model', () => {
  const dir = join(ROOT, 'public/models');
  const cards = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'card.json')));
  expect(cards.sort()).toEqual([...COMMITTED_MODELS].sort());
});
