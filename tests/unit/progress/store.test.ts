import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { activityTimes, loadProgress, setPaperState } from '../../../src/storage/progress';
import { CURRENT_SCHEMA_VERSION, ResidualDb } from '../../../src/storage/db';
import { newStoredCard } from '../../../src/srs/sync';
import { ProgressRowError } from '../../../src/progress/schema';

const T0 = Date.UTC(2026, 10, 20, 12);

function db(factory = new IDBFactory(), upToVersion?: number) {
  return new ResidualDb({
    indexedDB: factory,
    IDBKeyRange,
    ...(upToVersion === undefined ? {} : { upToVersion }),
  });
}

const card = newStoredCard(
  {
    id: 'mathematical-framework/residual-stream',
    kind: 'point',
    chapter: 'foundational-work',
    paperId: 'mathematical-framework',
    source: 'list',
    front: 'Q?',
    back: 'A.',
    href: '/foundational-work/#mathematical-framework--residual-stream',
    hash: 'h',
    position: 0,
  },
  T0,
);

describe('progress in the browser database', () => {
  it('arrives in a schema upgrade that keeps every card and review of a version-2 database', async () => {
    const factory = new IDBFactory();
    const old = db(factory, 2);
    await old.open();
    await old.cards.put(card);
    await old.log.add({
      cardId: card.id,
      grade: 3,
      review: T0,
      state: 0,
      due: T0,
      stability: 0,
      difficulty: 0,
      elapsedDays: 0,
      lastElapsedDays: 0,
      scheduledDays: 0,
      learningSteps: 0,
    });
    old.close();

    const upgraded = db(factory);
    await upgraded.open();
    expect(upgraded.verno).toBe(CURRENT_SCHEMA_VERSION);
    expect(await upgraded.cards.get(card.id)).toEqual(card);
    expect(await upgraded.log.count()).toBe(1);
    expect(await upgraded.progress.count()).toBe(0);
  });

  it('stores a state with its date and reads it back after reopening', async () => {
    const factory = new IDBFactory();
    const first = db(factory);
    await setPaperState(first, 'mathematical-framework', 'skimmed', T0);
    await setPaperState(first, 'mathematical-framework', 'read', T0 + 1000);
    first.close();
    const { rows, corrupt } = await loadProgress(db(factory));
    expect(corrupt).toBe(0);
    expect(rows).toEqual([
      {
        paperId: 'mathematical-framework',
        state: 'read',
        updatedAt: T0 + 1000,
        reached: { skimmed: T0, read: T0 + 1000 },
      },
    ]);
  });

  it('leaves out a corrupt row instead of showing it, and replaces it when the paper is set again', async () => {
    const database = db();
    await database.progress.put({ paperId: 'gated-saes', state: 'nonsense' } as never);
    expect(await loadProgress(database)).toEqual({ rows: [], corrupt: 1 });
    await setPaperState(database, 'gated-saes', 'read', T0);
    expect((await loadProgress(database)).rows.map((row) => row.state)).toEqual(['read']);
  });

  it('refuses to store a paper id that is not an id, and stores nothing', async () => {
    const database = db();
    const refused = setPaperState(database, '<script>', 'read', T0);
    await expect(refused).rejects.toThrow(ProgressRowError);
    await expect(refused).rejects.toThrow('progress row: paperId must be a kebab-case paper id');
    expect(await database.progress.count()).toBe(0);
  });

  it('counts reviews as activity alongside reading', async () => {
    const database = db();
    await database.log.add({
      cardId: card.id,
      grade: 3,
      review: T0 + 5,
      state: 0,
      due: T0,
      stability: 0,
      difficulty: 0,
      elapsedDays: 0,
      lastElapsedDays: 0,
      scheduledDays: 0,
      learningSteps: 0,
    });
    const row = await setPaperState(database, 'gated-saes', 'read', T0);
    expect((await activityTimes(database, [row])).sort()).toEqual([T0, T0, T0 + 5]);
  });
});
