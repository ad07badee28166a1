import { newStoredCard } from '../../../src/srs/sync';
import { queueOf } from '../../../src/srs/queue';
import { CardState, type DeckCard, type StoredCard } from '../../../src/srs/types';

/** A deck card with readable defaults; override what a test cares about. */
export function deckCard(id: string, overrides: Partial<DeckCard> = {}): DeckCard {
  const [paperId = 'paper', pointId = 'point'] = id.split('/');
  return {
    id,
    kind: 'point',
    chapter: 'foundational-work',
    paperId,
    source: 'ours',
    front: `Question about ${pointId}?`,
    back: `Answer about ${pointId}.`,
    href: `/foundational-work/#${paperId}--${pointId}`,
    hash: `hash-${id.replace(/\//g, '-')}`,
    position: 0,
    ...overrides,
  };
}

/** A stored card; `overrides` may set schedule fields and flags (the queue is recomputed). */
export function storedCard(id: string, overrides: Partial<StoredCard> = {}): StoredCard {
  const card: StoredCard = { ...newStoredCard(deckCard(id), 0), ...overrides };
  card.queue = queueOf(card);
  return card;
}

/** A card in the review state, due at `due`. */
export function reviewCard(id: string, due: number, overrides: Partial<StoredCard> = {}) {
  return storedCard(id, {
    state: CardState.Review,
    stability: 10,
    difficulty: 5,
    reps: 4,
    scheduledDays: 10,
    lastReview: due - 10 * 86_400_000,
    due,
    ...overrides,
  });
}
