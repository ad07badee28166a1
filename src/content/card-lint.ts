/**
 * The card linter: the rules every flashcard in content/ must keep (CARDS-SPEC, issue #14), checked
 * on the records as parsed from YAML, before any schema, so that each problem is reported with the
 * file and the card id a writer can fix rather than as a schema error. Pure: no file system, no
 * Astro; the unit test and `npm run lint:cards` read the files and hand them in.
 */
import katex from 'katex';
import { pointAnchor } from './anchors';
import { SOURCES } from './paper-schema';
import { splitMath, unescapedDollars } from './math-text';

/** The rules, in the order they are reported. */
export const CARD_RULES = [
  'source',
  'one-question',
  'one-thing',
  'back-length',
  'deck-median',
  'duplicate-front',
  'link',
  'math',
] as const;
export type CardRule = (typeof CARD_RULES)[number];

/** No card back may be longer than this many words. */
export const MAX_BACK_WORDS = 40;
/** The deck's median back may be no longer than this many words. */
export const MAX_MEDIAN_BACK_WORDS = 20;
/**
 * A second question joined to the first: a comma or semicolon, a conjunction, then a question word
 * ("…, and why …?", "…; or how …?"). Such a front has one question mark but asks two things.
 */
const SECOND_QUESTION =
  /[,;]\s+(?:and|or|but)\s+(?:why|how|what|when|which|where|who|whose|whom)\b/i;

/** The joint where a front starts a second question, if it does (", and why"). */
export function secondQuestion(front: string): string | null {
  return SECOND_QUESTION.exec(front.replace(/\s+/g, ' '))?.[0] ?? null;
}

/** Two fronts whose word sets overlap this much (Jaccard index) ask the same thing. */
export const NEAR_DUPLICATE_JACCARD = 0.8;

export interface CardLintViolation {
  rule: CardRule;
  /** The file to fix, relative to the repository root ("(deck)" for a deck-wide rule). */
  file: string;
  /** The card's deck id, or `<paper>/takeaways/<n>` / `<paper>/<field>` for a non-card field. */
  id: string;
  message: string;
}

/** One YAML file as parsed: a paper record, or the glossary's list of terms. */
export interface LintFile {
  file: string;
  data: unknown;
}

export interface CardLintInput {
  papers: readonly LintFile[];
  glossary: LintFile;
  /** Chapters in reading order, each with the paper ids its page renders. */
  chapters: readonly { slug: string; papers: readonly string[] }[];
}

/** A card as the linter sees it: where it lives and what it says. */
export interface LintedCard {
  file: string;
  id: string;
  front: string;
  back: string;
}

export interface CardLintReport {
  violations: CardLintViolation[];
  cards: LintedCard[];
  medianBackWords: number;
  maxBackWords: number;
}

/** Words of a card back: whitespace-separated tokens, as the card rules count them. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * The set of words a front is compared by: lower-cased, with every character that is not a
 * letter or digit (punctuation, `$`, TeX's `_` and `\`) treated as a space.
 */
export function frontWords(front: string): Set<string> {
  return new Set(
    front
      .normalize('NFKC')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
}

/** Jaccard index of two word sets: shared words over all words (1 for two empty sets). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** Two fronts are near-duplicates when their word sets have a Jaccard index ≥ 0.8. */
export function isNearDuplicate(a: string, b: string): boolean {
  return jaccard(frontWords(a), frontWords(b)) >= NEAR_DUPLICATE_JACCARD;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** "file: id [rule] message", the line the test and the CLI print. */
export function formatViolation(violation: CardLintViolation): string {
  return `${violation.file}: ${violation.id} [${violation.rule}] ${violation.message}`;
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The raw cards of a point or glossary term: its `card` (primary id) and its `moreCards`. A missing
 * card is the schema's to report (tests/unit/content/paper-records.test.ts).
 */
function cardsOf(owner: Raw, baseId: string, file: string): LintedCard[] {
  const cards: LintedCard[] = [];
  if (isRecord(owner['card'])) {
    const card = owner['card'];
    cards.push({ file, id: baseId, front: asString(card['front']), back: asString(card['back']) });
  }
  for (const extra of asArray(owner['moreCards'])) {
    if (!isRecord(extra)) continue;
    const extraId = asString(extra['id']);
    const id = `${baseId}/${extraId}`;
    cards.push({ file, id, front: asString(extra['front']), back: asString(extra['back']) });
  }
  return cards;
}

/** The id of the anchor a point's cards link back to, if the chapter page renders the paper. */
function paperRenderedOn(
  paper: Raw,
  byId: ReadonlyMap<string, Raw>,
  chapters: CardLintInput['chapters'],
): string | null {
  const id = asString(paper['id']);
  const chapter = chapters.find((candidate) => candidate.slug === paper['chapter']);
  if (!chapter) return `its chapter "${asString(paper['chapter'])}" does not exist`;
  if (!chapter.papers.includes(id)) return `chapter "${chapter.slug}" does not list "${id}"`;
  if (paper['kind'] === 'companion') {
    // A companion is rendered inside its host's section, so the host must be on the same page.
    const host = byId.get(asString(paper['attachedTo']));
    if (!host || host['kind'] !== 'paper' || host['chapter'] !== paper['chapter']) {
      return `companion "${id}" is attached to "${asString(paper['attachedTo'])}", not a paper of chapter "${chapter.slug}"`;
    }
  }
  return null;
}

/** Checks that each `$…$` is closed and parses as TeX. */
function mathProblems(text: string): string[] {
  if (unescapedDollars(text) % 2 === 1)
    return ['has an unclosed "$" (write a literal dollar as \\$)'];
  const problems: string[] = [];
  for (const segment of splitMath(text)) {
    if (segment.kind !== 'math') continue;
    try {
      katex.renderToString(segment.tex, { throwOnError: true, strict: 'ignore' });
    } catch (error) {
      problems.push(`$${segment.tex}$ is not valid TeX: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Lints every card of the deck's sources and the fields around them. */
export function lintCards(input: CardLintInput): CardLintReport {
  const violations: CardLintViolation[] = [];
  const cards: LintedCard[] = [];
  const papers = input.papers.filter((entry) => isRecord(entry.data)) as {
    file: string;
    data: Raw;
  }[];
  const byId = new Map(papers.map(({ data }) => [asString(data['id']), data]));
  const anchors = new Map<string, string>();

  const checkMath = (file: string, id: string, field: string, text: string) => {
    for (const problem of mathProblems(text))
      violations.push({ rule: 'math', file, id, message: `${field} ${problem}` });
  };

  for (const { file, data: paper } of papers) {
    const paperId = asString(paper['id']);
    const report = (rule: CardRule, id: string, message: string) =>
      violations.push({ rule, file, id, message });
    const notRendered = paperRenderedOn(paper, byId, input.chapters);

    for (const [index, takeaway] of asArray(paper['takeaways']).entries()) {
      const id = `${paperId}/takeaways/${index + 1}`;
      const source = isRecord(takeaway) ? takeaway['source'] : undefined;
      if (!SOURCES.includes(source as (typeof SOURCES)[number]))
        report('source', id, `takeaway needs source: list or ours (has ${String(source)})`);
      if (isRecord(takeaway)) checkMath(file, id, 'text', asString(takeaway['text']));
    }
    for (const field of ['summary', 'skim', 'caveats'] as const) {
      const texts = field === 'summary' ? [paper[field]] : asArray(paper[field]);
      for (const text of texts) checkMath(file, `${paperId}/${field}`, field, asString(text));
    }

    for (const field of ['deepEngage', 'illusions'] as const) {
      for (const point of asArray(paper[field])) {
        if (!isRecord(point)) continue;
        const pointId = `${paperId}/${asString(point['id'])}`;
        if (!SOURCES.includes(point['source'] as (typeof SOURCES)[number]))
          report(
            'source',
            pointId,
            `point needs source: list or ours (has ${String(point['source'])})`,
          );
        checkMath(file, pointId, 'text', asString(point['text']));
        const anchor = pointAnchor(paperId, asString(point['id']));
        if (notRendered) report('link', pointId, `links to #${anchor}, but ${notRendered}`);
        else if (anchors.has(anchor))
          report('link', pointId, `anchor #${anchor} is also used by ${anchors.get(anchor)}`);
        anchors.set(anchor, pointId);
        cards.push(...cardsOf(point, pointId, file));
      }
    }

    // Experiment cards: their worked example is linted like any card; they link to the widget
    // they run, which the paper's section shows only when the paper lists it.
    const widgets = asArray(paper['widgets']).map(asString);
    for (const experiment of asArray(paper['experiments'])) {
      if (!isRecord(experiment)) continue;
      const id = `${paperId}/run/${asString(experiment['id'])}`;
      const widget = asString(experiment['runner']).split('/')[0] ?? '';
      if (notRendered) report('link', id, `links to #widget-${widget}, but ${notRendered}`);
      else if (!widgets.includes(widget))
        report('link', id, `links to #widget-${widget}, which the paper does not list`);
      cards.push(...cardsOf(experiment, id, file));
    }
  }

  const glossaryFile = input.glossary.file;
  const termIds = new Set<string>();
  for (const term of asArray(input.glossary.data)) {
    if (!isRecord(term)) continue;
    const id = `glossary/${asString(term['id'])}`;
    const report = (rule: CardRule, cardId: string, message: string) =>
      violations.push({ rule, file: glossaryFile, id: cardId, message });
    if (termIds.has(id))
      report('link', id, `two glossary terms share the anchor #${asString(term['id'])}`);
    termIds.add(id);
    for (const paperId of asArray(term['papers'])) {
      if (!byId.has(asString(paperId)))
        report('link', id, `names paper "${String(paperId)}", which has no record`);
    }
    checkMath(glossaryFile, id, 'definition', asString(term['definition']));
    cards.push(...cardsOf(term, id, glossaryFile));
  }

  const seenIds = new Map<string, LintedCard>();
  const fronts: { card: LintedCard; words: Set<string> }[] = [];
  for (const card of cards) {
    const report = (rule: CardRule, message: string) =>
      violations.push({ rule, file: card.file, id: card.id, message });
    const earlier = seenIds.get(card.id);
    if (earlier) report('link', `shares its deck id with a card in ${earlier.file}`);
    seenIds.set(card.id, card);

    const questions = (card.front.match(/\?/g) ?? []).length;
    if (questions !== 1)
      report('one-question', `front has ${questions} question marks, needs exactly one`);
    const joint = secondQuestion(card.front);
    if (joint) report('one-thing', `front asks two things ("${joint}"): split it into two cards`);
    const words = wordCount(card.back);
    if (words > MAX_BACK_WORDS)
      report('back-length', `back has ${words} words (at most ${MAX_BACK_WORDS})`);
    checkMath(card.file, card.id, 'front', card.front);
    checkMath(card.file, card.id, 'back', card.back);

    const mine = frontWords(card.front);
    for (const other of fronts) {
      const overlap = jaccard(mine, other.words);
      if (overlap >= NEAR_DUPLICATE_JACCARD) {
        report(
          'duplicate-front',
          `front ${overlap === 1 ? 'has the same words as' : `nearly repeats (Jaccard ${overlap.toFixed(2)})`} ${other.card.id} (${other.card.file})`,
        );
      }
    }
    fronts.push({ card, words: mine });
  }

  const backWords = cards.map((card) => wordCount(card.back));
  const medianBackWords = median(backWords);
  if (medianBackWords > MAX_MEDIAN_BACK_WORDS) {
    violations.push({
      rule: 'deck-median',
      file: '(deck)',
      id: `(all ${cards.length} cards)`,
      message: `median back is ${medianBackWords} words (at most ${MAX_MEDIAN_BACK_WORDS})`,
    });
  }
  violations.sort(
    (a, b) =>
      CARD_RULES.indexOf(a.rule) - CARD_RULES.indexOf(b.rule) ||
      a.file.localeCompare(b.file) ||
      a.id.localeCompare(b.id),
  );
  return {
    violations,
    cards,
    medianBackWords,
    maxBackWords: Math.max(0, ...backWords),
  };
}

/** Violations counted by rule, every rule present (zero included). */
export function countByRule(violations: readonly CardLintViolation[]): Record<CardRule, number> {
  const counts = Object.fromEntries(CARD_RULES.map((rule) => [rule, 0])) as Record<
    CardRule,
    number
  >;
  for (const violation of violations) counts[violation.rule] += 1;
  return counts;
}
