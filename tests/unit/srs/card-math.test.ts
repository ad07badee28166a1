import { describe, expect, it } from 'vitest';
import { buildCardMath } from '../../../src/site/card-math-build';
import { cardMathSchema, mathHtmlFor } from '../../../src/srs/card-math';
import type { Deck } from '../../../src/srs/types';
import { deckCard } from './helpers';

const deck: Deck = {
  format: 'residual-deck',
  version: 'v',
  cards: [
    deckCard('framework/ov', { front: 'What does $W_{OV}$ compute?', back: 'What a head moves.' }),
    deckCard('framework/plain', { front: 'What is a head?', back: 'A unit.' }),
  ],
};

describe('card math made at build time', () => {
  const index = buildCardMath(deck);

  it('holds KaTeX HTML for the sides with math only, keyed by card id and hash', () => {
    expect(Object.keys(index.cards)).toEqual(['framework/ov']);
    expect(index.cards['framework/ov']?.hash).toBe(deck.cards[0]?.hash);
    expect(index.cards['framework/ov']?.front).toContain('class="katex"');
    expect(index.cards['framework/ov']?.back).toBeUndefined();
    expect(cardMathSchema.safeParse(JSON.parse(JSON.stringify(index))).success).toBe(true);
  });

  it('is shown only for a stored card whose wording matches the published card', () => {
    const card = deck.cards[0]!;
    expect(mathHtmlFor(index, card, 'front')).toContain('katex');
    expect(mathHtmlFor(index, card, 'back')).toBeNull();
    expect(mathHtmlFor(index, { ...card, hash: 'reworded-since' }, 'front')).toBeNull();
    expect(mathHtmlFor(index, { id: '__proto__', hash: card.hash }, 'front')).toBeNull();
    expect(mathHtmlFor(null, card, 'front')).toBeNull();
  });
});
