import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { nearbyRetentions, simulateWorkload, type WorkloadDeck } from '../../../src/srs/workload';

const now = Date.UTC(2026, 0, 5, 12);
/** A deck of 300 cards the reader has not seen yet, 20 a day: the profile of a new reader. */
const deck: WorkloadDeck = { studied: [], newCards: 300 };

describe('the workload a desired retention implies', () => {
  test('a higher retention asks for more answers a day, step by step', () => {
    const retentions = [0.75, 0.8, 0.85, 0.9, 0.95, 0.97];
    const perDay = retentions.map((retention) =>
      simulateWorkload(deck, DEFAULT_SETTINGS, retention, { now }),
    );
    for (let i = 1; i < perDay.length; i++) {
      expect(perDay[i]).toBeGreaterThan(perDay[i - 1]!);
    }
    // Every card is met at least twice (a learning step, then its first interval).
    expect(perDay[0]! * 365).toBeGreaterThanOrEqual(2 * 300);
  });

  test('the same deck, settings and seed give the same figure', () => {
    const once = simulateWorkload(deck, DEFAULT_SETTINGS, 0.9, { now, seed: 7 });
    expect(simulateWorkload(deck, DEFAULT_SETTINGS, 0.9, { now, seed: 7 })).toBe(once);
  });

  test('cards already studied count too, and an empty deck asks for nothing', () => {
    expect(simulateWorkload({ studied: [], newCards: 0 }, DEFAULT_SETTINGS, 0.9, { now })).toBe(0);
    const studied = Array.from({ length: 50 }, (_, index) => ({
      due: now + index * 3_600_000,
      stability: 5,
      difficulty: 5,
      elapsedDays: 0,
      scheduledDays: 5,
      learningSteps: 0,
      reps: 3,
      lapses: 0,
      state: 2 as const,
      lastReview: now - 5 * 86_400_000,
    }));
    expect(
      simulateWorkload({ studied, newCards: 0 }, DEFAULT_SETTINGS, 0.9, { now }),
    ).toBeGreaterThan(0);
  });

  test('compares a few retentions around the chosen one, inside the allowed range', () => {
    expect(nearbyRetentions(0.9)).toEqual([0.85, 0.88, 0.9, 0.92, 0.94]);
    expect(nearbyRetentions(0.97)).toEqual([0.92, 0.95, 0.97, 0.99]);
    expect(nearbyRetentions(0.7)).toEqual([0.7, 0.72, 0.74]);
  });
});
