/**
 * Previous-token and induction heads in attn-only-2l, computed through src/ml's hook API only (no
 * DOM): a repeated random sequence, every head's attention pattern, each head's scores (the
 * definitions of models/attn-only-2l/evaluate.py), and which layer-0 head the induction head's
 * keys depend on (K-composition) as against its queries (Q-composition).
 */
import type { HookedModel, Intervention, Tensor, Tokenizer } from '../../ml';
import { mulberry32 } from '../kit/random';

/** Ids of the vocabulary's plain words (letters only), the pool the random sequences use. */
export function wordIds(tokenizer: Tokenizer): number[] {
  return tokenizer.vocab.flatMap((token, id) => (/^[A-Za-z]+$/.test(token) ? [id] : []));
}

/**
 * Ids of the two-digit number tokens "00".."99": the tokenizer cuts digit runs into two-digit
 * chunks (1745 reads as "17" "45"), so a random two-digit number written out is one token.
 */
export function numberIds(tokenizer: Tokenizer): number[] {
  return Array.from({ length: 100 }, (_, n) =>
    tokenizer.tokenToId(String(n).padStart(2, '0')),
  ).filter((id) => id !== tokenizer.unkId);
}

/**
 * <bos> + `length` random words + the same words again, as models/attn-only-2l/evaluate.py
 * builds its evaluation set.
 */
export function repeatedSequence(
  words: readonly number[],
  bosId: number | null,
  length: number,
  seed: number,
): number[] {
  const random = mulberry32(seed);
  const half = Array.from({ length }, () => words[Math.floor(random() * words.length)]!);
  return [...(bosId === null ? [] : [bosId]), ...half, ...half];
}

/** Scores of every head, [layer][head]. */
export interface HeadScores {
  /** Mean attention from each position p ≥ 1 to p − 1. */
  readonly previousToken: number[][];
  /** Mean attention from each position of the second copy to the token after its first occurrence. */
  readonly induction: number[][];
}

/**
 * Scores from hook_pattern tensors [batch, heads, q, k] (one per layer) of sequences
 * <bos> + L words + the same L words: previous-token score = mean of pattern[p][p − 1] over
 * p ≥ 1; induction score = mean of pattern[p][p − L + 1] over the second copy's p = L + 1 … 2L.
 */
export function headScores(patterns: readonly Tensor[], length: number): HeadScores {
  const previousToken: number[][] = [];
  const induction: number[][] = [];
  for (const pattern of patterns) {
    const [batch, heads, q, k] = pattern.dims as [number, number, number, number];
    const at = (b: number, h: number, query: number, key: number) =>
      pattern.data[((b * heads + h) * q + query) * k + key]!;
    const prev: number[] = [];
    const ind: number[] = [];
    for (let h = 0; h < heads; h++) {
      let sumPrev = 0;
      let sumInd = 0;
      for (let b = 0; b < batch; b++) {
        for (let p = 1; p < q; p++) sumPrev += at(b, h, p, p - 1);
        for (let p = length + 1; p <= 2 * length; p++) sumInd += at(b, h, p, p - length + 1);
      }
      prev.push(sumPrev / (batch * (q - 1)));
      ind.push(sumInd / (batch * length));
    }
    previousToken.push(prev);
    induction.push(ind);
  }
  return { previousToken, induction };
}

/** The head with the highest score in `layer`. */
export function bestHead(
  scores: readonly (readonly number[])[],
  layer: number,
): { layer: number; head: number; score: number } {
  const row = scores[layer]!;
  const head = row.indexOf(Math.max(...row));
  return { layer, head, score: row[head]! };
}

/** "1.5": layer and head as the model card names heads. */
export const headName = (layer: number, head: number) => `${layer}.${head}`;

/** Patterns and scores of a batch of repeated sequences. */
export interface InductionRun {
  /** hook_pattern of each layer, [batch, heads, q, k]. */
  readonly patterns: Tensor[];
  readonly scores: HeadScores;
  readonly previousTokenHead: { layer: number; head: number; score: number };
  readonly inductionHead: { layer: number; head: number; score: number };
  /** Mean next-token loss on the first copy (words 2..L) and on the second copy. */
  readonly firstCopyLoss: number;
  readonly secondCopyLoss: number;
}

function copyLosses(logits: Tensor, sequences: readonly (readonly number[])[], length: number) {
  const [batch, pos, vocab] = logits.dims as [number, number, number];
  let first = 0;
  let second = 0;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < pos - 1; p++) {
      const row = logits.data.subarray((b * pos + p) * vocab, (b * pos + p + 1) * vocab);
      let max = -Infinity;
      for (const v of row) max = Math.max(max, v);
      let sum = 0;
      for (const v of row) sum += Math.exp(v - max);
      const loss = Math.log(sum) + max - row[sequences[b]![p + 1]!]!;
      // Position p predicts token p + 1; the first word of each copy cannot be predicted.
      if (p + 1 >= 2 && p + 1 <= length) first += loss;
      if (p + 1 >= length + 2) second += loss;
    }
  }
  const count = batch * (length - 1);
  return { firstCopyLoss: first / count, secondCopyLoss: second / count };
}

/** Runs a batch of repeated sequences (<bos> + L + L words) and scores every head. */
export async function inductionRun(
  model: HookedModel,
  sequences: readonly (readonly number[])[],
  length: number,
): Promise<InductionRun> {
  const hooks = model.blockHooks('attn.hook_pattern');
  const { logits, cache } = await model.runWithCache(sequences, hooks);
  const patterns = hooks.map((h) => cache.get(h)!);
  const scores = headScores(patterns, length);
  const layers = patterns.length;
  return {
    patterns,
    scores,
    previousTokenHead: bestHead(scores.previousToken, 0),
    inductionHead: bestHead(scores.induction, layers - 1),
    ...copyLosses(logits, sequences, length),
  };
}

/** How much each layer-0 head matters to each layer-1 head's induction score, by path. */
export interface Composition {
  /** Induction score of each layer-1 head with nothing removed, [head]. */
  readonly baseline: number[];
  /** [layer-0 head][layer-1 head]: induction score when that layer-0 head is mean-ablated … */
  /** … in the layer-1 keys only (K-composition). */
  readonly keys: number[][];
  /** … in the layer-1 queries only (Q-composition). */
  readonly queries: number[][];
  /** … everywhere (every path). */
  readonly everywhere: number[][];
}

/**
 * Path ablation of each layer-0 head into layer 1's keys and, separately, its queries. First one
 * batched call with each layer-0 head mean-ablated (its z replaced by its mean over the batch and
 * positions) records layer 1's q and k; then one batched call on the unablated sequences patches
 * only the keys (or only the queries) with those, and reads layer 1's patterns. A head that feeds
 * the induction head's keys (the previous-token head, if K-composition is at work) lowers its
 * induction score in the keys row and hardly at all in the queries row.
 */
export async function compositionScores(
  model: HookedModel,
  sequences: readonly (readonly number[])[],
  length: number,
): Promise<Composition> {
  const heads = model.config.n_heads;
  const batch = sequences.length;
  const z0 = 'blocks.0.attn.hook_z';
  const [q1, k1, pattern1] = ['attn.hook_q', 'attn.hook_k', 'attn.hook_pattern'].map(
    (s) => `blocks.1.${s}`,
  ) as [string, string, string];

  const clean = await model.runWithCache(sequences, [z0, pattern1]);
  const z = clean.cache.get(z0)!; // [batch, pos, heads, d_head]
  const [, pos, , dHead] = z.dims as [number, number, number, number];
  // Mean of each head's z over batch and positions: [1, 1, heads, d_head].
  const mean = new Float32Array(heads * dHead);
  for (let i = 0; i < z.data.length; i++) mean[i % (heads * dHead)]! += z.data[i]!;
  for (let i = 0; i < mean.length; i++) mean[i]! /= batch * pos;
  const meanZ: Tensor = { data: mean, dims: [1, 1, heads, dHead] };

  // Row block a (a = ablated layer-0 head) repeats the batch of sequences.
  const rows = Array.from({ length: heads }, () => sequences).flat();
  const ablations: Intervention[] = Array.from({ length: heads }, (_, a) => ({
    hook: z0,
    kind: 'mean',
    value: meanZ,
    heads: [a],
    rows: Array.from({ length: batch }, (_, b) => a * batch + b),
  }));
  const ablated = await model.runWithInterventions(rows, ablations, [q1, k1, pattern1]);

  // Rows 0 … R − 1 take the ablated keys, rows R … 2R − 1 the ablated queries; a patch value
  // covers the whole batch, so each is given twice and only its own rows are read.
  const twice = (t: Tensor): Tensor => {
    const data = new Float32Array(t.data.length * 2);
    data.set(t.data);
    data.set(t.data, t.data.length);
    return { data, dims: [t.dims[0]! * 2, ...t.dims.slice(1)] };
  };
  const patched = await model.runWithInterventions(
    [...rows, ...rows],
    [
      {
        hook: k1,
        kind: 'patch',
        value: twice(ablated.cache.get(k1)!),
        rows: rows.map((_, r) => r),
      },
      {
        hook: q1,
        kind: 'patch',
        value: twice(ablated.cache.get(q1)!),
        rows: rows.map((_, r) => rows.length + r),
      },
    ],
    [pattern1],
  );

  const baseline = headScores([clean.cache.get(pattern1)!], length).induction[0]!;
  const perAblation = (pattern: Tensor, offset: number) =>
    Array.from(
      { length: heads },
      (_, a) => headScores([rowsOf(pattern, offset + a * batch, batch)], length).induction[0]!,
    );
  const patchedPattern = patched.cache.get(pattern1)!;
  return {
    baseline,
    keys: perAblation(patchedPattern, 0),
    queries: perAblation(patchedPattern, rows.length),
    everywhere: perAblation(ablated.cache.get(pattern1)!, 0),
  };
}

/**
 * Loss on the second copy with each head of `layer` mean-ablated (its z replaced by its mean over
 * the batch and positions), from one batched call: how much the prediction of the repeated words
 * rests on each head. Returns [head] plus the unablated loss.
 */
export async function ablatedCopyLosses(
  model: HookedModel,
  sequences: readonly (readonly number[])[],
  length: number,
  layer: number,
): Promise<{ baseline: number; ablated: number[] }> {
  const heads = model.config.n_heads;
  const batch = sequences.length;
  const hook = `blocks.${layer}.attn.hook_z`;
  const clean = await model.runWithCache(sequences, [hook]);
  const z = clean.cache.get(hook)!;
  const [, pos, , dHead] = z.dims as [number, number, number, number];
  const mean = new Float32Array(heads * dHead);
  for (let i = 0; i < z.data.length; i++) mean[i % (heads * dHead)]! += z.data[i]! / (batch * pos);
  const rows = Array.from({ length: heads }, () => sequences).flat();
  const { logits } = await model.runWithInterventions(
    rows,
    Array.from({ length: heads }, (_, h) => ({
      hook,
      kind: 'mean' as const,
      value: { data: mean, dims: [1, 1, heads, dHead] },
      heads: [h],
      rows: Array.from({ length: batch }, (_, b) => h * batch + b),
    })),
  );
  const ablated = Array.from(
    { length: heads },
    (_, h) => copyLosses(rowsOf(logits, h * batch, batch), sequences, length).secondCopyLoss,
  );
  return { baseline: copyLosses(clean.logits, sequences, length).secondCopyLoss, ablated };
}

/** Rows start … start + count of a tensor's first axis (a view). */
function rowsOf(t: Tensor, start: number, count: number): Tensor {
  const size = t.data.length / t.dims[0]!;
  return {
    data: t.data.subarray(start * size, (start + count) * size),
    dims: [count, ...t.dims.slice(1)],
  };
}
