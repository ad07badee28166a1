import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  DATABASE_NAME,
  readProgress,
  readProgressRows,
} from '../../../src/storage/progress-read-only';
import { setPaperState } from '../../../src/storage/progress';
import { DB_NAME, ResidualDb } from '../../../src/storage/db';

const T0 = Date.UTC(2026, 10, 20, 12);

describe('reading progress without Dexie', () => {
  it('opens the same database Dexie writes', () => {
    expect(DATABASE_NAME).toBe(DB_NAME);
  });

  it('finds nothing, and creates nothing, in a browser that never stored anything', async () => {
    const factory = new IDBFactory();
    expect(await readProgressRows(factory)).toEqual([]);
    expect(await factory.databases()).toEqual([]);
    // Dexie can still create the database with its real schema afterwards.
    const db = new ResidualDb({ indexedDB: factory, IDBKeyRange });
    await setPaperState(db, 'gated-saes', 'read', T0);
    expect(db.tables.map((table) => table.name)).toContain('cards');
  });

  it('finds nothing in a database from before progress existed, and leaves its version alone', async () => {
    const factory = new IDBFactory();
    const old = new ResidualDb({ indexedDB: factory, IDBKeyRange, upToVersion: 2 });
    await old.open();
    const version = old.verno;
    old.close();
    expect(await readProgressRows(factory)).toEqual([]);
    const reopened = new ResidualDb({ indexedDB: factory, IDBKeyRange, upToVersion: 2 });
    await reopened.open();
    expect(reopened.verno).toBe(version);
  });

  it('reads what Dexie wrote, leaving out corrupt rows', async () => {
    const factory = new IDBFactory();
    const db = new ResidualDb({ indexedDB: factory, IDBKeyRange });
    const row = await setPaperState(db, 'gated-saes', 'deep-read', T0);
    await db.progress.put({ paperId: 'broken', state: 'eaten' } as never);
    expect(await readProgressRows(factory)).toEqual([row]);
    // Left out, but counted: the progress page says so rather than losing it silently.
    expect(await readProgress(factory)).toEqual({ rows: [row], damaged: 1 });
  });

  it('does not block a later schema upgrade (its connection is closed)', async () => {
    const factory = new IDBFactory();
    const db = new ResidualDb({ indexedDB: factory, IDBKeyRange });
    await setPaperState(db, 'gated-saes', 'read', T0);
    db.close();
    await readProgressRows(factory);
    const request = factory.open(DB_NAME, 1000);
    await new Promise((resolve, reject) => {
      request.onsuccess = resolve;
      request.onblocked = () => reject(new Error('blocked'));
      request.onerror = reject;
    });
    request.result.close();
  });
});
