// The experiment cards of the induction-heads, toy-superposition, SAE-lab, grokking and
// max-activation-illusion widgets, run in Node on the committed model files: each runner poses
// varied settings, answers with one of its offered choices, shows the principle its card teaches
// on most seeds (the measured share is printed), and its paper's worked example says what the
// runner computes on the widget's default setting.
import { beforeAll, describe, expect, it } from 'vitest';
import { paperSchema } from '../../../src/content/paper-schema';
import type {
  ExperimentResult,
  ExperimentRunner,
  PosedExperiment,
} from '../../../src/widgets/kit/experiment-card';
import { experimentRunner } from '../../../src/widgets/experiment-cards';
import { parseReplay } from '../../../src/widgets/grokking/checkpoints';
import { hiddenProgress, plateauPairs } from '../../../src/widgets/grokking/grokking.experiment';
import { repeatedSequence, wordIds } from '../../../src/widgets/induction-heads/induction';
import {
  inductionTarget,
  rolePositions,
} from '../../../src/widgets/induction-heads/induction-heads.experiment';
import {
  rankByIllusion,
  windowsOf,
} from '../../../src/widgets/max-activation-illusion/max-activation';
import {
  otherDistribution,
  settingFor,
} from '../../../src/widgets/max-activation-illusion/max-activation-illusion.experiment';
import texts from '../../../src/widgets/max-activation-illusion/texts.json';
import {
  spliceLossRecovered,
  widgetDefault,
} from '../../../src/widgets/sae-lab/sae-lab.experiment';
import {
  moreFeaturesThanDimensions,
  WIDGET_DEFAULT,
} from '../../../src/widgets/toy-superposition/toy-superposition.experiment';
import { rawPaperRecords } from '../../support/content';
import { diskExperimentEnv } from './experiment-env';

const env = diskExperimentEnv();

/** One seed's setting and what the model gave. */
interface Trial<T> {
  readonly posed: PosedExperiment<T>;
  readonly result: ExperimentResult;
}

async function trials<T>(runner: ExperimentRunner<T>, seeds: number): Promise<Trial<T>[]> {
  const out: Trial<T>[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const posed = await runner.pose(seed, env);
    out.push({ posed, result: await runner.run(posed, env) });
  }
  return out;
}

/** The worked example of the experiment that names `runner`, from its paper record. */
function workedExample(runner: string): { front: string; back: string } {
  for (const { data } of rawPaperRecords()) {
    const paper = paperSchema.parse(data);
    const found = paper.experiments.find((e) => e.runner === runner);
    if (found) return found.card;
  }
  throw new Error(`no paper lists an experiment with runner ${runner}`);
}

/** A posed experiment around `data`, as pose would hand it to run (choices are not needed). */
const posedWith = <T>(data: T): PosedExperiment<T> => ({
  setup: '',
  question: '',
  asked: { kind: 'choice', choices: [] },
  data,
});

const valueOf = (result: ExperimentResult) =>
  result.outcome.kind === 'choice' ? result.outcome.value : null;

/** Checks shared by every runner: varied settings, valid outcomes, one-line texts. */
function behavesLikeACard<T>(
  runner: ExperimentRunner<T>,
  all: () => Trial<T>[],
  minimumDistinct: number,
): void {
  it('poses different settings for different seeds and the same setting for the same seed', async () => {
    const settings = new Set(all().map((t) => JSON.stringify(t.posed.data)));
    expect(settings.size).toBeGreaterThanOrEqual(minimumDistinct);
    expect(new Set(all().map((t) => t.posed.setup)).size).toBeGreaterThanOrEqual(minimumDistinct);
    expect((await runner.pose(3, env)).setup).toBe(all()[2]!.posed.setup);
  });

  it('answers with one of the choices it offered, in one line of result and one of reason', () => {
    for (const { posed, result } of all()) {
      expect(posed.question).toMatch(/\?$/);
      expect(posed.asked.kind).toBe('choice');
      const offered = posed.asked.kind === 'choice' ? posed.asked.choices : [];
      const choice = offered.find((c) => c.value === valueOf(result));
      expect(choice, `${valueOf(result)} is not offered`).toBeDefined();
      expect(result.outcome.kind === 'choice' && result.outcome.label).toBe(choice!.label);
      expect(result.result).not.toMatch(/\n/);
      expect(result.reason).not.toMatch(/\n/);
    }
  });

  it('is listed in the registry of experiment runners', async () => {
    expect(await experimentRunner(runner.id)).toBe(runner);
  });
}

/** The share of trials where the principle's answer held, printed with the runner's id. */
function shareHeld<T>(
  runner: ExperimentRunner<T>,
  all: Trial<T>[],
  principled: (t: Trial<T>) => string,
) {
  const held = all.filter((t) => valueOf(t.result) === principled(t)).length;
  console.log(`${runner.id}: the principled answer held on ${held} of ${all.length} seeds`);
  return held / all.length;
}

describe('induction heads: which earlier token the induction head attends to', () => {
  let all: Trial<unknown>[] = [];
  beforeAll(async () => {
    all = (await trials(inductionTarget, 30)) as Trial<unknown>[];
  }, 120_000);
  behavesLikeACard(inductionTarget as ExperimentRunner<unknown>, () => all, 25);

  it('attends to the token after the earlier occurrence of the current word on at least 85% of seeds (measured 58 of 60)', () => {
    expect(shareHeld(inductionTarget, all, () => 'after')).toBeGreaterThanOrEqual(0.85);
  });

  it("gives the worked example's answer on the widget's first sequence", async () => {
    const model = await env.model('attn-only-2l');
    const tokens = repeatedSequence(wordIds(model.tokenizer), model.tokenizer.bosId, 25, 1000);
    const { front, back } = workedExample(inductionTarget.id);
    const words = model.tokenizer.tokens(tokens.slice(1, 26));
    const asked = /second "([^"]+)"/.exec(front)![1]!;
    const j = words.indexOf(asked);
    expect(j).toBeGreaterThanOrEqual(0);
    expect(front).toContain(words.slice(0, 7).join(' '));
    const result = await inductionTarget.run(
      posedWith({ tokens, length: 25, head: [1, 2] as const, ...rolePositions(25, j) }),
      env,
    );
    expect(valueOf(result)).toBe('after');
    expect(back).toContain(`"${words[j + 1]}", the word after the first "${asked}"`);
    const attention = /puts (\d\.\d\d) of its attention/.exec(result.result)![1]!;
    expect(back).toContain(`(${attention} of its attention)`);
  });
});

describe('toy superposition: more features than dimensions', () => {
  let all: Trial<unknown>[] = [];
  beforeAll(async () => {
    all = (await trials(moreFeaturesThanDimensions, 20)) as Trial<unknown>[];
  }, 120_000);
  behavesLikeACard(moreFeaturesThanDimensions as ExperimentRunner<unknown>, () => all, 12);

  it('stores more than m features exactly when they are sparse on at least 90% of seeds (measured 30 of 30)', () => {
    const sparse = (t: Trial<unknown>) => (t.posed.data as typeof WIDGET_DEFAULT).sparsity >= 0.5;
    expect(all.some(sparse) && !all.every(sparse)).toBe(true);
    const share = shareHeld(moreFeaturesThanDimensions, all, (t) =>
      sparse(t) ? 'more-than-m' : 'at-most-m',
    );
    expect(share).toBeGreaterThanOrEqual(0.9);
  });

  it("gives the worked example's answer on the widget's default setting", async () => {
    const { front, back } = workedExample(moreFeaturesThanDimensions.id);
    const { features, dimensions, sparsity } = WIDGET_DEFAULT;
    expect(front).toContain(`${features} features in ${dimensions} hidden dimensions`);
    expect(front).toContain(`probability ${sparsity}`);
    const result = await moreFeaturesThanDimensions.run(posedWith(WIDGET_DEFAULT), env);
    expect(valueOf(result)).toBe('more-than-m');
    const represented = /represents (\d+) of/.exec(result.result)![1]!;
    expect(back).toMatch(new RegExp(`^Yes, all ${represented}:`));
    expect(represented).toBe(String(features));
  });
});

describe('grokking: hidden progress during the plateau', () => {
  let all: Trial<unknown>[] = [];
  beforeAll(async () => {
    all = (await trials(hiddenProgress, 24)) as Trial<unknown>[];
  }, 120_000);
  behavesLikeACard(hiddenProgress as ExperimentRunner<unknown>, () => all, 15);

  it('finds the key frequencies’ share grew between plateau checkpoints on at least 95% of seeds (measured 20 of 20)', () => {
    expect(shareHeld(hiddenProgress, all, () => 'grew')).toBeGreaterThanOrEqual(0.95);
  });

  it("gives the worked example's answer over the whole plateau", async () => {
    const replay = parseReplay(await env.json('modadd', 'checkpoints.json'));
    const pairs = plateauPairs(replay);
    const whole = {
      from: Math.min(...pairs.map((p) => p.from)),
      to: Math.max(...pairs.map((p) => p.to)),
    };
    const { front, back } = workedExample(hiddenProgress.id);
    const [a, b] = [replay.checkpoints[whole.from]!.step, replay.checkpoints[whole.to]!.step];
    expect(front).toContain(`at step ${replay.grokking.trainAcc100Step}`);
    expect(front).toContain(`at steps ${a} and ${b}`);
    const result = await hiddenProgress.run(posedWith(whole), env);
    expect(valueOf(result)).toBe('grew');
    const [before, after, start] = [...result.result.matchAll(/(\d+\.\d)%/g)].map((m) => m[1]);
    expect(back).toContain(`It grows, from ${before}% to ${after}% (${start}% at initialisation)`);
  });
});

describe('SAE lab: loss recovered with the reconstruction spliced in', () => {
  let all: Trial<unknown>[] = [];
  beforeAll(async () => {
    all = (await trials(spliceLossRecovered, 20)) as Trial<unknown>[];
  }, 180_000);
  behavesLikeACard(spliceLossRecovered as ExperimentRunner<unknown>, () => all, 18);

  it('recovers more than 90% of the loss on at least 90% of seeds (measured 20 of 20)', () => {
    const kinds = new Set(all.map((t) => (t.posed.data as { sae: string }).sae));
    expect(kinds.size).toBe(3);
    expect(shareHeld(spliceLossRecovered, all, () => 'most')).toBeGreaterThanOrEqual(0.9);
  });

  it("gives the worked example's answer for the widget's ReLU SAE on all the held-out text", async () => {
    const { back } = workedExample(spliceLossRecovered.id);
    const result = await spliceLossRecovered.run(posedWith(widgetDefault(128)), env);
    expect(valueOf(result)).toBe('most');
    expect(back).toMatch(/^More than 90%/);
    const losses = /Loss (\S+) clean, (\S+) with the reconstruction, (\S+) zeroed: (\S+)% recovered/
      .exec(result.result)!
      .slice(1);
    expect(back).toContain(
      `${losses[3]}% (loss ${losses[0]} clean, ${losses[1]} spliced, ${losses[2]} zeroed)`,
    );
  }, 60_000);
});

describe('max-activating examples: the same neuron on the other text', () => {
  let all: Trial<unknown>[] = [];
  beforeAll(async () => {
    all = (await trials(otherDistribution, 20)) as Trial<unknown>[];
  }, 180_000);
  behavesLikeACard(otherDistribution as ExperimentRunner<unknown>, () => all, 18);

  it('fires about as strongly on other tokens on at least 80% of seeds (measured 19 of 20)', () => {
    expect(shareHeld(otherDistribution, all, () => 'other')).toBeGreaterThanOrEqual(0.8);
  });

  it("gives the worked example's answer for the widget's opening neuron", async () => {
    const model = await env.model('tiny-lm');
    const layer = model.config.n_layers - 1;
    const hook = `blocks.${layer}.mlp.hook_post`;
    const sides = [];
    for (const key of ['news', 'story'] as const) {
      const ids = texts.distributions[key].map((text) => model.tokenizer.encode(text));
      const windows = windowsOf(ids, 32, model.tokenizer.bosId);
      const { cache } = await model.runWithCache(windows, [hook]);
      sides.push({ acts: cache.get(hook)!, windows });
    }
    const unit = rankByIllusion(sides[0]!, sides[1]!, 8)[0]!.unit;
    const every = (key: 'news' | 'story') => texts.distributions[key].map((_, i) => i);
    const setting = await settingFor(model, {
      ...{ layer, unit, from: 'news', to: 'story' },
      documents: { news: every('news'), story: every('story') },
    });
    const { front, back } = workedExample(otherDistribution.id);
    const token = model.tokenizer.tokens([setting.firstToken])[0]!;
    expect(front).toContain(`MLP neuron ${unit} in layer ${layer}`);
    expect(front).toContain(`all ${setting.firstCount} top contexts`);
    expect(front).toContain(`fire on "${token}"`);
    const result = await otherDistribution.run(posedWith(setting), env);
    expect(valueOf(result)).toBe('other');
    const [, first, share] = /fire on “([^”]+)”.*\((\d+)% of its/.exec(result.result)!;
    expect(back).toContain(`(${share}% of that peak) on other tokens, mostly "${first}"`);
  }, 60_000);
});
