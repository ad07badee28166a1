import { describe, expect, it } from 'vitest';
import { buildCardMath } from '../../../src/srs/card-math-build';
import { mathHtmlFor, parseCardMath } from '../../../src/srs/card-math';
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
    expect(parseCardMath(JSON.parse(JSON.stringify(index)))).toEqual(index);
  });

  it('reads as nothing when the file is damaged or of another kind', () => {
    const good = JSON.parse(JSON.stringify(index)) as Record<string, unknown>;
    const entry = { hash: 'h', front: '<span class="katex">x</span>' };
    const damaged: unknown[] = [
      null,
      [],
      'residual-card-math',
      { ...good, format: 'residual-deck' },
      { ...good, extra: 1 },
      { format: 'residual-card-math' },
      { format: 'residual-card-math', cards: [] },
      { format: 'residual-card-math', cards: { a: { ...entry, script: 'x' } } },
      { format: 'residual-card-math', cards: { a: { ...entry, hash: 'h'.repeat(65) } } },
      { format: 'residual-card-math', cards: { a: { ...entry, back: 42 } } },
      { format: 'residual-card-math', cards: { a: { front: 'no hash' } } },
      { format: 'residual-card-math', cards: { a: { ...entry, front: 'x'.repeat(500_001) } } },
      { format: 'residual-card-math', cards: { ['a'.repeat(201)]: entry } },
    ];
    for (const data of damaged)
      expect(parseCardMath(data), JSON.stringify(data)?.slice(0, 80)).toBeNull();
  });

  it('keeps a card id such as __proto__ as an entry of its own', () => {
    const data = JSON.parse(
      '{"format":"residual-card-math","cards":{"__proto__":{"hash":"h","front":"x"}}}',
    );
    const parsed = parseCardMath(data);
    expect(Object.getPrototypeOf(parsed?.cards)).toBe(Object.prototype);
    expect(mathHtmlFor(parsed, { id: '__proto__', hash: 'h' }, 'front')).toBe('x');
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
