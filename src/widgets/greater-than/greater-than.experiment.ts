/**
 * The greater-than experiment card: after a held-out "… from 16YY to 16" prompt, what share of
 * the probability tiny-lm puts on the hundred two-digit year tokens falls on years after YY?
 * Hanna et al.'s probability difference in its simplest reading; the reader picks a band.
 *
 * Measured on tiny-lm's 200 held-out greater-than prompts (tests/unit/widgets/
 * experiment-runners-b.test.ts): the share is above 70% on every one (lowest 74%), whatever the
 * template, century or start year.
 */
import type { ExperimentRunner, PosedExperiment } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { fixed } from '../kit/widget-parts';
import { heldOutSets, pick } from '../tiny-lm-experiments/held-out';
import { TINY_LM } from '../tiny-lm-experiments/load';
import { TaskError, YEAR_TOKENS } from '../tiny-lm-experiments/tasks';
import type { HookedModel } from '../../ml';
import { summariseYears, yearProbabilities, type YearSummary } from './years';

/** A prompt that ends with the century of its end year, and its start year (0..99). */
export interface LaterShareSetting {
  readonly prompt: string;
  readonly startYear: number;
  readonly century: string;
}

/** The bands offered, and where they split the share of later years. */
export const LATER_SHARE_BANDS = [
  { value: 'most', label: 'more than 70%', above: 0.7 },
  { value: 'half', label: 'between 30% and 70%', above: 0.3 },
  { value: 'little', label: 'less than 30%', above: Number.NEGATIVE_INFINITY },
] as const;
export type LaterShareBand = (typeof LATER_SHARE_BANDS)[number]['value'];

/** The band a share of later years falls in. */
export function bandOf(share: number): (typeof LATER_SHARE_BANDS)[number] {
  return LATER_SHARE_BANDS.find((band) => share > band.above) ?? LATER_SHARE_BANDS[2];
}

/** The posed card for one setting: used by `pose` and by the worked example's test. */
export function posedLaterShare(setting: LaterShareSetting): PosedExperiment<LaterShareSetting> {
  const yy = YEAR_TOKENS[setting.startYear]!;
  return {
    setup: `tiny-lm continues "${setting.prompt}" with a two-digit year; the start year is ${setting.century}${yy}.`,
    question: `Of the probability it puts on the hundred two-digit years, what share falls on years after ${yy}?`,
    asked: {
      kind: 'choice',
      choices: LATER_SHARE_BANDS.map(({ value, label }) => ({ value, label })),
    },
    data: setting,
  };
}

/** The year probabilities after one prompt, summarised, and the share of later years. */
export async function laterShare(
  setting: LaterShareSetting,
  model: HookedModel,
): Promise<{ summary: YearSummary; share: number }> {
  const tok = model.tokenizer;
  const ids = tok.encode(setting.prompt);
  if (ids.includes(tok.unkId))
    throw new TaskError(`"${setting.prompt}" has a word tiny-lm does not know`);
  const yearIds = YEAR_TOKENS.map((y) => tok.tokenToId(y));
  const { logits } = await model.runWithCache([ids], []);
  const summary = summariseYears(yearProbabilities(logits, 0, yearIds), setting.startYear);
  return { summary, share: summary.above / summary.twoDigit };
}

export const laterYearsShare: ExperimentRunner<LaterShareSetting> = {
  id: 'greater-than/later-years-share',
  models: [TINY_LM],
  async pose(seed, env) {
    const item = pick((await heldOutSets(env)).greaterThan, mulberry32(seed));
    return posedLaterShare(item);
  },
  async run(posed, env, onProgress) {
    const setting = posed.data;
    const model = await env.model(TINY_LM, onProgress);
    const { summary, share } = await laterShare(setting, model);
    const band = bandOf(share);
    const yy = YEAR_TOKENS[setting.startYear]!;
    return {
      outcome: {
        kind: 'choice',
        value: band.value,
        label: `${band.label} (${fixed(share * 100, 0)}%)`,
      },
      result:
        `p(year after ${yy}) = ${fixed(summary.above, 3)} of the ${fixed(summary.twoDigit, 3)} on two-digit years: ${fixed(share * 100, 0)}%; ` +
        `most likely ${setting.century}${YEAR_TOKENS[summary.top]}.`,
      reason:
        'The model has learned that a span ends after it starts, so it moves most of its probability past the start year; a small model still leaves some on earlier years.',
    };
  },
};
