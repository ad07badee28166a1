/**
 * The shapes shared by the deck, the scheduler and storage. Every date is epoch milliseconds;
 * nothing outside src/srs/scheduler.ts sees a ts-fsrs type.
 */

/** FSRS learning state, numbered as ts-fsrs numbers it (kept numeric so it can be indexed). */
export const CardState = { New: 0, Learning: 1, Review: 2, Relearning: 3 } as const;
export type CardState = (typeof CardState)[keyof typeof CardState];

export const STATE_NAMES: Record<CardState, string> = {
  0: 'new',
  1: 'learning',
  2: 'review',
  3: 'relearning',
};

/** The four answers: Again, Hard, Good, Easy. */
export type Grade = 1 | 2 | 3 | 4;
export const GRADES: readonly Grade[] = [1, 2, 3, 4];
export const GRADE_NAMES: Record<Grade, string> = { 1: 'Again', 2: 'Hard', 3: 'Good', 4: 'Easy' };

/** A card's memory state and due date: what FSRS reads and writes. */
export interface Schedule {
  due: number;
  stability: number;
  difficulty: number;
  elapsedDays: number;
  scheduledDays: number;
  learningSteps: number;
  reps: number;
  lapses: number;
  state: CardState;
  lastReview: number | null;
}

export type CardKind = 'point' | 'illusion' | 'glossary' | 'experiment';

/** What each kind of card is called where a page names it (card browser, card info). */
export const KIND_LABELS: Record<CardKind, string> = {
  point: 'Point',
  illusion: 'Illusion',
  glossary: 'Glossary term',
  experiment: 'Experiment',
};

/**
 * Where a card's idea comes from: `list` when the reading list itself marks it as important (or
 * as an illusion), `ours` when it is our selection. Glossary cards are always ours.
 */
export type CardSource = 'list' | 'ours';

/** One card as the deck builder publishes it (content only, no schedule). */
export interface DeckCard {
  /** `<paperId>/<pointId>` or `glossary/<termId>`: stable when the wording changes. */
  id: string;
  kind: CardKind;
  /** Chapter slug, or "glossary" for glossary cards. */
  chapter: string;
  /** The paper the card comes from; null for glossary cards. */
  paperId: string | null;
  /** The list's pick or ours (cards stored before this field existed read as ours). */
  source: CardSource;
  front: string;
  back: string;
  /** Link back to the paragraph the card was made from. */
  href: string;
  /** Hash of front + back: changes when the wording changes. */
  hash: string;
  /** Place in reading order, used to introduce new cards in that order. */
  position: number;
  /**
   * Experiment cards only: the runner that poses the card on a fresh prompt and answers it live
   * (src/widgets/experiment-cards.ts); front and back are then the static worked example.
   */
  experiment?: string | undefined;
}

/** The published deck (`/deck.json`). */
export interface Deck {
  format: 'residual-deck';
  /** Hash over every card id and content hash: equal decks have equal versions. */
  version: string;
  cards: DeckCard[];
}

/**
 * Which queue a stored card sits in. Derived from state and flags and indexed with `due` (and
 * with `position` for new cards), so that each part of today's queue is one index range that can
 * be counted without reading the cards (booleans cannot be IndexedDB keys).
 */
export type QueueName = 'new' | 'learning' | 'review' | 'buried' | 'suspended' | 'retired';

/** A card as stored in the browser: deck content + schedule + the user's flags. */
export interface StoredCard extends DeckCard, Schedule {
  queue: QueueName;
  suspended: boolean;
  leech: boolean;
  /** The wording changed since the user last reviewed it. */
  changed: boolean;
  /** Gone from the current deck: kept with its history, hidden from review. */
  retired: boolean;
  /**
   * The reader declined it ("not for me" in a review area): hidden from review like a retired
   * card, kept with its history, restorable from the card browser. Absent on rows saved before
   * areas existed (read as false); a deck sync keeps it.
   */
  declined?: boolean;
  /** Hidden until this time (bury until tomorrow); 0 when not buried. */
  buriedUntil: number;
  /** Bumped by every write that changes the schedule; lets a review detect a stale card. */
  rev: number;
  /**
   * When the reader last suspended, unsuspended or buried it (absent: never); a merge between
   * devices keeps the newer flags.
   */
  flagsUpdatedAt?: number;
  /** The reader's flag, in Anki's numbering and colours; absent or 0 when none. */
  flag?: CardFlag;
  /** The reader's own wording (key E), shown instead of the deck's; absent when none. */
  edit?: PersonalEdit;
  /** The reader's own note on the card (card info); absent when none. */
  note?: string;
}

/** A reader's rewrite of a card, kept across deck updates. */
export interface PersonalEdit {
  front: string;
  back: string;
  editedAt: number;
  /** The deck wording's hash when the edit was made: differs once the original changed. */
  baseHash: string;
}

/** Anki's flags: 0 none, 1 red, 2 orange, 3 green, 4 blue. */
export type CardFlag = 0 | 1 | 2 | 3 | 4;
export const FLAG_NAMES: Record<CardFlag, string> = {
  0: 'none',
  1: 'red',
  2: 'orange',
  3: 'green',
  4: 'blue',
};

/** One row of the append-only review log. The memory fields are those before the review. */
export interface ReviewLogEntry {
  /** Auto-increment key (absent before insertion). */
  id?: number;
  cardId: string;
  grade: Grade;
  /** When the answer was given. */
  review: number;
  state: CardState;
  due: number;
  stability: number;
  difficulty: number;
  elapsedDays: number;
  lastElapsedDays: number;
  scheduledDays: number;
  learningSteps: number;
  /** The device that recorded it (absent only in backup files from before devices had ids). */
  deviceId?: string;
  /** Time from the question shown to the answer, capped (src/srs/answer-time.ts); absent in rows
   * recorded before it was kept. */
  answerMs?: number;
}
