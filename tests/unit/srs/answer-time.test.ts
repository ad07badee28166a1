import { describe, expect, test } from 'vitest';
import {
  cappedAnswerMs,
  formatStudyTime,
  MAX_ANSWER_MS,
  summariseAnswerTime,
} from '../../../src/srs/answer-time';
import { reviewLogSchema } from '../../../src/srs/schemas';

describe('time per answer', () => {
  test('is capped at 60 seconds, as Anki caps it', () => {
    expect(cappedAnswerMs(4_321.4)).toBe(4_321);
    expect(cappedAnswerMs(3_600_000)).toBe(MAX_ANSWER_MS);
    expect(MAX_ANSWER_MS).toBe(60_000);
  });

  test('a clock that went backwards counts as no time', () => {
    expect(cappedAnswerMs(-500)).toBe(0);
    expect(cappedAnswerMs(Number.NaN)).toBe(0);
  });

  test('the summary averages only answers that carry a time', () => {
    expect(summariseAnswerTime([{ answerMs: 4_000 }, { answerMs: 8_000 }, {}])).toEqual({
      answers: 3,
      timed: 2,
      totalMs: 12_000,
      meanMs: 6_000,
    });
    expect(summariseAnswerTime([]).meanMs).toBe(0);
  });

  test('reads as minutes and seconds', () => {
    expect(formatStudyTime(45_000)).toBe('45 s');
    expect(formatStudyTime(750_000)).toBe('12 min 30 s');
    expect(formatStudyTime(3_900_000)).toBe('1 h 5 min');
  });

  test('a stored log row may carry it (older rows without it stay valid), never above the cap', () => {
    const row = {
      id: 1,
      cardId: 'p/one',
      grade: 3,
      review: 1_700_000_000_000,
      state: 0,
      due: 1_700_000_000_000,
      stability: 0,
      difficulty: 0,
      elapsedDays: 0,
      lastElapsedDays: 0,
      scheduledDays: 0,
      learningSteps: 0,
    };
    expect(reviewLogSchema.safeParse(row).success).toBe(true);
    expect(reviewLogSchema.safeParse({ ...row, answerMs: 5_000 }).success).toBe(true);
    expect(reviewLogSchema.safeParse({ ...row, answerMs: MAX_ANSWER_MS + 1 }).success).toBe(false);
  });
});
