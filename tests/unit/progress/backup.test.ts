import { describe, expect, it } from 'vitest';
import { loadProgress, setPaperState } from '../../../src/storage/progress';
import {
  exportBackup,
  importBackup,
  parseBackup,
  serializeBackup,
} from '../../../src/storage/backup';
import { freshDb } from '../storage/helpers';

const T0 = Date.UTC(2026, 10, 20, 12);

async function dbWithProgress() {
  const { db } = freshDb();
  await setPaperState(db, 'mathematical-framework', 'skimmed', T0);
  await setPaperState(db, 'mathematical-framework', 'deep-read', T0 + 1000);
  await setPaperState(db, 'gated-saes', 'read', T0 + 2000);
  return db;
}

describe('reading progress in the backup file', () => {
  it('is exported and restored with its dates', async () => {
    const source = await dbWithProgress();
    const text = serializeBackup(await exportBackup(source, T0 + 5000));
    const { db: target } = freshDb();
    await setPaperState(target, 'transcoders', 'read', T0); // replaced by the import
    await importBackup(target, parseBackup(text));
    expect((await loadProgress(target)).rows).toEqual((await loadProgress(source)).rows);
    expect((await loadProgress(target)).rows).toHaveLength(2);
  });

  it('changes nothing when the same file is imported twice', async () => {
    const text = serializeBackup(await exportBackup(await dbWithProgress(), T0));
    const { db } = freshDb();
    await importBackup(db, parseBackup(text));
    const once = await db.progress.toArray();
    await importBackup(db, parseBackup(text));
    expect(await db.progress.toArray()).toEqual(once);
  });

  it('leaves progress alone when the file comes from before progress was backed up', async () => {
    const file = await exportBackup(await dbWithProgress(), T0);
    delete file.data.progress;
    const { db } = freshDb();
    await setPaperState(db, 'transcoders', 'read', T0);
    await importBackup(db, parseBackup(serializeBackup(file)));
    expect((await loadProgress(db)).rows.map((row) => row.paperId)).toEqual(['transcoders']);
  });

  it.each([
    ['an unknown state', { state: 'finished' }, /progress\[0\].*state/],
    ['markup for an id', { paperId: '<img src=x onerror=alert(1)>' }, /progress\[0\].*paperId/],
    ['an extra field', { note: 'hi' }, /progress\[0\].*unknown field/],
  ])('refuses the whole file when a row has %s', async (_, change, message) => {
    const file = await exportBackup(await dbWithProgress(), T0);
    file.data.progress![0] = { ...file.data.progress![0]!, ...change } as never;
    expect(() => parseBackup(serializeBackup(file))).toThrow(message);
  });

  it('refuses a file that lists the same paper twice', async () => {
    const file = await exportBackup(await dbWithProgress(), T0);
    file.data.progress!.push(file.data.progress![0]!);
    expect(() => parseBackup(serializeBackup(file))).toThrow(/appears twice/);
  });
});
