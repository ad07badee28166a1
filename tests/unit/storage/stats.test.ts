import { describe, expect, test } from 'vitest';
import { countByChapter, dueForecast, reviewHeatmap, trueRetention } from '../../../src/srs/stats';
import { CardState, type ReviewLogEntry, type StoredCard } from '../../../src/srs/types';
import { FORECAST_DAYS, HEATMAP_DAYS, loadStatsData } from '../../../src/storage/stats';
import { reviewCard, storedCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-08-01T12:00:00Z');
const DAY = 86_400_000;

function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1664525 + 1013904223) % 4294967296) / 4294967296;
}

function answer(review: number, state: CardState, grade: 1 | 2 | 3 | 4): ReviewLogEntry {
  return {
    cardId: 'a/x',
    grade,
    review,
    state,
    due: 0,
    stability: 1,
    difficulty: 5,
    elapsedDays: 0,
    lastElapsedDays: 0,
    scheduledDays: 0,
    learningSteps: 0,
  };
}

/** A random collection: cards in every queue, answers over two years. */
function collection(seed: number) {
  const next = random(seed);
  const chapters = ['foundational-work', 'superposition', 'glossary'];
  const cards: StoredCard[] = Array.from({ length: 200 }, (_, i) => {
    const chapter = chapters[i % 3]!;
    const kind = Math.floor(next() * 6);
    const due = NOW + Math.round((next() - 0.3) * 40) * DAY;
    if (kind === 0) return storedCard(`n/${i}`, { chapter, position: i });
    if (kind === 1)
      return storedCard(`l/${i}`, { chapter, state: CardState.Learning, due, reps: 1 });
    if (kind === 2)
      return reviewCard(`s/${i}`, due, { chapter, suspended: true, leech: i % 2 === 0 });
    if (kind === 3) return reviewCard(`t/${i}`, due, { chapter, retired: true });
    return reviewCard(`r/${i}`, due, { chapter, scheduledDays: Math.floor(next() * 60) });
  });
  const log = Array.from({ length: 600 }, () =>
    answer(
      NOW - Math.floor(next() * 730 * DAY),
      ([CardState.New, CardState.Learning, CardState.Review, CardState.Review][
        Math.floor(next() * 4)
      ] ?? CardState.Review) as CardState,
      (1 + Math.floor(next() * 4)) as 1 | 2 | 3 | 4,
    ),
  );
  return { cards, log };
}

describe('what the stats page reads from the indexes', () => {
  test.each([1, 2, 3])(
    'gives the same figures as the reference functions over whole rows (collection %i)',
    async (seed) => {
      const { cards, log } = collection(seed);
      const { db } = freshDb();
      await db.cards.bulkPut(cards);
      await db.log.bulkAdd(log);
      const data = await loadStatsData(db, NOW, 4);
      expect(data.byChapter).toEqual(countByChapter(cards));
      expect(data.forecast).toEqual(dueForecast(cards, NOW, 4, FORECAST_DAYS));
      const times = log.map((row) => row.review);
      expect(data.heatmap).toEqual(reviewHeatmap(times, NOW, 4, HEATMAP_DAYS));
      expect(data.heatmap.some((day) => day.reviews > 0)).toBe(true);
      expect(data.forecast.some((day) => day.due > 0)).toBe(true);
      expect(data.retention.month).toEqual(trueRetention(log, NOW - 30 * DAY));
      expect(data.retention.year).toEqual(trueRetention(log, NOW - 365 * DAY));
      expect(data.retention.year.reviews).toBeGreaterThan(50);
      expect(data.totalAnswers).toBe(600);
    },
  );

  test('gives the reference figures where the forecast and the heatmap spans hold nothing', async () => {
    // New cards only, and answers from more than 26 weeks ago: every day of both charts is empty.
    const cards = Array.from({ length: 30 }, (_, i) =>
      storedCard(`n/${i}`, { chapter: 'superposition', position: i }),
    );
    const log = [1, 2, 3].map((years) => answer(NOW - years * 365 * DAY, CardState.Review, 3));
    const { db } = freshDb();
    await db.cards.bulkPut(cards);
    await db.log.bulkAdd(log);
    const data = await loadStatsData(db, NOW, 4);
    expect(data.forecast).toEqual(dueForecast(cards, NOW, 4, FORECAST_DAYS));
    expect(data.heatmap).toEqual(
      reviewHeatmap(
        log.map((row) => row.review),
        NOW,
        4,
        HEATMAP_DAYS,
      ),
    );
    expect(data.forecast.every((day) => day.due === 0)).toBe(true);
    expect(data.heatmap.every((day) => day.reviews === 0)).toBe(true);
    expect(data.totalAnswers).toBe(3);
  });
});
