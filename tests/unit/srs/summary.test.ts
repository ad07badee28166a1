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
      answerMs: 0,
      meanAnswerMs: null,
    });
    expect(describeSummary(summary)).toBe(
      '3 cards studied in 5 min; 1 of 4 answers (25%) were Again.',
    );
  });

  test("adds up the answers' times, each capped at 60 s as Anki caps it, and gives their mean", () => {
    let tally = emptyTally();
    tally = withAnswer(tally, 'p/a', 3, 10_000, 8_000);
    tally = withAnswer(tally, 'p/b', 1, 20_000, 12_000);
    // A card left on screen over a break counts as 60 s, not 10 min.
    tally = withAnswer(tally, 'p/c', 4, 620_000, 600_000);
    const summary = summarise(tally);
    expect(summary.answerMs).toBe(80_000);
    expect(summary.meanAnswerMs).toBeCloseTo(80_000 / 3);
    expect(describeSummary(summary)).toBe(
      '3 cards studied in 10 min; 1 of 3 answers (33%) were Again. Answering took 1 min 20 s, 27 s per answer (each counts at most 1 min).',
    );
  });

  test('says so when nothing was studied', () => {
    expect(describeSummary(summarise(emptyTally()))).toBe('No cards studied in this session.');
  });
});
