/**
 * Math on cards, drawn from the site's own build. The deck stays plain text (as stored, backed up
 * and imported); /card-math.json holds KaTeX's HTML for each card of the published deck that has
 * `$…$` math, keyed by card id and content hash. The review page and the card browser show that
 * HTML only for a card whose stored hash matches, so no HTML ever comes from storage or a backup,
 * and no KaTeX JavaScript ships to the browser.
 */
import { lazily, z } from './zod';
import { MAX_ID } from './schemas';

export const CARD_MATH_FORMAT = 'residual-card-math';

export const cardMathSchema = lazily(() =>
  z
    .object({
      format: z.literal(CARD_MATH_FORMAT),
      cards: z.record(
        z.string().max(MAX_ID),
        z
          .object({
            hash: z.string().max(64),
            front: z.string().max(500_000).optional(),
            back: z.string().max(500_000).optional(),
          })
          .strict(),
      ),
    })
    .strict(),
);

/** The published file: per card id, its hash and the HTML of each side that has math. */
export type CardMath = z.infer<typeof cardMathSchema>;

export type CardSide = 'front' | 'back';

/**
 * The build's HTML for one side of a card, or null when that side has no math, the card is not
 * in the published deck, or its wording differs from the deck the HTML was made from.
 */
export function mathHtmlFor(
  index: CardMath | null,
  card: { id: string; hash: string },
  side: CardSide,
): string | null {
  const entry = index && Object.hasOwn(index.cards, card.id) ? index.cards[card.id] : undefined;
  if (!entry || entry.hash !== card.hash) return null;
  return entry[side] ?? null;
}
