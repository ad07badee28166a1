/**
 * A first visit, known at build time. A browser that has never opened Residual's database has no
 * cards, answers, progress or settings of its own, so what a card page shows it once the published
 * deck is stored follows from the deck alone. The card pages write that screen into their HTML and
 * show it as they are parsed, before their scripts load and store the deck; the scripts then draw
 * the same words over it. A browser with a database (src/storage/database-mark.ts) waits for its
 * own screen. One whose database predates the mark sees the first-visit screen once, briefly,
 * until its own replaces it.
 */
import { DATABASE_MARK } from '../storage/database-mark';
import type { Settings } from '../srs/settings';
import type { Deck } from '../srs/types';

/**
 * An expression for a page's inline script: whether to show the first-visit screen. A page opened
 * on a part of the deck (?chapter=, ?paper=, ?scope=) shows its own screen.
 */
export const IS_FIRST_VISIT = `(() => { try { return localStorage.getItem(${JSON.stringify(DATABASE_MARK)}) === null && !/[?&](chapter|paper|scope)=/.test(location.search); } catch { return false; } })()`;

/**
 * New cards a first visit leaves in papers not read yet: every card that belongs to a paper. Null
 * where new cards come from the whole list (a first visit then starts with a card).
 */
export function cardsWaitingOnFirstVisit(deck: Deck, settings: Settings): number | null {
  if (settings.introduceNew === 'list') return null;
  return deck.cards.filter((card) => card.paperId !== null).length;
}

/** A value written into an inline script, '<' escaped so that no text can close the script. */
export function scriptData(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
