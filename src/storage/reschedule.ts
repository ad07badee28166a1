/** Rescheduling every card from its history, after the FSRS parameters change. */
import { rescheduleCard } from '../srs/replay';
import type { Settings } from '../srs/settings';
import type { ReviewLogEntry } from '../srs/types';
import type { ResidualDb } from './db';

/**
 * Rebuild each reviewed card's memory state and due date from its log under `settings`, in one
 * transaction; flags stay as they are. Undo history is cleared (it holds the old schedules).
 * Returns how many cards were rescheduled.
 */
export async function rescheduleFromHistory(db: ResidualDb, settings: Settings): Promise<number> {
  return db.transaction('rw', db.cards, db.log, db.undo, async () => {
    const byCard = new Map<string, ReviewLogEntry[]>();
    for (const row of await db.log.orderBy('review').toArray()) {
      const rows = byCard.get(row.cardId);
      if (rows) rows.push(row);
      else byCard.set(row.cardId, [row]);
    }
    const cards = await db.cards.bulkGet([...byCard.keys()]);
    const rescheduled = cards
      .filter((card) => card !== undefined && !card.retired)
      .map((card) => rescheduleCard(card!, byCard.get(card!.id)!, settings));
    await db.cards.bulkPut(rescheduled);
    await db.undo.clear();
    return rescheduled.length;
  });
}
