/**
 * How typical a widget's headline number is: the same measurement over fixed held-out prompts,
 * so that a widget can say where its default prompt falls. Computed by scripts/held-out-figures.mjs
 * (`npm run models:figures`) into public/models/<model>/held-out-figures.json, and recomputed by
 * tests/unit/widgets/held-out-figures.test.ts, which fails when the committed file drifts.
 *
 *   attribution  Pearson r of attribution patching against activation patching, every component
 *                of tiny-lm, as the attribution-patching widget computes it (denoising), on the
 *                first HELD_OUT_PAIRS IOI prompts of eval-sets.json and on the widget's default.
 *   facts        top-1 recall (argmax over the whole vocabulary) on the trained phrasings of
 *                held-out entity combinations and on a phrasing never trained.
 *   induction    loss and copying accuracy on the second copy of 25 repeated tokens, for random
 *                words (the models' training pool) and random two-digit numbers.
 *
 * No DOM: a HookedModel in, plain numbers out.
 */
import { z } from 'zod';
import { pearson, softmax, type HookedModel, type Tensor, type Tokenizer } from '../../ml';
import { attributionMaps, patchingMaps } from './experiments';
import { ioiPair, pairMetric, TaskError, YEAR_TOKENS, type PromptPair } from './tasks';
import { repeatedSequence, wordIds } from '../induction-heads/induction';

/** IOI pairs the attribution distribution is taken over (the first that fit, in file order). */
export const HELD_OUT_PAIRS = 60;
/** Sequences per kind of token, and tokens per copy, for the induction figures. */
export const INDUCTION_SEQUENCES = 50;
export const INDUCTION_LENGTH = 25;
/** Seeds of the number sequences: sequence i uses NUMBER_SEED + i (mulberry32). */
export const NUMBER_SEED = 9000;
/** Figures are rounded to this many decimals in the JSON (and compared to them in the test). */
const DECIMALS = 4;

const round = (x: number) => Number(x.toFixed(DECIMALS));

// ---- summaries ------------------------------------------------------------------------------

/** Median, 10th percentile, minimum and maximum of a sample (p10 as the nearest lower rank). */
export interface Spread {
  readonly count: number;
  readonly median: number;
  readonly p10: number;
  readonly min: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('no values to summarise');
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return {
    count: n,
    median: round(median),
    p10: round(sorted[Math.floor(0.1 * n)]!),
    min: round(sorted[0]!),
    max: round(sorted[n - 1]!),
  };
}

/** Share of `values` strictly below `x`, 0..1: where `x` falls in the sample. */
export function shareBelow(values: readonly number[], x: number): number {
  return values.length === 0 ? 0 : values.filter((v) => v < x).length / values.length;
}

// ---- the committed file ---------------------------------------------------------------------

const spreadSchema = z.object({
  count: z.number().int().positive(),
  median: z.number(),
  p10: z.number(),
  min: z.number(),
  max: z.number(),
});

const recallSchema = z.object({
  prompts: z.number().int().positive(),
  top1: z.number(),
  byKind: z.record(z.string(), z.object({ prompts: z.number().int(), top1: z.number() })),
});

const inductionKindSchema = z.object({
  sequences: z.number().int().positive(),
  firstCopyLoss: z.number(),
  secondCopyLoss: z.number(),
  secondCopyAccuracy: z.number(),
});

const inductionSchema = z.object({
  length: z.number().int().positive(),
  words: inductionKindSchema.extend({ pool: z.number().int().positive() }),
  numbers: inductionKindSchema.extend({ pool: z.number().int().positive() }),
});

const tinyLmFiguresSchema = z.object({
  model: z.literal('tiny-lm'),
  generator: z.string(),
  attribution: z.object({
    direction: z.enum(['denoise', 'noise']),
    default: z.object({ prompt: z.string(), r: z.number() }),
    pairs: z.array(z.object({ prompt: z.string(), r: z.number() })).min(1),
    skipped: z.number().int(),
    spread: spreadSchema,
    /** Share of held-out pairs whose r is below the default pair's. */
    defaultShareBelow: z.number(),
  }),
  facts: z.object({ trainedPhrasings: recallSchema, newPhrasings: recallSchema }),
  induction: inductionSchema,
});

const attnOnlyFiguresSchema = z.object({
  model: z.literal('attn-only-2l'),
  generator: z.string(),
  induction: inductionSchema,
});

export type TinyLmFigures = z.infer<typeof tinyLmFiguresSchema>;
export type AttnOnlyFigures = z.infer<typeof attnOnlyFiguresSchema>;
export type Recall = z.infer<typeof recallSchema>;
export type InductionFigures = z.infer<typeof inductionSchema>;

/** held-out-figures.json of tiny-lm, checked; null when it is not the expected shape. */
export function parseTinyLmFigures(json: unknown): TinyLmFigures | null {
  const parsed = tinyLmFiguresSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** held-out-figures.json of attn-only-2l, checked; null when it is not the expected shape. */
export function parseAttnOnlyFigures(json: unknown): AttnOnlyFigures | null {
  const parsed = attnOnlyFiguresSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export const GENERATOR = 'npm run models:figures (scripts/held-out-figures.mjs)';

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

/** Ids of the two-digit number tokens "00".."99" (1745 reads as "17" "45"). */
export function numberIds(tokenizer: Tokenizer): number[] {
  return YEAR_TOKENS.map((y) => tokenizer.tokenToId(y)).filter((id) => id !== tokenizer.unkId);
}

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
