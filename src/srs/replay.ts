/**
 * Rebuilding a card's schedule from its review log: what a merge does to a card reviewed on two
 * devices, and what "reschedule my cards" does after the FSRS parameters change.
 */
import { withOutcome } from './review';
import { createScheduler, emptySchedule } from './scheduler';
import type { Settings } from './settings';
import { queueOf } from './queue';
import type { ReviewLogEntry, StoredCard } from './types';

/**
 * The card after answering its whole log (sorted by time) again from new, under `settings`.
 * Flags (suspended, leech, buried) come from `flags`; a leech lapse later than `flags` were set
 * (`flagsUpdatedAt`) suspends the card again, as it would have on the device.
 */
export function replayCard(
  card: StoredCard,
  log: readonly Pick<ReviewLogEntry, 'grade' | 'review'>[],
  settings: Settings,
  flags: StoredCard = card,
): StoredCard {
  const scheduler = createScheduler(settings);
  const flagsAt = flags.flagsUpdatedAt ?? 0;
  let current: StoredCard = {
    ...card,
    ...emptySchedule(card.due),
    leech: false,
    suspended: false,
    buriedUntil: 0,
  };
  let leechAfterFlags = false;
  for (const row of log) {
    const outcome = scheduler.apply(current.id, current, row.grade, row.review);
    const result = withOutcome(current, outcome, settings);
    if (result.becameLeech && row.review >= flagsAt) leechAfterFlags = true;
    current = result.card;
  }
  const replayed: StoredCard = {
    ...current,
    changed: card.changed,
    leech: current.leech || flags.leech,
    suspended: flags.suspended || leechAfterFlags,
    buriedUntil: flags.buriedUntil,
    rev: card.rev,
  };
  if (flags.flagsUpdatedAt !== undefined) replayed.flagsUpdatedAt = flags.flagsUpdatedAt;
  else delete replayed.flagsUpdatedAt;
  replayed.queue = queueOf(replayed);
  return replayed;
}

/**
 * The card rescheduled under new settings (new FSRS parameters): its memory state and due date
 * rebuilt from its log, its flags exactly as they were, its revision moved on.
 */
export function rescheduleCard(
  card: StoredCard,
  log: readonly Pick<ReviewLogEntry, 'grade' | 'review'>[],
  settings: Settings,
): StoredCard {
  if (log.length === 0) return card;
  const replayed = replayCard(card, log, settings, { ...card, flagsUpdatedAt: Infinity });
  const next: StoredCard = {
    ...replayed,
    leech: card.leech,
    suspended: card.suspended,
    rev: card.rev + 1,
  };
  if (card.flagsUpdatedAt !== undefined) next.flagsUpdatedAt = card.flagsUpdatedAt;
  else delete next.flagsUpdatedAt;
  next.queue = queueOf(next);
  return next;
}
