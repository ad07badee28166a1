import type { Settings } from './settings';
import { CardState, type QueueName, type StoredCard } from './types';

/** Learning cards due within this window are shown early when nothing else is left (as Anki). */
export const LEARN_AHEAD_MS = 20 * 60_000;

/** The queue a card belongs in, from its state and flags. */
export function queueOf(
  card: Pick<StoredCard, 'state' | 'suspended' | 'retired' | 'buriedUntil' | 'declined'>,
): QueueName {
  if (card.retired || card.declined === true) return 'retired';
  if (card.suspended) return 'suspended';
  if (card.buriedUntil > 0) return 'buried';
  if (card.state === CardState.New) return 'new';
  if (card.state === CardState.Review) return 'review';
  return 'learning';
}

/** What the user has already done today. */
export interface DailyUsage {
  /** New cards introduced today. */
  newToday: number;
  /** Answers today to cards that were in the review state. */
  reviewsToday: number;
}

/** How many more new and review cards today's limits allow. */
export function allowance(
  settings: Pick<Settings, 'newPerDay' | 'maxReviewsPerDay'>,
  usage: DailyUsage,
): { newCards: number; reviews: number } {
  return {
    newCards: Math.max(0, settings.newPerDay - usage.newToday),
    reviews: Math.max(0, settings.maxReviewsPerDay - usage.reviewsToday),
  };
}

export interface QueueCounts {
  learning: number;
  review: number;
  new: number;
}

/** Today's queue as the review page sees it. */
export interface TodayQueue {
  counts: QueueCounts;
  /** The card to show now, or null when finished for now. */
  next: StoredCard | null;
  /** When finished: the earliest time a learning or review card becomes due, if any. */
  nextDueAt: number | null;
  /** When finished: new cards are waiting but today's new-card limit is used up. */
  newLimitReached: boolean;
  /**
   * Cards that studying ahead would add (scoped queues only): not yet due or beyond today's limits,
   * and not answered today.
   */
  ahead: number;
}

export interface QueueOptions {
  /**
   * Study ahead (for one chapter or paper, on demand): every card not answered today counts as
   * due, earliest first, and the daily limits do not apply. Cards answered today leave the queue,
   * so a session ends.
   */
  ahead?: boolean;
  /** The start of today (cards answered since then are not studied ahead). */
  todayStart?: number;
  /**
   * Papers whose new cards may be introduced (the reader marked them skimmed or read); new cards
   * of other papers, and new glossary cards, wait in their review areas. Absent: every new card,
   * in reading-list order.
   */
  newFrom?: ReadonlySet<string>;
}

/** Whether a new card may be introduced in /review/ under `newFrom` (see QueueOptions). */
export function introducible(
  card: Pick<StoredCard, 'paperId'>,
  newFrom: ReadonlySet<string> | undefined,
): boolean {
  return newFrom === undefined || (card.paperId !== null && newFrom.has(card.paperId));
}

/** Which part of the queue to study: everything, one chapter, or one paper. */
export type StudyScope =
  { kind: 'all' } | { kind: 'chapter'; chapter: string } | { kind: 'paper'; paperId: string };

export function inScope(card: Pick<StoredCard, 'chapter' | 'paperId'>, scope: StudyScope): boolean {
  if (scope.kind === 'chapter') return card.chapter === scope.chapter;
  if (scope.kind === 'paper') return card.paperId === scope.paperId;
  return true;
}

/**
 * Today's queue from a list of cards (the reference definition; storage computes the same thing
 * from indexes for the whole deck). Order: learning cards that are due, then reviews (most overdue
 * first), then new cards in reading order, then learning cards due within the learn-ahead window.
 */
export function queueFromCards(
  cards: readonly StoredCard[],
  now: number,
  settings: Settings,
  usage: DailyUsage,
  options: QueueOptions = {},
): TodayQueue {
  const ahead = options.ahead === true;
  const todayStart = options.todayStart ?? -Infinity;
  const limits = ahead ? { newCards: Infinity, reviews: Infinity } : allowance(settings, usage);
  const learning: StoredCard[] = [];
  const review: StoredCard[] = [];
  const fresh: StoredCard[] = [];
  let nextDueAt: number | null = null;
  let notToday = 0;
  for (const card of cards) {
    const queue = queueOf(card);
    const answeredToday = card.lastReview !== null && card.lastReview >= todayStart;
    if (queue === 'learning' && card.due <= now + LEARN_AHEAD_MS) learning.push(card);
    else if (queue === 'review' && card.due <= now) review.push(card);
    else if (queue === 'new') {
      if (introducible(card, options.newFrom)) fresh.push(card);
    } else if ((queue === 'learning' || queue === 'review') && ahead && !answeredToday) {
      review.push(card);
    } else if (queue === 'learning' || queue === 'review') {
      nextDueAt = nextDueAt === null ? card.due : Math.min(nextDueAt, card.due);
      if (!answeredToday) notToday++;
    }
  }
  learning.sort((a, b) => a.due - b.due);
  review.sort((a, b) => a.due - b.due);
  fresh.sort((a, b) => a.position - b.position);
  const reviewShown = review.slice(0, limits.reviews);
  const freshShown = fresh.slice(0, limits.newCards);
  const dueLearning = learning.filter((card) => card.due <= now);
  const next = dueLearning[0] ?? reviewShown[0] ?? freshShown[0] ?? learning[0] ?? null;
  return {
    counts: { learning: learning.length, review: reviewShown.length, new: freshShown.length },
    next,
    nextDueAt: next === null ? nextDueAt : null,
    newLimitReached: fresh.length > 0 && limits.newCards === 0,
    ahead: ahead
      ? 0
      : notToday + (review.length - reviewShown.length) + (fresh.length - freshShown.length),
  };
}
