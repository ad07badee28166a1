/**
 * The figures of held-out-figures.json (see held-out-figures.ts for what each one is), computed on
 * a HookedModel with the widgets' own experiments. No DOM.
 */
import { pearson, softmax, type HookedModel, type Tensor, type Tokenizer } from '../../ml';
import { attributionMaps, patchingMaps } from './experiments';
import { ioiPair, pairMetric, TaskError, type PromptPair } from './tasks';
import { numberIds, repeatedSequence, wordIds } from '../induction-heads/induction';
import {
  GENERATOR,
  HELD_OUT_PAIRS,
  INDUCTION_LENGTH,
  INDUCTION_SEQUENCES,
  NUMBER_SEED,
  round,
  shareBelow,
  spread,
  type AttnOnlyFigures,
  type InductionFigures,
  type Recall,
  type TinyLmFigures,
} from './held-out-figures';

// ---- attribution patching over held-out IOI pairs --------------------------------------------

/**
 * Pearson r between attribution patching's estimates and activation patching's true changes over
 * every component of every family, as the attribution-patching widget shows it.
 */
export async function attributionCorrelation(
  model: HookedModel,
  pair: PromptPair,
  direction: 'denoise' | 'noise' = 'denoise',
): Promise<number> {
  const metric = pairMetric(model.tokenizer, pair);
  const patching = await patchingMaps(model, pair, metric, direction);
  const attribution = await attributionMaps(model, pair, metric, direction);
  const base = direction === 'denoise' ? patching.corrupted : patching.clean;
  const truth = patching.families.flatMap(({ grid }) => Array.from(grid.values, (v) => v - base));
  const estimate = attribution.deltas.flatMap(({ grid }) => Array.from(grid.values));
  return pearson(truth, estimate);
}

/** The held-out IOI pairs, in file order: the first `count` prompts whose names are one token. */
export function heldOutIoiPairs(
  tokenizer: Tokenizer,
  items: readonly { prompt: string; answer: string; distractor: string }[],
  count = HELD_OUT_PAIRS,
): { pairs: PromptPair[]; skipped: number } {
  const pairs: PromptPair[] = [];
  let skipped = 0;
  for (const [i, item] of items.entries()) {
    if (pairs.length === count) break;
    try {
      pairs.push(ioiPair(tokenizer, item, `ioi-held-out-${i + 1}`));
    } catch (error) {
      if (!(error instanceof TaskError)) throw error;
      skipped++;
    }
  }
  return { pairs, skipped };
}

export async function attributionFigures(
  model: HookedModel,
  defaultPair: PromptPair,
  heldOut: readonly { prompt: string; answer: string; distractor: string }[],
): Promise<TinyLmFigures['attribution']> {
  const { pairs, skipped } = heldOutIoiPairs(model.tokenizer, heldOut);
  const rows: { prompt: string; r: number }[] = [];
  for (const pair of pairs)
    rows.push({ prompt: pair.cleanText, r: round(await attributionCorrelation(model, pair)) });
  const r = round(await attributionCorrelation(model, defaultPair));
  const rs = rows.map((row) => row.r);
  return {
    direction: 'denoise',
    default: { prompt: defaultPair.cleanText, r },
    pairs: rows,
    skipped,
    spread: spread(rs),
    defaultShareBelow: round(shareBelow(rs, r)),
  };
}

// ---- fact recall ----------------------------------------------------------------------------

/** Index of the largest value. */
function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

/** Logits at the last position of each prompt, run in batches of prompts of equal length. */
async function lastLogits(
  model: HookedModel,
  prompts: readonly (readonly number[])[],
): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(prompts.length);
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]));
  const vocab = model.config.d_vocab;
  for (const [length, indices] of byLength) {
    for (let start = 0; start < indices.length; start += 64) {
      const chunk = indices.slice(start, start + 64);
      const { logits } = await model.runWithCache(chunk.map((i) => prompts[i]!));
      chunk.forEach((i, r) => {
        const offset = (r * length + length - 1) * vocab;
        out[i] = logits.data.slice(offset, offset + vocab);
      });
    }
  }
  return out;
}

/** Top-1 recall: the share of prompts whose most likely next token is the answer. */
export async function factRecall(
  model: HookedModel,
  items: readonly { kind: string; prompt: string; answer: string }[],
): Promise<Recall> {
  const t = model.tokenizer;
  const logits = await lastLogits(
    model,
    items.map((item) => t.encode(item.prompt)),
  );
  const hits = items.map((item, i) => argmax(logits[i]!) === t.tokenToId(item.answer));
  const byKind: Record<string, { prompts: number; top1: number }> = {};
  for (const kind of [...new Set(items.map((item) => item.kind))].sort()) {
    const mine = hits.filter((_, i) => items[i]!.kind === kind);
    byKind[kind] = { prompts: mine.length, top1: round(mine.filter(Boolean).length / mine.length) };
  }
  return {
    prompts: items.length,
    top1: round(hits.filter(Boolean).length / hits.length),
    byKind,
  };
}

// ---- induction on words and on numbers ------------------------------------------------------

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

// ---- the two files --------------------------------------------------------------------------

/** Every figure of tiny-lm's held-out-figures.json. `induction` is its eval set's sequences. */
export async function tinyLmFigures(
  model: HookedModel,
  sets: {
    ioi: readonly { prompt: string; answer: string; distractor: string }[];
    facts: readonly { kind: string; prompt: string; answer: string }[];
    factsUnseenTemplate: readonly { kind: string; prompt: string; answer: string }[];
    induction: readonly (readonly number[])[];
  },
  defaultPair: PromptPair,
): Promise<TinyLmFigures> {
  const length = (sets.induction[0]!.length - 1) / 2;
  return {
    model: 'tiny-lm',
    generator: GENERATOR,
    attribution: await attributionFigures(model, defaultPair, sets.ioi),
    facts: {
      trainedPhrasings: await factRecall(model, sets.facts),
      newPhrasings: await factRecall(model, sets.factsUnseenTemplate),
    },
    induction: await inductionFigures(model, sets.induction, length),
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
