/**
 * A simulated learner whose memory follows given FSRS parameters, reviewing on Residual's
 * scheduler: the review history the optimizer's tests and bench fit, generated with ts-fsrs
 * (through scheduler.ts).
 *
 * Each day the learner studies once, takes its new cards and everything due, and answers each
 * card Again with the probability its true memory gives of forgetting it (else Hard, Good or Easy
 * at fixed rates). The scheduler that picks the intervals is the default one, as for a reader who
 * has not fitted parameters yet; the learner's true memory is updated with the given parameters.
 */
import { dayNumber, dayStart, MS_PER_DAY } from './day';
import { seededRandom } from './random';
import { createMemoryModel, createScheduler, emptySchedule, type MemoryState } from './scheduler';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import type { Grade, ReviewLogEntry, Schedule } from './types';

export interface SimulationOptions {
  /** The learner's true memory: FSRS-6 parameters (21 numbers). */
  parameters: readonly number[];
  /** Stop once this many reviews are logged. */
  reviews: number;
  newPerDay?: number;
  seed?: number;
  /** The first study day; the session starts at 9:00 of that scheduler day. */
  start?: number;
  settings?: Settings;
}

export { seededRandom };

interface SimulatedCard {
  id: string;
  schedule: Schedule;
  truth: MemoryState | null;
}

const SECONDS_PER_ANSWER = 15_000;

/** A review history of at least `options.reviews` answers (cut to exactly that many). */
export function simulateLearner(options: SimulationOptions): ReviewLogEntry[] {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const hour = settings.dayStartHour;
  const scheduler = createScheduler(settings);
  const memory = createMemoryModel(options.parameters);
  const random = seededRandom(options.seed ?? 1);
  const newPerDay = options.newPerDay ?? 20;
  const firstDay = dayNumber(options.start ?? Date.UTC(2026, 0, 5, 12), hour);
  const log: ReviewLogEntry[] = [];
  const cards: SimulatedCard[] = [];

  function answer(card: SimulatedCard, now: number): void {
    const last = card.schedule.lastReview;
    let grade: Grade;
    if (last === null || card.truth === null) {
      grade = random() < 0.3 ? 1 : random() < 0.85 ? 3 : 4;
    } else {
      const days = dayNumber(now, hour) - dayNumber(last, hour);
      // Within a day memory still fades a little, so a learning step can be failed.
      const elapsed = days > 0 ? days : (now - last) / MS_PER_DAY;
      const recall = memory.recall(elapsed, card.truth.stability);
      const roll = random();
      grade = random() >= recall ? 1 : roll < 0.15 ? 2 : roll < 0.9 ? 3 : 4;
    }
    const delta = last === null ? 0 : dayNumber(now, hour) - dayNumber(last, hour);
    card.truth = memory.next(card.truth, delta, grade);
    const outcome = scheduler.apply(card.id, card.schedule, grade, now);
    card.schedule = outcome.schedule;
    log.push({ ...outcome.log, id: log.length + 1, deviceId: 'simulated' });
  }

  for (let day = firstDay; log.length < options.reviews; day++) {
    const end = dayStart(day + 1, hour);
    let now = dayStart(day, hour) + 5 * 3_600_000;
    for (let i = 0; i < newPerDay; i++) {
      cards.push({ id: `sim/card-${cards.length}`, schedule: emptySchedule(now), truth: null });
    }
    // Answer whatever is due, then wait for the next learning step, until the day is over.
    for (;;) {
      const due = cards.filter((card) => card.schedule.due <= now);
      if (due.length === 0) {
        const next = Math.min(...cards.map((card) => card.schedule.due));
        if (next >= end) break;
        now = next;
        continue;
      }
      for (const card of due) {
        answer(card, now);
        now += SECONDS_PER_ANSWER;
        if (log.length >= options.reviews) return log;
      }
    }
  }
  return log;
}
