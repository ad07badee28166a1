/**
 * Reading progress in the browser database (the `progress` table of src/storage/db.ts): the thin
 * adapter between the pure logic in ./progress and Dexie.
 */
import type { ResidualDb } from './db';
import { progressTimes, withState } from '../progress/progress';
import { parsePaperProgress } from '../progress/schema';
import type { PaperProgress, ReadingState } from '../progress/types';

export interface LoadedProgress {
  rows: PaperProgress[];
  /** Rows that failed validation: left in place, not shown. */
  corrupt: number;
}

/** Every stored progress row that is well formed. */
export async function loadProgress(db: ResidualDb): Promise<LoadedProgress> {
  const rows: PaperProgress[] = [];
  let corrupt = 0;
  for (const raw of await db.progress.toArray()) {
    try {
      rows.push(parsePaperProgress(raw));
    } catch {
      corrupt += 1;
    }
  }
  return { rows, corrupt };
}

/** Sets one paper's state at `now` in one transaction; returns the stored row. */
export async function setPaperState(
  db: ResidualDb,
  paperId: string,
  state: ReadingState,
  now: number,
): Promise<PaperProgress> {
  return db.transaction('rw', db.progress, async () => {
    const raw = await db.progress.get(paperId);
    let previous: PaperProgress | undefined;
    try {
      previous = raw ? parsePaperProgress(raw) : undefined;
    } catch {
      previous = undefined; // a corrupt row is replaced by a good one
    }
    const row = parsePaperProgress(withState(previous, paperId, state, now));
    await db.progress.put(row);
    return row;
  });
}

/** Every moment the reader did something: set a reading state or answered a card. */
export async function activityTimes(db: ResidualDb, rows: PaperProgress[]): Promise<number[]> {
  const reviews = (await db.log.orderBy('review').keys()) as number[];
  return [...progressTimes(rows), ...reviews];
}
