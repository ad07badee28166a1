/** Builds /card-math.json (see src/srs/card-math.ts) from the deck: build time only. */
import type { CardMath } from '../srs/card-math';
import { CARD_MATH_FORMAT } from '../srs/card-math';
import type { Deck } from '../srs/types';
import { mathHtml } from '../content/math-html';
import { hasMath } from '../content/math-text';

export function buildCardMath(deck: Deck): CardMath {
  const cards: CardMath['cards'] = {};
  for (const card of deck.cards) {
    const front = hasMath(card.front);
    const back = hasMath(card.back);
    if (!front && !back) continue;
    cards[card.id] = {
      hash: card.hash,
      ...(front && { front: mathHtml(card.front) }),
      ...(back && { back: mathHtml(card.back) }),
    };
  }
  return { format: CARD_MATH_FORMAT, cards };
}
