/**
 * Activation addition (ActAdd) on tiny-lm through src/ml's hook API only (no DOM): a steering
 * vector from the difference of two prompts' residual streams at one layer, added to a prompt's
 * stream while the model continues it greedily; and a sentiment measure on the next-token logits.
 */
import type { HookedModel, Intervention, Tensor, Tokenizer } from '../../ml';

/** Adjectives of tiny-lm's sentiment data (models/tiny-lm/data.py POSITIVE / NEGATIVE). */
export const POSITIVE_WORDS = [
  'great',
  'wonderful',
  'amazing',
  'excellent',
  'fantastic',
  'beautiful',
  'perfect',
  'lovely',
  'brilliant',
] as const;
export const NEGATIVE_WORDS = [
  'terrible',
  'awful',
  'horrible',
  'boring',
  'bad',
  'disappointing',
  'ugly',
  'dreadful',
  'poor',
] as const;

/**
 * Where the vector is added: at the prompt's first positions (as ActAdd does), at every position
 * after <bos>, or at every position including <bos>. The model card's steering table
 * (public/models/tiny-lm/card.json, models/tiny-lm/evaluate.py) uses the same three names.
 */
export type SteeringPlacement = 'start' | 'every' | 'everyWithBos';

/** The placements, in the order the widget and the model card list them. */
export const STEERING_PLACEMENTS: readonly SteeringPlacement[] = ['start', 'every', 'everyWithBos'];

/**
 * What the widget starts with, and what the model card's steering evaluation reports first. In
 * tiny-lm the love − hate difference steers most cleanly where it is still a difference of
 * embeddings (before block 0), added at the prompt's start.
 */
export const STEERING_DEFAULTS = {
  positive: 'love',
  negative: 'hate',
  layer: 0,
  placement: 'start' as SteeringPlacement,
  coefficient: 4,
  prompt: 'I think this movie is',
} as const;

/**
 * The steering vector: resid_pre of `layer` on `positive` minus on `negative`, one row per
 * position [pos, d_model]. Both prompts must have the same number of tokens (ActAdd pads the
 * shorter; tiny-lm has no padding word, so the widget asks for equal lengths).
 */
export async function steeringVector(
  model: HookedModel,
  positive: readonly number[],
  negative: readonly number[],
  layer: number,
): Promise<Tensor> {
  if (positive.length !== negative.length)
    throw new RangeError('the two prompts of a contrast pair must have the same number of words');
  const hook = `blocks.${layer}.hook_resid_pre`;
  const { cache } = await model.runWithCache([positive, negative], [hook]);
  const acts = cache.get(hook)!; // [2, pos, d_model]
  const size = acts.data.length / 2;
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = acts.data[i]! - acts.data[size + i]!;
  return { data, dims: acts.dims.slice(1) };
}

/** Euclidean norm of each row of a [pos, d_model] tensor. */
export function rowNorms(t: Tensor): number[] {
  const [pos, d] = t.dims as [number, number];
  return Array.from({ length: pos }, (_, p) => Math.hypot(...t.data.subarray(p * d, (p + 1) * d)));
}

/**
 * The addition for a sequence of `length` tokens, [1, length, d_model]: `coefficient` × the
 * vector's rows at the first positions ('start', as ActAdd), or × its last row (the word where
 * the two prompts differ last) at every position after <bos> ('every'; `skipFirst` says whether
 * the sequence starts with <bos>) or at every position ('everyWithBos').
 */
export function steeringAddition(
  vector: Tensor,
  coefficient: number,
  length: number,
  placement: SteeringPlacement,
  skipFirst: boolean,
): Tensor {
  const [rows, d] = vector.dims as [number, number];
  const data = new Float32Array(length * d);
  if (placement === 'start') {
    for (let p = 0; p < Math.min(rows, length); p++)
      for (let i = 0; i < d; i++) data[p * d + i] = coefficient * vector.data[p * d + i]!;
  } else {
    const last = vector.data.subarray((rows - 1) * d, rows * d);
    const first = placement === 'every' && skipFirst ? 1 : 0;
    for (let p = first; p < length; p++)
      for (let i = 0; i < d; i++) data[p * d + i] = coefficient * last[i]!;
  }
  return { data, dims: [1, length, d] };
}

export interface SteeringSetup {
  readonly layer: number;
  readonly vector: Tensor;
  readonly placement: SteeringPlacement;
}

function intervention(
  model: HookedModel,
  setup: SteeringSetup,
  coefficient: number,
  length: number,
  rows: readonly number[],
): Intervention {
  return {
    hook: `blocks.${setup.layer}.hook_resid_pre`,
    kind: 'add',
    value: steeringAddition(
      setup.vector,
      coefficient,
      length,
      setup.placement,
      model.tokenizer.bosId !== null,
    ),
    rows,
  };
}

export interface Continuations {
  /** Generated token ids, without the prompt. */
  readonly plain: number[];
  readonly steered: number[];
}

function argmaxAt(logits: Tensor, row: number): number {
  const [, pos, vocab] = logits.dims as [number, number, number];
  const start = (row * pos + pos - 1) * vocab;
  let best = 0;
  for (let t = 1; t < vocab; t++)
    if (logits.data[start + t]! > logits.data[start + best]!) best = t;
  return best;
}

/** The tokens before the first `end` token (tiny-lm writes <bos> between documents). */
export function untilEnd(ids: readonly number[], end: number | null): number[] {
  const at = end === null ? -1 : ids.indexOf(end);
  return at < 0 ? [...ids] : ids.slice(0, at);
}

/**
 * Greedy continuations of `prompt` without and with the steering vector, in lockstep: each step
 * is one call on a batch of two rows (row 1 steered). Stops after `steps` tokens, at the model's
 * context length, or when both rows have ended their text (<bos>, which starts a new document).
 */
export async function continueBoth(
  model: HookedModel,
  prompt: readonly number[],
  setup: SteeringSetup,
  coefficient: number,
  steps: number,
): Promise<Continuations> {
  const plain = [...prompt];
  const steered = [...prompt];
  const endId = model.tokenizer.bosId;
  const ended = (row: number[]) => endId !== null && row.indexOf(endId, prompt.length) >= 0;
  const end = Math.min(prompt.length + steps, model.config.n_ctx);
  while (plain.length < end && !(ended(plain) && ended(steered))) {
    const { logits } = await model.runWithInterventions(
      [plain, steered],
      [intervention(model, setup, coefficient, plain.length, [1])],
    );
    plain.push(argmaxAt(logits, 0));
    steered.push(argmaxAt(logits, 1));
  }
  return {
    plain: untilEnd(plain.slice(prompt.length), endId),
    steered: untilEnd(steered.slice(prompt.length), endId),
  };
}

/** Ids of the sentiment words that tiny-lm knows. */
export function sentimentIds(tokenizer: Tokenizer): { positive: number[]; negative: number[] } {
  const known = (words: readonly string[]) =>
    words.map((w) => tokenizer.tokenToId(w)).filter((id) => id !== tokenizer.unkId);
  return { positive: known(POSITIVE_WORDS), negative: known(NEGATIVE_WORDS) };
}

/**
 * The sentiment measure at the prompt's last position for each coefficient: mean logit of the
 * positive words minus mean logit of the negative ones (default: the sentiment adjectives), from
 * one batched call (row i steered with coefficients[i]).
 */
export async function sentimentByCoefficient(
  model: HookedModel,
  prompt: readonly number[],
  setup: SteeringSetup,
  coefficients: readonly number[],
  words: { positive: number[]; negative: number[] } = sentimentIds(model.tokenizer),
): Promise<number[]> {
  const { positive, negative } = words;
  if (positive.length === 0 || negative.length === 0)
    throw new RangeError('the model knows none of the sentiment words');
  const length = prompt.length;
  const d = model.config.d_model;
  const rows = coefficients.length;
  const value = new Float32Array(rows * length * d);
  coefficients.forEach((c, r) =>
    value.set(
      steeringAddition(setup.vector, c, length, setup.placement, model.tokenizer.bosId !== null)
        .data,
      r * length * d,
    ),
  );
  const { logits } = await model.runWithInterventions(
    coefficients.map(() => prompt),
    [
      {
        hook: `blocks.${setup.layer}.hook_resid_pre`,
        kind: 'add',
        value: { data: value, dims: [rows, length, d] },
      },
    ],
  );
  const vocab = model.config.d_vocab;
  return coefficients.map((_, r) => {
    const start = (r * length + length - 1) * vocab;
    const mean = (ids: number[]) =>
      ids.reduce((s, id) => s + logits.data[start + id]!, 0) / ids.length;
    return mean(positive) - mean(negative);
  });
}

/** How many positive and negative words a text contains. */
export function sentimentWords(tokens: readonly string[]): {
  positive: string[];
  negative: string[];
} {
  const positive = new Set<string>(POSITIVE_WORDS);
  const negative = new Set<string>(NEGATIVE_WORDS);
  return {
    positive: tokens.filter((t) => positive.has(t)),
    negative: tokens.filter((t) => negative.has(t)),
  };
}
