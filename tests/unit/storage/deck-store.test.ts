import { describe, expect, test, vi } from 'vitest';
import type { Deck, DeckCard } from '../../../src/srs/types';
import { ResidualDb } from '../../../src/storage/db';
import {
  parseCheckAndSync,
  storeDeck,
  type DeckStoreAnswer,
  type DeckStoreRequest,
} from '../../../src/storage/deck-store';
import { deckCard } from '../srs/helpers';
import { freshDb } from './helpers';
import { IDBKeyRange } from 'fake-indexeddb';

const NOW = Date.parse('2026-06-10T15:00:00Z');
const deckText = (version: string, ...cards: DeckCard[]): string =>
  JSON.stringify({
    format: 'residual-deck',
    version,
    cards: cards.map((card, position) => ({ ...card, position })),
  } satisfies Deck);

/**
 * A stand-in for the browser's Worker: `answer` decides what it posts back for a request, or
 * 'crash' fires an error event as a worker whose script failed to load does.
 */
function fakeWorker(answer: (request: DeckStoreRequest) => Promise<DeckStoreAnswer | 'crash'>) {
  const listeners: Record<string, ((event: unknown) => void)[]> = {};
  const worker = {
    requests: [] as DeckStoreRequest[],
    terminated: false,
    addEventListener(type: string, listener: (event: unknown) => void) {
      (listeners[type] ??= []).push(listener);
    },
    postMessage(request: DeckStoreRequest) {
      worker.requests.push(request);
      void answer(request).then((reply) => {
        if (reply === 'crash') {
          for (const listener of listeners['error'] ?? [])
            listener({ message: 'failed to load', preventDefault() {} });
        } else for (const listener of listeners['message'] ?? []) listener({ data: reply });
      });
    },
    terminate() {
      worker.terminated = true;
    },
  };
  return worker;
}

describe('storing the published deck', () => {
  test('the worker syncs the deck over its own connection, and the page sees its cards', async () => {
    const { db, factory } = freshDb({ name: 'deck-store-worker' });
    const worker = fakeWorker(async (request) => {
      // What deck-store.worker.ts does: its own connection to the same database.
      const own = new ResidualDb({ name: request.dbName, indexedDB: factory, IDBKeyRange });
      try {
        return { ok: true, report: await parseCheckAndSync(own, request.text, request.now) };
      } finally {
        own.close();
      }
    });
    const report = await storeDeck(
      db,
      deckText('v1', deckCard('a/x'), deckCard('a/y')),
      NOW,
      () => worker as unknown as Worker,
    );
    expect(report).toMatchObject({ firstCopy: true, added: 2 });
    expect(worker.requests[0]).toMatchObject({ dbName: 'deck-store-worker', now: NOW });
    expect(worker.terminated).toBe(true);
    expect((await db.cards.toArray()).map((card) => card.id)).toEqual(['a/x', 'a/y']);
  });

  test('when the worker cannot start or fails, the page stores the deck itself, and logs why', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const start of [
      () => null,
      () => fakeWorker(async () => 'crash') as unknown as Worker,
      () =>
        fakeWorker(async () => ({ ok: false, reason: 'QuotaExceededError' })) as unknown as Worker,
    ]) {
      const { db } = freshDb();
      const report = await storeDeck(db, deckText('v1', deckCard('a/x')), NOW, start);
      expect(report).toMatchObject({ firstCopy: true, added: 1 });
      expect(await db.cards.count()).toBe(1);
    }
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'Residual: the deck is stored by the page instead: failed to load.',
      'Residual: the deck is stored by the page instead: QuotaExceededError.',
    ]);
    warn.mockRestore();
  });

  test('a damaged deck file is refused with what is wrong, and nothing is stored', async () => {
    const { db } = freshDb();
    const damaged = deckText('v1', { ...deckCard('a/x'), front: '<script>x</script>' });
    await expect(storeDeck(db, damaged, NOW, () => null)).rejects.toThrow(
      /^the deck file is damaged \(cards\[0\]\.front: must be plain text/,
    );
    await expect(storeDeck(db, '{"format":', NOW, () => null)).rejects.toThrow(SyntaxError);
    expect(await db.cards.count()).toBe(0);
  });
});
