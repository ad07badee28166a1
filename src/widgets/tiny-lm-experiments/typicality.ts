/**
 * "How typical is this?": one sentence per widget that puts the number the reader sees beside the
 * same measurement over fixed held-out prompts (held-out-figures.json). Pure: figures in, text out.
 */
import type { InductionFigures, Recall, TinyLmFigures } from './held-out-figures';
import { shareBelow } from './held-out-figures';

const two = (x: number) => x.toFixed(2);
const percent = (x: number) => `${Math.round(x * 100)}%`;

/** Where a value falls among held-out ones, in words. */
export function standing(share: number): string {
  if (share >= 0.9) return 'among the best';
  if (share >= 0.6) return 'better than most';
  if (share > 0.4) return 'about typical';
  if (share > 0.1) return 'worse than most';
  return 'among the worst';
}

/**
 * Attribution patching's r on the pair shown against its spread over the held-out IOI pairs.
 * `task` is the shown pair's task: only IOI pairs are ranked against the IOI distribution.
 */
export function attributionTypicality(
  figures: TinyLmFigures['attribution'],
  shown: { r: number; task: string },
): string {
  const { spread } = figures;
  const over =
    `over ${spread.count} held-out IOI pairs the median is ${two(spread.median)} and one in ten ` +
    `is below ${two(spread.p10)} (worst ${two(spread.min)})`;
  if (shown.task !== 'ioi') return `On this pair r = ${shown.r.toFixed(3)}; ${over}.`;
  const share = shareBelow(
    figures.pairs.map((p) => p.r),
    shown.r,
  );
  return (
    `On this pair r = ${shown.r.toFixed(3)}; ${over}. ` +
    `This pair is ${standing(share)}: above ${percent(share)} of them.`
  );
}

/** Which held-out set a fact prompt is from: a trained phrasing or one never trained. */
export type FactPhrasing = 'trained' | 'new';

/** The held-out fact with this exact prompt, and which set it is in; null when it is in neither. */
export function heldOutFact(
  sets: {
    facts: readonly { prompt: string; answer: string }[];
    factsUnseenTemplate: readonly { prompt: string; answer: string }[];
  },
  prompt: string,
): { phrasing: FactPhrasing; answer: string } | null {
  const text = prompt.trim();
  const trained = sets.facts.find((f) => f.prompt === text);
  if (trained) return { phrasing: 'trained', answer: trained.answer };
  const fresh = sets.factsUnseenTemplate.find((f) => f.prompt === text);
  return fresh ? { phrasing: 'new', answer: fresh.answer } : null;
}

/** a0, b0, a1, b1, …, then what is left of the longer list. */
export function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

/** The items with their kinds taken in turn (athlete, city, athlete, …), each kind in order. */
function kindsInTurn<T extends { kind: string }>(items: readonly T[]): T[] {
  const byKind = new Map<string, T[]>();
  for (const item of items) byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), item]);
  return [...byKind.values()].reduce<T[]>((all, list) => interleave(all, list), []);
}

/**
 * The order "Try a held-out fact" offers held-out facts in: a new phrasing, then a trained one,
 * in turn, and within each the kinds of fact in turn, so that a few clicks show both kinds of
 * fact in both kinds of phrasing.
 */
export function heldOutFactOrder<T extends { kind: string; prompt: string; answer: string }>(sets: {
  facts: readonly T[];
  factsUnseenTemplate: readonly T[];
}): T[] {
  return interleave(kindsInTurn(sets.factsUnseenTemplate), kindsInTurn(sets.facts));
}

const byKind = (recall: Recall) =>
  Object.entries(recall.byKind)
    .map(([kind, r]) => `${kind === 'city' ? 'cities' : `${kind}s`} ${percent(r.top1)}`)
    .join(', ');

/**
 * Fact recall over held-out prompts, trained phrasings against a new one; and, for a held-out
 * prompt, which of the two it is and whether the model's prediction is its answer.
 */
export function factTypicality(
  facts: TinyLmFigures['facts'],
  shown: { fact: { phrasing: FactPhrasing; answer: string } | null; prediction: string },
): string {
  const { trainedPhrasings: trained, newPhrasings: fresh } = facts;
  const overall =
    `Fact recall over held-out prompts: ${percent(trained.top1)} right in phrasings it was trained on ` +
    `(${trained.prompts} prompts), ${percent(fresh.top1)} in a phrasing it never saw ` +
    `(${fresh.prompts} prompts: ${byKind(fresh)}).`;
  if (!shown.fact) return overall;
  const right = shown.prediction === shown.fact.answer;
  const kind = shown.fact.phrasing === 'new' ? 'a new phrasing' : 'a trained phrasing';
  return (
    `${overall} This prompt is held out, in ${kind}: the answer is “${shown.fact.answer}”, ` +
    `and the model ${right ? 'gets it' : 'misses it'}.`
  );
}

/** The kind of token an induction sequence repeats. */
export type RepeatedTokens = 'words' | 'numbers';

/**
 * The second copy's loss on the sequences shown against the held-out sequences of both kinds of
 * token: induction copies repeated words and not repeated numbers.
 */
export function inductionTypicality(
  figures: InductionFigures,
  shown: { tokens: RepeatedTokens; secondCopyLoss: number },
): string {
  const { words, numbers } = figures;
  const numberGuess =
    numbers.secondCopyAccuracy === 0
      ? 'the top guess is never the repeated number'
      : `the top guess is the repeated number ${percent(numbers.secondCopyAccuracy)} of the time`;
  return (
    `On these ${shown.tokens} the second copy's loss is ${two(shown.secondCopyLoss)}. ` +
    `Over ${words.sequences} held-out word sequences it is ${two(words.secondCopyLoss)}, and the ` +
    `model's top guess is the repeated word ${percent(words.secondCopyAccuracy)} of the time; on ` +
    `${numbers.sequences} sequences of two-digit numbers it is ${two(numbers.secondCopyLoss)}, and ` +
    `${numberGuess}. Induction here works on words, not numbers: the model trained on repeated words only.`
  );
}
