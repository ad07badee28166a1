/** Today's answers and the time they took (time per answer is kept with each log row). */
import { summariseAnswerTime, type AnswerTimeSummary } from '../srs/answer-time';
import { dayNumber, dayStart } from '../srs/day';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';

export async function loadAnswerTimeToday(
  db: ResidualDb,
  now: number,
  settings: Settings,
): Promise<AnswerTimeSummary> {
  const start = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
  const today = await db.log.where('review').between(start, Infinity, true, true).toArray();
  return summariseAnswerTime(today);
}
