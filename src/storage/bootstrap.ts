/**
 * Shared start-up for the pages that use the card database (review, stats, card browser): open
 * the database, read the settings, and sync the deck published by the site.
 */
import { deckSchema, firstIssue } from '../srs/schemas';
import type { Settings } from '../srs/settings';
import type { ResidualDb } from './db';
import { describeStorageError } from './errors';
import { openDatabase } from './open';
import { loadSettings } from './settings';
import { syncDeck, type SyncReport } from './sync';

export type Started =
  | {
      ok: true;
      db: ResidualDb;
      settings: Settings;
      sync: SyncReport | null;
      /** Set when the deck could not be fetched or read: review goes on with stored cards. */
      deckProblem: string | null;
    }
  | { ok: false; message: string };

export async function startStorage(options: {
  deckUrl: string;
  onUpgradeElsewhere: () => void;
}): Promise<Started> {
  let db: ResidualDb;
  try {
    db = await openDatabase({ onUpgradeElsewhere: options.onUpgradeElsewhere });
  } catch (error) {
    return { ok: false, message: describeStorageError(error) };
  }
  const settings = await loadSettings(db);
  let sync: SyncReport | null = null;
  let deckProblem: string | null = null;
  try {
    const response = await fetch(options.deckUrl);
    if (!response.ok) throw new Error(`the site answered ${response.status}`);
    const parsed = deckSchema.safeParse(await response.json());
    if (!parsed.success) throw new Error(`the deck file is damaged (${firstIssue(parsed.error)})`);
    sync = await syncDeck(db, parsed.data, Date.now());
  } catch (error) {
    deckProblem = `Could not load the latest cards (${error instanceof Error ? error.message : String(error)}); showing the cards already stored in this browser.`;
  }
  return { ok: true, db, settings, sync, deckProblem };
}

/** "3 new cards, 1 reworded card" for a sync that changed something; null otherwise. */
export function describeSync(report: SyncReport | null): string | null {
  if (!report || report.upToDate) return null;
  const parts: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (report.added) parts.push(plural(report.added, 'new card'));
  if (report.changed) parts.push(plural(report.changed, 'reworded card'));
  if (report.retired) parts.push(plural(report.retired, 'retired card'));
  if (report.revived) parts.push(plural(report.revived, 'returning card'));
  return parts.length ? `Deck updated: ${parts.join(', ')}.` : null;
}
