/**
 * The tasks that tiny-lm's patching and circuit widgets take apart, as token-aligned prompt pairs:
 * a clean prompt, a corrupted one of the same length that changes the answer, and the metric
 * that tells them apart. Pure: it needs a tokenizer (src/ml's Tokenizer fits) and no model.
 *
 *   IOI    "When Mary and John went to the store, John gave a drink to" → Mary; corrupted by
 *          flipping the repeated subject (S2) to the other name, so the answer becomes John.
 *   facts  "The city of Lyon is located in" → France; corrupted with another city → Spain.
 *   years  "The war lasted from 1745 to 17" → a year above 45; corrupted with start year 01
 *          (as Hanna et al. do), after which any year fits.
 */
import { z } from 'zod';
import type { LogitMetric, Tensor } from '../../ml';
import { logitDiff, softmax } from '../../ml';

/** The part of src/ml's Tokenizer the tasks need. */
export interface TaskTokenizer {
  readonly vocab: readonly string[];
  encode(text: string): number[];
  tokenToId(token: string): number;
  readonly unkId: number;
}

export type TaskKind = 'ioi' | 'facts' | 'years';

export const TASK_LABELS: Record<TaskKind, string> = {
  ioi: 'Indirect object (names)',
  facts: 'Facts (city → country)',
  years: 'Years (greater-than)',
};

/** A clean / corrupted prompt pair of equal token length. */
export interface PromptPair {
  readonly id: string;
  readonly task: TaskKind;
  /** How the pair reads in a menu. */
  readonly label: string;
  readonly cleanText: string;
  readonly corruptedText: string;
  readonly clean: readonly number[];
  readonly corrupted: readonly number[];
  /** The clean prompt's answer and the corrupted prompt's (for years: the start year, "45"). */
  readonly answer: string;
  readonly distractor: string;
  /** Positions where the two prompts differ. */
  readonly changed: readonly number[];
  /** IOI only: where the names sit (indices into the tokens). */
  readonly names?: { readonly io: number; readonly s1: number; readonly s2: number };
  /** Years only: the clean start year (0..99) and the position of its token. */
  readonly startYear?: number;
}

/** Names of the IOI task (every one a single token of tiny-lm; from models/tiny-lm/data.py). */
export const IOI_NAMES = [
  'Mary',
  'John',
  'Tom',
  'James',
  'Anna',
  'Sarah',
  'David',
  'Emma',
  'Paul',
  'Lisa',
  'Mark',
  'Laura',
  'Peter',
  'Alice',
  'Kevin',
  'Rachel',
  'Daniel',
  'Julia',
  'Chris',
  'Kate',
] as const;

/** Two-digit year tokens "00".."99". */
export const YEAR_TOKENS = Array.from({ length: 100 }, (_, y) => String(y).padStart(2, '0'));

/** Prompts of the built-in pairs, used whatever eval-sets.json holds. */
const BUILT_IN = {
  ioi: {
    prompt: 'When Mary and John went to the store, John gave a drink to',
    answer: 'Mary',
    distractor: 'John',
  },
  ioiHeldOut: {
    prompt: 'Friends Mary and John found a ball at the park. John gave it to',
    answer: 'Mary',
    distractor: 'John',
  },
  facts: [
    { prompt: 'The city of Lyon is located in', answer: 'France' },
    { prompt: 'The city of Madrid is located in', answer: 'Spain' },
  ],
  years: { prompt: 'The war lasted from 1745 to 17', startYear: 45, century: '17' },
} as const;

/** Thrown when a prompt does not fit its task (unknown words, names not found, lengths differ). */
export class TaskError extends Error {
  override readonly name = 'TaskError';
}

function encodeKnown(tok: TaskTokenizer, text: string): number[] {
  const ids = tok.encode(text);
  const unknown = ids.indexOf(tok.unkId);
  if (unknown >= 0) throw new TaskError(`"${text}" has a word tiny-lm does not know`);
  return ids;
}

function idOf(tok: TaskTokenizer, token: string): number {
  const id = tok.tokenToId(token);
  if (id === tok.unkId) throw new TaskError(`"${token}" is not one token of the model`);
  return id;
}

function differences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new TaskError('the two prompts differ in token length');
  return a.flatMap((id, i) => (id === b[i] ? [] : [i]));
}

/**
 * IOI pair: the corrupted prompt repeats the indirect object instead of the subject (S2 → IO),
 * so its right answer is the subject. Metric: logit(IO) − logit(S).
 */
export function ioiPair(
  tok: TaskTokenizer,
  item: { prompt: string; answer: string; distractor: string },
  id = 'ioi',
): PromptPair {
  const clean = encodeKnown(tok, item.prompt);
  const io = idOf(tok, item.answer);
  const s = idOf(tok, item.distractor);
  const ioPosition = clean.indexOf(io);
  const s1 = clean.indexOf(s);
  const s2 = clean.lastIndexOf(s);
  if (ioPosition < 0 || s1 < 0 || s2 === s1) {
    throw new TaskError(
      `"${item.prompt}" does not name ${item.answer} once and ${item.distractor} twice`,
    );
  }
  const corrupted = [...clean];
  corrupted[s2] = io;
  return {
    id,
    task: 'ioi',
    label: item.prompt,
    cleanText: item.prompt,
    corruptedText: replaceWord(item.prompt, item.distractor, item.answer, 'last'),
    clean,
    corrupted,
    answer: item.answer,
    distractor: item.distractor,
    changed: [s2],
    names: { io: ioPosition, s1, s2 },
  };
}

/** Replaces the first or last whole-word occurrence of `word` in `text`. */
function replaceWord(text: string, word: string, by: string, which: 'first' | 'last'): string {
  const pattern = new RegExp(`\\b${word}\\b`, 'g');
  const matches = [...text.matchAll(pattern)];
  const match = which === 'first' ? matches[0] : matches[matches.length - 1];
  if (!match || match.index === undefined) return text;
  return text.slice(0, match.index) + by + text.slice(match.index + word.length);
}

/** Facts pair: two prompts of one template about entities with different answers. */
export function factsPair(
  tok: TaskTokenizer,
  clean: { prompt: string; answer: string },
  corrupted: { prompt: string; answer: string },
  id = 'facts',
): PromptPair {
  const a = encodeKnown(tok, clean.prompt);
  const b = encodeKnown(tok, corrupted.prompt);
  const changed = differences(a, b);
  if (changed.length === 0 || clean.answer === corrupted.answer) {
    throw new TaskError('a facts pair needs two different entities with different answers');
  }
  idOf(tok, clean.answer);
  idOf(tok, corrupted.answer);
  return {
    id,
    task: 'facts',
    label: `${clean.prompt} (vs ${changed.map((i) => tok.vocab[b[i]!]).join(' ')})`,
    cleanText: clean.prompt,
    corruptedText: corrupted.prompt,
    clean: a,
    corrupted: b,
    answer: clean.answer,
    distractor: corrupted.answer,
    changed,
  };
}

/**
 * Years pair: the start year's token becomes "01" (Hanna et al.'s corruption), so that every
 * later year is as good as any. `startYear` must be in 2..99.
 */
export function yearsPair(
  tok: TaskTokenizer,
  item: { prompt: string; startYear: number; century: string },
  id = 'years',
): PromptPair {
  const clean = encodeKnown(tok, item.prompt);
  const century = idOf(tok, item.century);
  const year = idOf(tok, YEAR_TOKENS[item.startYear]!);
  // The start year is the token right after the first century token.
  const position = clean.findIndex((t, i) => i > 0 && clean[i - 1] === century && t === year);
  if (position < 0 || position >= clean.length - 1) {
    throw new TaskError(
      `"${item.prompt}" has no start year ${item.century}${YEAR_TOKENS[item.startYear]}`,
    );
  }
  if (item.startYear < 2) throw new TaskError('the start year must be 02 or later');
  const corrupted = [...clean];
  corrupted[position] = idOf(tok, '01');
  const yy = YEAR_TOKENS[item.startYear]!;
  return {
    id,
    task: 'years',
    label: item.prompt,
    cleanText: item.prompt,
    corruptedText: item.prompt.replace(`${item.century}${yy}`, `${item.century}01`),
    clean,
    corrupted,
    answer: yy,
    distractor: '01',
    changed: [position],
    startYear: item.startYear,
  };
}

/**
 * The metric of a pair, with its gradient for attribution patching. IOI and facts: logit
 * difference between the clean and the corrupted answer at the last position. Years: the
 * probability difference of Hanna et al., p(year > start) − p(year ≤ start) over "00".."99".
 */
export function pairMetric(tok: TaskTokenizer, pair: PromptPair): LogitMetric {
  if (pair.task === 'years') {
    const start = pair.startYear ?? 0;
    return probabilityDifference(
      YEAR_TOKENS.map((y) => idOf(tok, y)),
      YEAR_TOKENS.map((_, y) => (y > start ? 1 : -1)),
      `p(year > ${pair.answer}) − p(year ≤ ${pair.answer})`,
    );
  }
  return logitDiff({
    answer: idOf(tok, pair.answer),
    distractor: idOf(tok, pair.distractor),
    label: `logit(${pair.answer}) − logit(${pair.distractor})`,
  });
}

/**
 * Σ_i w_i p(token_i) at the last position (p = softmax over the whole vocabulary), with its
 * gradient d/dz_j = p_j (w_j − Σ_i w_i p_i). Not linear in the logits.
 */
export function probabilityDifference(
  tokens: readonly number[],
  weights: readonly number[],
  label: string,
): LogitMetric {
  const weightOf = new Map(tokens.map((t, i) => [t, weights[i]!]));
  const lastRow = (logits: Tensor) => {
    const [pos, vocab] = logits.dims as [number, number];
    return {
      offset: (pos - 1) * vocab,
      probs: softmax(logits.data.subarray((pos - 1) * vocab, pos * vocab)),
    };
  };
  const value = (probs: Float32Array) => {
    let sum = 0;
    for (const [t, w] of weightOf) sum += w * probs[t]!;
    return sum;
  };
  return {
    label,
    linear: false,
    position: -1,
    evaluate: (logits) => value(lastRow(logits).probs),
    gradient(logits) {
      const { offset, probs } = lastRow(logits);
      const mean = value(probs);
      const grad = new Float32Array(logits.data.length);
      for (let j = 0; j < probs.length; j++)
        grad[offset + j] = probs[j]! * ((weightOf.get(j) ?? 0) - mean);
      return { data: grad, dims: [...logits.dims] };
    },
  };
}

/** tiny-lm's held-out prompt sets (public/models/tiny-lm/eval-sets.json), the parts used here. */
const evalSetsSchema = z.object({
  ioi: z
    .array(z.object({ prompt: z.string(), answer: z.string(), distractor: z.string() }))
    .default([]),
  /** Sentiment prompts that end where an adjective comes next ("I love this phone. It is"). */
  sentiment: z
    .array(z.object({ prompt: z.string(), polarity: z.enum(['pos', 'neg']) }))
    .default([]),
  greaterThan: z
    .array(z.object({ prompt: z.string(), startYear: z.number().int(), century: z.string() }))
    .default([]),
  facts: z
    .array(z.object({ kind: z.string(), prompt: z.string(), answer: z.string() }))
    .default([]),
  /** The same entities in a phrasing never used in training. */
  factsUnseenTemplate: z
    .array(z.object({ kind: z.string(), prompt: z.string(), answer: z.string() }))
    .default([]),
});

export type EvalSets = z.infer<typeof evalSetsSchema>;

/** Validates eval-sets.json; null when it is not the expected shape. */
export function parseEvalSets(json: unknown): EvalSets | null {
  const parsed = evalSetsSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Pairs built from whatever fits; a prompt that does not fit the tokenizer is skipped. */
function tryPair(build: () => PromptPair): PromptPair[] {
  try {
    return [build()];
  } catch (error) {
    if (error instanceof TaskError) return [];
    throw error;
  }
}

/** Two prompts of a facts set that differ only in the entity and have different answers. */
function factsPairsFrom(tok: TaskTokenizer, items: EvalSets['facts'], count: number): PromptPair[] {
  const encoded = items.flatMap((item) => {
    const ids = tok.encode(item.prompt);
    return ids.includes(tok.unkId) ? [] : [{ item, ids }];
  });
  const pairs: PromptPair[] = [];
  for (let i = 0; i < encoded.length && pairs.length < count; i++) {
    const a = encoded[i]!;
    const match = encoded.find(
      (b, j) =>
        j > i &&
        b.item.kind === a.item.kind &&
        b.item.answer !== a.item.answer &&
        b.ids.length === a.ids.length &&
        differences(a.ids, b.ids).length <= 2 &&
        // one contiguous entity
        differences(a.ids, b.ids).every((p, k, all) => k === 0 || p === all[k - 1]! + 1),
    );
    if (!match) continue;
    if (pairs.some((p) => p.cleanText === a.item.prompt)) continue;
    pairs.push(...tryPair(() => factsPair(tok, a.item, match.item, `facts-${pairs.length + 1}`)));
  }
  return pairs;
}

/**
 * The prompt pairs a widget offers: the built-in examples first (the first IOI pair is the
 * default), then a few held-out prompts from tiny-lm's eval sets when they are available.
 */
export function presetPairs(
  tok: TaskTokenizer,
  evalSets: EvalSets | null,
  tasks: readonly TaskKind[] = ['ioi', 'facts', 'years'],
): PromptPair[] {
  const pairs: PromptPair[] = [];
  if (tasks.includes('ioi')) {
    pairs.push(...tryPair(() => ioiPair(tok, BUILT_IN.ioi, 'ioi')));
    pairs.push(...tryPair(() => ioiPair(tok, BUILT_IN.ioiHeldOut, 'ioi-held-out')));
    for (const [i, item] of (evalSets?.ioi ?? []).slice(0, 3).entries())
      pairs.push(...tryPair(() => ioiPair(tok, item, `ioi-eval-${i + 1}`)));
  }
  if (tasks.includes('facts')) {
    pairs.push(...tryPair(() => factsPair(tok, BUILT_IN.facts[0], BUILT_IN.facts[1], 'facts')));
    pairs.push(...factsPairsFrom(tok, evalSets?.facts ?? [], 2));
  }
  if (tasks.includes('years')) {
    pairs.push(...tryPair(() => yearsPair(tok, BUILT_IN.years, 'years')));
    for (const [i, item] of (evalSets?.greaterThan ?? []).slice(0, 2).entries())
      pairs.push(...tryPair(() => yearsPair(tok, item, `years-eval-${i + 1}`)));
  }
  return pairs;
}

/**
 * Prompts like the clean one with its task-relevant tokens resampled: other names for IOI (three
 * different names, the "ABC" distribution), other start years for years, the corrupted prompt
 * for facts. Mean ablation averages over them; resample ablation patches each one in.
 */
export function referencePrompts(tok: TaskTokenizer, pair: PromptPair, count: number): number[][] {
  const out: number[][] = [];
  if (pair.task === 'ioi' && pair.names) {
    const ids = IOI_NAMES.map((n) => tok.tokenToId(n)).filter((id) => id !== tok.unkId);
    const used = new Set([pair.clean[pair.names.io], pair.clean[pair.names.s1]]);
    const free = ids.filter((id) => !used.has(id));
    for (let k = 0; k < count && free.length >= 3; k++) {
      const tokens = [...pair.clean];
      // Three different names, stepping through the list so that every prompt differs.
      tokens[pair.names.io] = free[(3 * k) % free.length]!;
      tokens[pair.names.s1] = free[(3 * k + 1) % free.length]!;
      tokens[pair.names.s2] = free[(3 * k + 2) % free.length]!;
      out.push(tokens);
    }
  } else if (pair.task === 'years' && pair.changed.length === 1) {
    for (let k = 0; k < count; k++) {
      const tokens = [...pair.clean];
      const year = 5 + Math.round((k * 90) / Math.max(1, count - 1));
      tokens[pair.changed[0]!] = tok.tokenToId(YEAR_TOKENS[year]!);
      out.push(tokens);
    }
  }
  if (out.length === 0) out.push([...pair.corrupted]);
  return out;
}
