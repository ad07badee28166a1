import type { Outcome, Scheduler } from './scheduler';
import type { Settings } from './settings';
import { capCount, nextRevision } from './limits';
import { queueOf } from './queue';
import type { Grade, ReviewLogEntry, Schedule, StoredCard } from './types';

/** Pick the schedule fields out of a stored card. */
export function scheduleOf(card: StoredCard): Schedule {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    elapsedDays: card.elapsedDays,
    scheduledDays: card.scheduledDays,
    learningSteps: card.learningSteps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    lastReview: card.lastReview,
  };
}

export interface ReviewResult {
  card: StoredCard;
  log: Omit<ReviewLogEntry, 'id'>;
  /** This answer made the card a leech (it is now suspended). */
  becameLeech: boolean;
}

/**
 * The card after one answer: the new schedule, the "changed" mark cleared (the user has now seen
 * the new wording), and leech handling — a lapse that reaches the threshold tags and suspends.
 */
export function reviewCard(
  card: StoredCard,
  grade: Grade,
  now: number,
  scheduler: Scheduler,
): ReviewResult {
  const outcome: Outcome = scheduler.apply(card.id, scheduleOf(card), grade, now);
  return withOutcome(card, outcome, scheduler.settings);
}

/**
 * A lapse makes a card a leech when it reaches the threshold, and again every half threshold
 * after that (as Anki does), so a leech the user unsuspended is caught again if it keeps failing.
 */
export function isLeechLapse(
  lapsesBefore: number,
  lapsesAfter: number,
  threshold: number,
): boolean {
  if (lapsesAfter <= lapsesBefore || lapsesAfter < threshold) return false;
  const every = Math.max(1, Math.ceil(threshold / 2));
  return (lapsesAfter - threshold) % every === 0;
}

/** Apply an already computed outcome (from `preview` or `apply`) to a stored card. */
export function withOutcome(card: StoredCard, outcome: Outcome, settings: Settings): ReviewResult {
  const becameLeech = isLeechLapse(card.lapses, outcome.schedule.lapses, settings.leechThreshold);
  const next: StoredCard = {
    ...card,
    ...outcome.schedule,
    reps: capCount(outcome.schedule.reps),
    lapses: capCount(outcome.schedule.lapses),
    changed: false,
    leech: card.leech || becameLeech,
    suspended: card.suspended || becameLeech,
    buriedUntil: 0,
    queue: card.queue,
    rev: nextRevision(card.rev),
  };
  next.queue = queueOf(next);
  return { card: next, log: outcome.log, becameLeech };
}
