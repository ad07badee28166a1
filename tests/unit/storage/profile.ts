/**
 * A small profile that has lived a little: a deck synced, some answers, reading progress,
 * settings. Shared by the regression and property tests of import and damaged rows.
 */
import { setPaperState } from '../../../src/storage/progress';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/srs/settings';
import type { Deck, Grade } from '../../../src/srs/types';
import type { ResidualDb } from '../../../src/storage/db';
import { loadTodayQueue } from '../../../src/storage/queue';
import { recordReview } from '../../../src/storage/reviews';
import { saveSettings } from '../../../src/storage/settings';
import { syncDeck } from '../../../src/storage/sync';
import { deckCard } from '../srs/helpers';
import { freshDb } from './helpers';

/** New cards in reading-list order: these profiles answer cards of papers nobody marked read. */
export const LIST_ORDER: Settings = { ...DEFAULT_SETTINGS, introduceNew: 'list' };

export const T0 = Date.parse('2026-10-01T15:00:00Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export const DECK: Deck = {
  format: 'residual-deck',
  version: 'deck-1',
  cards: [
    deckCard('mathematical-framework/qk-and-ov', { position: 0 }),
    deckCard('mathematical-framework/residual-stream', { position: 1 }),
    deckCard('induction-heads/copying', { position: 2 }),
    deckCard('toy-models/superposition', { position: 3, chapter: 'superposition' }),
    deckCard('glossary/logit-lens', {
      position: 4,
      kind: 'glossary',
      chapter: 'glossary',
      paperId: null,
      href: '/glossary/#logit-lens',
    }),
  ],
};

/** Answer whatever the queue shows next, `grades.length` times, one minute apart from `start`. */
export async function answerSome(
  db: ResidualDb,
  grades: readonly Grade[],
  start: number,
  tab?: string,
): Promise<number> {
  const scheduler = createScheduler(DEFAULT_SETTINGS);
  let now = start;
  for (const grade of grades) {
    const { next } = await loadTodayQueue(db, now, LIST_ORDER);
    if (!next) break;
    await recordReview(
      db,
      { cardId: next.id, expectedRev: next.rev, grade, now, ...(tab ? { tab } : {}) },
      scheduler,
    );
    now += MINUTE;
  }
  return now;
}

/** A fresh database holding a profile: 5 cards, 4 answers, progress on 2 papers, settings. */
export async function livedProfile(): Promise<ResidualDb> {
  const { db } = freshDb();
  await syncDeck(db, DECK, T0);
  await saveSettings(db, { ...LIST_ORDER, newPerDay: 12 });
  await answerSome(db, [3, 1, 4, 3], T0);
  await setPaperState(db, 'mathematical-framework', 'read', T0 + 10 * MINUTE);
  await setPaperState(db, 'induction-heads', 'skimmed', T0 + 11 * MINUTE);
  return db;
}

/** Every table's rows, serialised as IndexedDB would store them (for byte-for-byte equality). */
export async function snapshot(db: ResidualDb): Promise<Buffer> {
  const { serialize } = await import('node:v8');
  const tables = db.tables.map((table) => table.name).sort();
  const rows = await Promise.all(tables.map((name) => db.table(name).toArray()));
  return serialize(Object.fromEntries(tables.map((name, i) => [name, rows[i]])));
}
