/** The reader's deck as the workload estimate needs it (see src/srs/workload.ts). */
import { scheduleOf } from '../srs/review';
import type { Settings } from '../srs/settings';
import { CardState } from '../srs/types';
import type { WorkloadDeck } from '../srs/workload';
import type { ResidualDb } from './db';
import { newCardSources } from './queue';

/**
 * The schedules of the cards studied so far, and the number of new cards the queue could still
 * introduce (from read papers only, by default). Suspended, retired and declined cards are left out.
 */
export async function loadWorkloadDeck(db: ResidualDb, settings: Settings): Promise<WorkloadDeck> {
  const [cards, newFrom] = await Promise.all([db.cards.toArray(), newCardSources(db, settings)]);
  const active = cards.filter((card) => !card.retired && !card.suspended && card.declined !== true);
  const studied = active.filter((card) => card.state !== CardState.New).map(scheduleOf);
  const newCards = active.filter(
    (card) =>
      card.state === CardState.New &&
      (newFrom === undefined || (card.paperId !== null && newFrom.has(card.paperId))),
  ).length;
  return { studied, newCards };
}
