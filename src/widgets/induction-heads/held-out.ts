/**
 * The induction figures of held-out-figures.json (tiny-lm's and attn-only-2l's): loss and copying
 * accuracy on the second copy of repeated random words, and of repeated random two-digit numbers.
 * No DOM.
 */
import { softmax, type HookedModel, type Tensor, type Tokenizer } from '../../ml';
import { argmax } from '../tiny-lm-experiments/held-out-compute';
import {
  GENERATOR,
  INDUCTION_LENGTH,
  INDUCTION_SEQUENCES,
  NUMBER_SEED,
  round,
  type AttnOnlyFigures,
  type InductionFigures,
} from '../tiny-lm-experiments/held-out-figures';
import { numberIds, repeatedSequence, wordIds } from './induction';

/** INDUCTION_SEQUENCES sequences of <bos> + `length` random numbers + the same numbers again. */
export function numberSequences(tokenizer: Tokenizer, length = INDUCTION_LENGTH): number[][] {
  const pool = numberIds(tokenizer);
  return Array.from({ length: INDUCTION_SEQUENCES }, (_, i) =>
    repeatedSequence(pool, tokenizer.bosId, length, NUMBER_SEED + i),
  );
}

/**
 * Mean next-token loss on the first copy (tokens 2..L, which nothing predicts) and on the second
 * copy (tokens L + 2..2L, whose earlier occurrence is in context), and the share of second-copy
 * tokens that are the model's top-1 prediction. Sequences are <bos> + L + L tokens.
 */
export function copyFigures(
  logits: Tensor,
  sequences: readonly (readonly number[])[],
  length: number,
): { firstCopyLoss: number; secondCopyLoss: number; secondCopyAccuracy: number } {
  const [batch, pos, vocab] = logits.dims as [number, number, number];
  let first = 0;
  let second = 0;
  let copied = 0;
  for (let b = 0; b < batch; b++) {
    for (let p = 1; p < pos - 1; p++) {
      const row = logits.data.subarray((b * pos + p) * vocab, (b * pos + p + 1) * vocab);
      const next = sequences[b]![p + 1]!;
      const loss = -Math.log(softmax(row)[next]!);
      if (p + 1 <= length) first += loss;
      if (p + 1 >= length + 2) {
        second += loss;
        if (argmax(row) === next) copied++;
      }
    }
  }
  const count = batch * (length - 1);
  return {
    firstCopyLoss: round(first / count),
    secondCopyLoss: round(second / count),
    secondCopyAccuracy: round(copied / count),
  };
}

/** Induction on random words (`wordSequences`, e.g. a model's eval set) and on random numbers. */
export async function inductionFigures(
  model: HookedModel,
  wordSequences: readonly (readonly number[])[],
  length = INDUCTION_LENGTH,
): Promise<InductionFigures> {
  const numbers = numberSequences(model.tokenizer, length);
  const words = await model.runWithCache(wordSequences, []);
  const digits = await model.runWithCache(numbers, []);
  return {
    length,
    words: {
      sequences: wordSequences.length,
      pool: wordIds(model.tokenizer).length,
      ...copyFigures(words.logits, wordSequences, length),
    },
    numbers: {
      sequences: numbers.length,
      pool: numberIds(model.tokenizer).length,
      ...copyFigures(digits.logits, numbers, length),
    },
  };
}

/** Every figure of attn-only-2l's held-out-figures.json, from its eval set's sequences. */
export async function attnOnlyFigures(
  model: HookedModel,
  induction: readonly (readonly number[])[],
): Promise<AttnOnlyFigures> {
  const length = (induction[0]!.length - 1) / 2;
  return {
    model: 'attn-only-2l',
    generator: GENERATOR,
    induction: await inductionFigures(model, induction, length),
  };
}
