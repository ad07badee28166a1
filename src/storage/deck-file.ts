/**
 * The deck file the site publishes, checked before it is stored: first its outer shape, then each
 * card, in short slices (slices.ts), so that a first visit, which checks every card, never holds
 * the page for long. The result and the message for a damaged file are those of checking the whole
 * file with `deckSchema` at once.
 */
import { z } from '../srs/zod';
import { deckCardSchema, deckEnvelopeSchema, firstIssue } from '../srs/schemas';
import type { Deck, DeckCard } from '../srs/types';
import { forEachInSlices } from './slices';

export type DeckCheck = { ok: true; deck: Deck } | { ok: false; problem: string };

/** The deck in `raw` (a parsed deck.json), or the first thing wrong with it ("cards[3].front: …"). */
export async function checkDeck(raw: unknown): Promise<DeckCheck> {
  const envelope = deckEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, problem: firstIssue(envelope.error) };
  const cards: DeckCard[] = [];
  let problem: string | null = null;
  await forEachInSlices(envelope.data.cards, (raw, index) => {
    const card = deckCardSchema.safeParse(raw);
    if (card.success) {
      cards.push(card.data);
      return true;
    }
    const issues = card.error.issues.map((issue) => ({
      ...issue,
      path: ['cards', index, ...issue.path],
    }));
    problem = firstIssue(new z.ZodError(issues));
    return false;
  });
  if (problem !== null) return { ok: false, problem };
  return { ok: true, deck: { ...envelope.data, cards } };
}
