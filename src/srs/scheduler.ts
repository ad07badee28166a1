/**
 * The scheduler: the only module that imports ts-fsrs. Everything it returns uses epoch
 * milliseconds and Residual's own types.
 *
 * Two adjustments on top of ts-fsrs:
 * - Days follow the configured "next day starts at" hour. ts-fsrs counts elapsed days between UTC
 *   calendar dates, so it is fed a shifted clock in which every scheduler day is a UTC day; a card
 *   given an interval of n days is then due at the start of the n-th scheduler day after today.
 * - Fuzz is seeded by card id and repetition count, not by the time of the review, so the interval
 *   previewed on a button is the one applied when the button is pressed a few seconds later.
 */
import {
  default_w,
  fsrs,
  FSRSAlgorithm,
  type AbstractScheduler,
  type Card,
  type FSRS,
  type Grade as FsrsGrade,
  type RecordLogItem,
  type StepUnit,
  StrategyMode,
  S_MIN,
} from 'ts-fsrs';
import { dayNumber, dayStart, MS_PER_DAY } from './day';
import type { Settings } from './settings';
import { CardState, GRADES, type Grade, type ReviewLogEntry, type Schedule } from './types';

/** What one answer would do to a card. */
export interface Outcome {
  grade: Grade;
  schedule: Schedule;
  /** The log row to append (before the store assigns its id). */
  log: Omit<ReviewLogEntry, 'id'>;
  /** Time from the review to the new due date. */
  intervalMs: number;
  /** For day-scale intervals, the number of scheduler days; null for learning steps. */
  intervalDays: number | null;
}

export type Preview = Record<Grade, Outcome>;

export interface Scheduler {
  readonly settings: Settings;
  /** The outcome of each of the four answers if given at `now`. */
  preview(cardId: string, schedule: Schedule, now: number): Preview;
  /** The outcome of answering `grade` at `now`; equal to `preview(...)[grade]` for the same day. */
  apply(cardId: string, schedule: Schedule, grade: Grade, now: number): Outcome;
  /** Probability of recall at `now` (0 for a new card). */
  retrievability(schedule: Schedule, now: number): number;
}

/** The smallest stability ts-fsrs accepts for a card that has been answered. */
export const MIN_STABILITY = S_MIN;

/** A brand-new card's schedule. */
export function emptySchedule(now: number): Schedule {
  return {
    due: now,
    stability: 0,
    difficulty: 0,
    elapsedDays: 0,
    scheduledDays: 0,
    learningSteps: 0,
    reps: 0,
    lapses: 0,
    state: CardState.New,
    lastReview: null,
  };
}

type SeededCard = Card & { cid: string };

/** Seed fuzz with the card id and the repetition number being recorded. */
function cardSeed(this: AbstractScheduler): string {
  const current = Reflect.get(this, 'current') as SeededCard;
  return `${current.cid}#${current.reps}`;
}

export function createScheduler(settings: Settings): Scheduler {
  const hour = settings.dayStartHour;
  const engine: FSRS = fsrs({
    request_retention: settings.desiredRetention,
    maximum_interval: settings.maximumInterval,
    enable_fuzz: true,
    enable_short_term: true,
    learning_steps: settings.learningSteps as StepUnit[],
    relearning_steps: settings.relearningSteps as StepUnit[],
    ...(settings.fsrsParameters ? { w: settings.fsrsParameters } : {}),
  });
  engine.useStrategy(StrategyMode.SEED, cardSeed);

  /** Map real time onto a clock whose UTC days are scheduler days. */
  function toShifted(time: number): number {
    const day = dayNumber(time, hour);
    const intoDay = Math.min(time - dayStart(day, hour), MS_PER_DAY - 1);
    return day * MS_PER_DAY + intoDay;
  }

  function toEngineCard(cardId: string, schedule: Schedule): SeededCard {
    const card: SeededCard = {
      cid: cardId,
      due: new Date(toShifted(schedule.due)),
      stability: schedule.stability,
      difficulty: schedule.difficulty,
      elapsed_days: schedule.elapsedDays,
      scheduled_days: schedule.scheduledDays,
      learning_steps: schedule.learningSteps,
      reps: schedule.reps,
      lapses: schedule.lapses,
      state: schedule.state,
    };
    if (schedule.lastReview !== null) card.last_review = new Date(toShifted(schedule.lastReview));
    return card;
  }

  function toOutcome(
    cardId: string,
    grade: Grade,
    before: Schedule,
    item: RecordLogItem,
    now: number,
  ): Outcome {
    const { card, log } = item;
    const shiftedNow = toShifted(now);
    const dayBased = card.state === CardState.Review && card.scheduled_days >= 1;
    const due = dayBased
      ? dayStart(dayNumber(now, hour) + card.scheduled_days, hour)
      : now + (card.due.getTime() - shiftedNow);
    const schedule: Schedule = {
      due,
      stability: card.stability,
      difficulty: card.difficulty,
      elapsedDays: card.elapsed_days,
      scheduledDays: card.scheduled_days,
      learningSteps: card.learning_steps,
      reps: card.reps,
      lapses: card.lapses,
      state: card.state as CardState,
      lastReview: now,
    };
    return {
      grade,
      schedule,
      log: {
        cardId,
        grade,
        review: now,
        state: before.state,
        due: before.lastReview ?? before.due,
        stability: log.stability,
        difficulty: log.difficulty,
        elapsedDays: log.elapsed_days,
        lastElapsedDays: log.last_elapsed_days,
        scheduledDays: log.scheduled_days,
        learningSteps: log.learning_steps,
      },
      intervalMs: due - now,
      intervalDays: dayBased ? card.scheduled_days : null,
    };
  }

  /**
   * ts-fsrs refuses a card last answered after `now` (a negative elapsed time). That happens when
   * this device's clock was set back: the card is then treated as answered just now.
   */
  function asOf(schedule: Schedule, now: number): Schedule {
    return schedule.lastReview !== null && schedule.lastReview > now
      ? { ...schedule, lastReview: now }
      : schedule;
  }

  return {
    settings,
    preview(cardId, schedule, now) {
      const record = engine.repeat(
        toEngineCard(cardId, asOf(schedule, now)),
        new Date(toShifted(now)),
      );
      const preview = {} as Preview;
      for (const grade of GRADES) {
        preview[grade] = toOutcome(cardId, grade, schedule, record[grade as FsrsGrade], now);
      }
      return preview;
    },
    apply(cardId, schedule, grade, now) {
      const item = engine.next(
        toEngineCard(cardId, asOf(schedule, now)),
        new Date(toShifted(now)),
        grade,
      );
      return toOutcome(cardId, grade, schedule, item, now);
    },
    retrievability(schedule, now) {
      if (schedule.state === CardState.New) return 0;
      return engine.get_retrievability(
        toEngineCard('', asOf(schedule, now)),
        new Date(toShifted(now)),
        false,
      );
    },
  };
}

/** FSRS-6's default parameters, which every reader starts with. */
export const DEFAULT_PARAMETERS: readonly number[] = Object.freeze([...default_w]);

/** A card's memory as FSRS models it. */
export interface MemoryState {
  stability: number;
  difficulty: number;
}

/** FSRS's memory model alone, without scheduling: for measuring fit and simulating learners. */
export interface MemoryModel {
  /** Memory after answering `grade`, `deltaDays` scheduler days after the previous answer (null: the first). */
  next(state: MemoryState | null, deltaDays: number, grade: Grade): MemoryState;
  /** Probability of recall `elapsedDays` after the last answer. */
  recall(elapsedDays: number, stability: number): number;
}

export function createMemoryModel(parameters: readonly number[]): MemoryModel {
  const model = new FSRSAlgorithm({ w: [...parameters], enable_short_term: true });
  return {
    next: (state, deltaDays, grade) => model.next_state(state, deltaDays, grade),
    recall: (elapsedDays, stability) => model.forgetting_curve(elapsedDays, stability),
  };
}
