import { Dexie } from 'dexie';
import { describe, expect, test } from 'vitest';
import {
  StaleCardError,
  classifyStorageError,
  describeStorageError,
} from '../../../src/storage/errors';
import { openDatabase } from '../../../src/storage/open';
import { freshDb } from './helpers';

describe('storage errors in words', () => {
  test('a full disk, even wrapped by Dexie in an AbortError, is reported as storage being full', () => {
    const wrapped = new Dexie.AbortError('Transaction aborted', {
      name: 'QuotaExceededError',
      message: 'quota',
    } as unknown as Error);
    expect(classifyStorageError(wrapped)).toBe('quota');
    expect(describeStorageError(wrapped)).toMatch(/storage for this site is full/);
  });

  test('no IndexedDB at all is reported as unavailable, with reading still possible', async () => {
    const saved = globalThis.indexedDB;
    try {
      Reflect.deleteProperty(globalThis, 'indexedDB');
      const error = await openDatabase().catch((caught: unknown) => caught);
      // Dexie's own error for a missing API: not any failure that happens to be classed alike.
      expect((error as Error).name).toBe('MissingAPIError');
      expect(classifyStorageError(error)).toBe('unavailable');
      expect(describeStorageError(error)).toMatch(/Reading works/);
    } finally {
      if (saved) globalThis.indexedDB = saved;
    }
  });

  test('an IndexedDB VersionError (the database is newer than this page) asks for a reload', () => {
    const error = new Dexie.VersionError('The requested version is less than the existing version');
    expect(classifyStorageError(error)).toBe('newer-version');
    expect(describeStorageError(error)).toMatch(/Reload this page/);
  });

  test('Dexie 4 still opens a database that a newer site version upgraded (tables only get added)', async () => {
    const { db: newer, factory } = freshDb();
    newer.version(9).stores({ extra: 'id' });
    await newer.open();
    await newer.cards.put({ id: 'kept/card' } as never);
    newer.close();
    const { db: older } = freshDb({ factory });
    await older.open();
    expect(await older.cards.get('kept/card')).toEqual({ id: 'kept/card' });
  });

  test('a stale card is named as such', () => {
    expect(classifyStorageError(new StaleCardError('a/b'))).toBe('stale');
  });
});
