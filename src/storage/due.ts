/** Due figures read from storage: the same queue /review/ reads, so every page agrees with it. */
import { dueFigures, type DueFigures } from '../srs/due';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';
import { loadTodayQueue } from './queue';

/** What is due now in the whole collection (see src/srs/due.ts for the definition). */
export async function loadDueFigures(
  db: ResidualDb,
  now: number,
  settings: Settings,
): Promise<DueFigures> {
  const queue = await loadTodayQueue(db, now, settings);
  return dueFigures(queue.counts);
}

/**
 * New cards waiting in papers the reader has not marked skimmed or read (glossary cards aside):
 * what "read first" holds back from /review/.
 */
export async function cardsWaitingInUnreadPapers(
  db: ResidualDb,
  newFrom: ReadonlySet<string>,
): Promise<number> {
  return db.cards
    .where('[queue+position]')
    .between(['new', -Infinity], ['new', Infinity], true, true)
    .filter((card) => card.paperId !== null && !newFrom.has(card.paperId))
    .count();
}
