import { describe, expect, test } from 'vitest';
import { answerHistory, describeKind } from '../../../src/srs/card-info';
import { reviewCard as answer } from '../../../src/srs/review';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { ReviewLogEntry } from '../../../src/srs/types';
import { storedCard } from './helpers';

const DAY = 86_400_000;
const START = Date.parse('2026-06-01T10:00:00Z');
const scheduler = createScheduler(DEFAULT_SETTINGS);

/** Answer a new card Good, Good, then Again `days` later each time. */
function threeAnswers() {
  let card = storedCard('p/one');
  const log: ReviewLogEntry[] = [];
  const times = [START, START + DAY, START + 5 * DAY];
  for (const [index, time] of times.entries()) {
    const result = answer(card, index === 2 ? 1 : 3, time, scheduler);
    card = result.card;
    log.push({ ...result.log, id: index + 1 });
  }
  return { card, log, times };
}

describe('card info: the history of answers', () => {
  test('each answer shows the interval, stability and difficulty it left', () => {
    const { card, log, times } = threeAnswers();
    const history = answerHistory(card, [...log].reverse(), scheduler);
    expect(history.map((row) => row.review)).toEqual(times);
    expect(history.map((row) => row.grade)).toEqual([3, 3, 1]);
    expect(history[0]!.intervalMs).toBe(log[1]!.due - times[0]!);
    expect(history[0]!.stability).toBe(log[1]!.stability);
    expect(history[2]!.intervalMs).toBe(card.due - times[2]!);
    expect(history[2]!.stability).toBe(card.stability);
    expect(history[2]!.difficulty).toBe(card.difficulty);
  });

  test('retrievability is blank for the first answer and falls as time passes', () => {
    const { card, log } = threeAnswers();
    const history = answerHistory(card, log, scheduler);
    expect(history[0]!.retrievability).toBeNull();
    const [, second, third] = history;
    expect(second!.retrievability).toBeGreaterThan(0);
    expect(second!.retrievability).toBeLessThanOrEqual(1);
    expect(third!.retrievability).toBeGreaterThan(0);
  });

  test('after a reset, the last answer no longer claims the card’s current schedule', () => {
    const { card, log } = threeAnswers();
    const reset = { ...card, lastReview: null, stability: 0, difficulty: 0 };
    expect(answerHistory(reset, log, scheduler).at(-1)!.intervalMs).toBeNull();
  });
});

describe('card info: what kind of card it is', () => {
  test('an experiment card names its runner and says its stored wording is the worked example', () => {
    const card = storedCard('logit-lens/run/first-top', {
      kind: 'experiment',
      experiment: 'logit-lens/first-top-layer',
    });
    const kind = describeKind(card);
    expect(kind).toMatch(/^Experiment \(logit-lens\/first-top-layer\)/);
    expect(kind).toContain('fresh prompt');
    expect(kind).toContain('worked example');
  });

  test('other cards are named by their kind', () => {
    expect(describeKind(storedCard('paper/point'))).toBe('Point');
    expect(describeKind(storedCard('paper/trap', { kind: 'illusion' }))).toBe('Illusion');
  });
});
