/**
 * Merging two devices' collections, with no server: a pure function of the two, so that A merged
 * into B and B merged into A give the same result, and merging the same file twice changes
 * nothing the second time.
 *
 * - Review log: the union. A review is identified by its card and its time (two devices cannot
 *   answer one card in the same millisecond); the merged log is sorted by time and renumbered.
 * - Card schedules: each card's merged log is replayed through the scheduler from a new card, so a
 *   card reviewed on both devices while apart ends in the state its whole history implies.
 * - Flags (suspended, buried) and the reader's marks (flag, own wording, note, declined): the newer
 *   of the two (`flagsUpdatedAt`, set by every such change); a leech found by the replay
 *   after that time suspends the card again, as it would have on the device.
 * - Reading progress and settings: the newer of the two; each reading state keeps its earliest date.
 * - Ties are broken by comparing the rows' JSON, never by which side is "local".
 *
 * A card whose wording differs between the two (the devices run different versions of the deck)
 * or a review recorded differently on each side is a clash: the merge is refused as a whole.
 */
import type { PaperProgress } from '../progress/types';
import { READING_STATES } from '../progress/types';
import { replayCard } from '../srs/replay';
import { coerceSettings, DEFAULT_SETTINGS, type Settings } from '../srs/settings';
import { queueOf } from '../srs/queue';
import type { ReviewLogEntry, StoredCard } from '../srs/types';

/** A deck sync as both devices record it. */
export interface SyncedVersion {
  version: string;
  syncedAt: number;
}

/** What a merge reads from each side and writes back. */
export interface Collection<Version extends SyncedVersion = SyncedVersion> {
  cards: StoredCard[];
  reviewLog: ReviewLogEntry[];
  deckVersions: Version[];
  progress: PaperProgress[];
  settings: Settings | null;
}

export class MergeClashError extends Error {
  override name = 'MergeClashError';
}

/** Review rows from files made before devices had ids are attributed to this one. */
export const UNKNOWN_DEVICE = 'unknown';

/** Fields of a card that come from the deck rather than from reviewing. */
const CONTENT_FIELDS = ['kind', 'chapter', 'paperId', 'front', 'back', 'href', 'position'] as const;

/** JSON with object keys sorted, so equal rows compare equal whatever order their keys were set in. */
function json(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : 1)))
      : inner,
  );
}

/** The one of two values whose JSON sorts last: a choice that does not depend on argument order. */
function canonical<T>(a: T, b: T): T {
  return json(a) >= json(b) ? a : b;
}

/** The newer of two by `time`, ties broken canonically. */
function newer<T>(a: T, b: T, time: (row: T) => number): T {
  const ta = time(a);
  const tb = time(b);
  if (ta !== tb) return ta > tb ? a : b;
  return canonical(a, b);
}

function byKey<T>(rows: readonly T[], key: (row: T) => string): Map<string, T> {
  return new Map(rows.map((row) => [key(row), row]));
}

/** Union of two keyed row lists, with `pick` choosing between rows that share a key. */
function union<T>(
  a: readonly T[],
  b: readonly T[],
  key: (row: T) => string,
  pick: (x: T, y: T) => T,
) {
  const merged = byKey(a, key);
  for (const row of b) {
    const other = merged.get(key(row));
    merged.set(key(row), other === undefined ? row : pick(other, row));
  }
  return [...merged.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([, row]) => row);
}

const reviewKey = (row: ReviewLogEntry) => `${row.cardId} ${row.review}`;

function mergeLogs(a: readonly ReviewLogEntry[], b: readonly ReviewLogEntry[]): ReviewLogEntry[] {
  const withDevice = (row: ReviewLogEntry) => ({
    ...row,
    deviceId: row.deviceId ?? UNKNOWN_DEVICE,
  });
  const rows = union(a.map(withDevice), b.map(withDevice), reviewKey, (x, y) => {
    if (x.grade !== y.grade) {
      throw new MergeClashError(
        `the card "${x.cardId}" has two different answers recorded at ${new Date(x.review).toISOString()}`,
      );
    }
    // The same review on both sides (an earlier merge copied it): keep the copy that names its
    // device, if only one does.
    if ((x.deviceId === UNKNOWN_DEVICE) !== (y.deviceId === UNKNOWN_DEVICE)) {
      return x.deviceId === UNKNOWN_DEVICE ? y : x;
    }
    return canonical(x, y);
  });
  rows.sort(
    (x, y) => x.review - y.review || (x.cardId < y.cardId ? -1 : x.cardId > y.cardId ? 1 : 0),
  );
  return rows.map((row, index) => ({ ...row, id: index + 1 }));
}

function mergeCardContent(a: StoredCard, b: StoredCard): StoredCard {
  if (a.hash !== b.hash) {
    throw new MergeClashError(
      `the card "${a.id}" has different wording on the two devices, so they run different versions of the deck`,
    );
  }
  const pick = (card: StoredCard) => CONTENT_FIELDS.map((field) => card[field]);
  const fromA = pick(a);
  const content = canonical(fromA, pick(b)) === fromA ? a : b;
  return {
    ...content,
    // Seen on either device: the reader has met the new wording; retired on either: gone.
    changed: a.changed && b.changed,
    retired: a.retired || b.retired,
  };
}

function mergeCards(
  a: readonly StoredCard[],
  b: readonly StoredCard[],
  log: readonly ReviewLogEntry[],
  settings: Settings,
): StoredCard[] {
  const logByCard = new Map<string, ReviewLogEntry[]>();
  for (const row of log) {
    const rows = logByCard.get(row.cardId);
    if (rows) rows.push(row);
    else logByCard.set(row.cardId, [row]);
  }
  const other = byKey(b, (card) => card.id);
  const ids = [...new Set([...a.map((card) => card.id), ...b.map((card) => card.id)])].sort();
  const mine = byKey(a, (card) => card.id);
  return ids.map((id) => {
    const x = mine.get(id);
    const y = other.get(id);
    const only = x ?? y;
    if (!x || !y) return only!;
    const content = mergeCardContent(x, y);
    // Ties are broken on the flags and marks alone: the rest of a row changes with every merge, so
    // comparing whole rows could pick the other side when the result is merged again.
    const flagTime = (card: StoredCard) => card.flagsUpdatedAt ?? 0;
    const flags =
      flagTime(x) !== flagTime(y)
        ? newer(x, y, flagTime)
        : json(flagsAndMarks(x)) >= json(flagsAndMarks(y))
          ? x
          : y;
    // Neither side's state is trusted over the other's: the card is rebuilt from the merged log.
    const base: StoredCard = { ...content, due: Math.min(x.due, y.due) };
    const rows = logByCard.get(id) ?? [];
    let merged: StoredCard;
    if (rows.length === 0) {
      merged = { ...canonical(x, y), ...base, ...pickFlags(flags) };
      merged.queue = queueOf(merged);
    } else {
      merged = replayCard(base, rows, settings, flags);
    }
    merged = withMarksOf(merged, flags);
    return { ...merged, rev: mergedRevision(merged, x, y) };
  });
}

/**
 * The merged card's revision moves past both sides' so that a tab still showing an old copy
 * cannot answer it, unless the merge left the newest copy as it was (then merging the same file
 * again changes nothing).
 */
function mergedRevision(merged: StoredCard, x: StoredCard, y: StoredCard): number {
  const newest = x.rev === y.rev ? canonical(x, y) : x.rev > y.rev ? x : y;
  const same = json({ ...merged, rev: 0 }) === json({ ...newest, rev: 0 });
  return same ? newest.rev : Math.max(x.rev, y.rev) + 1;
}

/** The reader's own marks on a card: they travel with its flags (the newer side's, as a whole). */
const READER_MARKS = ['flag', 'edit', 'note', 'declined'] as const;

function flagsAndMarks(card: StoredCard): unknown[] {
  return [pickFlags(card), ...READER_MARKS.map((key) => card[key] ?? null)];
}

function withMarksOf(card: StoredCard, from: StoredCard): StoredCard {
  const next: StoredCard = { ...card };
  for (const key of READER_MARKS) {
    if (from[key] === undefined) delete next[key];
    else Object.assign(next, { [key]: from[key] });
  }
  return next;
}

function pickFlags(card: StoredCard): Partial<StoredCard> {
  const flags: Partial<StoredCard> = {
    suspended: card.suspended,
    leech: card.leech,
    buriedUntil: card.buriedUntil,
  };
  if (card.flagsUpdatedAt !== undefined) flags.flagsUpdatedAt = card.flagsUpdatedAt;
  return flags;
}

function mergeProgress(x: PaperProgress, y: PaperProgress): PaperProgress {
  const latest = newer(x, y, (row) => row.updatedAt);
  const reached: PaperProgress['reached'] = {};
  for (const state of READING_STATES) {
    if (state === 'unread') continue;
    const times = [x.reached[state], y.reached[state]].filter((t): t is number => t !== undefined);
    if (times.length > 0) reached[state] = Math.min(...times);
  }
  return { ...latest, reached };
}

function mergeSettings(a: Settings | null, b: Settings | null): Settings | null {
  if (!a || !b) return a ?? b;
  return newer(coerceSettings(a), coerceSettings(b), (settings) => settings.updatedAt);
}

/**
 * Merge two collections. Throws a MergeClashError (and so changes nothing) when they disagree
 * about a card's wording or about what a review was.
 */
export function mergeCollections<Version extends SyncedVersion>(
  a: Collection<Version>,
  b: Collection<Version>,
): Collection<Version> {
  const reviewLog = mergeLogs(a.reviewLog, b.reviewLog);
  const settings = mergeSettings(a.settings, b.settings);
  const cards = mergeCards(a.cards, b.cards, reviewLog, settings ?? DEFAULT_SETTINGS);
  const known = new Set(cards.map((card) => card.id));
  const orphan = reviewLog.find((row) => !known.has(row.cardId));
  if (orphan)
    throw new MergeClashError(
      `a review refers to the card "${orphan.cardId}", which neither side has`,
    );
  return {
    cards,
    reviewLog,
    deckVersions: union(
      a.deckVersions,
      b.deckVersions,
      (row) => row.version,
      (x, y) => (x.syncedAt !== y.syncedAt ? (x.syncedAt < y.syncedAt ? x : y) : canonical(x, y)),
    ),
    progress: union(a.progress, b.progress, (row) => row.paperId, mergeProgress),
    settings,
  };
}
