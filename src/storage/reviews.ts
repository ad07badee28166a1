/**
 * Writing answers. Each review is one read-write transaction over the card, the log and the undo
 * stack: either all of it is stored or none of it. The card's revision is compared inside the
 * transaction, so an answer given to a card that changed since it was shown (another tab reviewed
 * it) is refused instead of being applied twice.
 */
import { nextRevision } from '../srs/limits';
import { reviewCard, type ReviewResult } from '../srs/review';
import type { Scheduler } from '../srs/scheduler';
import { queueOf } from '../srs/queue';
import type { Grade, StoredCard } from '../srs/types';
import type { ResidualDb, UndoEntry } from './db';
import { localDeviceId } from './device';
import { CardNotFoundError, StaleCardError } from './errors';

/** How many answers can be undone, most recent first. */
export const UNDO_DEPTH = 20;

export interface ReviewRequest {
  cardId: string;
  /** The revision of the card that was shown. */
  expectedRev: number;
  grade: Grade;
  now: number;
  /** The tab that answers (see `undoLastReview`); absent where there is only one. */
  tab?: string;
}

export interface RecordedReview extends ReviewResult {
  logId: number;
}

async function currentCard(db: ResidualDb, cardId: string, expectedRev: number) {
  const card = await db.cards.get(cardId);
  if (!card) throw new CardNotFoundError(cardId);
  if (card.rev !== expectedRev || card.retired) throw new StaleCardError(cardId);
  return card;
}

export async function recordReview(
  db: ResidualDb,
  request: ReviewRequest,
  scheduler: Scheduler,
): Promise<RecordedReview> {
  return db.transaction('rw', db.cards, db.log, db.undo, db.meta, async () => {
    const before = await currentCard(db, request.cardId, request.expectedRev);
    const result = reviewCard(before, request.grade, request.now, scheduler);
    await db.cards.put(result.card);
    // The id is given, not left to IndexedDB's key generator: a generator pushed to its limit
    // (as a file with a huge id once could) can never be reset, but explicit ids always work.
    const lastId = await db.log.orderBy(':id').lastKey();
    const logId = await db.log.add({
      ...result.log,
      id: nextLogId(lastId),
      deviceId: await localDeviceId(db),
    });
    const undo: UndoEntry = { logId, cardId: before.id, before, afterRev: result.card.rev };
    if (request.tab !== undefined) undo.tab = request.tab;
    await db.undo.add(undo);
    const depth = await db.undo.count();
    if (depth > UNDO_DEPTH) {
      const oldest = await db.undo
        .orderBy(':id')
        .limit(depth - UNDO_DEPTH)
        .primaryKeys();
      await db.undo.bulkDelete(oldest);
    }
    return { ...result, logId };
  });
}

export type UndoResult =
  { undone: true; card: StoredCard } | { undone: false; reason: 'nothing' | 'changed-since' };

/** The id after the log's last one (ids stay small: imports renumber them from 1). */
function nextLogId(lastId: unknown): number {
  return typeof lastId === 'number' && Number.isSafeInteger(lastId + 1) ? lastId + 1 : 1;
}

/**
 * Undo the most recent answer given in `tab`: put back the card exactly as it was saved before it
 * and remove the answer's log row. Another tab's answers are never undone here; and the undo is
 * refused if the card has changed since (e.g. another tab answered it again).
 */
export async function undoLastReview(db: ResidualDb, tab?: string): Promise<UndoResult> {
  return db.transaction('rw', db.cards, db.log, db.undo, async (): Promise<UndoResult> => {
    const entries = await db.undo.orderBy(':id').toArray();
    const entry = entries.filter((candidate) => candidate.tab === tab).at(-1);
    if (!entry) return { undone: false, reason: 'nothing' };
    const card = await db.cards.get(entry.cardId);
    if (!card || card.rev !== entry.afterRev) {
      await db.undo.delete(entry.logId);
      return { undone: false, reason: 'changed-since' };
    }
    await db.cards.put(entry.before);
    await db.log.delete(entry.logId);
    await db.undo.delete(entry.logId);
    return { undone: true, card: entry.before };
  });
}

/** Whether `tab` has an answer to undo. */
export async function canUndo(db: ResidualDb, tab?: string): Promise<boolean> {
  return (await db.undo.toArray()).some((entry) => entry.tab === tab);
}

async function updateFlags(
  db: ResidualDb,
  cardId: string,
  expectedRev: number | null,
  change: (card: StoredCard) => Partial<StoredCard>,
): Promise<StoredCard> {
  return db.transaction('rw', db.cards, async () => {
    const card =
      expectedRev === null
        ? await db.cards.get(cardId).then((found) => {
            if (!found) throw new CardNotFoundError(cardId);
            return found;
          })
        : await currentCard(db, cardId, expectedRev);
    const next: StoredCard = {
      ...card,
      ...change(card),
      rev: nextRevision(card.rev),
      flagsUpdatedAt: Date.now(),
    };
    next.queue = queueOf(next);
    await db.cards.put(next);
    return next;
  });
}

/** Hide a card until `until` (the start of the next day). */
export function buryCard(db: ResidualDb, cardId: string, expectedRev: number, until: number) {
  return updateFlags(db, cardId, expectedRev, () => ({ buriedUntil: until }));
}

export function suspendCard(db: ResidualDb, cardId: string, expectedRev: number | null) {
  return updateFlags(db, cardId, expectedRev, () => ({ suspended: true }));
}

export function unsuspendCard(db: ResidualDb, cardId: string) {
  return updateFlags(db, cardId, null, () => ({ suspended: false }));
}

/** Bring back every buried card whose day is over. */
export async function unburyExpired(db: ResidualDb, now: number): Promise<number> {
  const expired = await db.cards
    .where('[queue+due]')
    .between(['buried', -Infinity], ['buried', Infinity], true, true)
    .filter((card) => card.buriedUntil <= now)
    .primaryKeys();
  if (expired.length === 0) return 0;
  return db.transaction('rw', db.cards, async () => {
    let count = 0;
    for (const id of expired) {
      const card = await db.cards.get(id);
      if (!card || card.buriedUntil === 0 || card.buriedUntil > now) continue;
      const next: StoredCard = { ...card, buriedUntil: 0, rev: nextRevision(card.rev) };
      next.queue = queueOf(next);
      await db.cards.put(next);
      count++;
    }
    return count;
  });
}
