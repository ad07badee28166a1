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
 * This module is the file's shape and its summaries (no model, no DOM); held-out-compute.ts
 * computes the figures; typicality.ts turns them into the widgets' sentences.
 */
import { z } from 'zod';
import type { Tokenizer } from '../../ml';
import { ioiPair, TaskError, type PromptPair } from './tasks';

/** IOI pairs the attribution distribution is taken over (the first that fit, in file order). */
export const HELD_OUT_PAIRS = 60;
/** Sequences per kind of token, and tokens per copy, for the induction figures. */
export const INDUCTION_SEQUENCES = 50;
export const INDUCTION_LENGTH = 25;
/** Seeds of the number sequences: sequence i uses NUMBER_SEED + i (mulberry32). */
export const NUMBER_SEED = 9000;
/** Figures are rounded to this many decimals in the JSON (and compared to them in the test). */
export const DECIMALS = 4;

/** A figure as the JSON stores it. */
export const round = (x: number) => Number(x.toFixed(DECIMALS));

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

// ---- the held-out prompts ------------------------------------------------------------------

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
