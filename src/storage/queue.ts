/** Today's queue, read from the indexes so it stays fast with tens of thousands of cards. */
import { dayStart, dayNumber } from '../srs/day';
import {
  LEARN_AHEAD_MS,
  allowance,
  queueFromCards,
  type DailyUsage,
  type StudyScope,
  type TodayQueue,
} from '../srs/queue';
import type { Settings } from '../srs/settings';
import { CardState, type QueueName, type StoredCard } from '../srs/types';
import { isReadingState } from '../progress/progress';
import type { ResidualDb } from './db';
import { DAMAGED_QUEUE } from './quarantine';
import { unburyExpired } from './reviews';

/** New cards introduced and review cards answered since today's day start. */
export async function dailyUsage(
  db: ResidualDb,
  now: number,
  settings: Settings,
): Promise<DailyUsage> {
  const start = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
  const since = (state: CardState) =>
    db.log.where('[state+review]').between([state, start], [state, Infinity], true, true).count();
  const [newToday, reviewsToday] = await Promise.all([
    since(CardState.New),
    since(CardState.Review),
  ]);
  return { newToday, reviewsToday };
}

/**
 * The papers /review/ may introduce new cards from: with `introduceNew: 'read'`, those the reader
 * marked skimmed, read or deep-read (damaged progress rows count as unread); with 'list', every
 * paper (undefined).
 */
export async function newCardSources(
  db: ResidualDb,
  settings: Settings,
): Promise<ReadonlySet<string> | undefined> {
  if (settings.introduceNew === 'list') return undefined;
  const rows = await db.progress.toArray();
  return new Set(
    rows
      .filter((row) => isReadingState(row.state) && row.state !== 'unread')
      .map((row) => row.paperId),
  );
}

function range(db: ResidualDb, queue: QueueName, index: 'due' | 'position', upTo = Infinity) {
  return db.cards.where(`[queue+${index}]`).between([queue, -Infinity], [queue, upTo], true, true);
}

/**
 * The new cards /review/ may introduce: counted on the [queue+position] index for the whole list,
 * or read paper by paper (the papers the reader has read: a few dozen cards each).
 */
async function newCards(
  db: ResidualDb,
  newFrom: ReadonlySet<string> | undefined,
): Promise<{ count: number; first: StoredCard | undefined }> {
  if (newFrom === undefined) {
    const [count, first] = await Promise.all([
      range(db, 'new', 'position').count(),
      range(db, 'new', 'position').first(),
    ]);
    return { count, first };
  }
  if (newFrom.size === 0) return { count: 0, first: undefined };
  const cards = await db.cards
    .where('paperId')
    .anyOf([...newFrom])
    .filter((card) => card.queue === 'new')
    .toArray();
  const first = cards.reduce<StoredCard | undefined>(
    (best, card) => (best === undefined || card.position < best.position ? card : best),
    undefined,
  );
  return { count: cards.length, first };
}

/**
 * The queue for `scope`. For the whole deck this is a handful of counted index ranges; for one
 * chapter or paper (a few dozen cards) the cards are read and sorted in memory, and studying ahead
 * (`options.ahead`) is possible.
 */
export async function loadTodayQueue(
  db: ResidualDb,
  now: number,
  settings: Settings,
  scope: StudyScope = { kind: 'all' },
  options: { ahead?: boolean } = {},
): Promise<TodayQueue> {
  await unburyExpired(db, now);
  const [usage, newFrom] = await Promise.all([
    dailyUsage(db, now, settings),
    newCardSources(db, settings),
  ]);
  if (scope.kind !== 'all') {
    const read =
      scope.kind === 'chapter'
        ? await db.cards.where('chapter').equals(scope.chapter).toArray()
        : await db.cards.where('paperId').equals(scope.paperId).toArray();
    // queueFromCards derives queues from flags, so cards set aside are left out here by name.
    const cards = read.filter((card) => (card.queue as string) !== DAMAGED_QUEUE);
    const todayStart = dayStart(dayNumber(now, settings.dayStartHour), settings.dayStartHour);
    // A reader who picks one paper asks for its cards, read or not.
    return queueFromCards(cards, now, settings, usage, {
      ahead: options.ahead === true,
      todayStart,
      ...(scope.kind === 'chapter' && newFrom ? { newFrom } : {}),
    });
  }
  const limits = allowance(settings, usage);
  return db.transaction('r', db.cards, async () => {
    // A Dexie collection is changed by first() (it adds a limit), so each query builds its own.
    const learningAhead = () => range(db, 'learning', 'due', now + LEARN_AHEAD_MS);
    const reviewDue = () => range(db, 'review', 'due', now);
    const [learningCount, reviewCount, fresh, firstLearning, firstReview] = await Promise.all([
      learningAhead().count(),
      reviewDue().count(),
      newCards(db, newFrom),
      learningAhead().first(),
      reviewDue().first(),
    ]);
    const newCount = fresh.count;
    const firstNew = fresh.first;
    let next: StoredCard | null = null;
    if (firstLearning && firstLearning.due <= now) next = firstLearning;
    else if (firstReview && limits.reviews > 0) next = firstReview;
    else if (firstNew && limits.newCards > 0) next = firstNew;
    else if (firstLearning) next = firstLearning;
    let nextDueAt: number | null = null;
    if (next === null) {
      const [laterLearning, laterReview] = await Promise.all([
        range(db, 'learning', 'due').first(),
        db.cards
          .where('[queue+due]')
          .between(['review', now], ['review', Infinity], false, true)
          .first(),
      ]);
      const candidates = [laterLearning?.due, laterReview?.due].filter(
        (due): due is number => due !== undefined,
      );
      nextDueAt = candidates.length > 0 ? Math.min(...candidates) : null;
    }
    return {
      counts: {
        learning: learningCount,
        review: Math.min(reviewCount, limits.reviews),
        new: Math.min(newCount, limits.newCards),
      },
      next,
      nextDueAt,
      newLimitReached: newCount > 0 && limits.newCards === 0,
      ahead: 0,
    };
  });
}
