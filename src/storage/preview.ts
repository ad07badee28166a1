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
