/**
 * The experiment cards' runners of the logit-lens, direct-logit-attribution, activation-patching
 * and attribution-patching widgets, run on tiny-lm from the committed files: each poses a fresh
 * held-out setting per seed, answers with one of the choices it offered, shows the principle it
 * teaches on most seeds (the measured share is printed and held to a floor), and agrees with the
 * worked example its card shows on the widget's default prompt.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ExperimentEnv,
  ExperimentResult,
  ExperimentRunner,
  PosedExperiment,
} from '../../../src/widgets/kit/experiment-card';
import { experimentRunner } from '../../../src/widgets/experiment-cards';
import { PROMPT_PRESETS } from '../../../src/widgets/tiny-lm-experiments/lens';
import { lensSettling } from '../../../src/widgets/logit-lens/logit-lens.experiment';
import { largestDirectEffect } from '../../../src/widgets/direct-logit-attribution/direct-logit-attribution.experiment';
import {
  percent,
  restoredByWord,
} from '../../../src/widgets/activation-patching/activation-patching.experiment';
import {
  estimateBand,
  swapEstimate,
} from '../../../src/widgets/attribution-patching/attribution-patching.experiment';
import { ioiPair } from '../../../src/widgets/tiny-lm-experiments/tasks';
import { settleChoice, settledLayer } from '../../../src/widgets/logit-lens/settle';
import type { LensGrid } from '../../../src/widgets/tiny-lm-experiments/lens';
import { rawPaperRecords } from '../../support/content';
import { diskExperimentEnv } from './experiment-env';

const env: ExperimentEnv = diskExperimentEnv();
afterAll(async () => (await env.model('tiny-lm')).release());

/** Seeds every runner is tried on. */
const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + 7919 * i);

interface Trial<T> {
  readonly posed: PosedExperiment<T>;
  readonly result: ExperimentResult;
}

/** Poses and runs `runner` on every seed, through the registry as the review screens do. */
async function trials<T>(id: string): Promise<Trial<T>[]> {
  const runner = (await experimentRunner(id)) as ExperimentRunner<T> | null;
  if (!runner) throw new Error(`no runner ${id} in the registry`);
  const out: Trial<T>[] = [];
  for (const seed of SEEDS) {
    const posed = await runner.pose(seed, env);
    out.push({ posed, result: await runner.run(posed, env) });
  }
  return out;
}

/** The worked example (front and back) of experiment `id` in paper record `paper`. */
function workedExample(paper: string, id: string): { front: string; back: string } {
  const record = rawPaperRecords().find((r) => r.data['id'] === paper);
  const experiments = (record?.data['experiments'] ?? []) as {
    id: string;
    card: { front: string; back: string };
  }[];
  const experiment = experiments.find((e) => e.id === id);
  if (!experiment) throw new Error(`${paper} has no experiment ${id}`);
  return experiment.card;
}

/** Checks shared by every runner: fresh settings, the same one per seed, valid outcomes. */
async function expectWellFormed<T>(id: string, all: readonly Trial<T>[]): Promise<void> {
  const setups = new Set(all.map((t) => t.posed.setup));
  expect(setups.size, 'distinct settings over the seeds').toBeGreaterThanOrEqual(all.length / 2);
  const runner = (await experimentRunner(id))!;
  const again = await runner.pose(SEEDS[3]!, env);
  expect(again.setup).toBe(all[3]!.posed.setup);
  for (const { posed, result } of all) {
    expect(posed.question).toMatch(/\?$/);
    expect(result.result.split('\n')).toHaveLength(1);
    expect(result.reason.split('\n')).toHaveLength(1);
    if (posed.asked.kind === 'choice') {
      expect(result.outcome.kind).toBe('choice');
      const values = posed.asked.choices.map((c) => c.value);
      expect(values).toContain(result.outcome.value);
    } else {
      expect(result.outcome.kind).toBe('number');
      expect(result.outcome.value).toBeGreaterThanOrEqual(posed.asked.min);
      expect(result.outcome.value).toBeLessThanOrEqual(posed.asked.max);
    }
  }
}

/** The share of trials whose outcome is `value`, printed for the report. */
function shareOf(id: string, all: readonly Trial<unknown>[], value: string): number {
  const held = all.filter((t) => t.result.outcome.value === value).length;
  console.log(`${id}: the principled answer held on ${held} of ${all.length} seeds`);
  return held / all.length;
}

/** A lens grid of one position whose top tokens, layer by layer, are `tokens`. */
function gridOf(tokens: readonly string[]): LensGrid {
  return {
    layers: tokens.map((_, l) => `layer ${l}`),
    positions: ['to'],
    cells: tokens.map((token, layer) => [
      { layer, position: 0, token, probability: 0.5, finalTokenProbability: 0.5 },
    ]),
  };
}

describe('where the logit lens settles', () => {
  it('is the first layer from which the top token stays the final one', () => {
    expect(settledLayer(gridOf(['the', 'Mary', 'the', 'Mary', 'Mary']))).toBe(3);
    expect(settledLayer(gridOf(['Mary', 'Mary', 'Mary']))).toBe(0);
    expect(settledLayer(gridOf(['the', 'a', 'Mary']))).toBe(2);
  });

  it('falls in the first half, later, or only the last of the columns', () => {
    expect([0, 1, 2, 3, 4].map((layer) => settleChoice(layer, 5))).toEqual([
      'early',
      'early',
      'early',
      'late',
      'last',
    ]);
  });
});

describe('the logit lens card: from which layer on does the lens show the answer?', () => {
  const ID = 'logit-lens/first-top-layer';
  let all: Trial<unknown>[] = [];

  it('poses a held-out IOI sentence per seed and answers with one of its five layers', async () => {
    all = await trials(ID);
    await expectWellFormed(ID, all);
    expect(all[0]!.posed.asked.kind === 'choice' && all[0]!.posed.asked.choices).toHaveLength(5);
  }, 120_000);

  it('finds the copied name only at the output on at least 80% of the seeds', () => {
    // Measured: 171 of tiny-lm's 200 held-out IOI prompts settle at the output, 25 after block 2.
    expect(all.length).toBe(SEEDS.length);
    expect(shareOf(ID, all, '4')).toBeGreaterThanOrEqual(0.8);
  });

  it("matches its worked example on the widget's default prompt", async () => {
    const preset = PROMPT_PRESETS[0]!;
    const settling = await lensSettling(await env.model('tiny-lm'), preset.text);
    const card = workedExample('logit-lens', 'first-top-layer');
    expect(card.front).toContain(preset.text);
    expect(card.front).toContain(settling.answer);
    expect(settling.answer).toBe(preset.answer);
    expect(card.back).toMatch(
      new RegExp(`^Only ${settling.layers[settling.settled]!}, the output`),
    );
    expect(card.back).toContain(
      `${settling.layers[settling.settled - 1]!} the lens still reads "${settling.before!}"`,
    );
  });
});

describe('the direct logit attribution card: which kind of component writes a fact most directly?', () => {
  const ID = 'direct-logit-attribution/largest-component';
  let all: Trial<unknown>[] = [];

  it('poses a held-out fact against another answer of its kind per seed', async () => {
    all = await trials(ID);
    await expectWellFormed(ID, all);
    const distractors = new Set(
      all.map((t) => (t.posed.data as { distractor: string }).distractor),
    );
    expect(distractors.size).toBeGreaterThan(3);
  }, 120_000);

  it('finds an MLP layer largest on at least 90% of the seeds', () => {
    // Measured: an MLP was largest on all 264 held-out fact prompts (against a random other answer).
    expect(all.length).toBe(SEEDS.length);
    expect(shareOf(ID, all, 'mlp')).toBeGreaterThanOrEqual(0.9);
  });

  it("matches its worked example on the widget's fact preset", async () => {
    const preset = PROMPT_PRESETS.find((p) => p.id === 'city')!;
    const effect = await largestDirectEffect(
      await env.model('tiny-lm'),
      preset.text,
      preset.answer,
      preset.distractor,
    );
    const card = workedExample('logit-lens', 'largest-component');
    expect(card.front).toContain(preset.text);
    expect(card.front).toContain(`logit(${preset.answer}) − logit(${preset.distractor})`);
    expect(effect.largest.kind).toBe('mlp');
    const shown = (value: number) => `+${value.toFixed(2)}`;
    expect(card.back).toContain(`${effect.largest.label} writes ${shown(effect.largest.value)}`);
    expect(card.back).toContain(
      `the largest head (${effect.byKind.head.label}) only ${shown(effect.byKind.head.value)}`,
    );
  });
});

describe('the activation patching card: which word restores the answer at one layer?', () => {
  const ID = 'activation-patching/restoring-position';
  let all: Trial<{ layer: number }>[] = [];

  it('poses a held-out IOI pair at one of the five residual layers per seed', async () => {
    all = await trials(ID);
    await expectWellFormed(ID, all);
    expect(new Set(all.map((t) => t.posed.data.layer)).size).toBe(5);
  }, 120_000);

  it('restores most at the repeated name before block 0 and at the last word after it', () => {
    // Measured on the default pair and 80 held-out pairs: held at every layer of every pair.
    const principled = all.filter(({ posed, result }) => {
      const expected = posed.data.layer === 0 ? 's2' : 'end';
      return result.outcome.value === expected;
    });
    console.log(`${ID}: the principled answer held on ${principled.length} of ${all.length} seeds`);
    expect(all.length).toBe(SEEDS.length);
    expect(principled.length / all.length).toBeGreaterThanOrEqual(0.9);
  });

  it("matches its worked example on the widget's default pair", async () => {
    const model = await env.model('tiny-lm');
    const preset = PROMPT_PRESETS[0]!;
    const pair = ioiPair(model.tokenizer, {
      prompt: preset.text,
      answer: preset.answer,
      distractor: preset.distractor,
    });
    const restored = await restoredByWord(model, pair, 1);
    const card = workedExample('how-to-use-activation-patching', 'restoring-position');
    expect(card.front).toContain(preset.text);
    expect(card.front).toContain('before block 1');
    expect(Math.max(restored.io, restored.s2, restored.next)).toBeLessThan(restored.end);
    expect(card.back).toContain(
      `The last word, "to": ${percent(restored.end)} of the clean logit difference; the repeated name ${percent(restored.s2)}.`,
    );
  });
});

describe('the attribution patching card: how does the estimate of a token swap compare?', () => {
  const ID = 'attribution-patching/token-swap-estimate';
  let all: Trial<unknown>[] = [];

  it('poses a held-out IOI pair per seed and places the estimate in one of three bands', async () => {
    all = await trials(ID);
    await expectWellFormed(ID, all);
    // Real patching of the whole first stream at the only changed word makes the run clean.
    for (const { result } of all) expect(result.result).toMatch(/^Real patching restores 100% /);
  }, 180_000);

  it('falls short of three quarters of the real effect on at least 80% of the seeds', () => {
    // Measured: 175 of tiny-lm's 200 held-out IOI pairs fall short (median estimate 29%).
    expect(all.length).toBe(SEEDS.length);
    expect(shareOf(ID, all, 'under')).toBeGreaterThanOrEqual(0.8);
  });

  it("matches its worked example on the widget's default pair", async () => {
    const model = await env.model('tiny-lm');
    const preset = PROMPT_PRESETS[0]!;
    const pair = ioiPair(model.tokenizer, {
      prompt: preset.text,
      answer: preset.answer,
      distractor: preset.distractor,
    });
    const swap = await swapEstimate(model, pair);
    const card = workedExample('attribution-patching', 'token-swap-estimate');
    expect(card.front).toContain(preset.text);
    expect(estimateBand(swap)).toBe('under');
    expect(card.back).toContain(
      `Under three quarters: ${percent(swap.estimate)} of the ${swap.span.toFixed(1)}-logit gap.`,
    );
  });
});
