/**
 * The steering-vectors widget's computation (ActAdd): the vector from a contrast pair, where it is
 * added, greedy continuations with and without it, and the sentiment measure. Run on the random
 * test model and (once committed) on tiny-lm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensor, type HookedModel } from '../../../src/ml';
import {
  continueBoth,
  rowNorms,
  sentimentByCoefficient,
  sentimentIds,
  sentimentWords,
  steeringAddition,
  steeringVector,
  STEERING_DEFAULTS,
  untilEnd,
  type SteeringPlacement,
  type SteeringSetup,
} from '../../../src/widgets/tiny-lm-experiments/steering';
import { loadFromDisk } from '../ml/support';
import { committedFile } from '../../support/committed';

describe('where the steering vector is added', () => {
  const vector = tensor([0, 0, 1, 2, 3, 4], [3, 2]); // three positions, d_model 2

  it("adds the pair's rows at the prompt's first positions, scaled (ActAdd)", () => {
    const add = steeringAddition(vector, 2, 5, 'start', true);
    expect(add.dims).toEqual([1, 5, 2]);
    expect(Array.from(add.data)).toEqual([0, 0, 2, 4, 6, 8, 0, 0, 0, 0]);
  });

  it('adds the last row (where the pair differs last) at every position after <bos>', () => {
    const add = steeringAddition(vector, 1, 4, 'every', true);
    expect(Array.from(add.data)).toEqual([0, 0, 3, 4, 3, 4, 3, 4]);
  });

  it('adds the last row at <bos> as well with everyWithBos', () => {
    const add = steeringAddition(vector, 1, 3, 'everyWithBos', true);
    expect(Array.from(add.data)).toEqual([3, 4, 3, 4, 3, 4]);
  });

  it('adds nothing with coefficient 0', () => {
    expect(steeringAddition(vector, 0, 4, 'start', true).data.every((v) => v === 0)).toBe(true);
  });
});

describe('the end of a continuation', () => {
  it('is the first <bos>, which starts a new document', () => {
    expect(untilEnd([5, 6, 0, 7], 0)).toEqual([5, 6]);
    expect(untilEnd([5, 6, 7], 0)).toEqual([5, 6, 7]);
    expect(untilEnd([5, 0], null)).toEqual([5, 0]);
  });
});

describe('sentiment words', () => {
  it('counts the positive and negative adjectives in a text', () => {
    expect(sentimentWords(['it', 'is', 'great', 'and', 'not', 'awful'])).toEqual({
      positive: ['great'],
      negative: ['awful'],
    });
  });
});

describe('on the random test model', () => {
  let model: HookedModel;
  let setup: SteeringSetup;
  let prompt: number[];
  beforeAll(async () => {
    model = await loadFromDisk('_lab-random');
    const t = model.tokenizer;
    const vector = await steeringVector(model, t.encode('Mary'), t.encode('John'), 1);
    setup = { layer: 1, vector, placement: 'start' };
    prompt = t.encode('When Mary and John went to the store');
  });
  afterAll(() => model.release());

  it('is zero at <bos>, where both prompts are the same, and not zero at the word', () => {
    const norms = rowNorms(setup.vector);
    expect(norms[0]).toBe(0);
    expect(norms[1]).toBeGreaterThan(0);
  });

  it('refuses a contrast pair of different lengths', async () => {
    const t = model.tokenizer;
    await expect(steeringVector(model, t.encode('Mary'), t.encode('John Mary'), 0)).rejects.toThrow(
      /same number of words/,
    );
  });

  it('reproduces the unsteered continuation with coefficient 0, and changes it with a large one', async () => {
    const zero = await continueBoth(model, prompt, setup, 0, 8);
    expect(zero.plain).toHaveLength(8);
    expect(zero.steered).toEqual(zero.plain);
    const strong = await continueBoth(model, prompt, setup, 40, 8);
    expect(strong.plain).toEqual(zero.plain);
    expect(strong.steered).not.toEqual(strong.plain);
  });

  it('never runs past the context length', async () => {
    const long = await continueBoth(model, prompt, setup, 1, 100);
    expect(prompt.length + long.plain.length).toBeLessThanOrEqual(model.config.n_ctx);
    expect(long.plain.length).toBeGreaterThan(0);
  });

  it('measures a logit difference for many coefficients in one call, unchanged at 0', async () => {
    // The random model knows no sentiment adjectives: measure Mary against John instead.
    const t = model.tokenizer;
    const words = { positive: [t.tokenToId('Mary')], negative: [t.tokenToId('John')] };
    const plain = await sentimentByCoefficient(model, prompt, setup, [0], words);
    const sweep = await sentimentByCoefficient(model, prompt, setup, [-20, 0, 20], words);
    expect(sweep[1]).toBeCloseTo(plain[0]!, 5);
    expect(sweep[0]).not.toBeCloseTo(sweep[2]!, 2);
  });
});

// The committed model these tests run: missing, it fails this file rather than skipping it.
committedFile('public/models/tiny-lm/manifest.json');

describe('on tiny-lm (committed model)', () => {
  let model: HookedModel;
  beforeAll(async () => {
    model = await loadFromDisk('tiny-lm');
  });
  afterAll(() => model.release());

  it('knows every sentiment word', () => {
    const { positive, negative } = sentimentIds(model.tokenizer);
    expect(positive).toHaveLength(9);
    expect(negative).toHaveLength(9);
  });

  it('turns a neutral prompt more positive with love − hate, and more negative with its opposite (the widget’s default layer and placement)', async () => {
    const t = model.tokenizer;
    const { layer, placement, coefficient } = STEERING_DEFAULTS;
    const vector = await steeringVector(model, t.encode('love'), t.encode('hate'), layer);
    const [negative, zero, positive] = await sentimentByCoefficient(
      model,
      t.encode(STEERING_DEFAULTS.prompt),
      { layer, vector, placement },
      [-coefficient, 0, coefficient],
    );
    expect(positive!).toBeGreaterThan(zero! + 1);
    expect(negative!).toBeLessThan(zero! - 1);
  });

  // The claims of the widget's notes beside its figures, on its default prompt.
  const curve = async (layer: number, placement: SteeringPlacement, coefficients: number[]) => {
    const t = model.tokenizer;
    const vector = await steeringVector(model, t.encode('love'), t.encode('hate'), layer);
    return sentimentByCoefficient(
      model,
      t.encode(STEERING_DEFAULTS.prompt),
      { layer, vector, placement },
      coefficients,
    );
  };

  it('writes "wonderful" at the default coefficient and "awful" with it negated', async () => {
    const t = model.tokenizer;
    const { layer, placement, coefficient } = STEERING_DEFAULTS;
    const vector = await steeringVector(model, t.encode('love'), t.encode('hate'), layer);
    const prompt = t.encode(STEERING_DEFAULTS.prompt);
    const setup = { layer, vector, placement };
    const up = await continueBoth(model, prompt, setup, coefficient, 12);
    const down = await continueBoth(model, prompt, setup, -coefficient, 12);
    expect(t.tokens(up.steered)[0]).toBe('wonderful');
    expect(t.tokens(down.steered)[0]).toBe('awful');
  });

  it('moves the curve the wrong way at every position after <bos> before blocks 1–3', async () => {
    for (const layer of [1, 2, 3]) {
      const [down, zero, up] = await curve(layer, 'every', [-4, 0, 4]);
      expect(up!, `before block ${layer}`).toBeLessThan(zero!);
      expect(down!, `before block ${layer}`).toBeGreaterThan(zero!);
    }
  });

  it('moves it the right way before blocks 1 and 2 when <bos> gets the vector too, bending back before ±10', async () => {
    for (const layer of [1, 2]) {
      const [far, down, zero, up, farUp] = await curve(layer, 'everyWithBos', [-10, -3, 0, 3, 10]);
      expect(up!, `before block ${layer}`).toBeGreaterThan(zero!);
      expect(down!, `before block ${layer}`).toBeLessThan(zero!);
      expect(farUp!).toBeLessThan(up!);
      expect(far!).toBeGreaterThan(down!);
    }
  });
});
