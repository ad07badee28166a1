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
const COUNT_GROUP = 61;

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
    const chapterCounts = async (chapter: string): Promise<[string, CategoryCounts]> => {
      const [rest, young, mature] = await Promise.all([
        Promise.all(QUEUES.map((queue) => byCard(chapter, queue, -Infinity, Infinity))),
        byCard(chapter, 'review', -Infinity, MATURE_DAYS),
        byCard(chapter, 'review', MATURE_DAYS, Infinity),
      ]);
      const [fresh = 0, learning = 0, buried = 0, suspended = 0, retired = 0] = rest;
      return [chapter, { new: fresh, learning, young, mature, suspended, buried, retired }];
    };
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
    // A few hundred counts, asked for in groups: each group goes out when the previous one has
    // answered, in a task of its own, so the page is never held for long (one burst of every
    // request took a quarter of a second on a slow phone).
    const byChapter = await Promise.all(chapters.map(chapterCounts));
    const forecast = await Promise.all(
      upcoming.map(async (range, offset) => {
        const [learning, review] = await Promise.all([
          dueBetween('learning', range.start, range.end),
          dueBetween('review', range.start, range.end),
        ]);
        return { offset, date: range.date, due: learning + review };
      }),
    );
    const heatmap: HeatmapDay[] = [];
    for (let start = 0; start < past.length; start += COUNT_GROUP) {
      const days = past.slice(start, start + COUNT_GROUP);
      heatmap.push(
        ...(await Promise.all(
          days.map(async (range) => ({
            date: range.date,
            reviews: await answersBetween(range.start, range.end),
          })),
        )),
      );
    }
    const [counts, totalAnswers] = await Promise.all([
      Promise.all([
        reviewsSince(monthAgo),
        againSince(monthAgo),
        reviewsSince(yearAgo),
        againSince(yearAgo),
      ]),
      db.log.count(),
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
