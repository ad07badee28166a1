/** New / learning / due counts for each part of the deck (the review page's deck list). */
import { inScope, queueFromCards, type QueueCounts, type StudyScope } from '../srs/queue';
import { dayNumber, dayStart } from '../srs/day';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';
import { dailyUsage } from './queue';

/**
 * Today's counts for each scope, with today's limits applied to each as if it were studied alone
 * (as Anki's deck list shows a subdeck). Reads every card once: the deck is a few hundred cards.
 */
export async function loadScopeCounts(
  db: ResidualDb,
  now: number,
  settings: Settings,
  scopes: readonly StudyScope[],
): Promise<QueueCounts[]> {
  const [cards, usage] = await Promise.all([db.cards.toArray(), dailyUsage(db, now, settings)]);
  const todayStart = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
  return scopes.map(
    (scope) =>
      queueFromCards(
        cards.filter((card) => !card.retired && inScope(card, scope)),
        now,
        settings,
        usage,
        { todayStart },
      ).counts,
  );
}
