import { describe, expect, test } from 'vitest';
import { describeSummary, emptyTally, summarise, withAnswer } from '../../../src/srs/summary';

describe('the review session summary', () => {
  test('counts cards, answers, time and the share of Again', () => {
    let tally = emptyTally();
    tally = withAnswer(tally, 'p/a', 1, 1_000);
    tally = withAnswer(tally, 'p/b', 3, 61_000);
    tally = withAnswer(tally, 'p/a', 3, 241_000);
    tally = withAnswer(tally, 'p/c', 4, 301_000);
    const summary = summarise(tally);
    expect(summary).toEqual({
      cards: 3,
      answers: 4,
      again: 1,
      durationMs: 300_000,
      againShare: 0.25,
    });
    expect(describeSummary(summary)).toBe(
      '3 cards studied in 5 min; 1 of 4 answers (25%) were Again.',
    );
  });

  test('says so when nothing was studied', () => {
    expect(describeSummary(summarise(emptyTally()))).toBe('No cards studied in this session.');
  });
});
