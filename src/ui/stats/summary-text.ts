/**
 * The statistics summary in words, from its figures: one source for the dashboard script and for
 * the first-visit screen written at build time (src/ui/first-visit.ts), so the script draws exactly
 * what the page already shows.
 */
import { formatStudyTime, MAX_ANSWER_MS, type AnswerTimeSummary } from '../../srs/answer-time';
import { describeDue, type DueFigures } from '../../srs/due';
import type { CategoryCounts, Retention } from '../../srs/stats';

function percent(rate: number | null): string {
  return rate === null ? 'no reviews yet' : `${(rate * 100).toFixed(1)}%`;
}

/** "293 cards: 293 new, 0 learning, … 0 retired cards are kept with their history." */
export function cardsSummary(counts: CategoryCounts, leeches: number): string {
  const active = Object.values(counts).reduce((sum, n) => sum + n, 0) - counts.retired;
  return (
    `${active} cards: ${counts.new} new, ${counts.learning} learning, ${counts.young} young, ` +
    `${counts.mature} mature, ${counts.suspended} suspended (${leeches} of them leeches), ` +
    `${counts.buried} buried; ${counts.retired} retired cards are kept with their history.`
  );
}

/** True retention over the last 30 days and the last year, beside the desired retention. */
export function retentionSummary(
  month: Retention,
  year: Retention,
  desiredRetention: number,
): string {
  return (
    `True retention (answers to cards in review that were not "Again"): ` +
    `${percent(month.rate)} over the last 30 days (${month.reviews} reviews), ` +
    `${percent(year.rate)} over the last year (${year.reviews} reviews). ` +
    `Your desired retention is ${Math.round(desiredRetention * 100)}%.`
  );
}

/** What /review/ would show now, and every answer recorded. */
export function dueSummary(due: DueFigures, totalAnswers: number): string {
  return `${describeDue(due)} due now; ${totalAnswers} answers recorded in all.`;
}

/** Today's answers and the time spent on them. */
export function todaySummary(today: AnswerTimeSummary): string {
  return (
    `Today: ${today.answers} answer${today.answers === 1 ? '' : 's'}` +
    (today.timed > 0
      ? ` in ${formatStudyTime(today.totalMs)}, ${formatStudyTime(today.meanMs)} each on average (each answer counts at most ${formatStudyTime(MAX_ANSWER_MS)}, as in Anki).`
      : '.')
  );
}
