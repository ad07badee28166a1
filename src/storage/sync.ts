/** Deck sync, the storage part: apply the plan in one transaction. */
import {
  isEmptyPlan,
  newStoredCard,
  planSync,
  retiredStoredCard,
  updatedStoredCard,
  type SyncPlan,
} from '../srs/sync';
import type { Deck, StoredCard } from '../srs/types';
import type { ResidualDb } from './db';

const DECK_VERSION_KEY = 'deckVersion';
/**
 * Cards written per request batch. Each batch is a task of its own; 40 cards took 15–29 ms here
 * (four times that on a slow phone, a long task each), 15 take a third of that.
 */
const WRITE_BATCH = 15;

export interface SyncReport {
  /** The stored cards already matched this deck version; nothing was read or written. */
  upToDate: boolean;
  /** No card was stored before: this browser's first copy of the deck. */
  firstCopy: boolean;
  added: number;
  changed: number;
  moved: number;
  revived: number;
  retired: number;
}

function report(plan: SyncPlan, firstCopy: boolean): SyncReport {
  return {
    upToDate: false,
    firstCopy,
    added: plan.added.length,
    changed: plan.changed.length,
    moved: plan.moved.length,
    revived: plan.revived.length,
    retired: plan.retired.length,
  };
}

/**
 * Bring the stored cards in line with `deck`: new cards arrive as new, changed cards keep their
 * schedule and are marked "changed", removed cards are retired (never deleted), returning cards
 * are revived with their schedule. Safe to run from two tabs at once: each run reads and writes
 * inside one transaction, so the second sees the first one's result and finds nothing to do.
 */
export async function syncDeck(db: ResidualDb, deck: Deck, now: number): Promise<SyncReport> {
  const last = await db.meta.get(DECK_VERSION_KEY);
  if (last?.value === deck.version) {
    return {
      upToDate: true,
      firstCopy: false,
      added: 0,
      changed: 0,
      moved: 0,
      revived: 0,
      retired: 0,
    };
  }
  return db.transaction('rw', db.cards, db.meta, db.deckVersions, async () => {
    const stored = await db.cards.toArray();
    const plan = planSync(stored, deck);
    if (!isEmptyPlan(plan)) {
      const byId = new Map(stored.map((card) => [card.id, card]));
      const updates: StoredCard[] = [];
      for (const card of plan.added) updates.push(newStoredCard(card, now));
      for (const card of plan.changed)
        updates.push(updatedStoredCard(byId.get(card.id)!, card, true));
      for (const card of [...plan.moved, ...plan.revived]) {
        updates.push(updatedStoredCard(byId.get(card.id)!, card, true));
      }
      for (const id of plan.retired) updates.push(retiredStoredCard(byId.get(id)!));
      // In batches: each batch's writes go out when the previous batch is stored, in a task of
      // their own, so a first visit's hundreds of new cards never hold the page for long.
      for (let start = 0; start < updates.length; start += WRITE_BATCH) {
        await db.cards.bulkPut(updates.slice(start, start + WRITE_BATCH));
      }
      await db.deckVersions.put({
        version: deck.version,
        syncedAt: now,
        cardCount: deck.cards.length,
        added: plan.added.length,
        changed: plan.changed.length,
        retired: plan.retired.length,
      });
    }
    await db.meta.put({ key: DECK_VERSION_KEY, value: deck.version });
    return report(plan, stored.length === 0);
  });
}
