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
import { todayStart } from './day';
import { allowance, LEARN_AHEAD_MS, type DailyUsage, type QueueCounts } from './queue';
import type { Settings } from './settings';
import type { QueueName } from './types';

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

/** The settings due figures depend on. */
export type DueSettings = Pick<
  Settings,
  'dayStartHour' | 'newPerDay' | 'maxReviewsPerDay' | 'introduceNew'
>;

/**
 * What counting due cards needs from a database: counts over the [queue+due] and
 * [queue+position] index ranges, today's usage, the papers read, and the new cards of those papers.
 * Storage gives it over Dexie (src/storage/due.ts) and over plain IndexedDB for the sidebar
 * (src/storage/due-read-only.ts), so both count by `countDue` below.
 */
export interface DueSource {
  /** Cards in `queue` whose `due` is at most `upTo`. */
  countDueBefore(queue: QueueName, upTo: number): Promise<number>;
  /** Cards in `queue`, all of them (counted on [queue+position]). */
  countQueue(queue: QueueName): Promise<number>;
  /** New cards introduced and review cards answered since `since`. */
  usageSince(since: number): Promise<DailyUsage>;
  /** Papers marked skimmed, read or deep-read. */
  papersRead(): Promise<ReadonlySet<string>>;
  /** New cards of these papers. */
  countNewOf(papers: ReadonlySet<string>): Promise<number>;
}

/** The due figures (see the top of this file), counted from any `DueSource`. */
export async function countDue(
  source: DueSource,
  now: number,
  settings: DueSettings,
): Promise<DueFigures> {
  const [usage, papers] = await Promise.all([
    source.usageSince(todayStart(now, settings.dayStartHour)),
    settings.introduceNew === 'list' ? Promise.resolve(null) : source.papersRead(),
  ]);
  const limits = allowance(settings, usage);
  const [learning, review, fresh] = await Promise.all([
    source.countDueBefore('learning', now + LEARN_AHEAD_MS),
    source.countDueBefore('review', now),
    papers === null ? source.countQueue('new') : source.countNewOf(papers),
  ]);
  return dueFigures({
    learning,
    review: Math.min(review, limits.reviews),
    new: Math.min(fresh, limits.newCards),
  });
}
