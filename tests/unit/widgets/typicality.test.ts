/**
 * The "How typical is this?" sentences (typicality.ts) and the summaries they rest on
 * (held-out-figures.ts), on small hand-made figures: no model.
 */
import { describe, expect, it } from 'vitest';
import {
  parseTinyLmFigures,
  shareBelow,
  spread,
  type InductionFigures,
  type TinyLmFigures,
} from '../../../src/widgets/tiny-lm-experiments/held-out-figures';
import {
  attributionTypicality,
  factTypicality,
  heldOutFact,
  heldOutFactOrder,
  inductionTypicality,
  standing,
} from '../../../src/widgets/tiny-lm-experiments/typicality';

const rs = [0.1, 0.5, 0.8, 0.9, 0.92, 0.95, 0.96, 0.97, 0.98, 0.99];
const attribution: TinyLmFigures['attribution'] = {
  direction: 'denoise',
  default: { prompt: 'When Mary and John went to the store, John gave a drink to', r: 0.995 },
  pairs: rs.map((r, i) => ({ prompt: `pair ${i}`, r })),
  skipped: 0,
  spread: spread(rs),
  defaultShareBelow: 1,
};

describe('summaries of a held-out sample', () => {
  it('give the median, the 10th percentile (nearest lower rank), the minimum and the maximum', () => {
    expect(spread(rs)).toEqual({ count: 10, median: 0.935, p10: 0.5, min: 0.1, max: 0.99 });
    expect(spread([3, 1, 2]).median).toBe(2);
  });

  it('refuse an empty sample', () => {
    expect(() => spread([])).toThrow(RangeError);
  });

  it('say which share of the sample lies strictly below a value', () => {
    expect(shareBelow(rs, 0.95)).toBe(0.5);
    expect(shareBelow(rs, 1)).toBe(1);
    expect(shareBelow([], 1)).toBe(0);
  });

  it('name where a value stands, from among the worst to among the best', () => {
    expect([0, 0.3, 0.5, 0.7, 0.95].map(standing)).toEqual([
      'among the worst',
      'worse than most',
      'about typical',
      'better than most',
      'among the best',
    ]);
  });
});

describe('the attribution-patching sentence', () => {
  it('ranks an IOI pair among the held-out pairs and quotes their median, one-in-ten and worst r', () => {
    const text = attributionTypicality(attribution, { r: 0.995, task: 'ioi' });
    expect(text).toBe(
      'On this pair r = 0.995; over 10 held-out IOI pairs the median is 0.94 and one in ten is below 0.50 (worst 0.10). This pair is among the best: above 100% of them.',
    );
    expect(attributionTypicality(attribution, { r: 0.3, task: 'ioi' })).toContain(
      'among the worst: above 10% of them',
    );
  });

  it('does not rank a pair of another task against the IOI pairs', () => {
    const text = attributionTypicality(attribution, { r: 0.7, task: 'years' });
    expect(text).toContain('over 10 held-out IOI pairs the median is 0.94');
    expect(text).not.toContain('This pair is');
  });
});

describe('the fact-recall sentence', () => {
  const facts: TinyLmFigures['facts'] = {
    trainedPhrasings: { prompts: 4, top1: 0.75, byKind: {} },
    newPhrasings: {
      prompts: 4,
      top1: 0.5,
      byKind: { athlete: { prompts: 2, top1: 0 }, city: { prompts: 2, top1: 1 } },
    },
  };
  const sets = {
    facts: [
      { kind: 'athlete', prompt: 'Lionel Messi plays the sport of', answer: 'soccer' },
      { kind: 'city', prompt: 'Paris is a city in', answer: 'France' },
    ],
    factsUnseenTemplate: [
      { kind: 'athlete', prompt: 'They say that Lionel Messi is the best at', answer: 'soccer' },
      { kind: 'athlete', prompt: 'They say that Tom Brady is the best at', answer: 'football' },
      { kind: 'city', prompt: 'They say that Paris is in', answer: 'France' },
    ],
  };

  it('quotes recall on trained and on new phrasings, the new one by kind of fact', () => {
    expect(factTypicality(facts, { fact: null, prediction: 'France' })).toBe(
      'Fact recall over held-out prompts: 75% right in phrasings it was trained on (4 prompts), 50% in a phrasing it never saw (4 prompts: athletes 0%, cities 100%).',
    );
  });

  it('says of a held-out prompt which phrasing it is in and whether the model got it', () => {
    const missed = heldOutFact(sets, ' They say that Lionel Messi is the best at ');
    expect(missed).toEqual({ phrasing: 'new', answer: 'soccer' });
    expect(factTypicality(facts, { fact: missed, prediction: 'tennis' })).toMatch(
      /This prompt is held out, in a new phrasing: the answer is “soccer”, and the model misses it\.$/,
    );
    const got = heldOutFact(sets, 'Paris is a city in');
    expect(factTypicality(facts, { fact: got, prediction: 'France' })).toMatch(
      /in a trained phrasing: the answer is “France”, and the model gets it\.$/,
    );
    expect(heldOutFact(sets, 'Paris is lovely in')).toBeNull();
  });

  it('offers held-out facts new and trained phrasing in turn, athletes and cities in turn', () => {
    expect(heldOutFactOrder(sets).map((f) => f.prompt)).toEqual([
      'They say that Lionel Messi is the best at',
      'Lionel Messi plays the sport of',
      'They say that Paris is in',
      'Paris is a city in',
      'They say that Tom Brady is the best at',
    ]);
  });
});

describe('the induction sentence', () => {
  const induction: InductionFigures = {
    length: 25,
    words: {
      sequences: 50,
      pool: 526,
      firstCopyLoss: 6.4,
      secondCopyLoss: 0.81,
      secondCopyAccuracy: 0.94,
    },
    numbers: {
      sequences: 50,
      pool: 100,
      firstCopyLoss: 10.8,
      secondCopyLoss: 7.97,
      secondCopyAccuracy: 0,
    },
  };

  it('puts the shown loss beside held-out word and number sequences', () => {
    const text = inductionTypicality(induction, { tokens: 'numbers', secondCopyLoss: 8.123 });
    expect(text).toMatch(/^On these numbers the second copy's loss is 8\.12\./);
    expect(text).toContain('Over 50 held-out word sequences it is 0.81');
    expect(text).toContain('the repeated word 94% of the time');
    expect(text).toContain(
      'two-digit numbers it is 7.97, and the top guess is never the repeated number',
    );
    expect(text).toContain('works on words, not numbers');
    const some = { ...induction, numbers: { ...induction.numbers, secondCopyAccuracy: 0.04 } };
    expect(inductionTypicality(some, { tokens: 'words', secondCopyLoss: 0.9 })).toContain(
      'the top guess is the repeated number 4% of the time',
    );
  });
});

describe('a held-out-figures file', () => {
  it('that is not the expected shape is refused, not half-read', () => {
    expect(parseTinyLmFigures({ model: 'tiny-lm' })).toBeNull();
    expect(parseTinyLmFigures(null)).toBeNull();
  });
});
