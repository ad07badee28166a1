/**
 * The steering experiment card: a held-out sentiment prompt ("I hate this hotel. It is"), a
 * contrast pair of sentiment words taken either way round (love − hate, or hate − love) and a
 * small coefficient of either sign; does adding coefficient × (pair's difference) at block 0's
 * input, at the prompt's start as ActAdd does, make the next word more positive, more negative or
 * leave it? The sentiment measure and the threshold are the widget's: mean logit of the positive
 * adjectives minus the negative ones, "about the same" within 0.25.
 *
 * Measured on tiny-lm's 44 held-out sentiment prompts (tests/unit/widgets/
 * experiment-runners-b.test.ts): the sentiment moves the way sign × pair says on 697 of the 704
 * settings with |coefficient| ≤ 2; from about −4 on, love − hate no longer pushes every prompt
 * negative (the response is not monotone), which is why the card keeps to small coefficients.
 */
import type { ExperimentRunner, PosedExperiment } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { fixed } from '../kit/widget-parts';
import { heldOutSets, pick } from '../tiny-lm-experiments/held-out';
import { TINY_LM } from '../tiny-lm-experiments/load';
import { sentimentByCoefficient, steeringVector } from '../tiny-lm-experiments/steering';
import { TaskError } from '../tiny-lm-experiments/tasks';
import type { HookedModel } from '../../ml';

/** A prompt, the contrast pair (towards − away from) and the coefficient. */
export interface SentimentShiftSetting {
  readonly prompt: string;
  readonly towards: string;
  readonly awayFrom: string;
  readonly coefficient: number;
}

/** Contrast pairs of one token each, positive word first; a setting may flip either. */
export const CONTRAST_PAIRS = [
  ['love', 'hate'],
  ['wonderful', 'awful'],
  ['beautiful', 'ugly'],
  ['amazing', 'boring'],
] as const;

/** Coefficients a setting draws from: small enough that tiny-lm responds monotonically. */
export const SHIFT_COEFFICIENTS = [-2, -1, 1, 2] as const;

/** The widget's band for "about the same", in units of the sentiment measure (logits). */
export const SAME_WITHIN = 0.25;

/** Where the vector goes: the widget's default layer and placement (ActAdd's). */
const LAYER = 0;

export const SHIFT_CHOICES = [
  { value: 'up', label: 'more positive' },
  { value: 'same', label: `about the same (within ${SAME_WITHIN})` },
  { value: 'down', label: 'more negative' },
] as const;
export type ShiftDirection = (typeof SHIFT_CHOICES)[number]['value'];

/** The choice a change of the sentiment measure falls under. */
export function shiftOf(moved: number): ShiftDirection {
  return moved > SAME_WITHIN ? 'up' : moved < -SAME_WITHIN ? 'down' : 'same';
}

/** The posed card for one setting: used by `pose` and by the worked example's test. */
export function posedSentimentShift(
  setting: SentimentShiftSetting,
): PosedExperiment<SentimentShiftSetting> {
  const c = setting.coefficient;
  return {
    setup:
      `Prompt: "${setting.prompt}". Steering vector: ${c} × (${setting.towards} − ${setting.awayFrom}), the difference of the two words' residual streams at block ${LAYER}'s input, ` +
      `added there at the prompt's start as ActAdd does.`,
    question:
      'Compared with the plain prompt, the next word’s sentiment (mean logit of positive minus negative adjectives) becomes…?',
    asked: { kind: 'choice', choices: SHIFT_CHOICES },
    data: setting,
  };
}

/** The sentiment measure without and with the vector. */
export async function sentimentShift(
  setting: SentimentShiftSetting,
  model: HookedModel,
): Promise<{ plain: number; steered: number }> {
  const tok = model.tokenizer;
  const encode = (text: string) => {
    const ids = tok.encode(text);
    if (ids.includes(tok.unkId)) throw new TaskError(`"${text}" has a word tiny-lm does not know`);
    return ids;
  };
  const vector = await steeringVector(
    model,
    encode(setting.towards),
    encode(setting.awayFrom),
    LAYER,
  );
  const [plain, steered] = await sentimentByCoefficient(
    model,
    encode(setting.prompt),
    { layer: LAYER, vector, placement: 'start' },
    [0, setting.coefficient],
  );
  return { plain: plain!, steered: steered! };
}

export const sentimentShiftRunner: ExperimentRunner<SentimentShiftSetting> = {
  id: 'steering-vectors/sentiment-shift',
  models: [TINY_LM],
  async pose(seed, env) {
    const random = mulberry32(seed);
    const { prompt } = pick((await heldOutSets(env)).sentiment, random);
    const [positive, negative] = pick(CONTRAST_PAIRS, random);
    const flipped = random() < 0.5;
    return posedSentimentShift({
      prompt,
      towards: flipped ? negative : positive,
      awayFrom: flipped ? positive : negative,
      coefficient: pick(SHIFT_COEFFICIENTS, random),
    });
  },
  async run(posed, env, onProgress) {
    const setting = posed.data;
    const model = await env.model(TINY_LM, onProgress);
    const { plain, steered } = await sentimentShift(setting, model);
    const moved = steered - plain;
    const direction = shiftOf(moved);
    const label = SHIFT_CHOICES.find((choice) => choice.value === direction)!.label;
    return {
      outcome: { kind: 'choice', value: direction, label: `${label} (by ${fixed(moved)})` },
      result: `Sentiment of the next word: ${fixed(plain)} without the vector, ${fixed(steered)} with it (a change of ${fixed(moved)}).`,
      reason: `The vector is what “${setting.towards}” writes into the stream minus what “${setting.awayFrom}” writes; a positive coefficient pushes towards the first word, a negative one towards the second.`,
    };
  },
};
