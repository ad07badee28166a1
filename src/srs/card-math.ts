/**
 * Math on cards, drawn from the site's own build. The deck stays plain text (as stored, backed up
 * and imported); /card-math.json holds KaTeX's HTML for each card of the published deck that has
 * `$…$` math, keyed by card id and content hash. The review page and the card browser show that
 * HTML only for a card whose stored hash matches, so no HTML ever comes from storage or a backup,
 * and no KaTeX JavaScript ships to the browser.
 */
import { MAX_ID } from './limits';

export const CARD_MATH_FORMAT = 'residual-card-math';

/** The longest HTML one side of a card may have. */
export const MAX_MATH_HTML = 500_000;

/** One card's entry: the hash of the wording the HTML was made from, and each side's HTML. */
export interface CardMathEntry {
  hash: string;
  front?: string;
  back?: string;
}

/** The published file: per card id, its hash and the HTML of each side that has math. */
export interface CardMath {
  format: typeof CARD_MATH_FORMAT;
  cards: Record<string, CardMathEntry>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max;

/** Keys beyond `allowed` (the file is strict, as the deck is). */
const hasOnly = (record: Record<string, unknown>, allowed: readonly string[]) =>
  Object.keys(record).every((key) => allowed.includes(key));

function isEntry(value: unknown): value is CardMathEntry {
  return (
    isRecord(value) &&
    hasOnly(value, ['hash', 'front', 'back']) &&
    isText(value['hash'], 64) &&
    (value['front'] === undefined || isText(value['front'], MAX_MATH_HTML)) &&
    (value['back'] === undefined || isText(value['back'], MAX_MATH_HTML))
  );
}

/**
 * The card math file as published, or null when `data` is not one (damaged, or from another
 * version). Checked by hand, not with zod: the card browser's first screen waits for it, and
 * building and running a zod schema for it was a 30–40 ms task there.
 */
export function parseCardMath(data: unknown): CardMath | null {
  if (!isRecord(data) || !hasOnly(data, ['format', 'cards'])) return null;
  if (data['format'] !== CARD_MATH_FORMAT || !isRecord(data['cards'])) return null;
  const entries = Object.entries(data['cards']);
  if (!entries.every(([id, entry]) => id.length <= MAX_ID && isEntry(entry))) return null;
  // fromEntries defines each key as the object's own, "__proto__" included.
  return { format: CARD_MATH_FORMAT, cards: Object.fromEntries(entries) as CardMath['cards'] };
}

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
