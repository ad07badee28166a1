/**
 * Storing the published deck: the file's text parsed, checked card by card and synced into the
 * database. A dedicated worker does it where the browser can start one (deck-store.worker.ts), so
 * that a first visit's check of every card and its hundreds of writes never hold the page; where it
 * cannot (no Worker, the worker's script failed to load, anything failing in it), the page does the
 * same work itself, as before, and reports what went wrong there.
 */
import { checkDeck } from './deck-file';
import type { ResidualDb } from './db';
import { syncDeck, type SyncReport } from './sync';

/** What the page sends the worker. */
export interface DeckStoreRequest {
  /** The database's name (tests use their own). */
  dbName: string;
  text: string;
  now: number;
}

/** What the worker answers: the sync's report, or that it did not store the deck. */
export type DeckStoreAnswer = { ok: true; report: SyncReport } | { ok: false; reason: string };

/** Parse, check and sync the deck in `text`, in whichever thread calls it. */
export async function parseCheckAndSync(
  db: ResidualDb,
  text: string,
  now: number,
): Promise<SyncReport> {
  const checked = await checkDeck(JSON.parse(text) as unknown);
  if (!checked.ok) throw new Error(`the deck file is damaged (${checked.problem})`);
  return syncDeck(db, checked.deck, now);
}

/** Starts the deck worker, or null where this browser cannot. */
export type StartDeckWorker = () => Worker | null;

export function startDeckWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('./deck-store.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
}

/** The worker's answer; `{ ok: false }` if it failed to load or stopped before answering. */
function askWorker(worker: Worker, request: DeckStoreRequest): Promise<DeckStoreAnswer> {
  return new Promise((resolve) => {
    worker.addEventListener('message', (event: MessageEvent<DeckStoreAnswer>) =>
      resolve(event.data),
    );
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      resolve({ ok: false, reason: event.message || 'the worker failed to start' });
    });
    worker.addEventListener('messageerror', () =>
      resolve({ ok: false, reason: 'the worker answered something unreadable' }),
    );
    worker.postMessage(request);
  });
}

/**
 * Store the deck in `text` (the body of deck.json) into `db`: off the main thread where possible,
 * in the page otherwise. Rejects as `parseCheckAndSync` does in the page.
 */
export async function storeDeck(
  db: ResidualDb,
  text: string,
  now: number,
  start: StartDeckWorker = startDeckWorker,
): Promise<SyncReport> {
  const worker = start();
  if (worker) {
    const answer = await askWorker(worker, { dbName: db.name, text, now });
    worker.terminate();
    if (answer.ok) return answer.report;
    // Not the reader's concern (the page does the same work), but whoever debugs it needs why.
    console.warn(`Residual: the deck is stored by the page instead: ${answer.reason}.`);
  }
  return parseCheckAndSync(db, text, now);
}
