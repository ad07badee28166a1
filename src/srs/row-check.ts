/**
 * The one check every stored row passes before a page or an export uses it, and the repair of a
 * row that fails it. A row can be damaged by a browser extension, a bug in an older version or a
 * disk error; the check says what is wrong in words, so the row can be set aside and listed
 * instead of crashing a page or silently dropping out of every index.
 */
import { MS_PER_DAY } from './day';
import { MAX_COUNT, nextRevision } from './limits';
import { queueOf } from './queue';
import { firstIssue, reviewLogSchema, storedCardSchema } from './schemas';
import { MIN_STABILITY, emptySchedule } from './scheduler';
import { CardState, type ReviewLogEntry, type Schedule, type StoredCard } from './types';

export type RowCheck<Row> = { ok: true; row: Row } | { ok: false; problem: string };

/**
 * Why ts-fsrs would refuse this schedule, or null. A card that has been answered needs the time of
 * that answer, and every card a memory state the algorithm accepts.
 */
export function scheduleProblem(schedule: Schedule): string | null {
  if (schedule.state !== CardState.New && schedule.lastReview === null) {
    return 'lastReview: a card that has been answered needs the time of its last answer';
  }
  // ts-fsrs starts a memory state from nothing (both 0), or else needs both inside its ranges,
  // whatever the card's state.
  const { difficulty, stability } = schedule;
  if (difficulty === 0 && stability === 0) return null;
  if (difficulty < 1)
    return 'difficulty: a memory state has a difficulty from 1 to 10 (or 0 with stability 0)';
  if (stability < MIN_STABILITY) {
    return `stability: a memory state has a stability of at least ${MIN_STABILITY} (or 0 with difficulty 0)`;
  }
  return null;
}

/** A stored card as pages and export may use it: well formed, schedulable, in its own queue. */
export function checkStoredCard(raw: unknown): RowCheck<StoredCard> {
  const parsed = storedCardSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error) };
  const card = parsed.data as StoredCard;
  const problem = scheduleProblem(card);
  if (problem) return { ok: false, problem };
  if (card.queue !== queueOf(card)) {
    return {
      ok: false,
      problem: `queue: "${card.queue}" does not match the card's state and flags`,
    };
  }
  return { ok: true, row: card };
}

/** A stored review-log row as export may use it. */
export function checkLogRow(raw: unknown): RowCheck<ReviewLogEntry> {
  const parsed = reviewLogSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, row: parsed.data as ReviewLogEntry }
    : { ok: false, problem: firstIssue(parsed.error) };
}

/** What a repaired card shows until the next deck update brings its wording back. */
export const REPAIRED_TEXT =
  'The saved text of this card was damaged; the site restores it when it next loads the deck.';
/** The content hash of a repaired card: matches no deck card, so the next sync rewrites it. */
export const REPAIRED_HASH = 'repaired';

type Fields = Record<string, unknown>;

/** The value of `key` if it passes that field's own schema, else `fallback`. */
function field<T>(raw: Fields, key: keyof typeof storedCardSchema.shape, fallback: T): T {
  const parsed = storedCardSchema.shape[key].safeParse(raw[key]);
  return parsed.success ? (parsed.data as T) : fallback;
}

/**
 * A valid card built from a damaged one: every field that is valid on its own is kept; damaged
 * wording gets a placeholder and a hash that makes the next deck sync restore it; a schedule that
 * is not valid as a whole starts over as a new card (the review history is kept in the log).
 * Null when even the id is unusable (such a row can only be removed).
 */
export function repairedCard(raw: unknown, now: number): StoredCard | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const row = raw as Fields;
  const id = field<string | null>(row, 'id', null);
  if (id === null) return null;
  const front = field<string | null>(row, 'front', null);
  const back = field<string | null>(row, 'back', null);
  const wordingKept = front !== null && back !== null;
  const scheduleKeys = Object.keys(emptySchedule(0)) as (keyof Schedule)[];
  const schedule = {} as Record<keyof Schedule, unknown>;
  const damaged: (keyof Schedule)[] = [];
  for (const key of scheduleKeys) {
    const parsed = storedCardSchema.shape[key].safeParse(row[key]);
    if (parsed.success) schedule[key] = parsed.data;
    else damaged.push(key);
  }
  const keptSchedule = schedule as unknown as Schedule;
  // A due date alone can be worked out again: the last answer plus the interval it gave.
  if (damaged.length === 1 && damaged[0] === 'due' && keptSchedule.lastReview !== null) {
    keptSchedule.due = keptSchedule.lastReview + keptSchedule.scheduledDays * MS_PER_DAY;
    damaged.length = 0;
  }
  const scheduleKept = damaged.length === 0;
  const rev = field<number | null>(row, 'rev', null);
  const card: StoredCard = {
    id,
    kind: field(row, 'kind', 'point'),
    chapter: field(row, 'chapter', 'unknown'),
    paperId: field<string | null>(row, 'paperId', null),
    // The next deck sync sets the published value; until then an unknown source reads as ours.
    source: field<string>(row, 'source', 'ours') === 'list' ? 'list' : 'ours',
    front: front ?? REPAIRED_TEXT,
    back: back ?? REPAIRED_TEXT,
    href: field(row, 'href', '/#repaired'),
    hash: wordingKept ? field(row, 'hash', REPAIRED_HASH) : REPAIRED_HASH,
    position: field(row, 'position', MAX_COUNT),
    ...(scheduleKept && scheduleProblem(keptSchedule) === null ? keptSchedule : emptySchedule(now)),
    queue: 'new',
    suspended: field(row, 'suspended', false),
    leech: field(row, 'leech', false),
    changed: field(row, 'changed', false),
    retired: field(row, 'retired', false),
    buriedUntil: field(row, 'buriedUntil', 0),
    // A new revision, so a tab still showing the damaged row cannot answer the repaired one.
    rev: rev === null ? 1 : nextRevision(rev),
  };
  card.queue = queueOf(card);
  const check = checkStoredCard(card);
  return check.ok ? check.row : null;
}
