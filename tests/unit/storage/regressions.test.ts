/**
 * The failures of issue 13, each as a test named after it: files that passed validation but broke
 * the app later, damaged rows that broke a page, undo across tabs, an import that did not say what
 * it replaced, and storage failures shown as browser jargon.
 */
import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, test } from 'vitest';
import { setPaperState } from '../../../src/storage/progress';
import { MAX_COUNT } from '../../../src/srs/limits';
import { scheduleOf } from '../../../src/srs/review';
import { createScheduler } from '../../../src/srs/scheduler';
import { deckCardSchema } from '../../../src/srs/schemas';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import type { ReviewLogEntry, StoredCard } from '../../../src/srs/types';
import {
  BackupError,
  describeLeftOut,
  describeRefusal,
  exportBackup,
  exportBackupChecked,
  importBackup,
  parseBackup,
  serializeBackup,
  type BackupFile,
} from '../../../src/storage/backup';
import { CURRENT_SCHEMA_VERSION } from '../../../src/storage/db';
import { StorageOpenError, describeStorageError } from '../../../src/storage/errors';
import { openDatabase } from '../../../src/storage/open';
import { describeImportPlan, planImport } from '../../../src/storage/import-plan';
import {
  DAMAGED_QUEUE,
  hasCardsOutsideQueues,
  listDamagedRows,
  readCheckedCards,
  removeDamagedRow,
  repairDamagedRow,
  sweepDamagedRows,
} from '../../../src/storage/quarantine';
import { loadCheckedQueue } from '../../../src/storage/reviewable';
import { recordReview, undoLastReview } from '../../../src/storage/reviews';
import { loadStatsData } from '../../../src/storage/stats';
import { freshDb } from './helpers';
import { everyPageLoads } from './pages';
import { DAY, DECK, MINUTE, T0, answerSome, livedProfile, snapshot, LIST_ORDER } from './profile';
import { syncDeck } from '../../../src/storage/sync';
import { checkStoredCard } from '../../../src/srs/row-check';

const scheduler = createScheduler(DEFAULT_SETTINGS);
const LATER = T0 + DAY;

async function exported(): Promise<BackupFile> {
  return exportBackup(await livedProfile(), T0 + 30 * MINUTE);
}

/** Parse a changed copy of a real export at `now`, and import it into a lived profile. */
async function importChanged(file: BackupFile, now = LATER) {
  const db = await livedProfile();
  const before = await snapshot(db);
  try {
    await importBackup(db, parseBackup(serializeBackup(file), { now }));
    return { db, error: null, unchanged: false };
  } catch (error) {
    return { db, error: error as Error, unchanged: (await snapshot(db)).equals(before) };
  }
}

const reviewed = (file: BackupFile) => file.data.cards.find((card) => card.lastReview !== null)!;

describe('a review-log id at the top of the safe-integer range', () => {
  test('is renumbered on import, so answers given afterwards are saved', async () => {
    const file = await exported();
    file.data.reviewLog[0]!.id = Number.MAX_SAFE_INTEGER;
    const { db, error } = await importChanged(file);
    expect(error).toBeNull();
    expect((await db.log.toArray()).map((row) => row.id)).toEqual([1, 2, 3, 4]);
    await answerSome(db, [3, 3], LATER);
    expect(await db.log.count()).toBe(6);
  });

  test('no longer stops every later answer in a profile whose key generator it exhausted', async () => {
    const db = await livedProfile();
    // What an import of such an id before this fix left behind: the generator at its limit.
    const row: ReviewLogEntry = { ...(await db.log.toCollection().first())! };
    delete row.id;
    await db.log.put({ ...row, id: Number.MAX_SAFE_INTEGER });
    await db.log.add({ ...row });
    await expect(db.log.add({ ...row })).rejects.toThrow(/generator|Constraint/i);
    const good = serializeBackup(await exportBackup(await livedProfile(), T0 + 30 * MINUTE));
    await importBackup(db, parseBackup(good, { now: LATER }));
    await answerSome(db, [3], LATER);
    expect(await db.log.count()).toBe(5);
  });
});

describe('a card whose last review lies after the file’s export time', () => {
  test('is refused with the row named, and nothing changes', async () => {
    const file = await exported();
    reviewed(file).lastReview = file.exportedAt + MINUTE;
    const { error, unchanged } = await importChanged(file);
    expect(error).toBeInstanceOf(BackupError);
    expect(error!.message).toMatch(
      /^cards\[\d+\]\.lastReview: .* later than the file's export time/,
    );
    expect(unchanged).toBe(true);
  });

  test('is refused too when the file itself claims to be from the future', async () => {
    const file = await exported();
    const { error } = await importChanged(file, file.exportedAt - DAY);
    expect(error?.message).toMatch(/^exportedAt: .*later than this device's clock/);
  });

  test('can still be revealed and answered if it reaches the database (a clock set back)', async () => {
    const db = await livedProfile();
    const card = (await db.cards.toArray()).find((row) => row.lastReview !== null)!;
    const now = card.lastReview! - 5 * MINUTE;
    expect(() => scheduler.preview(card.id, scheduleOf(card), now)).not.toThrow();
    await recordReview(db, { cardId: card.id, expectedRev: card.rev, grade: 3, now }, scheduler);
  });
});

describe('a new card with a stability but no difficulty (found by the property test)', () => {
  test('is refused on import: ts-fsrs throws on such a memory state when the card is answered', async () => {
    const file = await exported();
    const index = file.data.cards.findIndex((card) => card.state === 0);
    file.data.cards[index]!.stability = 0.103;
    const { error, unchanged } = await importChanged(file);
    expect(error?.message).toMatch(new RegExp(`^cards\\[${index}\\]\\.difficulty: `));
    expect(unchanged).toBe(true);
  });

  test('is set aside when stored, and review goes on', async () => {
    const db = await livedProfile();
    const fresh = (await db.cards.toArray()).find((card) => card.state === 0)!;
    await db.cards.put({ ...fresh, stability: 0.103 });
    await everyPageLoads(db, LATER);
    expect((await listDamagedRows(db)).map((row) => row.key)).toContain(fresh.id);
  });
});

describe('a link field of the form //host#x', () => {
  test.each([
    '//evil#x',
    '//localhost/#x',
    '//evil.example#x',
    '//evil.example/#x',
    '/\\evil.example#x',
    'https://evil.example/#x',
  ])('%s is refused as a card link', (href) => {
    const card = { ...reviewedDeckCard(), href };
    expect(deckCardSchema.safeParse(card).success).toBe(false);
  });

  test('is refused on import with the row named', async () => {
    const file = await exported();
    file.data.cards[0]!.href = '//evil#x';
    const { error, unchanged } = await importChanged(file);
    expect(error?.message).toMatch(/^cards\[0\]\.href: a link must be a path on this site/);
    expect(unchanged).toBe(true);
  });

  test('the site’s own links still pass', () => {
    for (const href of [
      '/foundational-work/#induction-heads--copying',
      '/glossary/#logit-lens',
      '/#start',
    ]) {
      expect(deckCardSchema.safeParse({ ...reviewedDeckCard(), href }).success).toBe(true);
    }
  });
});

function reviewedDeckCard() {
  return {
    id: 'a/b',
    kind: 'point',
    chapter: 'foundational-work',
    paperId: 'a',
    source: 'list',
    front: 'Q?',
    back: 'A.',
    href: '/foundational-work/#a--b',
    hash: 'h',
    position: 0,
  };
}

describe('counters accepted at the schema’s maximum', () => {
  test('stay within it after more reviews, so the profile’s own export re-imports', async () => {
    const file = await exported();
    for (const card of file.data.cards) {
      card.reps = MAX_COUNT;
      card.lapses = MAX_COUNT;
      card.rev = MAX_COUNT;
    }
    const { db, error } = await importChanged(file);
    expect(error).toBeNull();
    const end = await answerSome(db, [1, 1, 3, 4, 2, 1], LATER);
    const cards = await db.cards.toArray();
    expect(
      Math.max(...cards.map((card) => Math.max(card.reps, card.lapses, card.rev))),
    ).toBeLessThanOrEqual(MAX_COUNT);
    const again = serializeBackup(await exportBackup(db, end));
    expect(() => parseBackup(again, { now: end })).not.toThrow();
  });
});

describe('damaged card rows', () => {
  async function damaged(change: Record<string, unknown>) {
    const db = await livedProfile();
    const [first] = (await db.cards.toArray()).sort((a, b) => a.position - b.position);
    const row = { ...first!, ...change } as unknown as StoredCard;
    await db.cards.put(row);
    return { db, id: first!.id, row };
  }

  test('one card with a non-string text field no longer empties the card browser', async () => {
    const { db, id } = await damaged({ front: 42 });
    const { cards, damaged: count } = await readCheckedCards(db, LATER);
    expect(cards).toHaveLength(4);
    expect(count).toBe(1);
    expect((await listDamagedRows(db)).map((row) => [row.key, row.problem])).toEqual([
      [id, expect.stringMatching(/^front: /)],
    ]);
  });

  test('a NaN due date no longer vanishes from review and stats: it is found and listed', async () => {
    const { db, id } = await damaged({ due: Number.NaN });
    expect(await hasCardsOutsideQueues(db)).toBe(true);
    const list = await sweepDamagedRows(db, LATER);
    expect(list.map((row) => row.key)).toEqual([id]);
    expect(Number.isNaN((list[0]!.original as StoredCard).due)).toBe(true);
    await everyPageLoads(db, LATER);
  });

  test('an unknown queue no longer vanishes from review and stats: it is found and listed', async () => {
    const { db, id } = await damaged({ queue: 'frozen' });
    expect(await hasCardsOutsideQueues(db)).toBe(true);
    expect((await sweepDamagedRows(db, LATER)).map((row) => row.key)).toEqual([id]);
    const stats = await loadStatsData(db, LATER, 4);
    expect(stats.totalAnswers).toBe(4);
  });

  test('a damaged card met by review is set aside, kept as it was, and review goes on', async () => {
    const db = await livedProfile();
    const { queue } = await loadCheckedQueue(db, LATER, LIST_ORDER);
    const shown = queue.next!;
    await db.cards.put({ ...shown, stability: 'very' as never });
    const again = await loadCheckedQueue(db, LATER, LIST_ORDER);
    expect(again.setAside).toEqual([
      { id: shown.id, problem: expect.stringMatching(/^stability: /) },
    ]);
    expect(again.queue.next?.id).not.toBe(shown.id);
    const stored = await db.cards.get(shown.id);
    expect(stored).toEqual({ ...shown, stability: 'very', queue: DAMAGED_QUEUE });
    expect((await listDamagedRows(db))[0]!.original).toEqual({ ...shown, stability: 'very' });
  });

  test('repair keeps what is valid and brings the card back; remove deletes only that row', async () => {
    const { db, id, row } = await damaged({ front: 42 });
    await sweepDamagedRows(db, LATER);
    expect(await repairDamagedRow(db, { table: 'cards', key: id }, LATER)).toBe(true);
    const repaired = await db.cards.get(id);
    expect(repaired).toMatchObject({
      due: row.due,
      reps: row.reps,
      state: row.state,
      hash: 'repaired',
    });
    expect(await listDamagedRows(db)).toEqual([]);
    const second = await damaged({ queue: 'frozen' });
    await sweepDamagedRows(second.db, LATER);
    await removeDamagedRow(second.db, { table: 'cards', key: second.id });
    expect(await second.db.cards.count()).toBe(4);
    expect(await second.db.log.count()).toBe(4);
  });

  test('a damaged card that a deck update rewrote whole is no longer listed', async () => {
    const { db, id } = await damaged({ front: 42 });
    expect((await sweepDamagedRows(db, LATER)).map((row) => row.key)).toEqual([id]);
    const reworded = DECK.cards.map((card) =>
      card.id === id ? { ...card, front: 'Reworded?', hash: 'reworded' } : card,
    );
    await syncDeck(db, { ...DECK, version: 'deck-2', cards: reworded }, LATER);
    expect(await sweepDamagedRows(db, LATER)).toEqual([]);
    expect(checkStoredCard(await db.cards.get(id)).ok).toBe(true);
  });

  test('a card left in the damaged queue after its list entry was lost is listed again', async () => {
    const { db, id } = await damaged({ front: 42 });
    await sweepDamagedRows(db, LATER);
    await db.meta.delete('damagedRows');
    const list = await sweepDamagedRows(db, LATER + MINUTE);
    expect(list.map((row) => [row.key, row.problem])).toEqual([
      [id, expect.stringMatching(/^front: /)],
    ]);
  });

  test('importing a backup clears the list, since it replaced the damaged rows', async () => {
    const { db } = await damaged({ front: 42 });
    await sweepDamagedRows(db, LATER);
    await importBackup(db, parseBackup(serializeBackup(await exported()), { now: LATER }));
    expect(await listDamagedRows(db)).toEqual([]);
  });

  test('export leaves a damaged card out (with its answers), says so, and the file re-imports', async () => {
    const { db, id } = await damaged({ front: 42 });
    const { file, leftOut } = await exportBackupChecked(db, LATER);
    expect(file.data.cards.map((card) => card.id)).not.toContain(id);
    expect(leftOut.cards).toBe(1);
    expect(describeLeftOut(leftOut)).toMatch(
      /^ Left out of the file, and kept in this browser: 1 damaged card, \d+ answers? \(damaged, or to cards left out\)\./,
    );
    expect(() => parseBackup(serializeBackup(file), { now: LATER })).not.toThrow();
    expect((await listDamagedRows(db)).map((row) => row.key)).toEqual([id]);
  });
});

describe('undo', () => {
  test('U in one tab no longer removes the answer just given in another tab', async () => {
    const { db: tabA, factory } = freshDb();
    const { db: tabB } = freshDb({ factory });
    const db = await livedProfile();
    const file = serializeBackup(await exportBackup(db, T0 + 30 * MINUTE));
    await importBackup(tabA, parseBackup(file, { now: LATER }));
    await answerSome(tabA, [3], LATER, 'tab-a');
    await answerSome(tabB, [3], LATER + MINUTE, 'tab-b');
    const result = await undoLastReview(tabA, 'tab-a');
    expect(result.undone).toBe(true);
    const log = await tabA.log.toArray();
    expect(log.map((row) => row.review)).toContain(LATER + MINUTE);
    expect(log.map((row) => row.review)).not.toContain(LATER);
    expect(await undoLastReview(tabA, 'tab-a')).toEqual({ undone: false, reason: 'nothing' });
  });

  test('is refused when another tab has changed the card since', async () => {
    const { db: tabA, factory } = freshDb();
    const { db: tabB } = freshDb({ factory });
    await importBackup(tabA, parseBackup(serializeBackup(await exported()), { now: LATER }));
    const { queue } = await loadCheckedQueue(tabA, LATER, LIST_ORDER);
    const card = queue.next!;
    const earlier = await tabA.log.where('cardId').equals(card.id).count();
    const answered = await recordReview(
      tabA,
      { cardId: card.id, expectedRev: card.rev, grade: 1, now: LATER, tab: 'tab-a' },
      scheduler,
    );
    await recordReview(
      tabB,
      {
        cardId: card.id,
        expectedRev: answered.card.rev,
        grade: 3,
        now: LATER + MINUTE,
        tab: 'tab-b',
      },
      scheduler,
    );
    expect(await undoLastReview(tabA, 'tab-a')).toEqual({ undone: false, reason: 'changed-since' });
    expect(await tabA.log.where('cardId').equals(card.id).count()).toBe(earlier + 2);
  });
});

describe('the import confirmation', () => {
  test('a valid file with no cards says it replaces reading progress too', async () => {
    const file = await exported();
    file.data.cards = [];
    file.data.reviewLog = [];
    file.data.progress = [];
    const db = await livedProfile();
    const plan = await planImport(db, parseBackup(serializeBackup(file), { now: LATER }));
    const lines = describeImportPlan(plan);
    expect(lines).toContain('Cards: your 5 cards will be removed (the file has none).');
    expect(lines).toContain('Review history: your 4 answers will be removed (the file has none).');
    expect(lines).toContain('Reading progress: your 2 papers will be removed (the file has none).');
    expect(lines.some((line) => line.startsWith('Settings: '))).toBe(true);
  });

  test('counts what each part replaces, and says progress is kept when the file has none', async () => {
    const file = await exported();
    delete file.data.progress;
    const db = await livedProfile();
    await setPaperState(db, 'toy-models', 'read', T0 + 20 * MINUTE);
    const lines = describeImportPlan(
      await planImport(db, parseBackup(serializeBackup(file), { now: LATER })),
    );
    expect(lines).toEqual([
      "Cards: your 5 cards will be replaced by the file's 5.",
      "Review history: your 4 answers will be replaced by the file's 4.",
      'Reading progress: kept as it is (the file has none).',
      "Settings: yours will be replaced by the file's.",
    ]);
  });
});

describe('storage failures in plain words', () => {
  test('a full disk on first visit is described as such, not as "(QuotaExceededError )"', () => {
    const error = new Dexie.AbortError('QuotaExceededError ', {
      name: 'QuotaExceededError',
      message: '',
    } as unknown as Error);
    expect(describeStorageError(error)).toMatch(/storage for this site is full/);
    expect(describeStorageError(error)).not.toMatch(/QuotaExceededError/);
  });

  test('a failed database open says the open failed, not that a save went wrong', () => {
    const message = describeStorageError(new StorageOpenError(new Error('internal')));
    expect(message).toMatch(/could not open this site’s database/);
    expect(message).not.toMatch(/while saving/);
  });

  test('a blocked open or upgrade asks to close the other tabs', () => {
    expect(describeStorageError({ name: 'BlockedError' })).toMatch(
      /Close or reload the other tabs/,
    );
  });

  test('an upgrade blocked by another tab is reported, and goes on once that tab closes', async () => {
    const factory = new IDBFactory();
    // Another tab on an older version that does not let go of its connection.
    const older = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open('residual', 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    let blocked = 0;
    const db = await openDatabase({
      indexedDB: factory,
      IDBKeyRange,
      onBlocked: () => {
        blocked++;
        older.close();
      },
    });
    expect(blocked).toBe(1);
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
  });

  test('the newer-version message no longer ends with "import it.. Nothing was changed."', async () => {
    const file = { ...(await exported()), version: 7 };
    let message = '';
    try {
      parseBackup(JSON.stringify(file), { now: LATER });
    } catch (error) {
      message = describeRefusal((error as Error).message);
    }
    expect(message).toMatch(/then import it\. Nothing was changed\.$/);
    expect(message).not.toMatch(/\.\./);
  });
});
