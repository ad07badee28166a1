/**
 * The model cards' "How typical the widgets' numbers are" sections, written from
 * held-out-figures.json between the markers below: scripts/held-out-figures.mjs writes them, and
 * tests/unit/widgets/held-out-figures.test.ts checks that each card holds the section its
 * committed figures give. Pure: figures in, Markdown out.
 */
import type { AttnOnlyFigures, InductionFigures, TinyLmFigures } from './held-out-figures';

export const CARD_START = '<!-- held-out:start -->';
export const CARD_END = '<!-- held-out:end -->';

const three = (x: number) => x.toFixed(3);
const percent = (x: number) => `${Math.round(x * 100)}%`;

function source(model: string): string {
  return (
    `Written by \`npm run models:figures\` from \`public/models/${model}/held-out-figures.json\`; ` +
    '`tests/unit/widgets/held-out-figures.test.ts` recomputes every number from the committed model.'
  );
}

function inductionLine(f: InductionFigures): string {
  const { words, numbers } = f;
  return (
    `- Induction, on ${words.sequences} sequences of ${f.length} random tokens and the same ${f.length} again: ` +
    `random words (from ${words.pool}) have second-copy loss ${three(words.secondCopyLoss)} against ` +
    `${three(words.firstCopyLoss)} on the first copy, and the top-1 prediction is the repeated word ` +
    `${three(words.secondCopyAccuracy)} of the time; random two-digit numbers ("00"–"99", one token each: ` +
    `the tokenizer reads digits in two-digit chunks) have second-copy loss ${three(numbers.secondCopyLoss)} ` +
    `against ${three(numbers.firstCopyLoss)}, and top-1 copying ${three(numbers.secondCopyAccuracy)}. ` +
    'Induction works on word tokens, not numbers: the repeated sequences the model trained on are words only.'
  );
}

/** The section of tiny-lm's card, markers included. */
export function tinyLmCardSection(f: TinyLmFigures): string {
  const { attribution: a, facts } = f;
  const kinds = (r: TinyLmFigures['facts']['newPhrasings']) =>
    Object.entries(r.byKind)
      .map(([kind, k]) => `${kind === 'city' ? 'cities' : `${kind}s`} ${three(k.top1)}`)
      .join(', ');
  return [
    CARD_START,
    source('tiny-lm'),
    '',
    `- Attribution patching against activation patching, Pearson r over every component as the ` +
      `attribution-patching widget computes it (${a.direction === 'denoise' ? 'denoising' : 'noising'}): ` +
      `${three(a.default.r)} on the widget's default pair ("${a.default.prompt}", a trained sentence shape). ` +
      `Over the first ${a.spread.count} held-out IOI prompts of \`eval-sets.json\` (sentence shapes and name ` +
      `pairs never trained): median ${three(a.spread.median)}, 10th percentile ${three(a.spread.p10)}, ` +
      `worst ${three(a.spread.min)}, best ${three(a.spread.max)}. The default pair is above ` +
      `${percent(a.defaultShareBelow)} of them: a good pair to show the method, not a typical one.`,
    `- Fact recall, top-1 over the whole vocabulary: ${three(facts.trainedPhrasings.top1)} on held-out ` +
      `entity-phrasing combinations in trained phrasings (${facts.trainedPhrasings.prompts} prompts; ` +
      `${kinds(facts.trainedPhrasings)}), ${three(facts.newPhrasings.top1)} in a phrasing never trained ` +
      `(${facts.newPhrasings.prompts} prompts; ${kinds(facts.newPhrasings)}).`,
    inductionLine(f.induction),
    CARD_END,
  ].join('\n');
}

/** The section of attn-only-2l's card, markers included. */
export function attnOnlyCardSection(f: AttnOnlyFigures): string {
  return [CARD_START, source('attn-only-2l'), '', inductionLine(f.induction), CARD_END].join('\n');
}

/**
 * `card` with the text between the markers replaced by `section`; the section is appended under a
 * heading when the card has no markers yet.
 */
export function withCardSection(card: string, section: string): string {
  const start = card.indexOf(CARD_START);
  const end = card.indexOf(CARD_END);
  if (start >= 0 && end > start)
    return card.slice(0, start) + section + card.slice(end + CARD_END.length);
  return `${card.trimEnd()}\n\n## How typical the widgets' numbers are\n\n${section}\n`;
}

/** The text between the markers, markers included; null when the card has none. */
export function cardSection(card: string): string | null {
  const start = card.indexOf(CARD_START);
  const end = card.indexOf(CARD_END);
  return start >= 0 && end > start ? card.slice(start, end + CARD_END.length) : null;
}
