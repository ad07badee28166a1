import { describe, expect, test } from 'vitest';
import { queueFromCards, type TodayQueue } from '../../../src/srs/queue';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { CardState, type StoredCard } from '../../../src/srs/types';
import { dailyUsage, loadTodayQueue } from '../../../src/storage/queue';
import { setPaperState } from '../../../src/storage/progress';
import { storedCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-06-10T15:00:00Z');
/** New cards in reading-list order (the default takes them from read papers only). */
const LIST_ORDER = { ...DEFAULT_SETTINGS, introduceNew: 'list' as const };
const HOUR = 3_600_000;

function randomCards(seed: number, n: number): StoredCard[] {
  let state = seed;
  const random = () => (state = (state * 1664525 + 1013904223) % 4294967296) / 4294967296;
  return Array.from({ length: n }, (_, i) => {
    const kind = Math.floor(random() * 6);
    const due = NOW + Math.round((random() - 0.6) * 72) * HOUR + i; // distinct dues
    const base = { position: i, due, reps: kind === 0 ? 0 : 3 };
    if (kind === 0) return storedCard(`n/${i}`, { ...base, due: NOW });
    if (kind === 1)
      return storedCard(`l/${i}`, {
        ...base,
        state: CardState.Learning,
        due: NOW + Math.round((random() - 0.5) * 60) * 60_000 + i,
      });
    if (kind === 5)
      return storedCard(`s/${i}`, { ...base, state: CardState.Review, suspended: true });
    return storedCard(`r/${i}`, { ...base, state: CardState.Review, stability: 5 });
  });
}

/** The parts both definitions compute (studying ahead exists only for one chapter or paper). */
const summary = (queue: TodayQueue) => ({ ...queue, next: queue.next?.id ?? null, ahead: 0 });

describe("today's queue from the indexes", () => {
  test.each([1, 2, 3, 4, 5])('matches the reference definition on random deck %i', async (seed) => {
    const cards = randomCards(seed, 300);
    const { db } = freshDb();
    await db.cards.bulkPut(cards);
    const settings = { ...LIST_ORDER, newPerDay: 7, maxReviewsPerDay: 40 };
    const fromIndexes = await loadTodayQueue(db, NOW, settings);
    expect(summary(fromIndexes)).toEqual(
      summary(queueFromCards(cards, NOW, settings, { newToday: 0, reviewsToday: 0 })),
    );
  });

  test.each([6, 7, 8])(
    'matches it on random deck %i when new cards come from read papers only',
    async (seed) => {
      // Three papers, one of them read: the new cards of the other two stay out.
      const cards = randomCards(seed, 300).map((card, i) => ({
        ...card,
        paperId: ['p0', 'p1', 'p2'][i % 3]!,
      }));
      const { db } = freshDb();
      await db.cards.bulkPut(cards);
      await setPaperState(db, 'p1', 'read', NOW - HOUR);
      const settings = { ...DEFAULT_SETTINGS, newPerDay: 7, maxReviewsPerDay: 40 };
      const fromIndexes = await loadTodayQueue(db, NOW, settings);
      const reference = queueFromCards(
        cards,
        NOW,
        settings,
        { newToday: 0, reviewsToday: 0 },
        {
          newFrom: new Set(['p1']),
        },
      );
      expect(summary(fromIndexes)).toEqual(summary(reference));
      expect(reference.counts.new).toBeGreaterThan(0);
    },
  );

  test('matches when everything is done for now, and names the next due time', async () => {
    const later = [storedCard('r/1', { state: CardState.Review, due: NOW + 5 * HOUR, reps: 2 })];
    const { db } = freshDb();
    await db.cards.bulkPut(later);
    const queue = await loadTodayQueue(db, NOW, DEFAULT_SETTINGS);
    expect(summary(queue)).toEqual(
      summary(queueFromCards(later, NOW, DEFAULT_SETTINGS, { newToday: 0, reviewsToday: 0 })),
    );
    expect(queue.nextDueAt).toBe(NOW + 5 * HOUR);
  });

  test("today's usage counts new cards and reviews since the day start, not before", async () => {
    const { db } = freshDb();
    const row = {
      cardId: 'x',
      grade: 3 as const,
      due: 0,
      stability: 1,
      difficulty: 5,
      elapsedDays: 0,
      lastElapsedDays: 0,
      scheduledDays: 0,
      learningSteps: 0,
    };
    await db.log.bulkAdd([
      { ...row, state: CardState.New, review: NOW - HOUR },
      { ...row, state: CardState.New, review: NOW - 30 * HOUR },
      { ...row, state: CardState.Review, review: NOW - 2 * HOUR },
      { ...row, state: CardState.Learning, review: NOW - 2 * HOUR },
    ]);
    expect(await dailyUsage(db, NOW, DEFAULT_SETTINGS)).toEqual({ newToday: 1, reviewsToday: 1 });
  });

  test('studying one chapter shows only that chapter', async () => {
    const { db } = freshDb();
    await db.cards.bulkPut([
      storedCard('a/x', { chapter: 'superposition', position: 2 }),
      storedCard('b/y', { chapter: 'foundational-work', position: 1 }),
    ]);
    const queue = await loadTodayQueue(db, NOW, LIST_ORDER, {
      kind: 'chapter',
      chapter: 'superposition',
    });
    expect(queue.next?.id).toBe('a/x');
    expect(queue.counts.new).toBe(1);
  });
});
