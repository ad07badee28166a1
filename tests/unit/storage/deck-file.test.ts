import { describe, expect, it } from 'vitest';
import { deckSchema, firstIssue } from '../../../src/srs/schemas';
import type { DeckCard } from '../../../src/srs/types';
import { checkDeck } from '../../../src/storage/deck-file';
import { deckCard } from '../srs/helpers';

const cards: DeckCard[] = ['a/one', 'a/two', 'b/three'].map((id, position) => ({
  ...deckCard(id),
  position,
}));
const deck = { format: 'residual-deck', version: 'v1', cards };

/** What checking the whole file at once with deckSchema says: the answer checkDeck must give. */
function atOnce(raw: unknown) {
  const parsed = deckSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, deck: parsed.data }
    : { ok: false, problem: firstIssue(parsed.error) };
}

describe('checking the deck file card by card', () => {
  it('returns the deck a whole-file check returns', async () => {
    await expect(checkDeck(deck)).resolves.toEqual(atOnce(deck));
    expect((await checkDeck(deck)).ok).toBe(true);
  });

  it('names the first damaged card as a whole-file check does', async () => {
    const damaged = {
      ...deck,
      cards: [cards[0], { ...cards[1], front: 42 }, { ...cards[2], href: 'https://x.org/#a' }],
    };
    const result = await checkDeck(damaged);
    expect(result).toEqual(atOnce(damaged));
    expect(result).toEqual({ ok: false, problem: expect.stringMatching(/^cards\[1\]\.front: /) });
  });

  it('refuses a damaged envelope before looking at any card', async () => {
    for (const raw of [
      { ...deck, format: 'other' },
      { ...deck, version: '' },
      { ...deck, cards: 'none' },
      { ...deck, extra: true },
      null,
    ]) {
      const result = await checkDeck(raw);
      expect(result.ok).toBe(false);
      expect(result).toEqual(atOnce(raw));
    }
  });
});
