/**
 * Deck sync, the pure part: compare what the browser holds with the deck the site now publishes.
 * New cards arrive as new; cards whose wording changed keep their schedule and are marked
 * "changed"; cards gone from the deck are retired (kept with their history), never deleted; a
 * retired card that comes back is restored with its schedule.
 */
import { emptySchedule } from './scheduler';
import { queueOf } from './queue';
import type { Deck, DeckCard, StoredCard } from './types';

/** What sync needs to know about a stored card. */
export type StoredSummary = Pick<
  StoredCard,
  'id' | 'hash' | 'retired' | 'position' | 'chapter' | 'paperId' | 'href' | 'kind' | 'source'
>;

export interface SyncPlan {
  added: DeckCard[];
  /** Wording changed (content hash differs). */
  changed: DeckCard[];
  /** Same wording, but moved: new position, chapter, paper, link or source. */
  moved: DeckCard[];
  /** Back in the deck after being retired. */
  revived: DeckCard[];
  /** Ids no longer in the deck. */
  retired: string[];
}

export function planSync(stored: readonly StoredSummary[], deck: Deck): SyncPlan {
  const plan: SyncPlan = { added: [], changed: [], moved: [], revived: [], retired: [] };
  const byId = new Map(stored.map((card) => [card.id, card]));
  const inDeck = new Set<string>();
  for (const card of deck.cards) {
    inDeck.add(card.id);
    const old = byId.get(card.id);
    if (!old) plan.added.push(card);
    else if (old.retired) plan.revived.push(card);
    else if (old.hash !== card.hash) plan.changed.push(card);
    else if (
      old.position !== card.position ||
      old.chapter !== card.chapter ||
      old.paperId !== card.paperId ||
      old.href !== card.href ||
      old.kind !== card.kind ||
      old.source !== card.source
    ) {
      plan.moved.push(card);
    }
  }
  for (const card of stored) {
    if (!inDeck.has(card.id) && !card.retired) plan.retired.push(card.id);
  }
  return plan;
}

export function isEmptyPlan(plan: SyncPlan): boolean {
  return (
    plan.added.length +
      plan.changed.length +
      plan.moved.length +
      plan.revived.length +
      plan.retired.length ===
    0
  );
}

/** A stored card for a deck card seen for the first time. */
export function newStoredCard(card: DeckCard, now: number): StoredCard {
  const stored: StoredCard = {
    ...card,
    ...emptySchedule(now),
    queue: 'new',
    suspended: false,
    leech: false,
    changed: false,
    retired: false,
    buriedUntil: 0,
    rev: 0,
  };
  stored.queue = queueOf(stored);
  return stored;
}

/**
 * A stored card updated to the deck's content. Its schedule is kept. With `markChanged`, a card the
 * user has already reviewed is marked "changed" when its wording differs (a card never seen has
 * nothing to compare with, so it is not marked).
 */
export function updatedStoredCard(
  old: StoredCard,
  card: DeckCard,
  markChanged: boolean,
): StoredCard {
  const next: StoredCard = {
    ...old,
    ...card,
    changed: old.changed || (markChanged && old.hash !== card.hash && old.reps > 0),
    retired: false,
    rev: old.rev + 1,
  };
  next.queue = queueOf(next);
  return next;
}

/** A card that left the deck: hidden from review, schedule and history kept. */
export function retiredStoredCard(old: StoredCard): StoredCard {
  const next: StoredCard = { ...old, retired: true, rev: old.rev + 1 };
  next.queue = queueOf(next);
  return next;
}
