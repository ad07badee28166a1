/**
 * Shared start-up for the pages that use the card database (review, stats, card browser): open
 * the database, read the settings, and sync the deck published by the site.
 */
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';
import { classifyStorageError, describeStorageError } from './errors';
import { openDatabase } from './open';
import { hasCardsOutsideQueues, listDamagedRows, sweepDamagedRows } from './quarantine';
import { loadSettings } from './settings';
import { storeDeck } from './deck-store';
import type { SyncReport } from './sync';

export type Started =
  | {
      ok: true;
      db: ResidualDb;
      settings: Settings;
      sync: SyncReport | null;
      /** Set when the deck could not be fetched or read: review goes on with stored cards. */
      deckProblem: string | null;
      /** Stored rows set aside as damaged (listed on the statistics page). */
      damaged: number;
    }
  | { ok: false; message: string };

export async function startStorage(options: {
  deckUrl: string;
  onUpgradeElsewhere: () => void;
  /** Told, in words, when another tab's older version holds the open back. */
  onBlocked?: (message: string) => void;
}): Promise<Started> {
  // The deck is fetched while the database opens: on a first visit both take a while, and neither
  // waits for the other.
  const deckRead = readDeck(options.deckUrl);
  let db: ResidualDb;
  let settings: Settings;
  try {
    db = await openDatabase({
      onUpgradeElsewhere: options.onUpgradeElsewhere,
      onBlocked: () => options.onBlocked?.(describeStorageError({ name: 'BlockedError' })),
    });
    settings = await loadSettings(db);
  } catch (error) {
    return { ok: false, message: describeStorageError(error) };
  }
  let sync: SyncReport | null = null;
  let deckProblem: string | null = null;
  try {
    const read = await deckRead;
    if (!read.ok) throw read.error;
    // Checked and stored off the main thread where the browser allows (deck-store.ts).
    sync = await storeDeck(db, read.text, Date.now());
  } catch (error) {
    // A storage failure (a full disk on the first visit, say) is described as such, not by the
    // browser's bare error name.
    deckProblem =
      classifyStorageError(error) === 'unknown'
        ? `Could not load the latest cards (${error instanceof Error ? error.message : String(error)}); showing the cards already stored in this browser.`
        : `The latest cards could not be stored. ${describeStorageError(error)}`;
  }
  let damaged = 0;
  try {
    const now = Date.now();
    const list = (await hasCardsOutsideQueues(db))
      ? await sweepDamagedRows(db, now, ['cards'])
      : await listDamagedRows(db);
    damaged = list.length;
  } catch {
    // Only a count for a notice: the page works without it.
  }
  return { ok: true, db, settings, sync, deckProblem, damaged };
}

/** The published deck file's text; never rejects (a failure comes back as `error`). */
async function readDeck(
  deckUrl: string,
): Promise<{ ok: true; text: string } | { ok: false; error: unknown }> {
  try {
    const response = await fetch(deckUrl);
    if (!response.ok) throw new Error(`the site answered ${response.status}`);
    return { ok: true, text: await response.text() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The notice a page shows while some stored rows are set aside as damaged. */
export function describeDamaged(count: number): string | null {
  if (count === 0) return null;
  return `${count} saved ${count === 1 ? 'record is' : 'records are'} damaged and set aside (kept, not shown). The statistics page lists ${count === 1 ? 'it' : 'them'}, to repair or remove.`;
}

/**
 * "Deck updated: 3 new cards, 1 reworded card." for a sync that changed something, "Your deck is
 * ready: 293 cards." for the first copy; null otherwise.
 */
export function describeSync(report: SyncReport | null): string | null {
  if (!report || report.upToDate) return null;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (report.firstCopy && report.added > 0) {
    return `Your deck is ready: ${plural(report.added, 'card')}.`;
  }
  const parts: string[] = [];
  if (report.added) parts.push(plural(report.added, 'new card'));
  if (report.changed) parts.push(plural(report.changed, 'reworded card'));
  if (report.retired) parts.push(plural(report.retired, 'retired card'));
  if (report.revived) parts.push(plural(report.revived, 'returning card'));
  return parts.length ? `Deck updated: ${parts.join(', ')}.` : null;
}
