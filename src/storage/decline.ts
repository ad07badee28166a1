/**
 * Declining a card ("not for me", from a review area) and restoring it (from the card browser).
 * A declined card leaves review like a retired one but keeps its schedule and history; restoring
 * puts it back where its schedule says. Both bump the revision, so a tab still showing the card
 * cannot answer it afterwards.
 */
import { queueOf } from '../srs/queue';
import type { StoredCard } from '../srs/types';
import type { ResidualDb } from './db';
import { CardNotFoundError, StaleCardError } from './errors';
import { nextRevision } from '../srs/limits';

async function setDeclined(
  db: ResidualDb,
  cardId: string,
  declined: boolean,
  expectedRev: number | null,
): Promise<StoredCard> {
  return db.transaction('rw', db.cards, async () => {
    const card = await db.cards.get(cardId);
    if (!card) throw new CardNotFoundError(cardId);
    if (expectedRev !== null && card.rev !== expectedRev) throw new StaleCardError(cardId);
    // A reader's mark: a merge between devices keeps the side that changed its marks last.
    const next: StoredCard = {
      ...card,
      declined,
      rev: nextRevision(card.rev),
      flagsUpdatedAt: Date.now(),
    };
    next.queue = queueOf(next);
    await db.cards.put(next);
    return next;
  });
}

/** Decline the card shown at revision `expectedRev`. */
export function declineCard(db: ResidualDb, cardId: string, expectedRev: number) {
  return setDeclined(db, cardId, true, expectedRev);
}

/** Bring a declined card back into review, with the schedule it had. */
export function restoreCard(db: ResidualDb, cardId: string) {
  return setDeclined(db, cardId, false, null);
}
