/**
 * Undo for every operation on a card — a grade, bury, suspend, unbury, unsuspend, forget — in the
 * order they were done, scoped to the tab that did them.
 *
 * Each operation runs through `withUndo`, which reads the stored card row inside the same
 * transaction as the operation and returns an `UndoStep`: the row exactly as it was, the revision
 * the operation left, and the log row it added (if any). The tab keeps its steps in a
 * `TabUndoStack` in memory, so one tab never undoes what another did. `undoStep` puts the row back
 * only while the card still carries the revision the step left: if another tab has changed the
 * card since, it refuses and changes nothing.
 */
import { queueOf } from '../srs/queue';
import { emptySchedule } from '../srs/scheduler';
import { personalEditSchema, storedCardSchema } from '../srs/schemas';
import type { CardFlag, StoredCard } from '../srs/types';
import type { ResidualDb } from './db';
import { CardNotFoundError, StaleCardError } from './errors';
import { nextRevision } from '../srs/limits';

/** What the user did to a card, in the words the undo message uses. */
export type UndoableOperation =
  'answer' | 'bury' | 'suspend' | 'unbury' | 'unsuspend' | 'forget' | 'flag' | 'edit' | 'note';

/** One undoable operation: the card row before it, and what the operation left. */
export interface UndoStep {
  operation: UndoableOperation;
  cardId: string;
  /** The stored row exactly as it was before the operation. */
  before: StoredCard;
  /** The card's revision right after the operation; undo refuses once it has moved on. */
  afterRev: number;
  /** The review-log row the operation added (answers only). */
  logId: number | null;
}

/** How many operations a tab can undo, most recent first (Anki keeps a similar short history). */
export const TAB_UNDO_DEPTH = 30;

/** A tab's own undo history, newest last. Lives in memory: a reload starts a fresh one. */
export class TabUndoStack {
  private readonly steps: UndoStep[] = [];

  constructor(private readonly depth = TAB_UNDO_DEPTH) {}

  push(step: UndoStep): void {
    this.steps.push(step);
    if (this.steps.length > this.depth) this.steps.splice(0, this.steps.length - this.depth);
  }

  /** The step an undo would take back, without removing it. */
  peek(): UndoStep | undefined {
    return this.steps.at(-1);
  }

  pop(): UndoStep | undefined {
    return this.steps.pop();
  }

  get size(): number {
    return this.steps.length;
  }
}

/**
 * Run `operation` on one card and record what undoing it needs, in one transaction: the row read
 * here is the row the operation changed, never an older copy the page showed.
 */
export async function withUndo(
  db: ResidualDb,
  cardId: string,
  operation: UndoableOperation,
  run: () => Promise<{ card: StoredCard; logId?: number }>,
): Promise<UndoStep> {
  return db.transaction('rw', [db.cards, db.log, db.undo, db.meta], async () => {
    const before = await db.cards.get(cardId);
    if (!before) throw new CardNotFoundError(cardId);
    const result = await run();
    return {
      operation,
      cardId,
      before,
      afterRev: result.card.rev,
      logId: result.logId ?? null,
    };
  });
}

export type UndoStepResult =
  { undone: true; card: StoredCard } | { undone: false; reason: 'changed-since' };

/**
 * Take one step back: the card row goes back exactly as it was and the answer's log row (if any)
 * is removed, with the shared undo entry that answer wrote. Refused, changing nothing, when the
 * card's revision is no longer the one the step left (another tab changed it since).
 */
export async function undoStep(db: ResidualDb, step: UndoStep): Promise<UndoStepResult> {
  return db.transaction('rw', db.cards, db.log, db.undo, async (): Promise<UndoStepResult> => {
    const card = await db.cards.get(step.cardId);
    if (!card || card.rev !== step.afterRev) return { undone: false, reason: 'changed-since' };
    await db.cards.put(step.before);
    if (step.logId !== null) {
      await db.log.delete(step.logId);
      await db.undo.delete(step.logId);
    }
    return { undone: true, card: step.before };
  });
}

/** Fields to set on a card row; a field set to undefined is removed from it. */
type CardChange = { [K in keyof StoredCard]?: StoredCard[K] | undefined };

/** Change one card's flags or schedule, checking the revision the page showed when it has one. */
async function changeCard(
  db: ResidualDb,
  cardId: string,
  expectedRev: number | null,
  change: (card: StoredCard) => CardChange,
): Promise<StoredCard> {
  return db.transaction('rw', db.cards, async () => {
    const card = await db.cards.get(cardId);
    if (!card) throw new CardNotFoundError(cardId);
    if (expectedRev !== null && card.rev !== expectedRev) throw new StaleCardError(cardId);
    // A reader's mark, like a flag: a merge between devices keeps the newer side's marks.
    const next = {
      ...card,
      ...change(card),
      rev: nextRevision(card.rev),
      flagsUpdatedAt: Date.now(),
    } as StoredCard;
    // A field changed to undefined is removed, so the row holds no key the check does not expect.
    for (const key of Object.keys(next) as (keyof StoredCard)[]) {
      if (next[key] === undefined) delete next[key];
    }
    next.queue = queueOf(next);
    await db.cards.put(next);
    return next;
  });
}

/** Bring a buried card back today. */
export function unburyCard(db: ResidualDb, cardId: string, expectedRev: number | null) {
  return changeCard(db, cardId, expectedRev, () => ({ buriedUntil: 0 }));
}

/**
 * Forget a card (Anki's "Reset"/"Forget"): it becomes new again, due now, with no memory state;
 * its review log is kept. A leech tag and suspension are left as they are.
 */
export function forgetCard(
  db: ResidualDb,
  cardId: string,
  expectedRev: number | null,
  now: number,
) {
  return changeCard(db, cardId, expectedRev, () => ({ ...emptySchedule(now), buriedUntil: 0 }));
}

/** Set the reader's flag on a card (0 clears it). */
export function flagCard(
  db: ResidualDb,
  cardId: string,
  expectedRev: number | null,
  flag: CardFlag,
) {
  return changeCard(db, cardId, expectedRev, () => ({ flag }));
}

/**
 * Store the reader's own wording of a card (checked like the deck's: plain text, not empty), or
 * with `wording` null go back to the deck's. Throws zod's error, changing nothing, on bad input.
 */
export async function editCard(
  db: ResidualDb,
  cardId: string,
  expectedRev: number | null,
  wording: { front: string; back: string } | null,
  now: number,
): Promise<StoredCard> {
  const card = await changeCard(db, cardId, expectedRev, (stored) =>
    wording === null
      ? { edit: undefined }
      : {
          edit: personalEditSchema.parse({
            front: wording.front.trim(),
            back: wording.back.trim(),
            editedAt: now,
            baseHash: stored.hash,
          }),
        },
  );
  return card;
}

/** Store the reader's note on a card (plain text; empty removes it). */
export function noteCard(db: ResidualDb, cardId: string, expectedRev: number | null, note: string) {
  const text = note.trim();
  const checked = text === '' ? undefined : storedCardSchema.shape.note.parse(text);
  return changeCard(db, cardId, expectedRev, () => ({ note: checked }));
}
