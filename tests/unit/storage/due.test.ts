import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { CardState } from '../../../src/srs/types';
import { cardsWaitingInUnreadPapers, loadDueFigures } from '../../../src/storage/due';
import { setPaperState } from '../../../src/storage/progress';
import { loadStatsData } from '../../../src/storage/stats';
import { loadTodayQueue, newCardSources } from '../../../src/storage/queue';
import { declineCard, restoreCard } from '../../../src/storage/decline';
import { addExtraNewToday } from '../../../src/storage/extra-new';
import { reviewCard, storedCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-06-10T15:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A profile like the one where /progress/ said 15 and /stats/ said 7 in the same minute. */
function profile() {
  const learning = (id: string, due: number) =>
    storedCard(id, { state: CardState.Learning, due, reps: 1, lastReview: NOW - HOUR });
  return [
    ...Array.from({ length: 8 }, (_, i) =>
      storedCard(`read-paper/new-${i}`, { position: i, paperId: 'read-paper' }),
    ),
    ...Array.from({ length: 5 }, (_, i) =>
      storedCard(`unread-paper/new-${i}`, { position: 20 + i, paperId: 'unread-paper' }),
    ),
    storedCard('glossary/term', { position: 40, paperId: null, chapter: 'glossary' }),
    learning('read-paper/soon', NOW + 5 * MINUTE),
    learning('read-paper/tonight', NOW + 5 * HOUR),
    reviewCard('read-paper/due', NOW - HOUR),
    reviewCard('read-paper/overdue', NOW - 3 * 24 * HOUR),
    reviewCard('read-paper/later-today', NOW + 2 * HOUR),
    reviewCard('read-paper/buried', NOW - HOUR, { buriedUntil: NOW + 10 * HOUR }),
  ];
}

async function seeded() {
  const { db } = freshDb();
  await db.cards.bulkPut(profile());
  await setPaperState(db, 'read-paper', 'read', NOW - HOUR);
  return db;
}

describe('due figures: one definition for every page', () => {
  test('are what /review/ would show now, new cards from read papers included', async () => {
    const db = await seeded();
    const figures = await loadDueFigures(db, NOW, DEFAULT_SETTINGS);
    // learning within 20 minutes (1), reviews due (2), new cards of the read paper (8).
    expect(figures).toEqual({ learning: 1, review: 2, new: 8, total: 11 });
    const queue = await loadTodayQueue(db, NOW, DEFAULT_SETTINGS);
    expect(figures.total).toBe(queue.counts.learning + queue.counts.review + queue.counts.new);
  });

  test("differ from the stats forecast's first bar, which counts what is scheduled before tomorrow", async () => {
    // The cause of the disagreement: /stats/ showed the forecast's day 0 (learning and review
    // cards scheduled before the next day start, no new cards, no limits) as "due today".
    const db = await seeded();
    const stats = await loadStatsData(db, NOW, DEFAULT_SETTINGS.dayStartHour);
    expect(stats.forecast[0]!.due).toBe(5);
    expect((await loadDueFigures(db, NOW, DEFAULT_SETTINGS)).total).toBe(11);
  });

  test('follow the daily limits and the new-card setting', async () => {
    const db = await seeded();
    const limited = { ...DEFAULT_SETTINGS, newPerDay: 3, maxReviewsPerDay: 1 };
    expect(await loadDueFigures(db, NOW, limited)).toEqual({
      learning: 1,
      review: 1,
      new: 3,
      total: 5,
    });
    const listOrder = { ...DEFAULT_SETTINGS, introduceNew: 'list' as const };
    expect((await loadDueFigures(db, NOW, listOrder)).new).toBe(14);
  });

  test("count today's extra new cards until the day ends", async () => {
    const db = await seeded();
    const limited = { ...DEFAULT_SETTINGS, newPerDay: 3 };
    await addExtraNewToday(db, NOW, limited, 2);
    expect((await loadDueFigures(db, NOW, limited)).new).toBe(5);
    expect((await loadDueFigures(db, NOW + 24 * HOUR, limited)).new).toBe(3);
  });
});

describe('new cards from what the reader has read', () => {
  test('an unread paper gives /review/ no new card, and its cards are counted as waiting', async () => {
    const db = await seeded();
    const newFrom = await newCardSources(db, DEFAULT_SETTINGS);
    expect([...(newFrom ?? [])]).toEqual(['read-paper']);
    const queue = await loadTodayQueue(db, NOW, DEFAULT_SETTINGS);
    expect(queue.next?.paperId).toBe('read-paper');
    expect(await cardsWaitingInUnreadPapers(db, newFrom!)).toBe(5);
  });

  test('marking a paper skimmed offers its cards; a fresh profile is offered none', async () => {
    const { db } = freshDb();
    await db.cards.bulkPut(profile().filter((card) => card.state === CardState.New));
    expect((await loadTodayQueue(db, NOW, DEFAULT_SETTINGS)).counts.new).toBe(0);
    await setPaperState(db, 'unread-paper', 'skimmed', NOW);
    expect((await loadTodayQueue(db, NOW, DEFAULT_SETTINGS)).counts.new).toBe(5);
  });
});

describe('declining a card', () => {
  test('takes it out of review with its history, and restoring brings it back', async () => {
    const db = await seeded();
    const before = (await db.cards.get('read-paper/due'))!;
    await declineCard(db, before.id, before.rev);
    const declined = (await db.cards.get(before.id))!;
    expect(declined.queue).toBe('retired');
    expect(declined.reps).toBe(before.reps);
    expect((await loadDueFigures(db, NOW, DEFAULT_SETTINGS)).review).toBe(1);
    await restoreCard(db, before.id);
    expect((await db.cards.get(before.id))!.queue).toBe('review');
    expect((await loadDueFigures(db, NOW, DEFAULT_SETTINGS)).review).toBe(2);
  });

  test('is refused for a card that changed since it was shown (another tab)', async () => {
    const db = await seeded();
    const card = (await db.cards.get('read-paper/due'))!;
    await expect(declineCard(db, card.id, card.rev + 1)).rejects.toThrow(/another tab/);
  });
});
