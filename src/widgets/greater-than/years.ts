/**
 * Greater-than on tiny-lm: prompts "The war lasted from 17XX to 17" for every start year XX, the
 * model's probability of each two-digit year token after them, and the summary numbers of Hanna
 * et al. (mass on later years, probability difference). Pure; the model run is the caller's.
 */
import { softmax, type Tensor } from '../../ml';
import { TaskError, YEAR_TOKENS, type TaskTokenizer } from '../tiny-lm-experiments/tasks';

/** Templates with {c} the century and {x} the start year; every one ends with the century. */
export const YEAR_TEMPLATES = [
  'The war lasted from {c}{x} to {c}',
  'The journey went on from {c}{x} until {c}',
  'The reign started in {c}{x} and ended in {c}',
] as const;

/** Start years the widget sweeps: 02..97, so that both sides of the start keep some years. */
export const START_YEARS = Array.from({ length: 96 }, (_, i) => i + 2);

/** The prompt for one start year. */
export function yearPrompt(template: string, century: string, startYear: number): string {
  return template.replaceAll('{c}', century).replace('{x}', YEAR_TOKENS[startYear]!);
}

/** Token ids of the prompt for every start year (equally long, so they run as one batch). */
export function yearPromptBatch(
  tok: TaskTokenizer,
  template: string,
  century: string,
  startYears: readonly number[] = START_YEARS,
): number[][] {
  const batch = startYears.map((y) => tok.encode(yearPrompt(template, century, y)));
  const length = batch[0]?.length ?? 0;
  if (batch.some((ids) => ids.length !== length || ids.includes(tok.unkId)))
    throw new TaskError(`"${template}" does not make equally long known prompts`);
  return batch;
}

/** Probability of each token "00".."99" at the last position of batch row `r` (full softmax). */
export function yearProbabilities(
  logits: Tensor,
  r: number,
  yearIds: readonly number[],
): Float32Array {
  const [, pos, vocab] = logits.dims as [number, number, number];
  const offset = (r * pos + pos - 1) * vocab;
  const probs = softmax(logits.data.subarray(offset, offset + vocab));
  return Float32Array.from(yearIds, (id) => probs[id]!);
}

export interface YearSummary {
  /** p(YY > start), p(YY ≤ start), their difference, and the mass on two-digit tokens at all. */
  readonly above: number;
  readonly atOrBelow: number;
  readonly probDiff: number;
  readonly twoDigit: number;
  /** The most likely year, and the smallest year with probability ≥ 1% (the "cut-off"). */
  readonly top: number;
  readonly firstLikely: number;
}

export function summariseYears(probabilities: ArrayLike<number>, startYear: number): YearSummary {
  let above = 0;
  let atOrBelow = 0;
  let top = 0;
  let firstLikely = -1;
  for (let y = 0; y < probabilities.length; y++) {
    const p = probabilities[y]!;
    if (y > startYear) above += p;
    else atOrBelow += p;
    if (p > probabilities[top]!) top = y;
    if (firstLikely < 0 && p >= 0.01) firstLikely = y;
  }
  return {
    above,
    atOrBelow,
    probDiff: above - atOrBelow,
    twoDigit: above + atOrBelow,
    top,
    firstLikely,
  };
}
