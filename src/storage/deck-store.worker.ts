/**
 * The deck worker: parses, checks and syncs the published deck into the database off the page's
 * main thread (see deck-store.ts), over a connection of its own that it closes when done.
 */
import type { ResidualDb } from './db';
import { parseCheckAndSync, type DeckStoreAnswer, type DeckStoreRequest } from './deck-store';
import { openDatabase } from './open';

const scope = self as unknown as {
  postMessage(message: DeckStoreAnswer): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<DeckStoreRequest>) => void,
  ): void;
};

scope.addEventListener('message', (event) => {
  void store(event.data).then((answer) => scope.postMessage(answer));
});

async function store({ dbName, text, now }: DeckStoreRequest): Promise<DeckStoreAnswer> {
  let db: ResidualDb | null = null;
  try {
    db = await openDatabase({ name: dbName, markDatabase: false });
    return { ok: true, report: await parseCheckAndSync(db, text, now) };
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  } finally {
    db?.close();
  }
}
