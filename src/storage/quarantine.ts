/**
 * Damaged rows, set aside. A stored row that fails its check (src/srs/row-check.ts) is kept where
 * it is — nothing is deleted behind the user's back — and listed in the `meta` table, with a copy
 * of the row as it was found and what is wrong with it. A damaged card also moves to the
 * "damaged" queue, outside every index range the review and statistics pages read, so it can
 * neither crash a page nor be counted. The statistics page lists the damaged rows with a choice:
 * repair (keep what is valid) or remove.
 */
import { checkLogRow, checkStoredCard, repairedCard, type RowCheck } from '../srs/row-check';
import type { StoredCard } from '../srs/types';
import { parsePaperProgress } from '../progress/schema';
import type { PaperProgress } from '../progress/types';
import type { ResidualDb } from './db';
import { STORED_CARD_CHECK_STEPS } from '../srs/schemas';
import { eachInItsOwnTask, forEachInSlices } from './slices';

/** The tables whose rows are checked one by one. */
export type GuardedTable = 'cards' | 'log' | 'progress';

/** One damaged row, as listed. */
export interface DamagedRow {
  table: GuardedTable;
  /** The row's primary key. */
  key: string | number;
  /** What is wrong, in words ("front: expected string, received number"). */
  problem: string;
  foundAt: number;
  /** The row exactly as it was found. */
  original: unknown;
}

/** A row found damaged, and why. */
interface FoundRow {
  table: GuardedTable;
  raw: unknown;
  problem: string;
}

/** The queue a damaged card is moved to: no page reads it, and no real queue is called that. */
export const DAMAGED_QUEUE = 'damaged';
/** The `meta` key of the list (an import, which replaces the rows, clears it). */
export const DAMAGED_LIST_KEY = 'damagedRows';
const LIST_KEY = DAMAGED_LIST_KEY;
const DECK_VERSION_KEY = 'deckVersion';
const KNOWN_QUEUES = ['new', 'learning', 'review', 'buried', 'suspended', 'retired', DAMAGED_QUEUE];

/** The check for a progress row, in the same form as the others. */
export function checkProgressRow(raw: unknown): RowCheck<PaperProgress> {
  try {
    return { ok: true, row: parsePaperProgress(raw) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: message.replace(/^progress row: /, '') };
  }
}

const CHECKS: Record<GuardedTable, (raw: unknown) => RowCheck<unknown>> = {
  cards: checkStoredCard,
  log: checkLogRow,
  progress: checkProgressRow,
};

function isDamagedRow(value: unknown): value is DamagedRow {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    (row['table'] === 'cards' || row['table'] === 'log' || row['table'] === 'progress') &&
    (typeof row['key'] === 'string' || typeof row['key'] === 'number') &&
    typeof row['problem'] === 'string' &&
    typeof row['foundAt'] === 'number'
  );
}

/** The listed damaged rows (the list itself is checked: a damaged list is read as empty). */
export async function listDamagedRows(db: ResidualDb): Promise<DamagedRow[]> {
  const value = (await db.meta.get(LIST_KEY))?.value;
  return Array.isArray(value) ? value.filter(isDamagedRow) : [];
}

const sameRow = (a: Pick<DamagedRow, 'table' | 'key'>, b: Pick<DamagedRow, 'table' | 'key'>) =>
  a.table === b.table && a.key === b.key;

async function saveList(db: ResidualDb, list: DamagedRow[]): Promise<void> {
  if (list.length === 0) await db.meta.delete(LIST_KEY);
  else await db.meta.put({ key: LIST_KEY, value: list });
}

/** The primary key of a raw row of `table`, if it has a usable one. */
function keyOf(table: GuardedTable, raw: unknown): string | number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const key = (raw as Record<string, unknown>)[table === 'progress' ? 'paperId' : 'id'];
  return typeof key === 'string' || typeof key === 'number' ? key : null;
}

/**
 * List damaged rows (in one transaction with the moves of damaged cards to the damaged queue).
 * A row already listed keeps its first entry, so `original` is always the row as first found.
 */
export async function setAside(
  db: ResidualDb,
  found: FoundRow[],
  now: number,
): Promise<DamagedRow[]> {
  if (found.length === 0) return listDamagedRows(db);
  return db.transaction('rw', db.cards, db.meta, async () => {
    const list = await listDamagedRows(db);
    for (const { table, raw, problem } of found) {
      const key = keyOf(table, raw);
      if (key === null) continue;
      const entry: DamagedRow = { table, key, problem, foundAt: now, original: raw };
      // A card already in the damaged queue but not listed (the list itself was lost), with
      // nothing else wrong that the check can see: say so rather than blame the queue.
      if (
        table === 'cards' &&
        (raw as { queue?: unknown }).queue === DAMAGED_QUEUE &&
        problem.startsWith('queue:')
      ) {
        entry.problem = 'set aside earlier as damaged';
      }
      // A row listed before keeps its first entry: the row as it was first found.
      if (!list.some((listed) => sameRow(listed, entry))) list.push(entry);
      if (table === 'cards' && typeof key === 'string') {
        const stored = (await db.cards.get(key)) as unknown;
        if (stored && (stored as { queue?: unknown }).queue !== DAMAGED_QUEUE) {
          await db.cards.put({ ...(stored as StoredCard), queue: DAMAGED_QUEUE as never });
        }
      }
    }
    await saveList(db, list);
    return list;
  });
}

/**
 * Whether some card is in no queue a page reads: its due date or queue name is not a valid index
 * key (a NaN due date, an unknown queue), so it would drop out of review and statistics without a
 * word. Counts only, so it is cheap enough for every page load.
 */
export async function hasCardsOutsideQueues(db: ResidualDb): Promise<boolean> {
  return db.transaction('r', db.cards, async () => {
    const [total, ...perQueue] = await Promise.all([
      db.cards.count(),
      ...KNOWN_QUEUES.map((queue) =>
        db.cards
          .where('[queue+due]')
          .between([queue, -Infinity], [queue, Infinity], true, true)
          .count(),
      ),
    ]);
    return perQueue.reduce((sum, n) => sum + n, 0) !== total;
  });
}

/**
 * Check every card and progress row, set the damaged ones aside, and drop list entries whose row
 * is gone or valid again. Returns the list. (Review-log rows are checked by export, which reads
 * them all anyway; a page never reads a whole log row.)
 */
export async function sweepDamagedRows(
  db: ResidualDb,
  now: number,
  tables: readonly ('cards' | 'progress')[] = ['cards', 'progress'],
): Promise<DamagedRow[]> {
  const read = (table: 'cards' | 'progress') =>
    tables.includes(table) ? (db.table(table).toArray() as Promise<unknown[]>) : [];
  const [cards, progress] = await db.transaction('r', db.cards, db.progress, () =>
    Promise.all([read('cards'), read('progress')]),
  );
  // Checked in short slices, between the transactions: a page stays responsive meanwhile. A card
  // already in the damaged queue is listed (again, if the list itself was lost).
  const found = (await checkCardsInSlices(cards)).damaged;
  await forEachInSlices(progress, (raw) => {
    const check = checkProgressRow(raw);
    if (!check.ok) found.push({ table: 'progress', raw, problem: check.problem });
  });
  await setAside(db, found, now);
  return db.transaction('rw', db.cards, db.log, db.progress, db.meta, async () => {
    const list = await listDamagedRows(db);
    const kept: DamagedRow[] = [];
    for (const entry of list) {
      // A row that is gone, or valid again (a deck sync rewrote it), is no longer listed. A card
      // still in the damaged queue fails its check by that alone, so it stays listed.
      const row: unknown = await db.table(entry.table).get(entry.key);
      if (row !== undefined && !CHECKS[entry.table](row).ok) kept.push(entry);
    }
    await saveList(db, kept);
    return kept;
  });
}

/**
 * Each stored card row checked, in short slices, the check's schemas first built a part per task
 * (a page's first check would otherwise build them all in one long task): the valid cards, and
 * the damaged rows with what is wrong with each.
 */
async function checkCardsInSlices(
  rows: readonly unknown[],
): Promise<{ valid: StoredCard[]; damaged: FoundRow[] }> {
  const valid: StoredCard[] = [];
  const damaged: FoundRow[] = [];
  if (rows.length === 0) return { valid, damaged };
  await eachInItsOwnTask(STORED_CARD_CHECK_STEPS);
  await forEachInSlices(rows, (raw) => {
    const check = checkStoredCard(raw);
    if (check.ok) valid.push(check.row);
    else damaged.push({ table: 'cards', raw, problem: check.problem });
  });
  return { valid, damaged };
}

/**
 * Every card that passes the row check, in reading order, for a page that lists them all (the
 * card browser); the others are set aside on the way. `damaged` counts every card set aside.
 */
export async function readCheckedCards(
  db: ResidualDb,
  now: number,
): Promise<{ cards: StoredCard[]; damaged: number }> {
  const rows = (await db.cards.toArray()) as unknown[];
  const { valid: cards, damaged: found } = await checkCardsInSlices(rows);
  await setAside(db, found, now);
  cards.sort((a, b) => a.position - b.position);
  return { cards, damaged: found.length };
}

/**
 * Replace a damaged row with its repair: a card keeps every valid field (see `repairedCard`) and
 * the next page load re-syncs the deck to restore its wording; a progress row keeps its valid
 * fields. Returns false when the row cannot be repaired (remove it instead).
 */
export async function repairDamagedRow(
  db: ResidualDb,
  target: Pick<DamagedRow, 'table' | 'key'>,
  now: number,
): Promise<boolean> {
  return db.transaction('rw', db.cards, db.progress, db.meta, async () => {
    const list = await listDamagedRows(db);
    const entry = list.find((listed) => sameRow(listed, target));
    if (!entry) return false;
    if (entry.table === 'cards') {
      // The queue is not read: a repaired card's queue follows from its state and flags.
      const card = repairedCard((await db.cards.get(entry.key as string)) ?? entry.original, now);
      if (!card || card.id !== entry.key) return false;
      await db.cards.put(card);
      await db.meta.delete(DECK_VERSION_KEY);
    } else if (entry.table === 'progress') {
      const row = repairedProgress(await db.progress.get(entry.key as string), now);
      if (!row || row.paperId !== entry.key) return false;
      await db.progress.put(row);
    } else {
      return false;
    }
    await saveList(
      db,
      list.filter((listed) => !sameRow(listed, entry)),
    );
    return true;
  });
}

/**
 * Delete a damaged row. A removed card's review history stays, and the next page load re-syncs
 * the deck, so a card still in the deck comes back as new.
 */
export async function removeDamagedRow(
  db: ResidualDb,
  target: Pick<DamagedRow, 'table' | 'key'>,
): Promise<void> {
  await db.transaction('rw', db.cards, db.log, db.progress, db.meta, async () => {
    await db.table(target.table).delete(target.key);
    if (target.table === 'cards') await db.meta.delete(DECK_VERSION_KEY);
    const list = await listDamagedRows(db);
    await saveList(
      db,
      list.filter((listed) => !sameRow(listed, target)),
    );
  });
}

/** A valid progress row from a damaged one, keeping what is valid; null without a paper id. */
export function repairedProgress(raw: unknown, now: number): PaperProgress | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const row = raw as Record<string, unknown>;
  const candidates: unknown[] = [
    row,
    {
      paperId: row['paperId'],
      state: row['state'],
      updatedAt: row['updatedAt'],
      reached: row['reached'],
    },
    { paperId: row['paperId'], state: row['state'], updatedAt: now, reached: {} },
    { paperId: row['paperId'], state: 'unread', updatedAt: now, reached: {} },
  ];
  for (const candidate of candidates) {
    const check = checkProgressRow(candidate);
    if (check.ok) return check.row;
  }
  return null;
}
