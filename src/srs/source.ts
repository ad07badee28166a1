/** Where a card comes from, as the review page and the card browser name it. */
import type { CardSource } from './types';

export const SOURCE_LABELS: Record<CardSource, string> = {
  list: 'From the list',
  ours: 'Our pick',
};

/**
 * A stored card's source. Rows saved before cards carried one read as ours (every card was
 * marked ours until the records were labelled); the next deck sync sets the deck's value.
 */
export function sourceOf(card: { source?: CardSource | undefined }): CardSource {
  return card.source === 'list' ? 'list' : 'ours';
}
