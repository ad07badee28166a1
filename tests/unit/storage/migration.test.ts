import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CURRENT_SCHEMA_VERSION, type CardRowV1, type LogRowV1 } from '../../../src/storage/db';
import { createScheduler } from '../../../src/srs/scheduler';
import { recordReview } from '../../../src/storage/reviews';
import { loadSettings } from '../../../src/storage/settings';
import { loadTodayQueue } from '../../../src/storage/queue';
import { freshDb } from './helpers';

interface Dump {
  version: number;
  tables: { cards: CardRowV1[]; log: LogRowV1[]; meta: { key: string; value: unknown }[] };
}

const dump = JSON.parse(
  readFileSync(new URL('../../fixtures/db/residual-v1.json', import.meta.url), 'utf8'),
) as Dump;

/** Restore the saved version-1 database into a fresh IndexedDB, then reopen it with today's code. */
async function upgradedFromSavedV1() {
  const { db: old, factory } = freshDb({ upToVersion: 1 });
  await old.open();
  expect(old.verno).toBe(1);
  await old.table('cards').bulkAdd(dump.tables.cards);
  await old.table('log').bulkAdd(dump.tables.log);
  await old.table('meta').bulkAdd(dump.tables.meta);
  old.close();
  const { db } = freshDb({ factory });
  await db.open();
  return db;
}

describe('upgrading a saved version-1 database', () => {
  test('the fixture really is an old database with data in it', () => {
    expect(dump.version).toBe(1);
    expect(dump.tables.cards.length).toBeGreaterThan(30);
    expect(dump.tables.log.length).toBeGreaterThan(100);
    expect(CURRENT_SCHEMA_VERSION).toBeGreaterThan(1);
  });

  test('keeps every card with its schedule and flags', async () => {
    const db = await upgradedFromSavedV1();
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
    const cards = await db.cards.orderBy('id').toArray();
    expect(cards).toHaveLength(dump.tables.cards.length);
    const old = [...dump.tables.cards].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const [i, card] of cards.entries()) {
      const kept: Partial<CardRowV1> = { ...old[i]! };
      delete kept.buried;
      expect(card).toMatchObject(kept);
      expect(card).not.toHaveProperty('buried');
      expect(card.rev).toBe(0);
      expect(card.buriedUntil).toBe(0);
    }
  });

  test('gives each card the queue its state and flags imply', async () => {
    const db = await upgradedFromSavedV1();
    const byId = new Map((await db.cards.toArray()).map((card) => [card.id, card]));
    for (const old of dump.tables.cards) {
      const expected = old.retired
        ? 'retired'
        : old.suspended
          ? 'suspended'
          : ['new', 'learning', 'review', 'learning'][old.state];
      expect(byId.get(old.id)?.queue).toBe(expected);
    }
  });

  test('keeps every review log row, with the answer now called grade', async () => {
    const db = await upgradedFromSavedV1();
    const log = await db.log.orderBy('id').toArray();
    expect(log).toHaveLength(dump.tables.log.length);
    for (const [i, row] of log.entries()) {
      const { rating, ...rest } = dump.tables.log[i]!;
      expect(row).toEqual({ ...rest, grade: rating, deviceId: row.deviceId });
    }
  });

  test('names this browser as the device of every old review, and of the next one', async () => {
    const db = await upgradedFromSavedV1();
    const deviceId = (await db.meta.get('deviceId'))?.value;
    expect(deviceId).toMatch(/^[0-9a-f]{16}$/);
    const devices = new Set((await db.log.toArray()).map((row) => row.deviceId));
    expect([...devices]).toEqual([deviceId]);
    const card = (await db.cards.toArray()).find((row) => !row.retired && !row.suspended)!;
    await recordReview(
      db,
      { cardId: card.id, expectedRev: card.rev, grade: 3, now: Date.parse('2026-09-01T12:00:00Z') },
      createScheduler(await loadSettings(db)),
    );
    expect((await db.log.orderBy('id').last())?.deviceId).toBe(deviceId);
  });

  test('keeps the settings, and the upgraded database serves a queue', async () => {
    const db = await upgradedFromSavedV1();
    const settings = await loadSettings(db);
    expect(settings).toMatchObject({ desiredRetention: 0.85, newPerDay: 15, dayStartHour: 3 });
    const queue = await loadTodayQueue(db, Date.parse('2026-09-01T12:00:00Z'), settings);
    expect(queue.next).not.toBeNull();
  });
});
