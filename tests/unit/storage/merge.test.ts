import { describe, expect, test } from 'vitest';
import { MergeClashError } from '../../../src/storage/merge-collections';
import { createScheduler, DEFAULT_PARAMETERS } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { Deck } from '../../../src/srs/types';
import {
  exportBackup,
  importBackup,
  parseBackup,
  serializeBackup,
  type BackupFile,
} from '../../../src/storage/backup';
import type { ResidualDb } from '../../../src/storage/db';
import { localDeviceId } from '../../../src/storage/device';
import { mergeBackup } from '../../../src/storage/merge';
import { rescheduleFromHistory } from '../../../src/storage/reschedule';
import { recordReview, suspendCard } from '../../../src/storage/reviews';
import { saveSettings } from '../../../src/storage/settings';
import { flagCard, noteCard } from '../../../src/storage/undo';
import { syncDeck } from '../../../src/storage/sync';
import { deckCard } from '../srs/helpers';
import { freshDb } from './helpers';

const DAY = 86_400_000;
const START = Date.parse('2026-10-01T15:00:00Z');
const scheduler = createScheduler(DEFAULT_SETTINGS);

const DECK: Deck = {
  format: 'residual-deck',
  version: 'v1',
  cards: [
    deckCard('paper/shared'),
    deckCard('paper/only-a', { position: 1 }),
    deckCard('paper/only-b', { position: 2 }),
    deckCard('paper/flagged', { position: 3 }),
  ],
};

async function answer(db: ResidualDb, cardId: string, grade: 1 | 2 | 3 | 4, now: number) {
  const card = await db.cards.get(cardId);
  await recordReview(db, { cardId, expectedRev: card!.rev, grade, now }, scheduler);
}

/** A backup file of the database, read back as the merge dialog reads it. */
async function fileOf(db: ResidualDb, now: number): Promise<BackupFile> {
  return parseBackup(serializeBackup(await exportBackup(db, now)));
}

/** What two databases must agree on after merging (meta's device id is each browser's own). */
async function contents(db: ResidualDb) {
  return {
    cards: await db.cards.orderBy('id').toArray(),
    log: await db.log.orderBy('id').toArray(),
    deckVersions: await db.deckVersions.orderBy('version').toArray(),
    progress: await db.progress.orderBy('paperId').toArray(),
    settings: (await db.meta.get('settings'))?.value,
  };
}

/**
 * Two devices that shared a history (B restored A's backup), then went apart: both reviewed
 * "paper/shared" on different days, each reviewed a card of its own, B suspended a card and A
 * marked a paper read after B had skimmed it.
 */
async function twoDevicesApart() {
  const { db: a } = freshDb();
  await syncDeck(a, DECK, START);
  await answer(a, 'paper/shared', 3, START);
  await answer(a, 'paper/shared', 3, START + 10 * 60_000);
  const { db: b } = freshDb();
  // B restores a backup A made after its last answer (an export never holds a later answer).
  await importBackup(b, await fileOf(a, START + 11 * 60_000));
  await syncDeck(b, DECK, START + 12 * 60_000);

  await answer(a, 'paper/shared', 3, START + 3 * DAY);
  await answer(b, 'paper/shared', 1, START + 4 * DAY);
  await answer(b, 'paper/shared', 3, START + 4 * DAY + 10 * 60_000);
  await answer(a, 'paper/only-a', 4, START + 2 * DAY);
  await answer(b, 'paper/only-b', 2, START + 5 * DAY);
  await suspendCard(b, 'paper/flagged', null);
  await b.progress.put({
    paperId: 'paper',
    state: 'skimmed',
    updatedAt: START + DAY,
    reached: { skimmed: START + DAY },
  });
  await a.progress.put({
    paperId: 'paper',
    state: 'read',
    updatedAt: START + 2 * DAY,
    reached: { skimmed: START + 2 * DAY, read: START + 2 * DAY },
  });
  return { a, b };
}

describe('merging a backup from another device', () => {
  test('review-log rows carry the id of the device that recorded them', async () => {
    const { a, b } = await twoDevicesApart();
    const idA = await a.transaction('rw', a.meta, () => localDeviceId(a));
    const idB = await b.transaction('rw', b.meta, () => localDeviceId(b));
    expect(idA).not.toBe(idB);
    const rowsB = await b.log.orderBy('review').toArray();
    // The first two came from A through the restored backup; the rest were recorded on B.
    expect(rowsB.map((row) => row.deviceId)).toEqual([idA, idA, idB, idB, idB]);
  });

  test('A merged into B and B merged into A give identical databases', async () => {
    const { a, b } = await twoDevicesApart();
    const fromA = await fileOf(a, START + 6 * DAY);
    const fromB = await fileOf(b, START + 6 * DAY);
    await mergeBackup(a, fromB);
    await mergeBackup(b, fromA);
    expect(await contents(a)).toEqual(await contents(b));
  });

  test('a card reviewed on both devices while apart ends in the state its whole history gives', async () => {
    const { a, b } = await twoDevicesApart();
    const summary = await mergeBackup(a, await fileOf(b, START + 6 * DAY));
    expect(summary).toMatchObject({ reviews: 7, newReviews: 3 });
    const history = await a.log.where('cardId').equals('paper/shared').sortBy('review');
    expect(history.map((row) => row.grade)).toEqual([3, 3, 3, 1, 3]);

    // Answer the same five grades at the same times on a fresh device: the merged card must match.
    const { db: replayed } = freshDb();
    await syncDeck(replayed, DECK, START);
    for (const row of history) await answer(replayed, row.cardId, row.grade, row.review);
    const expected = (await replayed.cards.get('paper/shared'))!;
    const merged = (await a.cards.get('paper/shared'))!;
    for (const field of [
      'due',
      'stability',
      'difficulty',
      'reps',
      'lapses',
      'state',
      'lastReview',
    ] as const) {
      expect(merged[field]).toBe(expected[field]);
    }
    expect(merged.lapses).toBe(1);
    expect(merged.reps).toBe(5);
  });

  test('keeps the newer flags and the newer reading progress, with each state’s earliest date', async () => {
    const { a, b } = await twoDevicesApart();
    await mergeBackup(a, await fileOf(b, START + 6 * DAY));
    expect((await a.cards.get('paper/flagged'))?.suspended).toBe(true);
    expect((await a.cards.get('paper/flagged'))?.queue).toBe('suspended');
    expect(await a.progress.get('paper')).toEqual({
      paperId: 'paper',
      state: 'read',
      updatedAt: START + 2 * DAY,
      reached: { skimmed: START + DAY, read: START + 2 * DAY },
    });
  });

  test('keeps the reader’s marks (flag, note, own wording) of the side that changed them last', async () => {
    const { a, b } = await twoDevicesApart();
    await flagCard(a, 'paper/shared', null, 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await noteCard(b, 'paper/shared', null, 'Reread the framework first.');
    const fromA = await fileOf(a, START + 6 * DAY);
    const fromB = await fileOf(b, START + 6 * DAY);
    await mergeBackup(a, fromB);
    await mergeBackup(b, fromA);
    for (const db of [a, b]) {
      const card = (await db.cards.get('paper/shared'))!;
      expect(card.note).toBe('Reread the framework first.');
      expect(card.flag).toBeUndefined();
    }
    expect(await contents(a)).toEqual(await contents(b));
  });

  test('keeps the newer of two settings, personal parameters included', async () => {
    const { a, b } = await twoDevicesApart();
    await saveSettings(a, { newPerDay: 7 }, START + DAY);
    const personal = Array.from({ length: 21 }, (_, i) => 0.1 * (i + 1));
    await saveSettings(b, { newPerDay: 9, fsrsParameters: personal }, START + 2 * DAY);
    await mergeBackup(a, await fileOf(b, START + 6 * DAY));
    const settings = (await a.meta.get('settings'))?.value as Record<string, unknown>;
    expect(settings['newPerDay']).toBe(9);
    expect(settings['fsrsParameters']).toEqual(personal);
  });

  test('merging the same file twice changes nothing the second time', async () => {
    const { a, b } = await twoDevicesApart();
    const fromB = await fileOf(b, START + 6 * DAY);
    await mergeBackup(a, fromB);
    const once = await contents(a);
    await mergeBackup(a, fromB);
    expect(await contents(a)).toEqual(once);
  });

  test('a card only the file has arrives whole, with its history', async () => {
    const { db: a } = freshDb();
    await syncDeck(a, { ...DECK, cards: DECK.cards.slice(0, 1) }, START);
    const { b } = await twoDevicesApart();
    await mergeBackup(a, await fileOf(b, START + 6 * DAY));
    expect(await a.cards.count()).toBe(4);
    expect(await a.log.where('cardId').equals('paper/only-b').count()).toBe(1);
  });

  test('a file from another version of the deck, whose card wording clashes, is refused and nothing changes', async () => {
    const { a, b } = await twoDevicesApart();
    await b.cards.update('paper/shared', { hash: 'hash-reworded', front: 'Reworded question?' });
    const before = await contents(a);
    await expect(mergeBackup(a, await fileOf(b, START + 6 * DAY))).rejects.toThrow(MergeClashError);
    await expect(mergeBackup(a, await fileOf(b, START + 6 * DAY))).rejects.toThrow(
      /"paper\/shared" has different wording/,
    );
    expect(await contents(a)).toEqual(before);
  });

  test('two different answers recorded for one card at one moment are refused', async () => {
    const { a, b } = await twoDevicesApart();
    const first = await b.log.orderBy('review').first();
    await b.log.update(first!.id!, { grade: 1 });
    const before = await contents(a);
    await expect(mergeBackup(a, await fileOf(b, START + 6 * DAY))).rejects.toThrow(
      /two different answers/,
    );
    expect(await contents(a)).toEqual(before);
  });
});

describe('rescheduling from history after the parameters change', () => {
  test('moves due dates as the new parameters imply and keeps every flag', async () => {
    const { a } = await twoDevicesApart();
    await suspendCard(a, 'paper/only-a', null);
    const before = (await a.cards.get('paper/shared'))!;
    const personal = [...DEFAULT_PARAMETERS];
    personal[0] = personal[1] = personal[2] = personal[3] = 0.5; // a learner who forgets fast
    const settings = await saveSettings(a, { fsrsParameters: personal }, START + 6 * DAY);
    expect(await rescheduleFromHistory(a, settings)).toBe(2);
    const after = (await a.cards.get('paper/shared'))!;
    expect(after.reps).toBe(before.reps);
    expect(after.stability).toBeLessThan(before.stability);
    expect(after.due).toBeLessThan(before.due);
    expect(after.rev).toBe(before.rev + 1);
    expect((await a.cards.get('paper/only-a'))?.suspended).toBe(true);
  });
});
