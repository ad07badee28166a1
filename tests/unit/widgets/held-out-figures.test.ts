/**
 * How typical the widgets' headline numbers are. Every figure of the committed
 * public/models/<model>/held-out-figures.json is recomputed here from the committed ONNX models on
 * the committed held-out sets, so that the file cannot drift from the models or be edited by hand;
 * then the claims the widgets, the model cards and the README make from it are checked as
 * sentences. Regenerate the files with `npm run models:figures`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookedModel } from '../../../src/ml';
import {
  attnOnlyFigures,
  inductionFigures,
  numberSequences,
} from '../../../src/widgets/induction-heads/held-out';
import { tinyLmFigures } from '../../../src/widgets/tiny-lm-experiments/held-out-compute';
import {
  DECIMALS,
  HELD_OUT_PAIRS,
  parseAttnOnlyFigures,
  parseTinyLmFigures,
  type AttnOnlyFigures,
  type TinyLmFigures,
} from '../../../src/widgets/tiny-lm-experiments/held-out-figures';
import { parseEvalSets, presetPairs } from '../../../src/widgets/tiny-lm-experiments/tasks';
import {
  attnOnlyCardSection,
  cardSection,
  tinyLmCardSection,
} from '../../../src/widgets/tiny-lm-experiments/held-out-card';
import { committedFile } from '../../support/committed';
import { loadFromDisk } from '../ml/support';

const SLOW = 120_000;
const committedJson = (path: string): unknown =>
  JSON.parse(readFileSync(committedFile(path), 'utf8'));

interface TinySets {
  ioi: { prompt: string }[];
  induction: number[][];
}

let tiny: HookedModel;
let attn: HookedModel;
let committed: { tiny: TinyLmFigures; attn: AttnOnlyFigures };
let recomputed: { tiny: TinyLmFigures; attn: AttnOnlyFigures };
let tinySets: TinySets;

beforeAll(async () => {
  const tinyFile = parseTinyLmFigures(committedJson('public/models/tiny-lm/held-out-figures.json'));
  const attnFile = parseAttnOnlyFigures(
    committedJson('public/models/attn-only-2l/held-out-figures.json'),
  );
  if (!tinyFile || !attnFile) throw new Error('a held-out-figures.json is not the expected shape');
  committed = { tiny: tinyFile, attn: attnFile };

  tinySets = committedJson('public/models/tiny-lm/eval-sets.json') as TinySets;
  const sets = parseEvalSets(tinySets)!;
  tiny = await loadFromDisk('tiny-lm');
  attn = await loadFromDisk('attn-only-2l');
  const defaultPair = presetPairs(tiny.tokenizer, sets, ['ioi'])[0]!;
  const attnSets = committedJson('public/models/attn-only-2l/eval-sets.json') as {
    induction: number[][];
  };
  recomputed = {
    tiny: await tinyLmFigures(
      tiny,
      sets,
      defaultPair,
      await inductionFigures(tiny, tinySets.induction, (tinySets.induction[0]!.length - 1) / 2),
    ),
    attn: await attnOnlyFigures(attn, attnSets.induction),
  };
}, SLOW);
afterAll(async () => {
  await tiny?.release();
  await attn?.release();
});

/** Every number in `actual` within a unit of the last stored decimal of `expected`; the rest equal. */
function expectSameFigures(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(
      1.5 * 10 ** -DECIMALS,
    );
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length, path).toBe(expected.length);
    expected.forEach((e, i) => expectSameFigures((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, e] of Object.entries(expected))
      expectSameFigures((actual as Record<string, unknown>)[key], e, `${path}.${key}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

describe('the committed held-out figures', () => {
  it('are what the committed tiny-lm computes on its held-out sets, every one', () => {
    expectSameFigures(recomputed.tiny, committed.tiny);
  });

  it('are what the committed attn-only-2l computes on its held-out sequences, every one', () => {
    expectSameFigures(recomputed.attn, committed.attn);
  });

  it('take attribution patching over the first held-out IOI prompts, in file order, none of them the default', () => {
    const { attribution } = committed.tiny;
    expect(attribution.pairs.length).toBe(HELD_OUT_PAIRS);
    expect(attribution.pairs.length).toBeGreaterThanOrEqual(50);
    const fitting = tinySets.ioi.map((item) => item.prompt);
    expect(attribution.pairs.map((p) => p.prompt)).toEqual(
      fitting.slice(0, HELD_OUT_PAIRS + attribution.skipped).slice(0, HELD_OUT_PAIRS),
    );
    expect(attribution.pairs.map((p) => p.prompt)).not.toContain(attribution.default.prompt);
  });
});

describe('what the widgets, model cards and README say about them', () => {
  it('attribution patching agrees with real patching almost perfectly on the default pair (r > 0.99), better than on nine in ten held-out pairs', () => {
    const { attribution } = committed.tiny;
    expect(attribution.default.r).toBeGreaterThan(0.99);
    expect(attribution.defaultShareBelow).toBeGreaterThanOrEqual(0.9);
  });

  it('attribution patching agrees well on a typical held-out pair (median r > 0.9) but not on every one (one in ten below 0.6)', () => {
    const { spread } = committed.tiny.attribution;
    expect(spread.median).toBeGreaterThan(0.9);
    expect(spread.p10).toBeLessThan(0.6);
    expect(spread.min).toBeLessThan(spread.p10);
  });

  it('fact recall on new phrasings is well below trained phrasings (at least 25 points lower)', () => {
    const { trainedPhrasings, newPhrasings } = committed.tiny.facts;
    expect(trainedPhrasings.top1).toBeGreaterThan(0.9);
    expect(newPhrasings.top1).toBeLessThan(trainedPhrasings.top1 - 0.25);
  });

  it('the new phrasing loses the athletes, not the cities', () => {
    const { byKind } = committed.tiny.facts.newPhrasings;
    expect(byKind['athlete']!.top1).toBeLessThan(0.5);
    expect(byKind['city']!.top1).toBeGreaterThan(0.9);
  });

  it.each([
    ['tiny-lm', () => committed.tiny.induction],
    ['attn-only-2l', () => committed.attn.induction],
  ])(
    '%s copies repeated words (second-copy loss under a fifth of the first, top guess right nine times in ten) but not repeated numbers',
    (_, figures) => {
      const { words, numbers } = figures();
      expect(words.secondCopyLoss).toBeLessThan(words.firstCopyLoss / 5);
      expect(words.secondCopyAccuracy).toBeGreaterThan(0.9);
      expect(numbers.secondCopyAccuracy).toBeLessThan(0.05);
      expect(numbers.secondCopyLoss).toBeGreaterThan(numbers.firstCopyLoss / 2);
    },
  );

  it('a random number sequence reads as one two-digit token per number, as the induction figures assume', () => {
    const t = tiny.tokenizer;
    for (const sequence of numberSequences(t).slice(0, 5)) {
      const text = t.tokens(sequence.slice(1)).join(' ');
      expect(text).toMatch(/^\d\d( \d\d)*$/);
      expect(t.encode(text)).toEqual(sequence);
    }
    // A four-digit number is two tokens: digits are read in two-digit chunks from the left.
    expect(t.tokens(t.encode('1745', { prependBos: false }))).toEqual(['17', '45']);
  });
});

describe('where the figures are quoted', () => {
  const text = (path: string) => readFileSync(committedFile(path), 'utf8');

  it('each model card holds the section its committed figures give (npm run models:figures writes it)', () => {
    expect(cardSection(text('models/tiny-lm/MODEL_CARD.md'))).toBe(
      tinyLmCardSection(committed.tiny),
    );
    expect(cardSection(text('models/attn-only-2l/MODEL_CARD.md'))).toBe(
      attnOnlyCardSection(committed.attn),
    );
  });

  it('the README quotes the headline figures as the files have them', () => {
    const readme = text('README.md');
    const { attribution, facts, induction } = committed.tiny;
    const two = (x: number) => x.toFixed(2);
    for (const figure of [
      `r = ${attribution.default.r.toFixed(3)}`,
      `median is ${two(attribution.spread.median)}`,
      `below ${two(attribution.spread.p10)}`,
      `worst ${two(attribution.spread.min)}`,
      `${attribution.spread.count} held-out`,
      `${two(facts.trainedPhrasings.top1)} on trained phrasings`,
      `${two(facts.newPhrasings.top1)} on a phrasing`,
      `${two(committed.attn.induction.words.secondCopyAccuracy)} of repeated words`,
      `${two(induction.words.secondCopyAccuracy)} for tiny-lm`,
    ])
      expect(readme).toContain(figure);
  });
});
