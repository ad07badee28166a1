import { describe, expect, test } from 'vitest';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { Deck, DeckCard } from '../../../src/srs/types';
import { recordReview } from '../../../src/storage/reviews';
import { describeSync } from '../../../src/storage/bootstrap';
import { syncDeck } from '../../../src/storage/sync';
import { deckCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-06-10T15:00:00Z');
const deck = (version: string, ...cards: DeckCard[]): Deck => ({
  format: 'residual-deck',
  version,
  cards: cards.map((card, position) => ({ ...card, position })),
});

describe('deck sync into the database', () => {
  test('first sync stores every card as new', async () => {
    const { db } = freshDb();
    const report = await syncDeck(db, deck('v1', deckCard('a/x'), deckCard('a/y')), NOW);
    expect(report).toMatchObject({ firstCopy: true, added: 2, changed: 0, retired: 0 });
    expect((await db.cards.toArray()).map((card) => [card.id, card.queue])).toEqual([
      ['a/x', 'new'],
      ['a/y', 'new'],
    ]);
    expect(describeSync(report)).toBe('Your deck is ready: 2 cards.');
  });

  test('a later sync that adds cards is told as an update, not as a first copy', async () => {
    const { db } = freshDb();
    await syncDeck(db, deck('v1', deckCard('a/x')), NOW);
    const report = await syncDeck(db, deck('v2', deckCard('a/x'), deckCard('a/y')), NOW + 1);
    expect(report).toMatchObject({ firstCopy: false, added: 1 });
    expect(describeSync(report)).toBe('Deck updated: 1 new card.');
  });

  test('a reworded card keeps its schedule and history and is marked changed', async () => {
    const { db } = freshDb();
    await syncDeck(db, deck('v1', deckCard('a/x')), NOW);
    const { card: reviewed } = await recordReview(
      db,
      { cardId: 'a/x', expectedRev: 0, grade: 3, now: NOW },
      createScheduler(DEFAULT_SETTINGS),
    );
    await syncDeck(
      db,
      deck('v2', deckCard('a/x', { hash: 'reworded', front: 'Better question?' })),
      NOW + 1,
    );
    const after = await db.cards.get('a/x');
    expect(after).toMatchObject({
      front: 'Better question?',
      changed: true,
      due: reviewed.due,
      stability: reviewed.stability,
      reps: 1,
    });
    expect(await db.log.count()).toBe(1);
  });

  test('a removed card is retired, never deleted, and keeps its log rows', async () => {
    const { db } = freshDb();
    await syncDeck(db, deck('v1', deckCard('a/x'), deckCard('gone/y')), NOW);
    await recordReview(
      db,
      { cardId: 'gone/y', expectedRev: 0, grade: 3, now: NOW },
      createScheduler(DEFAULT_SETTINGS),
    );
    const report = await syncDeck(db, deck('v2', deckCard('a/x')), NOW + 1);
    expect(report.retired).toBe(1);
    expect(await db.cards.count()).toBe(2);
    expect(await db.cards.get('gone/y')).toMatchObject({
      retired: true,
      queue: 'retired',
      reps: 1,
    });
    expect(await db.log.where('cardId').equals('gone/y').count()).toBe(1);
  });

  test('a retired card that returns comes back with its schedule', async () => {
    const { db } = freshDb();
    await syncDeck(db, deck('v1', deckCard('a/x')), NOW);
    await recordReview(
      db,
      { cardId: 'a/x', expectedRev: 0, grade: 4, now: NOW },
      createScheduler(DEFAULT_SETTINGS),
    );
    await syncDeck(db, deck('v2'), NOW + 1);
    const report = await syncDeck(db, deck('v3', deckCard('a/x')), NOW + 2);
    expect(report.revived).toBe(1);
    expect(await db.cards.get('a/x')).toMatchObject({ retired: false, queue: 'review', reps: 1 });
  });

  test('syncing the same deck version again reads and writes nothing', async () => {
    const { db } = freshDb();
    const v1 = deck('v1', deckCard('a/x'));
    await syncDeck(db, v1, NOW);
    expect((await syncDeck(db, v1, NOW + 1)).upToDate).toBe(true);
    expect(await db.deckVersions.count()).toBe(1);
  });

  test('two tabs syncing a new deck at once add each card once', async () => {
    const { db: tabA, factory } = freshDb();
    const { db: tabB } = freshDb({ factory });
    const v1 = deck('v1', deckCard('a/x'), deckCard('a/y'));
    const [a, b] = await Promise.all([syncDeck(tabA, v1, NOW), syncDeck(tabB, v1, NOW)]);
    expect(a.added + b.added).toBe(2);
    expect(await tabA.cards.count()).toBe(2);
  });
});
