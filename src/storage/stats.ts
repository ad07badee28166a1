/**
 * What the statistics page reads. Everything is an IndexedDB count over an index range — no card
 * or log row is read — so it stays quick with hundreds of thousands of reviews (reading rows, or
 * even walking index keys with a cursor, takes tens of seconds at that size in Chromium).
 */
import {
  MATURE_DAYS,
  pastDays,
  retention,
  upcomingDays,
  type CategoryCounts,
  type ForecastDay,
  type HeatmapDay,
  type Retention,
} from '../srs/stats';
import { CardState, type QueueName } from '../srs/types';
import type { ResidualDb } from './db';

const DAY = 86_400_000;
export const HEATMAP_DAYS = 26 * 7;
export const FORECAST_DAYS = 30;
/** Counts asked for at once (a group's requests are made in one task). */
const COUNT_GROUP = 16;

/**
 * The count in each of consecutive day ranges (each starts where the one before ends). The whole
 * span is counted first: when it holds nothing (a first visit, no reviews this half-year), every
 * range holds nothing, and the day-by-day counts are not asked for.
 */
async function countRanges(
  ranges: readonly { start: number; end: number }[],
  countBetween: (start: number, end: number) => Promise<number>,
): Promise<number[]> {
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  if (!first || !last || (await countBetween(first.start, last.end)) === 0) {
    return ranges.map(() => 0);
  }
  return countInGroups(ranges.map((range) => () => countBetween(range.start, range.end)));
}

/** Each count, a group of them at a time (inside the caller's transaction), in order. */
async function countInGroups(counts: (() => Promise<number>)[]): Promise<number[]> {
  const figures: number[] = [];
  for (let start = 0; start < counts.length; start += COUNT_GROUP) {
    const group = counts.slice(start, start + COUNT_GROUP);
    figures.push(...(await Promise.all(group.map((count) => count()))));
  }
  return figures;
}

export interface StatsData {
  /** Cards per category, chapter by chapter. */
  byChapter: Record<string, CategoryCounts>;
  forecast: ForecastDay[];
  heatmap: HeatmapDay[];
  retention: { month: Retention; year: Retention };
  totalAnswers: number;
}

const QUEUES: QueueName[] = ['new', 'learning', 'buried', 'suspended', 'retired'];

export async function loadStatsData(db: ResidualDb, now: number, hour: number): Promise<StatsData> {
  return db.transaction('r', db.cards, db.log, async () => {
    const byCard = (chapter: string, queue: QueueName, from: number, below: number) =>
      db.cards
        .where('[chapter+queue+scheduledDays]')
        .between([chapter, queue, from], [chapter, queue, below], true, false)
        .count();
    const dueBetween = (queue: QueueName, start: number, end: number) =>
      db.cards.where('[queue+due]').between([queue, start], [queue, end], true, false).count();
    const answersBetween = (start: number, end: number) =>
      db.log.where('review').between(start, end, true, false).count();
    const reviewsSince = (since: number) =>
      db.log
        .where('[state+review]')
        .between([CardState.Review, since], [CardState.Review, Infinity], true, true)
        .count();
    const againSince = (since: number) =>
      db.log
        .where('[state+grade+review]')
        .between([CardState.Review, 1, since], [CardState.Review, 1, Infinity], true, true)
        .count();

    const chapters = (await db.cards.orderBy('chapter').uniqueKeys()) as string[];
    const upcoming = upcomingDays(now, hour, FORECAST_DAYS);
    const past = pastDays(now, hour, HEATMAP_DAYS);
    const monthAgo = now - 30 * DAY;
    const yearAgo = now - 365 * DAY;
    // A few hundred counts, asked for a group at a time: each group goes out when the previous
    // one has answered, in a task of its own, so the page is never held for long (one burst of
    // every request took a quarter of a second on a slow phone).
    const perChapter = QUEUES.length + 2;
    const chapterFigures = await countInGroups(
      chapters.flatMap((chapter) => [
        ...QUEUES.map((queue) => () => byCard(chapter, queue, -Infinity, Infinity)),
        () => byCard(chapter, 'review', -Infinity, MATURE_DAYS),
        () => byCard(chapter, 'review', MATURE_DAYS, Infinity),
      ]),
    );
    const byChapter = chapters.map((chapter, i): [string, CategoryCounts] => {
      const [
        fresh = 0,
        learning = 0,
        buried = 0,
        suspended = 0,
        retired = 0,
        young = 0,
        mature = 0,
      ] = chapterFigures.slice(i * perChapter, (i + 1) * perChapter);
      return [chapter, { new: fresh, learning, young, mature, suspended, buried, retired }];
    });
    const learningDue = await countRanges(upcoming, (start, end) =>
      dueBetween('learning', start, end),
    );
    const reviewDue = await countRanges(upcoming, (start, end) => dueBetween('review', start, end));
    const forecast: ForecastDay[] = upcoming.map((range, offset) => ({
      offset,
      date: range.date,
      due: (learningDue[offset] ?? 0) + (reviewDue[offset] ?? 0),
    }));
    const reviewFigures = await countRanges(past, answersBetween);
    const heatmap: HeatmapDay[] = past.map((range, i) => ({
      date: range.date,
      reviews: reviewFigures[i] ?? 0,
    }));
    const [totalAnswers = 0, ...counts] = await countInGroups([
      () => db.log.count(),
      () => reviewsSince(monthAgo),
      () => againSince(monthAgo),
      () => reviewsSince(yearAgo),
      () => againSince(yearAgo),
    ]);
    const [monthReviews = 0, monthAgain = 0, yearReviews = 0, yearAgain = 0] = counts;
    return {
      byChapter: Object.fromEntries(byChapter),
      forecast,
      heatmap,
      retention: {
        month: retention(monthReviews, monthAgain),
        year: retention(yearReviews, yearAgain),
      },
      totalAnswers,
    };
  });
}
