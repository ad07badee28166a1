/**
 * The ranges stored values live in, and the two ways the app's own writes stay inside them. A row
 * that the app wrote must always pass the checks that an imported row passes, so a profile's own
 * export re-imports: counters therefore never grow past MAX_COUNT, whatever a file started from.
 */

/** The largest count a stored row may hold (reps, lapses, revision, days, positions). */
export const MAX_COUNT = 1e9;
/** The longest id (a card's, a slug) a stored row or a published file may hold. */
export const MAX_ID = 200;
/** The largest valid JavaScript date. */
export const MAX_TIME = 8.64e15;

/**
 * The revision after `rev`. A revision is only ever compared for equality (has the card changed
 * since it was shown?), so at the top of the range it wraps to 0 instead of leaving it.
 */
export function nextRevision(rev: number): number {
  return rev >= MAX_COUNT ? 0 : rev + 1;
}

/** A count after one more event, held at MAX_COUNT (a card answered a billion times stays valid). */
export function capCount(count: number): number {
  return Math.min(count, MAX_COUNT);
}
