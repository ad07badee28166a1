import { describe, expect, test } from 'vitest';
import { DEFAULT_PARAMETERS } from '../../../src/srs/scheduler';
import { loadSettings, saveSettings } from '../../../src/storage/settings';
import { freshDb } from './helpers';

describe('saving settings', () => {
  test('the review form, which does not hold the personal parameters, keeps them', async () => {
    const { db } = freshDb();
    const personal = DEFAULT_PARAMETERS.map((value) => value * 0.9);
    await saveSettings(db, { fsrsParameters: personal }, 1000);
    await saveSettings(db, { newPerDay: 5, desiredRetention: 0.85 }, 2000);
    expect(await loadSettings(db)).toMatchObject({
      newPerDay: 5,
      desiredRetention: 0.85,
      fsrsParameters: personal,
      updatedAt: 2000,
    });
  });

  test('parameters that are not 21 numbers are refused, and the stored ones stay', async () => {
    const { db } = freshDb();
    await saveSettings(db, { fsrsParameters: [...DEFAULT_PARAMETERS] }, 1000);
    await expect(saveSettings(db, { fsrsParameters: [1, 2, 3] })).rejects.toThrow(/21 numbers/);
    expect((await loadSettings(db)).fsrsParameters).toEqual([...DEFAULT_PARAMETERS]);
  });
});
