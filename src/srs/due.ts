/**
 * "Cards due": the one definition every page shows (/review/'s counts, /progress/'s "cards due
 * today", /stats/'s summary line). It is today's queue as /review/ would work through it now:
 * learning cards due now or within the learn-ahead window, review cards due now (up to today's
 * review limit) and the new cards today's limit and the new-card setting allow. Buried, suspended,
 * declined and retired cards are never due.
 *
 * The stats page's forecast is a different figure (cards scheduled on each day, limits aside):
 * its first bar counts every learning and review card scheduled before tomorrow's day start, so
 * it is labelled "scheduled", not "due".
 */
import type { QueueCounts } from './queue';

export interface DueFigures {
  /** Learning cards due now or within the learn-ahead window. */
  learning: number;
  /** Review cards due now, up to today's review limit. */
  review: number;
  /** New cards /review/ would introduce today. */
  new: number;
  /** Everything /review/ would show now. */
  total: number;
}

export function dueFigures(counts: QueueCounts): DueFigures {
  return { ...counts, total: counts.learning + counts.review + counts.new };
}

/** "12 cards (3 new)": the due figure as every page words it. */
export function describeDue(figures: DueFigures): string {
  const cards = `${figures.total} ${figures.total === 1 ? 'card' : 'cards'}`;
  return figures.new > 0 && figures.new < figures.total ? `${cards} (${figures.new} new)` : cards;
}
