/**
 * Metrics on a run's logits, with their gradient with respect to the logits: the gradient is
 * what attribution patching feeds to the backward graph as `logit_grad`.
 */
import type { Tensor } from './tensor';

/** A scalar function of one run's logits [pos, d_vocab]. */
export interface LogitMetric {
  /** Short label for charts, e.g. "logit(Mary) − logit(John)". */
  readonly label: string;
  /** True when the gradient does not depend on the logits (so one backward pass suffices). */
  readonly linear: boolean;
  /**
   * The one position the metric reads (negative counts from the end), where it reads only one.
   * Attribution patching then needs no logits of the positions the two prompts share before it
   * (attribution-graph.ts); a metric without it is given every position's logits.
   */
  readonly position?: number;
  evaluate(logits: Tensor): number;
  /** dMetric/dLogits, shape [pos, d_vocab]. */
  gradient(logits: Tensor): Tensor;
}

function positionOf(logits: Tensor, position: number): number {
  const [pos] = logits.dims;
  if (pos === undefined || logits.dims.length !== 2) {
    throw new RangeError(`a metric takes one run's logits [pos, d_vocab], got [${logits.dims}]`);
  }
  const p = position < 0 ? pos + position : position;
  if (p < 0 || p >= pos) throw new RangeError(`position ${position} outside [0, ${pos})`);
  return p;
}

function asList(ids: number | readonly number[]): readonly number[] {
  return typeof ids === 'number' ? [ids] : ids;
}

export interface LogitDiffOptions {
  /** Token id(s) of the right answer; several are averaged. */
  readonly answer: number | readonly number[];
  /** Token id(s) of the wrong answer; several are averaged. */
  readonly distractor: number | readonly number[];
  /** Position whose prediction is scored; negative counts from the end. Default -1. */
  readonly position?: number;
  readonly label?: string;
}

/**
 * mean logit(answer) − mean logit(distractor) at one position: the usual patching metric
 * (for IOI: logit(Mary) − logit(John) after "… John gave a drink to").
 */
export function logitDiff(options: LogitDiffOptions): LogitMetric {
  const answers = asList(options.answer);
  const distractors = asList(options.distractor);
  const position = options.position ?? -1;
  const mean = (row: Float32Array, ids: readonly number[]) =>
    ids.reduce((s, id) => s + row[id]!, 0) / ids.length;
  return {
    label: options.label ?? 'logit difference',
    linear: true,
    position,
    evaluate(logits) {
      const p = positionOf(logits, position);
      const vocab = logits.dims[1]!;
      const row = logits.data.subarray(p * vocab, (p + 1) * vocab);
      return mean(row, answers) - mean(row, distractors);
    },
    gradient(logits) {
      const p = positionOf(logits, position);
      const vocab = logits.dims[1]!;
      const grad = new Float32Array(logits.data.length);
      for (const id of answers) grad[p * vocab + id]! += 1 / answers.length;
      for (const id of distractors) grad[p * vocab + id]! -= 1 / distractors.length;
      return { data: grad, dims: [...logits.dims] };
    },
  };
}

/** Softmax of one row of logits (numerically stable). */
export function softmax(row: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = new Float32Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += out[i] = Math.exp(row[i]! - max);
  for (let i = 0; i < row.length; i++) out[i]! /= sum;
  return out;
}

/**
 * Total probability of a set of tokens at one position (for greater-than: the mass on years
 * above the start year). Not linear in the logits.
 */
export function probabilityMass(options: {
  readonly tokens: readonly number[];
  readonly position?: number;
  readonly label?: string;
}): LogitMetric {
  const position = options.position ?? -1;
  const set = new Set(options.tokens);
  const probsAt = (logits: Tensor) => {
    const p = positionOf(logits, position);
    const vocab = logits.dims[1]!;
    return { p, vocab, probs: softmax(logits.data.subarray(p * vocab, (p + 1) * vocab)) };
  };
  return {
    label: options.label ?? 'probability mass',
    linear: false,
    position,
    evaluate(logits) {
      const { probs } = probsAt(logits);
      let mass = 0;
      for (const id of set) mass += probs[id]!;
      return mass;
    },
    gradient(logits) {
      const { p, vocab, probs } = probsAt(logits);
      let mass = 0;
      for (const id of set) mass += probs[id]!;
      // d(sum_{i in S} p_i)/dz_j = p_j (1[j in S] − mass)
      const grad = new Float32Array(logits.data.length);
      for (let j = 0; j < vocab; j++)
        grad[p * vocab + j] = probs[j]! * ((set.has(j) ? 1 : 0) - mass);
      return { data: grad, dims: [...logits.dims] };
    },
  };
}
