/**
 * The workload a desired retention implies: how many answers a day the reader's own deck would
 * ask for over the coming year, simulated with Residual's scheduler (ts-fsrs 5 has no simulator
 * of its own). Pure and deterministic: the same deck, settings and seed give the same figures.
 *
 * Assumptions, kept simple on purpose:
 * - one sitting a day at 9:00 after the day starts, answering everything due, learning steps
 *   included (the daily review cap is not applied, so the figure shows the load the retention
 *   creates, not what the cap lets through);
 * - new cards enter at the daily limit until the cards the reader could be given run out;
 * - a card's first answer is Good; later, the card is forgotten (Again) with the probability FSRS's
 *   retrievability gives at that moment, and otherwise answered Good;
 * - the memory model is the scheduler's own (the reader's fitted parameters, or FSRS's defaults),
 *   so the figures are as right as that model is for this reader.
 * Each card's luck is drawn from the seed, the card and the answer's number (see `draw`), so a run
 * repeats exactly and every retention meets the same luck.
 */
import { dayNumber, dayStart } from './day';
import { createScheduler, emptySchedule } from './scheduler';
import type { Settings } from './settings';
import { seededRandom } from './random';
import { CardState, type Schedule } from './types';

/** The reader's deck as the simulation needs it. */
export interface WorkloadDeck {
  /** Schedules of the cards already studied (in learning or review). */
  studied: readonly Schedule[];
  /** Cards not yet seen that the queue could introduce. */
  newCards: number;
}

export interface WorkloadOptions {
  /** When the simulation starts (the reader's "now"). */
  now: number;
  /** Days to simulate; 365 by default. */
  days?: number;
  seed?: number;
}

/** What the review page asks the workload worker (src/ui/review/workload.worker.ts). */
export interface WorkloadRequest {
  deck: WorkloadDeck;
  settings: Settings;
  retentions: readonly number[];
  now: number;
}

/** The worker's answer: answers a day for each retention asked, and how long the run took. */
export interface WorkloadResult {
  figures: { retention: number; answersPerDay: number }[];
  elapsedMs: number;
}

/** Simulate each retention of a request (what the worker runs). */
export function estimateWorkload(request: WorkloadRequest): WorkloadResult {
  const start = performance.now();
  const figures = request.retentions.map((retention) => ({
    retention,
    answersPerDay: simulateWorkload(request.deck, request.settings, retention, {
      now: request.now,
    }),
  }));
  return { figures, elapsedMs: performance.now() - start };
}

const MS_PER_HOUR = 3_600_000;
const SECONDS_BETWEEN_ANSWERS = 10_000;

/** The mean number of answers a day over `options.days` days at `retention`. */
export function simulateWorkload(
  deck: WorkloadDeck,
  settings: Settings,
  retention: number,
  options: WorkloadOptions,
): number {
  const days = options.days ?? 365;
  const hour = settings.dayStartHour;
  const scheduler = createScheduler({ ...settings, desiredRetention: retention });
  const seed = options.seed ?? 1;
  const cards = deck.studied.map((schedule, index) => ({ id: `w/${index}`, schedule, answers: 0 }));
  let unseen = deck.newCards;
  let answers = 0;
  const firstDay = dayNumber(options.now, hour) + 1;
  for (let day = firstDay; day < firstDay + days; day++) {
    let now = dayStart(day, hour) + 5 * MS_PER_HOUR;
    const end = dayStart(day + 1, hour);
    const fresh = Math.min(settings.newPerDay, unseen);
    unseen -= fresh;
    for (let i = 0; i < fresh; i++) {
      cards.push({ id: `w/${cards.length}`, schedule: emptySchedule(now), answers: 0 });
    }
    // Answer whatever is due, then wait for the next learning step, until the day is over.
    for (;;) {
      const due = cards.filter((card) => card.schedule.due <= now);
      if (due.length === 0) {
        let next = Infinity;
        for (const card of cards) next = Math.min(next, card.schedule.due);
        if (next >= end) break;
        now = next;
        continue;
      }
      for (const card of due) {
        const recall =
          card.schedule.state === CardState.New ? 1 : scheduler.retrievability(card.schedule, now);
        const grade = draw(seed, card.id, card.answers++) < recall ? 3 : 1;
        card.schedule = scheduler.apply(card.id, card.schedule, grade, now).schedule;
        answers++;
        now += SECONDS_BETWEEN_ANSWERS;
      }
    }
  }
  return answers / days;
}

/**
 * The random number for a card's n-th answer. Tied to the card and the answer, not to the order
 * of the simulation, so every retention meets the same luck card by card and the figures differ
 * by the retention rather than by chance.
 */
function draw(seed: number, cardId: string, answer: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < cardId.length; i++) hash = Math.imul(hash ^ cardId.charCodeAt(i), 0x01000193);
  return seededRandom(hash ^ Math.imul(answer + 1, 0x9e3779b1))();
}

/** Retentions to compare with the chosen one: a few steps either side, inside 0.70–0.99. */
export function nearbyRetentions(chosen: number): number[] {
  const steps = [-0.05, -0.02, 0, 0.02, 0.04];
  const values = steps
    .map((step) => Math.round((chosen + step) * 100) / 100)
    .filter((value) => value >= 0.7 && value <= 0.99);
  return [...new Set(values)];
}
