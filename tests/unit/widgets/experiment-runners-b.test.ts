/**
 * The experiment cards of the IOI, greater-than, steering and DAS widgets, run on tiny-lm's
 * committed files: each poses a varied held-out setting per seed, answers with one of its own
 * choices, gives the answer the technique's principle predicts on at least a measured share of
 * seeds (printed), and agrees with the worked example in its paper's record on the widget's
 * default setting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { HookedModel } from '../../../src/ml';
import {
  carryingPartRunner,
  dasFile,
  partMoves,
  carryingPart,
  pairPool,
  type CarryingPartSetting,
} from '../../../src/widgets/das-illusion/das-illusion.experiment';
import { openingPair, type DasFile } from '../../../src/widgets/das-illusion/subspace';
import { experimentRunner } from '../../../src/widgets/experiment-cards';
import {
  bandOf,
  laterShare,
  laterYearsShare,
  type LaterShareSetting,
} from '../../../src/widgets/greater-than/greater-than.experiment';
import { yearPrompt, YEAR_TEMPLATES } from '../../../src/widgets/greater-than/years';
import { ioiBatch, IOI_TEMPLATES } from '../../../src/widgets/ioi-circuit/circuit';
import {
  runIoiPosition,
  whereTheAnswerSits,
  type IoiPositionSetting,
} from '../../../src/widgets/ioi-circuit/ioi-circuit.experiment';
import type {
  ExperimentEnv,
  ExperimentResult,
  ExperimentRunner,
  PosedExperiment,
} from '../../../src/widgets/kit/experiment-card';
import { judge } from '../../../src/widgets/kit/prediction';
import { fixed } from '../../../src/widgets/kit/widget-parts';
import {
  CONTRAST_PAIRS,
  SHIFT_COEFFICIENTS,
  sentimentShift,
  sentimentShiftRunner,
  shiftOf,
  type SentimentShiftSetting,
} from '../../../src/widgets/steering-vectors/steering-vectors.experiment';
import { heldOutSets } from '../../../src/widgets/tiny-lm-experiments/held-out';
import {
  sentimentByCoefficient,
  steeringVector,
  STEERING_DEFAULTS,
} from '../../../src/widgets/tiny-lm-experiments/steering';
import { YEAR_TOKENS } from '../../../src/widgets/tiny-lm-experiments/tasks';
import { ROOT } from '../ml/support';
import { diskExperimentEnv } from './experiment-env';

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + 7919 * i);
/** Tests that run the model over many settings: generous, for a loaded two-core machine. */
const MANY_RUNS = 120_000;

interface Trial<T> {
  readonly posed: PosedExperiment<T>;
  readonly result: ExperimentResult;
}

let env: ExperimentEnv;
let model: HookedModel;
beforeAll(async () => {
  env = diskExperimentEnv();
  model = await env.model('tiny-lm');
});

async function trials<T>(runner: ExperimentRunner<T>): Promise<Trial<T>[]> {
  const out: Trial<T>[] = [];
  for (const seed of SEEDS) {
    const posed = await runner.pose(seed, env);
    out.push({ posed, result: await runner.run(posed, env) });
  }
  return out;
}

/** The card of experiment `id` in a paper's record. */
function recordCard(paper: string, id: string): { runner: string; front: string; back: string } {
  const record = parse(readFileSync(join(ROOT, 'content/papers', `${paper}.yaml`), 'utf8')) as {
    experiments?: { id: string; runner: string; card: { front: string; back: string } }[];
  };
  const found = record.experiments?.find((e) => e.id === id);
  if (!found) throw new Error(`${paper} has no experiment ${id}`);
  return { runner: found.runner, ...found.card };
}

/** Checks every runner must pass; returns the share of trials where `principled` held. */
async function commonChecks<T>(
  runner: ExperimentRunner<T>,
  all: readonly Trial<T>[],
  principled: (data: T) => string,
): Promise<number> {
  expect(await experimentRunner(runner.id)).toBe(runner);
  expect(runner.models).toEqual(['tiny-lm']);
  // Same seed, same setting; the settings vary across seeds.
  expect((await runner.pose(SEEDS[3]!, env)).setup).toBe(all[3]!.posed.setup);
  const setups = new Set(all.map((t) => t.posed.setup));
  expect(setups.size).toBeGreaterThanOrEqual(all.length / 2);
  for (const { posed, result } of all) {
    expect(posed.question.endsWith('?')).toBe(true);
    if (posed.asked.kind !== 'choice' || result.outcome.kind !== 'choice')
      throw new Error('these cards ask for a choice');
    expect(posed.asked.choices.map((c) => c.value)).toContain(result.outcome.value);
    for (const line of [result.result, result.reason]) {
      expect(line).not.toMatch(/\n|NaN|undefined/);
      expect(line.length).toBeGreaterThan(20);
    }
  }
  const held = all.filter((t) => judge(principled(t.posed.data), t.result.outcome).held).length;
  const share = held / all.length;
  console.info(`${runner.id}: the principled answer held on ${held} of ${all.length} seeds`);
  return share;
}

describe('the IOI card: which position carries the answer at a block’s input', () => {
  test(
    'from block 1 on the last word carries it, at block 0 only the repeated name can',
    async () => {
      const all = await trials(whereTheAnswerSits);
      const principled = (s: IoiPositionSetting) => (s.layer === 0 ? 's2' : 'end');
      // Measured: 40 of 40 seeds; 100 of 100 in the pool test below.
      expect(await commonChecks(whereTheAnswerSits, all, principled)).toBeGreaterThanOrEqual(0.9);
      // Both answers come up, so the card is not one fixed reply.
      const answers = new Set(all.map((t) => principled(t.posed.data)));
      expect(answers).toEqual(new Set(['s2', 'end']));
    },
    MANY_RUNS,
  );

  test(
    'over 25 held-out prompts at every block, too',
    async () => {
      const sets = await heldOutSets(env);
      let held = 0;
      let runs = 0;
      for (const item of sets.ioi.slice(0, 25))
        for (let layer = 0; layer < model.config.n_layers; layer++) {
          const { position } = await runIoiPosition({ ...item, layer }, model);
          held += Number(position === (layer === 0 ? 's2' : 'end'));
          runs++;
        }
      console.info(
        `IOI pool: the principled position on ${held} of ${runs} prompt × block settings`,
      );
      expect(held / runs).toBeGreaterThanOrEqual(0.95);
    },
    MANY_RUNS,
  );

  test('the worked example is what the runner gives on the widget’s default prompt', async () => {
    const card = recordCard('indirect-object-identification', 'where-the-answer-sits');
    expect(card.runner).toBe(whereTheAnswerSits.id);
    const first = ioiBatch(model.tokenizer, IOI_TEMPLATES[0], 1)[0]!;
    const setting = {
      prompt: first.text,
      answer: model.tokenizer.vocab[first.io]!,
      distractor: model.tokenizer.vocab[first.s]!,
      layer: 2,
    };
    expect(card.front).toContain(setting.prompt);
    expect(card.front).toContain(`block ${setting.layer}`);
    const { numbers, position } = await runIoiPosition(setting, model);
    expect(position).toBe('end');
    expect(card.back).toMatch(/^The last word/);
    for (const value of [numbers.clean, numbers.patched.end, numbers.patched.s2])
      expect(card.back).toContain(fixed(value, 1));
  });
});

describe('the greater-than card: the share of probability on later years', () => {
  test(
    'more than 70% lands on years after the start year',
    async () => {
      const all = await trials(laterYearsShare);
      // Measured: 40 of 40 seeds; all 200 held-out prompts below (the lowest share is 74%).
      expect(await commonChecks(laterYearsShare, all, () => 'most')).toBeGreaterThanOrEqual(0.95);
      const starts = new Set(all.map((t: Trial<LaterShareSetting>) => t.posed.data.startYear));
      expect(starts.size).toBeGreaterThanOrEqual(20);
    },
    MANY_RUNS,
  );

  test(
    'over all 200 held-out prompts, too',
    async () => {
      const sets = await heldOutSets(env);
      const shares = [];
      for (const item of sets.greaterThan) shares.push((await laterShare(item, model)).share);
      const most = shares.filter((share) => bandOf(share).value === 'most').length;
      console.info(
        `greater-than pool: more than 70% on ${most} of ${shares.length} prompts (lowest ${fixed(Math.min(...shares), 3)})`,
      );
      expect(most / shares.length).toBeGreaterThanOrEqual(0.95);
    },
    MANY_RUNS,
  );

  test('the worked example is what the runner gives on the widget’s default prompt', async () => {
    const card = recordCard('greater-than-circuit', 'later-years-share');
    expect(card.runner).toBe(laterYearsShare.id);
    const setting = {
      prompt: yearPrompt(YEAR_TEMPLATES[0], '17', 45),
      startYear: 45,
      century: '17',
    };
    expect(card.front).toContain(setting.prompt);
    const { summary, share } = await laterShare(setting, model);
    expect(bandOf(share).value).toBe('most');
    expect(card.back).toMatch(/^More than 70%/);
    expect(card.back).toContain(`${fixed(share * 100, 0)}%`);
    expect(card.back).toContain(`(${fixed(summary.above, 3)} of ${fixed(summary.twoDigit, 3)})`);
    expect(card.back).toContain(`17${YEAR_TOKENS[summary.top]}`);
  });
});

describe('the steering card: which way the sentiment moves', () => {
  /** Up when the coefficient pushes towards the pair's positive word, down otherwise. */
  const principled = (s: SentimentShiftSetting) => {
    const towardsPositive = CONTRAST_PAIRS.some(([positive]) => positive === s.towards);
    return towardsPositive === s.coefficient > 0 ? 'up' : 'down';
  };

  test(
    'the sentiment follows the sign of the coefficient times the pair',
    async () => {
      const all = await trials(sentimentShiftRunner);
      // Measured: 40 of 40 seeds; 697 of 704 settings in the pool test below.
      expect(await commonChecks(sentimentShiftRunner, all, principled)).toBeGreaterThanOrEqual(0.9);
      const answers = new Set(all.map((t) => principled(t.posed.data)));
      expect(answers).toEqual(new Set(['up', 'down']));
    },
    MANY_RUNS,
  );

  test(
    'over every held-out prompt, pair and coefficient, too',
    async () => {
      // One batched call per prompt and pair: hate − love is exactly −(love − hate), so the pair
      // taken the other way round is the same run with the coefficient's sign flipped.
      const sets = await heldOutSets(env);
      const tok = model.tokenizer;
      const coefficients = [0, ...SHIFT_COEFFICIENTS];
      let held = 0;
      let runs = 0;
      for (const { prompt } of sets.sentiment)
        for (const [positive, negative] of CONTRAST_PAIRS) {
          const vector = await steeringVector(model, tok.encode(positive), tok.encode(negative), 0);
          const setup = { layer: 0, vector, placement: 'start' as const };
          const [plain, ...steered] = await sentimentByCoefficient(
            model,
            tok.encode(prompt),
            setup,
            coefficients,
          );
          SHIFT_COEFFICIENTS.forEach((coefficient, i) => {
            const setting = { prompt, towards: positive, awayFrom: negative, coefficient };
            held += Number(shiftOf(steered[i]! - plain!) === principled(setting));
            runs++;
          });
        }
      console.info(`steering pool: the principled direction on ${held} of ${runs} settings`);
      expect(held / runs).toBeGreaterThanOrEqual(0.95);
    },
    MANY_RUNS,
  );

  test('the worked example is what the runner gives with the widget’s defaults', async () => {
    const card = recordCard('activation-addition', 'sentiment-shift');
    expect(card.runner).toBe(sentimentShiftRunner.id);
    const setting = {
      prompt: STEERING_DEFAULTS.prompt,
      towards: STEERING_DEFAULTS.positive,
      awayFrom: STEERING_DEFAULTS.negative,
      coefficient: STEERING_DEFAULTS.coefficient,
    };
    expect(card.front).toContain(setting.prompt);
    expect(card.front).toContain(`${setting.coefficient} × (love − hate)`);
    const { plain, steered } = await sentimentShift(setting, model);
    expect(shiftOf(steered - plain)).toBe('up');
    expect(card.back).toMatch(/^Up/);
    expect(card.back).toContain(`from ${fixed(plain)} to ${fixed(steered)}`);
  });
});

describe('the DAS card: which part of v carries its move', () => {
  let das: DasFile;
  beforeAll(async () => {
    das = await dasFile(env);
  });
  /** Illusory site: only the sum moves the answer; faithful site: the part W_out reads. */
  const principled = (s: CarryingPartSetting) =>
    das.sites[s.site]!.role === 'illusory' ? 'neither' : 'dormant';

  test(
    'neither part alone at the illusory site, the read part at the faithful one',
    async () => {
      const all = await trials(carryingPartRunner);
      // Measured: 38 of 40 seeds, both misses the one faithful-site pair (51) where the read part
      // gives half of v's move; 83 of 84 in the pool test below.
      expect(await commonChecks(carryingPartRunner, all, principled)).toBeGreaterThanOrEqual(0.9);
      const answers = new Set(all.map((t) => principled(t.posed.data)));
      expect(answers).toEqual(new Set(['neither', 'dormant']));
    },
    MANY_RUNS,
  );

  test(
    'over every pair of both sites’ pools, too',
    async () => {
      let held = 0;
      let runs = 0;
      for (const [site, { role }] of das.sites.entries())
        for (const pair of pairPool(das, site)) {
          const moves = await partMoves(model, das, { site, pair });
          // The card's setup says v moves this pair toward the source: live, not only on record.
          expect(moves.direction).toBeGreaterThan(0.5);
          const part = carryingPart(moves);
          held += Number(part === principled({ site, pair }));
          runs++;
          if (part !== principled({ site, pair }))
            console.info(`DAS pool: pair ${pair} at the ${role} site gives ${part}`);
        }
      console.info(`DAS pool: the principled part on ${held} of ${runs} site × pair settings`);
      expect(held / runs).toBeGreaterThanOrEqual(0.95);
    },
    MANY_RUNS,
  );

  test('the worked example is what the runner gives on the widget’s opening pair', async () => {
    const card = recordCard('subspace-patching-illusion', 'carrying-part');
    expect(card.runner).toBe(carryingPartRunner.id);
    expect(das.sites[0]!.role).toBe('illusory');
    const moves = await partMoves(model, das, { site: 0, pair: openingPair(das) });
    expect(carryingPart(moves)).toBe('neither');
    expect(card.front).toContain(`${fixed(moves.direction)} logits`);
    expect(card.back).toMatch(/^Neither/);
    expect(card.back).toContain(
      `${fixed(moves.dormant)} (${fixed((100 * moves.dormant) / moves.direction, 0)}%)`,
    );
    expect(card.back).toContain(`disconnected part ${fixed(moves.disconnected)}`);
  });
});
