/** New / learning / due counts for each part of the deck (the review page's deck list). */
import { inScope, queueFromCards, type QueueCounts, type StudyScope } from '../srs/queue';
import { dayNumber, dayStart } from '../srs/day';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';
import { dailyUsage, newCardSources } from './queue';

/**
 * Today's counts for each scope, with today's limits applied to each as if it were studied alone
 * (as Anki's deck list shows a subdeck), and new cards taken from where the queue takes them (read
 * papers only, by default; one paper's row counts its cards, as studying it does). Reads every
 * card once: the deck is a few hundred cards.
 */
export async function loadScopeCounts(
  db: ResidualDb,
  now: number,
  settings: Settings,
  scopes: readonly StudyScope[],
): Promise<QueueCounts[]> {
  const [cards, usage, newFrom] = await Promise.all([
    db.cards.toArray(),
    dailyUsage(db, now, settings),
    newCardSources(db, settings),
  ]);
  const todayStart = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
  return scopes.map(
    (scope) =>
      queueFromCards(
        cards.filter((card) => !card.retired && inScope(card, scope)),
        now,
        settings,
        usage,
        { todayStart, ...(scope.kind !== 'paper' && newFrom ? { newFrom } : {}) },
      ).counts,
  );
}
