/**
 * tiny-lm's held-out figures (see held-out-figures.ts for what each one is), computed on a
 * HookedModel with the widgets' own experiments: attribution patching's r and fact recall. The
 * induction figures are the induction widget's (induction-heads/held-out.ts). No DOM.
 */
import { pearson, type HookedModel } from '../../ml';
import { attributionMaps, patchingMaps } from './experiments';
import { pairMetric, type PromptPair } from './tasks';
import {
  GENERATOR,
  heldOutIoiPairs,
  round,
  shareBelow,
  spread,
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
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

/** Logits at the last position of each prompt, run in batches of prompts of equal length. */
export async function lastLogits(
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

/**
 * Every figure of tiny-lm's held-out-figures.json; the induction figures come from the induction
 * widget's code (induction-heads/held-out.ts inductionFigures on tiny-lm's eval sequences).
 */
export async function tinyLmFigures(
  model: HookedModel,
  sets: {
    ioi: readonly { prompt: string; answer: string; distractor: string }[];
    facts: readonly { kind: string; prompt: string; answer: string }[];
    factsUnseenTemplate: readonly { kind: string; prompt: string; answer: string }[];
  },
  defaultPair: PromptPair,
  induction: InductionFigures,
): Promise<TinyLmFigures> {
  return {
    model: 'tiny-lm',
    generator: GENERATOR,
    attribution: await attributionFigures(model, defaultPair, sets.ioi),
    facts: {
      trainedPhrasings: await factRecall(model, sets.facts),
      newPhrasings: await factRecall(model, sets.factsUnseenTemplate),
    },
    induction,
  };
}
