import { IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { CardState, type StoredCard } from '../../../src/srs/types';
import { loadDueFigures } from '../../../src/storage/due';
import {
  DUE_SETTING_DEFAULTS,
  dueSettings,
  readDueFigures,
} from '../../../src/storage/due-read-only';
import { setPaperState } from '../../../src/storage/progress';
import { saveSettings } from '../../../src/storage/settings';
import { addExtraNewToday } from '../../../src/storage/extra-new';
import { storedCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-06-10T15:00:00Z');
const HOUR = 3_600_000;

beforeAll(() => {
  // The sidebar's reader uses the page's IDBKeyRange; Node has none.
  Object.assign(globalThis, { IDBKeyRange });
});

function randomCards(seed: number, n: number): StoredCard[] {
  let state = seed;
  const random = () => (state = (state * 1664525 + 1013904223) % 4294967296) / 4294967296;
  return Array.from({ length: n }, (_, i) => {
    const kind = Math.floor(random() * 7);
    const paperId = `p${i % 4}`;
    const due = NOW + Math.round((random() - 0.6) * 48) * HOUR + i;
    const base = { position: i, paperId, due };
    if (kind === 0) return storedCard(`${paperId}/n${i}`, base);
    if (kind === 1)
      return storedCard(`${paperId}/l${i}`, {
        ...base,
        state: CardState.Learning,
        reps: 1,
        due: NOW + Math.round((random() - 0.5) * 60) * 60_000 + i,
      });
    if (kind === 2)
      return storedCard(`${paperId}/b${i}`, {
        ...base,
        state: random() < 0.5 ? CardState.New : CardState.Review,
        reps: 2,
        buriedUntil: NOW + (random() < 0.5 ? -HOUR : HOUR),
      });
    if (kind === 3)
      return storedCard(`${paperId}/d${i}`, { ...base, state: CardState.Review, declined: true });
    return storedCard(`${paperId}/r${i}`, { ...base, state: CardState.Review, reps: 3 });
  });
}

describe('the sidebar counts due cards as every other page does', () => {
  test.each([
    [1, 9999, 9999],
    [2, 9999, 9999],
    [3, 9, 30],
    [4, 0, 5],
  ])(
    'plain IndexedDB and Dexie give the same figures on random deck %i (limits %i new, %i reviews)',
    async (seed, newPerDay, maxReviewsPerDay) => {
      const { db, factory } = freshDb();
      await db.cards.bulkPut(randomCards(seed, 200));
      await setPaperState(db, 'p1', 'read', NOW - HOUR);
      await setPaperState(db, 'p2', 'skimmed', NOW - HOUR);
      const settings = { ...DEFAULT_SETTINGS, newPerDay, maxReviewsPerDay };
      await saveSettings(db, settings);
      // The sidebar reads first (Dexie's count unburies expired cards as /review/ does).
      const sidebar = await readDueFigures(NOW, factory);
      const pages = await loadDueFigures(db, NOW, settings);
      expect(sidebar).toEqual(pages);
      expect(pages.total).toBeGreaterThan(0);
    },
  );

  test("both count today's extra new cards (custom study) the same way", async () => {
    const { db, factory } = freshDb();
    await db.cards.bulkPut(randomCards(5, 200));
    await setPaperState(db, 'p1', 'read', NOW - HOUR);
    const settings = { ...DEFAULT_SETTINGS, newPerDay: 1 };
    await saveSettings(db, settings);
    const before = await loadDueFigures(db, NOW, settings);
    await addExtraNewToday(db, NOW, settings, 2);
    const sidebar = await readDueFigures(NOW, factory);
    const pages = await loadDueFigures(db, NOW, settings);
    expect(sidebar).toEqual(pages);
    expect(pages.new).toBe(before.new + 2);
  });

  test('a browser with no database yet shows no figure, and creates nothing', async () => {
    const { factory } = freshDb();
    expect(await readDueFigures(NOW, factory)).toBeNull();
    expect(await factory.databases()).toEqual([]);
  });

  test("reads the stored settings' fields by hand, with the same defaults as the settings form", () => {
    const { dayStartHour, newPerDay, maxReviewsPerDay, introduceNew } = DEFAULT_SETTINGS;
    expect(DUE_SETTING_DEFAULTS).toEqual({
      dayStartHour,
      newPerDay,
      maxReviewsPerDay,
      introduceNew,
    });
    expect(dueSettings({ newPerDay: 5, dayStartHour: 'x', introduceNew: 'list' })).toEqual({
      ...DUE_SETTING_DEFAULTS,
      newPerDay: 5,
      introduceNew: 'list',
    });
    expect(dueSettings(null)).toEqual(DUE_SETTING_DEFAULTS);
  });
});
