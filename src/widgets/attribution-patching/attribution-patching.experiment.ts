/**
 * Attribution patching's experiment card: on a held-out indirect-object pair, patching the whole
 * residual stream at the repeated name before block 0 turns the corrupted run into the clean one,
 * so real patching restores 100% of the clean logit difference. What does attribution patching
 * (the gradient at the corrupted run times the change of activation) estimate for that patch?
 * Swapping a token is a large step for a straight-line estimate: it fell short of three quarters
 * on 175 of tiny-lm's 200 held-out IOI pairs (median 29%; see
 * tests/unit/widgets/experiment-runners-a.test.ts).
 */
import type { HookedModel } from '../../ml';
import type { ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { normalise } from '../tiny-lm-experiments/patching-views';
import { ioiPair, pairMetric, parseEvalSets, type PromptPair } from '../tiny-lm-experiments/tasks';

const MODEL = 'tiny-lm';
/** The residual stream before the first block: each word's own token embedding (+ position). */
const FIRST_STREAM = 'blocks.0.hook_resid_pre';

/** How the estimate compares with real patching. */
export type EstimateBand = 'under' | 'close' | 'over';

/** Within this share of the real effect (either way) counts as close. */
const CLOSE = 0.25;

const BAND_LABELS: Record<EstimateBand, string> = {
  under: `under ${100 * (1 - CLOSE)}% of the real effect`,
  close: `within ${100 * CLOSE} points of it (${100 * (1 - CLOSE)}–${100 * (1 + CLOSE)}%)`,
  over: `over ${100 * (1 + CLOSE)}% of it`,
};

/** Real patching and attribution patching of one patch, as shares of the clean logit difference. */
export interface SwapEstimate {
  /** Share restored by really patching (1 when the patch makes the corrupted run clean). */
  readonly real: number;
  /** Share the gradient estimate predicts. */
  readonly estimate: number;
  /** Clean minus corrupted logit difference, in logits. */
  readonly span: number;
}

/**
 * Denoising the residual stream before block 0 at the repeated name: real patching (one patched
 * run) and attribution patching (one forward + backward call) of that one cell.
 */
export async function swapEstimate(model: HookedModel, pair: PromptPair): Promise<SwapEstimate> {
  if (!pair.names) throw new Error('an IOI pair names its positions');
  await model.prepareGradients();
  const options = {
    clean: pair.clean,
    corrupted: pair.corrupted,
    hooks: [FIRST_STREAM],
    metric: pairMetric(model.tokenizer, pair),
    over: 'positions',
    direction: 'denoise',
  } as const;
  const patched = await model.patchSweep(options);
  const attributed = await model.attributionScores(options);
  const at = pair.names.s2;
  const span = patched.clean - patched.corrupted;
  return {
    real: normalise(patched.scores.data[at]!, patched.clean, patched.corrupted),
    estimate: attributed.deltas.data[at]! / span,
    span,
  };
}

/** Which band the estimate falls in, relative to the real effect. */
export function estimateBand({ real, estimate }: SwapEstimate): EstimateBand {
  const ratio = estimate / real;
  if (ratio < 1 - CLOSE) return 'under';
  return ratio > 1 + CLOSE ? 'over' : 'close';
}

/** A held-out pair. */
export interface SwapSetting {
  readonly prompt: string;
  readonly answer: string;
  readonly distractor: string;
}

const percent = (share: number) => `${Math.round(share * 100)}%`.replace('-', '−');

/** Attribution patching: how its estimate of a whole-token swap compares with real patching. */
export const tokenSwapEstimate: ExperimentRunner<SwapSetting> = {
  id: 'attribution-patching/token-swap-estimate',
  models: [MODEL],
  async pose(seed, env) {
    const items = parseEvalSets(await env.json(MODEL, 'eval-sets.json'))?.ioi ?? [];
    if (items.length === 0) throw new Error('tiny-lm’s eval-sets.json has no IOI prompts');
    const item = items[Math.floor(mulberry32(seed)() * items.length)]!;
    const repeated = item.distractor;
    return {
      setup: `Clean: “${item.prompt}” (→ ${item.answer}); corrupted: the second ${repeated} becomes ${item.answer}. Patching the residual stream before block 0 at that word turns the corrupted run into the clean one, so real patching restores 100%.`,
      question: `What will attribution patching estimate for that same patch, as a share of logit(${item.answer}) − logit(${repeated})?`,
      asked: {
        kind: 'choice',
        choices: (['under', 'close', 'over'] as const).map((value) => ({
          value,
          label: BAND_LABELS[value],
        })),
      },
      data: { prompt: item.prompt, answer: item.answer, distractor: item.distractor },
    };
  },
  async run(posed, env, onProgress) {
    const model = await env.model(MODEL, onProgress);
    const pair = ioiPair(model.tokenizer, posed.data);
    const swap = await swapEstimate(model, pair);
    const band = estimateBand(swap);
    return {
      outcome: { kind: 'choice', value: band, label: BAND_LABELS[band] },
      result: `Real patching restores ${percent(swap.real)} of the ${swap.span.toFixed(1)}-logit gap between the clean and corrupted runs; attribution patching estimates ${percent(swap.estimate)}.`,
      reason:
        'Attribution patching follows the gradient at the corrupted run in a straight line; swapping a whole token is too big a step for that, and the line usually falls short.',
    };
  },
};
