/**
 * Merging a backup from another device into this database: the storage side of src/storage/merge-collections.ts.
 * The file is checked as an import is (parseBackup), the merge is computed from both sides'
 * whole tables, and the result replaces the tables in one transaction, so a clash or a failure
 * leaves the database as it was.
 */
import { mergeCollections, type Collection } from './merge-collections';
import { coerceSettings } from '../srs/settings';
import type { BackupFile } from './backup';
import type { DeckVersionRow, ResidualDb } from './db';

const SETTINGS_KEY = 'settings';
const DECK_VERSION_KEY = 'deckVersion';

export interface MergeSummary {
  cards: number;
  reviews: number;
  /** Reviews the file had that this browser did not. */
  newReviews: number;
}

function collectionOf(file: BackupFile): Collection<DeckVersionRow> {
  return {
    cards: file.data.cards,
    reviewLog: file.data.reviewLog,
    deckVersions: file.data.deckVersions,
    progress: file.data.progress ?? [],
    settings: file.settings,
  };
}

/**
 * Merge a parsed backup into the database. Throws a MergeClashError (database unchanged) when the
 * two disagree about a card's wording or a review. Undo history is cleared (log ids are renumbered)
 * and the next page load re-syncs the deck.
 */
export async function mergeBackup(db: ResidualDb, file: BackupFile): Promise<MergeSummary> {
  const tables = [db.cards, db.log, db.deckVersions, db.progress, db.meta, db.undo];
  return db.transaction('rw', tables, async () => {
    const settingsRow = await db.meta.get(SETTINGS_KEY);
    const local: Collection<DeckVersionRow> = {
      cards: await db.cards.toArray(),
      reviewLog: await db.log.toArray(),
      deckVersions: await db.deckVersions.toArray(),
      progress: await db.progress.toArray(),
      settings: settingsRow ? coerceSettings(settingsRow.value) : null,
    };
    const merged = mergeCollections(local, collectionOf(file));
    await db.cards.clear();
    await db.cards.bulkAdd(merged.cards);
    await db.log.clear();
    await db.log.bulkAdd(merged.reviewLog);
    await db.deckVersions.clear();
    await db.deckVersions.bulkAdd(merged.deckVersions);
    await db.progress.clear();
    await db.progress.bulkAdd(merged.progress);
    await db.undo.clear();
    if (merged.settings) await db.meta.put({ key: SETTINGS_KEY, value: merged.settings });
    await db.meta.delete(DECK_VERSION_KEY);
    return {
      cards: merged.cards.length,
      reviews: merged.reviewLog.length,
      newReviews: merged.reviewLog.length - local.reviewLog.length,
    };
  });
}
