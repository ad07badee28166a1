/** Cards for a preview, which ignores the schedule and writes nothing: a part of the deck, or today's lapses. */
import { dayNumber, dayStart } from '../srs/day';
import { inScope, type StudyScope } from '../srs/queue';
import type { Settings } from '../srs/settings';
import type { StoredCard } from '../srs/types';
import type { ResidualDb } from './db';

/** Every active card in `scope` (not retired, not suspended), in reading order. */
export async function loadPreviewCards(db: ResidualDb, scope: StudyScope): Promise<StoredCard[]> {
  const cards =
    scope.kind === 'chapter'
      ? await db.cards.where('chapter').equals(scope.chapter).toArray()
      : scope.kind === 'paper'
        ? await db.cards.where('paperId').equals(scope.paperId).toArray()
        : await db.cards.toArray();
  return cards
    .filter((card) => !card.retired && !card.suspended && inScope(card, scope))
    .sort((a, b) => a.position - b.position);
}

/**
 * The cards answered Again today (Anki's custom study "review forgotten cards"), oldest lapse
 * first, for a preview: going over them again does not reschedule them.
 */
export async function loadForgottenToday(
  db: ResidualDb,
  now: number,
  settings: Settings,
): Promise<StoredCard[]> {
  const start = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
  const lapses = await db.log
    .where('review')
    .between(start, Infinity, true, true)
    .filter((row) => row.grade === 1)
    .toArray();
  const ids = [...new Set(lapses.map((row) => row.cardId))];
  const cards = await db.cards.bulkGet(ids);
  return cards.filter(
    (card): card is StoredCard => card !== undefined && !card.retired && !card.suspended,
  );
}

/**
 * Anki's "review ahead": cards in learning or review due before `now + days`, soonest first,
 * leaving out those already answered today. Answers to them are scheduled as usual (FSRS takes
 * an early review into account).
 */
export async function loadReviewAhead(
  db: ResidualDb,
  now: number,
  settings: Settings,
  days: number,
): Promise<StoredCard[]> {
  const start = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
  const until = now + days * 86_400_000;
  const read = (queue: 'learning' | 'review') =>
    db.cards
      .where('[queue+due]')
      .between([queue, -Infinity], [queue, until], true, true)
      .filter((card) => card.lastReview === null || card.lastReview < start)
      .toArray();
  const [learning, review] = await Promise.all([read('learning'), read('review')]);
  return [...learning, ...review].sort((a, b) => a.due - b.due);
}
