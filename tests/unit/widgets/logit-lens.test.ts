/**
 * The logit lens and direct logit attribution of the logit-lens widgets, run through src/ml on
 * the random test model (tests/fixtures/models/_lab-random) and, for the presets, on tiny-lm's
 * vocabulary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softmax, Tokenizer, type HookedModel } from '../../../src/ml';
import {
  directLogitAttribution,
  effectsOn,
  lensGrid,
  PROMPT_PRESETS,
  readPrompt,
  topPredictions,
} from '../../../src/widgets/tiny-lm-experiments/lens';
import { loadFromDisk, ROOT } from '../ml/support';
import { committedFile } from '../../support/committed';

let model: HookedModel;
beforeAll(async () => {
  model = await loadFromDisk('_lab-random');
});
afterAll(() => model.release());

const PROMPT = 'When Mary and John went to the store, John gave a drink to';

describe('reading a prompt', () => {
  it('marks words outside the vocabulary and keeps the others', () => {
    const read = readPrompt(model.tokenizer, 'Mary gave a zeppelin to John');
    expect(read.unknown).toEqual(['zeppelin']);
    expect(read.words.map((w) => w.known)).toEqual([true, true, true, false, true, true]);
    expect(read.ids).toEqual(model.tokenizer.encode('Mary gave a zeppelin to John'));
  });

  it("finds every preset's words, answer and distractor in tiny-lm's vocabulary", () => {
    const tokenizer = Tokenizer.fromJson(
      JSON.parse(readFileSync(join(ROOT, 'models/tiny-lm/tokenizer.json'), 'utf8')),
    );
    for (const preset of PROMPT_PRESETS) {
      expect(readPrompt(tokenizer, preset.text).unknown, preset.id).toEqual([]);
      expect(tokenizer.tokenToId(preset.answer), preset.answer).not.toBe(tokenizer.unkId);
      expect(tokenizer.tokenToId(preset.distractor), preset.distractor).not.toBe(tokenizer.unkId);
    }
  });
});

describe('the logit lens grid', () => {
  it("has one row per block plus the embeddings, and its last row is the model's own prediction", async () => {
    const ids = model.tokenizer.encode(PROMPT);
    const lens = await model.logitLens(ids);
    const grid = lensGrid(lens.logits, lens.labels, ids, model.tokenizer);
    expect(grid.cells).toHaveLength(model.config.n_layers + 1);
    expect(grid.positions).toEqual(model.tokenizer.tokens(ids));

    const { logits } = await model.runWithCache(ids);
    const vocab = model.config.d_vocab;
    const finalRow = grid.cells[grid.cells.length - 1]!;
    finalRow.forEach((cell, p) => {
      const probs = softmax(logits.data.subarray(p * vocab, (p + 1) * vocab));
      const best = probs.indexOf(Math.max(...probs));
      expect(cell.token).toBe(model.tokenizer.vocab[best]);
      expect(cell.probability).toBeCloseTo(probs[best]!, 4);
      expect(cell.finalTokenProbability).toBe(cell.probability);
    });
    const top = topPredictions(logits, model.tokenizer, 3);
    expect(top[0]!.token).toBe(finalRow[finalRow.length - 1]!.token);
    expect(top[0]!.probability).toBeGreaterThanOrEqual(top[1]!.probability);
  });

  it('reads a different prediction from an earlier layer of the random model', async () => {
    const ids = model.tokenizer.encode(PROMPT);
    const lens = await model.logitLens(ids);
    const grid = lensGrid(lens.logits, lens.labels, ids, model.tokenizer);
    const tokensAt = (layer: number) => grid.cells[layer]!.map((c) => c.token);
    expect(tokensAt(0)).not.toEqual(tokensAt(grid.cells.length - 1));
  });
});

describe('direct logit attribution', () => {
  it('lists the embeddings, every head, each attention bias and each MLP', async () => {
    const dla = await directLogitAttribution(model, model.tokenizer.encode(PROMPT));
    const { n_layers: layers, n_heads: heads } = model.config;
    expect(dla.components).toHaveLength(2 + layers * (heads + 2));
    expect(dla.components.filter((c) => c.kind === 'head').map((c) => c.label)).toContain('L1H3');
  });

  it("adds up, over all components plus the biases, to the model's logits for every token", async () => {
    const dla = await directLogitAttribution(model, model.tokenizer.encode(PROMPT));
    let worst = 0;
    for (let t = 0; t < dla.logits.length; t++) {
      const sum = dla.effects.reduce((s, e) => s + e[t]!, dla.constant[t]!);
      worst = Math.max(worst, Math.abs(sum - dla.logits[t]!));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('splits a logit difference into per-component parts that add up to it and differ', async () => {
    const ids = model.tokenizer.encode(PROMPT);
    const dla = await directLogitAttribution(model, ids);
    const mary = model.tokenizer.tokenToId('Mary');
    const john = model.tokenizer.tokenToId('John');
    const diffs = effectsOn(dla, mary, john);
    const total = diffs.reduce((s, d) => s + d, dla.constant[mary]! - dla.constant[john]!);
    expect(total).toBeCloseTo(dla.logits[mary]! - dla.logits[john]!, 3);
    expect(new Set(diffs.map((d) => d.toFixed(4))).size).toBeGreaterThan(diffs.length / 2);
  });
});

// The committed model these tests run: missing, it fails this file rather than skipping it.
committedFile('public/models/tiny-lm/manifest.json');

describe('on tiny-lm (committed model)', () => {
  let tiny: HookedModel;
  beforeAll(async () => {
    tiny = await loadFromDisk('tiny-lm');
  });
  afterAll(() => tiny.release());

  it.each(['ioi', 'city', 'athlete'])(
    'reads the expected answer of the %s preset in the lens’s last layer, with a positive logit difference',
    async (id) => {
      const preset = PROMPT_PRESETS.find((p) => p.id === id)!;
      const ids = tiny.tokenizer.encode(preset.text);
      const lens = await tiny.logitLens(ids);
      const grid = lensGrid(lens.logits, lens.labels, ids, tiny.tokenizer);
      const last = grid.cells[grid.cells.length - 1]!;
      expect(last[last.length - 1]!.token).toBe(preset.answer);
      const dla = await directLogitAttribution(tiny, ids);
      const answer = tiny.tokenizer.tokenToId(preset.answer);
      const distractor = tiny.tokenizer.tokenToId(preset.distractor);
      expect(dla.logits[answer]! - dla.logits[distractor]!).toBeGreaterThan(1);
    },
  );
});
